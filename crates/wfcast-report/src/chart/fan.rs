//! Fans: a median line with 50% and 90% bands over the reporting dates, the notes along the
//! top of a fan chart, and the fan chart itself.
use super::axis::*;
use super::kit::*;
use crate::format::thousands;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use wfcast_core::results::{Meta, Row};

/// One series drawn as a fan.
pub(super) struct Fan {
    /// Legend label.
    pub(super) label: String,
    pub(super) colour: RGBColor,
    /// (x, percentiles 5, 25, 50, 75, 95) per date.
    pub(super) points: Vec<(f64, [f64; 5])>,
    /// Whether to draw the 50% band (the 90% band is always drawn when runs differ).
    pub(super) inner: bool,
}

impl Fan {
    /// A fan of the percentiles of `rows`, divided by `scale`.
    pub(super) fn of(label: impl Into<String>, colour: RGBColor, rows: &[&Row], scale: f64, inner: bool) -> Fan {
        let points = rows
            .iter()
            .filter(|r| r.p.iter().all(|v| v.is_finite()))
            .filter_map(|r| Some((x_of(&r.date)?, r.p.map(|v| v / scale))))
            .collect();
        Fan { label: label.into(), colour, points, inner }
    }

    /// Whether runs differ anywhere (false in deterministic results: all percentiles equal).
    pub(super) fn spread(&self) -> bool {
        self.points.iter().any(|(_, p)| (p[4] - p[0]).abs() > 1e-9 * p[2].abs().max(1.0))
    }

    /// The values drawn: the 90% band where runs differ, else the line.
    pub(super) fn values(&self) -> Vec<f64> {
        let spread = self.spread();
        self.points.iter().flat_map(|(_, p)| if spread { vec![p[0], p[4]] } else { vec![p[2]] }).collect()
    }
}

/// Which part of a fan to draw: bands go under every median line, and where fans overlap
/// the edges of their 90% bands are drawn over all the bands so each can be followed.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Layer {
    Bands,
    Edges,
    Median,
}

/// Draws one layer of a fan into a chart.
pub(super) fn draw_fan<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, s: Scale, fan: &Fan, layer: Layer) -> Drawn {
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
pub(super) struct Note {
    pub(super) x: f64,
    pub(super) long: String,
    pub(super) short: String,
}

/// Draws notes in a row along the top of the chart, kept inside the plot.
pub(super) fn draw_notes<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, s: Scale, notes: &[Note], y: &Axis) -> Drawn {
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
pub(super) struct FanChart {
    pub(super) header: Header,
    pub(super) legend: Vec<Entry>,
    /// Dates on the time axis.
    pub(super) dates: Vec<String>,
    /// The baseline date, marked with a dashed line.
    pub(super) baseline: Option<String>,
    pub(super) y_desc: String,
    pub(super) fans: Vec<Fan>,
    /// A zero line and its label.
    pub(super) zero: Option<String>,
    /// Notes along the top.
    pub(super) notes: Vec<Note>,
}

impl FanChart {
    pub(super) fn y_axis(&self) -> Axis {
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
pub(super) fn fan_legend(fans: &[Fan]) -> Vec<Entry> {
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
pub(super) fn fan_reading(meta: &Meta, inner: bool) -> String {
    if is_deterministic(meta) {
        "Deterministic run: expected values, without uncertainty ranges.".into()
    } else if inner {
        format!("Lines: median of {}; shading: the middle 50% and 90% of runs.", runs_text(meta))
    } else {
        format!("Lines: median of {}; shading: 90% of runs.", runs_text(meta))
    }
}
