//! A scenario read with the files it names (baseline, pay table) and compiled: everything a
//! run needs, read before anything runs.
use std::path::Path;
use wfcast_core::baseline::Baseline;
use wfcast_core::error::{Error, Result};
use wfcast_core::model::Model;
use wfcast_core::paths;
use wfcast_core::pay::PayTable;
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
    let baseline = read_baseline(&scenario.path, &scenario.baseline)?;
    let pay = read_pay(scenario)?;
    Model::compile(scenario, &baseline, pay.as_ref())
}

/// The baseline a scenario names (key `baseline`), read with its organisations when it has
/// them, so that outputs can name them.
fn read_baseline(scenario: &Path, baseline: &Path) -> Result<Baseline> {
    paths::named_file(scenario, "baseline", baseline, paths::TABLE)?;
    crate::baseline::load_by_organisation(baseline)
}

/// The pay table a scenario names (key `cost.pay`), if any.
fn read_pay(scenario: &Scenario) -> Result<Option<PayTable>> {
    match pay_table(scenario) {
        Some(p) => {
            paths::named_file(&scenario.path, "cost.pay", p, paths::CSV)?;
            Ok(Some(crate::pay::load(p)?))
        }
        None => Ok(None),
    }
}

/// Reads a scenario, its baseline and pay table, and compiles them. This is where every file
/// a run reads is hashed: the scenario's own files (the scenario, what it extends, its role
/// families file) come hashed from [`Scenario::load`]; the pay table is added to them here,
/// and the baseline's hash is kept beside them (`meta.json`'s `files` and `baseline`).
pub fn prepare(path: &Path) -> Result<Prepared> {
    prepare_on(path, None)
}

/// Reads a scenario and compiles it against `baseline` when given (`--baseline`), scaling its
/// amounts from its own baseline's cells to that one's ([`Model::compile_on`]); against its
/// own baseline otherwise, or when `baseline` is that same file. The prepared scenario's
/// `baseline` is then the one it runs on (its `spec`, written out as `scenario.toml`, keeps
/// the one it names); every file read is hashed, as [`prepare`] says.
pub fn prepare_on(path: &Path, baseline: Option<&Path>) -> Result<Prepared> {
    let mut scenario = Scenario::load(path)?;
    let other = baseline.filter(|b| !same_file(b, &scenario.baseline));
    let model = match other {
        None => compile(&scenario)?,
        Some(here) => {
            let own = read_baseline(&scenario.path, &scenario.baseline)?;
            let here_baseline = crate::baseline::load_by_organisation(here)?;
            let model = Model::compile_on(&scenario, &here_baseline, &own, read_pay(&scenario)?.as_ref())?;
            scenario.baseline = here.to_path_buf();
            model
        }
    };
    let hash = |p: &Path| std::fs::read(p).map(|bytes| sha256_hex(&bytes)).map_err(|e| Error::io(p, e));
    if let Some(pay) = pay_table(&scenario) {
        let entry = (pay.to_path_buf(), hash(pay)?);
        scenario.files.push(entry);
    }
    let baseline_sha256 = hash(&scenario.baseline)?;
    Ok(Prepared { scenario, model, baseline_sha256 })
}

/// Whether two paths name the same existing file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
