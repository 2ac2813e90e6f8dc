//! Writing results: one [`Exporter`] trait, one file each, written into place atomically.
//!
//! All files of a scenario are written into a temporary folder beside the output folder and
//! swapped in at the end, so a failed or interrupted run leaves the previous results whole.
use crate::error::{Error, Result};
use crate::runner::RunResult;
use polars::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

/// Writes one output file of a scenario's results into a folder.
pub trait Exporter {
    /// The file name it writes.
    fn file_name(&self) -> &'static str;
    /// Writes `result` to `path`.
    fn write(&self, result: &RunResult, path: &Path) -> Result<()>;
}

/// `summary.csv`: the long summary table.
pub struct SummaryCsv;
/// `summary.parquet`: the same table as Parquet.
pub struct SummaryParquet;
/// `meta.json`: what was run, with what, by which version.
pub struct Meta;

/// The summary table as a polars frame, one row per date x level x group x metric.
pub fn summary_frame(result: &RunResult) -> Result<DataFrame> {
    let layout = &result.layout;
    let n = result.stats.len();
    let mut date = Vec::with_capacity(n);
    let mut level = Vec::with_capacity(n);
    let mut role: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut band: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut region: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut metric = Vec::with_capacity(n);
    let mut cols: [Vec<f64>; 7] = Default::default();
    let mut shortfall: Vec<Option<f64>> = Vec::with_capacity(n);
    let dates: Vec<String> = layout.dates.iter().map(|d| d.to_string()).collect();
    for (s, st) in layout.series().iter().zip(&result.stats) {
        if s.flow && s.date == 0 {
            continue;
        }
        date.push(dates[s.date].as_str());
        level.push(s.level.name());
        role.push(s.group.role.map(|r| layout.roles[r].as_str()));
        band.push(s.group.band.map(|b| b.label()));
        region.push(s.group.region.map(|r| layout.regions[r].as_str()));
        metric.push(s.metric.clone());
        for (col, v) in cols.iter_mut().zip([st.mean, st.sd, st.p[0], st.p[1], st.p[2], st.p[3], st.p[4]]) {
            col.push(v);
        }
        shortfall.push((s.metric == "gap_fte").then_some(st.above_zero));
    }
    let rows = date.len();
    let mut columns = vec![
        Column::new("scenario".into(), vec![result.scenario.name.as_str(); rows]),
        Column::new("date".into(), date),
        Column::new("level".into(), level),
        Column::new("role".into(), role),
        Column::new("band".into(), band),
        Column::new("region".into(), region),
        Column::new("metric".into(), metric),
    ];
    for (name, col) in ["mean", "sd", "p05", "p25", "p50", "p75", "p95"].iter().zip(cols) {
        columns.push(Column::new((*name).into(), col));
    }
    columns.push(Column::new("p_shortfall".into(), shortfall));
    DataFrame::new(rows, columns).map_err(|e| Error::Run(format!("building the summary table: {e}")))
}

fn create(path: &Path) -> Result<fs::File> {
    fs::File::create(path).map_err(|e| Error::io(path, e))
}

fn polars_err(path: &Path) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::io(path, std::io::Error::other(e.to_string()))
}

impl Exporter for SummaryCsv {
    fn file_name(&self) -> &'static str {
        "summary.csv"
    }
    fn write(&self, result: &RunResult, path: &Path) -> Result<()> {
        let mut df = summary_frame(result)?;
        CsvWriter::new(create(path)?).include_header(true).finish(&mut df).map_err(polars_err(path))
    }
}

impl Exporter for SummaryParquet {
    fn file_name(&self) -> &'static str {
        "summary.parquet"
    }
    fn write(&self, result: &RunResult, path: &Path) -> Result<()> {
        let mut df = summary_frame(result)?;
        ParquetWriter::new(create(path)?).finish(&mut df).map(|_| ()).map_err(polars_err(path))
    }
}

impl Exporter for Meta {
    fn file_name(&self) -> &'static str {
        "meta.json"
    }
    fn write(&self, result: &RunResult, path: &Path) -> Result<()> {
        let s = &result.scenario;
        let files: Vec<serde_json::Value> =
            s.files.iter().map(|(p, h)| serde_json::json!({ "path": p.display().to_string(), "sha256": h })).collect();
        let meta = serde_json::json!({
            "scenario": s.name,
            "title": s.title,
            "file": s.path.display().to_string(),
            "sha256": s.files.first().map(|f| f.1.clone()),
            "files": files,
            "baseline": { "path": s.baseline.display().to_string(), "sha256": result.baseline_sha256 },
            "seed": result.seed,
            "runs": result.runs.runs.len(),
            "mode": match result.mode { crate::engine::Mode::Deterministic => "deterministic", crate::engine::Mode::Stochastic => "stochastic" },
            "start": s.start.to_string(),
            "end": s.end.to_string(),
            "step_months": s.step.months(),
            "report_dates": result.layout.dates.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            "levels": result.layout.levels().iter().map(|l| l.name()).collect::<Vec<_>>(),
            "version": env!("CARGO_PKG_VERSION"),
            "wall_time_seconds": result.wall_seconds,
        });
        let text = serde_json::to_string_pretty(&meta).expect("JSON of plain values");
        fs::write(path, text + "\n").map_err(|e| Error::io(path, e))
    }
}

/// The exporters every run writes.
pub fn default_exporters() -> Vec<Box<dyn Exporter>> {
    vec![Box::new(SummaryCsv), Box::new(SummaryParquet), Box::new(Meta)]
}

/// Writes `result` with `exporters` into `out/<scenario name>/`, replacing what was there
/// only once every file is written. Refuses to replace a folder that is not wfcast output.
pub fn write_all(result: &RunResult, out: &Path, exporters: &[Box<dyn Exporter>]) -> Result<PathBuf> {
    let name = &result.scenario.name;
    fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let dest = out.join(name);
    if dest.exists() && !dest.join("meta.json").exists() {
        return Err(Error::input(
            &dest,
            "",
            "exists and is not a wfcast output folder (no meta.json): not replacing it; choose another --out",
        ));
    }
    let tmp = out.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let written = exporters.iter().try_for_each(|e| e.write(result, &tmp.join(e.file_name())));
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    replace_dir(&tmp, &dest)?;
    Ok(dest)
}

/// Moves the folder `tmp` to `dest`, replacing `dest`; the old folder is removed only after
/// the new one is in place.
fn replace_dir(tmp: &Path, dest: &Path) -> Result<()> {
    if dest.exists() {
        let old = dest.with_file_name(format!(
            ".{}.old-{}",
            dest.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        fs::rename(dest, &old).map_err(|e| Error::io(dest, e))?;
        fs::rename(tmp, dest).map_err(|e| Error::io(dest, e))?;
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        fs::rename(tmp, dest).map_err(|e| Error::io(dest, e))?;
    }
    Ok(())
}
