//! A scenario read with the files it names (baseline, pay table) and compiled: everything a
//! run needs, read before anything runs.
use std::path::Path;
use wfcast_core::error::{Error, Result};
use wfcast_core::model::Model;
use wfcast_core::runner::Prepared;
use wfcast_core::scenario::{Scenario, sha256_hex};

/// Reads the baseline and pay table a scenario names, and compiles it.
pub fn compile(scenario: &Scenario) -> Result<Model> {
    // Read with its organisations, when it has them, so that outputs can name them.
    let baseline = crate::baseline::load_by_organisation(&scenario.baseline)?;
    let pay = match scenario.spec.cost.as_ref().and_then(|c| c.pay.as_deref()) {
        Some(p) => Some(crate::pay::load(p)?),
        None => None,
    };
    Model::compile(scenario, &baseline, pay.as_ref())
}

/// Reads a scenario, its baseline and pay table, and compiles them.
pub fn prepare(path: &Path) -> Result<Prepared> {
    let scenario = Scenario::load(path)?;
    let model = compile(&scenario)?;
    let bytes = std::fs::read(&scenario.baseline).map_err(|e| Error::io(&scenario.baseline, e))?;
    Ok(Prepared { scenario, model, baseline_sha256: sha256_hex(&bytes) })
}
