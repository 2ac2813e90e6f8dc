//! Axes: numeric axes with round-numbered ticks, time axes over reporting dates, gridlines
//! and the markers drawn across a plot (zero line, baseline, training date).
use super::kit::*;
use crate::format::{financial_year_label, month_label, parse_month};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// A numeric axis: its range and the ticks drawn, with their labels.
pub(super) struct Axis {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ticks: Vec<(f64, String)>,
}

impl Axis {
    /// An axis over `lo..hi` with about `target` round-numbered ticks, labelled by `label`
    /// (given the value and the number of decimals the tick step needs).
    pub(super) fn numeric(lo: f64, hi: f64, target: usize, label: impl Fn(f64, usize) -> String) -> Axis {
        let (ticks, step) = nice_ticks(lo, hi, target);
        let exact = |d: i32| ((step * 10f64.powi(d)).round() - step * 10f64.powi(d)).abs() < 1e-6;
        let decimals = (0..6).find(|d| exact(*d)).unwrap_or(6) as usize;
        Axis { lo, hi, ticks: ticks.into_iter().map(|t| (t, label(t, decimals))).collect() }
    }

    /// A time axis over reporting dates: ticks at the dates (thinned when there are many),
    /// labelled by financial year, the baseline by its month.
    pub(super) fn time(dates: &[String], baseline: Option<&str>) -> Axis {
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
    pub(super) fn label(&self, v: f64) -> String {
        let tolerance = (self.hi - self.lo).abs() * 1e-9;
        self.ticks.iter().find(|(t, _)| (t - v).abs() <= tolerance).map(|(_, s)| s.clone()).unwrap_or_default()
    }

    pub(super) fn coord(&self) -> Linear {
        Linear { lo: self.lo, hi: self.hi, ticks: self.ticks.iter().map(|(t, _)| *t).collect() }
    }

    /// The widest tick label, in backend pixels.
    pub(super) fn label_width<DB: DrawingBackend>(&self, area: &Area<DB>, s: Scale) -> Drawn<i32> {
        let style = s.regular(15.0, INK, TOP_LEFT);
        self.ticks.iter().try_fold(0, |w, (_, t)| Ok(w.max(text_width(area, t, &style)?)))
    }
}

/// A linear plotters coordinate with the ticks of an [`Axis`] (and no minor ticks).
pub(super) struct Linear {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ticks: Vec<f64>,
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
pub(super) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
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
pub(super) fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// `lo..hi` widened by `frac` of its span at each end (or by a little when it is empty).
pub(super) fn padded((lo, hi): (f64, f64), frac: f64) -> (f64, f64) {
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
pub(super) fn cartesian<'a, DB: DrawingBackend>(
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
pub(super) enum Grid {
    /// Horizontal lines at the y ticks (time charts).
    Horizontal,
    /// Vertical lines at the x ticks (charts with a category per row).
    Vertical,
}

/// Draws the axes, tick labels, axis titles and gridlines.
pub(super) fn axes<DB: DrawingBackend>(
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
pub(super) fn zero_line<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, s: Scale, x: &Axis, label: &str) -> Drawn {
    chart.draw_series(LineSeries::new(vec![(x.lo, 0.0), (x.hi, 0.0)], s.stroke(ZERO, 2)))?;
    let style = s.regular(14.0, ZERO, (HPos::Right, VPos::Bottom));
    let text = Text::new(label.to_string(), (-s.px(8), -s.px(5)), style);
    chart.plotting_area().draw(&(EmptyElement::at((x.hi, 0.0)) + text))?;
    Ok(())
}

/// A dashed vertical line at the baseline date, labelled `baseline` at its top (lower
/// down when the top row carries notes).
pub(super) fn baseline_marker<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    s: Scale,
    x: f64,
    y: &Axis,
    below_notes: bool,
) -> Drawn {
    date_marker(chart, s, x, y, "baseline", s.px(if below_notes { 34 } else { 6 }))
}

/// A dashed vertical line at `x`, labelled `label` at its top right, `dy` pixels down.
pub(super) fn date_marker<DB: DrawingBackend>(
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

/// A date's position on a time axis, in years.
pub(super) fn x_of(date: &str) -> Option<f64> {
    let (y, m) = parse_month(date)?;
    Some(y as f64 + (m as f64 - 1.0) / 12.0)
}

/// A chart with numeric axes whose ticks are chosen here (see [`Axis`]).
pub(super) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Linear, Linear>>;
