//! The self-contained HTML report of a scenario or comparison folder (charts inlined as SVG).
//!
//! STUB: signatures are final; bodies are being completed.
use crate::error::Result;
use std::path::{Path, PathBuf};

/// Writes `report.html` into an output folder (a scenario's or a comparison's), reading what
/// it needs from the folder; returns the file written.
pub fn write_report(dir: &Path) -> Result<PathBuf> {
    let _ = dir;
    unimplemented!()
}
