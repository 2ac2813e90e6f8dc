//! Backtests: calibrate on history up to a date, project from it, and score the forecast
//! against the snapshots held out, beside two naive benchmarks.
//!
//! The forecast is the calibrated model run from the snapshot at the training date (its
//! baseline) to the last snapshot, monthly, for many runs. At each held-out snapshot date
//! it is scored against staff in post, per role and in total: MAPE and MASE of the median,
//! and how often the actual value fell inside the 50% and 90% intervals. The benchmarks
//! are those of forecasting competitions: no change from the last training snapshot, and
//! the straight line fitted to the training snapshots.
use crate::baseline::Baseline;
use crate::calibrate::{CalibrateOptions, Calibration, calibrate};
use crate::engine::{Mode, Recorder, Snapshot, StepFlows};
use crate::error::{Error, Result};
use crate::history::History;
use crate::model::Model;
use crate::results::FileHash;
use crate::runner::run_rows;
use crate::scenario::{Month, Scenario, ScenarioFile, merge, sha256_hex};
use crate::summary::Stats;
use serde::{Deserialize, Serialize};
use toml_edit::{DocumentMut, Item, Value};

/// The name of the series of all staff.
pub const TOTAL: &str = "Total";

/// How to backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestOptions {
    /// The last snapshot used for calibration, and the forecast's start.
    pub train_until: Month,
    /// Number of runs of the forecast.
    pub runs: u64,
    /// Seed of the forecast.
    pub seed: u64,
    /// Calibration options.
    pub calibrate: CalibrateOptions,
}

/// A forecasting method that is scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// wfcast's calibrated model (its median, and its intervals).
    Wfcast,
    /// No change from the last training snapshot.
    Naive,
    /// The least-squares straight line through the training snapshots.
    Trend,
}

impl Method {
    /// Every method, in the order tables show them.
    pub const ALL: [Method; 3] = [Method::Wfcast, Method::Naive, Method::Trend];

    /// The name in `backtest.csv` and `scores.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Wfcast => "wfcast",
            Method::Naive => "naive",
            Method::Trend => "trend",
        }
    }

    /// What it is, for tables and charts.
    pub fn label(self) -> &'static str {
        match self {
            Method::Wfcast => "wfcast (median)",
            Method::Naive => "no change",
            Method::Trend => "linear trend",
        }
    }
}

/// The forecasts and the actual value of one series at one held-out date.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// [`TOTAL`] or a role.
    pub series: String,
    /// The held-out snapshot date.
    pub date: Month,
    /// Months after the training date.
    pub horizon_months: i32,
    /// Staff in post in the snapshot (headcount).
    pub actual: f64,
    /// The model's 5th, 25th, 50th, 75th and 95th percentiles over runs.
    pub p: [f64; 5],
    /// The no-change forecast.
    pub naive: f64,
    /// The linear-trend forecast.
    pub trend: f64,
}

impl Point {
    /// The point forecast of `method`.
    pub fn forecast(&self, method: Method) -> f64 {
        match method {
            Method::Wfcast => self.p[2],
            Method::Naive => self.naive,
            Method::Trend => self.trend,
        }
    }
}

/// The scores of one method on one series (or on every role together).
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// [`TOTAL`], a role, or [`ALL_ROLES`].
    pub series: String,
    /// The method.
    pub method: Method,
    /// Mean absolute percentage error over the held-out dates (percent; dates with an actual of
    /// 0 are left out).
    pub mape: f64,
    /// Mean absolute scaled error: the mean absolute error over the held-out dates divided by
    /// the mean absolute change between consecutive training snapshots (NaN when the series
    /// never changed in training).
    pub mase: f64,
    /// Share of held-out dates whose actual fell inside the 50% interval (p25 to p75); the
    /// model only.
    pub coverage_50: Option<f64>,
    /// Share inside the 90% interval (p05 to p95); the model only.
    pub coverage_90: Option<f64>,
    /// Number of (series, date) points scored.
    pub points: usize,
}

/// The name of the scores over every role together: MAPE and MASE are the means of the
/// roles' scores, and coverage is over every (role, date) point.
pub const ALL_ROLES: &str = "All roles";

