//! `wfcast calibrate`: annual rates with honest uncertainty, learnt from an ESR history.
//!
//! [`calibrate`] reads a [`History`] (snapshots of staff in post, and flow counts where the
//! extract has them) and estimates what a scenario needs; [`Calibration::scenario`] is that as
//! a scenario value, and [`Calibration::to_toml`] writes it as a commented scenario fragment
//! (a toml_edit document, never text put together by hand). The method:
//!
//! - **Cells** are (role, band), with snapshot rows and flows summed over regions, or
//!   (role, band, region) with [`CalibrateOptions::by_region`].
//! - **Exposure.** A flow dated `D` belongs to the period (previous snapshot date, `D`]; a
//!   period of `m` months is `T = m / 12` years long. A cell's exposure in a period is
//!   `(H_start + H_end) / 2 * T` person-years (trapezoid on the headcounts of the two
//!   snapshots), summed over the periods that have flow counts (`E`). For `k` events of one
//!   decrement (leavers, progressed, or transfers to one role) the initial exposed to risk
//!   is `n = E + k / 2` (raised to `k` if smaller, which only happens where staff join and
//!   go between two snapshots), and `k / n` estimates the annual probability of a
//!   constant-hazard process stepped monthly, as the engine steps it.
//! - **Pooling** (empirical-Bayes Beta-Binomial), for attrition and progression (none from
//!   band 9). The overall rate is the Jeffreys posterior `Beta(0.5 + K, 0.5 + N - K)`; it is
//!   the section's `default`. Each dimension (role, band, and region with `by_region`) has
//!   its group rates shrunk towards the overall mean `m0`: `Beta(kappa m0 + k_g,
//!   kappa (1 - m0) + n_g - k_g)`, with `kappa` from the method of moments below; the
//!   dimension's factor of a group is its shrunk rate / `m0`. A cell's prior mean is
//!   `m_c = m0 * role factor * band factor [* region factor]`, clamped into
//!   [[`PRIOR_MEAN_MIN`], [`PRIOR_MEAN_MAX`]]. The prior strength `kappa` of the cells is
//!   again the method of moments on the over-dispersion of the cells about their `m_c`:
//!   `rho = max(0, sum[(k - n m)^2 - n m (1 - m)] / sum[n (n - 1) m (1 - m)])` over cells
//!   with `n > 1`, `kappa = 1 / rho - 1`, bounded to [[`KAPPA_MIN`], [`KAPPA_MAX`]] (2: a
//!   prior worth two person-years, so that heterogeneity never leaves a cell with a rate of
//!   exactly 0 or 1; 10 000: so that a cell with no heterogeneity signal still keeps
//!   posterior uncertainty). Because `m_c` is itself estimated, each cell's prior variance
//!   is `m_c (1 - m_c) / (kappa + 1)` plus the variance of `m_c` (delta method on the
//!   factors' posteriors), which lowers that cell's prior strength to `kappa_c` (at least
//!   [`KAPPA_MIN`]). Two details of the moments: the squared residuals of `g` groups are
//!   scaled by `g / (g - p)`, where `p` is the number of parameters fitted for their prior
//!   means (1 for the groups of a dimension; 1 + the groups of each dimension less one for
//!   the cells), the usual degrees-of-freedom correction, without which fitted means that sit
//!   closer to the data than the truth would understate the heterogeneity (and the
//!   intervals would cover too rarely); and cells with events but no exposure are left out
//!   of them. The cell's posterior is `Beta(kappa_c m_c + k, kappa_c (1 - m_c) + n - k)`
//!   and its pooling weight `kappa_c / (kappa_c + n)` is the share of its estimate that comes
//!   from the prior. Cells with no exposure get the prior.
//! - **Transfers**: one rate per (from role, to role) pair with observed transfers, over all
//!   bands and regions of the from role: Jeffreys posterior `Beta(0.5 + k, 0.5 + n - k)`.
//! - **Joiners as vacancy-fill recruitment**, where the snapshots carry an establishment: a
//!   route `Recruitment (calibrated)` of `kind = "vacancy-fill"` whose annual `fill_rate` is
//!   learnt so that the engine, hiring as it does, would reproduce the joiners. Over the
//!   periods with flows and an establishment at both snapshots, each cell (role, band,
//!   region: the engine's cells, whatever the calibration's) has at each snapshot open
//!   vacancies in headcount `V = max(0, floor(establishment_fte / phi - headcount))`, with
//!   `phi` its FTE per head (the role's where the cell is empty), the engine's count; the
//!   trapezoid over the period times its years gives vacancy-years, `W` summed over cells
//!   and periods. `J` is the joiners into cells with an open vacancy at either snapshot of
//!   their period. A snapshot is taken after the month's hires, but the engine hires from the
//!   vacancies open before them, those at the snapshot plus the hires, so the vacancy-months
//!   at risk are `12 W + J` (as `E + k / 2` is for leavers) and the monthly fill probability
//!   is `f_m = J / (12 W + J)` (at most [`FILL_MONTHLY_MAX`]); the annual `f = 1 - (1 -
//!   f_m)^12`. (Without the floor and the `+ J`, simulated histories give `f` back about 5%
//!   too high.) Its sd is the larger of the Poisson sd of `J` through the delta method,
//!   `sqrt(J) 12 W / (12 W + J)^2 * 12 (1 - f_m)^11`, and the standard error of the mean of
//!   the per-period estimates (with at least 2 periods).
//! - **Joiners as a fixed intake**: a route `Joiners (calibrated)` straight into post,
//!   `intake` = joiners per year (total / years of the periods), sd the larger of the Poisson
//!   sd `sqrt(total) / years` and the standard error of the mean of the per-period annualised
//!   counts (with at least 2 periods); entry shares = each cell's joiners / total. It carries
//!   every joiner when recruitment cannot be learnt (no establishment; or vacancy-years under
//!   [`MIN_VACANCY_SHARE`] of the person-years of staff in post, too few to learn from; or no
//!   joiner into a cell with an open vacancy), and otherwise, beside the recruitment route,
//!   the joiners into cells with no open vacancy at either snapshot of their period (over the
//!   same periods), whom vacancy-fill would not have hired: an over-established cell fed by
//!   a training scheme, or one without an establishment. The fragment's comments and
//!   [`Calibration::summary`] say which was chosen, why, and how the joiners were split.
//! - **Net change** of staff in post per role (always; it is all a history without flows can
//!   tell): OLS slope `b` of ln(headcount) on years, net change `exp(b) - 1`, sd
//!   `exp(b) * se(b)` (needs at least 3 dates).
//! - **Demand growth** where the snapshots have `establishment_fte`: the same OLS on
//!   ln(establishment FTE), for the total (`[demand] growth`) and per role.
use crate::band::Band;
use crate::baseline::Baseline;
use crate::error::{Error, Result};
use crate::history::{FlowKind, History};
use crate::sampling::{Dist, Family, ParamSpec};
use crate::scenario::Month;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

