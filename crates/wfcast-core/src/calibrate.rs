//! `wfcast calibrate`: annual rates with honest uncertainty, learnt from an ESR history.
//!
//! [`calibrate`] reads a [`History`] (snapshots of staff in post, and flow counts where the
//! extract has them) and estimates what a scenario needs; [`Calibration::to_toml`] writes it
//! as a scenario fragment. The method:
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
    let mut notes = Vec::new();

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
        let flows_file = history.flows_path.clone().unwrap_or_else(|| history.path.clone());
        // The period of each flow: dates[t - 1] < D <= dates[t].
        let period_of = |d: Month| -> Result<usize> {
            if d <= dates[0] || d > *dates.last().expect("dates") {
                return Err(Error::input(
                    &flows_file,
                    format!("date {d}"),
                    format!(
                        "a flow dated {d} is outside the snapshots' span: flows count what happened after \
                         the first snapshot ({}) up to the last ({})",
                        dates[0],
                        dates.last().expect("dates")
                    ),
                ));
            }
            Ok(dates.partition_point(|&x| x < d))
        };
        let mut with_flows = vec![false; dates.len()];
        let mut leavers: BTreeMap<CellKey, f64> = BTreeMap::new();
        let mut progressed: BTreeMap<CellKey, f64> = BTreeMap::new();
        let mut moves: BTreeMap<(String, String), f64> = BTreeMap::new();
        let mut moves_by_cell: BTreeMap<CellKey, f64> = BTreeMap::new();
        let mut joined: BTreeMap<CellKey, f64> = BTreeMap::new();
        let mut joined_per_period = vec![0.0; dates.len()];
        // Joiners per period per (role, band, region): the cells the engine fills vacancies in.
        let mut joined_at: Vec<BTreeMap<RawCell, f64>> = vec![BTreeMap::new(); dates.len()];
        let mut from_band_9 = 0.0;
        for f in flows {
            let t = period_of(f.date)?;
            with_flows[t] = true;
            let cell = key(&f.role, f.band, &f.region);
            match &f.kind {
                FlowKind::Leavers => *leavers.entry(cell).or_default() += f.count,
                FlowKind::Progressed if f.band == Band::B9 => from_band_9 += f.count,
                FlowKind::Progressed => *progressed.entry(cell).or_default() += f.count,
                FlowKind::Transfer { to } => {
                    if *to == f.role {
                        return Err(Error::input(
                            &flows_file,
                            format!("date {}", f.date),
                            format!("a transfer from `{}` to itself: a transfer moves to another role", f.role),
                        ));
                    }
                    *moves.entry((f.role.clone(), to.clone())).or_default() += f.count;
                    *moves_by_cell.entry(cell).or_default() += f.count;
                }
                FlowKind::Joiners => {
                    *joined.entry(cell).or_default() += f.count;
                    joined_per_period[t] += f.count;
                    *joined_at[t].entry((f.role.clone(), f.band, f.region.clone())).or_default() += f.count;
                }
            }
        }
        if !with_flows.iter().any(|&w| w) {
            return Err(Error::input(
                &flows_file,
                "",
                "the flows file has no flow counts: leave it out to calibrate net change only",
            ));
        }
        if from_band_9 > 0.0 {
            notes.push(format!(
                "{} progressions from band 9 were ignored: the model has no band above 9",
                fmt_count(from_band_9)
            ));
        }
        let periods: Vec<usize> = (1..dates.len()).filter(|&t| with_flows[t]).collect();
        calibration.flow_periods = periods.iter().map(|&t| (dates[t - 1], dates[t])).collect();
        let skipped = dates.len() - 1 - periods.len();
        if skipped > 0 {
            notes.push(format!(
                "{skipped} of {} periods have no flow counts and were left out of the exposure",
                dates.len() - 1
            ));
        }
        // Exposure per cell over the periods with flows.
        let exposure_of = |h: &[f64]| -> f64 { periods.iter().map(|&t| (h[t - 1] + h[t]) / 2.0 * years[t - 1]).sum() };
        let mut exposure: BTreeMap<CellKey, f64> = heads.iter().map(|(c, h)| (c.clone(), exposure_of(h))).collect();
        for c in leavers.keys().chain(progressed.keys()).chain(moves_by_cell.keys()) {
            exposure.entry(c.clone()).or_insert(0.0);
        }

        let get = |m: &BTreeMap<CellKey, f64>, c: &CellKey| m.get(c).copied().unwrap_or(0.0);
        let unexposed = exposure
            .iter()
            .filter(|(c, e)| **e == 0.0 && get(&leavers, c) + get(&progressed, c) + get(&moves_by_cell, c) > 0.0)
            .count();
        if unexposed > 0 {
            notes.push(format!(
                "{unexposed} cells have leavers, progressions or transfers but no staff in post at the snapshots \
                 of the periods with flows: their exposed to risk is taken as their events, and their rates \
                 come mostly from the prior"
            ));
        }
        let attrition: Vec<(CellKey, f64, f64)> =
            exposure.iter().map(|(c, &e)| (c.clone(), get(&leavers, c), e)).collect();
        let progression: Vec<(CellKey, f64, f64)> = exposure
            .iter()
            .filter(|(c, _)| c.band != Band::B9)
            .map(|(c, &e)| (c.clone(), get(&progressed, c), e))
            .collect();
        calibration.attrition = Some(pool("attrition", "leavers", &attrition, by_region));
        if !progression.is_empty() {
            calibration.progression = Some(pool("progression", "progressed", &progression, by_region));
        }

        // Transfers: per (from, to), over every cell of the from role.
        let mut role_exposure: BTreeMap<&str, f64> = BTreeMap::new();
        for (c, &e) in &exposure {
            *role_exposure.entry(c.role.as_str()).or_default() += e;
        }
        for ((from, to), &k) in &moves {
            if k <= 0.0 {
                continue;
            }
            let e = role_exposure.get(from.as_str()).copied().unwrap_or(0.0);
            let n = exposed(k, e);
            let (mean, sd) = beta_moments(0.5 + k, 0.5 + n - k);
            calibration.transfers.push(TransferEstimate {
                from: from.clone(),
                to: to.clone(),
                events: k,
                exposure: e,
                exposed: n,
                mean,
                sd,
            });
        }

        // Joiners: vacancy-fill recruitment where the snapshots' establishment gives open
        // vacancies to learn a fill rate from; a fixed intake otherwise, and for the joiners
        // into cells that had no open vacancy.
        let total: f64 = joined.values().sum();
        if total > 0.0 {
            match recruitment(history, &periods, &years, &joined_at, &key) {
                Ok(fill) => {
                    if fill.periods.len() < periods.len() {
                        notes.push(format!(
                            "{} of {} periods with flow counts lack an establishment at one of their snapshots \
                             and were left out of the recruitment estimate",
                            periods.len() - fill.periods.len(),
                            periods.len()
                        ));
                    }
                    if !history.snapshots.last().expect("two snapshots").has_establishment {
                        notes.push(
                            "the last snapshot has no establishment_fte: a projection from it takes demand as \
                             staff in post FTE / (1 - vacancy_rate), so the vacancies that the recruitment fills \
                             are not those it was calibrated on"
                                .to_string(),
                        );
                    }
                    let r = &fill.estimate;
                    let share = r.vacancy_years / r.person_years;
                    let mut choice = format!(
                        "vacancy-fill recruitment: the snapshots have an establishment, and open vacancies came to \
                         {} vacancy-years, {:.1}% of the {} person-years of staff in post",
                        num(r.vacancy_years),
                        share * 100.0,
                        num(r.person_years)
                    );
                    if r.other_joiners > 0.0 {
                        let _ = write!(
                            choice,
                            "; of the {} joiners of those periods, {} went into cells with an open vacancy at \
                             either snapshot of their period (vacancy-fill) and {} into cells with none (a fixed \
                             intake, as no vacancy was there to fill)",
                            fmt_count(r.joiners + r.other_joiners),
                            fmt_count(r.joiners),
                            fmt_count(r.other_joiners)
                        );
                    }
                    calibration.joiners = intake_estimate(&fill.other, &fill.other_per_period, &fill.period_years);
                    calibration.recruitment = Some(fill.estimate);
                    calibration.joiners_choice = Some(choice);
                }
                Err(reason) => {
                    let counts: Vec<f64> = periods.iter().map(|&t| joined_per_period[t]).collect();
                    let spans: Vec<f64> = periods.iter().map(|&t| years[t - 1]).collect();
                    calibration.joiners = intake_estimate(&joined, &counts, &spans);
                    calibration.joiners_choice = Some(format!("a fixed intake: {reason}"));
                }
            }
        } else {
            notes.push("no joiners were counted: no supply route was estimated".to_string());
        }
    }

    // Net change of staff in post per role.
    let t_of: Vec<f64> = dates.iter().map(|d| (d.0 - dates[0].0) as f64 / 12.0).collect();
    let mut role_heads: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for (t, snapshot) in history.snapshots.iter().enumerate() {
        for row in &snapshot.rows {
            role_heads.entry(row.role.as_str()).or_insert_with(|| vec![0.0; dates.len()])[t] += row.headcount;
        }
    }
    for (role, h) in &role_heads {
        match trend(role, &t_of, h) {
            Some(tr) => calibration.net_change.push(tr),
            None => notes.push(format!("net change of `{role}` not estimated: staff in post at fewer than 2 dates")),
        }
    }

    // Demand growth from the establishment.
    let with_est: Vec<usize> = (0..dates.len()).filter(|&t| history.snapshots[t].has_establishment).collect();
    if with_est.len() >= 2 {
        let ts: Vec<f64> = with_est.iter().map(|&t| t_of[t]).collect();
        let mut role_est: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        let mut total = vec![0.0; with_est.len()];
        for (i, &t) in with_est.iter().enumerate() {
            for row in &history.snapshots[t].rows {
                let e = row.establishment_fte.unwrap_or(0.0);
                role_est.entry(row.role.as_str()).or_insert_with(|| vec![0.0; with_est.len()])[i] += e;
                total[i] += e;
            }
        }
        if let Some(total) = trend("total", &ts, &total) {
            let mut roles = Vec::new();
            for (role, e) in &role_est {
                match trend(role, &ts, e) {
                    Some(tr) => roles.push(tr),
                    None => notes.push(format!(
                        "demand growth of `{role}` not estimated: an establishment above 0 at fewer than 2 dates"
                    )),
                }
            }
            calibration.demand = Some(DemandEstimate { total, roles });
        }
    } else if !with_est.is_empty() {
        notes.push("demand growth not estimated: only one snapshot has an establishment".to_string());
    }
    calibration.notes = notes;
    Ok(calibration)
}

