//! A scenario compiled against its baseline: dense per-cell parameter indices, checked names.
//!
//! Compiling is where every role, band and region named in a scenario is checked against
//! the grid, every parameter is resolved to a distribution, and dates become step numbers.
//! The engine then works on plain indices and never sees a name.
//!
//! [`Model::compile`] (in `compile`) runs the steps in order, each a function of `compile`:
//! the grid, the stocks, the step dates, the rates, the transfers, the supply routes, the
//! demand and the interventions; `compiler` holds the checks of names and parameters they
//! share, and `plausible` then checks the compiled amounts against the cells they feed.
use crate::band::Band;
use crate::grid::Grid;
use crate::sampling::Dist;
use crate::scenario::Month;

mod compile;
mod compiler;
mod plausible;
pub mod rebase;
mod steps;

/// One parameter of the scenario: drawn once per run and shared by every cell it covers.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Stable key: the stream its draw comes from, shared by scenarios that share it (a
    /// like-written parameter after the first has `#2`, `#3`, ... appended).
    pub key: String,
    /// Its distribution.
    pub dist: Dist,
}

/// How an intervention changes its parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `value * x`.
    Multiply,
    /// `value + x`.
    Add,
    /// `x`.
    Set,
}

impl Op {
    /// The parameter `base` changed by `x`, phased in by `frac` (0: unchanged, 1: in full).
    pub fn apply(self, base: f64, x: f64, frac: f64) -> f64 {
        match self {
            Op::Multiply => base * (1.0 + (x - 1.0) * frac),
            Op::Add => base + x * frac,
            Op::Set => base + (x - base) * frac,
        }
    }
}

/// A pipeline supply route.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Its name.
    pub name: String,
    /// Index of its output series (`joiners:<name>`).
    pub out: usize,
    /// Annual intake parameter.
    pub intake: usize,
    /// Share of the annual intake taken in at step k (index 0 unused).
    pub intake_share: Vec<f64>,
    /// Steps from intake to entering post (0: straight into post).
    pub delay: usize,
    /// Completion probability parameter (pipelines only).
    pub completion: usize,
    /// Pipelines: per ring slot (`delay` of them; the cohort taken in at step `k` sits in slot
    /// `k % delay`), the share of the annual intake taken in during the step before the
    /// baseline whose cohort is in that slot at the start: the steady state.
    pub baseline_share: Vec<f64>,
    /// Pipelines: trainees in training at the baseline, spread over the cohorts in proportion
    /// to `baseline_share`; `None` for the steady state.
    pub in_training: Option<f64>,
    /// The interventions on this route's intake already in force at the baseline, which set the
    /// intake of the steady state: (index into `Model::interventions`, share in force).
    pub intake_at_start: Vec<(usize, f64)>,
    /// Entry cells.
    pub entry_cells: Vec<usize>,
    /// Entry probabilities (sum to 1).
    pub entry_probs: Vec<f64>,
    /// Stream key.
    pub key: u64,
}

/// A vacancy-fill recruitment route.
#[derive(Clone, Debug, PartialEq)]
pub struct FillRoute {
    /// Its name.
    pub name: String,
    /// Index of its output series (`joiners:<name>`).
    pub out: usize,
    /// Annual fill probability parameter.
    pub fill: usize,
    /// The cells it recruits into.
    pub cells: Vec<usize>,
    /// Most hires in one step, if capped: the cap in deterministic mode (a real number).
    pub cap_per_step: Option<f64>,
    /// In stochastic runs, when capped: the whole hires allowed from the start of step `k`'s
    /// reporting year (the 12 months to a reporting month, or since the start) to the end of
    /// step `k`, `floor(max_per_year * months so far / 12)`; index 0 unused, empty when uncapped.
    pub cap_budget: Vec<f64>,
    /// Stream key.
    pub key: u64,
}

/// A dated addition to demand.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Cells that share it in proportion to their baseline demand.
    pub cells: Vec<usize>,
    /// FTE added in full.
    pub amount: usize,
    /// Share of the amount added by the end of step k, counting only what falls after the
    /// baseline (index 0 is 0).
    pub share: Vec<f64>,
}

