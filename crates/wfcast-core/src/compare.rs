//! Comparing scenarios with common random numbers: per-run differences and their summaries.
//!
//! Every scenario of a comparison is run with the same seed and the same run indices, so run
//! `i` of two scenarios shares the random draws of every cell, route and parameter they share
//! (ARCHITECTURE.md, 'Invariants'). A series is matched across scenarios by what it measures
//! (date, level, role, band, region and metric names), never by its position, since scenarios
//! may differ in roles and supply routes. The difference of a series is taken run by run
//! (this scenario minus the first), and summarised over runs: what remains of it comes from
//! the policies, not from the noise of independent draws.
use crate::error::{Error, Result};
use crate::results::{Comparison, ComparisonRow, Diff, Meta, Row, rows_of};
use crate::runner::{self, Prepared, RunOptions, RunResult};
use crate::summary::Stats;
use rayon::prelude::*;
use std::collections::HashMap;

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
            let (va, vb) = (reference.runs.column(a), other.runs.column(b));
            let diff = vb.iter().zip(va.iter()).map(|(b, a)| b - a).collect();
            Some((key, diff))
        })
        .collect())
}

/// Checks that scenario names can name the subfolders of one comparison folder: distinct,
/// and not `charts`. Returns the index and a message for the first that cannot.
pub fn name_clash(names: &[&str]) -> Option<(usize, String)> {
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
    let options = options.pinned_to(&first.scenario);
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
                    let va = first.runs.column(a.column);
                    let vb = r.runs.column(b.column);
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

impl Comparison {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_distinct_and_not_charts() {
        assert!(name_clash(&["a", "b"]).is_none());
        assert_eq!(name_clash(&["a", "b", "a"]).map(|c| c.0), Some(2));
        assert_eq!(name_clash(&["a", "charts"]).map(|c| c.0), Some(1));
    }
}
