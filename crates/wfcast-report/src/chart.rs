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
//!
//! The modules: `kit` (the look, drawing into both backends, the page around a plot), `axis`
//! and `fan` (shared by every family), then one module per family of charts: `scenario`
//! (supply and demand, gap, cost), `families`, `heatmap`, `flows`, `gaps` (by region and by
//! role), `compare` and `backtest`.
mod axis;
mod backtest;
mod compare;
mod families;
mod fan;
mod flows;
mod gaps;
mod heatmap;
mod kit;
mod scenario;
#[cfg(test)]
pub(crate) mod tests;

/// The date labels of the charts' time axes (they live with the other formatters).
pub use crate::format::{financial_year_label, month_label};
pub use backtest::{backtest_charts, backtest_stem, write_backtest_charts};
pub use gaps::GAP_BY_REGION_CHART;
/// File names of roles and scenarios, as the output folders spell them.
pub use wfcast_io::export::slug;

use compare::{compare_difference, compare_gap};
use families::supply_demand_families;
use flows::flows;
use gaps::{compare_gap_by_role, gap_by_region};
use heatmap::gap_heatmap;
use kit::{Figure, render};
use rayon::prelude::*;
use scenario::{cost, gap_total, supply_demand};
use std::path::{Path, PathBuf};
use wfcast_core::error::Result;
use wfcast_core::results::{Comparison, Results};
use wfcast_io::export::{self, Exporter, OutputFile};

/// Drawing one chart: the chart's value made from the results (none when its data is
/// missing), drawn to its files.
type Job<'a> = Box<dyn Fn() -> Result<Vec<OutputFile>> + Send + Sync + 'a>;

/// The job of drawing the chart `chart()` (if there is one) as `<stem>.png` and `<stem>.svg`.
fn job<'a, F: Figure>(stem: impl Into<String>, chart: impl Fn() -> Option<F> + Send + Sync + 'a) -> Job<'a> {
    let stem = stem.into();
    Box::new(move || chart().map_or(Ok(Vec::new()), |c| render(&c, &stem)))
}

/// Draws the charts of `jobs` side by side on rayon's threads (each chart alone takes a
/// noticeable share of a run), and returns their files in the order of `jobs`.
fn draw_all(jobs: Vec<Job<'_>>) -> Result<Vec<OutputFile>> {
    let files: Vec<Vec<OutputFile>> = jobs.par_iter().map(|draw| draw()).collect::<Result<_>>()?;
    Ok(files.concat())
}

/// Every chart of one scenario, as PNG and SVG: `<stem>.png` and `<stem>.svg` with their
/// bytes, in the order they are listed.
pub fn scenario_charts(results: &Results) -> Result<Vec<OutputFile>> {
    let mut jobs = vec![job("supply_demand_total", || supply_demand(results, None))];
    for role in results.roles() {
        jobs.push(job(format!("supply_demand_{}", slug(&role)), move || supply_demand(results, Some(&role))));
    }
    jobs.push(job(FAMILIES_CHART, || supply_demand_families(results)));
    jobs.push(job("gap_total", || gap_total(results)));
    jobs.push(job("gap_heatmap", || gap_heatmap(results)));
    jobs.push(job(GAP_BY_REGION_CHART, || gap_by_region(results)));
    jobs.push(job("flows", || flows(results)));
    jobs.push(job("cost", || cost(results)));
    draw_all(jobs)
}

/// The charts of a comparison, as PNG and SVG (see [`scenario_charts`]).
pub fn comparison_charts(comparison: &Comparison) -> Result<Vec<OutputFile>> {
    draw_all(vec![
        job("compare_gap", || compare_gap(comparison)),
        job("compare_gap_by_role", || compare_gap_by_role(comparison)),
        job("compare_difference", || compare_difference(comparison)),
    ])
}

/// Writes every chart of one scenario into `dir` (a `charts` folder, which must exist), as PNG
/// and SVG, and returns the files written.
pub fn write_scenario_charts(results: &Results, dir: &Path) -> Result<Vec<PathBuf>> {
    export::write_into(dir, &scenario_charts(results)?)
}

/// Writes the charts of a comparison into `dir` (a `charts` folder, which must exist), as PNG
/// and SVG, and returns the files written.
pub fn write_comparison_charts(comparison: &Comparison, dir: &Path) -> Result<Vec<PathBuf>> {
    export::write_into(dir, &comparison_charts(comparison)?)
}

/// The file stem of the chart of supply and demand by role family.
pub const FAMILIES_CHART: &str = "supply_demand_families";

/// The folder of an output folder that holds its charts.
pub const CHARTS_DIR: &str = "charts";

/// The `charts/` folder of an output folder.
pub struct Charts;

impl Exporter for Charts {
    fn files(&self, results: &Results, _made: &[OutputFile]) -> Result<Vec<OutputFile>> {
        let charts = Path::new(CHARTS_DIR);
        Ok(scenario_charts(results)?.into_iter().map(|(name, bytes)| (charts.join(name), bytes)).collect())
    }
}