/// What an intervention changes, resolved to indices.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// Attrition of these cells.
    Attrition(Vec<usize>),
    /// Progression of these cells.
    Progression(Vec<usize>),
    /// Demand growth of these cells.
    Growth(Vec<usize>),
    /// Intake of pipeline route i.
    Intake(usize),
    /// Completion of pipeline route i.
    Completion(usize),
    /// Fill rate of vacancy-fill route i.
    FillRate(usize),
}

/// A dated change of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Intervention {
    /// What it changes.
    pub scope: Scope,
    /// How.
    pub op: Op,
    /// Parameter holding the amount.
    pub value: usize,
    /// How much of it is in force during step k (index 0 is 0).
    pub frac: Vec<f64>,
}

/// A scenario compiled against its baseline: what the engine runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The cells.
    pub grid: Grid,
    /// Baseline month.
    pub start: Month,
    /// Months per step.
    pub step_months: u32,
    /// Number of steps.
    pub n_steps: usize,
    /// Steps at whose end results are reported, ascending; 0 is the baseline.
    pub report_steps: Vec<usize>,
    /// Whether step `k` is the first of a reporting year (the 12 months to a reporting month),
    /// where a vacancy-fill cap starts again; index 0 unused.
    pub year_begins: Vec<bool>,
    /// Staff in post at the baseline, per cell.
    pub h0: Vec<f64>,
    /// FTE per head, per cell.
    pub phi: Vec<f64>,
    /// Baseline establishment in FTE, where the baseline gives it.
    pub establishment: Option<Vec<f64>>,
    /// Every parameter; index 0 is the fixed zero.
    pub params: Vec<Param>,
    /// Attrition parameter per cell.
    pub attrition: Vec<usize>,
    /// Progression parameter per cell (the zero parameter at band 9).
    pub progression: Vec<usize>,
    /// Cells with transfers out, ascending.
    pub transfer_from: Vec<usize>,
    /// For `transfer_from[i]`, its links are `transfer_links[transfer_start[i]..transfer_start[i + 1]]`.
    pub transfer_start: Vec<usize>,
    /// (destination cell, rate parameter) of each transfer link.
    pub transfer_links: Vec<(usize, usize)>,
    /// Pipeline routes.
    pub routes: Vec<Route>,
    /// Vacancy-fill routes.
    pub fills: Vec<FillRoute>,
    /// Names of all supply routes, in scenario order (the `joiners:<name>` series).
    pub route_names: Vec<String>,
    /// Vacancy-rate parameter per cell.
    pub vacancy: Vec<usize>,
    /// Demand-growth parameter per cell.
    pub growth: Vec<usize>,
    /// Dated demand changes.
    pub changes: Vec<Change>,
    /// Interventions, in scenario order.
    pub interventions: Vec<Intervention>,
    /// Pay plus on-costs per FTE per band, where pay is given.
    pub cost_per_fte: Option<[f64; Band::COUNT]>,
    /// Stream key of each cell.
    pub cell_keys: Vec<u64>,
    /// Role families (the scenario's mapping, else the shipped DDaT one), each with at least one
    /// role: the DDaT framework's in its order, then others in the order of their first role,
    /// then `Unmapped` when some role is in none.
    pub families: Vec<String>,
    /// The family (index into `families`) of each role.
    pub family_of_role: Vec<usize>,
    /// What compiling found doubtful but ran (the baseline's warnings first), each a sentence
    /// for the terminal, `meta.json` and the report's caveats.
    pub warnings: Vec<String>,
    /// The area the baseline covers, as outputs name it ([`crate::area::area_of`]).
    pub area: String,
    /// What was scaled, when the scenario runs on another baseline than its own.
    pub scaling: Option<rebase::Scaling>,
}

/// The zero parameter's index.
pub const ZERO: usize = 0;

impl Model {
    /// The month at the end of step `k`.
    pub fn month_at(&self, k: usize) -> Month {
        Month(self.start.0 + (k as i32) * self.step_months as i32)
    }

    /// The reporting dates.
    pub fn report_dates(&self) -> Vec<Month> {
        self.report_steps.iter().map(|&k| self.month_at(k)).collect()
    }
}
