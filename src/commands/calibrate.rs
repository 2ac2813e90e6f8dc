//! `wfcast calibrate`: rates learnt from history and written as a scenario fragment.
use super::same_file;
use std::path::PathBuf;
use wfcast_core::calibrate::{self, CalibrateOptions, Calibration};
use wfcast_core::error::{Error, Result};
use wfcast_io::export;

/// Options of `wfcast calibrate`.
#[derive(Clone, Debug)]
pub struct CalibrateCommand {
    /// The snapshots file.
    pub history: PathBuf,
    /// The flows file, if any.
    pub flows: Option<PathBuf>,
    /// The scenario fragment to write.
    pub out: PathBuf,
    /// How to calibrate.
    pub options: CalibrateOptions,
}

/// The first line of every fragment `calibrate` writes: an existing file is replaced only if
/// it starts with it, so a user's own scenario is never overwritten.
pub const FRAGMENT_MARK: &str = "# Calibrated by `wfcast calibrate`";

/// Learns rates from history and writes them as a scenario fragment.
pub fn calibrate(cmd: &CalibrateCommand) -> Result<Calibration> {
    let history = wfcast_io::history::load(&cmd.history, cmd.flows.as_deref())?;
    super::print_warnings(None, &history.warnings);
    for input in std::iter::once(&cmd.history).chain(&cmd.flows) {
        if same_file(input, &cmd.out) {
            return Err(Error::input("", "--out", format!("{} is an input: not overwriting it", cmd.out.display())));
        }
    }
    if cmd.out.exists() {
        let head = std::fs::read(&cmd.out).map_err(|e| Error::io(&cmd.out, e))?;
        if !head.starts_with(FRAGMENT_MARK.as_bytes()) {
            return Err(Error::input(
                &cmd.out,
                "",
                "exists and was not written by `wfcast calibrate`: not replacing it; choose another --out",
            ));
        }
    }
    let calibration = calibrate::calibrate(&history, &cmd.options)?;
    let text = calibration.to_toml();
    debug_assert!(text.starts_with(FRAGMENT_MARK));
    super::create_parents([cmd.out.as_path()])?;
    export::write_file(&cmd.out, text.as_bytes())?;
    Ok(calibration)
}
