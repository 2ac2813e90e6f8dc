//! A backtest's tables (`backtest.csv`, `scores.csv`) and files written into its folder, and
//! a backtest folder read back.
use crate::results::Columns;
use polars::prelude::*;
use std::path::{Path, PathBuf};
use wfcast_core::backtest::{Actual, Backtest, BacktestMeta, BacktestResults, Method, Point, Score};
use wfcast_core::error::{Error, Result};
use wfcast_core::history::History;
use wfcast_core::scenario::Month;

/// Whether `dir` is a backtest folder: its `meta.json` says `"kind": "backtest"`.
pub fn is_backtest(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("meta.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|v| v.get("kind").and_then(|k| k.as_str()) == Some("backtest"))
}

/// The name of the folder a backtest is written to, inside the output folder.
pub fn folder_name(history: &Path, train_until: Month) -> String {
    let stem = history.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    format!("backtest-{}-{train_until}", crate::export::slug(&stem))
}

/// `backtest.csv`: one row per series and snapshot date; the forecast columns are empty
/// at the training dates.
pub fn frame(results: &BacktestResults) -> Result<DataFrame> {
    let train_until = Month::parse(&results.meta.train_until).unwrap_or(Month(i32::MIN));
    let mut cols: [Vec<Option<f64>>; 8] = Default::default();
    let (mut series, mut date, mut horizon) = (Vec::new(), Vec::new(), Vec::new());
    for a in &results.actuals {
        series.push(a.series.clone());
        date.push(a.date.to_string());
        horizon.push(a.date.0 - train_until.0);
        let point = results.points.iter().find(|p| p.series == a.series && p.date == a.date);
        let values = match point {
            Some(p) => [p.p[0], p.p[1], p.p[2], p.p[3], p.p[4], p.naive, p.trend].map(Some),
            None => [None; 7],
        };
        cols[0].push(Some(a.value));
        for (c, v) in cols[1..].iter_mut().zip(values) {
            c.push(v);
        }
    }
    let names = ["actual", "p05", "p25", "p50", "p75", "p95", "naive", "trend"];
    let mut columns = vec![
        Column::new("series".into(), series),
        Column::new("date".into(), date),
        Column::new("horizon_months".into(), horizon),
    ];
    columns.extend(names.iter().zip(cols).map(|(n, c)| Column::new((*n).into(), c)));
    DataFrame::new_infer_height(columns).map_err(|e| Error::Run(format!("backtest table: {e}")))
}

/// `scores.csv`: one row per series and method.
pub fn scores_frame(results: &BacktestResults) -> Result<DataFrame> {
    let s = &results.scores;
    let nan_none = |v: f64| v.is_finite().then_some(v);
    let columns = vec![
        Column::new("series".into(), s.iter().map(|x| x.series.clone()).collect::<Vec<_>>()),
        Column::new("method".into(), s.iter().map(|x| x.method.name()).collect::<Vec<_>>()),
        Column::new("mape".into(), s.iter().map(|x| nan_none(x.mape)).collect::<Vec<_>>()),
        Column::new("mase".into(), s.iter().map(|x| nan_none(x.mase)).collect::<Vec<_>>()),
        Column::new("coverage_50".into(), s.iter().map(|x| x.coverage_50).collect::<Vec<_>>()),
        Column::new("coverage_90".into(), s.iter().map(|x| x.coverage_90).collect::<Vec<_>>()),
        Column::new("points".into(), s.iter().map(|x| x.points as u64).collect::<Vec<_>>()),
    ];
    DataFrame::new_infer_height(columns).map_err(|e| Error::Run(format!("scores table: {e}")))
}

/// Reads a backtest folder written by [`write`].
pub fn load(dir: &Path) -> Result<BacktestResults> {
    let meta_path = dir.join("meta.json");
    let text = std::fs::read_to_string(&meta_path).map_err(|e| Error::io(&meta_path, e))?;
    let meta: BacktestMeta = serde_json::from_str(&text).map_err(|e| {
        Error::input(&meta_path, format!("line {}", e.line()), format!("not a wfcast backtest's metadata: {e}"))
    })?;
    let read = |name: &str| -> Result<(std::path::PathBuf, DataFrame)> {
        let path = dir.join(name);
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(path.clone()))
            .and_then(|r| r.finish())
            .map_err(|e| Error::input(&path, "", format!("cannot read the backtest table: {e}")))?;
        Ok((path, df))
    };
    let (path, df) = read("backtest.csv")?;
    let table = Columns::new(&path, &df, "backtest table");
    let (series, date, value) = (table.text("series")?, table.text("date")?, table.num("actual")?);
    let forecast: Vec<Vec<Option<f64>>> =
        ["p05", "p25", "p50", "p75", "p95", "naive", "trend"].iter().map(|n| table.num(n)).collect::<Result<_>>()?;
    let train_until = Month::parse(&meta.train_until).unwrap_or(Month(i32::MIN));
    let (mut actuals, mut points) = (Vec::new(), Vec::new());
    for i in 0..df.height() {
        let series = series[i].clone().unwrap_or_default();
        let date = date[i].as_deref().and_then(Month::parse).ok_or_else(|| {
            Error::input(&path, format!("data row {}", i + 1), format!("date `{:?}` is not YYYY-MM", date[i]))
        })?;
        let actual = value[i].unwrap_or(f64::NAN);
        actuals.push(Actual { series: series.clone(), date, value: actual });
        if let [Some(a), Some(b), Some(c), Some(d), Some(e), Some(naive), Some(trend)] =
            std::array::from_fn::<_, 7, _>(|k| forecast[k][i])
        {
            points.push(Point {
                series,
                date,
                horizon_months: date.0 - train_until.0,
                actual,
                p: [a, b, c, d, e],
                naive,
                trend,
            });
        }
    }
    let (path, df) = read("scores.csv")?;
    let table = Columns::new(&path, &df, "backtest table");
    let (series, method) = (table.text("series")?, table.text("method")?);
    let nums: Vec<Vec<Option<f64>>> =
        ["mape", "mase", "coverage_50", "coverage_90", "points"].iter().map(|n| table.num(n)).collect::<Result<_>>()?;
    let scores = (0..df.height())
        .map(|i| {
            let m = method[i].as_deref().unwrap_or_default();
            let method = Method::ALL.into_iter().find(|x| x.name() == m).ok_or_else(|| {
                Error::input(
                    &path,
                    format!("data row {}", i + 1),
                    format!("method `{m}` is not wfcast, naive or trend"),
                )
            })?;
            Ok(Score {
                series: series[i].clone().unwrap_or_default(),
                method,
                mape: nums[0][i].unwrap_or(f64::NAN),
                mase: nums[1][i].unwrap_or(f64::NAN),
                coverage_50: nums[2][i],
                coverage_90: nums[3][i],
                points: nums[4][i].unwrap_or(0.0) as usize,
            })
        })
        .collect::<Result<_>>()?;
    Ok(BacktestResults { meta, actuals, points, scores })
}

