//! Charts for reports (plotters, PNG and SVG, with a bundled font): fans, gaps, heatmap, flows, cost.
//!
//! Each chart is first reduced to a plain value holding exactly what is drawn (a fan chart, the
//! heatmap, the flows, the gaps by role); the value then draws itself on any plotters backend,
//! and one function draws it twice, into `<stem>.png` and `<stem>.svg`, so the two files always
//! have the same layout. The PNG is drawn at twice its size and averaged down, for smooth edges
//! and evenly spaced letters. Text uses the bundled DejaVu Sans (registered once as the family
//! `sans-serif`), so nothing depends on the fonts installed on the machine.
//!
//! Scenario charts: `supply_demand_total` and `supply_demand_<role>` (demand and supply fans),
//! `supply_demand_families` (a small panel of demand and supply fans per role family, when the
//! summary has the `family` level), `gap_total` (the gap fan with the share of runs short), `gap_heatmap` (gap as a share of
//! demand by role and band at the last date), `gap_by_region` (each region's gap at the last date
//! with its 90% interval, when the summary has the `region` level), `flows` (joiners by route and leavers each year)
//! and `cost` (when pay was given). Comparison charts: `compare_gap`, `compare_gap_by_role` and
//! `compare_difference`. Backtest charts: `backtest_total` and `backtest_<role>` (the forecast
//! from the training date against the snapshots held out, with the two benchmarks). A chart
//! whose data is missing (no `role_band` level, no cost, a single scenario to compare) is left
//! out.
//!
//! Every chart's title carries the scenario title and the number of runs (or `deterministic`),
//! and its footer the wfcast version, the scenario file's hash and the seed, so a chart pasted
//! into a report can be traced back to the run that made it. Deterministic results have all
//! percentiles equal: their charts draw lines without bands.
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::element::{BitMapElement, DashedPathElement};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::{Path, PathBuf};
use std::sync::Once;
use wfcast_core::backtest::{Actual, BacktestResults, Method, Point, TOTAL};
use wfcast_core::band::Band;
use wfcast_core::error::{Error, Result};
use wfcast_core::results::{Comparison, ComparisonRow, Meta, Results, Row};
use wfcast_core::scenario::Month;
use wfcast_io::export::Exporter;

/// Writes every chart of one scenario into `dir` (a `charts` folder), as PNG and SVG, and
/// returns the files written.
pub fn write_scenario_charts(results: &Results, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if let Some(chart) = supply_demand(results, None) {
        files.extend(save(&chart, dir, "supply_demand_total")?);
    }
    for role in results.roles() {
        if let Some(chart) = supply_demand(results, Some(&role)) {
            files.extend(save(&chart, dir, &format!("supply_demand_{}", slug(&role)))?);
        }
    }
    if let Some(chart) = supply_demand_families(results) {
        files.extend(save(&chart, dir, FAMILIES_CHART)?);
    }
    if let Some(chart) = gap_total(results) {
        files.extend(save(&chart, dir, "gap_total")?);
    }
    if let Some(chart) = gap_heatmap(results) {
        files.extend(save(&chart, dir, "gap_heatmap")?);
    }
    if let Some(chart) = gap_by_region(results) {
        files.extend(save(&chart, dir, GAP_BY_REGION_CHART)?);
    }
    if let Some(chart) = flows(results) {
        files.extend(save(&chart, dir, "flows")?);
    }
    if let Some(chart) = cost(results) {
        files.extend(save(&chart, dir, "cost")?);
    }
    Ok(files)
}

/// Writes the charts of a comparison into `dir` (a `charts` folder), as PNG and SVG.
pub fn write_comparison_charts(comparison: &Comparison, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if let Some(chart) = compare_gap(comparison) {
        files.extend(save(&chart, dir, "compare_gap")?);
    }
    if let Some(chart) = compare_gap_by_role(comparison) {
        files.extend(save(&chart, dir, "compare_gap_by_role")?);
    }
    if let Some(chart) = compare_difference(comparison) {
        files.extend(save(&chart, dir, "compare_difference")?);
    }
    Ok(files)
}

/// The file stem of the chart of supply and demand by role family.
pub const FAMILIES_CHART: &str = "supply_demand_families";

/// A file-name-safe form of a role or scenario name: lower case, `-` between words.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The label of a reporting date on a chart's time axis. A date in March is the end of a
/// financial year (April to March) and is labelled with that year: `2026-03` is `2025/26`.
/// Other months are labelled as month and year (`2030-09` is `Sep 2030`); text that is not
/// `YYYY-MM` is returned as it is.
pub fn financial_year_label(date: &str) -> String {
    match parse_month(date) {
        Some((year, 3)) => format!("{}/{:02}", year - 1, year.rem_euclid(100)),
        Some(_) => month_label(date),
        None => date.to_string(),
    }
}

/// A date as month and year (`2025-03` is `Mar 2025`): how the baseline is labelled, since it
/// is a position at one date rather than a year's results. Text that is not `YYYY-MM` is
/// returned as it is.
pub fn month_label(date: &str) -> String {
    match parse_month(date) {
        Some((year, month)) => format!("{} {year}", MONTHS[month as usize - 1]),
        None => date.to_string(),
    }
}

/// The `charts/` folder of an output folder.
pub struct Charts;

impl Exporter for Charts {
    fn write(&self, results: &Results, dir: &Path) -> Result<()> {
        let charts = dir.join("charts");
        std::fs::create_dir_all(&charts).map_err(|e| wfcast_core::Error::io(&charts, e))?;
        write_scenario_charts(results, &charts).map(|_| ())
    }
}

// ---------------------------------------------------------------------------------------
// Look: sizes, fonts and colours.

/// Width of every chart, in pixels.
const WIDTH: u32 = 1200;
/// Height of a chart, in pixels.
const HEIGHT: u32 = 700;
/// The least height of a chart with a row per role (which grows with the roles).
const SHORTEST: u32 = 440;
/// The PNG is drawn at this many times its size and averaged down: smooth edges and evenly
/// spaced letters (plotters places each glyph on whole pixels, dropping its side bearing).
const SUPERSAMPLE: u32 = 2;
/// The font family every text uses (DejaVu Sans, registered by [`fonts`]).
const FONT: &str = "sans-serif";
/// Outer margin of the page, in pixels.
const PAD: i32 = 28;

const INK: RGBColor = RGBColor(0x1F, 0x1F, 0x1F);
const GREY: RGBColor = RGBColor(0x5A, 0x5A, 0x5A);
const AXIS: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
const RULE: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
const STRIPE: RGBColor = RGBColor(0xF3, 0xF3, 0xF3);
const EMPTY: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
const ZERO: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
const DEMAND: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const SUPPLY: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const GAP: RGBColor = RGBColor(0x8E, 0x2D, 0x6B);
const COST: RGBColor = RGBColor(0x00, 0x79, 0x5B);
const LEAVERS: RGBColor = RGBColor(0x4D, 0x4D, 0x4D);
/// Scenario and route colours, distinguishable with the common colour-vision deficiencies
/// (Okabe and Ito), then two more.
const PALETTE: [RGBColor; 8] = [
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
const ALPHA_90: f64 = 0.16;
const ALPHA_50: f64 = 0.30;
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Registers the bundled fonts with plotters, once per process.
fn fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The fonts are bundled and known to parse; were one refused, drawing would fail with
        // plotters' "font unavailable" error, reported by `save`.
        let regular: &'static [u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
        let bold: &'static [u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, regular);
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, bold);
    });
}

/// Turns a chart's own pixels (a 1200-pixel-wide page) into the pixels of the backend drawn
/// on: [`SUPERSAMPLE`] times for the PNG, once for the SVG. Every size drawn goes through it.
#[derive(Clone, Copy)]
struct Scale(i32);

impl Scale {
    fn px(self, v: i32) -> i32 {
        v * self.0
    }

    fn stroke(self, colour: RGBColor, width: u32) -> ShapeStyle {
        colour.stroke_width(width * self.0 as u32)
    }

    fn text(self, size: f64, weight: FontStyle, colour: RGBColor, (h, v): (HPos, VPos)) -> TextStyle<'static> {
        FontDesc::new(FontFamily::Name(FONT), size * self.0 as f64, weight).color(&colour).pos(Pos::new(h, v))
    }

    fn regular(self, size: f64, colour: RGBColor, anchor: (HPos, VPos)) -> TextStyle<'static> {
        self.text(size, FontStyle::Normal, colour, anchor)
    }

    fn bold(self, size: f64, colour: RGBColor, anchor: (HPos, VPos)) -> TextStyle<'static> {
        self.text(size, FontStyle::Bold, colour, anchor)
    }
}

const TOP_LEFT: (HPos, VPos) = (HPos::Left, VPos::Top);

// ---------------------------------------------------------------------------------------
// Rendering into both backends.

/// A drawing error from either backend, as text.
struct PlotError(String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}

type Drawn<T = ()> = std::result::Result<T, PlotError>;
type Area<DB> = DrawingArea<DB, Shift>;
/// A chart with numeric axes whose ticks are chosen here (see [`Axis`]).
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Linear, Linear>>;

/// A chart that can draw itself on any backend.
trait Figure {
    /// Size in the chart's own pixels (the SVG's size, and the PNG's).
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }
    /// Draws the whole chart on `root`, which is `s` times [`Figure::size`].
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn;
}

/// Draws `figure` into `dir/<stem>.png` and `dir/<stem>.svg`; returns both paths.
fn save<F: Figure>(figure: &F, dir: &Path, stem: &str) -> Result<Vec<PathBuf>> {
    fonts();
    let failed = |e: PlotError| Error::Run(format!("drawing the chart {stem}: {}", e.0));
    let png = dir.join(format!("{stem}.png"));
    write_png(&png, figure.size(), render_bitmap(figure).map_err(failed)?)?;
    let svg = dir.join(format!("{stem}.svg"));
    let text = render_svg(figure).map_err(failed)?;
    std::fs::write(&svg, text).map_err(|e| Error::io(&svg, e))?;
    Ok(vec![png, svg])
}

/// The chart's pixels (RGB, rows from the top), drawn large and averaged down.
fn render_bitmap<F: Figure>(figure: &F) -> Drawn<Vec<u8>> {
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
fn render_svg<F: Figure>(figure: &F) -> Drawn<String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, figure.size()).into_drawing_area();
        figure.draw(&root, Scale(1))?;
        root.present()?;
    }
    Ok(text)
}

