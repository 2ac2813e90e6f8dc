//! Fixtures shared by wfcast's tests (the integration suite and the unit tests of the crates
//! above the core), so that no fixture is written twice: staff rows, a small national-shaped
//! baseline, and scenarios compiled against a baseline held in memory.
//!
//! The core's own unit tests cannot use this crate (it depends on the core, and a
//! dev-dependency on it would give them a second copy of the core's types).
use std::path::Path;
use wfcast_core::band::Band;
use wfcast_core::baseline::{Baseline, BaselineRow};
use wfcast_core::model::Model;
use wfcast_core::runner::Prepared;
use wfcast_core::scenario::Scenario;

/// Staff in post of one cell: `headcount` people at `fte_per_head` FTE each, no establishment.
/// `band` is any spelling [`Band::parse`] takes (`"5"`, `"Band 8a"`).
pub fn staff(role: &str, band: &str, region: &str, headcount: f64, fte_per_head: f64) -> BaselineRow {
    BaselineRow {
        role: role.into(),
        band: Band::parse(band).unwrap_or_else(|| panic!("`{band}` is not a band")),
        region: region.into(),
        headcount,
        fte: headcount * fte_per_head,
        establishment_fte: None,
    }
}

/// About 1,400 staff in three roles (`Analyst`, `Engineer`, `Lead`) and two regions
/// (`London`, `North`), at 0.9 FTE per head.
pub fn three_roles() -> Vec<BaselineRow> {
    [
        ("Analyst", "4", "London", 150.0),
        ("Analyst", "5", "London", 300.0),
        ("Analyst", "5", "North", 220.0),
        ("Analyst", "6", "North", 100.0),
        ("Engineer", "6", "London", 260.0),
        ("Engineer", "7", "North", 180.0),
        ("Engineer", "8a", "London", 60.0),
        ("Lead", "8a", "London", 90.0),
        ("Lead", "8b", "North", 40.0),
    ]
    .into_iter()
    .map(|(role, band, region, headcount)| staff(role, band, region, headcount, 0.9))
    .collect()
}

/// Scenario `name`, starting March 2025 on a baseline held in memory: `body` (its rules)
/// plus `extra` (more keys, sections or routes), read as if from `<name>.toml`.
pub fn scenario(name: &str, body: &str, extra: &str) -> Scenario {
    let text = format!("name = \"{name}\"\nbaseline = \"unused.csv\"\nstart = \"2025-03\"\n{body}\n{extra}");
    Scenario::from_toml(&text, Path::new(&format!("{name}.toml"))).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// [`scenario`] compiled against `rows`, ready to run (its baseline's hash is all zeros).
pub fn prepared(name: &str, body: &str, extra: &str, rows: Vec<BaselineRow>) -> Prepared {
    let scenario = scenario(name, body, extra);
    let model = Model::compile(&scenario, &Baseline::from_rows("unused.csv", rows), None)
        .unwrap_or_else(|e| panic!("compiling {name}: {e}"));
    Prepared { scenario, model, baseline_sha256: "0".repeat(64) }
}
