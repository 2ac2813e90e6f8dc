//! A submission as read and checked: one organisation's staff in post, demand in two futures
//! and planned supply routes.
use std::path::PathBuf;
use wfcast_core::band::Band;
use wfcast_core::scenario::SupplyKind;

/// One organisation's submission, read and checked: every name canonical, every number
/// checked, and every staff row with a demand row in each future.
#[derive(Clone, Debug, PartialEq)]
pub struct Submission {
    /// The file it was read from (empty for one built in memory).
    pub path: PathBuf,
    /// Organisation code (ODS code), upper case: letters and digits.
    pub org_code: String,
    /// Organisation name.
    pub org_name: String,
    /// One of the seven NHS England regions ([`REGIONS`](crate::REGIONS)).
    pub region: String,
    /// The two futures' names (letters, digits, `-` and `_`): they name the national
    /// scenarios `national-<future>`.
    pub futures: [String; 2],
    /// Roles outside the national list ([`ROLES`](crate::ROLES)) that this submission uses.
    pub new_roles: Vec<String>,
    /// Staff in post at 31 March 2025, one row per role and band.
    pub staff: Vec<StaffRow>,
    /// FTE needed at each 31 March 2026 to 2030, one row per role, band and future.
    pub demand: Vec<DemandRow>,
    /// Planned supply routes.
    pub supply: Vec<SupplyRow>,
}

/// Staff in post of one role and band at 31 March 2025.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffRow {
    /// Role.
    pub role: String,
    /// AfC band.
    pub band: Band,
    /// People in post (a whole number).
    pub headcount: f64,
    /// Their whole-time equivalent (at most the headcount, give or take rounding).
    pub fte: f64,
    /// Funded posts today, in FTE: the baseline demand.
    pub establishment_fte: f64,
}

/// The FTE one role and band needs at each 31 March in one future.
#[derive(Clone, Debug, PartialEq)]
pub struct DemandRow {
    /// Role.
    pub role: String,
    /// AfC band.
    pub band: Band,
    /// The future (one of [`Submission::futures`]).
    pub future: String,
    /// FTE needed at 31 March of each of [`YEARS`](crate::YEARS) (blanks already carried forward).
    pub fte: [f64; 5],
}

/// A planned supply route of one organisation.
#[derive(Clone, Debug, PartialEq)]
pub struct SupplyRow {
    /// The route's name; rows of different organisations with the same name (case aside)
    /// are one national route.
    pub route: String,
    /// `pipeline` (trainees who enter post after a course) or `vacancy-fill` (recruitment
    /// into open vacancies).
    pub kind: SupplyKind,
    /// Role entrants join (pipeline: required; vacancy-fill: `None` for every role).
    pub role: Option<String>,
    /// Band entrants join (pipeline: required; vacancy-fill: `None` for every band).
    pub band: Option<Band>,
    /// Pipeline: starters per year.
    pub starters_per_year: Option<f64>,
    /// Pipeline: months from starting to entering post (`None`: 0, straight into post).
    pub duration_months: Option<u32>,
    /// Pipeline: share of starters who complete and enter post (`None`: 1).
    pub completion_rate: Option<f64>,
    /// Vacancy-fill: annual probability that an open vacancy is filled.
    pub fill_rate: Option<f64>,
}

impl SupplyRow {
    /// Months from starting to entering post (0 when blank).
    pub fn duration(&self) -> u32 {
        self.duration_months.unwrap_or(0)
    }

    /// Share of starters who enter post (1 when blank).
    pub fn completion(&self) -> f64 {
        self.completion_rate.unwrap_or(1.0)
    }
}

impl Submission {
    /// Today's establishment (FTE) of a role and band, 0 when the submission has no such
    /// staff row.
    pub fn establishment(&self, role: &str, band: Band) -> f64 {
        self.staff.iter().find(|s| s.role == role && s.band == band).map_or(0.0, |s| s.establishment_fte)
    }
}

/// The name of a kind of route, as written in submissions and scenarios.
pub(crate) fn kind_name(kind: SupplyKind) -> &'static str {
    match kind {
        SupplyKind::Pipeline => "pipeline",
        SupplyKind::VacancyFill => "vacancy-fill",
    }
}

/// A submission of `org` with nothing in it yet.
pub(crate) fn empty_submission(org: &str, futures: &[String; 2]) -> Submission {
    Submission {
        path: PathBuf::new(),
        org_code: org.to_string(),
        org_name: String::new(),
        region: String::new(),
        futures: futures.clone(),
        new_roles: Vec::new(),
        staff: Vec::new(),
        demand: Vec::new(),
        supply: Vec::new(),
    }
}
