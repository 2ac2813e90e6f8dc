//! Excel workbooks of results: a run's or a comparison's tables (and charts) as `.xlsx`.
//!
//! A run's `results.xlsx` ([`ResultsXlsx`]) has a `Headline` sheet (the area's totals of staff
//! in post, demand and the gap at each reporting date, formatted for a board paper), one sheet
//! per level of aggregation in the long format of `summary.csv`, a `Charts` sheet with the PNGs
//! of the folder's `charts/` and an `About` sheet (what was run, with which files). A
//! comparison's `comparison.xlsx` ([`write_comparison_workbook`]) has the same four kinds of
//! sheet for a comparison: each scenario's totals at the last date with its difference
//! from the first, the whole of `comparison.csv`, the comparison charts and what was run.
//!
//! Every number is written as a number (formatted, never as text), so that the sheets can be
//! filtered, summed and charted; missing values are empty cells. Sheet names are made valid
//! Excel names (at most 31 characters, none of `[]:*?/\`, distinct).
use rust_xlsxwriter::XlsxError;
use std::path::{Path, PathBuf};
use wfcast_core::error::{Error, Result};
use wfcast_core::results::{Comparison, Results};
use wfcast_io::export::{self, Exporter, OutputFile};

mod about;
mod charts;
mod comparison;
mod results;
mod sheets;
#[cfg(test)]
mod tests;

use crate::chart::CHARTS_DIR;
use crate::format::{area, display_title, shared_area};
use charts::{chart_images, is_png, read_pngs};
use comparison::comparison_workbook;
use results::results_workbook;

/// The file name of a run's workbook.
pub const RESULTS_XLSX: &str = "results.xlsx";

/// The file name of a comparison's workbook.
pub const COMPARISON_XLSX: &str = "comparison.xlsx";

/// `results.xlsx`: the run's headline, its summary table level by level, its charts (the PNGs
/// made before it in the folder's `charts/`: put this exporter after [`crate::chart::Charts`])
/// and what was run.
pub struct ResultsXlsx;

impl Exporter for ResultsXlsx {
    fn files(&self, results: &Results, made: &[OutputFile]) -> Result<Vec<OutputFile>> {
        let in_charts = |p: &Path| p.parent() == Some(Path::new(CHARTS_DIR)) && is_png(p);
        let pngs = made.iter().filter(|(p, _)| in_charts(p)).cloned().collect();
        let path = PathBuf::from(RESULTS_XLSX);
        let charts = chart_images(pngs, &results.roles(), "", area(&results.meta))?;
        let bytes = results_workbook(results, &charts).map_err(xlsx_error(&path))?;
        Ok(vec![(path, bytes)])
    }
}

/// Writes `results.xlsx` for `results` into the output folder `dir` (whole or not at all),
/// embedding the PNGs of `dir/charts/` if there are any, and returns its path.
pub fn write_results_workbook(results: &Results, dir: &Path) -> Result<PathBuf> {
    let path = dir.join(RESULTS_XLSX);
    let charts = chart_images(read_pngs(&dir.join(CHARTS_DIR))?, &results.roles(), "", area(&results.meta))?;
    let bytes = results_workbook(results, &charts).map_err(xlsx_error(&path))?;
    export::write_file(&path, &bytes)?;
    Ok(path)
}

/// Writes `comparison.xlsx` into the comparison folder `dir` (whole or not at all: it may be
/// the folder [`wfcast_core::compare::write_comparison`] returned), embedding the PNGs of
/// `dir/charts/` if there are any, and returns its path.
pub fn write_comparison_workbook(comparison: &Comparison, dir: &Path) -> Result<PathBuf> {
    let path = dir.join(COMPARISON_XLSX);
    let first = comparison.scenarios.first().map(display_title).unwrap_or_default();
    let charts = chart_images(read_pngs(&dir.join(CHARTS_DIR))?, &[], first, &shared_area(&comparison.scenarios))?;
    let bytes = comparison_workbook(comparison, &charts).map_err(xlsx_error(&path))?;
    export::write_file(&path, &bytes)?;
    Ok(path)
}

fn xlsx_error(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::io(path, std::io::Error::other(format!("writing the workbook: {e}")))
}
