//! `wfcast run`: scenarios run and their output folders written whole.
use super::progress_bar;
use std::path::{Path, PathBuf};
use wfcast_core::error::{Error, Result};
use wfcast_core::results::Results;
use wfcast_core::runner::{self, Prepared, RunOptions, RunResult};
use wfcast_io::export;
use wfcast_io::scenario::prepare_on;
use wfcast_report::{folder, report, xlsx};

/// Options of `wfcast run`.
#[derive(Clone, Debug)]
pub struct RunCommand {
    /// Scenario files.
    pub scenarios: Vec<PathBuf>,
    /// The baseline to run them on instead of their own (`--baseline`), if any.
    pub baseline: Option<PathBuf>,
    /// How to run them.
    pub options: RunOptions,
    /// Output root: results go to `out/<name>/`.
    pub out: PathBuf,
    /// Whether to show a progress bar (on a terminal, for runs that take more than a moment).
    pub progress: bool,
    /// Whether to write report.html too.
    pub report: bool,
    /// Whether to write the results as an Excel workbook too.
    pub xlsx: bool,
}

impl RunCommand {
    /// Reads and compiles every scenario (on `--baseline`, if given), printing their warnings,
    /// before anything runs.
    pub fn prepare(&self) -> Result<Vec<Prepared>> {
        let prepared: Vec<Prepared> =
            self.scenarios.iter().map(|p| prepare_on(p, self.baseline.as_deref())).collect::<Result<_>>()?;
        Ok(prepared)
    }
}

/// Runs each scenario, writes its outputs, and returns the results with their folders.
pub fn run(cmd: &RunCommand, mut on_done: impl FnMut(&RunResult, &Path)) -> Result<()> {
    // Read and check everything before running anything.
    let prepared = cmd.prepare()?;
    prepared.iter().for_each(|p| super::print_warnings(Some(&p.scenario.path), &p.model.warnings));
    for (i, a) in prepared.iter().enumerate() {
        if let Some(b) = prepared[..i].iter().find(|b| b.scenario.name == a.scenario.name) {
            return Err(Error::input(
                &a.scenario.path,
                "key name",
                format!(
                    "`{}` is also the name of {}: each scenario of a run needs its own name (its output folder)",
                    a.scenario.name,
                    b.scenario.path.display()
                ),
            ));
        }
    }
    for p in &prepared {
        let (bar, tick) = progress_bar(cmd.options.plan(&p.scenario).runs, cmd.progress);
        bar.set_message(p.scenario.name.clone());
        let result = runner::run_scenario(&p.scenario, &p.model, p.baseline_sha256.clone(), &cmd.options, &tick)?;
        bar.finish_and_clear();
        let mut exporters = folder::scenario_exporters();
        if cmd.xlsx {
            exporters.push(Box::new(xlsx::ResultsXlsx));
        }
        let dir = export::write_all(&Results::of(&result), &cmd.out, &exporters)?;
        if cmd.report {
            report::write_report(&dir)?;
        }
        on_done(&result, &dir);
    }
    Ok(())
}
