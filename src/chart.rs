//! Charts for reports (plotters, PNG and SVG, with a bundled font): fans, gaps, heatmap, flows, cost.
//!
//! STUB: signatures are final; bodies are being completed.
use crate::error::Result;
use crate::export::Exporter;
use crate::results::{Comparison, Results};
use std::path::{Path, PathBuf};

/// Writes every chart of one scenario into `dir` (a `charts` folder), as PNG and SVG, and
/// returns the files written.
pub fn write_scenario_charts(results: &Results, dir: &Path) -> Result<Vec<PathBuf>> {
    let _ = (results, dir);
    Ok(Vec::new())
}

/// Writes the charts of a comparison into `dir` (a `charts` folder), as PNG and SVG.
pub fn write_comparison_charts(comparison: &Comparison, dir: &Path) -> Result<Vec<PathBuf>> {
    let _ = (comparison, dir);
    Ok(Vec::new())
}

/// A file-name-safe form of a role or scenario name: lower case, `-` between words.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The `charts/` folder of an output folder.
pub struct Charts;

impl Exporter for Charts {
    fn write(&self, results: &Results, dir: &Path) -> Result<()> {
        let charts = dir.join("charts");
        std::fs::create_dir_all(&charts).map_err(|e| crate::Error::io(&charts, e))?;
        write_scenario_charts(results, &charts).map(|_| ())
    }
}
