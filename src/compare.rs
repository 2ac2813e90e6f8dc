//! Comparing scenarios with common random numbers: per-run differences, `comparison.csv`.
//!
//! Every scenario of a comparison is run with the same seed and the same run indices, so run
//! `i` of two scenarios shares the random draws of every cell, route and parameter they share
//! (ARCHITECTURE.md, 'Invariants'). A series is matched across scenarios by what it measures
//! (date, level, role, band, region and metric names), never by its position, since scenarios
//! may differ in roles and supply routes. The difference of a series is taken run by run
//! (this scenario minus the first), and summarised over runs: what remains of it comes from
//! the policies, not from the noise of independent draws.
use crate::chart;
use crate::commands::Prepared;
use crate::error::{Error, Result};
use crate::export;
use crate::format;
use crate::results::{Columns, Comparison, ComparisonRow, Diff, Meta, Results, Row, rows_of};
use crate::runner::{self, RunOptions, RunResult};
use crate::summary::Stats;
use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

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

/// A series named by what it measures, so that it can be matched across scenarios whose
/// layouts differ (other roles, other supply routes).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey {
    /// Reporting date, `YYYY-MM`.
    pub date: String,
    /// Level name (`total`, `role`, ...).
    pub level: String,
    /// Role name, for levels that have one.
    pub role: Option<String>,
    /// Band label, for levels that have one.
    pub band: Option<String>,
    /// Region name, for levels that have one.
    pub region: Option<String>,
    /// Metric name (`headcount`, `joiners:<route>`, ...).
    pub metric: String,
}

impl SeriesKey {
    /// The key of a summary row.
    pub fn of(row: &Row) -> SeriesKey {
        SeriesKey {
            date: row.date.clone(),
            level: row.level.clone(),
            role: row.role.clone(),
            band: row.band.clone(),
            region: row.region.clone(),
            metric: row.metric.clone(),
        }
    }

    /// The England (level `total`) series of `metric` at `date`.
    pub fn total(date: &str, metric: &str) -> SeriesKey {
        SeriesKey {
            date: date.into(),
            level: "total".into(),
            role: None,
            band: None,
            region: None,
            metric: metric.into(),
        }
    }
}

/// A reported series of one scenario: its key, its column in the scenario's `RunSet`, and its
/// summary row.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportedSeries {
    /// What the series measures.
    pub key: SeriesKey,
    /// Its column in `RunResult::runs`.
    pub column: usize,
    /// The scenario's own summary of it (as in its `summary.csv`).
    pub row: Row,
}

/// The keys of the series a run result reports, with their columns in `RunResult::runs`, in
/// layout order (flows at the baseline date are left out, as in [`Results::of`]).
pub fn series_keys(result: &RunResult) -> Vec<(SeriesKey, usize)> {
    rows_of(result).iter().map(|(column, row)| (SeriesKey::of(row), *column)).collect()
}

/// The series a run result reports, in layout order, with the rows of its summary table
/// (flows at the baseline date are left out, as in [`Results::of`]).
pub fn reported_series(result: &RunResult) -> Vec<ReportedSeries> {
    rows_of(result).into_iter().map(|(column, row)| ReportedSeries { key: SeriesKey::of(&row), column, row }).collect()
}

/// The values of a series over runs (in run order), if the scenario reports it.
pub fn per_run(result: &RunResult, key: &SeriesKey) -> Option<Vec<f64>> {
    series_keys(result).into_iter().find(|(k, _)| k == key).map(|(_, c)| result.runs.column(c))
}

fn same_runs(reference: &RunResult, other: &RunResult) -> Result<()> {
    if reference.runs.runs != other.runs.runs {
        return Err(Error::Run(format!(
            "scenarios `{}` and `{}` were not run with the same run indices",
            reference.scenario.name, other.scenario.name
        )));
    }
    Ok(())
}

/// The per-run difference `other - reference` of a series, run by run, if both report it.
/// The two must hold the same run indices (they do when run by [`run_comparison`]).
pub fn per_run_difference(reference: &RunResult, other: &RunResult, key: &SeriesKey) -> Result<Option<Vec<f64>>> {
    same_runs(reference, other)?;
    let (Some(a), Some(b)) = (per_run(reference, key), per_run(other, key)) else { return Ok(None) };
    Ok(Some(b.iter().zip(&a).map(|(b, a)| b - a).collect()))
}