/// Averages each `k` x `k` block of an RGB image `k` times the size `(w, h)`.
fn downsample(large: &[u8], (w, h): (u32, u32), k: u32) -> Vec<u8> {
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

/// Writes RGB pixels as a PNG.
fn write_png(path: &Path, size: (u32, u32), pixels: Vec<u8>) -> Result<()> {
    let io = |e: String| Error::io(path, std::io::Error::other(e));
    let root = BitMapBackend::new(path, size).into_drawing_area();
    let image: BitMapElement<(i32, i32)> = BitMapElement::with_owned_buffer((0, 0), size, pixels)
        .ok_or_else(|| io("image buffer of the wrong size".into()))?;
    root.draw(&image).map_err(|e| io(e.to_string()))?;
    root.present().map_err(|e| io(e.to_string()))
}

// ---------------------------------------------------------------------------------------
// The page: title, subtitle, legend, footer.

/// The texts around a chart.
struct Header {
    /// Scenario title and run count: the first of these that fits the width.
    title: Vec<String>,
    /// What the chart shows and how to read it (wrapped to the width).
    subtitle: String,
    /// Where the numbers come from: version, scenario hash, seed.
    footer: String,
}

/// The symbol beside a legend label.
#[derive(Clone)]
enum Key {
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
struct Entry {
    key: Key,
    label: String,
}

fn entry(key: Key, label: impl Into<String>) -> Entry {
    Entry { key, label: label.into() }
}

fn text_width<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    text: &str,
    style: &TextStyle,
) -> Drawn<i32> {
    Ok(area.estimate_text_size(text, style)?.0 as i32)
}

/// `text` cut with an ellipsis to fit `width` pixels.
fn fit<DB: DrawingBackend>(area: &Area<DB>, text: &str, style: &TextStyle, width: i32) -> Drawn<String> {
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
fn first_fitting<DB: DrawingBackend>(
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
fn wrap<DB: DrawingBackend>(area: &Area<DB>, text: &str, style: &TextStyle, width: i32) -> Drawn<Vec<String>> {
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
fn draw_key<DB: DrawingBackend>(root: &Area<DB>, s: Scale, key: &Key, (x, y): (i32, i32)) -> Drawn {
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
fn draw_mark<DB: DrawingBackend>(root: &Area<DB>, s: Scale, at: (i32, i32), c: RGBColor, filled: bool) -> Drawn {
    if filled {
        root.draw(&Circle::new(at, s.px(5), c.filled()))?;
    } else {
        root.draw(&Circle::new(at, s.px(5), WHITE.filled()))?;
        root.draw(&Circle::new(at, s.px(5), s.stroke(c, 2)))?;
    }
    Ok(())
}

/// Draws the legend in rows from `(x0, y0)`, wrapping at `width`; returns the y below it.
fn draw_legend<DB: DrawingBackend>(
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
fn page<DB: DrawingBackend>(root: &Area<DB>, s: Scale, header: &Header, legend: &[Entry]) -> Drawn<Area<DB>> {
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

// ---------------------------------------------------------------------------------------
// Axes.

/// A numeric axis: its range and the ticks drawn, with their labels.
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<(f64, String)>,
}

impl Axis {
    /// An axis over `lo..hi` with about `target` round-numbered ticks, labelled by `label`
    /// (given the value and the number of decimals the tick step needs).
    fn numeric(lo: f64, hi: f64, target: usize, label: impl Fn(f64, usize) -> String) -> Axis {
        let (ticks, step) = nice_ticks(lo, hi, target);
        let exact = |d: i32| ((step * 10f64.powi(d)).round() - step * 10f64.powi(d)).abs() < 1e-6;
        let decimals = (0..6).find(|d| exact(*d)).unwrap_or(6) as usize;
        Axis { lo, hi, ticks: ticks.into_iter().map(|t| (t, label(t, decimals))).collect() }
    }

    /// A time axis over reporting dates: ticks at the dates (thinned when there are many),
    /// labelled by financial year, the baseline by its month.
    fn time(dates: &[String], baseline: Option<&str>) -> Axis {
        let (lo, hi) = extent(dates.iter().filter_map(|d| x_of(d))).unwrap_or((2025.0, 2030.0));
        let pad = ((hi - lo) * 0.03).max(2.0 / 12.0);
        let stride = dates.len().div_ceil(12).max(1);
        let ticks = dates
            .iter()
            .step_by(stride)
            .filter_map(|d| {
                let label = if Some(d.as_str()) == baseline { month_label(d) } else { financial_year_label(d) };
                Some((x_of(d)?, label))
            })
            .collect();
        Axis { lo: lo - pad, hi: hi + pad, ticks }
    }

    /// The label of the tick at `v`, or nothing.
    fn label(&self, v: f64) -> String {
        let tolerance = (self.hi - self.lo).abs() * 1e-9;
        self.ticks.iter().find(|(t, _)| (t - v).abs() <= tolerance).map(|(_, s)| s.clone()).unwrap_or_default()
    }

    fn coord(&self) -> Linear {
        Linear { lo: self.lo, hi: self.hi, ticks: self.ticks.iter().map(|(t, _)| *t).collect() }
    }

    /// The widest tick label, in backend pixels.
    fn label_width<DB: DrawingBackend>(&self, area: &Area<DB>, s: Scale) -> Drawn<i32> {
        let style = s.regular(15.0, INK, TOP_LEFT);
        self.ticks.iter().try_fold(0, |w, (_, t)| Ok(w.max(text_width(area, t, &style)?)))
    }
}

/// A linear plotters coordinate with the ticks of an [`Axis`] (and no minor ticks).
struct Linear {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Linear {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = if self.hi > self.lo { (value - self.lo) / (self.hi - self.lo) } else { 0.5 };
        limit.0 + (share * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// Round-numbered ticks in `lo..=hi`, as close to `target` of them as round steps allow, and
/// their step.
fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let span = (hi - lo).abs().max(1e-9);
    let magnitude = 10f64.powf((span / target.max(1) as f64).log10().floor());
    let misfit = |step: &f64| (span / step - target as f64).abs();
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|k| k * magnitude)
        .min_by(|a, b| misfit(a).total_cmp(&misfit(b)))
        .unwrap_or(magnitude);
    let first = (lo / step).ceil() as i64;
    let ticks = (0..).map(|i| (first + i) as f64 * step).take_while(|t| *t <= hi + step * 1e-9).collect();
    (ticks, step)
}

/// Smallest and largest of finite values.
fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// `lo..hi` widened by `frac` of its span at each end (or by a little when it is empty).
fn padded((lo, hi): (f64, f64), frac: f64) -> (f64, f64) {
    let span = hi - lo;
    if span <= 1e-9 * hi.abs().max(1.0) {
        let d = (hi.abs() * 0.05).max(1.0);
        (lo - d, hi + d)
    } else {
        (lo - span * frac, hi + span * frac)
    }
}

/// Builds a chart on `area` with the given axes, leaving `y_labels` backend pixels for the
/// y axis.
fn cartesian<'a, DB: DrawingBackend>(
    area: &Area<DB>,
    s: Scale,
    (x, y): (&Axis, &Axis),
    y_labels: i32,
) -> Drawn<Chart<'a, DB>> {
    Ok(ChartBuilder::on(area)
        .margin_top(s.px(10))
        .margin_right(s.px(20))
        .x_label_area_size(s.px(54))
        .y_label_area_size(y_labels.max(s.px(40)))
        .build_cartesian_2d(x.coord(), y.coord())?)
}

/// Which gridlines a chart has.
#[derive(Clone, Copy, PartialEq)]
enum Grid {
    /// Horizontal lines at the y ticks (time charts).
    Horizontal,
    /// Vertical lines at the x ticks (charts with a category per row).
    Vertical,
}

/// Draws the axes, tick labels, axis titles and gridlines.
fn axes<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    s: Scale,
    (x, y): (&Axis, &Axis),
    (x_desc, y_desc): (&str, &str),
    grid: Grid,
) -> Drawn {
    let fx = |v: &f64| x.label(*v);
    let fy = |v: &f64| y.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .label_style(s.regular(15.0, INK, TOP_LEFT))
        .axis_desc_style(s.regular(16.0, GREY, TOP_LEFT))
        .axis_style(s.stroke(AXIS, 1))
        .bold_line_style(s.stroke(RULE, 1))
        .light_line_style(TRANSPARENT)
        .set_all_tick_mark_size(s.px(5));
    if !x_desc.is_empty() {
        mesh.x_desc(x_desc);
    }
    if !y_desc.is_empty() {
        mesh.y_desc(y_desc);
    }
    match grid {
        Grid::Horizontal => mesh.disable_x_mesh(),
        Grid::Vertical => mesh.disable_y_mesh(),
    };
    mesh.draw()?;
    Ok(())
}

/// A horizontal line at y = 0 across the chart, labelled at its right end.
fn zero_line<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, s: Scale, x: &Axis, label: &str) -> Drawn {
    chart.draw_series(LineSeries::new(vec![(x.lo, 0.0), (x.hi, 0.0)], s.stroke(ZERO, 2)))?;
    let style = s.regular(14.0, ZERO, (HPos::Right, VPos::Bottom));
    let text = Text::new(label.to_string(), (-s.px(8), -s.px(5)), style);
    chart.plotting_area().draw(&(EmptyElement::at((x.hi, 0.0)) + text))?;
    Ok(())
}

/// A dashed vertical line at the baseline date, labelled `baseline` at its top (lower
/// down when the top row carries notes).
fn baseline_marker<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    s: Scale,
    x: f64,
    y: &Axis,
    below_notes: bool,
) -> Drawn {
    date_marker(chart, s, x, y, "baseline", s.px(if below_notes { 34 } else { 6 }))
}

/// A dashed vertical line at `x`, labelled `label` at its top right, `dy` pixels down.
fn date_marker<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    s: Scale,
    x: f64,
    y: &Axis,
    label: &str,
    dy: i32,
) -> Drawn {
    let line = DashedPathElement::new(vec![(x, y.lo), (x, y.hi)], s.px(6), s.px(5), s.stroke(AXIS, 2));
    chart.plotting_area().draw(&line)?;
    let style = s.regular(14.0, GREY, TOP_LEFT);
    chart.plotting_area().draw(&(EmptyElement::at((x, y.hi)) + Text::new(label.to_string(), (s.px(7), dy), style)))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Fans: a median line with 50% and 90% bands over the reporting dates.

/// One series drawn as a fan.
struct Fan {
    /// Legend label.
    label: String,
    colour: RGBColor,
    /// (x, percentiles 5, 25, 50, 75, 95) per date.
    points: Vec<(f64, [f64; 5])>,
    /// Whether to draw the 50% band (the 90% band is always drawn when runs differ).
    inner: bool,
}

impl Fan {
    /// A fan of the percentiles of `rows`, divided by `scale`.
    fn of(label: impl Into<String>, colour: RGBColor, rows: &[&Row], scale: f64, inner: bool) -> Fan {
        let points = rows
            .iter()
            .filter(|r| r.p.iter().all(|v| v.is_finite()))
            .filter_map(|r| Some((x_of(&r.date)?, r.p.map(|v| v / scale))))
            .collect();
        Fan { label: label.into(), colour, points, inner }
    }

    /// Whether runs differ anywhere (false in deterministic results: all percentiles equal).
    fn spread(&self) -> bool {
        self.points.iter().any(|(_, p)| (p[4] - p[0]).abs() > 1e-9 * p[2].abs().max(1.0))
    }

    /// The values drawn: the 90% band where runs differ, else the line.
    fn values(&self) -> Vec<f64> {
        let spread = self.spread();
        self.points.iter().flat_map(|(_, p)| if spread { vec![p[0], p[4]] } else { vec![p[2]] }).collect()
    }
}

/// Which part of a fan to draw: bands go under every median line, and where fans overlap
/// the edges of their 90% bands are drawn over all the bands so each can be followed.
#[derive(Clone, Copy, PartialEq)]
enum Layer {
    Bands,
    Edges,
    Median,
}

/// Draws one layer of a fan into a chart.
fn draw_fan<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, s: Scale, fan: &Fan, layer: Layer) -> Drawn {
    match layer {
        Layer::Bands if fan.spread() => {
            let mut bands = vec![(0, 4, ALPHA_90)];
            if fan.inner {
                bands.push((1, 3, ALPHA_50));
            }
            for (lo, hi, alpha) in bands {
                let mut outline: Vec<(f64, f64)> = fan.points.iter().map(|(x, p)| (*x, p[lo])).collect();
                outline.extend(fan.points.iter().rev().map(|(x, p)| (*x, p[hi])));
                chart.plotting_area().draw(&Polygon::new(outline, fan.colour.mix(alpha).filled()))?;
            }
        }
        Layer::Edges if fan.spread() => {
            for k in [0, 4] {
                let edge = fan.points.iter().map(|(x, p)| (*x, p[k]));
                chart.draw_series(LineSeries::new(edge, fan.colour.mix(0.55).stroke_width(s.px(1) as u32)))?;
            }
        }
        Layer::Bands | Layer::Edges => {}
        Layer::Median => {
            let line: Vec<(f64, f64)> = fan.points.iter().map(|(x, p)| (*x, p[2])).collect();
            chart.draw_series(LineSeries::new(line.clone(), s.stroke(fan.colour, 3)))?;
            chart.draw_series(line.into_iter().map(|xy| Circle::new(xy, s.px(4), fan.colour.filled())))?;
        }
    }
    Ok(())
}

/// A note written above a date at the top of a chart, in a long form and a short form for
/// when dates are close together.
struct Note {
    x: f64,
    long: String,
    short: String,
}

/// Draws notes in a row along the top of the chart, kept inside the plot.
fn draw_notes<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, s: Scale, notes: &[Note], y: &Axis) -> Drawn {
    if notes.is_empty() {
        return Ok(());
    }
    let style = s.bold(14.0, INK, (HPos::Center, VPos::Top));
    let (xs, _) = chart.plotting_area().get_pixel_range();
    let px: Vec<i32> = notes.iter().map(|n| chart.backend_coord(&(n.x, y.hi)).0 - xs.start).collect();
    let room = px.windows(2).map(|w| (w[1] - w[0]).abs()).min().unwrap_or(i32::MAX);
    let area = chart.plotting_area().strip_coord_spec();
    let mut widest = 0;
    for n in notes {
        widest = widest.max(text_width(&area, &n.long, &style)?);
    }
    let long = widest + s.px(14) <= room;
    for (n, x) in notes.iter().zip(px) {
        let text = if long { &n.long } else { &n.short };
        let half = text_width(&area, text, &style)? / 2 + s.px(4);
        let x = x.clamp(half, (xs.end - xs.start - half).max(half));
        area.draw_text(text, &style, (x, s.px(8)))?;
    }
    Ok(())
}

