//! The drawing kit every chart shares: the look (sizes, fonts, colours), drawing one figure
//! into both backends (a supersampled PNG and an SVG), and the page around a plot (title,
//! subtitle, legend, footer) with the texts that say which run drew it.
use crate::format::{self, display_title};
use image::codecs::png::PngEncoder;
use image::{ColorType, ImageEncoder};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::{Path, PathBuf};
use std::sync::Once;
use wfcast_core::error::{Error, Result};
use wfcast_core::results::{Meta, Row};
use wfcast_io::export::OutputFile;

/// Width of every chart, in pixels.
pub(super) const WIDTH: u32 = 1200;
/// Height of a chart, in pixels.
pub(super) const HEIGHT: u32 = 700;
/// The least height of a chart with a row per role (which grows with the roles).
pub(super) const SHORTEST: u32 = 440;
/// The PNG is drawn at this many times its size and averaged down: smooth edges and evenly
/// spaced letters (plotters places each glyph on whole pixels, dropping its side bearing).
pub(super) const SUPERSAMPLE: u32 = 2;
/// The font family every text uses (DejaVu Sans, registered by [`fonts`]).
pub(super) const FONT: &str = "sans-serif";
/// Outer margin of the page, in pixels.
pub(super) const PAD: i32 = 28;

pub(super) const INK: RGBColor = RGBColor(0x1F, 0x1F, 0x1F);
pub(super) const GREY: RGBColor = RGBColor(0x5A, 0x5A, 0x5A);
pub(super) const AXIS: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
pub(super) const RULE: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
pub(super) const STRIPE: RGBColor = RGBColor(0xF3, 0xF3, 0xF3);
pub(super) const EMPTY: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
pub(super) const ZERO: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
pub(super) const DEMAND: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub(super) const SUPPLY: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub(super) const GAP: RGBColor = RGBColor(0x8E, 0x2D, 0x6B);
pub(super) const COST: RGBColor = RGBColor(0x00, 0x79, 0x5B);
pub(super) const LEAVERS: RGBColor = RGBColor(0x4D, 0x4D, 0x4D);
/// Scenario and route colours, distinguishable with the common colour-vision deficiencies
/// (Okabe and Ito), then two more.
pub(super) const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x8C, 0x56, 0x4B),
    RGBColor(0x99, 0x99, 0x99),
];
/// Opacity of the 90% band, and of the 50% band drawn over it.
pub(super) const ALPHA_90: f64 = 0.16;
pub(super) const ALPHA_50: f64 = 0.30;

/// Registers the bundled fonts with plotters, once per process.
pub(super) fn fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The fonts are bundled and known to parse; were one refused, drawing would fail with
        // plotters' "font unavailable" error, reported by `save`.
        let regular: &'static [u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");
        let bold: &'static [u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Bold.ttf");
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, regular);
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, bold);
    });
}

/// Turns a chart's own pixels (a 1200-pixel-wide page) into the pixels of the backend drawn
/// on: [`SUPERSAMPLE`] times for the PNG, once for the SVG. Every size drawn goes through it.
#[derive(Clone, Copy)]
pub(super) struct Scale(i32);

impl Scale {
    pub(super) fn px(self, v: i32) -> i32 {
        v * self.0
    }

    pub(super) fn stroke(self, colour: RGBColor, width: u32) -> ShapeStyle {
        colour.stroke_width(width * self.0 as u32)
    }

    pub(super) fn text(
        self,
        size: f64,
        weight: FontStyle,
        colour: RGBColor,
        (h, v): (HPos, VPos),
    ) -> TextStyle<'static> {
        FontDesc::new(FontFamily::Name(FONT), size * self.0 as f64, weight).color(&colour).pos(Pos::new(h, v))
    }

    pub(super) fn regular(self, size: f64, colour: RGBColor, anchor: (HPos, VPos)) -> TextStyle<'static> {
        self.text(size, FontStyle::Normal, colour, anchor)
    }

    pub(super) fn bold(self, size: f64, colour: RGBColor, anchor: (HPos, VPos)) -> TextStyle<'static> {
        self.text(size, FontStyle::Bold, colour, anchor)
    }
}

pub(super) const TOP_LEFT: (HPos, VPos) = (HPos::Left, VPos::Top);