mod calibrated;
mod flows;
mod fragment;
mod joiners;
mod pooling;
mod text;
mod trend;

#[cfg(test)]
mod tests;

use joiners::RawCell;
use pooling::{beta_moments, exposed, pool};
use text::{fmt_count, num};

/// The smallest prior strength (prior sample size, in person-years) of a pooled rate.
pub const KAPPA_MIN: f64 = 2.0;
/// The largest prior strength of a pooled rate: a cell keeps some uncertainty of its own
/// even where the history shows no heterogeneity between cells.
pub const KAPPA_MAX: f64 = 1.0e4;
/// A cell whose pooling weight is above this is reported as pooled.
pub const POOLED_WEIGHT: f64 = 0.2;
/// The smallest prior mean of a cell's rate.
pub const PRIOR_MEAN_MIN: f64 = 1.0e-6;
/// The largest prior mean of a cell's rate.
pub const PRIOR_MEAN_MAX: f64 = 0.999;
/// The name of the calibrated fixed-intake supply route (all joiners, or those outside open
/// vacancies when recruitment is calibrated as vacancy-fill).
pub const JOINERS_ROUTE: &str = "Joiners (calibrated)";
/// The name of the calibrated vacancy-fill supply route.
pub const RECRUITMENT_ROUTE: &str = "Recruitment (calibrated)";
/// Joiners are calibrated as vacancy-fill recruitment only when the open vacancies come to at
/// least this share of the person-years of staff in post (below it there is too little
/// vacancy to learn a fill rate from, and a fixed intake is written instead).
pub const MIN_VACANCY_SHARE: f64 = 0.01;
/// The largest monthly fill probability written (a cap below 1).
pub const FILL_MONTHLY_MAX: f64 = 0.99;

