//! Scenario files: the TOML format (every field documented here), `extends`, and loading.
//!
//! A scenario file is read into a [`ScenarioFile`] (every field optional, unknown keys
//! refused), merged with the files it `extends`, and checked into a [`Scenario`]. Names of
//! roles, bands and regions are checked later, against the baseline, by
//! [`crate::model::Model::compile`].
use crate::error::{Error, Result};
use crate::grid::Families;
use crate::paths;
use crate::sampling::ParamSpec;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// One or more names in a selector: `role = "Data Science"` or `band = ["7", "8a"]`.
/// Bands may also be written as whole numbers (`band = 5`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Names(pub Vec<String>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Names;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Names, E> {
                Ok(Names(vec![v.to_string()]))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Names, E> {
                Ok(Names(vec![v.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Names, A::Error> {
                let mut out = Vec::new();
                while let Some(one) = seq.next_element::<Names>()? {
                    out.extend(one.0);
                }
                Ok(Names(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Names {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => s.serialize_str(one),
            many => many.serialize(s),
        }
    }
}

/// Which cells a rule applies to. Each selector is a name or a list of names; a selector
/// left out matches everything. Names must be roles, bands or regions the model knows.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Selector {
    /// Roles (as named in the baseline or in `new_roles`).
    pub role: Option<Names>,
    /// AfC bands: `"2"` ... `"7"`, `"8a"` ... `"8d"`, `"9"`.
    pub band: Option<Names>,
    /// Regions (as named in the baseline or in `new_regions`).
    pub region: Option<Names>,
}

/// Where a list item came from, so that errors name the right file and item.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Origin {
    /// The scenario file that holds the item.
    pub file: PathBuf,
    /// The item's key path in that file, e.g. `attrition.rule[2]`.
    pub key: String,
}

/// A rule that sets a rate for the cells it selects (later rules win).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RateRule {
    /// The cells it applies to: roles (a name or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Names>,
    /// The cells it applies to: AfC bands (a band or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Names>,
    /// The cells it applies to: regions (a name or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Names>,
    /// Annual probability for those cells.
    pub rate: ParamSpec,
    /// Where the rule was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// `[attrition]` or `[progression]`: an annual probability per cell.
#[derive(Clone, Debug, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RateSection {
    /// The rate of every cell no rule selects (0 when left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<ParamSpec>,
    /// Rules in order; a later rule wins for the cells it selects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule: Vec<RateRule>,
}

/// `[[transfer]]`: an annual probability of moving from one role to another, in the same
/// band and region.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// The role people move from.
    pub from: String,
    /// The role people move to.
    pub to: String,
    /// Restricts the move to these bands (all when left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Names>,
    /// Restricts the move to these regions (all when left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Names>,
    /// Annual probability of the move.
    pub rate: ParamSpec,
    /// Where the transfer was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// The kind of a supply route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupplyKind {
    /// An intake of trainees that enter post, directly or after a training pipeline.
    #[default]
    Pipeline,
    /// Recruitment that fills open vacancies (demand above staff in post).
    VacancyFill,
}

/// One entry cell of a pipeline route.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The role entrants join.
    pub role: String,
    /// The band entrants join.
    pub band: Names,
    /// The region entrants join; without it, the baseline's regional mix of that role and band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Share of the route's entrants (default 1). The shares of a route's entries are either
    /// fractions that sum to 1 (to within 0.001, so that fractions rounded to four figures
    /// pass) or whole-number weights (`3` and `1`, `60` and `40`); entrants are shared in
    /// those proportions. Anything else (`0.5` and `0.3`, `0.6` and `0.6`) is an input error
    /// naming the route and the sum, not silently normalised.
    #[serde(default = "one")]
    pub share: f64,
}

fn one() -> f64 {
    1.0
}

