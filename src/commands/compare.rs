//! `wfcast compare`: scenarios run with common random numbers and the comparison folder written.
use super::{RunCommand, progress_bar};
use std::path::Path;
use wfcast_core::compare;
use wfcast_core::error::Result;
use wfcast_core::results::{Comparison, Results};
use wfcast_report::{folder, report, xlsx};

/// Runs scenarios with common random numbers, writes the comparison folder, and returns it.
pub fn compare(cmd: &RunCommand, on_done: impl FnOnce(&Comparison, &Path)) -> Result<()> {
    let prepared = cmd.prepare()?;
    let runs = cmd.options.plan(&prepared[0].scenario).runs * prepared.len() as u64;
    let (bar, tick) = progress_bar(runs, cmd.progress);
    bar.set_message("compare");
    let (results, comparison) = compare::run_comparison(&prepared, &cmd.options, &tick)?;
    bar.finish_and_clear();
    let tables: Vec<Results> = results.iter().map(Results::of).collect();
    let dir = folder::write_comparison(&comparison, &tables, &cmd.out)?;
    if cmd.xlsx {
        xlsx::write_comparison_workbook(&comparison, &dir)?;
    }
    if cmd.report {
        report::write_report(&dir)?;
    }
    on_done(&comparison, &dir);
    Ok(())
}
