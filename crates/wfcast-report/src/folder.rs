//! Output folders with their charts: the data files `wfcast-io` writes and the charts drawn
//! here, swapped into place together by `wfcast-io`'s one folder writer.
use crate::chart;
use std::path::{Path, PathBuf};
use wfcast_core::backtest::Backtest;
use wfcast_core::error::{Error, Result};
use wfcast_core::results::{Comparison, Results};
use wfcast_io::export::{self, Exporter};

/// The exporters of every scenario folder: the data files and the charts.
pub fn scenario_exporters() -> Vec<Box<dyn Exporter>> {
    let mut exporters = export::default_exporters();
    exporters.push(Box::new(chart::Charts));
    exporters
}

/// Writes `out/<comparison name>/`: `comparison.csv`, `comparison.json`, `charts/`, and each
/// scenario's own outputs (data and charts) in a subfolder, swapped into place whole.
/// Returns the folder.
pub fn write_comparison(comparison: &Comparison, scenarios: &[Results], out: &Path) -> Result<PathBuf> {
    wfcast_io::comparison::write(comparison, scenarios, out, &scenario_exporters(), |tmp| {
        let charts = tmp.join(chart::CHARTS_DIR);
        std::fs::create_dir_all(&charts).map_err(|e| Error::io(&charts, e))?;
        export::write_into(&charts, &chart::comparison_charts(comparison)?).map(|_| ())
    })
}

/// Writes a backtest's folder, `out/backtest-<history>-<date>/`, with its charts, whole or not
/// at all. Returns the folder.
pub fn write_backtest(bt: &Backtest, history: &Path, out: &Path) -> Result<PathBuf> {
    wfcast_io::backtest::write(bt, history, out, |tmp| {
        chart::write_backtest_charts(&bt.results, &tmp.join(chart::CHARTS_DIR)).map(|_| ())
    })
}