/// A cell of the engine: (role, band, region).
type RawCell = (String, Band, String);

/// A fixed intake straight into post from the joiners per cell over some periods (their
/// counts and years): `None` without joiners.
fn intake_estimate(joined: &BTreeMap<CellKey, f64>, counts: &[f64], spans: &[f64]) -> Option<JoinerEstimate> {
    let total: f64 = joined.values().sum();
    if total <= 0.0 {
        return None;
    }
    let span: f64 = spans.iter().sum();
    let per_period: Vec<f64> = counts.iter().zip(spans).map(|(n, y)| n / y).collect();
    let mean = total / span;
    let mut sd = total.sqrt() / span;
    if per_period.len() >= 2 {
        sd = sd.max(standard_error(&per_period));
    }
    let entries = joined
        .iter()
        .filter(|(_, j)| **j > 0.0)
        .map(|(c, &j)| EntryShare { cell: c.clone(), joiners: j, share: j / total })
        .collect();
    Some(JoinerEstimate { total, years: span, per_period, mean, sd, entries })
}

/// The standard error of the mean of `xs` (at least 2 of them).
fn standard_error(xs: &[f64]) -> f64 {
    let p = xs.len() as f64;
    let avg = xs.iter().sum::<f64>() / p;
    let var = xs.iter().map(|x| (x - avg).powi(2)).sum::<f64>() / (p - 1.0);
    (var / p).sqrt()
}

/// Open vacancies in headcount per cell of a snapshot, as the engine counts them:
/// `floor(establishment_fte / phi - headcount)`, at least 0, with `phi` the cell's FTE per head
/// (the role's where the cell is empty, 1 where the role is). A cell without an establishment
/// has none.
fn open_vacancies(snapshot: &Baseline) -> BTreeMap<RawCell, f64> {
    let mut roles: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for r in &snapshot.rows {
        let role = roles.entry(r.role.as_str()).or_default();
        role.0 += r.headcount;
        role.1 += r.fte;
    }
    snapshot
        .rows
        .iter()
        .map(|r| {
            let (heads, fte) = roles[r.role.as_str()];
            let phi = if r.headcount > 0.0 {
                r.fte / r.headcount
            } else if heads > 0.0 {
                fte / heads
            } else {
                1.0
            };
            // A hair of tolerance, so that a count that is whole up to rounding stays whole.
            let open = (r.establishment_fte.unwrap_or(0.0) / phi - r.headcount + 1e-9).floor();
            let open = if open.is_finite() && open > 0.0 { open } else { 0.0 };
            ((r.role.clone(), r.band, r.region.clone()), open)
        })
        .collect()
}

/// Vacancy-fill recruitment learnt from the periods with flows (and an establishment at both
/// snapshots), with the joiners into cells without open vacancies for a fixed intake.
struct Recruitment {
    estimate: RecruitmentEstimate,
    /// Joiners per cell into cells with no open vacancy at either snapshot of their period.
    other: BTreeMap<CellKey, f64>,
    /// Those joiners per period used.
    other_per_period: Vec<f64>,
    /// The years of each period used.
    period_years: Vec<f64>,
    /// The periods used.
    periods: Vec<usize>,
}

/// Estimates the annual fill probability of vacancy-fill recruitment (see the module doc), or
/// says why it cannot be.
fn recruitment(
    history: &History,
    periods: &[usize],
    years: &[f64],
    joined_at: &[BTreeMap<RawCell, f64>],
    key: &dyn Fn(&str, Band, &str) -> CellKey,
) -> std::result::Result<Recruitment, String> {
    let snapshots = &history.snapshots;
    let used: Vec<usize> = periods
        .iter()
        .copied()
        .filter(|&t| snapshots[t - 1].has_establishment && snapshots[t].has_establishment)
        .collect();
    if used.is_empty() {
        return Err(if snapshots.iter().any(|s| s.has_establishment) {
            "no period with flow counts has an establishment_fte at both its snapshots, so open vacancies \
             cannot be counted"
                .to_string()
        } else {
            "the snapshots have no establishment_fte, so open vacancies cannot be counted".to_string()
        });
    }
    let vacancies: Vec<Option<BTreeMap<RawCell, f64>>> =
        snapshots.iter().map(|s| s.has_establishment.then(|| open_vacancies(s))).collect();
    let (mut joiners, mut vacancy_years, mut person_years, mut span) = (0.0, 0.0, 0.0, 0.0);
    let mut other: BTreeMap<CellKey, f64> = BTreeMap::new();
    let (mut other_per_period, mut period_years, mut per_period) = (Vec::new(), Vec::new(), Vec::new());
    for &t in &used {
        let (a, b) = (vacancies[t - 1].as_ref().expect("used"), vacancies[t].as_ref().expect("used"));
        let y = years[t - 1];
        // The trapezoid of the sums is the sum of the cells' trapezoids.
        let w = (a.values().sum::<f64>() + b.values().sum::<f64>()) / 2.0 * y;
        let heads = |s: &Baseline| s.total_headcount();
        person_years += (heads(&snapshots[t - 1]) + heads(&snapshots[t])) / 2.0 * y;
        let (mut j, mut o) = (0.0, 0.0);
        for (cell, &n) in &joined_at[t] {
            let open = |v: &BTreeMap<RawCell, f64>| v.get(cell).copied().unwrap_or(0.0) > 0.0;
            if open(a) || open(b) {
                j += n;
            } else {
                o += n;
                *other.entry(key(&cell.0, cell.1, &cell.2)).or_default() += n;
            }
        }
        if w > 0.0 {
            per_period.push(annual_fill(j, w));
        }
        (joiners, vacancy_years, span) = (joiners + j, vacancy_years + w, span + y);
        other_per_period.push(o);
        period_years.push(y);
    }
    if vacancy_years <= 0.0 || person_years <= 0.0 || vacancy_years < MIN_VACANCY_SHARE * person_years {
        return Err(format!(
            "open vacancies came to {} vacancy-years, {:.2}% of the {} person-years of staff in post \
             (under {}%): too few to learn a fill rate from",
            num(vacancy_years),
            if person_years > 0.0 { 100.0 * vacancy_years / person_years } else { 0.0 },
            num(person_years),
            MIN_VACANCY_SHARE * 100.0
        ));
    }
    if joiners <= 0.0 {
        return Err("no joiners went into cells with an open vacancy, so there is no fill rate to learn".to_string());
    }
    let months = 12.0 * vacancy_years;
    let monthly = (joiners / (months + joiners)).min(FILL_MONTHLY_MAX);
    let mean = 1.0 - (1.0 - monthly).powi(12);
    // Delta method on the Poisson sd of J: d monthly / dJ = 12 W / (12 W + J)^2, and
    // d annual / d monthly = 12 (1 - monthly)^11.
    let mut sd = joiners.sqrt() * months / (months + joiners).powi(2) * 12.0 * (1.0 - monthly).powi(11);
    if per_period.len() >= 2 {
        sd = sd.max(standard_error(&per_period));
    }
    let other_joiners = other.values().sum();
    Ok(Recruitment {
        estimate: RecruitmentEstimate {
            periods: used.iter().map(|&t| (history.dates[t - 1], history.dates[t])).collect(),
            years: span,
            joiners,
            vacancy_years,
            person_years,
            monthly,
            per_period,
            mean,
            sd,
            other_joiners,
        },
        other,
        other_per_period,
        period_years,
        periods: used,
    })
}

/// The annual fill probability from `j` joiners into `w` vacancy-years:
/// `1 - (1 - f_m)^12` with the monthly `f_m = J / (12 W + J)` (capped).
fn annual_fill(j: f64, w: f64) -> f64 {
    let monthly = (j / (12.0 * w + j)).min(FILL_MONTHLY_MAX);
    1.0 - (1.0 - monthly).powi(12)
}

/// Initial exposed to risk `E + k / 2`, at least `k`.
fn exposed(k: f64, e: f64) -> f64 {
    (e + k / 2.0).max(k)
}

/// Mean and sd of Beta(a, b).
fn beta_moments(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (a / s, (a * b / (s * s * (s + 1.0))).sqrt())
}

/// Method-of-moments intra-class correlation of a Beta-Binomial and the prior strength it
/// implies, bounded: `(rho, kappa)` from `(k, n, prior mean)` per group, where the prior
/// means were fitted with `fitted` parameters from the same groups.
///
/// The squared residuals of `g` groups (those with `n > 1`) are scaled by `g / (g - fitted)`
/// (when `g > fitted`), the usual degrees-of-freedom correction: fitted means sit closer to
/// the data than the true means do, which would otherwise understate the heterogeneity.
fn moment_kappa(groups: impl Iterator<Item = (f64, f64, f64)>, fitted: usize) -> (f64, f64) {
    let (mut squares, mut binomial, mut den, mut g) = (0.0, 0.0, 0.0, 0usize);
    for (k, n, m) in groups {
        if n > 1.0 {
            let v = m * (1.0 - m);
            squares += (k - n * m).powi(2);
            binomial += n * v;
            den += n * (n - 1.0) * v;
            g += 1;
        }
    }
    let correction = if g > fitted { g as f64 / (g - fitted) as f64 } else { 1.0 };
    let rho = if den > 0.0 { ((squares * correction - binomial) / den).max(0.0) } else { 0.0 };
    let kappa = if rho > 0.0 { 1.0 / rho - 1.0 } else { KAPPA_MAX };
    (rho, kappa.clamp(KAPPA_MIN, KAPPA_MAX))
}