/// A drawing error from either backend, as text.
pub(super) struct PlotError(String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}

pub(super) type Drawn<T = ()> = std::result::Result<T, PlotError>;
pub(super) type Area<DB> = DrawingArea<DB, Shift>;

/// A chart that can draw itself on any backend.
pub(super) trait Figure {
    /// Size in the chart's own pixels (the SVG's size, and the PNG's).
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }
    /// Draws the whole chart on `root`, which is `s` times [`Figure::size`].
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn;
}

/// Draws `figure` as `<stem>.png` and `<stem>.svg`: both files, named, with their bytes.
pub(super) fn render<F: Figure>(figure: &F, stem: &str) -> Result<Vec<OutputFile>> {
    fonts();
    let failed = |e: PlotError| Error::Run(format!("drawing the chart {stem}: {}", e.0));
    let png = PathBuf::from(format!("{stem}.png"));
    let png_bytes = encode_png(&png, figure.size(), &render_bitmap(figure).map_err(failed)?)?;
    let svg = render_svg(figure).map_err(failed)?;
    Ok(vec![(png, png_bytes), (PathBuf::from(format!("{stem}.svg")), svg.into_bytes())])
}

/// The chart's pixels (RGB, rows from the top), drawn large and averaged down.
pub(super) fn render_bitmap<F: Figure>(figure: &F) -> Drawn<Vec<u8>> {
    let (w, h) = figure.size();
    let k = SUPERSAMPLE;
    let mut large = vec![255u8; (w * k * h * k * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut large, (w * k, h * k)).into_drawing_area();
        figure.draw(&root, Scale(k as i32))?;
        root.present()?;
    }
    Ok(downsample(&large, (w, h), k))
}

/// The chart as SVG text.
pub(super) fn render_svg<F: Figure>(figure: &F) -> Drawn<String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, figure.size()).into_drawing_area();
        figure.draw(&root, Scale(1))?;
        root.present()?;
    }
    Ok(text)
}

/// Averages each `k` x `k` block of an RGB image `k` times the size `(w, h)`.
pub(super) fn downsample(large: &[u8], (w, h): (u32, u32), k: u32) -> Vec<u8> {
    let (w, h, k) = (w as usize, h as usize, k as usize);
    let n = (k * k) as u32;
    let mut out = Vec::with_capacity(w * h * 3);
    let mut sums = vec![0u32; w * 3];
    for rows in large.chunks_exact(w * k * 3 * k).take(h) {
        sums.fill(0);
        for row in rows.chunks_exact(w * k * 3) {
            for (sum, block) in sums.chunks_exact_mut(3).zip(row.chunks_exact(k * 3)) {
                for px in block.chunks_exact(3) {
                    sum[0] += px[0] as u32;
                    sum[1] += px[1] as u32;
                    sum[2] += px[2] as u32;
                }
            }
        }
        out.extend(sums.iter().map(|total| ((total + n / 2) / n) as u8));
    }
    out
}

/// RGB pixels as a PNG file's bytes (`path` names it in errors), encoded as plotters' bitmap
/// backend saves a file.
pub(super) fn encode_png(path: &Path, (w, h): (u32, u32), pixels: &[u8]) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(pixels, w, h, ColorType::Rgb8)
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    Ok(bytes)
}

/// The texts around a chart.
pub(super) struct Header {
    /// Scenario title and run count: the first of these that fits the width.
    pub(super) title: Vec<String>,
    /// What the chart shows and how to read it (wrapped to the width).
    pub(super) subtitle: String,
    /// Where the numbers come from: version, scenario hash, seed.
    pub(super) footer: String,
}

/// The symbol beside a legend label.
#[derive(Clone)]
pub(super) enum Key {
    /// A median line.
    Line(RGBColor),
    /// Shaded bands of these colours (one stripe each) with their opacity.
    Band(Vec<RGBColor>, f64),
    /// A median line over a 90% band.
    Fan(RGBColor),
    /// A solid block (bars, stacked segments).
    Block(RGBColor),
    /// A dot on a whisker.
    Dot(RGBColor),
    /// A dashed line (a benchmark forecast).
    Dash(RGBColor),
    /// A marker of an observed value: filled, or hollow.
    Mark(RGBColor, bool),
    /// No symbol: the label heads the entries after it.
    Heading,
}

