//! A scenario run on another baseline than its own (MODEL.md, 'Scaling a scenario to another
//! baseline'): its rates hold as they are, its absolute amounts are scaled by the new
//! baseline's share of the cells each covers, and what names a role or region the new
//! baseline lacks applies to nothing.
use serde::{Deserialize, Serialize};

/// What running a scenario on another baseline changed: `meta.json`'s `scaling`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    /// The scenario's own baseline, whose amounts these were.
    pub own_baseline: String,
    /// The area the scenario's own baseline covers.
    pub own_area: String,
    /// Each absolute amount scaled, in scenario order.
    pub amounts: Vec<ScaledAmount>,
    /// What applies to nothing on this baseline (it names a role or region the baseline
    /// lacks), each as a sentence.
    pub dropped: Vec<String>,
}

/// One absolute amount of a scenario, scaled to another baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScaledAmount {
    /// What it is: `supply graduates: intake`, `supply agency: max_per_year`,
    /// `demand.change[2]: add_fte`.
    pub item: String,
    /// What the ratio is taken over: `headcount of its entry cells`, `headcount of the cells it
    /// hires into`, `baseline demand (FTE) of its cells`.
    pub basis: String,
    /// That basis in the scenario's own baseline.
    pub own: f64,
    /// That basis in this baseline.
    pub here: f64,
    /// The factor the amount was multiplied by (`here / own`).
    pub factor: f64,
    /// The amount as written (its mean).
    pub written: f64,
    /// The amount as run (its mean).
    pub scaled: f64,
}