/// The per-run differences `other - reference` of every series both report, in the
/// reference's order. The two must hold the same run indices.
pub fn per_run_differences(reference: &RunResult, other: &RunResult) -> Result<Vec<(SeriesKey, Vec<f64>)>> {
    same_runs(reference, other)?;
    let theirs: HashMap<SeriesKey, usize> = series_keys(other).into_iter().collect();
    Ok(series_keys(reference)
        .into_iter()
        .filter_map(|(key, a)| {
            let b = *theirs.get(&key)?;
            let (va, vb) = (reference.runs.values.column(a), other.runs.values.column(b));
            let diff = vb.iter().zip(va.iter()).map(|(b, a)| b - a).collect();
            Some((key, diff))
        })
        .collect())
}

/// Checks that scenario names can name the subfolders of one comparison folder: distinct,
/// and not `charts`. Returns the index and a message for the first that cannot.
fn name_clash(names: &[&str]) -> Option<(usize, String)> {
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|n| n == name) {
            return Some((
                i,
                format!(
                    "`{name}` is also the name of scenario {} of the comparison: each scenario compared needs its \
                     own name (its subfolder)",
                    j + 1
                ),
            ));
        }
        if *name == "charts" {
            return Some((i, "`charts` cannot name a compared scenario: it is the comparison's charts folder".into()));
        }
    }
    None
}