/// `[[supply]]`: a supply route. A child scenario's route with a parent's route name replaces it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Supply {
    /// The route's name, used in outputs as `joiners:<name>`.
    pub name: String,
    /// `pipeline` (default) or `vacancy-fill`.
    #[serde(default)]
    pub kind: SupplyKind,
    /// Pipeline: starters per year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake: Option<ParamSpec>,
    /// Pipeline: calendar months (1-12) of intake; the intake is spread evenly over the year
    /// when left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months: Option<Vec<u32>>,
    /// Pipeline: months of training before entering post (0: straight into post).
    #[serde(default)]
    pub duration_months: u32,
    /// Pipeline: probability that a trainee completes and enters post (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion: Option<ParamSpec>,
    /// Pipeline: trainees in training on the baseline date (`start`), a number 0 or more,
    /// spread over the cohorts still in training in the same proportions as the steady state
    /// (in stochastic runs one Multinomial draw of the number, rounded to a whole one).
    /// `in_training = 0` starts the route empty (a new scheme). Left out, the route starts in
    /// steady state: the cohorts of the intake months of the `duration_months` before `start`,
    /// each the intake for those months at the rates in force at `start`. Only for a route
    /// with `duration_months` above 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_training: Option<f64>,
    /// Pipeline: the cells entrants join, with their shares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entry: Vec<Entry>,
    /// Vacancy-fill: annual probability that an open vacancy is filled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fill_rate: Option<ParamSpec>,
    /// Vacancy-fill: the most hires in a year (spread evenly over the year).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_per_year: Option<f64>,
    /// Vacancy-fill: the cells it recruits into (all when left out): roles (a name or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Names>,
    /// Vacancy-fill: the cells it recruits into (all when left out): AfC bands (a band or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Names>,
    /// Vacancy-fill: the cells it recruits into (all when left out): regions (a name or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Names>,
    /// Where the route was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// `[[demand.rule]]`: growth and/or vacancy rate for the cells it selects.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DemandRule {
    /// The cells it applies to: roles (a name or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Names>,
    /// The cells it applies to: AfC bands (a band or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Names>,
    /// The cells it applies to: regions (a name or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Names>,
    /// Annual growth of demand, as a fraction (`0.03` for 3%); 1 (100% a year) or more is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth: Option<ParamSpec>,
    /// Baseline vacancy rate: demand = staff FTE / (1 - vacancy rate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vacancy_rate: Option<ParamSpec>,
    /// Where the rule was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// `[[demand.change]]`: FTE added to demand, spread evenly over the months `from` to `to`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DemandChange {
    /// The cells that share the change, in proportion to their baseline demand: roles (a name or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Names>,
    /// The cells that share the change, in proportion to their baseline demand: AfC bands (a band or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Names>,
    /// The cells that share the change, in proportion to their baseline demand: regions (a name or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Names>,
    /// First month of the change, `YYYY-MM`.
    pub from: String,
    /// Last month of the change, `YYYY-MM` (default: `from`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// FTE added (negative to remove posts; a distribution must be positive).
    pub add_fte: ParamSpec,
    /// Where the change was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// `[demand]`: the funded establishment the service needs, in FTE.
#[derive(Clone, Debug, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DemandSection {
    /// Default baseline vacancy rate (0 when left out). Ignored where the baseline gives
    /// `establishment_fte`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vacancy_rate: Option<ParamSpec>,
    /// Default annual growth of demand, as a fraction (`0.03` for 3%; 0 when left out); 1 or more is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth: Option<ParamSpec>,
    /// Rules in order; a later rule wins for the cells and fields it sets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule: Vec<DemandRule>,
    /// Dated additions to demand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub change: Vec<DemandChange>,
}

/// What an intervention changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Annual attrition of the selected cells.
    Attrition,
    /// Annual progression of the selected cells.
    Progression,
    /// Annual demand growth of the selected cells.
    Growth,
    /// Annual intake of the route named in `route`.
    Intake,
    /// Completion probability of the route named in `route`.
    Completion,
    /// Annual fill rate of the vacancy-fill route named in `route`.
    FillRate,
}