/// One legend entry.
pub(super) struct Entry {
    pub(super) key: Key,
    pub(super) label: String,
}

pub(super) fn entry(key: Key, label: impl Into<String>) -> Entry {
    Entry { key, label: label.into() }
}

pub(super) fn text_width<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    text: &str,
    style: &TextStyle,
) -> Drawn<i32> {
    Ok(area.estimate_text_size(text, style)?.0 as i32)
}

/// `text` cut with an ellipsis to fit `width` pixels.
pub(super) fn fit<DB: DrawingBackend>(area: &Area<DB>, text: &str, style: &TextStyle, width: i32) -> Drawn<String> {
    if text_width(area, text, style)? <= width {
        return Ok(text.to_string());
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut = format!("{}…", chars.iter().collect::<String>().trim_end());
        if text_width(area, &cut, style)? <= width {
            return Ok(cut);
        }
    }
    Ok(String::new())
}

/// The first of `candidates` that fits `width`, or the last one cut to fit.
pub(super) fn first_fitting<DB: DrawingBackend>(
    area: &Area<DB>,
    candidates: &[String],
    style: &TextStyle,
    width: i32,
) -> Drawn<String> {
    for c in candidates {
        if text_width(area, c, style)? <= width {
            return Ok(c.clone());
        }
    }
    fit(area, candidates.last().map(String::as_str).unwrap_or(""), style, width)
}

/// `text` broken into lines of at most `width` pixels.
pub(super) fn wrap<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle,
    width: i32,
) -> Drawn<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let longer = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if !line.is_empty() && text_width(area, &longer, style)? > width {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = longer;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// Draws a legend key in the 28 x 14 box whose top left corner is `(x, y)`.
pub(super) fn draw_key<DB: DrawingBackend>(root: &Area<DB>, s: Scale, key: &Key, (x, y): (i32, i32)) -> Drawn {
    let (w, h, mid) = (s.px(28), s.px(14), y + s.px(7));
    let line = |c: RGBColor| PathElement::new(vec![(x, mid), (x + w, mid)], s.stroke(c, 3));
    let block = |c: RGBAColor| Rectangle::new([(x, y), (x + w, y + h)], c.filled());
    match *key {
        Key::Line(c) => root.draw(&line(c))?,
        Key::Band(ref colours, alpha) => {
            let n = colours.len().max(1) as i32;
            for (i, c) in colours.iter().enumerate() {
                let (y0, y1) = (y + h * i as i32 / n, y + h * (i as i32 + 1) / n);
                root.draw(&Rectangle::new([(x, y0), (x + w, y1)], c.mix(alpha).filled()))?;
            }
        }
        Key::Fan(c) => {
            root.draw(&block(c.mix(ALPHA_90 + 0.06)))?;
            root.draw(&line(c))?;
        }
        Key::Block(c) => root.draw(&Rectangle::new([(x + s.px(6), y), (x + w - s.px(6), y + h)], c.filled()))?,
        Key::Dot(c) => {
            root.draw(&PathElement::new(vec![(x + s.px(2), mid), (x + w - s.px(2), mid)], s.stroke(c, 2)))?;
            root.draw(&Circle::new((x + w / 2, mid), s.px(5), c.filled()))?;
        }
        Key::Dash(c) => {
            root.draw(&DashedPathElement::new(vec![(x, mid), (x + w, mid)], s.px(7), s.px(4), s.stroke(c, 3)))?;
        }
        Key::Mark(c, filled) => draw_mark(root, s, (x + w / 2, mid), c, filled)?,
        Key::Heading => {}
    }
    Ok(())
}

/// A round marker of an observed value at `at` (backend pixels): filled, or hollow (white
/// inside, so that it shows over shading).
pub(super) fn draw_mark<DB: DrawingBackend>(
    root: &Area<DB>,
    s: Scale,
    at: (i32, i32),
    c: RGBColor,
    filled: bool,
) -> Drawn {
    if filled {
        root.draw(&Circle::new(at, s.px(5), c.filled()))?;
    } else {
        root.draw(&Circle::new(at, s.px(5), WHITE.filled()))?;
        root.draw(&Circle::new(at, s.px(5), s.stroke(c, 2)))?;
    }
    Ok(())
}

/// Draws the legend in rows from `(x0, y0)`, wrapping at `width`; returns the y below it.
pub(super) fn draw_legend<DB: DrawingBackend>(
    root: &Area<DB>,
    s: Scale,
    entries: &[Entry],
    (x0, y0): (i32, i32),
    width: i32,
) -> Drawn<i32> {
    if entries.is_empty() {
        return Ok(y0);
    }
    let (mut x, mut y) = (x0, y0);
    for e in entries {
        let (style, key_w) = match e.key {
            Key::Heading => (s.bold(15.0, INK, TOP_LEFT), 0),
            _ => (s.regular(15.0, INK, TOP_LEFT), s.px(36)),
        };
        let label = fit(root, &e.label, &style, width - key_w)?;
        let w = key_w + text_width(root, &label, &style)?;
        if x > x0 && x + w > x0 + width {
            x = x0;
            y += s.px(25);
        }
        draw_key(root, s, &e.key, (x, y + s.px(1)))?;
        root.draw_text(&label, &style, (x + key_w, y))?;
        x += w + s.px(if matches!(e.key, Key::Heading) { 14 } else { 28 });
    }
    Ok(y + s.px(30))
}

/// Draws the white page with its title, subtitle, legend and footer, and returns the area
/// left for the plot.
pub(super) fn page<DB: DrawingBackend>(
    root: &Area<DB>,
    s: Scale,
    header: &Header,
    legend: &[Entry],
) -> Drawn<Area<DB>> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let (pad, width) = (s.px(PAD), w as i32 - 2 * s.px(PAD));
    let title = s.bold(26.0, INK, TOP_LEFT);
    root.draw_text(&first_fitting(root, &header.title, &title, width)?, &title, (pad, s.px(18)))?;
    let sub = s.regular(17.0, GREY, TOP_LEFT);
    let mut y = s.px(58);
    for line in wrap(root, &header.subtitle, &sub, width)? {
        root.draw_text(&line, &sub, (pad, y))?;
        y += s.px(23);
    }
    let y = draw_legend(root, s, legend, (pad, y + s.px(8)), width)?;
    let foot = s.regular(13.0, GREY, (HPos::Left, VPos::Bottom));
    root.draw_text(&fit(root, &header.footer, &foot, width)?, &foot, (pad, h as i32 - s.px(12)))?;
    Ok(root.margin(y + s.px(4), s.px(30), pad - s.px(12), pad))
}

