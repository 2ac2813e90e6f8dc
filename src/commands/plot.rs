//! `wfcast plot` and `wfcast report`: charts, workbooks and reports redrawn from output folders.
use std::path::PathBuf;
use wfcast_core::error::Result;
use wfcast_io::export;
use wfcast_report::{chart, report, xlsx};

/// Draws (or redraws) the charts of output folders, and the Excel workbook that embeds them
/// where there is one; returns the files written.
pub fn plot(dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for dir in dirs {
        // Read the results before writing, so that a folder that is not wfcast output
        // leaves nothing behind.
        let charts = dir.join("charts");
        let files = if wfcast_io::backtest::is_backtest(dir) {
            let results = wfcast_io::backtest::load(dir)?;
            export::write_folder(&charts, None, |tmp| chart::write_backtest_charts(&results, tmp))?
        } else if dir.join("comparison.csv").exists() {
            let comparison = wfcast_io::comparison::load(dir)?;
            let files = export::write_folder(&charts, None, |tmp| chart::write_comparison_charts(&comparison, tmp))?;
            // A workbook embeds the charts: redraw it with them.
            if dir.join(xlsx::COMPARISON_XLSX).exists() {
                written.push(xlsx::write_comparison_workbook(&comparison, dir)?);
            }
            files
        } else {
            let results = wfcast_io::results::load(dir)?;
            let files = export::write_folder(&charts, None, |tmp| chart::write_scenario_charts(&results, tmp))?;
            if dir.join(xlsx::RESULTS_XLSX).exists() {
                written.push(xlsx::write_results_workbook(&results, dir)?);
            }
            files
        };
        written.extend(files.iter().filter_map(|f| f.file_name()).map(|n| charts.join(n)));
    }
    Ok(written)
}

/// Writes report.html into output folders; returns the files written.
pub fn report(dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    dirs.iter().map(|d| report::write_report(d)).collect()
}