/// `[[intervention]]`: changes a parameter from a date on.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    /// A name for reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First month it applies to, `YYYY-MM`: it changes the parameter before the first step
    /// that starts on or after this month.
    pub from: String,
    /// The parameter it changes.
    pub target: Target,
    /// The supply route, for `intake`, `completion` and `fill_rate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The cells, for `attrition`, `progression` and `growth`: roles (a name or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Names>,
    /// The cells, for `attrition`, `progression` and `growth`: AfC bands (a band or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Names>,
    /// The cells, for `attrition`, `progression` and `growth`: regions (a name or a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Names>,
    /// Multiplies the parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiply: Option<ParamSpec>,
    /// Adds to the parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add: Option<ParamSpec>,
    /// Sets the parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set: Option<ParamSpec>,
    /// Phases the change in linearly over this many months (default 0: all at once).
    #[serde(default)]
    pub ramp_months: u32,
    /// Where the intervention was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// `[cost]`: pay tables for `cost_gbp`.
#[derive(Clone, Debug, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CostSection {
    /// CSV of `band,entry,top` annual pay; the midpoint of each band is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay: Option<PathBuf>,
    /// Employer on-costs as a share of pay (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_cost: Option<f64>,
}

/// Where a scenario's role families come from: `families = "file.csv"` or a `[families]` table.
#[derive(Clone, Debug, PartialEq)]
pub enum FamiliesSpec {
    /// A CSV file of `role,family`, relative to the scenario file that names it.
    File(PathBuf),
    /// `"role" = "family"` pairs.
    Table(Vec<(String, String)>),
}

impl<'de> Deserialize<'de> for FamiliesSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = FamiliesSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a CSV file of role,family, or a table of \"role\" = \"family\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<FamiliesSpec, E> {
                Ok(FamiliesSpec::File(PathBuf::from(v)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<FamiliesSpec, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(FamiliesSpec::Table(pairs))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for FamiliesSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            FamiliesSpec::File(p) => s.serialize_str(&p.display().to_string()),
            FamiliesSpec::Table(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (role, family) in pairs {
                    map.serialize_entry(role, family)?;
                }
                map.end()
            }
        }
    }
}

/// A scenario file as written: every field optional so that files can `extends` others.
#[derive(Clone, Debug, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// A scenario file this one builds on (relative to this file). Its scalars are replaced
    /// by this file's, its sections merged key by key, its lists appended to; a `[[supply]]`
    /// route of the same name replaces the parent's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<PathBuf>,
    /// Short name, used for the output folder: letters, digits, `-` and `_`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Title for charts and reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A few sentences for reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The baseline extract (CSV or Parquet), relative to the file that names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<PathBuf>,
    /// Month of the baseline snapshot, `YYYY-MM` (its end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Last month of the projection, `YYYY-MM` (default `2030-03`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Step length: `month`, `quarter` or `year` (default `month`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Number of stochastic runs (default 1000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<u64>,
    /// Seed of the random streams (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Calendar month of the yearly reporting date (default 3: every 31 March).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_month: Option<u32>,
    /// Roles not in the baseline; they start empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_roles: Option<Vec<String>>,
    /// Regions not in the baseline; they start empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_regions: Option<Vec<String>>,
    /// `by_organisation = true` breaks the forecast down by organisation: the grid's cells
    /// become role x band x organisation (each organisation in its one region), so that the
    /// `organisation` and `role_organisation` levels (`--levels`), the report's organisation
    /// table and every region total can be read per organisation. The baseline needs an
    /// organisation column (`org code`, `organisation code`, `org_code`, `organisation`; its
    /// names from `org name` or `organisation name` where present), and an organisation with
    /// rows in two regions is an error. Rules, selectors and supply entries still name regions
    /// (`region = "London"` selects every organisation in London; an entry without an
    /// organisation follows the baseline's mix over the organisations); `new_regions` cannot
    /// be used with it. Region totals are as without it, except that vacancy-fill opens whole
    /// posts per (smaller) cell. Default `false`. It multiplies the cells (and the run time and memory)
    /// by the organisations per region: 131 organisations x 20 roles x 11 bands is 28,820
    /// cells against 1,540 by region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_organisation: Option<bool>,
    /// The role families of the `family` and `family_band` levels, the families chart and the
    /// report's family table: `families = "mapping.csv"`, a CSV file (relative to the file that
    /// names it) with a `role` and a `family` column, or a `[families]` table of
    /// `"role" = "family"`. A role listed twice with two families is an error; roles the model
    /// does not have are ignored; roles the mapping does not name are in the family `Unmapped`.
    /// Role names match without regard to case or surrounding spaces. Families are reported in
    /// the DDaT Capability Framework's order, then others in the order of their first role in
    /// the baseline, then `Unmapped`.
    /// Default: the illustrative mapping shipped with wfcast (`seeds/ddat_families.csv`) onto
    /// the eight DDaT Capability Framework families and `Other (not DDaT)`. The scenario.toml
    /// of an output folder records the families as run, as a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub families: Option<FamiliesSpec>,
    /// Annual probability of leaving the NHS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attrition: Option<RateSection>,
    /// Annual probability of moving up one band (none from band 9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progression: Option<RateSection>,
    /// Moves between roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transfer: Vec<Transfer>,
    /// Supply routes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supply: Vec<Supply>,
    /// Demand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demand: Option<DemandSection>,
    /// Dated changes to parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intervention: Vec<Intervention>,
    /// Pay, for costs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostSection>,
}