/// Pools the cells `(cell, events, exposure)` of one section (see the module doc).
fn pool(
    section: &'static str,
    events_name: &'static str,
    cells: &[(CellKey, f64, f64)],
    by_region: bool,
) -> RateEstimates {
    let obs: Vec<(f64, f64)> = cells.iter().map(|(_, k, e)| (*k, exposed(*k, *e))).collect();
    let total_exposure: f64 = cells.iter().map(|c| c.2).sum();
    let big_k: f64 = obs.iter().map(|o| o.0).sum();
    let big_n: f64 = obs.iter().map(|o| o.1).sum();
    let (m0, sd0) = beta_moments(0.5 + big_k, 0.5 + big_n - big_k);

    type Label = fn(&CellKey) -> String;
    let mut labels: Vec<(&'static str, Label)> =
        vec![("role", |c| c.role.clone()), ("band", |c| c.band.label().to_string())];
    if by_region {
        labels.push(("region", |c| c.region.clone().unwrap_or_default()));
    }
    let mut dimensions = Vec::new();
    // Per cell: the product of factors and the sum of their relative variances.
    let mut factor = vec![1.0; cells.len()];
    let mut rel_var = vec![0.0; cells.len()];
    // Parameters of the main-effects model: the overall rate and each dimension's groups but one.
    let mut fitted = 1;
    for (name, label) in labels {
        let mut groups: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for ((c, _, _), (k, n)) in cells.iter().zip(&obs) {
            let g = groups.entry(label(c)).or_default();
            g.0 += k;
            g.1 += n;
        }
        let (rho, kappa) = moment_kappa(groups.values().map(|&(k, n)| (k, n, m0)), 1);
        fitted += groups.len().saturating_sub(1);
        let mut estimates: BTreeMap<String, GroupEstimate> = BTreeMap::new();
        for (g, &(k, n)) in &groups {
            let (mean, sd) = beta_moments(kappa * m0 + k, kappa * (1.0 - m0) + n - k);
            estimates.insert(
                g.clone(),
                GroupEstimate { name: g.clone(), events: k, exposed: n, mean, sd, factor: mean / m0 },
            );
        }
        for (i, (c, _, _)) in cells.iter().enumerate() {
            let g = &estimates[&label(c)];
            factor[i] *= g.factor;
            rel_var[i] += (g.sd / g.mean).powi(2);
        }
        let mut groups: Vec<GroupEstimate> = estimates.into_values().collect();
        if name == "band" {
            groups.sort_by_key(|g| Band::parse(&g.name));
        }
        dimensions.push(Dimension { name, rho, kappa, groups });
    }
    let prior: Vec<f64> = factor.iter().map(|f| (m0 * f).clamp(PRIOR_MEAN_MIN, PRIOR_MEAN_MAX)).collect();
    // Cells with events but no staff in post at the snapshots (exposure 0, `n = k`) say
    // nothing about heterogeneity: they are left out of the moments.
    let (rho, kappa) = moment_kappa(
        cells.iter().zip(&obs).zip(&prior).filter(|(((_, _, e), _), _)| *e > 0.0).map(|((_, &(k, n)), &m)| (k, n, m)),
        fitted,
    );
    let cells = cells
        .iter()
        .zip(&obs)
        .enumerate()
        .map(|(i, ((cell, _, e), &(k, n)))| {
            let m = prior[i];
            let v = m * (1.0 - m);
            let prior_var = v / (kappa + 1.0) + m * m * rel_var[i];
            let strength = (v / prior_var - 1.0).clamp(KAPPA_MIN, kappa);
            let (mean, sd) = beta_moments(strength * m + k, strength * (1.0 - m) + n - k);
            CellEstimate {
                cell: cell.clone(),
                events: k,
                exposure: *e,
                exposed: n,
                mean,
                sd,
                prior_mean: m,
                prior_strength: strength,
                weight: strength / (strength + n),
            }
        })
        .collect();
    RateEstimates {
        section,
        events_name,
        events: big_k,
        exposure: total_exposure,
        exposed: big_n,
        mean: m0,
        sd: sd0,
        dimensions,
        rho,
        kappa,
        cells,
    }
}

/// The OLS trend of ln(value) on `ts` (years) over the points with a value above 0, or
/// `None` with fewer than 2 such points.
fn trend(name: &str, ts: &[f64], values: &[f64]) -> Option<Trend> {
    let points: Vec<(f64, f64, f64)> =
        ts.iter().zip(values).filter(|(_, v)| **v > 0.0).map(|(&t, &v)| (t, v.ln(), v)).collect();
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let t_bar = points.iter().map(|p| p.0).sum::<f64>() / n;
    let y_bar = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - t_bar).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - t_bar) * (p.1 - y_bar)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let slope_se = (points.len() >= 3).then(|| {
        let ssr: f64 = points.iter().map(|p| (p.1 - y_bar - slope * (p.0 - t_bar)).powi(2)).sum();
        let se = (ssr / (n - 2.0) / sxx).sqrt();
        // An exact fit leaves rounding noise, not uncertainty.
        if se < 1e-12 { 0.0 } else { se }
    });
    Some(Trend {
        name: name.to_string(),
        dates: points.len(),
        first: points[0].2,
        last: points[points.len() - 1].2,
        slope,
        slope_se,
        mean: slope.exp_m1(),
        sd: slope_se.map(|se| slope.exp() * se),
    })
}

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

/// A number with about 4 significant figures, as a TOML float.
fn num(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return "0.0".to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-4..9).contains(&magnitude) {
        return format!("{x:.3e}");
    }
    let decimals = (3 - magnitude).max(1) as usize;
    let s = format!("{x:.decimals$}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') { format!("{s}0") } else { s.to_string() }
}

/// A count for a comment: whole numbers without decimals.
fn fmt_count(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{x:.0}") } else { format!("{x:.1}") }
}

/// A TOML string (quoted and escaped by the toml crate).
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `text` broken into lines of at most `width` characters (where spaces allow), the lines
/// after the first starting with `prefix`.
fn wrap(text: &str, prefix: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            out.push_str(prefix);
            line = prefix.len();
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}

/// A name as it may appear in a comment (no line breaks or other control characters).
fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A parameter as TOML (`{ mean, sd }`, or a plain number when `sd` is unknown or 0), in
/// 4 significant figures where that resolves in `family`, in full precision otherwise.
fn param(mean: f64, sd: Option<f64>, family: Family) -> String {
    let full = |x: f64| format!("{x:?}");
    let sd = sd.filter(|s| *s > 0.0);
    for fmt in [num as fn(f64) -> String, full] {
        let (m, s) = (fmt(mean), sd.map(fmt));
        let parsed = |t: &str| t.parse::<f64>().unwrap_or(f64::NAN);
        let spec = match &s {
            Some(s) => ParamSpec::MeanSd { mean: parsed(&m), sd: parsed(s) },
            None => ParamSpec::Fixed(parsed(&m)),
        };
        if Dist::resolve(&spec, family).is_ok() {
            return match s {
                Some(s) => format!("{{ mean = {m}, sd = {s} }}"),
                None => m,
            };
        }
    }
    // Unreachable for the estimates made here (Beta posteriors with a prior of at least
    // 2 person-years, positive intakes, growth above -100%): a plain mean always resolves.
    match family {
        Family::Probability => full(mean.clamp(0.0, 1.0)),
        Family::Amount => full(mean.max(0.0)),
        Family::Growth => full(mean.max(-1.0)),
    }
}

/// A signed percentage: `+5.00%`.
fn pct(x: f64) -> String {
    format!("{:+.2}%", x * 100.0)
}

/// Dates as a short list: all of them up to 8, else the first two, `...` and the last.
fn date_list(dates: &[Month]) -> String {
    if dates.len() <= 8 {
        dates.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
    } else {
        format!("{}, {}, ..., {}", dates[0], dates[1], dates[dates.len() - 1])
    }
}

impl CellKey {
    /// The cell as selector keys: `role = "...", band = "..."[, region = "..."]`.
    fn selector(&self) -> String {
        let mut s = format!("role = {}, band = {}", quote(&self.role), quote(self.band.label()));
        if let Some(region) = &self.region {
            let _ = write!(s, ", region = {}", quote(region));
        }
        s
    }

    /// The cell for people: `role / band / region`.
    fn label(&self) -> String {
        match &self.region {
            Some(region) => format!("{} / band {} / {}", clean(&self.role), self.band, clean(region)),
            None => format!("{} / band {}", clean(&self.role), self.band),
        }
    }
}

impl Calibration {
    /// Whether a scenario on the last snapshot can name this role and region.
    fn known(&self, role: &str, region: Option<&str>) -> bool {
        self.last_roles.contains(role) && region.is_none_or(|r| self.last_regions.contains(r))
    }

    /// The cells that are not in the last snapshot's roles or regions, as a comment line.
    fn left_out(&self, what: &str, names: Vec<String>) -> String {
        if names.is_empty() {
            return String::new();
        }
        format!(
            "# {} {what} left out: their role or region is not in the last snapshot ({}).\n",
            names.len(),
            names.join("; ")
        )
    }