/// Runs every scenario with the same seed and run indices (common random numbers) and
/// compares each with the first. Returns each scenario's results and the comparison.
///
/// The seed is `options.seed`, else the first scenario's; the runs are `0..n` with
/// `n = options.runs`, else the first scenario's `runs` (1 in deterministic mode).
pub fn run_comparison(
    prepared: &[Prepared],
    options: &RunOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<(Vec<RunResult>, Comparison)> {
    let Some(first) = prepared.first() else {
        return Err(Error::Run("a comparison needs at least one scenario".into()));
    };
    let names: Vec<&str> = prepared.iter().map(|p| p.scenario.name.as_str()).collect();
    if let Some((i, message)) = name_clash(&names) {
        return Err(Error::input(&prepared[i].scenario.path, "key name", message));
    }
    let options = RunOptions {
        seed: Some(options.seed.unwrap_or(first.scenario.seed)),
        runs: Some(options.runs.unwrap_or(first.scenario.runs)),
        ..options.clone()
    };
    let results: Vec<RunResult> = prepared
        .iter()
        .map(|p| runner::run_scenario(&p.scenario, &p.model, p.baseline_sha256.clone(), &options, progress))
        .collect::<Result<_>>()?;
    let comparison = runner::with_threads(options.threads, || compare_results(&results))??;
    Ok((results, comparison))
}

/// Compares results of scenarios run with the same seed, mode and run indices: every series
/// they all report, each scenario's summary of it, and for scenarios after the first the
/// distribution over runs of the per-run difference from the first. Uses the current rayon
/// pool.
pub fn compare_results(results: &[RunResult]) -> Result<Comparison> {
    let Some(first) = results.first() else {
        return Err(Error::Run("a comparison needs at least one scenario".into()));
    };
    let names: Vec<&str> = results.iter().map(|r| r.scenario.name.as_str()).collect();
    if let Some((_, message)) = name_clash(&names) {
        return Err(Error::Run(message));
    }
    for r in &results[1..] {
        let what = |x: &str| {
            Err(Error::Run(format!(
                "scenarios `{}` and `{}` were run with different {x}: a comparison needs common random numbers",
                first.scenario.name, r.scenario.name
            )))
        };
        if r.seed != first.seed {
            return what("seeds");
        }
        if r.mode != first.mode {
            return what("modes");
        }
        if r.runs.runs != first.runs.runs {
            return what("run indices");
        }
    }
    let series: Vec<Vec<ReportedSeries>> = results.iter().map(reported_series).collect();
    let lookups: Vec<HashMap<&SeriesKey, &ReportedSeries>> =
        series.iter().map(|s| s.iter().map(|x| (&x.key, x)).collect()).collect();
    // The shared series, in the first scenario's order, with each scenario's entry.
    let shared: Vec<Vec<&ReportedSeries>> = series[0]
        .iter()
        .filter_map(|s| lookups.iter().map(|l| l.get(&s.key).copied()).collect::<Option<Vec<_>>>())
        .collect();
    if shared.is_empty() {
        return Err(Error::Run(format!(
            "scenarios {} have no series in common (no shared reporting date, level and metric): nothing to compare",
            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    let n = first.runs.runs.len();
    let mut rows = Vec::with_capacity(shared.len() * results.len());
    for (k, r) in results.iter().enumerate() {
        let name = &r.scenario.name;
        let diffs: Vec<Option<Diff>> = shared
            .par_iter()
            .map(|entries| {
                (k > 0).then(|| {
                    let (a, b) = (entries[0], entries[k]);
                    let va = first.runs.values.column(a.column);
                    let vb = r.runs.values.column(b.column);
                    let diff: Vec<f64> = vb.iter().zip(va.iter()).map(|(b, a)| b - a).collect();
                    let st = Stats::of(&diff);
                    let p_gap_smaller = (a.key.metric == "gap_fte").then(|| {
                        let smaller =
                            va.iter().zip(vb.iter()).filter(|(a, b)| **b < **a - 1e-9 * a.abs().max(1.0)).count();
                        smaller as f64 / n as f64
                    });
                    Diff { mean: st.mean, p: st.p, p_gap_smaller }
                })
            })
            .collect();
        rows.extend(shared.iter().zip(diffs).map(|(entries, diff)| ComparisonRow {
            scenario: name.clone(),
            row: entries[k].row.clone(),
            diff,
        }));
    }
    let scenarios = results
        .iter()
        .map(|r| {
            let mut meta = Meta::of(r);
            // Whole milliseconds: a short decimal reads back from comparison.json exactly.
            meta.wall_time_seconds = (meta.wall_time_seconds * 1000.0).round() / 1000.0;
            meta
        })
        .collect();
    Ok(Comparison { name: format!("compare-{}", names.join("-")), scenarios, rows })
}

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
    mode: String,
    /// wfcast version that made the comparison.
    version: String,
    /// What was run, per scenario, in order.
    scenarios: Vec<Meta>,
}

fn polars_err(path: &Path) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::io(path, std::io::Error::other(e.to_string()))
}

/// Writes `out/<comparison name>/`: `comparison.csv`, `charts/`, and each scenario's own
/// outputs in a subfolder, swapped into place whole. Returns the folder.
///
/// `scenarios` are the compared scenarios' results, in the comparison's order. A folder of
/// that name that is not a comparison folder (no `comparison.json`) is never replaced.
pub fn write_comparison(comparison: &Comparison, scenarios: &[Results], out: &Path) -> Result<PathBuf> {
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
    export::write_folder(&dest, Some((COMPARISON_JSON, "comparison")), |tmp| write_files(comparison, scenarios, tmp))?;
    Ok(dest)
}

fn write_files(comparison: &Comparison, scenarios: &[Results], dir: &Path) -> Result<()> {
    let csv = dir.join("comparison.csv");
    let mut df = comparison.frame()?;
    let file = fs::File::create(&csv).map_err(|e| Error::io(&csv, e))?;
    CsvWriter::new(file).include_header(true).finish(&mut df).map_err(polars_err(&csv))?;

    let json = dir.join(COMPARISON_JSON);
    let first = comparison.scenarios.first();
    let doc = ComparisonJson {
        name: comparison.name.clone(),
        reference: first.map(|m| m.scenario.clone()).unwrap_or_default(),
        seed: first.map(|m| m.seed).unwrap_or_default(),
        runs: first.map(|m| m.runs).unwrap_or_default(),
        mode: first.map(|m| m.mode.clone()).unwrap_or_default(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenarios: comparison.scenarios.clone(),
    };
    let text = serde_json::to_string_pretty(&doc).expect("JSON of plain values");
    fs::write(&json, text + "\n").map_err(|e| Error::io(&json, e))?;

    let charts = dir.join("charts");
    fs::create_dir_all(&charts).map_err(|e| Error::io(&charts, e))?;
    chart::write_comparison_charts(comparison, &charts)?;

    let exporters = export::default_exporters();
    for results in scenarios {
        let sub = dir.join(&results.meta.scenario);
        fs::create_dir_all(&sub).map_err(|e| Error::io(&sub, e))?;
        exporters.iter().try_for_each(|e| e.write(results, &sub))?;
    }
    Ok(())
}

/// Thousands-separated whole number: `-12,345`; with `signed`, positive numbers get a `+`.
fn fmt_num(x: f64, signed: bool) -> String {
    if signed { format::signed(x, 0) } else { format::grouped(x, 0) }
}

fn fmt_share(p: Option<f64>) -> String {
    match p {
        Some(p) if p.is_finite() => format!("{:.0}%", p * 100.0),
        _ => "-".into(),
    }
}

/// A table cell: `|`, which would end the cell, escaped.
fn md_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

impl Comparison {
    /// Reads a comparison folder written by [`write_comparison`].
    pub fn load(dir: &Path) -> Result<Comparison> {
        let json_path = dir.join(COMPARISON_JSON);
        let text = fs::read_to_string(&json_path).map_err(|e| Error::io(&json_path, e))?;
        let doc: ComparisonJson = serde_json::from_str(&text).map_err(|e| {
            Error::input(&json_path, format!("line {}", e.line()), format!("not a wfcast comparison: {e}"))
        })?;
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
        let nums: Vec<Vec<Option<f64>>> =
            COMPARISON_COLUMNS[7..].iter().map(|c| table.num(c)).collect::<Result<_>>()?;
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
    pub fn frame(&self) -> Result<DataFrame> {
        let rows = &self.rows;
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

    /// The row of `scenario` for a series, if the comparison has it.
    pub fn row(&self, scenario: &str, key: &SeriesKey) -> Option<&ComparisonRow> {
        self.rows.iter().find(|r| {
            r.scenario == scenario
                && r.row.date == key.date
                && r.row.level == key.level
                && r.row.metric == key.metric
                && r.row.role == key.role
                && r.row.band == key.band
                && r.row.region == key.region
        })
    }

    /// The last reporting date of the comparison (`YYYY-MM`), if it has any rows.
    pub fn last_date(&self) -> Option<&str> {
        self.rows.iter().map(|r| r.row.date.as_str()).max()
    }

    /// A Markdown table of the last reporting date's England figures, scenario by scenario.
    pub fn markdown_table(&self) -> String {
        let Some(date) = self.last_date() else { return String::new() };
        let Some(reference) = self.scenarios.first() else { return String::new() };
        let deterministic = reference.mode == "deterministic";
        let runs = reference.runs;
        let mut out = if deterministic {
            format!("### England at {date}: deterministic (1 run, parameters at their means)\n\n")
        } else {
            format!(
                "### England at {date}: {runs} run{} per scenario, seed {}, common random numbers; median (5th to \
                 95th percentile)\n\n",
                if runs == 1 { "" } else { "s" },
                reference.seed
            )
        };
        let first = md_cell(&reference.scenario);
        let mut header = String::from("|  |");
        let mut rule = String::from("|---|");
        for m in &self.scenarios {
            header.push_str(&format!(" {} |", md_cell(&m.scenario)));
            rule.push_str("---:|");
        }
        out.push_str(&header);
        out.push('\n');
        out.push_str(&rule);
        out.push('\n');
        let spread = |median: f64, low: f64, high: f64, signed: bool| {
            if deterministic {
                fmt_num(median, signed)
            } else {
                format!("{} ({} to {})", fmt_num(median, signed), fmt_num(low, signed), fmt_num(high, signed))
            }
        };
        let row_of = |i: usize, metric: &str| self.row(&self.scenarios[i].scenario, &SeriesKey::total(date, metric));
        let mut line = |label: String, cell: &dyn Fn(usize) -> String| {
            out.push_str(&format!("| {label} |"));
            for i in 0..self.scenarios.len() {
                out.push_str(&format!(" {} |", cell(i)));
            }
            out.push('\n');
        };
        for (label, metric) in [("Supply FTE", "fte"), ("Demand FTE", "demand_fte"), ("Gap FTE", "gap_fte")] {
            line(label.into(), &|i| match row_of(i, metric) {
                Some(r) if deterministic => fmt_num(r.row.mean, false),
                Some(r) => spread(r.row.p[2], r.row.p[0], r.row.p[4], false),
                None => "-".into(),
            });
        }
        line("P(shortfall)".into(), &|i| fmt_share(row_of(i, "gap_fte").and_then(|r| r.row.p_shortfall)));
        if self.scenarios.len() > 1 {
            line(format!("Gap FTE minus {first}"), &|i| match row_of(i, "gap_fte").and_then(|r| r.diff.as_ref()) {
                Some(d) => spread(d.p[2], d.p[0], d.p[4], true),
                None => "-".into(),
            });
            line(format!("P(gap smaller than {first})"), &|i| {
                fmt_share(row_of(i, "gap_fte").and_then(|r| r.diff.as_ref()).and_then(|d| d.p_gap_smaller))
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators_and_signs() {
        assert_eq!(fmt_num(0.0, false), "0");
        assert_eq!(fmt_num(999.4, false), "999");
        assert_eq!(fmt_num(1234.5, false), "1,235");
        assert_eq!(fmt_num(-1_234_567.0, false), "-1,234,567");
        assert_eq!(fmt_num(1_234_567.0, true), "+1,234,567");
        assert_eq!(fmt_num(-0.2, true), "0");
        assert_eq!(fmt_num(f64::NAN, false), "-");
    }

    #[test]
    fn names_must_be_distinct_and_not_charts() {
        assert!(name_clash(&["a", "b"]).is_none());
        assert_eq!(name_clash(&["a", "b", "a"]).map(|c| c.0), Some(2));
        assert_eq!(name_clash(&["a", "charts"]).map(|c| c.0), Some(1));
    }
}
