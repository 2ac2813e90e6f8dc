//! `wfcast validate`: scenario files read and compiled against their baselines, nothing run.
use std::path::{Path, PathBuf};
use wfcast_core::error::Result;
use wfcast_io::scenario::prepare_on;

/// Checks scenario files without running them: every file is read and compiled against
/// its baseline (or on `baseline`, as `run --baseline` would). Returns one line per file; the
/// first error stops.
pub fn validate(paths: &[PathBuf], baseline: Option<&Path>) -> Result<Vec<String>> {
    paths
        .iter()
        .map(|p| {
            let prep = prepare_on(p, baseline)?;
            super::print_warnings(Some(p), &prep.model.warnings);
            let m = &prep.model;
            let places = if m.grid.by_organisation() {
                format!("{} organisations in {} regions", m.grid.organisations.len(), m.grid.regions.len())
            } else {
                format!("{} regions", m.grid.regions.len())
            };
            Ok(format!(
                "{}: ok: `{}`, {} roles x 11 bands x {places}, {} steps of {} months, {} supply routes, {} parameters",
                p.display(),
                prep.scenario.name,
                m.grid.roles.len(),
                m.n_steps,
                m.step_months,
                m.route_names.len(),
                m.params.len() - 1
            ))
        })
        .collect()
}