// Scenario charts.

pub(super) fn is_deterministic(meta: &Meta) -> bool {
    meta.is_deterministic()
}

/// `1,000 runs`, `1 run`.
pub(super) fn runs_text(meta: &Meta) -> String {
    format::runs(meta.runs)
}

/// `<title> — 1,000 runs`, or `<title> (deterministic)`.
pub(super) fn scenario_title(meta: &Meta) -> String {
    if is_deterministic(meta) {
        format!("{} (deterministic)", display_title(meta))
    } else {
        format!("{} — {}", display_title(meta), runs_text(meta))
    }
}

pub(super) fn short_hash(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

pub(super) fn file_name(path: &str) -> String {
    Path::new(path).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| path.to_string())
}

pub(super) fn scenario_footer(meta: &Meta) -> String {
    format!(
        "wfcast {} · scenario {} (sha256 {}) · seed {} · {} · baseline sha256 {}",
        meta.version,
        file_name(&meta.file),
        short_hash(&meta.sha256),
        meta.seed,
        if is_deterministic(meta) {
            "deterministic run".to_string()
        } else {
            runs_text(meta).replace("run", "stochastic run")
        },
        short_hash(&meta.baseline.sha256),
    )
}

pub(super) fn header(meta: &Meta, subtitle: String) -> Header {
    Header { title: vec![scenario_title(meta)], subtitle, footer: scenario_footer(meta) }
}

pub(super) fn dates_of(rows: &[&Row]) -> Vec<String> {
    rows.iter().map(|r| r.date.clone()).collect()
}

/// Whether every date is a 31 March (the default reporting dates).
pub(super) fn all_march(dates: &[String]) -> bool {
    dates.iter().all(|d| format::parse_month(d).is_some_and(|(_, m)| m == 3))
}

/// When the values of a time chart are taken, for its subtitle.
pub(super) fn when(dates: &[String]) -> &'static str {
    if all_march(dates) { "at 31 March" } else { "at each date shown" }
}
