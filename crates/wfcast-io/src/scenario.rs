//! A scenario read with the files it names (baseline, pay table) and compiled: everything a
//! run needs, read before anything runs.
use std::path::Path;
use wfcast_core::error::{Error, Result};
use wfcast_core::model::Model;
use wfcast_core::paths;
use wfcast_core::runner::Prepared;
use wfcast_core::scenario::{Scenario, sha256_hex};

/// The pay table a scenario names (`cost.pay`), if any.
fn pay_table(scenario: &Scenario) -> Option<&Path> {
    scenario.spec.cost.as_ref().and_then(|c| c.pay.as_deref())
}

/// Reads the baseline and pay table a scenario names, and compiles it. A baseline or pay
/// table that does not exist is an input error naming the scenario, the key and the nearest
/// file there is.
pub fn compile(scenario: &Scenario) -> Result<Model> {
    paths::named_file(&scenario.path, "baseline", &scenario.baseline, paths::TABLE)?;
    let baseline = if scenario.spec.by_organisation.unwrap_or(false) {
        crate::baseline::load_by_organisation(&scenario.baseline)?
    } else {
        crate::baseline::load(&scenario.baseline)?
    };
    let pay = match pay_table(scenario) {
        Some(p) => {
            paths::named_file(&scenario.path, "cost.pay", p, paths::CSV)?;
            Some(crate::pay::load(p)?)
        }
        None => None,
    };
    Model::compile(scenario, &baseline, pay.as_ref())
}

/// Reads a scenario, its baseline and pay table, and compiles them. This is where every file
/// a run reads is hashed: the scenario's own files (the scenario, what it extends, its role
/// families file) come hashed from [`Scenario::load`]; the pay table is added to them here,
/// and the baseline's hash is kept beside them (`meta.json`'s `files` and `baseline`).
pub fn prepare(path: &Path) -> Result<Prepared> {
    let mut scenario = Scenario::load(path)?;
    let model = compile(&scenario)?;
    let hash = |p: &Path| std::fs::read(p).map(|bytes| sha256_hex(&bytes)).map_err(|e| Error::io(p, e));
    if let Some(pay) = pay_table(&scenario) {
        let entry = (pay.to_path_buf(), hash(pay)?);
        scenario.files.push(entry);
    }
    let baseline_sha256 = hash(&scenario.baseline)?;
    Ok(Prepared { scenario, model, baseline_sha256 })
}