/// A chart of fans over the reporting dates (charts 1, 2, 5, 6 and 8).
struct FanChart {
    header: Header,
    legend: Vec<Entry>,
    /// Dates on the time axis.
    dates: Vec<String>,
    /// The baseline date, marked with a dashed line.
    baseline: Option<String>,
    y_desc: String,
    fans: Vec<Fan>,
    /// A zero line and its label.
    zero: Option<String>,
    /// Notes along the top.
    notes: Vec<Note>,
}

impl FanChart {
    fn y_axis(&self) -> Axis {
        let mut values: Vec<f64> = self.fans.iter().flat_map(Fan::values).collect();
        if self.zero.is_some() {
            values.push(0.0);
        }
        let (lo, hi) = padded(extent(values.into_iter()).unwrap_or((0.0, 1.0)), 0.06);
        let mut axis = Axis::numeric(lo, hi, 6, thousands);
        if !self.notes.is_empty() {
            // Room for the notes above the data, without ticks.
            axis.hi += (hi - lo) * 0.12;
        }
        axis
    }
}

impl Figure for FanChart {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn {
        let area = page(root, s, &self.header, &self.legend)?;
        let x = Axis::time(&self.dates, self.baseline.as_deref());
        let y = self.y_axis();
        let mut chart = cartesian(&area, s, (&x, &y), y.label_width(&area, s)? + s.px(50))?;
        let x_desc = if all_march(&self.dates) {
            "Position at 31 March, the end of each financial year"
        } else {
            "Position at the end of each month shown (financial years end on 31 March)"
        };
        axes(&mut chart, s, (&x, &y), (x_desc, &self.y_desc), Grid::Horizontal)?;
        if let Some(b) = self.baseline.as_deref().and_then(x_of) {
            baseline_marker(&mut chart, s, b, &y, !self.notes.is_empty())?;
        }
        for fan in &self.fans {
            draw_fan(&mut chart, s, fan, Layer::Bands)?;
        }
        if self.fans.len() > 1 {
            for fan in &self.fans {
                draw_fan(&mut chart, s, fan, Layer::Edges)?;
            }
        }
        if let Some(label) = &self.zero {
            zero_line(&mut chart, s, &x, label)?;
        }
        for fan in &self.fans {
            draw_fan(&mut chart, s, fan, Layer::Median)?;
        }
        draw_notes(&mut chart, s, &self.notes, &y)
    }
}

/// Legend entries for fans: one per fan, then what the shading means, in the colours of the
/// fans that have it.
fn fan_legend(fans: &[Fan]) -> Vec<Entry> {
    let mut out: Vec<Entry> = fans
        .iter()
        .map(|f| entry(if f.spread() && !f.inner { Key::Fan(f.colour) } else { Key::Line(f.colour) }, &f.label))
        .collect();
    let shaded: Vec<&Fan> = fans.iter().filter(|f| f.spread()).collect();
    if !shaded.is_empty() {
        let inner: Vec<RGBColor> = shaded.iter().filter(|f| f.inner).map(|f| f.colour).collect();
        if !inner.is_empty() {
            out.push(entry(Key::Band(inner, 1.0 - (1.0 - ALPHA_90) * (1.0 - ALPHA_50)), "middle 50% of runs"));
        }
        out.push(entry(Key::Band(shaded.iter().map(|f| f.colour).collect(), ALPHA_90), "90% of runs"));
    }
    out
}

/// How to read a fan chart's lines and shading, for its subtitle.
fn fan_reading(meta: &Meta, inner: bool) -> String {
    if is_deterministic(meta) {
        "Deterministic run: expected values, without uncertainty ranges.".into()
    } else if inner {
        format!("Lines: median of {}; shading: the middle 50% and 90% of runs.", runs_text(meta))
    } else {
        format!("Lines: median of {}; shading: 90% of runs.", runs_text(meta))
    }
}

// ---------------------------------------------------------------------------------------
// Scenario charts.

fn is_deterministic(meta: &Meta) -> bool {
    meta.mode == "deterministic"
}

/// `1,000 runs`, `1 run`.
fn runs_text(meta: &Meta) -> String {
    let n = meta.runs;
    format!("{} run{}", thousands(n as f64, 0), if n == 1 { "" } else { "s" })
}

fn display_title(meta: &Meta) -> &str {
    if meta.title.trim().is_empty() { &meta.scenario } else { &meta.title }
}

/// `<title> — 1,000 runs`, or `<title> (deterministic)`.
fn scenario_title(meta: &Meta) -> String {
    if is_deterministic(meta) {
        format!("{} (deterministic)", display_title(meta))
    } else {
        format!("{} — {}", display_title(meta), runs_text(meta))
    }
}

fn short_hash(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

fn file_name(path: &str) -> String {
    Path::new(path).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| path.to_string())
}

fn scenario_footer(meta: &Meta) -> String {
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

fn header(meta: &Meta, subtitle: String) -> Header {
    Header { title: vec![scenario_title(meta)], subtitle, footer: scenario_footer(meta) }
}

fn dates_of(rows: &[&Row]) -> Vec<String> {
    rows.iter().map(|r| r.date.clone()).collect()
}

/// Whether every date is a 31 March (the default reporting dates).
fn all_march(dates: &[String]) -> bool {
    dates.iter().all(|d| parse_month(d).is_some_and(|(_, m)| m == 3))
}

/// When the values of a time chart are taken, for its subtitle.
fn when(dates: &[String]) -> &'static str {
    if all_march(dates) { "at 31 March" } else { "at each date shown" }
}

/// Chart 1: demand and supply over time, England or one role.
fn supply_demand(results: &Results, role: Option<&str>) -> Option<FanChart> {
    let level = if role.is_some() { "role" } else { "total" };
    let demand = results.series(level, role, None, None, "demand_fte");
    let supply = results.series(level, role, None, None, "fte");
    if demand.is_empty() && supply.is_empty() {
        return None;
    }
    let meta = &results.meta;
    let fans = vec![
        Fan::of("Demand: funded posts", DEMAND, &demand, 1.0, true),
        Fan::of("Supply: staff in post", SUPPLY, &supply, 1.0, true),
    ];
    let whom = role.map_or("England, all roles".to_string(), |r| format!("{r}, England"));
    let dates = dates_of(if demand.is_empty() { &supply } else { &demand });
    let subtitle = format!("{whom}: demand and supply in FTE {}. {}", when(&dates), fan_reading(meta, true));
    Some(FanChart {
        header: header(meta, subtitle),
        legend: fan_legend(&fans),
        dates,
        baseline: Some(meta.start.clone()),
        y_desc: "FTE".into(),
        fans,
        zero: None,
        notes: Vec::new(),
    })
}

/// Chart 9: demand and supply per role family, one panel each, each on its own scale.
struct FamilyPanels {
    header: Header,
    legend: Vec<Entry>,
    /// Dates on the time axes.
    dates: Vec<String>,
    /// The baseline date, marked with a dashed line.
    baseline: Option<String>,
    /// Per family: its panel title and its demand and supply fans.
    panels: Vec<(String, Vec<Fan>)>,
}

/// Height of a row of family panels beyond the second, in pixels.
const PANEL_HEIGHT: u32 = 260;

