//! The commands behind the CLI, one file each, with plain arguments resolved by `cli`:
//! they read inputs through `wfcast-io`, run `wfcast-core`, render with `wfcast-report` and
//! write through `wfcast-io`'s one folder writer.
mod backtest;
mod calibrate;
mod compare;
mod plot;
mod run;
mod simulate;
mod validate;

pub use backtest::{BacktestCommand, backtest};
pub use calibrate::{CalibrateCommand, calibrate};
pub use compare::compare;
pub use plot::{plot, report};
pub use run::{RunCommand, run};
pub use simulate::{SimulateCommand, simulate};
pub use validate::validate;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wfcast_core::error::{Error, Result};
use wfcast_core::results::FileHash;
use wfcast_core::scenario::sha256_hex;

/// A progress bar that appears only after half a second, and only on a terminal.
pub(crate) fn progress_bar(total: u64, enabled: bool) -> (ProgressBar, impl Fn() + Sync) {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} runs ({eta} left)")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let shown = AtomicBool::new(!enabled);
    let start = Instant::now();
    let b = bar.clone();
    let tick = move || {
        b.inc(1);
        if !shown.load(Ordering::Relaxed) && start.elapsed() > Duration::from_millis(500) {
            shown.store(true, Ordering::Relaxed);
            b.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    (bar, tick)
}

/// Prints warnings on standard error before anything runs, one `warning:` line each: a
/// scenario's as compiled, after the scenario's path (`source`), or a history's as read (which
/// name their files themselves).
pub(crate) fn print_warnings(source: Option<&Path>, warnings: &[String]) {
    for w in warnings {
        match source {
            Some(s) => eprintln!("warning: {}: {w}", s.display()),
            None => eprintln!("warning: {w}"),
        }
    }
}

pub(crate) use wfcast_io::scenario::same_file;

/// Creates the folders (and their parents) that will hold the output files `files`, so that
/// an output can be written into a folder that does not exist yet.
pub(crate) fn create_parents<'a>(files: impl IntoIterator<Item = &'a Path>) -> Result<()> {
    for dir in files.into_iter().filter_map(Path::parent).filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    Ok(())
}

/// A file with its SHA-256, for `meta.json`.
pub(crate) fn file_hash(path: &Path) -> Result<FileHash> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(FileHash { path: path.display().to_string(), sha256: sha256_hex(&bytes) })
}