/// Step length of a projection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// One month.
    Month,
    /// Three months.
    Quarter,
    /// Twelve months.
    Year,
}

impl Step {
    /// Months in one step.
    pub fn months(self) -> u32 {
        match self {
            Step::Month => 1,
            Step::Quarter => 3,
            Step::Year => 12,
        }
    }
}

/// A calendar month, counted as `year * 12 + (month - 1)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(pub i32);

/// The calendar months' names, January first.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Month {
    /// Reads `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Month> {
        let (y, m) = text.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let (y, m): (i32, i32) = (y.parse().ok()?, m.parse().ok()?);
        (1..=12).contains(&m).then_some(Month(y * 12 + m - 1))
    }

    /// Calendar month 1..=12.
    pub fn month(self) -> u32 {
        (self.0.rem_euclid(12) + 1) as u32
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// A scenario read, merged with what it extends, and checked for the fields every run needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file given by the user.
    pub path: PathBuf,
    /// Every file read, the scenario's own first, then what it extends, then the role families
    /// mapping it names (if any), with their SHA-256; `wfcast_io::scenario::prepare` adds the
    /// pay table (`cost.pay`) it reads.
    pub files: Vec<(PathBuf, String)>,
    /// Short name.
    pub name: String,
    /// Title (the name when left out).
    pub title: String,
    /// Description (empty when left out).
    pub description: String,
    /// The baseline extract.
    pub baseline: PathBuf,
    /// Baseline month.
    pub start: Month,
    /// Last month.
    pub end: Month,
    /// Step length.
    pub step: Step,
    /// Runs.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// Month of the yearly reporting date.
    pub report_month: u32,
    /// The role families (the scenario's `families`, else the shipped mapping).
    pub families: Families,
    /// The merged file: the rules, routes and sections as run.
    pub spec: ScenarioFile,
}

macro_rules! selects {
    ($($t:ty),*) => {$(
        impl $t {
            /// The cells this item selects.
            pub fn selector(&self) -> Selector {
                Selector { role: self.role.clone(), band: self.band.clone(), region: self.region.clone() }
            }
        }
    )*};
}
selects!(RateRule, Supply, DemandRule, DemandChange, Intervention);

/// SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Scenario {
    /// Reads a scenario file and everything it extends.
    pub fn load(path: &Path) -> Result<Scenario> {
        if let Some(why) = paths::missing_file(path, paths::SCENARIO) {
            return Err(Error::input("", "", format!("scenario file {why}")));
        }
        let mut files = Vec::new();
        let spec = load_merged(path, &mut files, &mut Vec::new(), &mut Vec::new())?;
        Scenario::check(path, spec, files)
    }

    /// Reads a scenario from TOML text held in memory (paths relative to `dir`).
    pub fn from_toml(text: &str, path: &Path) -> Result<Scenario> {
        let spec = parse_file(text, path)?;
        Scenario::from_parts(spec, path, vec![(path.to_path_buf(), sha256_hex(text.as_bytes()))])
    }

    /// A scenario from a scenario value held in memory, as if read from `path`: its relative
    /// paths are resolved against `path`'s folder and its list items say they come from
    /// `path`, as [`Scenario::from_toml`] does with the same value written as text. `files`
    /// become [`Scenario::files`] (the files the value was written to or made from).
    pub fn from_spec(mut spec: ScenarioFile, path: &Path, files: Vec<(PathBuf, String)>) -> Result<Scenario> {
        prepare(&mut spec, path);
        Scenario::from_parts(spec, path, files)
    }

    /// A scenario from a prepared value that extends nothing.
    fn from_parts(spec: ScenarioFile, path: &Path, files: Vec<(PathBuf, String)>) -> Result<Scenario> {
        if spec.extends.is_some() {
            return Err(Error::input(path, "key extends", "`extends` needs a scenario read from a file"));
        }
        Scenario::check(path, spec, files)
    }

    fn check(path: &Path, spec: ScenarioFile, mut files: Vec<(PathBuf, String)>) -> Result<Scenario> {
        let bad = |key: &str, msg: String| Error::input(path, format!("key {key}"), msg);
        let name = spec.name.clone().ok_or_else(|| bad("name", "missing: every scenario needs a `name`".into()))?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(bad("name", format!("`{name}` is not a usable name: use letters, digits, `-` and `_`")));
        }
        let baseline = spec
            .baseline
            .clone()
            .ok_or_else(|| bad("baseline", "missing: which baseline extract to start from".into()))?;
        let month = |key: &str, v: &Option<String>, default: Option<&str>| -> Result<Month> {
            let text =
                v.as_deref().or(default).ok_or_else(|| bad(key, "missing: expected a month `YYYY-MM`".into()))?;
            Month::parse(text).ok_or_else(|| bad(key, format!("`{text}` is not a month: expected `YYYY-MM`")))
        };
        let start = month("start", &spec.start, None)?;
        let end = month("end", &spec.end, Some("2030-03"))?;
        let step = match spec.step.as_deref().unwrap_or("month") {
            "month" => Step::Month,
            "quarter" => Step::Quarter,
            "year" => Step::Year,
            other => return Err(bad("step", format!("`{other}`: expected `month`, `quarter` or `year`"))),
        };
        if end <= start {
            return Err(bad("end", format!("{end} is not after the start {start}")));
        }
        if (end.0 - start.0) % step.months() as i32 != 0 {
            return Err(bad(
                "end",
                format!("{end} is not a whole number of {}-month steps after {start}", step.months()),
            ));
        }
        let runs = spec.runs.unwrap_or(1000);
        if runs == 0 {
            return Err(bad("runs", "0: expected at least 1 run".into()));
        }
        let report_month = spec.report_month.unwrap_or(3);
        if !(1..=12).contains(&report_month) {
            return Err(bad("report_month", format!("{report_month}: expected a calendar month 1 to 12")));
        }
        report_dates::check(path, start, end, step, report_month)?;
        let families = load_families(path, spec.families.as_ref(), &mut files)?;
        Ok(Scenario {
            path: path.to_path_buf(),
            files,
            title: spec.title.clone().unwrap_or_else(|| name.clone()),
            description: spec.description.clone().unwrap_or_default(),
            name,
            baseline,
            start,
            end,
            step,
            runs,
            seed: spec.seed.unwrap_or(1),
            report_month,
            families,
            spec,
        })
    }
}