/// Staff in post of one series at one snapshot date.
#[derive(Clone, Debug, PartialEq)]
pub struct Actual {
    /// [`TOTAL`] or a role.
    pub series: String,
    /// The snapshot date.
    pub date: Month,
    /// Headcount.
    pub value: f64,
}

/// What a backtest ran on and with: `meta.json` of its folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestMeta {
    /// Always `backtest`: tells a backtest folder from a run's.
    pub kind: String,
    /// The snapshots file.
    pub history: FileHash,
    /// The flows file.
    pub flows: Option<FileHash>,
    /// The last training snapshot (the forecast's start).
    pub train_until: String,
    /// The last held-out snapshot (the forecast's end).
    pub end: String,
    /// Runs of the forecast.
    pub runs: u64,
    /// Seed of the forecast.
    pub seed: u64,
    /// Whether rates were calibrated per region.
    pub by_region: bool,
    /// wfcast version that made the backtest.
    pub version: String,
}

/// A backtest's tables: what its folder holds, and what its charts and report show.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestResults {
    /// What was run.
    pub meta: BacktestMeta,
    /// Staff in post per series at every snapshot date, training and held out, by series
    /// (total first, then roles) then date.
    pub actuals: Vec<Actual>,
    /// Forecasts against actuals at the held-out dates, by series then date.
    pub points: Vec<Point>,
    /// Scores by series (total, roles, all roles) then method.
    pub scores: Vec<Score>,
}

/// A backtest: its tables, and the calibration and scenario behind them.
#[derive(Clone, Debug)]
pub struct Backtest {
    /// The tables.
    pub results: BacktestResults,
    /// The calibration learnt from the training years.
    pub calibration: Calibration,
    /// The scenario that was run (`scenario.toml`): the calibration with the forecast's dates,
    /// runs and seed.
    pub scenario_toml: String,
    /// Its baseline: the snapshot at the training date (`baseline.csv`).
    pub baseline: Baseline,
}

/// Headcount per series (total, then `roles`) in a snapshot.
fn series_values(snapshot: &crate::baseline::Baseline, roles: &[String]) -> Vec<f64> {
    let mut out = vec![0.0; roles.len() + 1];
    for row in &snapshot.rows {
        out[0] += row.headcount;
        if let Some(i) = roles.iter().position(|r| r == &row.role) {
            out[i + 1] += row.headcount;
        }
    }
    out
}

/// The least-squares line through `(x, y)`, as (intercept, slope); flat through the mean with
/// a single point.
fn line(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (my - slope * mx, slope)
}

/// Years from `from` to `to`.
fn years(from: Month, to: Month) -> f64 {
    (to.0 - from.0) as f64 / 12.0
}