fn supply_demand_families(results: &Results) -> Option<FamilyPanels> {
    let families = results.families();
    let members = results.family_members();
    let meta = &results.meta;
    let mut dates = Vec::new();
    let panels: Vec<(String, Vec<Fan>)> = families
        .iter()
        .map(|family| {
            let demand = results.series("family", Some(family), None, None, "demand_fte");
            let supply = results.series("family", Some(family), None, None, "fte");
            if dates.is_empty() {
                dates = dates_of(if demand.is_empty() { &supply } else { &demand });
            }
            let title = match members.iter().find(|(f, _)| f == family).map(|(_, r)| r.len()) {
                Some(n) => format!("{family} ({n} role{})", if n == 1 { "" } else { "s" }),
                None => family.clone(),
            };
            let fans = vec![
                Fan::of("Demand: funded posts", DEMAND, &demand, 1.0, true),
                Fan::of("Supply: staff in post", SUPPLY, &supply, 1.0, true),
            ];
            (title, fans)
        })
        .filter(|(_, fans)| fans.iter().any(|f| !f.points.is_empty()))
        .collect();
    let first = panels.first()?;
    let mapping = if results.families_are_builtin() {
        "DDaT Capability Framework families (wfcast's illustrative mapping of roles)"
    } else {
        "role family (the scenario's mapping of roles)"
    };
    let subtitle = format!(
        "England, by {mapping}: demand and supply in FTE {}; each panel has its own scale. {}",
        when(&dates),
        fan_reading(meta, true)
    );
    Some(FamilyPanels {
        header: header(meta, subtitle),
        legend: fan_legend(&first.1),
        dates,
        baseline: Some(meta.start.clone()),
        panels,
    })
}

impl FamilyPanels {
    /// Panels per row: two for up to four families, else three.
    fn columns(&self) -> usize {
        if self.panels.len() <= 4 { 2 } else { 3 }
    }
}

impl Figure for FamilyPanels {
    /// The usual size for up to two rows of panels (six families), then a row more each.
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.columns()) as u32;
        (WIDTH, HEIGHT + PANEL_HEIGHT * rows.saturating_sub(2))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn {
        let area = page(root, s, &self.header, &self.legend)?;
        let cols = self.columns();
        let rows = self.panels.len().div_ceil(cols);
        let cells = area.split_evenly((rows, cols));
        let title_style = s.bold(16.0, INK, TOP_LEFT);
        let tick_style = s.regular(15.0, INK, TOP_LEFT);
        for (cell, (title, fans)) in cells.iter().zip(&self.panels) {
            let (w, _) = cell.dim_in_pixel();
            cell.draw_text(&fit(cell, title, &title_style, w as i32 - s.px(16))?, &title_style, (s.px(12), s.px(4)))?;
            let plot = cell.margin(s.px(26), s.px(6), 0, s.px(4));
            let mut x = Axis::time(&self.dates, self.baseline.as_deref());
            let values: Vec<f64> = fans.iter().flat_map(Fan::values).collect();
            let (lo, hi) = padded(extent(values.into_iter()).unwrap_or((0.0, 1.0)), 0.08);
            let y = Axis::numeric(lo, hi, 4, thousands);
            let y_labels = y.label_width(&plot, s)? + s.px(14);
            // Thin the date labels to what the panel's width holds.
            let mut widest = 0;
            for (_, label) in &x.ticks {
                widest = widest.max(text_width(&plot, label, &tick_style)?);
            }
            let room = (plot.dim_in_pixel().0 as i32 - y_labels - s.px(30)).max(1);
            let stride = (x.ticks.len() * (widest + s.px(14)).max(1) as usize).div_ceil(room as usize).max(1);
            x.ticks = x.ticks.into_iter().step_by(stride).collect();
            let mut chart = cartesian(&plot, s, (&x, &y), y_labels)?;
            axes(&mut chart, s, (&x, &y), ("", ""), Grid::Horizontal)?;
            if let Some(b) = self.baseline.as_deref().and_then(x_of) {
                let line = DashedPathElement::new(vec![(b, y.lo), (b, y.hi)], s.px(6), s.px(5), s.stroke(AXIS, 2));
                chart.plotting_area().draw(&line)?;
            }
            for layer in [Layer::Bands, Layer::Edges, Layer::Median] {
                for fan in fans {
                    draw_fan(&mut chart, s, fan, layer)?;
                }
            }
        }
        Ok(())
    }
}

