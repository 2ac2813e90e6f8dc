//! A comparison's folder: `comparison.csv` and `comparison.json` written and read back.
use crate::export::{self, Exporter};
use crate::results::Columns;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use wfcast_core::compare::name_clash;
use wfcast_core::engine::Mode;
use wfcast_core::error::{Error, Result};
use wfcast_core::results::{Comparison, ComparisonRow, Diff, Meta, Results, Row};

/// The columns of `comparison.csv`, in order.
pub const COMPARISON_COLUMNS: [&str; 22] = [
    "scenario",
    "date",
    "level",
    "role",
    "band",
    "region",
    "metric",
    "mean",
    "sd",
    "p05",
    "p25",
    "p50",
    "p75",
    "p95",
    "p_shortfall",
    "diff_mean",
    "diff_p05",
    "diff_p25",
    "diff_p50",
    "diff_p75",
    "diff_p95",
    "p_gap_smaller",
];

/// The name of the file describing what a comparison ran (and marking a comparison folder).
pub const COMPARISON_JSON: &str = "comparison.json";

/// The contents of `comparison.json`.
#[derive(Debug, Serialize, Deserialize)]
struct ComparisonJson {
    /// The comparison's name (its folder).
    name: String,
    /// The reference scenario: the one every other is compared with.
    reference: String,
    /// The seed every scenario was run with.
    seed: u64,
    /// Runs per scenario.
    runs: u64,
    /// `stochastic` or `deterministic`.
    mode: Mode,
    /// wfcast version that made the comparison.
    version: String,
    /// What was run, per scenario, in order.
    scenarios: Vec<Meta>,
}

/// Writes `out/<comparison name>/`: `comparison.csv`, `comparison.json`, each scenario's own
/// outputs (written by `exporters`) in a subfolder, and whatever `more` writes (the charts),
/// swapped into place whole. Returns the folder.
///
/// `scenarios` are the compared scenarios' results, in the comparison's order. A folder of
/// that name that is not a comparison folder (no `comparison.json`) is never replaced.
pub fn write(
    comparison: &Comparison,
    scenarios: &[Results],
    out: &Path,
    exporters: &[Box<dyn Exporter>],
    more: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    let expected: Vec<&str> = comparison.scenarios.iter().map(|m| m.scenario.as_str()).collect();
    let given: Vec<&str> = scenarios.iter().map(|r| r.meta.scenario.as_str()).collect();
    if expected != given {
        return Err(Error::Run(format!(
            "the comparison `{}` is of scenarios {expected:?}, but results of {given:?} were given",
            comparison.name
        )));
    }
    if let Some((_, message)) = name_clash(&given) {
        return Err(Error::Run(message));
    }
    let dest = out.join(&comparison.name);
    export::write_folder(&dest, Some((COMPARISON_JSON, "comparison")), |tmp| {
        write_files(comparison, scenarios, tmp, exporters)?;
        more(tmp)
    })?;
    Ok(dest)
}

fn write_files(
    comparison: &Comparison,
    scenarios: &[Results],
    dir: &Path,
    exporters: &[Box<dyn Exporter>],
) -> Result<()> {
    let csv = export::csv_bytes(&dir.join("comparison.csv"), frame(comparison)?)?;
    let first = comparison.scenarios.first();
    let doc = ComparisonJson {
        name: comparison.name.clone(),
        reference: first.map(|m| m.scenario.clone()).unwrap_or_default(),
        seed: first.map(|m| m.seed).unwrap_or_default(),
        runs: first.map(|m| m.runs).unwrap_or_default(),
        mode: first.map_or(Mode::Stochastic, |m| m.mode),
        version: env!("CARGO_PKG_VERSION").into(),
        scenarios: comparison.scenarios.clone(),
    };
    let json = serde_json::to_string_pretty(&doc).expect("JSON of plain values") + "\n";
    export::write_into(dir, &[("comparison.csv".into(), csv), (COMPARISON_JSON.into(), json.into_bytes())])?;

    for results in scenarios {
        let sub = dir.join(&results.meta.scenario);
        fs::create_dir_all(&sub).map_err(|e| Error::io(&sub, e))?;
        export::write_into(&sub, &export::files_of(results, exporters)?)?;
    }
    Ok(())
}