/// Runs a backtest of `history` (which must have flow counts); `files` are its snapshots and
/// flows files with their hashes, for `meta.json`.
pub fn backtest(history: &History, files: (FileHash, Option<FileHash>), options: &BacktestOptions) -> Result<Backtest> {
    let at = |msg: String| Error::input("", "--train-until", msg);
    let t = options.train_until;
    if !history.dates.contains(&t) {
        let dates: Vec<String> = history.dates.iter().map(|d| d.to_string()).collect();
        return Err(at(format!(
            "{t} is not a snapshot date of {}; its dates are {}",
            history.path.display(),
            dates.join(", ")
        )));
    }
    let held_out: Vec<Month> = history.dates.iter().copied().filter(|&d| d > t).collect();
    if held_out.is_empty() {
        return Err(at(format!("{t} is the last snapshot: there is nothing after it to score the forecast against")));
    }
    let train = history
        .until(t)
        .ok_or_else(|| at(format!("{t} leaves fewer than two snapshots to calibrate on; choose a later date")))?;
    if train.flows.is_none() {
        return Err(Error::input(
            "",
            "--flows",
            "a backtest needs flow counts (leavers, joiners, progression, transfers): with snapshots only, gross flows cannot be estimated, so there is no model to project; give the flows file with --flows",
        ));
    }
    let calibration = calibrate(&train, &options.calibrate)?;
    let baseline = train.snapshots.last().expect("at least two snapshots");

    let end = *held_out.last().expect("not empty");
    let head = ScenarioFile {
        name: Some("backtest".into()),
        title: Some(format!("Backtest from {t}")),
        baseline: Some("baseline.csv".into()),
        start: Some(t.to_string()),
        end: Some(end.to_string()),
        step: Some("month".into()),
        runs: Some(options.runs),
        seed: Some(options.seed),
        report_month: Some(t.month()),
        ..ScenarioFile::default()
    };
    let comment = format!(
        "# What `wfcast backtest` ran: the rates calibrated on {} up to {t}, from its snapshot of {t}\n\
         # (baseline.csv beside this file). `wfcast run scenario.toml` runs it again.\n",
        history.path.display()
    );
    let scenario_toml = calibration.append_to(head_document(&head, comment)).to_string();
    let scenario_path = history.path.with_file_name("backtest.toml");
    let read = vec![(scenario_path.clone(), sha256_hex(scenario_toml.as_bytes()))];
    let scenario = Scenario::from_spec(merge(head, calibration.scenario()), &scenario_path, read)?;
    let model = Model::compile(&scenario, baseline, None)?;

    // Staff in post per series at each held-out date, per run.
    let roles = model.grid.roles.clone();
    let width = held_out.len() * (roles.len() + 1);
    let mut slot = vec![None; model.n_steps + 1];
    for (i, d) in held_out.iter().enumerate() {
        slot[(d.0 - t.0) as usize] = Some(i);
    }
    let runs: Vec<u64> = (0..options.runs).collect();
    let nseries = roles.len() + 1;
    let per_run = run_rows(
        &model,
        &runs,
        width,
        |engine, run, row| {
            let mut rec = SeriesRecorder { model: &model, slot: &slot, nseries, row };
            engine.run(options.seed, run, Mode::Stochastic, &mut rec)
        },
        &|| {},
    )?;

    let train_values_by_date: Vec<Vec<f64>> = train.snapshots.iter().map(|s| series_values(s, &roles)).collect();
    let names: Vec<String> = std::iter::once(TOTAL.to_string()).chain(roles.iter().cloned()).collect();
    let train_values: Vec<(String, Vec<f64>)> = names
        .iter()
        .enumerate()
        .map(|(s, name)| (name.clone(), train_values_by_date.iter().map(|v| v[s]).collect()))
        .collect();
    let x: Vec<f64> = train.dates.iter().map(|&d| years(t, d)).collect();
    let mut points = Vec::new();
    for (s, (name, values)) in train_values.iter().enumerate() {
        let (a, b) = line(&x, values);
        let last = *values.last().expect("two snapshots");
        for (i, &date) in held_out.iter().enumerate() {
            let snapshot = &history.snapshots[history.dates.iter().position(|&d| d == date).expect("a snapshot date")];
            let column = per_run.column(i * names.len() + s).to_vec();
            points.push(Point {
                series: name.clone(),
                date,
                horizon_months: date.0 - t.0,
                actual: series_values(snapshot, &roles)[s],
                p: Stats::of(&column).p,
                naive: last,
                trend: (a + b * years(t, date)).max(0.0),
            });
        }
    }
    let roles_ref = &roles;
    let scores = score(&points, &train_values, &roles);
    let actuals = names
        .iter()
        .enumerate()
        .flat_map(|(s, name)| {
            history.dates.iter().zip(&history.snapshots).map(move |(&date, snapshot)| Actual {
                series: name.clone(),
                date,
                value: series_values(snapshot, roles_ref)[s],
            })
        })
        .collect();
    let meta = BacktestMeta {
        kind: "backtest".into(),
        history: files.0,
        flows: files.1,
        train_until: t.to_string(),
        end: end.to_string(),
        runs: options.runs,
        seed: options.seed,
        by_region: options.calibrate.by_region,
        version: env!("CARGO_PKG_VERSION").into(),
    };
    Ok(Backtest {
        results: BacktestResults { meta, actuals, points, scores },
        calibration,
        scenario_toml,
        baseline: baseline.clone(),
    })
}