/// Writes a backtest into `out/<folder_name>/`, whole or not at all: `backtest.csv`,
/// `scores.csv`, `calibration.toml` (the rates learnt from the training years),
/// `scenario.toml` and `baseline.csv` (what was run), `meta.json`, and whatever `more` writes
/// into the folder (the charts). Returns the folder.
pub fn write(bt: &Backtest, history: &Path, out: &Path, more: impl FnOnce(&Path) -> Result<()>) -> Result<PathBuf> {
    let r = &bt.results;
    let train_until = Month::parse(&r.meta.train_until).expect("written by backtest");
    let dest = out.join(folder_name(history, train_until));
    crate::export::write_folder(&dest, Some(("meta.json", "backtest")), |dir| {
        let csv = |name: &str, df: DataFrame| crate::export::write_csv(&dir.join(name), df);
        csv("backtest.csv", frame(r)?)?;
        csv("scores.csv", scores_frame(r)?)?;
        let text = |name: &str, body: String| -> Result<()> {
            let path = dir.join(name);
            std::fs::write(&path, body).map_err(|e| Error::io(&path, e))
        };
        text("calibration.toml", bt.calibration.to_toml())?;
        text("scenario.toml", bt.scenario_toml.clone())?;
        let snapshot = History {
            path: dir.join("baseline.csv"),
            flows_path: None,
            dates: vec![train_until],
            snapshots: vec![bt.baseline.clone()],
            flows: None,
            warnings: Vec::new(),
        };
        crate::history::write_csv(&snapshot, &dir.join("baseline.csv"), None)?;
        text("meta.json", serde_json::to_string_pretty(&r.meta).expect("JSON of plain values") + "\n")?;
        more(dir)
    })?;
    Ok(dest)
}
