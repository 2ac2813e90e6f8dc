//! The self-contained HTML report of a scenario or comparison folder (charts inlined as SVG).
//!
//! [`write_report`] reads an output folder and writes one `report.html` that opens with no
//! network and no JavaScript (a Content-Security-Policy forbids both): the CSS sits in a
//! `<style>` element and every chart's SVG markup is copied in. Everything said in words is
//! computed from the summary table (medians and 90% intervals over runs), and the
//! assumptions are read back from `scenario.toml`, the scenario as run.
//!
//! A scenario folder (from `wfcast run`) gives a scenario report; a folder with
//! `comparison.json` (from `wfcast compare`) gives a comparison report, with each
//! scenario's own sections read from its subfolder; a backtest folder (from `wfcast
//! backtest`, its `meta.json` of kind `backtest`) gives a backtest report: how the forecast
//! scored against the snapshots held out and against two naive benchmarks. Missing charts
//! are reported as 'chart not available' in place; the report is still written.
//!
//! Each part of a page is computed first, as values (sentences, numbers already formatted,
//! rows), and then written by an askama template in `templates/` (settings in
//! `templates/askama.toml`), which escapes every text it interpolates; only the inlined SVG
//! charts and sections already rendered are passed in as markup. The modules below follow
//! the page: `scenario` (masthead, headline, reading guide), `charts`, `tables`,
//! `assumptions`, `provenance`, `comparison` and `backtest`; `view` indexes a summary, `svg`
//! inlines charts, `html` holds the page shell and the values templates share, `text` the
//! words (lists, parameters, selectors).

/// Appends formatted text to a `String` (writing to a `String` cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

mod assumptions;
mod backtest;
mod charts;
mod comparison;
mod html;
mod provenance;
mod scenario;
mod svg;
mod tables;
#[cfg(test)]
mod tests;
mod text;
mod view;

pub use backtest::backtest_html;
pub use comparison::comparison_html;
pub use scenario::scenario_html;
pub use svg::inline_svg;
pub use text::esc;

use backtest::{backtest_page, draw_missing_backtest_charts};
use std::path::{Path, PathBuf};
use wfcast_core::error::{Error, Result};
use wfcast_core::summary::Level;

/// The report's stylesheet, embedded in a `<style>` element.
const CSS: &str = include_str!("report.css");

/// SHA-256 of the illustrative baseline extract shipped with wfcast
/// (`seeds/esr_informatics_2025.csv`): a report on it says that its numbers are illustrative.
pub const SHIPPED_SEED_SHA256: &str = "3579226369ff035d017b8ceaa3084a6656a9dec2a29e2b9dc9170b5cb93bab5f";

/// Whether a run's levels are the default ones (so the command that reproduces it needs no
/// `--levels`).
fn default_levels(levels: &[String]) -> bool {
    levels.iter().map(String::as_str).eq(Level::DEFAULT.iter().map(|l| l.name()))
}

/// Writes `report.html` into an output folder (a scenario's, a comparison's or a backtest's),
/// reading what it needs from the folder; returns the file written.
///
/// A backtest folder (its `meta.json` has `"kind": "backtest"`) whose `charts/` folder is
/// missing has its charts drawn first.
///
/// A folder with neither `meta.json` nor `comparison.json` is an input error naming it. The
/// file is written to a temporary file in the same folder and renamed into place, so a
/// reader never sees half a report.
pub fn write_report(dir: &Path) -> Result<PathBuf> {
    let html = if dir.join("comparison.json").is_file() {
        let comparison = wfcast_io::comparison::load(dir)?;
        comparison_html(&comparison, dir)
    } else if wfcast_io::backtest::is_backtest(dir) {
        let results = wfcast_io::backtest::load(dir)?;
        let note = draw_missing_backtest_charts(&results, dir);
        backtest_page(&results, dir, note.as_ref())
    } else if dir.join("meta.json").is_file() {
        let results = wfcast_io::results::load(dir)?;
        scenario_html(&results, dir)
    } else {
        let why = if dir.is_dir() {
            "not a wfcast output folder: it has no meta.json (written by `wfcast run`) or comparison.json \
             (written by `wfcast compare`)"
        } else {
            "no such folder: expected an output folder written by `wfcast run` or `wfcast compare`"
        };
        return Err(Error::input(dir, "", why));
    };
    let path = dir.join("report.html");
    wfcast_io::export::write_file(&path, html.as_bytes())?;
    Ok(path)
}