/// The top-level keys of `head` that are set, in the order of [`ScenarioFile`], as a TOML
/// document, `comment` (lines of `# ...`) above the first.
fn head_document(head: &ScenarioFile, comment: String) -> DocumentMut {
    let text = |v: &Option<String>| v.as_deref().map(Value::from);
    let path = |v: &Option<std::path::PathBuf>| v.as_ref().map(|p| Value::from(p.display().to_string()));
    let int = |v: Option<u64>| v.and_then(|n| i64::try_from(n).ok()).map(Value::from);
    let keys = [
        ("name", text(&head.name)),
        ("title", text(&head.title)),
        ("description", text(&head.description)),
        ("baseline", path(&head.baseline)),
        ("start", text(&head.start)),
        ("end", text(&head.end)),
        ("step", text(&head.step)),
        ("runs", int(head.runs)),
        ("seed", int(head.seed)),
        ("report_month", int(head.report_month.map(u64::from))),
    ];
    let mut doc = DocumentMut::new();
    let mut before = Some(comment);
    for (key, value) in keys {
        if let Some(value) = value {
            doc.insert(key, Item::Value(value));
            if let Some(before) = before.take() {
                doc.key_mut(key).expect("just inserted").leaf_decor_mut().set_prefix(before);
            }
        }
    }
    doc
}

/// Scores every method on every series, then on all roles together.
fn score(points: &[Point], train_values: &[(String, Vec<f64>)], roles: &[String]) -> Vec<Score> {
    let mut scores = Vec::new();
    for (name, values) in train_values {
        let pts: Vec<&Point> = points.iter().filter(|p| &p.series == name).collect();
        let steps: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        let scale = steps.iter().sum::<f64>() / steps.len() as f64;
        for method in Method::ALL {
            let pct: Vec<f64> = pts
                .iter()
                .filter(|p| p.actual > 0.0)
                .map(|p| 100.0 * (p.forecast(method) - p.actual).abs() / p.actual)
                .collect();
            let mae = pts.iter().map(|p| (p.forecast(method) - p.actual).abs()).sum::<f64>() / pts.len() as f64;
            let model = method == Method::Wfcast;
            let cover = |lo: usize, hi: usize| {
                model.then(|| {
                    pts.iter().filter(|p| p.p[lo] <= p.actual && p.actual <= p.p[hi]).count() as f64 / pts.len() as f64
                })
            };
            scores.push(Score {
                series: name.clone(),
                method,
                mape: if pct.is_empty() { f64::NAN } else { pct.iter().sum::<f64>() / pct.len() as f64 },
                mase: if scale > 0.0 { mae / scale } else { f64::NAN },
                coverage_50: cover(1, 3),
                coverage_90: cover(0, 4),
                points: pts.len(),
            });
        }
    }
    for method in Method::ALL {
        let of_roles: Vec<&Score> = scores.iter().filter(|s| s.method == method && roles.contains(&s.series)).collect();
        let mean = |f: fn(&Score) -> f64| {
            let v: Vec<f64> = of_roles.iter().map(|s| f(s)).filter(|v| v.is_finite()).collect();
            if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
        };
        let points: usize = of_roles.iter().map(|s| s.points).sum();
        let pooled = |f: fn(&Score) -> Option<f64>| {
            (method == Method::Wfcast && points > 0)
                .then(|| of_roles.iter().map(|s| f(s).unwrap_or(0.0) * s.points as f64).sum::<f64>() / points as f64)
        };
        scores.push(Score {
            series: ALL_ROLES.to_string(),
            method,
            mape: mean(|s| s.mape),
            mase: mean(|s| s.mase),
            coverage_50: pooled(|s| s.coverage_50),
            coverage_90: pooled(|s| s.coverage_90),
            points,
        });
    }
    scores
}

/// Sums staff in post per series at the held-out dates of one run.
struct SeriesRecorder<'a> {
    model: &'a Model,
    slot: &'a [Option<usize>],
    nseries: usize,
    row: &'a mut [f64],
}