    /// The scenario fragment: a commented header, then `[attrition]`, `[progression]`,
    /// `[[transfer]]`, the joiners' `[[supply]]` route and `[demand]`, as far as they were
    /// estimated, and the net change of staff in post as comments.
    ///
    /// Appended to a scenario's top-level keys (`name`, `baseline`, `start`, ...), it parses
    /// with [`crate::scenario::Scenario::from_toml`] and compiles against the history's last
    /// snapshot. Rules for roles or regions that are not in the last snapshot are left out
    /// (a comment lists them).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        self.write_header(&mut out);
        for section in [&self.attrition, &self.progression].into_iter().flatten() {
            self.write_rates(&mut out, section);
        }
        self.write_transfers(&mut out);
        self.write_joiners(&mut out);
        self.write_net_change(&mut out);
        self.write_demand(&mut out);
        out
    }

    fn write_header(&self, out: &mut String) {
        let _ = writeln!(out, "# Calibrated by `wfcast calibrate` from an ESR history");
        let _ = writeln!(
            out,
            "#   snapshots: {} ({} dates: {})",
            clean(&self.path.display().to_string()),
            self.dates.len(),
            date_list(&self.dates)
        );
        match &self.flows_path {
            Some(flows) if !self.flow_periods.is_empty() => {
                let years: f64 = self.flow_periods.iter().map(|(a, b)| (b.0 - a.0) as f64 / 12.0).sum();
                let _ = writeln!(
                    out,
                    "#   flows:     {} ({} periods with flow counts, {years:.2} years, {} to {})",
                    clean(&flows.display().to_string()),
                    self.flow_periods.len(),
                    self.flow_periods[0].0,
                    self.flow_periods[self.flow_periods.len() - 1].1
                );
            }
            _ => {
                let _ = writeln!(out, "#   flows:     none (snapshots only)");
            }
        }
        if self.attrition.is_some() {
            let cells = if self.by_region { "role x band x region" } else { "role x band (regions summed)" };
            let _ = writeln!(out, "# Cells: {cells}.");
            let _ = writeln!(
                out,
                "# Method: annual probability = events / (person-years + events / 2), person-years by the\n\
                 #   trapezoid on the snapshots' headcounts; each cell pooled towards a main-effects prior\n\
                 #   (overall x role x band{} factors) by empirical-Bayes Beta-Binomial shrinkage, prior\n\
                 #   strength by the method of moments (bounded to {} .. {}); written as the posterior\n\
                 #   {{ mean, sd }}. Transfers: Jeffreys posterior per pair of roles. Joiners: {}.",
                if self.by_region { " x region" } else { "" },
                num(KAPPA_MIN),
                num(KAPPA_MAX),
                if self.recruitment.is_some() {
                    "vacancy-fill\n#   recruitment, fill probability from joiners per vacancy-year (see [[supply]])"
                } else {
                    "mean intake\n#   per year straight into post, shared by the cells they joined"
                }
            );
            let pooled: Vec<String> = [&self.attrition, &self.progression]
                .into_iter()
                .flatten()
                .map(|r| format!("{} {} of {} cells", r.section, r.pooled(), r.cells.len()))
                .collect();
            let _ = writeln!(out, "# Pooled (weight above {POOLED_WEIGHT}): {}.", pooled.join(", "));
            let _ = writeln!(out, "# To change a rule, edit its line, or write a scenario that `extends` this one.");
        }
        for note in &self.notes {
            let _ = writeln!(out, "# Note: {}.", clean(note));
        }
    }

    fn write_rates(&self, out: &mut String, r: &RateEstimates) {
        let _ = writeln!(out, "\n[{}]", r.section);
        let _ = writeln!(
            out,
            "# overall: {} {} / {} person-years (Jeffreys posterior); cells without a rule get it",
            fmt_count(r.events),
            r.events_name,
            num(r.exposure)
        );
        let _ = writeln!(out, "default = {}", param(r.mean, Some(r.sd), Family::Probability));
        let strengths: Vec<String> = std::iter::once(format!("cells {}", num(r.kappa)))
            .chain(r.dimensions.iter().map(|d| format!("{}s {}", d.name, num(d.kappa))))
            .collect();
        let _ = writeln!(out, "# prior strength (person-years, method of moments): {}", strengths.join(", "));
        let mut missing = Vec::new();
        let mut lines = String::new();
        for c in &r.cells {
            if !self.known(&c.cell.role, c.cell.region.as_deref()) {
                missing.push(c.cell.label());
                continue;
            }
            let mut comment = format!("{} {} / {} person-years", fmt_count(c.events), r.events_name, num(c.exposure));
            if c.exposed == 0.0 {
                comment.push_str(", no exposure: the prior");
            } else if c.pooled() {
                let _ = write!(comment, ", pooled {:.0}% towards {}", c.weight * 100.0, num(c.prior_mean));
            }
            let _ = writeln!(
                lines,
                "  {{ {}, rate = {} }},  # {comment}",
                c.cell.selector(),
                param(c.mean, Some(c.sd), Family::Probability)
            );
        }
        if !lines.is_empty() {
            let _ = write!(out, "rule = [\n{lines}]\n");
        }
        out.push_str(&self.left_out("rules", missing));
    }

    fn write_transfers(&self, out: &mut String) {
        if self.transfers.is_empty() {
            return;
        }
        let mut missing = Vec::new();
        for t in &self.transfers {
            if !self.known(&t.from, None) || !self.known(&t.to, None) {
                missing.push(format!("{} -> {}", clean(&t.from), clean(&t.to)));
                continue;
            }
            let _ = writeln!(
                out,
                "\n# {} moves / {} person-years of the from role, all bands and regions (Jeffreys posterior)",
                fmt_count(t.events),
                num(t.exposure)
            );
            let _ = writeln!(
                out,
                "[[transfer]]\nfrom = {}\nto = {}\nrate = {}",
                quote(&t.from),
                quote(&t.to),
                param(t.mean, Some(t.sd), Family::Probability)
            );
        }
        if !missing.is_empty() {
            out.push('\n');
            out.push_str(&self.left_out("transfers", missing));
        }
    }

    fn write_joiners(&self, out: &mut String) {
        if let Some(choice) = &self.joiners_choice {
            let _ = writeln!(out, "\n# {}", wrap(&format!("---- Joiners: {}.", clean(choice)), "# ", 94));
        }
        if let Some(r) = &self.recruitment {
            let _ = writeln!(out, "\n[[supply]]\nname = {}\nkind = \"vacancy-fill\"", quote(RECRUITMENT_ROUTE));
            let _ = writeln!(
                out,
                "# J = {} joiners into cells with open vacancies, W = {} vacancy-years, over {:.2} years\n\
                 #   ({} to {}). Open vacancies in headcount per cell at each snapshot, as the engine counts\n\
                 #   them: floor(establishment_fte / (fte per head) - headcount), at least 0; trapezoid over\n\
                 #   each period. A snapshot is taken after the month's hires, and the engine hires from the\n\
                 #   vacancies open before them (those at the snapshot plus the hires), so the monthly fill\n\
                 #   probability is J / (12 W + J) = {}, and the annual 1 - (1 - {})^12.\n\
                 # sd: the larger of the Poisson sd of the joiners (delta method) and the standard error of\n\
                 #   the per-period estimates ({})",
                fmt_count(r.joiners),
                num(r.vacancy_years),
                r.years,
                r.periods[0].0,
                r.periods[r.periods.len() - 1].1,
                num(r.monthly),
                num(r.monthly),
                r.per_period.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
            );
            let _ = writeln!(out, "fill_rate = {}", param(r.mean, Some(r.sd), Family::Probability));
        }
        let Some(j) = &self.joiners else { return };
        let _ = writeln!(out, "\n[[supply]]\nname = {}", quote(JOINERS_ROUTE));
        if self.recruitment.is_some() {
            let _ = writeln!(
                out,
                "# The joiners into cells with no open vacancy at either snapshot of their period: a fixed\n\
                 # intake beside the recruitment above."
            );
        }
        let _ = writeln!(
            out,
            "# {} joiners over {:.2} years; sd: the larger of the Poisson sd and the standard error of the\n\
             # per-period counts per year ({})",
            fmt_count(j.total),
            j.years,
            j.per_period.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
        );
        let _ = writeln!(out, "intake = {}", param(j.mean, Some(j.sd), Family::Amount));
        let _ = writeln!(out, "duration_months = 0");
        let mut missing = Vec::new();
        let mut lines = String::new();
        for e in &j.entries {
            if !self.known(&e.cell.role, e.cell.region.as_deref()) {
                missing.push(e.cell.label());
                continue;
            }
            let _ = writeln!(
                lines,
                "  {{ {}, share = {} }},  # {} joiners",
                e.cell.selector(),
                num(e.share),
                fmt_count(e.joiners)
            );
        }
        if !lines.is_empty() {
            let _ = write!(out, "entry = [\n{lines}]\n");
        }
        out.push_str(&self.left_out("entry cells", missing));
    }

    fn write_net_change(&self, out: &mut String) {
        out.push('\n');
        if self.flows_path.is_none() || self.attrition.is_none() {
            out.push_str(
                "# ---- Net change only: no flow counts were given, so leaver, progression and transfer rates\n\
                 # cannot be estimated; supply --flows to estimate them.\n",
            );
        } else {
            out.push_str("# ---- Net change of staff in post (for reference; the rates above are what runs).\n");
        }
        out.push_str("# Net annual change of staff in post per role (OLS of ln headcount on years):\n");
        for t in &self.net_change {
            let _ = writeln!(out, "#   {}: {}", clean(&t.name), trend_text(t, "staff"));
        }
    }

    fn write_demand(&self, out: &mut String) {
        let Some(d) = &self.demand else {
            out.push_str(
                "\n# Demand growth was not estimated: the history has no establishment_fte column \
                 (at two dates or more).\n",
            );
            return;
        };
        out.push_str("\n[demand]\n");
        let _ = writeln!(
            out,
            "# growth of the funded establishment (OLS of ln establishment FTE on years): total {}",
            trend_text(&d.total, "FTE")
        );
        let _ = writeln!(out, "growth = {}", param(d.total.mean, d.total.sd, Family::Growth));
        let mut missing = Vec::new();
        let mut lines = String::new();
        for t in &d.roles {
            if !self.known(&t.name, None) {
                missing.push(clean(&t.name));
                continue;
            }
            let _ = writeln!(
                lines,
                "  {{ role = {}, growth = {} }},  # {}",
                quote(&t.name),
                param(t.mean, t.sd, Family::Growth),
                trend_text(t, "FTE")
            );
        }
        if !lines.is_empty() {
            let _ = write!(out, "rule = [\n{lines}]\n");
        }
        out.push_str(&self.left_out("demand rules", missing));
    }

    /// A short plain-text summary for the terminal.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "History: {} dates ({})", self.dates.len(), date_list(&self.dates));
        if let Some(r) = &self.attrition {
            let years: f64 = self.flow_periods.iter().map(|(a, b)| (b.0 - a.0) as f64 / 12.0).sum();
            let _ = writeln!(out, "Flows: {} periods, {years:.2} years", self.flow_periods.len());
            for r in [Some(r), self.progression.as_ref()].into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "{:<12} overall {} (sd {}) from {} {} / {} person-years; {} cells, {} pooled",
                    r.section,
                    num(r.mean),
                    num(r.sd),
                    fmt_count(r.events),
                    r.events_name,
                    num(r.exposure),
                    r.cells.len(),
                    r.pooled()
                );
            }
            let pairs = if self.transfers.len() == 1 { "pair" } else { "pairs" };
            let _ = writeln!(out, "{:<12} {} {pairs} of roles with moves", "transfers", self.transfers.len());
            if let Some(r) = &self.recruitment {
                let _ = writeln!(
                    out,
                    "{:<12} vacancy-fill: annual fill probability {} (sd {}) from {} joiners / {} vacancy-years",
                    "recruitment",
                    num(r.mean),
                    num(r.sd),
                    fmt_count(r.joiners),
                    num(r.vacancy_years)
                );
            }
            match &self.joiners {
                Some(j) => {
                    let _ = writeln!(
                        out,
                        "{:<12} fixed intake: {} per year (sd {}) into {} cells",
                        "joiners",
                        num(j.mean),
                        num(j.sd),
                        j.entries.len()
                    );
                }
                None if self.recruitment.is_some() => {}
                None => {
                    let _ = writeln!(out, "{:<12} none counted", "joiners");
                }
            }
            if let Some(choice) = &self.joiners_choice {
                let _ = writeln!(out, "Joiners are {}.", clean(choice));
            }
        } else {
            out.push_str(
                "Net change only: no flow counts were given, so leaver, progression and transfer rates \
                 cannot be estimated; supply --flows to estimate them.\n",
            );
        }
        out.push_str("Net annual change of staff in post:\n");
        for t in &self.net_change {
            let _ = writeln!(out, "  {}: {}", clean(&t.name), trend_text(t, "staff"));
        }
        match &self.demand {
            Some(d) => {
                let _ = writeln!(out, "Demand growth: total {}", trend_text(&d.total, "FTE"));
                for t in &d.roles {
                    let _ = writeln!(out, "  {}: {}", clean(&t.name), trend_text(t, "FTE"));
                }
            }
            None => out.push_str("Demand growth: not estimated (no establishment_fte in the history)\n"),
        }
        for note in &self.notes {
            let _ = writeln!(out, "Note: {}", clean(note));
        }
        out
    }
}

