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
    prepare_on(path, None)
}

/// Reads a scenario and compiles it against `baseline` when given (`--baseline`), scaling its
/// amounts from its own baseline's cells to that one's ([`Model::compile_on`]); against its
/// own baseline otherwise, or when `baseline` is that same file. The prepared scenario's
/// `baseline` is then the one it runs on (its `spec`, written out as `scenario.toml`, keeps
/// the one it names).
pub fn prepare_on(path: &Path, baseline: Option<&Path>) -> Result<Prepared> {
    let mut scenario = Scenario::load(path)?;
    let other = baseline.filter(|b| !same_file(b, &scenario.baseline));
    let model = match other {
        None => compile(&scenario)?,
        Some(here) => {
            let own = crate::baseline::load_by_organisation(&scenario.baseline)?;
            let here_baseline = crate::baseline::load_by_organisation(here)?;
            let pay = match scenario.spec.cost.as_ref().and_then(|c| c.pay.as_deref()) {
                Some(p) => Some(crate::pay::load(p)?),
                None => None,
            };
            let model = Model::compile_on(&scenario, &here_baseline, &own, pay.as_ref())?;
            scenario.baseline = here.to_path_buf();
            model
        }
    };
    let bytes = std::fs::read(&scenario.baseline).map_err(|e| Error::io(&scenario.baseline, e))?;
    Ok(Prepared { scenario, model, baseline_sha256: sha256_hex(&bytes) })
}

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