impl Recorder for SeriesRecorder<'_> {
    fn record(&mut self, _date: usize, _snapshot: &Snapshot<'_>) {}

    fn observe_step(&mut self, step: usize, headcount: &[f64], _flows: &StepFlows) {
        if let Some(i) = self.slot[step] {
            let g = &self.model.grid;
            let row = &mut self.row[i * self.nseries..(i + 1) * self.nseries];
            for (c, &h) in headcount.iter().enumerate() {
                row[0] += h;
                row[1 + g.role_of(c)] += h;
            }
        }
    }
}

impl BacktestResults {
    /// The series in order: total, then roles.
    pub fn series(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for a in &self.actuals {
            if !out.contains(&a.series.as_str()) {
                out.push(&a.series);
            }
        }
        out
    }

    /// The score of `method` on `series`.
    pub fn score(&self, series: &str, method: Method) -> Option<&Score> {
        self.scores.iter().find(|s| s.series == series && s.method == method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(series: &str, year: i32, actual: f64, p: [f64; 5], naive: f64, trend: f64) -> Point {
        let date = Month(year * 12 + 2);
        Point { series: series.into(), date, horizon_months: (year - 2020) * 12, actual, p, naive, trend }
    }

    #[test]
    fn scores_are_the_textbook_measures_worked_by_hand() {
        // Training 2018..2020: 100, 110, 100: the mean absolute one-step change is 10.
        let train = vec![(TOTAL.to_string(), vec![100.0, 110.0, 100.0]), ("A".to_string(), vec![50.0, 50.0, 50.0])];
        let points = vec![
            point(TOTAL, 2021, 120.0, [90.0, 105.0, 110.0, 125.0, 140.0], 100.0, 100.0),
            point(TOTAL, 2022, 80.0, [70.0, 95.0, 100.0, 115.0, 150.0], 100.0, 100.0),
            point("A", 2021, 50.0, [40.0, 45.0, 50.0, 55.0, 60.0], 50.0, 50.0),
            point("A", 2022, 0.0, [40.0, 45.0, 50.0, 55.0, 60.0], 50.0, 50.0),
        ];
        let scores = score(&points, &train, &["A".to_string()]);
        let get = |s: &str, m: Method| scores.iter().find(|x| x.series == s && x.method == m).unwrap();
        let w = get(TOTAL, Method::Wfcast);
        // |110-120|/120 and |100-80|/80: (8.333% + 25%) / 2.
        assert!((w.mape - (100.0 / 12.0 + 25.0) / 2.0).abs() < 1e-9, "{}", w.mape);
        // MAE (10 + 20) / 2 = 15 over a scale of 10.
        assert!((w.mase - 1.5).abs() < 1e-12);
        // 120 is inside p25..p75 (105..125); 80 is outside it but inside p05..p95 (70..150).
        assert_eq!((w.coverage_50, w.coverage_90), (Some(0.5), Some(1.0)));
        let n = get(TOTAL, Method::Naive);
        assert!((n.mape - (100.0 / 6.0 + 25.0) / 2.0).abs() < 1e-9);
        assert!((n.mase - 2.0).abs() < 1e-12);
        assert_eq!((n.coverage_50, n.coverage_90), (None, None));
        // A role that never changed in training has no MASE; an actual of 0 is left out of MAPE.
        let a = get("A", Method::Wfcast);
        assert!(a.mase.is_nan());
        assert_eq!(a.mape, 0.0);
        assert_eq!(a.points, 2);
        // All roles: coverage pooled over the roles' points (2021 inside both, 2022 outside both).
        let all = get(ALL_ROLES, Method::Wfcast);
        assert_eq!((all.coverage_50, all.coverage_90, all.points), (Some(0.5), Some(0.5), 2));
    }

    #[test]
    fn the_trend_benchmark_is_the_least_squares_line() {
        let (a, b) = line(&[-2.0, -1.0, 0.0], &[100.0, 112.0, 118.0]);
        assert!((b - 9.0).abs() < 1e-12 && (a - 119.0).abs() < 1e-12, "{a} {b}");
        assert_eq!(line(&[0.0], &[5.0]), (5.0, 0.0));
    }
}