/// The role families a scenario names (the shipped mapping when it names none); a mapping
/// file read is added to `files` with its SHA-256.
fn load_families(path: &Path, spec: Option<&FamiliesSpec>, files: &mut Vec<(PathBuf, String)>) -> Result<Families> {
    match spec {
        None => Ok(Families::builtin()),
        Some(FamiliesSpec::Table(pairs)) => Families::from_table(pairs, path),
        Some(FamiliesSpec::File(file)) => {
            paths::named_file(path, "families", file, paths::CSV)?;
            let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| Error::input(file, "", "not a text file: expected a CSV file of role,family"))?;
            let families = Families::parse_csv(text, file)?;
            files.push((file.clone(), sha256_hex(&bytes)));
            Ok(families)
        }
    }
}

/// Parses one file's text, resolving its relative paths against its folder and stamping
/// the origin of every list item.
fn parse_file(text: &str, path: &Path) -> Result<ScenarioFile> {
    let mut spec: ScenarioFile = toml::from_str(text).map_err(|e| Error::toml(path, text, &e))?;
    prepare(&mut spec, path);
    Ok(spec)
}

/// Resolves the relative paths of one file's value against its folder and stamps the origin
/// of every list item.
fn prepare(spec: &mut ScenarioFile, path: &Path) {
    let dir = path.parent().unwrap_or(Path::new("."));
    let resolve = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = dir.join(&*p);
        }
    };
    if let Some(b) = spec.baseline.as_mut() {
        resolve(b);
    }
    if let Some(p) = spec.cost.as_mut().and_then(|c| c.pay.as_mut()) {
        resolve(p);
    }
    if let Some(p) = spec.extends.as_mut() {
        resolve(p);
    }
    if let Some(FamiliesSpec::File(p)) = spec.families.as_mut() {
        resolve(p);
    }
    let origin = |key: String| Origin { file: path.to_path_buf(), key };
    for (name, section) in [("attrition", &mut spec.attrition), ("progression", &mut spec.progression)] {
        for (i, r) in section.iter_mut().flat_map(|s| s.rule.iter_mut()).enumerate() {
            r.origin = origin(format!("{name}.rule[{i}]"));
        }
    }
    for (i, t) in spec.transfer.iter_mut().enumerate() {
        t.origin = origin(format!("transfer[{i}]"));
    }
    for (i, s) in spec.supply.iter_mut().enumerate() {
        s.origin = origin(format!("supply[{i}]"));
    }
    for (i, v) in spec.intervention.iter_mut().enumerate() {
        v.origin = origin(format!("intervention[{i}]"));
    }
    if let Some(d) = spec.demand.as_mut() {
        for (i, r) in d.rule.iter_mut().enumerate() {
            r.origin = origin(format!("demand.rule[{i}]"));
        }
        for (i, c) in d.change.iter_mut().enumerate() {
            c.origin = origin(format!("demand.change[{i}]"));
        }
    }
}

/// The keys naming a file (`baseline`, `cost.pay`, `families`) that `spec`, read from `path`,
/// sets and no file read before it (one that extends it) has set, added to `set`; a file it
/// names that way which does not exist is refused, naming `path` and the key. (A file a
/// child replaces is never read, so it need not exist.)
fn check_named_files(spec: &ScenarioFile, path: &Path, set: &mut Vec<&'static str>) -> Result<()> {
    let pay = spec.cost.as_ref().and_then(|c| c.pay.as_deref());
    let families = match &spec.families {
        Some(FamiliesSpec::File(p)) => Some(p.as_path()),
        _ => None,
    };
    let named = [
        ("baseline", spec.baseline.is_some(), spec.baseline.as_deref(), paths::TABLE),
        ("cost.pay", pay.is_some(), pay, paths::CSV),
        ("families", spec.families.is_some(), families, paths::CSV),
    ];
    for (key, given, file, extensions) in named {
        if given && !set.contains(&key) {
            set.push(key);
            if let Some(file) = file {
                paths::named_file(path, key, file, extensions)?;
            }
        }
    }
    Ok(())
}