/// Reads a comparison folder written by [`write`].
pub fn load(dir: &Path) -> Result<Comparison> {
    let json_path = dir.join(COMPARISON_JSON);
    let text = fs::read_to_string(&json_path).map_err(|e| Error::io(&json_path, e))?;
    let doc: ComparisonJson = serde_json::from_str(&text)
        .map_err(|e| Error::input(&json_path, format!("line {}", e.line()), format!("not a wfcast comparison: {e}")))?;
    let path = dir.join("comparison.csv");
    let mut fields: Vec<Field> =
        COMPARISON_COLUMNS[..7].iter().map(|c| Field::new((*c).into(), DataType::String)).collect();
    fields.extend(COMPARISON_COLUMNS[7..].iter().map(|c| Field::new((*c).into(), DataType::Float64)));
    let schema: Schema = fields.into_iter().collect();
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .try_into_reader_with_file_path(Some(path.clone()))
        .and_then(|r| r.finish())
        .map_err(|e| Error::input(&path, "", format!("not a wfcast comparison table: {e}")))?;
    let table = Columns::new(&path, &df, "comparison table");
    let texts: Vec<Vec<Option<String>>> =
        COMPARISON_COLUMNS[..7].iter().map(|c| table.text(c)).collect::<Result<_>>()?;
    let nums: Vec<Vec<Option<f64>>> = COMPARISON_COLUMNS[7..].iter().map(|c| table.num(c)).collect::<Result<_>>()?;
    let names: Vec<&str> = doc.scenarios.iter().map(|m| m.scenario.as_str()).collect();
    let mut rows = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let line = i + 2;
        let t = |k: usize| texts[k][i].clone();
        let required = |k: usize| -> Result<String> {
            t(k).ok_or_else(|| {
                Error::input(&path, format!("line {line}"), format!("empty `{}`", COMPARISON_COLUMNS[k]))
            })
        };
        let num = |k: usize| nums[k - 7][i];
        let value = |k: usize| -> Result<f64> {
            num(k).ok_or_else(|| {
                Error::input(&path, format!("line {line}"), format!("empty `{}`", COMPARISON_COLUMNS[k]))
            })
        };
        let scenario = required(0)?;
        if !names.contains(&scenario.as_str()) {
            return Err(Error::input(
                &path,
                format!("line {line}"),
                format!("scenario `{scenario}` is not one of {COMPARISON_JSON}'s {names:?}"),
            ));
        }
        let row = Row {
            date: required(1)?,
            level: required(2)?,
            role: t(3),
            band: t(4),
            region: t(5),
            metric: required(6)?,
            mean: value(7)?,
            sd: value(8)?,
            p: [value(9)?, value(10)?, value(11)?, value(12)?, value(13)?],
            p_shortfall: num(14),
        };
        let diff = match num(15) {
            None => None,
            Some(mean) => Some(Diff {
                mean,
                p: [value(16)?, value(17)?, value(18)?, value(19)?, value(20)?],
                p_gap_smaller: num(21),
            }),
        };
        rows.push(ComparisonRow { scenario, row, diff });
    }
    Ok(Comparison { name: doc.name, scenarios: doc.scenarios, rows })
}

/// The comparison table as a polars frame, with the columns of `comparison.csv`
/// ([`COMPARISON_COLUMNS`]); the difference columns are empty for the first scenario.
pub fn frame(comparison: &Comparison) -> Result<DataFrame> {
    let rows = &comparison.rows;
    let text = |f: &dyn Fn(&ComparisonRow) -> Option<&str>| rows.iter().map(f).collect::<Vec<Option<&str>>>();
    let num = |f: &dyn Fn(&ComparisonRow) -> Option<f64>| rows.iter().map(f).collect::<Vec<Option<f64>>>();
    let mut columns = vec![
        Column::new("scenario".into(), text(&|r| Some(&r.scenario))),
        Column::new("date".into(), text(&|r| Some(&r.row.date))),
        Column::new("level".into(), text(&|r| Some(&r.row.level))),
        Column::new("role".into(), text(&|r| r.row.role.as_deref())),
        Column::new("band".into(), text(&|r| r.row.band.as_deref())),
        Column::new("region".into(), text(&|r| r.row.region.as_deref())),
        Column::new("metric".into(), text(&|r| Some(&r.row.metric))),
        Column::new("mean".into(), rows.iter().map(|r| r.row.mean).collect::<Vec<_>>()),
        Column::new("sd".into(), rows.iter().map(|r| r.row.sd).collect::<Vec<_>>()),
    ];
    for (k, name) in ["p05", "p25", "p50", "p75", "p95"].iter().enumerate() {
        columns.push(Column::new((*name).into(), rows.iter().map(|r| r.row.p[k]).collect::<Vec<_>>()));
    }
    columns.push(Column::new("p_shortfall".into(), num(&|r| r.row.p_shortfall)));
    columns.push(Column::new("diff_mean".into(), num(&|r| r.diff.as_ref().map(|d| d.mean))));
    for (k, name) in ["diff_p05", "diff_p25", "diff_p50", "diff_p75", "diff_p95"].iter().enumerate() {
        columns.push(Column::new((*name).into(), num(&|r| r.diff.as_ref().map(|d| d.p[k]))));
    }
    columns.push(Column::new("p_gap_smaller".into(), num(&|r| r.diff.as_ref().and_then(|d| d.p_gap_smaller))));
    DataFrame::new(rows.len(), columns).map_err(|e| Error::Run(format!("building the comparison table: {e}")))
}
