//! `wfcast backtest`: calibrate on history up to a date, forecast the rest, score it.
use super::file_hash;
use std::path::PathBuf;
use wfcast_core::backtest::{self, Backtest, BacktestOptions};
use wfcast_core::error::Result;
use wfcast_report::{folder, report};

/// Options of `wfcast backtest`.
#[derive(Clone, Debug)]
pub struct BacktestCommand {
    /// The snapshots file.
    pub history: PathBuf,
    /// The flows file.
    pub flows: Option<PathBuf>,
    /// What to run.
    pub options: BacktestOptions,
    /// Worker threads (all cores when `None`); results do not depend on it.
    pub threads: Option<usize>,
    /// Output root: the backtest goes to `out/backtest-<history>-<date>/`.
    pub out: PathBuf,
    /// Whether to write report.html too.
    pub report: bool,
}

/// Calibrates on the history up to the training date, forecasts the rest, scores it and
/// writes the backtest folder; returns the backtest and its folder.
pub fn backtest(cmd: &BacktestCommand) -> Result<(Backtest, PathBuf)> {
    let history = wfcast_io::history::load(&cmd.history, cmd.flows.as_deref())?;
    super::print_warnings(None, &history.warnings);
    let files = (file_hash(&cmd.history)?, cmd.flows.as_deref().map(file_hash).transpose()?);
    // On the command's threads (`BacktestCommand::threads`, set up by the binary).
    let bt = backtest::backtest(&history, files, &cmd.options)?;
    let dir = folder::write_backtest(&bt, &cmd.history, &cmd.out)?;
    if cmd.report {
        report::write_report(&dir)?;
    }
    Ok((bt, dir))
}
