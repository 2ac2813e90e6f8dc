//! Comparing scenarios with common random numbers: per-run differences, `comparison.csv`.
//!
//! STUB: signatures are final; bodies are being completed.
use crate::commands::Prepared;
use crate::error::Result;
use crate::results::{Comparison, Results};
use crate::runner::{RunOptions, RunResult};
use std::path::{Path, PathBuf};

/// Runs every scenario with the same seed and run indices (common random numbers) and
/// compares each with the first. Returns each scenario's results and the comparison.
pub fn run_comparison(
    prepared: &[Prepared],
    options: &RunOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<(Vec<RunResult>, Comparison)> {
    let _ = (prepared, options, progress);
    unimplemented!()
}

/// Writes `out/<comparison name>/`: `comparison.csv`, `charts/`, and each scenario's own
/// outputs in a subfolder, swapped into place whole. Returns the folder.
pub fn write_comparison(comparison: &Comparison, scenarios: &[Results], out: &Path) -> Result<PathBuf> {
    let _ = (comparison, scenarios, out);
    unimplemented!()
}

impl Comparison {
    /// Reads a comparison folder written by [`write_comparison`].
    pub fn load(dir: &Path) -> Result<Comparison> {
        let _ = dir;
        unimplemented!()
    }

    /// A Markdown table of the last reporting date's England figures, scenario by scenario.
    pub fn markdown_table(&self) -> String {
        String::new()
    }
}