/// A trend for people: `+5.00%/yr (sd 0.12%), 1000 -> 1276 staff over 6 dates`.
fn trend_text(t: &Trend, unit: &str) -> String {
    let sd = match t.sd {
        Some(sd) if sd * 100.0 >= 0.01 => format!("sd {:.2}%", sd * 100.0),
        Some(sd) if sd > 0.0 => format!("sd {}%", num(sd * 100.0)),
        Some(_) => "sd 0: an exact fit".to_string(),
        None => "sd unknown: 2 dates".to_string(),
    };
    let amount = |x: f64| if x.fract() == 0.0 { fmt_count(x) } else { format!("{x:.1}") };
    format!("{}/yr ({sd}), {} -> {} {unit} over {} dates", pct(t.mean), amount(t.first), amount(t.last), t.dates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::{Baseline, BaselineRow, DEFAULT_REGION};
    use crate::history::FlowRow;
    use crate::model::Model;
    use crate::sampling::{WfRng, binomial, key_hash, multinomial, poisson, prob_per_step, stream};
    use crate::scenario::{Scenario, SupplyKind};
    use rand_distr::{Distribution, StandardNormal};
    use std::path::Path;

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    fn row(role: &str, band: Band, region: &str, headcount: f64, establishment: Option<f64>) -> BaselineRow {
        BaselineRow {
            role: role.to_string(),
            band,
            region: region.to_string(),
            headcount,
            fte: headcount,
            establishment_fte: establishment,
        }
    }

    fn flow(date: Month, role: &str, band: Band, region: &str, kind: FlowKind, count: f64) -> FlowRow {
        FlowRow { date, role: role.to_string(), band, region: region.to_string(), kind, count }
    }

    /// Appends the fragment to a scenario header, parses it and compiles it against the
    /// history's last snapshot.
    fn compile(history: &History, calibration: &Calibration) -> Scenario {
        let text = format!(
            "name = \"calibrated\"\nbaseline = \"baseline.csv\"\nstart = \"{}\"\n{}",
            history.dates.last().unwrap(),
            calibration.to_toml()
        );
        let scenario =
            Scenario::from_toml(&text, Path::new("calibrated.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"));
        Model::compile(&scenario, history.snapshots.last().unwrap(), None).unwrap_or_else(|e| panic!("{e}\n{text}"));
        scenario
    }

    /// A workforce with known rates, to simulate a history from.
    struct World {
        roles: Vec<String>,
        bands: Vec<Band>,
        regions: Vec<String>,
        /// Per cell (role, band, region), in that nesting order.
        attrition: Vec<f64>,
        progression: Vec<f64>,
        start: Vec<u64>,
        /// (from role, to role, annual probability), every band and region.
        transfers: Vec<(usize, usize, f64)>,
        intake: f64,
        entry: Vec<f64>,
    }

    impl World {
        fn cells(&self) -> usize {
            self.roles.len() * self.bands.len() * self.regions.len()
        }

        fn cell(&self, r: usize, b: usize, g: usize) -> usize {
            (r * self.bands.len() + b) * self.regions.len() + g
        }

        fn parts(&self, c: usize) -> (usize, usize, usize) {
            let g = c % self.regions.len();
            let b = (c / self.regions.len()) % self.bands.len();
            (c / (self.regions.len() * self.bands.len()), b, g)
        }

        fn key(&self, c: usize, by_region: bool) -> CellKey {
            let (r, b, g) = self.parts(c);
            CellKey {
                role: self.roles[r].clone(),
                band: self.bands[b],
                region: by_region.then(|| self.regions[g].clone()),
            }
        }

        /// Steps the world monthly in the engine's order (leavers, progression, transfers,
        /// joiners) for `years` years, with a snapshot and flow counts every 12 months.
        // Cell-index loops, as the engine's phases read.
        #[allow(clippy::needless_range_loop)]
        fn simulate(&self, seed: u64, years: usize) -> History {
            let mut rng: WfRng = stream(seed, 0, key_hash(&["simulated history"]));
            let n = self.cells();
            let monthly = |p: &[f64]| p.iter().map(|&p| prob_per_step(p, 1)).collect::<Vec<f64>>();
            let (a, u) = (monthly(&self.attrition), monthly(&self.progression));
            let moves: Vec<Vec<(usize, f64)>> = (0..self.roles.len())
                .map(|r| self.transfers.iter().filter(|t| t.0 == r).map(|t| (t.1, prob_per_step(t.2, 1))).collect())
                .collect();
            let entry_total: f64 = self.entry.iter().sum();
            let entry: Vec<f64> = self.entry.iter().map(|e| e / entry_total).collect();
            let mut h = self.start.clone();
            let first = month("2019-03");
            let mut dates = vec![first];
            let mut snapshots = vec![self.snapshot(first, &h)];
            let mut flows = Vec::new();
            for year in 1..=years {
                let date = Month(first.0 + 12 * year as i32);
                let mut leavers = vec![0u64; n];
                let mut progressed = vec![0u64; n];
                let mut joiners = vec![0u64; n];
                let mut moved: BTreeMap<(usize, usize), u64> = BTreeMap::new();
                for _ in 0..12 {
                    for c in 0..n {
                        let l = binomial(&mut rng, h[c], a[c]);
                        h[c] -= l;
                        leavers[c] += l;
                    }
                    let up: Vec<u64> = (0..n).map(|c| binomial(&mut rng, h[c], u[c])).collect();
                    for c in 0..n {
                        if up[c] > 0 {
                            let (r, b, g) = self.parts(c);
                            h[c] -= up[c];
                            h[self.cell(r, b + 1, g)] += up[c];
                            progressed[c] += up[c];
                        }
                    }
                    let mut arrivals = vec![0u64; n];
                    for c in 0..n {
                        let (r, b, g) = self.parts(c);
                        if moves[r].is_empty() {
                            continue;
                        }
                        let probs: Vec<f64> = moves[r].iter().map(|m| m.1).collect();
                        let mut out = vec![0u64; probs.len()];
                        multinomial(&mut rng, h[c], &probs, &mut out);
                        for (i, &k) in out.iter().enumerate() {
                            h[c] -= k;
                            arrivals[self.cell(moves[r][i].0, b, g)] += k;
                            *moved.entry((c, moves[r][i].0)).or_default() += k;
                        }
                    }
                    let intake = poisson(&mut rng, self.intake / 12.0);
                    let mut into = vec![0u64; n];
                    multinomial(&mut rng, intake, &entry, &mut into);
                    for c in 0..n {
                        h[c] += arrivals[c] + into[c];
                        joiners[c] += into[c];
                    }
                }
                for c in 0..n {
                    let (r, b, g) = self.parts(c);
                    let (role, band, region) = (&self.roles[r], self.bands[b], &self.regions[g]);
                    for (kind, count) in [
                        (FlowKind::Leavers, leavers[c]),
                        (FlowKind::Progressed, progressed[c]),
                        (FlowKind::Joiners, joiners[c]),
                    ] {
                        if count > 0 {
                            flows.push(flow(date, role, band, region, kind, count as f64));
                        }
                    }
                }
                for (&(c, to), &k) in &moved {
                    if k > 0 {
                        let (r, b, g) = self.parts(c);
                        let kind = FlowKind::Transfer { to: self.roles[to].clone() };
                        flows.push(flow(date, &self.roles[r], self.bands[b], &self.regions[g], kind, k as f64));
                    }
                }
                dates.push(date);
                snapshots.push(self.snapshot(date, &h));
            }
            History {
                path: PathBuf::from("history.csv"),
                flows_path: Some(PathBuf::from("flows.csv")),
                dates,
                snapshots,
                flows: Some(flows),
            }
        }

        fn snapshot(&self, date: Month, h: &[u64]) -> Baseline {
            let rows = (0..self.cells())
                .map(|c| {
                    let (r, b, g) = self.parts(c);
                    row(&self.roles[r], self.bands[b], &self.regions[g], h[c] as f64, None)
                })
                .collect();
            let mut baseline = Baseline::from_rows(format!("snapshot {date}"), rows);
            baseline.has_region = self.regions.len() > 1;
            baseline.has_fte = false;
            baseline
        }
    }

    /// 12 roles x 6 bands (7 to 9) in one region: attrition 5%..20% and progression by
    /// role and band main effects with cell-level noise on top, four transfer routes and
    /// joiners into bands 7 and 8a.
    fn national_world(seed: u64) -> World {
        let mut rng: WfRng = stream(seed, 0, key_hash(&["true rates"]));
        let roles: Vec<String> = (1..=12).map(|i| format!("Role {i:02}")).collect();
        let bands = vec![Band::B7, Band::B8a, Band::B8b, Band::B8c, Band::B8d, Band::B9];
        let regions = vec![DEFAULT_REGION.to_string()];
        let band_attrition = [1.25, 1.1, 1.0, 0.9, 0.85, 0.8];
        let band_progression = [1.3, 1.1, 1.0, 0.8, 0.6, 0.0];
        let (mut attrition, mut progression, mut start, mut entry) = (vec![], vec![], vec![], vec![]);
        for r in 0..roles.len() {
            let role_factor = 0.7 + 0.6 * r as f64 / 11.0;
            let role_progression = 1.2 - 0.4 * ((r * 5) % 12) as f64 / 11.0;
            for b in 0..bands.len() {
                let z: f64 = StandardNormal.sample(&mut rng);
                attrition.push((0.11 * role_factor * band_attrition[b] * (0.12 * z).exp()).clamp(0.05, 0.20));
                let z: f64 = StandardNormal.sample(&mut rng);
                progression.push(0.09 * role_progression * band_progression[b] * (0.12 * z).exp());
                start.push(90 + ((r * 37 + b * 53) % 70) as u64);
                entry.push(if b < 2 { 1.0 + (r % 3) as f64 } else { 0.0 });
            }
        }
        World {
            roles,
            bands,
            regions,
            attrition,
            progression,
            start,
            transfers: vec![(0, 1, 0.04), (2, 3, 0.03), (5, 4, 0.02), (7, 0, 0.05)],
            intake: 1400.0,
            entry,
        }
    }

    /// The share of cells whose truth is within 2 posterior sds and within the 90% interval.
    fn coverage(world: &World, rates: &RateEstimates, truth: &[f64]) -> (f64, f64, usize) {
        let (mut within_2sd, mut within_90, mut count) = (0, 0, 0);
        for (c, &p) in truth.iter().enumerate() {
            let key = world.key(c, false);
            let Some(e) = rates.cells.iter().find(|e| e.cell == key) else {
                assert_eq!(key.band, Band::B9, "no estimate for {key:?}");
                continue;
            };
            count += 1;
            let z = (e.mean - p).abs() / e.sd;
            within_2sd += (z <= 2.0) as usize;
            within_90 += (z <= 1.645) as usize;
        }
        (within_2sd as f64 / count as f64, within_90 as f64 / count as f64, count)
    }

    #[test]
    fn known_rates_are_recovered_with_honest_uncertainty() {
        // Five simulated histories of 72 cells each: 360 attrition and 300 progression rates.
        let (mut a2, mut a90, mut na, mut p2, mut p90, mut np) = (0.0, 0.0, 0, 0.0, 0.0, 0);
        let mut report = String::new();
        for seed in 1..=5 {
            let world = national_world(seed);
            let history = world.simulate(100 + seed, 6);
            let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
            let attrition = cal.attrition.as_ref().unwrap();
            let progression = cal.progression.as_ref().unwrap();
            let (a, b, n) = coverage(&world, attrition, &world.attrition);
            (a2, a90, na) = (a2 + a * n as f64, a90 + b * n as f64, na + n);
            let _ = writeln!(report, "seed {seed}: attrition within 2 sd {a:.3}, in 90% interval {b:.3}");
            let (a, b, n) = coverage(&world, progression, &world.progression);
            (p2, p90, np) = (p2 + a * n as f64, p90 + b * n as f64, np + n);
            let _ = writeln!(report, "seed {seed}: progression within 2 sd {a:.3}, in 90% interval {b:.3}");
            assert_eq!((attrition.cells.len(), progression.cells.len()), (72, 60), "no progression from band 9");
            for (from, to, p) in &world.transfers {
                let (from, to) = (&world.roles[*from], &world.roles[*to]);
                let t = cal.transfers.iter().find(|t| (&t.from, &t.to) == (from, to)).unwrap();
                assert!((t.mean - p).abs() <= 3.0 * t.sd, "{t:?}");
                assert!((t.mean - p).abs() <= 0.2 * p, "{t:?}");
            }
            assert_eq!(cal.transfers.len(), world.transfers.len(), "only pairs with moves");
            let joiners = cal.joiners.as_ref().unwrap();
            assert!((joiners.mean - world.intake).abs() <= 3.0 * joiners.sd, "{joiners:?}");
            assert!((joiners.mean - world.intake).abs() <= 0.05 * world.intake, "{joiners:?}");
            assert_eq!(joiners.entries.len(), 24, "bands 7 and 8a of every role");
            assert!((joiners.entries.iter().map(|e| e.share).sum::<f64>() - 1.0).abs() < 1e-12);
            if seed == 1 {
                // The fragment runs and carries every cell.
                let scenario = compile(&history, &cal);
                assert_eq!(scenario.spec.attrition.as_ref().unwrap().rule.len(), 72);
                assert_eq!(scenario.spec.progression.as_ref().unwrap().rule.len(), 60);
                assert_eq!(scenario.spec.transfer.len(), 4);
                assert_eq!(scenario.spec.supply[0].name, JOINERS_ROUTE);
            }
        }
        let (a2, a90, p2, p90) = (a2 / na as f64, a90 / na as f64, p2 / np as f64, p90 / np as f64);
        let _ = writeln!(report, "all: attrition {a2:.3} {a90:.3}, progression {p2:.3} {p90:.3}");
        assert!(a2 >= 0.85 && p2 >= 0.85, "{report}");
        assert!((0.80..=0.98).contains(&a90) && (0.80..=0.98).contains(&p90), "{report}");
        println!("{report}");
    }

    #[test]
    fn exposure_is_the_actuarial_initial_exposed_to_risk() {
        // 10 000 staff, 1 000 leave over a year and nobody joins: 10% a year, where
        // leavers / person-years would say 10.5%.
        let dates = vec![month("2020-03"), month("2021-03")];
        let snapshots = vec![
            Baseline::from_rows("a", vec![row("A", Band::B5, "England", 10_000.0, None)]),
            Baseline::from_rows("b", vec![row("A", Band::B5, "England", 9_000.0, None)]),
        ];
        let flows = vec![flow(dates[1], "A", Band::B5, "England", FlowKind::Leavers, 1000.0)];
        let history =
            History { path: "h.csv".into(), flows_path: Some("f.csv".into()), dates, snapshots, flows: Some(flows) };
        let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
        let cell = &cal.attrition.as_ref().unwrap().cells[0];
        assert_eq!((cell.events, cell.exposure, cell.exposed), (1000.0, 9500.0, 10_000.0));
        assert!((cell.mean - 0.1).abs() < 1e-3, "{cell:?}");
        assert!(cell.sd > 0.0 && cell.sd < 0.005, "{cell:?}");
        compile(&history, &cal);
    }

    /// Two roles x two bands x four regions of about 200 staff with 9%..11% leavers a year,
    /// except one cell of 3 staff with no leavers. The second role's name needs escaping.
    fn regional_history() -> History {
        let roles = ["Analyst", "Data \"Ops\" \\ Eng"];
        let regions = ["London", "Midlands", "North East", "South West"];
        let dates = vec![month("2021-03"), month("2022-03"), month("2023-03")];
        let mut snapshots = Vec::new();
        let mut flows = Vec::new();
        for (t, &date) in dates.iter().enumerate() {
            let mut rows = Vec::new();
            for (r, role) in roles.iter().enumerate() {
                for (b, band) in [Band::B5, Band::B6].into_iter().enumerate() {
                    for (g, region) in regions.iter().enumerate() {
                        let small = r == 0 && b == 0 && g == 2;
                        let heads = if small { 3.0 } else { 200.0 + (r * 7 + b * 3 + g * 5 + t * 2) as f64 };
                        rows.push(row(role, band, region, heads, Some(heads * 1.1)));
                        if t > 0 && !small {
                            let leavers = 18.0 + ((r + 2 * b + 3 * g + t) % 5) as f64;
                            flows.push(flow(date, role, band, region, FlowKind::Leavers, leavers));
                            flows.push(flow(date, role, band, region, FlowKind::Joiners, leavers + 2.0));
                            if b == 0 {
                                flows.push(flow(date, role, band, region, FlowKind::Progressed, 12.0 + g as f64));
                            }
                        }
                    }
                }
            }
            snapshots.push(Baseline::from_rows(format!("snapshot {date}"), rows));
        }
        let transfer = FlowKind::Transfer { to: roles[1].to_string() };
        flows.push(flow(dates[2], roles[0], Band::B6, "London", transfer, 4.0));
        History {
            path: "regional.csv".into(),
            flows_path: Some("regional-flows.csv".into()),
            dates,
            snapshots,
            flows: Some(flows),
        }
    }

    #[test]
    fn a_small_cell_without_leavers_is_pooled_towards_its_role_and_band() {
        let history = regional_history();
        let cal = calibrate(&history, &CalibrateOptions { by_region: true }).unwrap();
        let attrition = cal.attrition.as_ref().unwrap();
        let key = CellKey { role: "Analyst".into(), band: Band::B5, region: Some("North East".into()) };
        let small = attrition.cells.iter().find(|c| c.cell == key).unwrap();
        assert_eq!(small.events, 0.0);
        assert_eq!(small.exposure, 6.0);
        // The rate of the same role and band in the other regions.
        let (k, n) = attrition
            .cells
            .iter()
            .filter(|c| c.cell.role == "Analyst" && c.cell.band == Band::B5 && c.cell != key)
            .fold((0.0, 0.0), |(k, n), c| (k + c.events, n + c.exposed));
        let neighbours = k / n;
        assert!(small.mean > 0.0, "{small:?}");
        assert!((small.mean - neighbours).abs() < 0.2 * neighbours, "{small:?} vs {neighbours}");
        assert!(small.weight > 0.5, "{small:?}");
        assert!(small.pooled());
        let toml = cal.to_toml();
        let line = toml.lines().find(|l| l.contains("band = \"5\", region = \"North East\"")).unwrap();
        assert!(line.contains("rate = { mean = 0.0") && line.contains("pooled") && line.contains("towards"), "{line}");
        let pooled = format!("# Pooled (weight above 0.2): attrition {} of 16 cells", attrition.pooled());
        assert!(toml.contains(&pooled), "{toml}");

        // Without regions, the small cell is summed into its role and band.
        let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
        assert_eq!(cal.attrition.as_ref().unwrap().cells.len(), 4);
        compile(&history, &cal);
    }

    #[test]
    fn the_fragment_parses_and_compiles_with_regions_and_escaped_names() {
        let history = regional_history();
        let cal = calibrate(&history, &CalibrateOptions { by_region: true }).unwrap();
        let scenario = compile(&history, &cal);
        let spec = &scenario.spec;
        assert_eq!(spec.attrition.as_ref().unwrap().rule.len(), 16);
        // Progression: bands 5 and 6; band 6 had none and gets a small pooled rate.
        let progression = spec.progression.as_ref().unwrap();
        assert_eq!(progression.rule.len(), 16);
        let transfer = &spec.transfer[0];
        assert_eq!((transfer.from.as_str(), transfer.to.as_str()), ("Analyst", "Data \"Ops\" \\ Eng"));
        // The establishment, 10% above staff in post, leaves vacancies open: joiners are
        // recruitment, and every joiner went into a cell with open vacancies.
        assert_eq!(spec.supply.len(), 1, "{:?}", spec.supply);
        assert_eq!((spec.supply[0].name.as_str(), spec.supply[0].kind), (RECRUITMENT_ROUTE, SupplyKind::VacancyFill));
        assert!(spec.demand.as_ref().unwrap().growth.is_some());
        // Every parameter resolves as written (compile checked), and rules are sorted.
        let rules = &spec.attrition.as_ref().unwrap().rule;
        let keys: Vec<_> = rules.iter().map(|r| (r.role.clone().unwrap().0, r.band.clone().unwrap().0)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);

        // Without an establishment: a fixed intake into the cells joined, each with its region.
        let history = with_establishment(regional_history(), |_| None);
        let cal = calibrate(&history, &CalibrateOptions { by_region: true }).unwrap();
        let scenario = compile(&history, &cal);
        let supply = &scenario.spec.supply;
        assert_eq!(supply.len(), 1);
        assert_eq!((supply[0].name.as_str(), supply[0].kind), (JOINERS_ROUTE, SupplyKind::Pipeline));
        assert_eq!(supply[0].entry.len(), 15);
        assert!(supply[0].entry.iter().all(|e| e.region.is_some()));
    }

    /// `history` with the establishment of each snapshot row replaced by `establishment(row)`.
    fn with_establishment(mut history: History, establishment: impl Fn(&BaselineRow) -> Option<f64>) -> History {
        for s in &mut history.snapshots {
            let rows =
                s.rows.iter().map(|r| BaselineRow { establishment_fte: establishment(r), ..r.clone() }).collect();
            let has_region = s.has_region;
            *s = Baseline::from_rows(s.path.clone(), rows);
            s.has_region = has_region;
        }
        history
    }

    #[test]
    fn joiners_are_a_fixed_intake_without_establishment_or_open_vacancies() {
        // No establishment column: the national world's histories.
        let history = national_world(1).simulate(101, 3);
        let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
        assert!(cal.recruitment.is_none());
        let choice = cal.joiners_choice.as_deref().unwrap();
        assert!(choice.starts_with("a fixed intake") && choice.contains("no establishment_fte"), "{choice}");
        assert!(cal.to_toml().contains("# ---- Joiners: a fixed intake: the snapshots have no establishment_fte"));
        assert!(cal.summary().contains("fixed intake: ") && cal.summary().contains("Joiners are a fixed intake"));
        let scenario = compile(&history, &cal);
        assert_eq!(scenario.spec.supply.len(), 1);
        assert_eq!(scenario.spec.supply[0].name, JOINERS_ROUTE);

        // An establishment a hair above staff in post: under one open post per cell, which is
        // none, so too few vacancy-years to learn a fill rate from.
        let history = with_establishment(regional_history(), |r| Some(r.fte * 1.004));
        let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
        assert!(cal.recruitment.is_none());
        let choice = cal.joiners_choice.as_deref().unwrap();
        assert!(choice.contains("0.0 vacancy-years, 0.00% of the") && choice.contains("too few"), "{choice}");
        let joiners = cal.joiners.as_ref().unwrap();
        assert_eq!(
            joiners.total,
            history
                .flows
                .as_ref()
                .unwrap()
                .iter()
                .filter(|f| f.kind == FlowKind::Joiners)
                .map(|f| f.count)
                .sum::<f64>()
        );
        assert!(cal.demand.is_some());
        let scenario = compile(&history, &cal);
        assert_eq!(scenario.spec.supply[0].name, JOINERS_ROUTE);
    }

    /// A scenario whose recruitment is vacancy-fill at `fill` a year: two roles x bands 5 to 7
    /// x two regions with 10% of the establishment vacant and demand growing 3% a year, and an
    /// over-established role (its staff in post 25% above its establishment, and growing) that
    /// only a fixed intake of 100 a year joins.
    fn vacancy_fill_truth(fill: f64) -> Model {
        let mut rows = Vec::new();
        for (r, role) in ["Analysts", "Engineers"].iter().enumerate() {
            for (b, band) in [Band::B5, Band::B6, Band::B7].into_iter().enumerate() {
                for (g, region) in ["North", "South"].iter().enumerate() {
                    let heads = (150 + 40 * r + 60 * b + 25 * g) as f64;
                    let fte = heads * 0.92;
                    rows.push(BaselineRow { fte, ..row(role, band, region, heads, Some(fte / 0.9)) });
                }
            }
        }
        for region in ["North", "South"] {
            rows.push(BaselineRow { fte: 190.0, ..row("Surplus", Band::B5, region, 200.0, Some(150.0)) });
        }
        let baseline = Baseline::from_rows("truth.csv", rows);
        let text = format!(
            r#"
name = "truth"
baseline = "truth.csv"
start = "2019-03"
end = "2025-03"
step = "month"
[attrition]
default = 0.12
[progression]
default = 0.06
[[supply]]
name = "Surplus scheme"
intake = 100
entry = [ {{ role = "Surplus", band = "5" }} ]
[[supply]]
name = "Recruitment"
kind = "vacancy-fill"
fill_rate = {fill}
[demand]
growth = 0.03
"#
        );
        let scenario = Scenario::from_toml(&text, Path::new("truth.toml")).unwrap();
        Model::compile(&scenario, &baseline, None).unwrap()
    }

    #[test]
    fn a_known_fill_rate_is_recovered_from_a_simulated_history() {
        let mut report = String::new();
        for (fill, seed) in [(0.7, 1), (0.7, 2), (0.4, 3), (0.9, 4)] {
            let model = vacancy_fill_truth(fill);
            let history = crate::simulate::simulate_history(&model, seed, 0, "history.csv").unwrap();
            assert_eq!(history.dates.len(), 7);
            let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
            let r = cal.recruitment.as_ref().unwrap_or_else(|| panic!("{:?}", cal.joiners_choice));
            let _ = writeln!(
                report,
                "fill {fill} seed {seed}: {:.4} (sd {:.4}), per period {:?}, other joiners {}",
                r.mean, r.sd, r.per_period, r.other_joiners
            );
            assert!((r.mean - fill).abs() <= 0.05 * fill, "{report}");
            assert!((r.mean - fill).abs() <= 3.0 * r.sd, "{report}");
            assert!(r.sd > 0.0 && r.sd < 0.05, "{report}");
            // The fixed intake went to the over-established role, whose cells never had an
            // open vacancy: it is a fixed intake again, of about 100 a year.
            let joiners = cal.joiners.as_ref().unwrap();
            assert!(joiners.entries.iter().all(|e| e.cell.role == "Surplus"), "{:?}", joiners.entries);
            assert!((joiners.mean - 100.0).abs() <= 3.0 * joiners.sd, "{joiners:?}");
            assert_eq!(r.other_joiners, joiners.total);
            let choice = cal.joiners_choice.as_deref().unwrap();
            assert!(choice.starts_with("vacancy-fill recruitment") && choice.contains("a fixed intake"), "{choice}");
            if seed == 1 {
                let toml = cal.to_toml();
                assert!(toml.contains("# ---- Joiners: vacancy-fill recruitment"), "{toml}");
                assert!(cal.summary().contains("recruitment  vacancy-fill: annual fill probability"));
                let scenario = compile(&history, &cal);
                let supply = &scenario.spec.supply;
                assert_eq!(supply.len(), 2);
                assert_eq!((supply[0].name.as_str(), supply[0].kind), (RECRUITMENT_ROUTE, SupplyKind::VacancyFill));
                match &supply[0].fill_rate {
                    Some(spec @ ParamSpec::MeanSd { mean, .. }) => {
                        assert!((mean - r.mean).abs() < 1e-3);
                        assert!(Dist::resolve(spec, Family::Probability).is_ok());
                    }
                    other => panic!("{other:?}"),
                }
                assert_eq!((supply[1].name.as_str(), supply[1].kind), (JOINERS_ROUTE, SupplyKind::Pipeline));
            }
        }
        println!("{report}");
    }

    /// Staff in post of role A growing 5% a year, B flat, at `n` yearly dates.
    fn snapshots_only(n: usize, establishment: impl Fn(&str, usize) -> Option<f64>) -> History {
        let dates: Vec<Month> = (0..n).map(|t| Month(month("2018-03").0 + 12 * t as i32)).collect();
        let snapshots = (0..n)
            .map(|t| {
                let a = (1000.0 * 1.05f64.powi(t as i32)).round();
                let rows = vec![
                    row("A", Band::B5, DEFAULT_REGION, (a * 0.6).round(), establishment("A", t).map(|e| e * 0.6)),
                    row("A", Band::B6, DEFAULT_REGION, a - (a * 0.6).round(), establishment("A", t).map(|e| e * 0.4)),
                    row("B", Band::B7, DEFAULT_REGION, 500.0 + (t % 2) as f64, establishment("B", t)),
                ];
                Baseline::from_rows(format!("snapshot {t}"), rows)
            })
            .collect();
        History { path: "snapshots.csv".into(), flows_path: None, dates, snapshots, flows: None }
    }

    #[test]
    fn snapshots_only_give_net_change_and_no_rates() {
        let history = snapshots_only(6, |_, _| None);
        let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
        assert!(cal.attrition.is_none() && cal.progression.is_none() && cal.joiners.is_none());
        let a = cal.net_change.iter().find(|t| t.name == "A").unwrap();
        assert!((a.mean - 0.05).abs() < 0.002, "{a:?}");
        assert!(a.sd.unwrap() < 0.002, "{a:?}");
        let toml = cal.to_toml();
        for absent in ["[attrition]", "[progression]", "[[transfer]]", "[[supply]]", "[demand]"] {
            assert!(!toml.contains(absent), "{absent} in\n{toml}");
        }
        assert!(toml.contains("# ---- Net change only: no flow counts were given, so leaver, progression and"));
        assert!(toml.contains("supply --flows to estimate them"));
        assert!(toml.contains("#   A: +5.0"), "{toml}");
        assert!(toml.contains("Demand growth was not estimated: the history has no establishment_fte column"));
        assert!(cal.summary().contains("Net change only"));
        compile(&history, &cal);

        // Two dates: one change, sd unknown.
        let cal = calibrate(&snapshots_only(2, |_, _| None), &CalibrateOptions::default()).unwrap();
        let a = cal.net_change.iter().find(|t| t.name == "A").unwrap();
        assert!((a.mean - 0.05).abs() < 1e-9 && a.sd.is_none(), "{a:?}");
        assert!(cal.to_toml().contains("sd unknown"));
    }

    #[test]
    fn demand_growth_is_recovered_from_the_establishment() {
        let wobble = [0.0, 0.004, -0.003, 0.002, -0.004, 0.001];
        let est = |role: &str, t: usize| {
            Some(match role {
                "A" => 1100.0 * 1.04f64.powi(t as i32) * (1.0 + wobble[t]),
                _ => 520.0,
            })
        };
        let history = snapshots_only(6, est);
        let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
        let demand = cal.demand.as_ref().unwrap();
        let a = demand.roles.iter().find(|t| t.name == "A").unwrap();
        assert!((a.mean - 0.04).abs() < 0.005, "{a:?}");
        let sd = a.sd.unwrap();
        assert!(sd > 0.0 && sd < 0.003, "{a:?}");
        let b = demand.roles.iter().find(|t| t.name == "B").unwrap();
        assert!(b.mean.abs() < 1e-12);
        let scenario = compile(&history, &cal);
        let d = scenario.spec.demand.as_ref().unwrap();
        assert!(matches!(d.growth, Some(ParamSpec::MeanSd { .. })));
        match &d.rule[0].growth {
            Some(ParamSpec::MeanSd { mean, sd }) => assert!((mean - 0.04).abs() < 0.005 && *sd > 0.0),
            other => panic!("{other:?}"),
        }
        // B's establishment is flat: sd 0, written as a plain number.
        assert_eq!(d.rule[1].growth, Some(ParamSpec::Fixed(0.0)));

        // Two dates: the one change as a plain number, sd unknown.
        let history = snapshots_only(2, est);
        let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
        let scenario = compile(&history, &cal);
        match &scenario.spec.demand.as_ref().unwrap().rule[0].growth {
            Some(ParamSpec::Fixed(g)) => assert!((g - (1.04 * (1.0 + wobble[1]) - 1.0)).abs() < 1e-6, "{g}"),
            other => panic!("{other:?}"),
        }
        assert!(cal.to_toml().contains("sd unknown: 2 dates"));
    }

    #[test]
    fn flows_outside_the_snapshots_are_refused() {
        let mut history = regional_history();
        let flows = history.flows.as_mut().unwrap();
        flows.push(flow(month("2021-03"), "Analyst", Band::B5, "London", FlowKind::Leavers, 1.0));
        let err = calibrate(&history, &CalibrateOptions::default()).unwrap_err().to_string();
        assert!(err.contains("regional-flows.csv") && err.contains("2021-03") && err.contains("outside"), "{err}");
    }

    #[test]
    fn events_without_staff_and_roles_gone_by_the_last_snapshot() {
        let mut history = regional_history();
        let date = history.dates[1];
        // Someone joined and left band 7 between two snapshots.
        let flows = history.flows.as_mut().unwrap();
        flows.push(flow(date, "Analyst", Band::B7, "London", FlowKind::Leavers, 1.0));
        // A role that had staff at the first snapshot only.
        history.snapshots[0] = Baseline::from_rows(
            "first",
            [history.snapshots[0].rows.clone(), vec![row("Old", Band::B5, "London", 10.0, Some(10.0))]].concat(),
        );
        flows.push(flow(date, "Old", Band::B5, "London", FlowKind::Leavers, 10.0));
        let cal = calibrate(&history, &CalibrateOptions { by_region: true }).unwrap();
        let attrition = cal.attrition.as_ref().unwrap();
        let lone = attrition.cells.iter().find(|c| c.cell.band == Band::B7).unwrap();
        assert_eq!((lone.exposure, lone.exposed), (0.0, 1.0));
        assert!(lone.mean < 0.2 && lone.weight > 0.9, "{lone:?}");
        assert!(cal.notes.iter().any(|n| n.contains("no staff in post")), "{:?}", cal.notes);
        let toml = cal.to_toml();
        assert!(toml.contains("not in the last snapshot (Old / band 5 / London)"), "{toml}");
        let scenario = compile(&history, &cal);
        assert_eq!(scenario.spec.attrition.as_ref().unwrap().rule.len(), 17);
    }

    #[test]
    fn numbers_are_written_in_four_figures_as_toml_floats() {
        assert_eq!(num(0.0971234), "0.09712");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(1234.56), "1234.6");
        assert_eq!(num(12.0), "12.0");
        assert_eq!(num(0.000012345), "1.234e-5");
        assert_eq!(num(-0.0213), "-0.0213");
        for name in ["a \"b\" \\ c\n", "Business Intelligence & Analysis", "it's"] {
            let v: toml::Value = toml::from_str(&format!("x = {}", quote(name))).unwrap();
            assert_eq!(v["x"].as_str(), Some(name));
        }
        for s in ["0.09712", "1234.6", "1.234e-5", "12.0"] {
            let v: toml::Value = toml::from_str(&format!("x = {s}")).unwrap();
            assert!(v["x"].is_float(), "{s}");
        }
    }
}