/// Reads the scenario file `path` merged with what it extends, adding each file read to
/// `files` with its SHA-256; `seen` holds the real paths read so far (to refuse a circle) and
/// `set` the file-naming keys the files read so far set.
fn load_merged(
    path: &Path,
    files: &mut Vec<(PathBuf, String)>,
    seen: &mut Vec<PathBuf>,
    set: &mut Vec<&'static str>,
) -> Result<ScenarioFile> {
    // Compare real paths, so that `../dir/a.toml` and `a.toml` are the same file.
    let real = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    if seen.contains(&real) {
        let chain: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        return Err(Error::input(
            path,
            "key extends",
            format!("extends itself through {} -> {}", chain.join(" -> "), path.display()),
        ));
    }
    seen.push(real);
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes.clone())
        .map_err(|_| Error::input(path, "", "not a text file: expected a TOML scenario"))?;
    files.push((path.to_path_buf(), sha256_hex(&bytes)));
    let child = parse_file(&text, path)?;
    check_named_files(&child, path, set)?;
    match child.extends.clone() {
        None => Ok(child),
        Some(parent_path) => {
            paths::named_file(path, "extends", &parent_path, paths::SCENARIO)?;
            let parent = load_merged(&parent_path, files, seen, set)?;
            Ok(merge(parent, child))
        }
    }
}

/// Merges `child` over `parent` (MODEL.md, `extends`).
pub fn merge(parent: ScenarioFile, child: ScenarioFile) -> ScenarioFile {
    fn rates(p: Option<RateSection>, c: Option<RateSection>) -> Option<RateSection> {
        match (p, c) {
            (None, c) => c,
            (p, None) => p,
            (Some(mut p), Some(c)) => {
                p.default = c.default.or(p.default);
                p.rule.extend(c.rule);
                Some(p)
            }
        }
    }
    let demand = match (parent.demand, child.demand) {
        (None, c) => c,
        (p, None) => p,
        (Some(mut p), Some(c)) => {
            p.vacancy_rate = c.vacancy_rate.or(p.vacancy_rate);
            p.growth = c.growth.or(p.growth);
            p.rule.extend(c.rule);
            p.change.extend(c.change);
            Some(p)
        }
    };
    let cost = match (parent.cost, child.cost) {
        (None, c) => c,
        (p, None) => p,
        (Some(p), Some(c)) => Some(CostSection { pay: c.pay.or(p.pay), on_cost: c.on_cost.or(p.on_cost) }),
    };
    let mut supply = parent.supply;
    for route in child.supply {
        match supply.iter_mut().find(|r| r.name == route.name) {
            Some(slot) => *slot = route,
            None => supply.push(route),
        }
    }
    let union = |p: Option<Vec<String>>, c: Option<Vec<String>>| match (p, c) {
        (None, c) => c,
        (p, None) => p,
        (Some(mut p), Some(c)) => {
            for n in c {
                if !p.contains(&n) {
                    p.push(n);
                }
            }
            Some(p)
        }
    };
    let mut transfer = parent.transfer;
    transfer.extend(child.transfer);
    let mut intervention = parent.intervention;
    intervention.extend(child.intervention);
    ScenarioFile {
        extends: None,
        name: child.name.or(parent.name),
        title: child.title.or(parent.title),
        description: child.description.or(parent.description),
        baseline: child.baseline.or(parent.baseline),
        start: child.start.or(parent.start),
        end: child.end.or(parent.end),
        step: child.step.or(parent.step),
        runs: child.runs.or(parent.runs),
        seed: child.seed.or(parent.seed),
        report_month: child.report_month.or(parent.report_month),
        new_roles: union(parent.new_roles, child.new_roles),
        new_regions: union(parent.new_regions, child.new_regions),
        by_organisation: child.by_organisation.or(parent.by_organisation),
        families: child.families.or(parent.families),
        attrition: rates(parent.attrition, child.attrition),
        progression: rates(parent.progression, child.progression),
        transfer,
        supply,
        demand,
        intervention,
        cost,
    }
}

mod report_dates;
#[cfg(test)]
mod tests;
