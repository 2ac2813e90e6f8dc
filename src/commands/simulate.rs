//! `wfcast simulate`: one run of a scenario written as an ESR-shaped history.
use super::same_file;
use std::path::{Path, PathBuf};
use wfcast_core::error::{Error, Result};
use wfcast_core::history::History;
use wfcast_core::runner::RunOptions;
use wfcast_core::simulate;
use wfcast_io::export;
use wfcast_io::scenario::prepare;

/// Options of `wfcast simulate`.
#[derive(Clone, Debug)]
pub struct SimulateCommand {
    /// The scenario to run once.
    pub scenario: PathBuf,
    /// Which run.
    pub run: u64,
    /// Seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Where to write the snapshots.
    pub snapshots: PathBuf,
    /// Where to write the flows.
    pub flows: PathBuf,
    /// Whether existing files may be replaced.
    pub force: bool,
}

/// Runs one run of a scenario and writes it as an ESR-shaped history (snapshots and flows).
pub fn simulate(cmd: &SimulateCommand) -> Result<History> {
    let prep = prepare(&cmd.scenario)?;
    super::print_warnings(Some(&cmd.scenario), &prep.model.warnings);
    for (flag, path) in [("--snapshots", &cmd.snapshots), ("--flows", &cmd.flows)] {
        let input =
            prep.scenario.files.iter().map(|(p, _)| p).chain([&prep.scenario.baseline]).any(|p| same_file(p, path));
        if input {
            return Err(Error::input(
                "",
                flag,
                format!("{} is an input of the scenario: not overwriting it", path.display()),
            ));
        }
        if path.exists() && !cmd.force {
            return Err(Error::input("", flag, format!("{} exists: not replacing it without --force", path.display())));
        }
    }
    if same_file(&cmd.snapshots, &cmd.flows) || cmd.snapshots == cmd.flows {
        return Err(Error::input("", "--flows", "must be another file than --snapshots"));
    }
    let seed = RunOptions { seed: cmd.seed, ..RunOptions::default() }.plan(&prep.scenario).seed;
    let mut history = simulate::simulate_history(&prep.model, seed, cmd.run, &cmd.snapshots)?;
    history.flows_path = Some(cmd.flows.clone());
    super::create_parents([cmd.snapshots.as_path(), cmd.flows.as_path()])?;
    write_both(&history, &cmd.snapshots, &cmd.flows)?;
    Ok(history)
}

/// Writes the history's snapshots and flows whole or not at all: both into temporary files
/// beside them, renamed into place only once both are written.
fn write_both(history: &History, snapshots: &Path, flows: &Path) -> Result<()> {
    let temps = [(export::temporary_beside(snapshots), snapshots), (export::temporary_beside(flows), flows)];
    let clean = || temps.iter().for_each(|(t, _)| _ = std::fs::remove_file(t));
    let written = wfcast_io::history::write_csv(history, &temps[0].0, Some(&temps[1].0))
        .and_then(|()| temps.iter().try_for_each(|(t, dest)| std::fs::rename(t, dest).map_err(|e| Error::io(dest, e))));
    if written.is_err() {
        clean();
    }
    written
}