/// What to calibrate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CalibrateOptions {
    /// Estimate a rate per (role, band, region) instead of per (role, band) summed over
    /// regions.
    pub by_region: bool,
}

/// A cell of the calibration: (role, band), or (role, band, region) with `by_region`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    /// Role.
    pub role: String,
    /// AfC band.
    pub band: Band,
    /// Region (`None` when regions are summed).
    pub region: Option<String>,
}

/// The estimate of one cell's annual probability.
#[derive(Clone, Debug, PartialEq)]
pub struct CellEstimate {
    /// The cell.
    pub cell: CellKey,
    /// Events observed (`k`).
    pub events: f64,
    /// Exposure in person-years (`E`, trapezoid over the periods with flows).
    pub exposure: f64,
    /// Initial exposed to risk (`n = E + k / 2`, at least `k`).
    pub exposed: f64,
    /// Posterior mean.
    pub mean: f64,
    /// Posterior sd.
    pub sd: f64,
    /// Prior mean `m_c` (the main-effects model).
    pub prior_mean: f64,
    /// Prior strength `kappa_c` (prior sample size, person-years).
    pub prior_strength: f64,
    /// Pooling weight `kappa_c / (kappa_c + n)`: the share of the estimate from the prior.
    pub weight: f64,
}

impl CellEstimate {
    /// Whether the cell is reported as pooled (weight above [`POOLED_WEIGHT`]).
    pub fn pooled(&self) -> bool {
        self.weight > POOLED_WEIGHT
    }
}

/// The shrunk rate of one group of a dimension (one role, one band or one region).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupEstimate {
    /// The group: a role, a band label or a region.
    pub name: String,
    /// Events.
    pub events: f64,
    /// Initial exposed to risk.
    pub exposed: f64,
    /// Posterior mean of the group's rate (shrunk towards the overall rate).
    pub mean: f64,
    /// Posterior sd of the group's rate.
    pub sd: f64,
    /// The group's factor: its shrunk rate / the overall rate.
    pub factor: f64,
}

/// One dimension of the main-effects prior.
#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    /// `role`, `band` or `region`.
    pub name: &'static str,
    /// Method-of-moments intra-class correlation of the groups.
    pub rho: f64,
    /// Prior strength used to shrink the groups (bounded).
    pub kappa: f64,
    /// The groups, sorted.
    pub groups: Vec<GroupEstimate>,
}

/// The calibrated rates of one section (`attrition` or `progression`).
#[derive(Clone, Debug, PartialEq)]
pub struct RateEstimates {
    /// `attrition` or `progression`.
    pub section: &'static str,
    /// What the events are called: `leavers` or `progressed`.
    pub events_name: &'static str,
    /// Total events.
    pub events: f64,
    /// Total exposure (person-years).
    pub exposure: f64,
    /// Total initial exposed to risk.
    pub exposed: f64,
    /// Posterior mean of the overall rate (Jeffreys prior): the section's `default`.
    pub mean: f64,
    /// Posterior sd of the overall rate.
    pub sd: f64,
    /// The dimensions of the prior: role, band, and region with `by_region`.
    pub dimensions: Vec<Dimension>,
    /// Method-of-moments intra-class correlation of the cells about their prior means.
    pub rho: f64,
    /// Prior strength of the cells (bounded), before allowing for the prior means' own
    /// uncertainty.
    pub kappa: f64,
    /// The cells, sorted.
    pub cells: Vec<CellEstimate>,
}