/// `83%`, with `<1%` and `>99%` so that a share that is not all or nothing never reads as one.
fn share(p: f64) -> String {
    if p <= 0.0 {
        "0%".into()
    } else if p >= 1.0 {
        "100%".into()
    } else if p < 0.01 {
        "<1%".into()
    } else if p > 0.99 {
        ">99%".into()
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

/// The share of runs in shortfall at each date after the baseline, as notes.
fn shortfall_notes(rows: &[&Row], meta: &Meta) -> Vec<Note> {
    rows.iter()
        .filter(|r| r.date != meta.start)
        .filter_map(|r| {
            let p = r.p_shortfall?;
            let (long, short) = if is_deterministic(meta) {
                let short = p > 0.5;
                (
                    (if short { "shortfall" } else { "no shortfall" }).into(),
                    (if short { "short" } else { "met" }).into(),
                )
            } else {
                (format!("{} of runs short", share(p)), share(p))
            };
            Some(Note { x: x_of(&r.date)?, long, short })
        })
        .collect()
}

/// Chart 2: the England gap with the share of runs in shortfall.
fn gap_total(results: &Results) -> Option<FanChart> {
    let rows = results.total("gap_fte");
    if rows.is_empty() {
        return None;
    }
    let meta = &results.meta;
    let fans = vec![Fan::of("Gap: demand minus supply", GAP, &rows, 1.0, true)];
    let labels = if is_deterministic(meta) {
        "Labels: whether demand exceeds supply."
    } else {
        "Labels: share of runs in which demand exceeds supply."
    };
    let subtitle = format!(
        "England, all roles: the gap between demand and supply in FTE {} (above 0 = shortfall). {} {labels}",
        when(&dates_of(&rows)),
        fan_reading(meta, true)
    );
    Some(FanChart {
        header: header(meta, subtitle),
        legend: fan_legend(&fans),
        dates: dates_of(&rows),
        baseline: Some(meta.start.clone()),
        y_desc: "FTE short (demand minus supply)".into(),
        notes: shortfall_notes(&rows, meta),
        fans,
        zero: Some("no gap".into()),
    })
}

/// Chart 5: the cost of staff in post, when pay was given.
fn cost(results: &Results) -> Option<FanChart> {
    let rows = results.total("cost_gbp");
    if rows.is_empty() {
        return None;
    }
    let meta = &results.meta;
    let fans = vec![Fan::of("Cost of staff in post", COST, &rows, 1e6, true)];
    let subtitle = format!(
        "England, all roles: yearly pay and on-costs of the staff in post {}, £ million. {}",
        when(&dates_of(&rows)),
        fan_reading(meta, true)
    );
    Some(FanChart {
        header: header(meta, subtitle),
        legend: fan_legend(&fans),
        dates: dates_of(&rows),
        baseline: Some(meta.start.clone()),
        y_desc: "£ million a year".into(),
        fans,
        zero: None,
        notes: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------
// Chart 3: the heatmap of the gap by role and band.

/// The gap at the last date as a share of demand, per role (rows) and band (columns).
struct Heatmap {
    header: Header,
    roles: Vec<String>,
    bands: Vec<&'static str>,
    /// Per role, per band: median gap / median demand, `None` where there is no demand.
    values: Vec<Vec<Option<f64>>>,
}

fn gap_heatmap(results: &Results) -> Option<Heatmap> {
    let cells: Vec<&Row> = results.rows.iter().filter(|r| r.level == "role_band").collect();
    let last = cells.iter().map(|r| r.date.as_str()).max()?.to_string();
    let at = |role: &str, band: &str, metric: &str| {
        cells.iter().find(|r| {
            r.date == last && r.metric == metric && r.role.as_deref() == Some(role) && r.band.as_deref() == Some(band)
        })
    };
    let mut roles: Vec<String> = Vec::new();
    for r in &cells {
        if let Some(role) = &r.role
            && !roles.contains(role)
        {
            roles.push(role.clone());
        }
    }
    let demand = |role: &str, band: &str| at(role, band, "demand_fte").map(|r| r.p[2]).filter(|d| *d > 0.0);
    let bands: Vec<&'static str> =
        Band::ALL.iter().map(|b| b.label()).filter(|b| roles.iter().any(|role| demand(role, b).is_some())).collect();
    if bands.is_empty() {
        return None;
    }
    let values = roles
        .iter()
        .map(|role| bands.iter().map(|b| Some(at(role, b, "gap_fte")?.p[2] / demand(role, b)?)).collect())
        .collect();
    let meta = &results.meta;
    let (gap, demand) = if is_deterministic(meta) { ("Gap", "demand") } else { ("Median gap", "median demand") };
    let subtitle = format!(
        "{gap} at {} as a share of {demand}, by role and Agenda for Change band. Red: shortfall; blue: surplus; \
         grey: no demand in that band.",
        month_label(&last),
    );
    Some(Heatmap { header: header(meta, subtitle), roles, bands, values })
}

/// The colour of a share `t` of the colour scale's limit (-1 surplus to 1 shortfall): a
/// diverging scale, blue through white to red (after ColorBrewer RdBu).
fn diverging(t: f64) -> RGBColor {
    const STOPS: [(f64, (u8, u8, u8)); 7] = [
        (-1.0, (0x21, 0x66, 0xAC)),
        (-0.6, (0x67, 0xA9, 0xCF)),
        (-0.25, (0xD1, 0xE5, 0xF0)),
        (0.0, (0xFF, 0xFF, 0xFF)),
        (0.25, (0xFD, 0xDB, 0xC7)),
        (0.6, (0xEF, 0x8A, 0x62)),
        (1.0, (0xB2, 0x18, 0x2B)),
    ];
    let t = if t.is_finite() { t.clamp(-1.0, 1.0) } else { 0.0 };
    let i = STOPS.windows(2).position(|w| t <= w[1].0).unwrap_or(STOPS.len() - 2);
    let ((t0, a), (t1, b)) = (STOPS[i], STOPS[i + 1]);
    let f = if t1 > t0 { (t - t0) / (t1 - t0) } else { 0.0 };
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// `12%`, `−3%`.
fn percent(v: f64) -> String {
    let r = (v * 100.0).round();
    if r == 0.0 {
        "0%".into()
    } else if r < 0.0 {
        format!("−{}%", -r)
    } else {
        format!("{r}%")
    }
}

impl Heatmap {
    /// The share mapped to the strongest colours: nine values in ten (by size) lie within it,
    /// rounded up to a step of the key, at least 10% and at most 100%. Larger values take the
    /// strongest colour; every cell has its value written in it.
    fn limit(&self) -> f64 {
        let mut sizes: Vec<f64> = self.values.iter().flatten().flatten().map(|v| v.abs()).collect();
        sizes.sort_by(f64::total_cmp);
        let p90 = sizes.get((sizes.len() * 9).div_ceil(10).saturating_sub(1)).copied().unwrap_or(0.0);
        [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0].into_iter().find(|l| *l >= p90 - 1e-12).unwrap_or(1.0)
    }

    /// Whether some value lies beyond the colour scale.
    fn clipped(&self) -> bool {
        let limit = self.limit();
        self.values.iter().flatten().flatten().any(|v| v.abs() > limit + 1e-12)
    }

    /// Draws the colour key: a vertical scale from shortfall (top) to surplus, and the grey
    /// of cells without demand.
    fn draw_key<DB: DrawingBackend>(&self, area: &Area<DB>, s: Scale, (x, y): (i32, i32), height: i32) -> Drawn {
        let limit = self.limit();
        area.draw_text("Gap as % of demand", &s.bold(14.0, INK, TOP_LEFT), (x, y))?;
        let (top, bottom, w) = (y + s.px(30), y + s.px(30) + height, s.px(22));
        let steps = 64;
        for i in 0..steps {
            let y0 = top + (bottom - top) * i / steps;
            let y1 = top + (bottom - top) * (i + 1) / steps;
            let t = 1.0 - 2.0 * (i as f64 + 0.5) / steps as f64;
            area.draw(&Rectangle::new([(x, y0), (x + w, y1)], diverging(t).filled()))?;
        }
        area.draw(&Rectangle::new([(x, top), (x + w, bottom)], s.stroke(AXIS, 1)))?;
        let label = s.regular(14.0, INK, (HPos::Left, VPos::Center));
        let beyond = if self.clipped() { " or more" } else { "" };
        let marks = [
            (1.0, format!("{}{beyond} short", percent(limit))),
            (0.5, percent(limit / 2.0)),
            (0.0, "0%".to_string()),
            (-0.5, percent(-limit / 2.0)),
            (-1.0, format!("{}{beyond} surplus", percent(limit))),
        ];
        for (t, text) in marks {
            let ty = top + ((1.0 - t) / 2.0 * (bottom - top) as f64).round() as i32;
            area.draw(&PathElement::new(vec![(x + w, ty), (x + w + s.px(6), ty)], s.stroke(AXIS, 1)))?;
            area.draw_text(&text, &label, (x + w + s.px(10), ty))?;
        }
        let no = bottom + s.px(26);
        area.draw(&Rectangle::new([(x, no), (x + w, no + s.px(16))], EMPTY.filled()))?;
        area.draw_text("no demand", &label, (x + w + s.px(10), no + s.px(8)))?;
        Ok(())
    }
}

impl Figure for Heatmap {
    fn size(&self) -> (u32, u32) {
        (WIDTH, (200 + 36 * self.roles.len() as u32).max(SHORTEST))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn {
        let area = page(root, s, &self.header, &[])?;
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let name = s.regular(15.0, INK, (HPos::Right, VPos::Center));
        let names: Vec<String> = self.roles.iter().map(|r| fit(&area, r, &name, w * 2 / 5)).collect::<Drawn<_>>()?;
        let mut label_w = 0;
        for n in &names {
            label_w = label_w.max(text_width(&area, n, &name)?);
        }
        let label_w = label_w + s.px(22);
        let (head, key_w) = (s.px(54), s.px(200));
        let cols = self.bands.len() as i32;
        let cell_w = ((w - label_w - key_w) / cols).min(s.px(96));
        let cell_h = ((h - head - s.px(8)) / self.roles.len().max(1) as i32).clamp(s.px(16), s.px(36));
        let caption = s.bold(15.0, INK, (HPos::Center, VPos::Top));
        area.draw_text("Agenda for Change band", &caption, (label_w + cols * cell_w / 2, 0))?;
        let column = s.bold(15.0, INK, (HPos::Center, VPos::Bottom));
        for (j, band) in self.bands.iter().enumerate() {
            area.draw_text(band, &column, (label_w + j as i32 * cell_w + cell_w / 2, head - s.px(8)))?;
        }
        let limit = self.limit();
        for (i, (role, row)) in names.iter().zip(&self.values).enumerate() {
            let y0 = head + i as i32 * cell_h;
            area.draw_text(role, &name, (label_w - s.px(12), y0 + cell_h / 2))?;
            for (j, value) in row.iter().enumerate() {
                let x0 = label_w + j as i32 * cell_w;
                let fill = value.map_or(EMPTY, |v| diverging(v / limit));
                let cell = [(x0 + s.px(1), y0 + s.px(1)), (x0 + cell_w - s.px(1), y0 + cell_h - s.px(1))];
                area.draw(&Rectangle::new(cell, fill.filled()))?;
                if let Some(v) = value {
                    let ink = if (v / limit).abs() > 0.62 { WHITE } else { INK };
                    let style = s.regular(14.0, ink, (HPos::Center, VPos::Center));
                    area.draw_text(&percent(*v), &style, (x0 + cell_w / 2, y0 + cell_h / 2))?;
                }
            }
        }
        let key_h = (self.roles.len() as i32 * cell_h - s.px(120)).clamp(s.px(120), s.px(360));
        self.draw_key(&area, s, (label_w + cols * cell_w + s.px(36), head), key_h)
    }
}

// ---------------------------------------------------------------------------------------
// Chart 4: joiners by route and leavers, year by year.

/// Mean joiners per route and leavers over each year to a reporting date.
struct Flows {
    header: Header,
    legend: Vec<Entry>,
    /// Reporting dates after the baseline: the end of each year of flows.
    years: Vec<String>,
    routes: Vec<(String, RGBColor)>,
    /// Per year, per route.
    joiners: Vec<Vec<f64>>,
    leavers: Vec<f64>,
}

fn flows(results: &Results) -> Option<Flows> {
    let meta = &results.meta;
    let mut routes: Vec<String> = meta.routes.clone();
    if routes.is_empty() {
        for r in results.rows.iter().filter(|r| r.level == "total") {
            if let Some(route) = r.metric.strip_prefix("joiners:")
                && !routes.iter().any(|x| x == route)
            {
                routes.push(route.to_string());
            }
        }
    }
    let years: Vec<String> =
        results.total("leavers").iter().map(|r| r.date.clone()).filter(|d| *d != meta.start).collect();
    if years.is_empty() {
        return None;
    }
    let mean_at = |metric: &str, date: &str| {
        let row = results.total(metric).into_iter().find(|r| r.date == date);
        row.map_or(0.0, |r| if r.mean.is_finite() { r.mean } else { 0.0 })
    };
    let joiners =
        years.iter().map(|d| routes.iter().map(|route| mean_at(&format!("joiners:{route}"), d)).collect()).collect();
    let leavers = years.iter().map(|d| mean_at("leavers", d)).collect();
    let routes: Vec<(String, RGBColor)> =
        routes.into_iter().enumerate().map(|(i, r)| (r, PALETTE[i % PALETTE.len()])).collect();
    let mut legend = vec![entry(Key::Block(LEAVERS), "Leavers"), entry(Key::Heading, "Joiners by route:")];
    legend.extend(routes.iter().map(|(r, c)| entry(Key::Block(*c), r)));
    let subtitle = format!(
        "England, all roles: people joining by supply route (left bar) and leaving the NHS (right bar, grey) over \
         each financial year; {}, headcount.",
        if is_deterministic(meta) { "expected values" } else { "means of runs" }
    );
    Some(Flows { header: header(meta, subtitle), legend, years, routes, joiners, leavers })
}

impl Figure for Flows {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn {
        let area = page(root, s, &self.header, &self.legend)?;
        let ticks = self.years.iter().enumerate().map(|(i, d)| (i as f64 + 0.5, financial_year_label(d))).collect();
        let x = Axis { lo: 0.0, hi: self.years.len() as f64, ticks };
        let totals = self.joiners.iter().map(|j| j.iter().sum::<f64>());
        let top = totals.chain(self.leavers.iter().copied()).fold(0.0f64, f64::max).max(1.0);
        let y = Axis::numeric(0.0, top * 1.1, 6, thousands);
        let mut chart = cartesian(&area, s, (&x, &y), y.label_width(&area, s)? + s.px(50))?;
        axes(&mut chart, s, (&x, &y), ("Financial year", "People a year"), Grid::Horizontal)?;
        let total_style = s.regular(14.0, INK, (HPos::Center, VPos::Bottom));
        for (i, (joined, left)) in self.joiners.iter().zip(&self.leavers).enumerate() {
            let i = i as f64;
            let (a, b, c, d) = (i + 0.14, i + 0.49, i + 0.51, i + 0.86);
            let mut base = 0.0;
            for (v, (_, colour)) in joined.iter().zip(&self.routes) {
                if *v > 0.0 {
                    chart.plotting_area().draw(&Rectangle::new([(a, base), (b, base + v)], colour.filled()))?;
                    base += v;
                }
            }
            chart.plotting_area().draw(&Rectangle::new([(c, 0.0), (d, *left)], LEAVERS.filled()))?;
            for (mid, v) in [((a + b) / 2.0, base), ((c + d) / 2.0, *left)] {
                let label = Text::new(thousands(v, 0), (0, -s.px(5)), total_style.clone());
                chart.plotting_area().draw(&(EmptyElement::at((mid, v)) + label))?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Comparison charts.

/// The rows of one scenario's series in a comparison, in date order.
fn scenario_rows<'a>(
    c: &'a Comparison,
    scenario: &str,
    level: &str,
    role: Option<&str>,
    metric: &str,
) -> Vec<&'a ComparisonRow> {
    let mut rows: Vec<&ComparisonRow> = c
        .rows
        .iter()
        .filter(|r| {
            r.scenario == scenario && r.row.level == level && r.row.metric == metric && r.row.role.as_deref() == role
        })
        .filter(|r| r.row.band.is_none() && r.row.region.is_none())
        .collect();
    rows.sort_by(|a, b| a.row.date.cmp(&b.row.date));
    rows
}

/// `1,000 runs each`, `(deterministic)`, or each scenario's count.
fn comparison_runs(c: &Comparison) -> String {
    if c.scenarios.iter().all(is_deterministic) {
        return "(deterministic)".into();
    }
    let counts: Vec<String> = c.scenarios.iter().map(runs_text).collect();
    if counts.windows(2).all(|w| w[0] == w[1]) {
        format!("{} each", counts.first().cloned().unwrap_or_default())
    } else {
        counts.join(" / ")
    }
}

/// A comparison title: `<subject> — <runs>` where the subject names the scenarios.
fn comparison_header(c: &Comparison, subject: &[String], subtitle: String) -> Header {
    let runs = comparison_runs(c);
    let sep = if runs.starts_with('(') { " " } else { " — " };
    let title = subject.iter().map(|s| format!("{s}{sep}{runs}")).collect();
    let mut versions: Vec<&str> = c.scenarios.iter().map(|m| m.version.as_str()).collect();
    versions.dedup();
    let mut seeds: Vec<String> = c.scenarios.iter().map(|m| m.seed.to_string()).collect();
    seeds.dedup();
    let files: Vec<String> = c
        .scenarios
        .iter()
        .map(|m| format!("{} (sha256 {})", file_name(&m.file), m.sha256.get(..8).unwrap_or(&m.sha256)))
        .collect();
    let common = if seeds.len() == 1 { " · same random numbers in every scenario" } else { "" };
    let footer = format!(
        "wfcast {} · seed{} {} · scenarios {}{common}",
        versions.join(", "),
        if seeds.len() == 1 { "" } else { "s" },
        seeds.join(", "),
        files.join(", ")
    );
    Header { title, subtitle, footer }
}

fn titles(c: &Comparison) -> Vec<&str> {
    c.scenarios.iter().map(display_title).collect()
}

fn compare_subjects(c: &Comparison) -> Vec<String> {
    vec![titles(c).join(" vs "), format!("Comparison of {} scenarios", c.scenarios.len())]
}

/// Chart 6: every scenario's England gap, overlaid.
fn compare_gap(c: &Comparison) -> Option<FanChart> {
    let first = c.scenarios.first()?;
    let fans: Vec<Fan> = c
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let rows: Vec<&Row> =
                scenario_rows(c, &m.scenario, "total", None, "gap_fte").into_iter().map(|r| &r.row).collect();
            Fan::of(display_title(m), PALETTE[i % PALETTE.len()], &rows, 1.0, false)
        })
        .filter(|f| !f.points.is_empty())
        .collect();
    let first_rows = scenario_rows(c, &first.scenario, "total", None, "gap_fte");
    if fans.is_empty() || first_rows.is_empty() {
        return None;
    }
    let dates: Vec<String> = first_rows.iter().map(|r| r.row.date.clone()).collect();
    let subtitle = format!(
        "England, all roles: the gap between demand and supply in FTE {} (above 0 = shortfall). {}",
        when(&dates),
        fan_reading(first, false)
    );
    Some(FanChart {
        header: comparison_header(c, &compare_subjects(c), subtitle),
        legend: fan_legend(&fans),
        dates,
        baseline: Some(first.start.clone()),
        y_desc: "FTE short (demand minus supply)".into(),
        fans,
        zero: Some("no gap".into()),
        notes: Vec::new(),
    })
}

/// Chart 8: each later scenario's per-run difference in the England gap from the first.
fn compare_difference(c: &Comparison) -> Option<FanChart> {
    let first = c.scenarios.first()?;
    let others = c.scenarios.len().saturating_sub(1);
    let fans: Vec<Fan> = c
        .scenarios
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(i, m)| {
            let rows = scenario_rows(c, &m.scenario, "total", None, "gap_fte");
            let points: Vec<(f64, [f64; 5])> = rows
                .iter()
                .filter_map(|r| Some((x_of(&r.row.date)?, r.diff.as_ref()?.p)))
                .filter(|(_, p)| p.iter().all(|v| v.is_finite()))
                .collect();
            if points.is_empty() {
                return None;
            }
            let last = rows.iter().rev().find_map(|r| Some((r.row.date.as_str(), r.diff.as_ref()?.p_gap_smaller?)));
            let label = match last {
                Some((date, p)) if !is_deterministic(m) => {
                    format!("{}: gap smaller in {} of runs at {}", display_title(m), share(p), month_label(date))
                }
                _ => display_title(m).to_string(),
            };
            Some(Fan { label, colour: PALETTE[i % PALETTE.len()], points, inner: others == 1 })
        })
        .collect();
    if fans.is_empty() {
        return None;
    }
    let mut dates: Vec<String> = c
        .rows
        .iter()
        .filter(|r| r.diff.is_some() && r.row.level == "total" && r.row.metric == "gap_fte")
        .map(|r| r.row.date.clone())
        .collect();
    dates.sort();
    dates.dedup();
    let first_title = display_title(first);
    let others_titles = titles(c)[1..].join(", ");
    let subjects =
        vec![format!("{others_titles}: difference from {first_title}"), format!("Difference from {first_title}")];
    let subtitle = format!(
        "England, all roles: each run's gap minus the same run's gap in {first_title} (same random numbers), FTE; \
         below 0 = a smaller gap. {}",
        fan_reading(&c.scenarios[1], others == 1)
    );
    Some(FanChart {
        header: comparison_header(c, &subjects, subtitle),
        legend: fan_legend(&fans),
        dates,
        baseline: Some(first.start.clone()),
        y_desc: "Difference in FTE short".into(),
        fans,
        zero: Some("no difference".into()),
        notes: Vec::new(),
    })
}

/// The stem of the chart of each region's gap at the last date.
pub const GAP_BY_REGION_CHART: &str = "gap_by_region";

/// Each region's gap at the last date (median and 90% interval), regions in order of their
/// median gap, largest first; drawn as the comparison's gaps by role are, with one scenario.
fn gap_by_region(results: &Results) -> Option<RoleGaps> {
    let meta = &results.meta;
    let rows: Vec<&Row> = results.rows.iter().filter(|r| r.level == "region" && r.metric == "gap_fte").collect();
    let date = rows.iter().map(|r| r.date.as_str()).max()?.to_string();
    let mut regions: Vec<(String, [f64; 5])> =
        rows.iter().filter(|r| r.date == date).filter_map(|r| Some((r.region.clone()?, r.p))).collect();
    if regions.is_empty() {
        return None;
    }
    regions.sort_by(|a, b| b.1[2].total_cmp(&a.1[2]));
    let reading =
        if is_deterministic(meta) { "dots: expected values (deterministic)" } else { "dot: median; line: 90% of runs" };
    let subtitle = format!(
        "Gap between demand and supply at {} by region, FTE (above 0 = shortfall); {reading}. Regions in order of \
         the gap.",
        month_label(&date)
    );
    Some(RoleGaps {
        header: header(meta, subtitle),
        legend: vec![entry(Key::Dot(GAP), "Gap")],
        date,
        roles: regions.iter().map(|(r, _)| r.clone()).collect(),
        colours: vec![GAP],
        values: regions.iter().map(|(_, p)| vec![Some(*p)]).collect(),
    })
}

/// Chart 7: each role's gap at the last date, scenario by scenario.
struct RoleGaps {
    header: Header,
    legend: Vec<Entry>,
    /// The date of the gaps, `YYYY-MM`.
    date: String,
    roles: Vec<String>,
    colours: Vec<RGBColor>,
    /// Per role, per scenario: percentiles of the gap.
    values: Vec<Vec<Option<[f64; 5]>>>,
}

fn compare_gap_by_role(c: &Comparison) -> Option<RoleGaps> {
    let first = c.scenarios.first()?;
    let role_rows: Vec<&ComparisonRow> =
        c.rows.iter().filter(|r| r.row.level == "role" && r.row.metric == "gap_fte").collect();
    let date = role_rows.iter().map(|r| r.row.date.as_str()).max()?.to_string();
    let mut roles: Vec<String> = Vec::new();
    for r in &role_rows {
        if let Some(role) = &r.row.role
            && !roles.contains(role)
        {
            roles.push(role.clone());
        }
    }
    let at = |scenario: &str, role: &str| {
        role_rows
            .iter()
            .find(|r| r.scenario == scenario && r.row.date == date && r.row.role.as_deref() == Some(role))
            .map(|r| r.row.p)
    };
    let median = |role: &str| at(&first.scenario, role).map_or(f64::NEG_INFINITY, |p| p[2]);
    roles.sort_by(|a, b| median(b).total_cmp(&median(a)));
    let values = roles.iter().map(|role| c.scenarios.iter().map(|m| at(&m.scenario, role)).collect()).collect();
    let colours: Vec<RGBColor> = (0..c.scenarios.len()).map(|i| PALETTE[i % PALETTE.len()]).collect();
    let legend = c.scenarios.iter().zip(&colours).map(|(m, col)| entry(Key::Dot(*col), display_title(m))).collect();
    let reading = if c.scenarios.iter().all(is_deterministic) {
        "dots: expected values (deterministic)".to_string()
    } else {
        "dot: median; line: 90% of runs".to_string()
    };
    let subtitle = format!(
        "Gap between demand and supply at {} by role, FTE (above 0 = shortfall); {reading}. Roles in order of \
         the gap in {}.",
        month_label(&date),
        display_title(first)
    );
    Some(RoleGaps {
        header: comparison_header(c, &compare_subjects(c), subtitle),
        legend,
        date,
        roles,
        colours,
        values,
    })
}

impl RoleGaps {
    /// Height of one role's row, in pixels.
    fn row_height(&self) -> u32 {
        14 * self.colours.len() as u32 + 14
    }
}

impl Figure for RoleGaps {
    fn size(&self) -> (u32, u32) {
        (WIDTH, (230 + self.row_height() * self.roles.len() as u32).max(SHORTEST))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn {
        let area = page(root, s, &self.header, &self.legend)?;
        let n = self.roles.len() as f64;
        let spread = self.values.iter().flatten().flatten().flat_map(|p| [p[0], p[4]]);
        let (lo, hi) = padded(extent(spread.chain([0.0])).unwrap_or((0.0, 1.0)), 0.05);
        let x = Axis::numeric(lo, hi, 8, thousands);
        let name = s.regular(15.0, INK, TOP_LEFT);
        let (w, _) = area.dim_in_pixel();
        let mut labels = Vec::new();
        for (i, role) in self.roles.iter().enumerate() {
            labels.push((n - i as f64 - 0.5, fit(&area, role, &name, w as i32 * 2 / 5)?));
        }
        let y = Axis { lo: 0.0, hi: n.max(1.0), ticks: labels };
        let mut chart = cartesian(&area, s, (&x, &y), y.label_width(&area, s)? + s.px(18))?;
        for i in (0..self.roles.len()).step_by(2) {
            let top = n - i as f64;
            chart.plotting_area().draw(&Rectangle::new([(x.lo, top - 1.0), (x.hi, top)], STRIPE.filled()))?;
        }
        let x_desc = format!("Gap at {}, FTE (above 0 = shortfall)", month_label(&self.date));
        axes(&mut chart, s, (&x, &y), (&x_desc, ""), Grid::Vertical)?;
        chart.draw_series(LineSeries::new(vec![(0.0, 0.0), (0.0, n)], s.stroke(ZERO, 2)))?;
        let k = self.colours.len() as f64;
        for (i, row) in self.values.iter().enumerate() {
            for (j, (p, colour)) in row.iter().zip(&self.colours).enumerate() {
                let Some(p) = p else { continue };
                let yy = n - i as f64 - (j as f64 + 1.0) / (k + 1.0);
                if (p[4] - p[0]).abs() > 1e-9 * p[2].abs().max(1.0) {
                    let whisker = PathElement::new(vec![(p[0], yy), (p[4], yy)], s.stroke(*colour, 2));
                    chart.plotting_area().draw(&whisker)?;
                    for end in [p[0], p[4]] {
                        let cap = PathElement::new(vec![(0, -s.px(5)), (0, s.px(5))], s.stroke(*colour, 2));
                        chart.plotting_area().draw(&(EmptyElement::at((end, yy)) + cap))?;
                    }
                }
                chart.plotting_area().draw(&Circle::new((p[2], yy), s.px(5), colour.filled()))?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Backtest charts: the forecast from the training date against the snapshots held out.

/// Writes the charts of a backtest into `dir` (created when missing), as PNG and SVG:
/// `backtest_total` and `backtest_<role>` for each role (see [`backtest_stem`]), each the
/// forecast fan from the training date against staff in post at every snapshot, with the two
/// benchmarks. Returns the files written.
pub fn write_backtest_charts(results: &BacktestResults, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut files = Vec::new();
    for series in results.series() {
        if let Some(chart) = backtest_chart(results, series) {
            files.extend(save(&chart, dir, &backtest_stem(series))?);
        }
    }
    Ok(files)
}

/// The file stem of a backtest series' chart: `backtest_total` for [`TOTAL`], else
/// `backtest_<slug(role)>`.
pub fn backtest_stem(series: &str) -> String {
    if series == TOTAL { "backtest_total".into() } else { format!("backtest_{}", slug(series)) }
}

/// The colour of the no-change benchmark.
const NAIVE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// The colour of the linear-trend benchmark.
const TREND: RGBColor = RGBColor(0x00, 0x9E, 0x73);

/// A month's position on a time axis, in years (as [`x_of`] of its `YYYY-MM`).
fn month_x(m: Month) -> f64 {
    m.0 as f64 / 12.0
}

/// A MAPE as `2.1%` (a dash when there is none).
fn mape_text(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{}%", thousands(v, 1)),
        _ => "–".into(),
    }
}

/// A method's name in a sentence: `wfcast`, `no change`, `linear trend`.
fn method_word(m: Method) -> &'static str {
    if m == Method::Wfcast { "wfcast" } else { m.label() }
}

/// One series of a backtest: the forecast fan and the benchmarks from the training date,
/// against staff in post at every snapshot.
struct BacktestChart {
    header: Header,
    legend: Vec<Entry>,
    /// Every snapshot date, for the time axis.
    dates: Vec<String>,
    /// The training date, `YYYY-MM`, and its position.
    train: Option<(String, f64)>,
    /// Staff in post: (x, headcount, held out).
    actuals: Vec<(f64, f64, bool)>,
    /// The model's percentiles, starting at the last training actual.
    fan: Fan,
    /// The benchmarks' forecasts: no change (from the training date) and the linear trend.
    naive: Vec<(f64, f64)>,
    trend: Vec<(f64, f64)>,
}

fn backtest_chart(results: &BacktestResults, series: &str) -> Option<BacktestChart> {
    let meta = &results.meta;
    let actuals: Vec<&Actual> = results.actuals.iter().filter(|a| a.series == series && a.value.is_finite()).collect();
    let mut points: Vec<&Point> = results.points.iter().filter(|p| p.series == series).collect();
    points.sort_by_key(|p| p.date);
    if actuals.is_empty() && points.is_empty() {
        return None;
    }
    let train = Month::parse(&meta.train_until);
    let start = train.and_then(|t| actuals.iter().find(|a| a.date == t)).map(|a| (month_x(a.date), a.value));
    let held_out = |d: Month| train.is_some_and(|t| d > t);
    let finite = |p: &&&Point| p.p.iter().all(|v| v.is_finite());
    let fan_points = start
        .map(|(x, v)| (x, [v; 5]))
        .into_iter()
        .chain(points.iter().filter(finite).map(|p| (month_x(p.date), p.p)))
        .collect();
    let fan = Fan { label: Method::Wfcast.label().into(), colour: SUPPLY, points: fan_points, inner: true };
    let naive = start
        .into_iter()
        .chain(points.iter().filter(|p| p.naive.is_finite()).map(|p| (month_x(p.date), p.naive)))
        .collect();
    let trend = points.iter().filter(|p| p.trend.is_finite()).map(|p| (month_x(p.date), p.trend)).collect();
    let mut dates: Vec<Month> = actuals.iter().map(|a| a.date).chain(points.iter().map(|p| p.date)).collect();
    dates.sort();
    dates.dedup();

    let mut legend = fan_legend(std::slice::from_ref(&fan));
    legend.push(entry(Key::Dash(NAIVE), Method::Naive.label()));
    legend.push(entry(Key::Dash(TREND), Method::Trend.label()));
    legend.push(entry(Key::Mark(INK, true), "actual: training snapshot"));
    legend.push(entry(Key::Mark(INK, false), "actual: held out"));

    let who = if series == TOTAL { format!("{TOTAL} (all roles)") } else { series.to_string() };
    let trained = train.map(|t| month_label(&t.to_string())).unwrap_or_else(|| meta.train_until.clone());
    let runs = format!("{} run{}", thousands(meta.runs as f64, 0), if meta.runs == 1 { "" } else { "s" });
    let title = vec![
        format!("Backtest: {who} — trained to {trained}, {runs}"),
        format!("Backtest: {who} — {runs}"),
        format!("Backtest: {who}"),
    ];
    let scores: Vec<String> = Method::ALL
        .iter()
        .map(|&m| format!("{} {}", method_word(m), mape_text(results.score(series, m).map(|s| s.mape))))
        .collect();
    let n = points.len();
    let subtitle = format!(
        "{who}: staff in post (headcount) at each snapshot. wfcast was calibrated on the snapshots to {trained} \
         (shaded) and forecast the {n} held out; line: median of {runs}; shading: the middle 50% and 90% of runs; \
         dashed: the benchmarks. MAPE over the held-out snapshot{}: {}.",
        if n == 1 { "" } else { "s" },
        scores.join(", ")
    );
    let short = |h: &str| h.get(..12).unwrap_or(h).to_string();
    let mut files = format!("history {} (sha256 {})", file_name(&meta.history.path), short(&meta.history.sha256));
    if let Some(f) = &meta.flows {
        files.push_str(&format!(" · flows {} (sha256 {})", file_name(&f.path), short(&f.sha256)));
    }
    let footer = format!(
        "wfcast {} · {files} · seed {} · {} · rates {}",
        meta.version,
        meta.seed,
        runs.replace("run", "stochastic run"),
        if meta.by_region { "by region" } else { "summed over regions" }
    );
    Some(BacktestChart {
        header: Header { title, subtitle, footer },
        legend,
        dates: dates.iter().map(Month::to_string).collect(),
        train: train.map(|t| (t.to_string(), month_x(t))),
        actuals: actuals.iter().map(|a| (month_x(a.date), a.value, held_out(a.date))).collect(),
        fan,
        naive,
        trend,
    })
}

impl BacktestChart {
    fn y_axis(&self) -> Axis {
        let values = self
            .fan
            .values()
            .into_iter()
            .chain(self.actuals.iter().map(|a| a.1))
            .chain(self.naive.iter().chain(&self.trend).map(|p| p.1));
        let (lo, hi) = padded(extent(values).unwrap_or((0.0, 1.0)), 0.06);
        let mut axis = Axis::numeric(lo, hi, 6, thousands);
        // Room for the labels of the training period above the data.
        axis.hi += (hi - lo) * 0.08;
        axis
    }
}

impl Figure for BacktestChart {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn {
        let area = page(root, s, &self.header, &self.legend)?;
        let x = Axis::time(&self.dates, self.train.as_ref().map(|t| t.0.as_str()));
        let y = self.y_axis();
        let mut chart = cartesian(&area, s, (&x, &y), y.label_width(&area, s)? + s.px(50))?;
        if let Some((_, t)) = self.train {
            chart.plotting_area().draw(&Rectangle::new([(x.lo, y.lo), (t, y.hi)], STRIPE.filled()))?;
        }
        let x_desc = if all_march(&self.dates) {
            "Snapshot at 31 March, the end of each financial year"
        } else {
            "Snapshot at the end of each month shown (financial years end on 31 March)"
        };
        axes(&mut chart, s, (&x, &y), (x_desc, "Staff in post (headcount)"), Grid::Horizontal)?;
        if let Some((_, t)) = self.train {
            date_marker(&mut chart, s, t, &y, "held out", s.px(6))?;
            let style = s.regular(14.0, GREY, (HPos::Right, VPos::Top));
            let label = Text::new("training", (-s.px(7), s.px(6)), style);
            chart.plotting_area().draw(&(EmptyElement::at((t, y.hi)) + label))?;
        }
        draw_fan(&mut chart, s, &self.fan, Layer::Bands)?;
        let actual_line: Vec<(f64, f64)> = self.actuals.iter().map(|a| (a.0, a.1)).collect();
        chart.draw_series(LineSeries::new(actual_line, INK.mix(0.45).stroke_width(s.px(1) as u32)))?;
        for (line, colour) in [(&self.naive, NAIVE), (&self.trend, TREND)] {
            if line.len() > 1 {
                let dashed = DashedPathElement::new(line.clone(), s.px(9), s.px(6), s.stroke(colour, 3));
                chart.plotting_area().draw(&dashed)?;
            }
            chart.draw_series(line.iter().map(|xy| Circle::new(*xy, s.px(4), colour.filled())))?;
        }
        draw_fan(&mut chart, s, &self.fan, Layer::Median)?;
        for &(ax, v, held) in &self.actuals {
            let at = EmptyElement::at((ax, v));
            if held {
                let ring = at + Circle::new((0, 0), s.px(6), WHITE.filled());
                chart.plotting_area().draw(&(ring + Circle::new((0, 0), s.px(6), s.stroke(INK, 2))))?;
            } else {
                chart.plotting_area().draw(&(at + Circle::new((0, 0), s.px(6), INK.filled())))?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Dates and numbers.

/// `YYYY-MM` as (year, month).
fn parse_month(date: &str) -> Option<(i32, u32)> {
    let (y, m) = date.trim().split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    (y > 0 && (1..=12).contains(&m)).then_some((y, m))
}

/// A date's position on a time axis, in years.
fn x_of(date: &str) -> Option<f64> {
    let (y, m) = parse_month(date)?;
    Some(y as f64 + (m as f64 - 1.0) / 12.0)
}

/// `v` with `decimals` decimals and thousands separated by commas: `45,000`, `−1,250.5`.
fn thousands(v: f64, decimals: usize) -> String {
    if v.is_finite() { crate::format::typeset(v, decimals) } else { String::new() }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use wfcast_core::backtest::{ALL_ROLES, BacktestMeta, Score};
    use wfcast_core::results::FileHash;

    /// The roles of [`synthetic_backtest`].
    pub(crate) const ROLES: [&str; 2] = ["Data & Analytics", "Software Engineering"];

    /// A backtest made by hand: yearly snapshots 2019-03 to 2024-03, trained to 2021-03; on the
    /// total and the first role wfcast beats both benchmarks, on the second it does not.
    pub(crate) fn synthetic_backtest() -> BacktestResults {
        let meta = BacktestMeta {
            kind: "backtest".into(),
            history: FileHash { path: "data/history.csv".into(), sha256: "ab".repeat(32) },
            flows: Some(FileHash { path: "data/flows.csv".into(), sha256: "cd".repeat(32) }),
            train_until: "2021-03".into(),
            end: "2024-03".into(),
            runs: 500,
            seed: 11,
            by_region: false,
            version: "0.1.0".into(),
        };
        let train = Month::parse("2021-03").unwrap();
        let series: [(&str, [f64; 6]); 3] = [
            (TOTAL, [3000.0, 3100.0, 3180.0, 3290.0, 3350.0, 3460.0]),
            (ROLES[0], [1800.0, 1880.0, 1930.0, 2010.0, 2050.0, 2120.0]),
            (ROLES[1], [1200.0, 1220.0, 1250.0, 1280.0, 1300.0, 1340.0]),
        ];
        let (mut actuals, mut points, mut scores) = (Vec::new(), Vec::new(), Vec::new());
        for (name, values) in series {
            for (i, v) in values.iter().enumerate() {
                let date = Month(train.0 + 12 * (i as i32 - 2));
                actuals.push(Actual { series: name.into(), date, value: *v });
                if i > 2 {
                    let h = (i - 2) as f64;
                    let mid = v * (1.0 + 0.01 * h);
                    let spread = v * 0.02 * h;
                    points.push(Point {
                        series: name.into(),
                        date,
                        horizon_months: 12 * (i as i32 - 2),
                        actual: *v,
                        p: [mid - 2.0 * spread, mid - spread, mid, mid + spread, mid + 2.0 * spread],
                        naive: values[2],
                        trend: values[2] + (values[2] - values[0]) / 2.0 * h,
                    });
                }
            }
            let wf = if name == ROLES[1] { 3.0 } else { 1.5 };
            for (method, mape) in [(Method::Wfcast, wf), (Method::Naive, 5.2), (Method::Trend, 2.4)] {
                let model = method == Method::Wfcast;
                scores.push(Score {
                    series: name.into(),
                    method,
                    mape,
                    mase: mape / 2.0,
                    coverage_50: model.then_some(2.0 / 3.0),
                    coverage_90: model.then_some(1.0),
                    points: 3,
                });
            }
        }
        for (method, mape) in [(Method::Wfcast, 2.25), (Method::Naive, 5.2), (Method::Trend, 2.4)] {
            let model = method == Method::Wfcast;
            scores.push(Score {
                series: ALL_ROLES.into(),
                method,
                mape,
                mase: f64::NAN,
                coverage_50: model.then_some(0.5),
                coverage_90: model.then_some(5.0 / 6.0),
                points: 6,
            });
        }
        BacktestResults { meta, actuals, points, scores }
    }

    fn out_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wfcast-chart-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// Every text of an SVG, which must parse.
    fn svg_texts(path: &Path) -> (Vec<String>, (u32, u32)) {
        let text = std::fs::read_to_string(path).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let dim = |a: &str| root.attribute(a).and_then(|v| v.parse::<u32>().ok()).expect("svg width and height");
        let texts =
            doc.descendants().filter(|n| n.has_tag_name("text")).map(|n| n.text().unwrap_or("").trim().to_string());
        (texts.collect(), (dim("width"), dim("height")))
    }

    /// Results by hand with the `family` level: `families` families (the first two of the
    /// framework), each with a fan of supply below demand, and their roles in scenario.toml.
    fn family_results(families: &[&str], deterministic: bool) -> Results {
        let dates = ["2025-03", "2026-03", "2027-03", "2028-03", "2029-03", "2030-03"];
        let meta = Meta {
            scenario: "fam".into(),
            title: "Families by hand".into(),
            description: String::new(),
            file: "scenarios/fam.toml".into(),
            sha256: "f".repeat(64),
            files: Vec::new(),
            baseline: FileHash { path: "staff.csv".into(), sha256: "b".repeat(64) },
            seed: 99,
            runs: if deterministic { 1 } else { 200 },
            mode: (if deterministic { "deterministic" } else { "stochastic" }).into(),
            start: dates[0].into(),
            end: dates[5].into(),
            step_months: 1,
            report_dates: dates.iter().map(|d| d.to_string()).collect(),
            levels: vec!["total".into(), "family".into()],
            routes: Vec::new(),
            organisations: Vec::new(),
            version: "0.1.0".into(),
            wall_time_seconds: 1.0,
        };
        let mut rows = Vec::new();
        let mut toml = String::from("[families]\n");
        for (k, family) in families.iter().enumerate() {
            for r in 0..=k.min(2) {
                toml.push_str(&format!("\"{family} role {r}\" = \"{family}\"\n"));
            }
            let size = 500.0 * (k + 1) as f64;
            for (t, date) in dates.iter().enumerate() {
                for (metric, level) in [("demand_fte", 1.1), ("fte", 1.0)] {
                    let mid = size * level * (1.0 + 0.03 * t as f64);
                    let w = if deterministic { 0.0 } else { size * 0.02 * t as f64 };
                    rows.push(Row {
                        date: date.to_string(),
                        level: "family".into(),
                        role: Some(family.to_string()),
                        band: None,
                        region: None,
                        metric: metric.into(),
                        mean: mid,
                        sd: w / 3.3,
                        p: [mid - w, mid - w / 3.0, mid, mid + w / 3.0, mid + w],
                        p_shortfall: None,
                    });
                }
            }
        }
        Results { meta, scenario_toml: toml, rows }
    }

    #[test]
    fn the_families_chart_has_a_panel_per_family() {
        let dir = out_dir("families");
        std::fs::create_dir_all(&dir).unwrap();
        let seven = [
            "Chief digital and data",
            "Data",
            "IT operations",
            "Product and delivery",
            "Software development",
            "Other (not DDaT)",
            "Unmapped",
        ];
        for (n, deterministic) in [(7, false), (3, true), (1, false)] {
            let results = family_results(&seven[..n], deterministic);
            let files = write_scenario_charts(&results, &dir).unwrap();
            let svg = dir.join(format!("{FAMILIES_CHART}.svg"));
            assert!(files.contains(&svg) && files.contains(&dir.join(format!("{FAMILIES_CHART}.png"))), "{files:?}");
            let (texts, (w, h)) = svg_texts(&svg);
            let all = texts.join("\n");
            let rows = n.div_ceil(if n <= 4 { 2 } else { 3 }) as u32;
            assert_eq!((w, h), (WIDTH, HEIGHT + PANEL_HEIGHT * rows.saturating_sub(2)), "{n} families");
            for (k, family) in seven[..n].iter().enumerate() {
                let roles = k.min(2) + 1;
                let title = format!("{family} ({roles} role{})", if roles == 1 { "" } else { "s" });
                assert!(texts.contains(&title), "{title} missing: {all}");
            }
            for want in [
                "Families by hand",
                "Demand: funded posts",
                "Supply: staff in post",
                "seed 99",
                "by role family (the scenario's mapping",
            ] {
                assert!(all.contains(want), "{want} missing: {all}");
            }
            assert_eq!(all.contains("90% of runs"), !deterministic, "{all}");
        }
        // Without the family level there is no families chart.
        let mut none = family_results(&seven[..2], false);
        none.rows.clear();
        assert!(supply_demand_families(&none).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn backtest_charts_draw_the_total_and_each_role() {
        let results = synthetic_backtest();
        let dir = out_dir("backtest").join("charts");
        let files = write_backtest_charts(&results, &dir).unwrap();
        let mut stems: Vec<String> =
            files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
        stems.sort();
        let mut expected: Vec<String> = ["backtest_total", "backtest_data-analytics", "backtest_software-engineering"]
            .iter()
            .flat_map(|s| [format!("{s}.png"), format!("{s}.svg")])
            .collect();
        expected.sort();
        assert_eq!(stems, expected);
        for (series, stem) in [(TOTAL, "backtest_total"), (ROLES[0], "backtest_data-analytics")] {
            assert_eq!(backtest_stem(series), stem);
            let (texts, size) = svg_texts(&dir.join(format!("{stem}.svg")));
            assert_eq!(size, (WIDTH, HEIGHT));
            let img = image::open(dir.join(format!("{stem}.png"))).unwrap().to_rgb8();
            assert_eq!((img.width(), img.height()), (WIDTH, HEIGHT), "{stem}.png");
            let inked = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
            assert!(inked as f64 / (WIDTH * HEIGHT) as f64 > 0.04, "{stem}.png is nearly blank");
            let all = texts.join(" ");
            assert!(texts.iter().any(|t| t.starts_with("Backtest: ") && t.contains(series)), "{stem}: {texts:?}");
            for m in Method::ALL {
                assert!(texts.iter().any(|t| t == m.label()), "{stem}: no legend entry {}: {texts:?}", m.label());
            }
            for label in ["actual: training snapshot", "actual: held out", "90% of runs", "middle 50% of runs"] {
                assert!(texts.iter().any(|t| t == label), "{stem}: no legend entry {label}: {texts:?}");
            }
            assert!(all.contains("Staff in post (headcount)"), "{stem}: no axis title");
            assert!(all.contains("MAPE") && all.contains("wfcast 1.5%"), "{stem}: MAPE not stated: {all}");
            assert!(all.contains("no change 5.2%") && all.contains("linear trend 2.4%"), "{stem}: {all}");
            assert!(texts.iter().any(|t| t.len() == 5 && t.as_bytes()[1] == b','), "{stem}: no grouped ticks");
            assert!(all.contains("sha256 abababababab") && all.contains("seed 11"), "{stem}: footer: {all}");
        }
        if std::env::var_os("WFCAST_KEEP_CHARTS").is_none() {
            let _ = std::fs::remove_dir_all(dir.parent().unwrap());
        } else {
            eprintln!("charts kept in {}", dir.display());
        }
    }

    #[test]
    fn a_backtest_with_one_held_out_snapshot_still_draws() {
        let mut results = synthetic_backtest();
        let keep = Month::parse("2022-03").unwrap();
        results.points.retain(|p| p.date == keep);
        results.actuals.retain(|a| a.date <= keep);
        let chart = backtest_chart(&results, TOTAL).unwrap();
        assert_eq!(chart.fan.points.len(), 2, "the fan starts at the last training actual");
        assert_eq!(chart.naive.len(), 2);
        assert_eq!(chart.trend.len(), 1);
        assert_eq!(chart.actuals.iter().filter(|a| a.2).count(), 1);
        let dir = out_dir("backtest-one");
        assert_eq!(write_backtest_charts(&results, &dir).unwrap().len(), 6);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
