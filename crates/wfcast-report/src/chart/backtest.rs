//! Backtest charts: the forecast from the training date against the snapshots held out, with
//! the two benchmarks.
use super::axis::*;
use super::fan::*;
use super::kit::*;
use super::{draw_all, job, slug};
use crate::format::{self, month_label, thousands};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::{Path, PathBuf};
use wfcast_core::backtest::{Actual, BacktestResults, Method, Point, TOTAL};
use wfcast_core::error::{Error, Result};
use wfcast_core::scenario::Month;
use wfcast_io::export::{self, OutputFile};

/// Writes the charts of a backtest into `dir` (created when missing), as PNG and SVG:
/// `backtest_total` and `backtest_<role>` for each role (see [`backtest_stem`]), each the
/// forecast fan from the training date against staff in post at every snapshot, with the two
/// benchmarks. Returns the files written.
pub fn write_backtest_charts(results: &BacktestResults, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    export::write_into(dir, &backtest_charts(results)?)
}

/// The charts of a backtest, as PNG and SVG, named as [`write_backtest_charts`] writes them.
pub fn backtest_charts(results: &BacktestResults) -> Result<Vec<OutputFile>> {
    draw_all(
        results
            .series()
            .into_iter()
            .map(|series| job(backtest_stem(series), move || backtest_chart(results, series)))
            .collect(),
    )
}

/// The file stem of a backtest series' chart: `backtest_total` for [`TOTAL`], else
/// `backtest_<slug(role)>`.
pub fn backtest_stem(series: &str) -> String {
    if series == TOTAL { "backtest_total".into() } else { format!("backtest_{}", slug(series)) }
}

/// The colour of the no-change benchmark.
pub(super) const NAIVE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// The colour of the linear-trend benchmark.
pub(super) const TREND: RGBColor = RGBColor(0x00, 0x9E, 0x73);

/// A month's position on a time axis, in years (as [`x_of`] of its `YYYY-MM`).
pub(super) fn month_x(m: Month) -> f64 {
    m.0 as f64 / 12.0
}

/// A method's name in a sentence: `wfcast`, `no change`, `linear trend`.
pub(super) fn method_word(m: Method) -> &'static str {
    if m == Method::Wfcast { "wfcast" } else { m.label() }
}

/// One series of a backtest: the forecast fan and the benchmarks from the training date,
/// against staff in post at every snapshot.
pub(super) struct BacktestChart {
    pub(super) header: Header,
    pub(super) legend: Vec<Entry>,
    /// Every snapshot date, for the time axis.
    pub(super) dates: Vec<String>,
    /// The training date, `YYYY-MM`, and its position.
    pub(super) train: Option<(String, f64)>,
    /// Staff in post: (x, headcount, held out).
    pub(super) actuals: Vec<(f64, f64, bool)>,
    /// The model's percentiles, starting at the last training actual.
    pub(super) fan: Fan,
    /// The benchmarks' forecasts: no change (from the training date) and the linear trend.
    pub(super) naive: Vec<(f64, f64)>,
    pub(super) trend: Vec<(f64, f64)>,
}

pub(super) fn backtest_chart(results: &BacktestResults, series: &str) -> Option<BacktestChart> {
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
    let runs = format::runs(meta.runs);
    let title = vec![
        format!("Backtest: {who} — trained to {trained}, {runs}"),
        format!("Backtest: {who} — {runs}"),
        format!("Backtest: {who}"),
    ];
    let scores: Vec<String> = Method::ALL
        .iter()
        .map(|&m| format!("{} {}", method_word(m), format::mape(results.score(series, m).map_or(f64::NAN, |s| s.mape))))
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
    pub(super) fn y_axis(&self) -> Axis {
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