impl RateEstimates {
    /// How many cells are pooled (weight above [`POOLED_WEIGHT`]).
    pub fn pooled(&self) -> usize {
        self.cells.iter().filter(|c| c.pooled()).count()
    }
}

/// The annual probability of moving from one role to another.
#[derive(Clone, Debug, PartialEq)]
pub struct TransferEstimate {
    /// The role people move from.
    pub from: String,
    /// The role people move to.
    pub to: String,
    /// Moves observed.
    pub events: f64,
    /// Exposure of the from role (person-years).
    pub exposure: f64,
    /// Initial exposed to risk.
    pub exposed: f64,
    /// Posterior mean (Jeffreys prior).
    pub mean: f64,
    /// Posterior sd.
    pub sd: f64,
}

/// One entry cell of the joiners' route.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryShare {
    /// The cell.
    pub cell: CellKey,
    /// Joiners into it.
    pub joiners: f64,
    /// Its share of all joiners.
    pub share: f64,
}

/// The joiners' supply route.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinerEstimate {
    /// Total joiners over the periods with flows.
    pub total: f64,
    /// Years covered by those periods.
    pub years: f64,
    /// Joiners per year, per period (annualised).
    pub per_period: Vec<f64>,
    /// Intake per year (mean).
    pub mean: f64,
    /// Intake sd: the larger of the Poisson sd and the standard error of the per-period
    /// annualised counts.
    pub sd: f64,
    /// Entry cells with joiners, sorted.
    pub entries: Vec<EntryShare>,
}

/// Joiners calibrated as vacancy-fill recruitment (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct RecruitmentEstimate {
    /// The periods used: those with flow counts and an establishment at both snapshots.
    pub periods: Vec<(Month, Month)>,
    /// Years covered by those periods.
    pub years: f64,
    /// Joiners into cells with an open vacancy at either snapshot of their period (`J`).
    pub joiners: f64,
    /// Vacancy-years `W`: open vacancies in headcount at the snapshots, trapezoid over each
    /// period, times its years, summed.
    pub vacancy_years: f64,
    /// Person-years of staff in post over the same periods.
    pub person_years: f64,
    /// Monthly fill probability `J / (12 W + J)` (capped at [`FILL_MONTHLY_MAX`]).
    pub monthly: f64,
    /// Annual fill probability per period (periods with open vacancies).
    pub per_period: Vec<f64>,
    /// Annual fill probability `1 - (1 - monthly)^12`: the route's `fill_rate` mean.
    pub mean: f64,
    /// Its sd: the larger of the Poisson sd of `J` (delta method) and the standard error of
    /// the per-period estimates.
    pub sd: f64,
    /// Joiners into cells with no open vacancy at either snapshot of their period, over the
    /// same periods: [`Calibration::joiners`] is then their fixed intake.
    pub other_joiners: f64,
}

/// A log-linear trend of a series over the snapshot dates.
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    /// The role, or `total`.
    pub name: String,
    /// Dates used (those with a positive value).
    pub dates: usize,
    /// The value at the first date used.
    pub first: f64,
    /// The value at the last date used.
    pub last: f64,
    /// OLS slope of ln(value) on years.
    pub slope: f64,
    /// Standard error of the slope (`None` with fewer than 3 dates).
    pub slope_se: Option<f64>,
    /// Annual change `exp(slope) - 1`.
    pub mean: f64,
    /// Its sd `exp(slope) * se` (`None` with fewer than 3 dates: unknown).
    pub sd: Option<f64>,
}

/// Demand growth estimated from the establishment.
#[derive(Clone, Debug, PartialEq)]
pub struct DemandEstimate {
    /// Growth of the total establishment.
    pub total: Trend,
    /// Growth per role (roles with a positive establishment at 2 dates or more).
    pub roles: Vec<Trend>,
}

/// Everything `wfcast calibrate` learnt from a history.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// The snapshots file.
    pub path: PathBuf,
    /// The flows file, where one was given.
    pub flows_path: Option<PathBuf>,
    /// The snapshot dates.
    pub dates: Vec<Month>,
    /// The periods (start, end] with flow counts.
    pub flow_periods: Vec<(Month, Month)>,
    /// Whether cells include the region.
    pub by_region: bool,
    /// Attrition (with flows).
    pub attrition: Option<RateEstimates>,
    /// Progression (with flows).
    pub progression: Option<RateEstimates>,
    /// Transfers with at least one observed move, sorted by from and to.
    pub transfers: Vec<TransferEstimate>,
    /// The fixed-intake joiners' route: all joiners (with flows that count any) when
    /// recruitment is not calibrated as vacancy-fill, else the joiners into cells with no open
    /// vacancy (when there are any).
    pub joiners: Option<JoinerEstimate>,
    /// Joiners calibrated as vacancy-fill recruitment, where the snapshots have an
    /// establishment with open vacancies to speak of.
    pub recruitment: Option<RecruitmentEstimate>,
    /// Which joiners' route was chosen, and why (with flows that count any joiners).
    pub joiners_choice: Option<String>,
    /// Net annual change of staff in post per role.
    pub net_change: Vec<Trend>,
    /// Demand growth, where the snapshots have an establishment.
    pub demand: Option<DemandEstimate>,
    /// The roles of the last snapshot: a scenario on it can only name these.
    pub last_roles: BTreeSet<String>,
    /// The regions of the last snapshot.
    pub last_regions: BTreeSet<String>,
    /// Things worth saying about the estimates (flows ignored, series too short, ...).
    pub notes: Vec<String>,
}

/// Learns annual rates (with flows), net change and demand growth from `history`.
///
/// Fails with an input error when the history has fewer than two dates, a flow dated
/// outside the snapshots' span, a transfer from a role to itself, or a flows file with no
/// flow counts.
pub fn calibrate(history: &History, options: &CalibrateOptions) -> Result<Calibration> {
    let dates = history.dates.clone();
    if dates.len() < 2 || history.snapshots.len() != dates.len() {
        return Err(Error::input(&history.path, "", "a history needs snapshots at two dates or more"));
    }
    let by_region = options.by_region;
    let key = |role: &str, band: Band, region: &str| CellKey {
        role: role.to_string(),
        band,
        region: by_region.then(|| region.to_string()),
    };
    let years: Vec<f64> = (1..dates.len()).map(|t| (dates[t].0 - dates[t - 1].0) as f64 / 12.0).collect();
    // Headcount per cell per date.
    let mut heads: BTreeMap<CellKey, Vec<f64>> = BTreeMap::new();
    for (t, snapshot) in history.snapshots.iter().enumerate() {
        for row in &snapshot.rows {
            heads.entry(key(&row.role, row.band, &row.region)).or_insert_with(|| vec![0.0; dates.len()])[t] +=
                row.headcount;
        }
    }
    let last = history.snapshots.last().expect("two snapshots");
    let last_roles: BTreeSet<String> = last.rows.iter().map(|r| r.role.clone()).collect();
    let last_regions: BTreeSet<String> = last.rows.iter().map(|r| r.region.clone()).collect();
    // Names merged on reading come first: they change what every estimate is of.
    let mut notes = history.warnings.clone();

    let mut calibration = Calibration {
        path: history.path.clone(),
        flows_path: history.flows_path.clone(),
        dates: dates.clone(),
        flow_periods: Vec::new(),
        by_region,
        attrition: None,
        progression: None,
        transfers: Vec::new(),
        joiners: None,
        recruitment: None,
        joiners_choice: None,
        net_change: Vec::new(),
        demand: None,
        last_roles,
        last_regions,
        notes: Vec::new(),
    };

    if let Some(flows) = &history.flows {
        flows::estimate_flows(history, flows, &heads, &years, &key, &mut calibration, &mut notes)?;
    }
    trend::net_change(history, &mut calibration, &mut notes);
    trend::demand_growth(history, &mut calibration, &mut notes);
    calibration.notes = notes;
    Ok(calibration)
}
