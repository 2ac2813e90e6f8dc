//! The CIO toolkit: organisation templates (`.xlsx` and TOML) out, filled submissions in, aggregated into regional and national scenarios.
//!
//! The national exercise: each trust's CIO describes their digital workforce at 31 March 2025
//! and what they will need at each 31 March to 2030 in two futures; national planners
//! aggregate the submissions into one national scenario per future and compare them.
//!
//! - [`write_template`] writes `<ORG>.xlsx` and `<ORG>.toml` for one organisation, pre-filled
//!   from an ESR extract when one is given.
//! - [`read_submission`] reads a filled `.xlsx` (or `.toml`) and checks every cell: errors
//!   name the file, the sheet and cell (or the TOML key), the value found and what was
//!   expected.
//! - [`write_submission`] writes a [`Submission`] back as `.xlsx` or `.toml` (the two forms
//!   hold the same thing; reading either gives the same [`Submission`]).
//! - [`aggregate`] sums submissions into `national.csv` (a baseline with one row per
//!   organisation, role and band), `national.toml` (the common scenario) and
//!   `national-<future>.toml` (each future's demand as dated changes).
//!
//! # The workbook
//!
//! | sheet | columns |
//! |---|---|
//! | `About` | labels in column A, values in column B: `Organisation code`, `Organisation name`, `Region`, `Future 1`, `Future 2`, `New roles` (semicolon-separated), then `Baseline date`, `Made by`, `Pre-filled from` (not read) |
//! | `Staff in post` | `Role`, `Band`, `Headcount`, `FTE`, `Establishment FTE` |
//! | `Demand` | `Role`, `Band`, `Future`, `FTE at 31 Mar 2026` ... `FTE at 31 Mar 2030` |
//! | `Supply` | `Route`, `Kind`, `Role`, `Band`, `Starters per year`, `Duration months`, `Completion rate`, `Fill rate` |
//! | `Guide` | every sheet and column in plain words (not read) |
//! | `Lists` | hidden: the lists behind the drop-downs (not read) |
//!
//! Columns are found by their header (case, spaces, underscores and hyphens do not matter)
//! in the first rows of the sheet, so columns may be moved and rows inserted above the
//! header.
//!
//! # Blanks and roles
//!
//! - A `Staff in post` row whose Headcount, FTE and Establishment FTE are all blank is not
//!   used (the template's blank rows); a row with some of them blank is an error.
//! - A `Demand` row with all five years blank is not used; a blank year means no change
//!   from the year before (2026: from today's establishment). A staff row without a demand
//!   row in a future keeps today's establishment to 2030 in that future. A demand row
//!   without a staff row is allowed: posts the organisation does not have yet.
//! - A `Supply` row that is blank in every column is not used. A pipeline needs Role, Band
//!   and Starters per year (Duration months blank: 0, straight into post; Completion rate
//!   blank: 1); a vacancy-fill route needs Fill rate (Role or Band blank: all of them).
//! - Roles are the 20 national roles ([`ROLES`]) or roles listed under `New roles` on the
//!   About sheet (`new_roles` in TOML). Any other name is an error that suggests the nearest
//!   role, so a typo never becomes a new, silently empty role. Case and repeated spaces do
//!   not matter.
//!
//! # The TOML submission
//!
//! The same content as the workbook, fields as in [`Submission`], one row per line:
//!
//! ```toml
//! org_code = "RXX"
//! org_name = "Example Hospitals NHS Trust"
//! region = "London"
//! baseline_date = "2025-03"          # optional; must be 2025-03
//! futures = ["steady", "accelerated"]
//! new_roles = []                      # optional
//! staff = [
//!   { role = "Data Science", band = "7", headcount = 3, fte = 2.8, establishment_fte = 3 },
//! ]
//! demand = [
//!   { role = "Data Science", band = "7", future = "steady", fte = { 2026 = 3.1, 2027 = 3.2, 2028 = 3.2, 2029 = 3.3, 2030 = 3.4 } },
//! ]
//! supply = [
//!   { route = "Graduate DDaT scheme", kind = "pipeline", role = "Data Science", band = "6", starters_per_year = 2, duration_months = 24, completion_rate = 0.85 },
//!   { route = "External recruitment", kind = "vacancy-fill", fill_rate = 0.7 },
//! ]
//! ```
//!
//! `[[staff]]`, `[[demand]]` and `[[supply]]` tables are the same TOML and read the same.
//! A year left out of `fte` is a blank year. Unknown keys are refused.
use calamine::{Data, Range, Reader, Xlsx};
use polars::prelude::DataFrame;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Formula, IgnoreError, Workbook, Worksheet, XlsxError,
};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use wfcast_core::band::{BAND_HELP, Band};
use wfcast_core::baseline::FTE_ROUNDING_PER_HEAD;
use wfcast_core::error::{Error, Result};
use wfcast_core::grid::nearest;
use wfcast_core::sampling::ParamSpec;
use wfcast_core::scenario::{Names, RateSection, ScenarioFile, SupplyKind};
use wfcast_io::export::write_files;
use wfcast_io::table::{Table, Wanted, normalise_header};

/// The month of the staff in post every submission describes: 31 March 2025.
pub const BASELINE_MONTH: &str = "2025-03";

/// The years whose 31 March demand a submission gives.
pub const YEARS: [i32; 5] = [2026, 2027, 2028, 2029, 2030];

/// The seven NHS England regions.
pub const REGIONS: [&str; 7] =
    ["London", "South East", "South West", "East of England", "Midlands", "North East and Yorkshire", "North West"];

/// The 20 national roles: those of the shipped illustrative extract
/// (`seeds/esr_informatics_2025.csv`).
pub const ROLES: [&str; 20] = [
    "Business Analyst & Change",
    "Business Intelligence & Analysis",
    "Clinical Coding",
    "Clinical Informatics",
    "Clinical Systems",
    "Cyber Security",
    "Data Engineering",
    "Data Science",
    "Data Warehousing",
    "Digital & Data Leadership",
    "Education & Training",
    "Health Records",
    "IT Service Desk & Operations",
    "Information Governance & Data Quality",
    "Library & Knowledge Services",
    "Networks & Infrastructure",
    "Portfolio & Programme Management",
    "Product Management",
    "Project Management",
    "Systems & Software Development",
];

/// The bands at which each national role typically has staff (at least about 2% of its
/// headcount in the shipped extract): the blank rows of a template made without an extract.
pub const TYPICAL_BANDS: [(&str, &[&str]); 20] = [
    ("Business Analyst & Change", &["4", "5", "6", "7", "8a", "8b"]),
    ("Business Intelligence & Analysis", &["3", "4", "5", "6", "7", "8a", "8b", "8c"]),
    ("Clinical Coding", &["3", "4", "5", "6", "7", "8a"]),
    ("Clinical Informatics", &["5", "6", "7", "8a", "8b", "8c", "8d", "9"]),
    ("Clinical Systems", &["3", "4", "5", "6", "7", "8a", "8b"]),
    ("Cyber Security", &["4", "5", "6", "7", "8a", "8b", "8c"]),
    ("Data Engineering", &["5", "6", "7", "8a", "8b"]),
    ("Data Science", &["5", "6", "7", "8a", "8b", "8c"]),
    ("Data Warehousing", &["4", "5", "6", "7", "8a", "8b"]),
    ("Digital & Data Leadership", &["8a", "8b", "8c", "8d", "9"]),
    ("Education & Training", &["3", "4", "5", "6", "7", "8a"]),
    ("Health Records", &["2", "3", "4", "5", "6", "7"]),
    ("IT Service Desk & Operations", &["2", "3", "4", "5", "6", "7", "8a"]),
    ("Information Governance & Data Quality", &["3", "4", "5", "6", "7", "8a", "8b"]),
    ("Library & Knowledge Services", &["2", "3", "4", "5", "6", "7", "8a"]),
    ("Networks & Infrastructure", &["3", "4", "5", "6", "7", "8a", "8b"]),
    ("Portfolio & Programme Management", &["6", "7", "8a", "8b", "8c", "8d", "9"]),
    ("Product Management", &["6", "7", "8a", "8b", "8c", "8d"]),
    ("Project Management", &["4", "5", "6", "7", "8a", "8b", "8c"]),
    ("Systems & Software Development", &["4", "5", "6", "7", "8a", "8b"]),
];

/// The futures a template names when none are given.
pub const DEFAULT_FUTURES: [&str; 2] = ["steady", "accelerated"];

/// The vacancy rate behind a pre-filled establishment: `FTE / (1 - 0.08)`, rounded to one
/// decimal (8%, the middle of the 4% to 12% range of informatics vacancy rates, ASSIST 2006).
pub const PREFILL_VACANCY_RATE: f64 = 0.08;

/// The first line of every scenario file [`aggregate`] writes; a file without it is never
/// replaced.
pub const AGGREGATE_MARKER: &str = "# Written by `wfcast aggregate`";

const ABOUT: &str = "About";
const STAFF: &str = "Staff in post";
const DEMAND: &str = "Demand";
const SUPPLY: &str = "Supply";
const GUIDE: &str = "Guide";
const LISTS: &str = "Lists";

/// Blank shaded rows below the pre-filled ones, for rows a CIO adds.
const EXTRA_STAFF_ROWS: u32 = 40;
const EXTRA_DEMAND_ROWS: u32 = 40;
const SUPPLY_ROWS: u32 = 20;

// ---------------------------------------------------------------------------------------
// Submissions
// ---------------------------------------------------------------------------------------

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
    /// One of the seven NHS England regions ([`REGIONS`]).
    pub region: String,
    /// The two futures' names (letters, digits, `-` and `_`): they name the national
    /// scenarios `national-<future>`.
    pub futures: [String; 2],
    /// Roles outside the national list ([`ROLES`]) that this submission uses.
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
    /// FTE needed at 31 March of each of [`YEARS`] (blanks already carried forward).
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

    /// The submission as TOML (see the module documentation for the format).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# wfcast CIO toolkit submission of {} ({}), staff in post at 31 March 2025 and demand to 2030.",
            self.org_code,
            one_line(&self.org_name)
        );
        out.push_str(TOML_GUIDE);
        let _ = writeln!(out, "org_code = {}", quote(&self.org_code));
        let _ = writeln!(out, "org_name = {}", quote(&self.org_name));
        let _ = writeln!(out, "region = {}", quote(&self.region));
        let _ = writeln!(out, "baseline_date = {}", quote(BASELINE_MONTH));
        let _ = writeln!(out, "futures = [{}, {}]", quote(&self.futures[0]), quote(&self.futures[1]));
        let _ =
            writeln!(out, "new_roles = [{}]", self.new_roles.iter().map(|r| quote(r)).collect::<Vec<_>>().join(", "));
        out.push_str("\n# Staff in post at 31 March 2025: one row per role and band.\nstaff = [\n");
        for s in &self.staff {
            let _ = writeln!(
                out,
                "  {{ role = {}, band = {}, headcount = {}, fte = {}, establishment_fte = {} }},",
                quote(&s.role),
                quote(s.band.label()),
                s.headcount,
                s.fte,
                s.establishment_fte
            );
        }
        out.push_str("]\n\n# FTE needed at 31 March of each year: one row per role, band and future.\ndemand = [\n");
        for d in &self.demand {
            let years: Vec<String> = YEARS.iter().zip(d.fte).map(|(y, v)| format!("{y} = {v}")).collect();
            let _ = writeln!(
                out,
                "  {{ role = {}, band = {}, future = {}, fte = {{ {} }} }},",
                quote(&d.role),
                quote(d.band.label()),
                quote(&d.future),
                years.join(", ")
            );
        }
        out.push_str("]\n\n# Planned supply routes.\nsupply = [\n");
        for s in &self.supply {
            let mut fields =
                vec![format!("route = {}", quote(&s.route)), format!("kind = {}", quote(kind_name(s.kind)))];
            if let Some(r) = &s.role {
                fields.push(format!("role = {}", quote(r)));
            }
            if let Some(b) = s.band {
                fields.push(format!("band = {}", quote(b.label())));
            }
            if let Some(v) = s.starters_per_year {
                fields.push(format!("starters_per_year = {v}"));
            }
            if let Some(v) = s.duration_months {
                fields.push(format!("duration_months = {v}"));
            }
            if let Some(v) = s.completion_rate {
                fields.push(format!("completion_rate = {v}"));
            }
            if let Some(v) = s.fill_rate {
                fields.push(format!("fill_rate = {v}"));
            }
            let _ = writeln!(out, "  {{ {} }},", fields.join(", "));
        }
        out.push_str("]\n");
        out
    }

    /// Reads a submission from TOML text (`path` names it in errors).
    pub fn from_toml(text: &str, path: &Path) -> Result<Submission> {
        let raw = raw_from_toml(text, path)?;
        validate(raw)
    }
}

const TOML_GUIDE: &str = "\
# Fill in or correct the numbers, then send this file back (or the .xlsx; they hold the same).
# staff: people in post at 31 March 2025 (headcount, a whole number), their FTE, and the
#   funded establishment in FTE. Bands: 2, 3, 4, 5, 6, 7, 8a, 8b, 8c, 8d or 9.
# demand: FTE needed at 31 March of each year, per future; a year left out means no change
#   from the year before. A staff row without a demand row keeps today's establishment.
# supply: kind = \"pipeline\" (role, band, starters_per_year; duration_months, default 0 =
#   straight into post; completion_rate 0 to 1, default 1) or kind = \"vacancy-fill\"
#   (fill_rate 0 to 1; role and band optional, all when left out).
# Roles: the 20 national roles, or roles listed in new_roles. Unknown keys are refused.
";

fn kind_name(kind: SupplyKind) -> &'static str {
    match kind {
        SupplyKind::Pipeline => "pipeline",
        SupplyKind::VacancyFill => "vacancy-fill",
    }
}

// ---------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------

/// What [`write_template`] writes for one organisation.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateOptions {
    /// Organisation code (ODS code, letters and digits); names the files `<ORG>.xlsx` and
    /// `<ORG>.toml`, and selects the organisation's rows of the extract.
    pub org: String,
    /// Organisation name; the extract's `Org Name` when `None` (blank without an extract).
    pub name: Option<String>,
    /// Region; the extract's `Region` when `None` (blank without an extract).
    pub region: Option<String>,
    /// An ESR extract (CSV or Parquet) with columns like `Org Code, Org Name, Region, Job
    /// Role, Band, Headcount, FTE` (see `seeds/esr_informatics_2025.csv`): the template is
    /// pre-filled from the organisation's rows. Without it, the Staff in post sheet lists
    /// the 20 national roles at their typical bands, with blanks.
    pub baseline: Option<PathBuf>,
    /// The two futures' names (letters, digits, `-` and `_`), e.g. [`DEFAULT_FUTURES`].
    pub futures: [String; 2],
}

impl TemplateOptions {
    /// Options for organisation `org`: no extract, the default futures.
    pub fn new(org: impl Into<String>) -> TemplateOptions {
        TemplateOptions {
            org: org.into(),
            name: None,
            region: None,
            baseline: None,
            futures: DEFAULT_FUTURES.map(String::from),
        }
    }
}

/// Writes `<ORG>.xlsx` and `<ORG>.toml` into `out_dir` (created if need be) and returns
/// their paths.
///
/// With an extract, both are pre-filled from the organisation's rows: staff in post summed
/// per role and band, establishment `FTE / (1 - 0.08)` rounded to one decimal, and demand
/// in every future equal to the establishment, so a CIO edits from today's level. Without
/// one, the workbook lists the national roles at their typical bands with blank cells, and
/// the TOML has those rows commented out.
///
/// Existing files are never overwritten (they may hold a CIO's work): if either file
/// exists, nothing is written and the error names it. Each file is written whole, through
/// a temporary name and a rename.
pub fn write_template(options: &TemplateOptions, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let org = check_org_code(&options.org)
        .map_err(|m| Error::input("", "argument org", format!("organisation code `{}`: {m}", options.org)))?;
    let futures = check_futures(&options.futures).map_err(|m| Error::input("", "argument futures", m))?;
    let (sub, made_from, blank_rows) = match &options.baseline {
        Some(extract) => {
            let (sub, rows) = template_from_extract(&org, extract, &futures, options)?;
            let from = format!(
                "ESR extract {} ({rows} rows for {org}); establishment = FTE / (1 - {PREFILL_VACANCY_RATE})",
                extract.display()
            );
            (sub, from, Vec::new())
        }
        None => {
            let mut sub = empty_submission(&org, &futures);
            sub.org_name = options.name.clone().unwrap_or_default();
            sub.region = options.region.clone().map(|r| canonical_region(&r).unwrap_or(r)).unwrap_or_default();
            let blank: Vec<(String, Band)> = TYPICAL_BANDS
                .iter()
                .flat_map(|(role, bands)| bands.iter().map(|b| (role.to_string(), Band::parse(b).expect("a band"))))
                .collect();
            (sub, "no extract: the national roles at their typical bands, blank".to_string(), blank)
        }
    };
    let xlsx = out_dir.join(format!("{org}.xlsx"));
    let toml = out_dir.join(format!("{org}.toml"));
    for path in [&xlsx, &toml] {
        if path.exists() {
            return Err(Error::input(
                path,
                "",
                "exists: a template never overwrites a file (it may hold a CIO's work); move it away or choose another folder",
            ));
        }
    }
    let book = workbook_bytes(&sub, &blank_rows, &made_from).map_err(|e| xlsx_error(&xlsx, e))?;
    let text = if blank_rows.is_empty() { sub.to_toml() } else { blank_toml(&sub, &blank_rows) };
    fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    write_files(vec![(xlsx.clone(), book), (toml.clone(), text.into_bytes())])?;
    Ok(vec![xlsx, toml])
}

/// Writes a submission as `.xlsx` (the template's layout) or `.toml`, chosen by the
/// extension of `path`, whole (through a temporary name and a rename). Unlike
/// [`write_template`], it replaces an existing file.
pub fn write_submission(sub: &Submission, path: &Path) -> Result<()> {
    let bytes = match extension(path).as_deref() {
        Some("xlsx") => workbook_bytes(sub, &[], "a submission written by wfcast").map_err(|e| xlsx_error(path, e))?,
        Some("toml") => sub.to_toml().into_bytes(),
        _ => {
            return Err(Error::input(path, "", "expected a file name ending in .xlsx or .toml"));
        }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    write_files(vec![(path.to_path_buf(), bytes)])
}

fn empty_submission(org: &str, futures: &[String; 2]) -> Submission {
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

/// The TOML form of a template without an extract: the national roles at their typical
/// bands, commented out.
fn blank_toml(sub: &Submission, rows: &[(String, Band)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# wfcast CIO toolkit submission of {}: staff in post at 31 March 2025 and demand to 2030.",
        sub.org_code
    );
    out.push_str(TOML_GUIDE);
    let _ = writeln!(out, "org_code = {}", quote(&sub.org_code));
    let _ = writeln!(out, "org_name = {}  # fill in", quote(&sub.org_name));
    let _ = writeln!(out, "region = {}  # one of: {}", quote(&sub.region), REGIONS.join(", "));
    let _ = writeln!(out, "baseline_date = {}", quote(BASELINE_MONTH));
    let _ = writeln!(out, "futures = [{}, {}]", quote(&sub.futures[0]), quote(&sub.futures[1]));
    out.push_str("new_roles = []\n\n# Staff in post at 31 March 2025: uncomment the rows you have and fill in the numbers.\nstaff = [\n");
    for (role, band) in rows {
        let _ = writeln!(
            out,
            "  # {{ role = {}, band = {}, headcount = 0, fte = 0.0, establishment_fte = 0.0 }},",
            quote(role),
            quote(band.label())
        );
    }
    out.push_str(
        "]\n\n# FTE needed at 31 March of each year, per future (rows left out: today's establishment).\ndemand = [\n",
    );
    let years: Vec<String> = YEARS.iter().map(|y| format!("{y} = 0.0")).collect();
    let _ = writeln!(
        out,
        "  # {{ role = \"Data Science\", band = \"7\", future = {}, fte = {{ {} }} }},",
        quote(&sub.futures[0]),
        years.join(", ")
    );
    out.push_str("]\n\n# Planned supply routes.\nsupply = [\n");
    out.push_str("  # { route = \"Graduate DDaT scheme\", kind = \"pipeline\", role = \"Data Science\", band = \"6\", starters_per_year = 2, duration_months = 24, completion_rate = 0.85 },\n");
    out.push_str("  # { route = \"External recruitment\", kind = \"vacancy-fill\", fill_rate = 0.7 },\n");
    out.push_str("]\n");
    out
}

/// The columns a template reads from an ESR extract.
const EXTRACT_COLUMNS: [Wanted; 7] = [
    Wanted {
        name: "org_code",
        spellings: &["org code", "organisation code", "organization code", "org", "ods code", "trust code"],
        required: true,
    },
    Wanted {
        name: "org_name",
        spellings: &["org name", "organisation name", "organization name", "trust name"],
        required: false,
    },
    Wanted {
        name: "region",
        spellings: &["region", "nhse region", "region name", "nhse region name"],
        required: false,
    },
    Wanted { name: "role", spellings: &["role", "job role", "specialism"], required: true },
    Wanted { name: "band", spellings: &["band", "afc band", "pay band", "agenda for change band"], required: true },
    Wanted { name: "headcount", spellings: &["headcount", "head count", "staff in post"], required: true },
    Wanted {
        name: "fte",
        spellings: &["fte", "wte", "full time equivalent", "whole time equivalent"],
        required: false,
    },
];

/// Builds the pre-filled submission of `org` from an extract; returns it and the number of
/// extract rows used.
fn template_from_extract(
    org: &str,
    extract: &Path,
    futures: &[String; 2],
    options: &TemplateOptions,
) -> Result<(Submission, usize)> {
    const ORG: usize = 0;
    const NAME: usize = 1;
    const REGION: usize = 2;
    const ROLE: usize = 3;
    const BAND: usize = 4;
    const HEADCOUNT: usize = 5;
    const FTE: usize = 6;
    let table = Table::read(extract, &EXTRACT_COLUMNS, "(organisation, role, band)")?;
    let mut codes: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut cells: BTreeMap<(String, Band), (f64, f64)> = BTreeMap::new();
    let (mut name, mut region): (Option<String>, Option<(String, usize)>) = (None, None);
    let mut used = 0;
    for &row in table.rows() {
        let code = table.required(row, ORG, "expected an organisation code")?.to_ascii_uppercase();
        let row_name = table.text(row, NAME).unwrap_or_default().to_string();
        let row_region = table.text(row, REGION).unwrap_or_default().to_string();
        if code != org {
            codes.entry(code).or_insert((row_name, row_region));
            continue;
        }
        used += 1;
        if name.is_none() && !row_name.is_empty() {
            name = Some(row_name);
        }
        if !row_region.is_empty() {
            match &region {
                None => region = Some((row_region, row)),
                Some((first, at)) if *first != row_region => {
                    return Err(table.error(
                        row,
                        REGION,
                        format!(
                            "organisation {org} is in region `{row_region}` here and `{first}` at {}: an organisation is in one region",
                            table.at(*at, REGION)
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let role = collapse(table.required(row, ROLE, "expected a job role")?);
        let band = table.band(row, BAND)?;
        let headcount = table.count(row, HEADCOUNT, "expected a whole number of people, 0 or more")?;
        let fte = if table.has(FTE) {
            let fte = table.number(row, FTE, "expected a number of FTE, 0 or more and at most the headcount")?;
            if fte > headcount * (1.0 + FTE_ROUNDING_PER_HEAD) + 1e-9 {
                return Err(table.error(
                    row,
                    FTE,
                    format!(
                        "fte {} > headcount {}; FTE can exceed headcount only by rounding ({FTE_ROUNDING_PER_HEAD} per head)",
                        table.text(row, FTE).unwrap_or_default(),
                        table.text(row, HEADCOUNT).unwrap_or_default()
                    ),
                ));
            }
            fte
        } else {
            headcount
        };
        let role = ROLES.iter().find(|r| r.eq_ignore_ascii_case(&role)).map_or(role, |r| r.to_string());
        let cell = cells.entry((role, band)).or_default();
        cell.0 += headcount;
        cell.1 += fte;
    }
    if used == 0 {
        return Err(Error::input(extract, "column org_code", unknown_org(org, &codes)));
    }
    let mut sub = empty_submission(org, futures);
    sub.org_name = options.name.clone().or(name).unwrap_or_default();
    let region = options.region.clone().or(region.map(|r| r.0)).unwrap_or_default();
    sub.region = canonical_region(&region).unwrap_or(region);
    for ((role, band), (headcount, fte)) in cells {
        if !ROLES.contains(&role.as_str()) && !sub.new_roles.contains(&role) {
            sub.new_roles.push(role.clone());
        }
        let fte = round_to(fte, 4);
        let establishment_fte = round_to(fte / (1.0 - PREFILL_VACANCY_RATE), 1);
        sub.staff.push(StaffRow { role, band, headcount, fte, establishment_fte });
    }
    for future in futures {
        for s in &sub.staff {
            sub.demand.push(DemandRow {
                role: s.role.clone(),
                band: s.band,
                future: future.clone(),
                fte: [s.establishment_fte; 5],
            });
        }
    }
    Ok((sub, used))
}

/// The message for an organisation code that is not in the extract: the nearest codes
/// (by edit distance), and codes whose names contain what was typed.
fn unknown_org(org: &str, codes: &BTreeMap<String, (String, String)>) -> String {
    let mut scored: Vec<(usize, &String)> = codes.keys().map(|c| (strsim::levenshtein(org, c), c)).collect();
    scored.sort();
    let lower = org.to_lowercase();
    let mut near: Vec<&String> = codes
        .iter()
        .filter(|(_, (name, _))| lower.len() >= 3 && name.to_lowercase().contains(&lower))
        .map(|(c, _)| c)
        .collect();
    for (d, c) in &scored {
        if near.len() >= 5 || *d > 2 {
            break;
        }
        if !near.contains(c) {
            near.push(c);
        }
    }
    let describe = |c: &String| {
        let (name, region) = &codes[c];
        match (name.is_empty(), region.is_empty()) {
            (false, false) => format!("{c} ({name}, {region})"),
            (false, true) => format!("{c} ({name})"),
            _ => c.to_string(),
        }
    };
    let list = if near.is_empty() {
        let first: Vec<String> = codes.keys().take(10).map(|c| c.to_string()).collect();
        format!("codes include {}", first.join(", "))
    } else {
        format!("nearest: {}", near.iter().take(5).map(|c| describe(c)).collect::<Vec<_>>().join("; "))
    };
    format!("organisation `{org}` is not in the extract ({} organisations); {list}", codes.len())
}

// ---------------------------------------------------------------------------------------
// The workbook
// ---------------------------------------------------------------------------------------

fn xlsx_error(path: &Path, e: XlsxError) -> Error {
    Error::io(path, std::io::Error::other(e.to_string()))
}

/// Cell formats of the workbook.
struct Styles {
    title: Format,
    note: Format,
    header: Format,
    label: Format,
    fixed: Format,
    text: Format,
    count: Format,
    fte: Format,
    fte1: Format,
    rate: Format,
    wrap: Format,
    section: Format,
}

impl Styles {
    fn new() -> Styles {
        let input = Format::new()
            .set_background_color(Color::RGB(0xFFF2CC))
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xBFBFBF))
            .set_unlocked();
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_italic().set_font_color(Color::RGB(0x595959)),
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x005EB8))
                .set_border(FormatBorder::Thin)
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            label: Format::new().set_bold(),
            fixed: Format::new().set_background_color(Color::RGB(0xF2F2F2)),
            text: input.clone(),
            count: input.clone().set_num_format("#,##0"),
            fte: input.clone().set_num_format("#,##0.00"),
            fte1: input.clone().set_num_format("#,##0.0"),
            rate: input.set_num_format("0%"),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            section: Format::new().set_bold().set_font_size(12),
        }
    }
}

/// Writes a header row (bold, coloured, frozen) and column widths.
fn header_row(sheet: &mut Worksheet, st: &Styles, columns: &[(&str, f64)]) -> Result<(), XlsxError> {
    for (j, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, j as u16, *name, &st.header)?;
        sheet.set_column_width(j as u16, *width)?;
    }
    sheet.set_row_height(0, 30)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn write_opt(sheet: &mut Worksheet, row: u32, col: u16, value: Option<f64>, format: &Format) -> Result<(), XlsxError> {
    match value {
        Some(v) => sheet.write_number_with_format(row, col, v, format)?,
        None => sheet.write_blank(row, col, format)?,
    };
    Ok(())
}

fn warning_list(list: DataValidation, title: &str, message: &str) -> Result<DataValidation, XlsxError> {
    list.set_error_style(DataValidationErrorStyle::Warning).set_error_title(title)?.set_error_message(message)
}

fn non_negative(whole: bool) -> Result<DataValidation, XlsxError> {
    let v = if whole {
        DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
    } else {
        DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
    };
    v.set_error_title("A number, 0 or more")?.set_error_message(if whole {
        "Enter a whole number, 0 or more."
    } else {
        "Enter a number, 0 or more."
    })
}

fn share() -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(0.0, 1.0))
        .set_error_title("A share, 0% to 100%")?
        .set_error_message("Enter a share between 0% and 100% (0 to 1).")
}

/// The workbook of a submission (`blank_staff`: extra blank staff rows with role and band
/// written, for a template without an extract).
fn workbook_bytes(sub: &Submission, blank_staff: &[(String, Band)], made_from: &str) -> Result<Vec<u8>, XlsxError> {
    let st = Styles::new();
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2025, 3, 31)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("wfcast CIO workforce toolkit: {}", sub.org_code))
            .set_author("wfcast")
            .set_creation_datetime(&created),
    );
    let mut roles: Vec<String> = ROLES.iter().map(|r| r.to_string()).collect();
    roles.extend(sub.new_roles.iter().cloned());
    let bands: Vec<&str> = Band::ALL.iter().map(|b| b.label()).collect();
    let role_list = Formula::new(format!("=Lists!$A$2:$A${}", roles.len() + 1));
    let role_check = warning_list(
        DataValidation::new().allow_list_formula(role_list),
        "Not a national role",
        "This role is not in the national list. wfcast accepts it only if it is listed under New roles on the About sheet.",
    )?;
    let band_check = warning_list(
        DataValidation::new().allow_list_strings(&bands)?,
        "Band",
        "Bands are 2 to 7, 8a to 8d and 9. wfcast also reads spellings such as Band 8a, 8A or Band 8 - Range A.",
    )?;

    // About.
    let about = book.add_worksheet();
    about.set_name(ABOUT)?;
    about.set_column_width(0, 24)?;
    about.set_column_width(1, 46)?;
    about.set_column_width(2, 90)?;
    about.write_string_with_format(
        0,
        0,
        "wfcast CIO workforce toolkit: digital, data and technology workforce to 2030",
        &st.title,
    )?;
    about.write_string_with_format(
        1,
        0,
        "Yellow cells are yours to fill in or correct; grey cells are set by the national team. Every sheet and column is explained on the Guide sheet.",
        &st.note,
    )?;
    for (j, h) in ["Item", "Value", "Notes"].iter().enumerate() {
        about.write_string_with_format(3, j as u16, *h, &st.header)?;
    }
    let about_rows: [(&str, String, bool, &str); 9] = [
        ("Organisation code", sub.org_code.clone(), true, "ODS code, e.g. RXX (letters and digits)."),
        ("Organisation name", sub.org_name.clone(), true, "As in ESR."),
        ("Region", sub.region.clone(), true, "One of the seven NHS England regions (pick from the list)."),
        ("Future 1", sub.futures[0].clone(), false, "The first future, named by the national team (see the Guide)."),
        ("Future 2", sub.futures[1].clone(), false, "The second future."),
        (
            "New roles",
            sub.new_roles.join("; "),
            true,
            "Roles not in the national list that you use, separated by semicolons (see the Guide). Leave blank if none.",
        ),
        ("Baseline date", BASELINE_MONTH.to_string(), false, "Staff in post at 31 March 2025 (fixed, not read back)."),
        ("Made by", format!("wfcast {}", env!("CARGO_PKG_VERSION")), false, "Not read back."),
        ("Pre-filled from", made_from.to_string(), false, "Not read back."),
    ];
    for (i, (label, value, input, note)) in about_rows.iter().enumerate() {
        let r = 4 + i as u32;
        about.write_string_with_format(r, 0, *label, &st.label)?;
        about.write_string_with_format(r, 1, value, if *input { &st.text } else { &st.fixed })?;
        about.write_string_with_format(r, 2, *note, &st.note)?;
    }
    let regions = DataValidation::new()
        .allow_list_strings(&REGIONS)?
        .set_error_title("Region")?
        .set_error_message("Pick one of the seven NHS England regions.")?;
    about.add_data_validation(6, 1, 6, 1, &regions)?;
    about.write_string_with_format(15, 0, "Key", &st.label)?;
    about.write_string_with_format(15, 1, "a cell you fill in", &st.text)?;
    about.write_string_with_format(16, 1, "set by the national team", &st.fixed)?;
    about.set_active(true);

    // Staff in post.
    let staff = book.add_worksheet();
    staff.set_name(STAFF)?;
    header_row(
        staff,
        &st,
        &[("Role", 38.0), ("Band", 8.0), ("Headcount", 12.0), ("FTE", 10.0), ("Establishment FTE", 16.0)],
    )?;
    let mut r = 1;
    for s in &sub.staff {
        staff.write_string_with_format(r, 0, &s.role, &st.text)?;
        staff.write_string_with_format(r, 1, s.band.label(), &st.text)?;
        staff.write_number_with_format(r, 2, s.headcount, &st.count)?;
        staff.write_number_with_format(r, 3, s.fte, &st.fte)?;
        staff.write_number_with_format(r, 4, s.establishment_fte, &st.fte1)?;
        r += 1;
    }
    for (role, band) in blank_staff {
        staff.write_string_with_format(r, 0, role, &st.text)?;
        staff.write_string_with_format(r, 1, band.label(), &st.text)?;
        for (j, f) in [(2, &st.count), (3, &st.fte), (4, &st.fte1)] {
            staff.write_blank(r, j, f)?;
        }
        r += 1;
    }
    let last = r + EXTRA_STAFF_ROWS - 1;
    for row in r..=last {
        for (j, f) in [(0, &st.text), (1, &st.text), (2, &st.count), (3, &st.fte), (4, &st.fte1)] {
            staff.write_blank(row, j, f)?;
        }
    }
    staff.add_data_validation(1, 0, last, 0, &role_check)?;
    staff.add_data_validation(1, 1, last, 1, &band_check)?;
    staff.ignore_error_range(1, 1, last, 1, IgnoreError::NumberStoredAsText)?;
    staff.add_data_validation(1, 2, last, 2, &non_negative(true)?)?;
    staff.add_data_validation(1, 3, last, 4, &non_negative(false)?)?;

    // Demand.
    let demand = book.add_worksheet();
    demand.set_name(DEMAND)?;
    let year_headers: Vec<String> = YEARS.iter().map(|y| format!("FTE at 31 Mar {y}")).collect();
    let mut columns: Vec<(&str, f64)> = vec![("Role", 38.0), ("Band", 8.0), ("Future", 14.0)];
    columns.extend(year_headers.iter().map(|h| (h.as_str(), 12.0)));
    header_row(demand, &st, &columns)?;
    let mut r = 1;
    for d in &sub.demand {
        demand.write_string_with_format(r, 0, &d.role, &st.text)?;
        demand.write_string_with_format(r, 1, d.band.label(), &st.text)?;
        demand.write_string_with_format(r, 2, &d.future, &st.text)?;
        for (j, v) in d.fte.iter().enumerate() {
            demand.write_number_with_format(r, 3 + j as u16, *v, &st.fte1)?;
        }
        r += 1;
    }
    let last = r + EXTRA_DEMAND_ROWS - 1;
    for row in r..=last {
        for j in 0..3 {
            demand.write_blank(row, j, &st.text)?;
        }
        for j in 3..8 {
            demand.write_blank(row, j, &st.fte1)?;
        }
    }
    let future_check = DataValidation::new()
        .allow_list_formula(Formula::new("=About!$B$8:$B$9"))
        .set_error_title("Future")?
        .set_error_message("Pick one of the two futures named on the About sheet.")?;
    demand.add_data_validation(1, 0, last, 0, &role_check)?;
    demand.add_data_validation(1, 1, last, 1, &band_check)?;
    demand.ignore_error_range(1, 1, last, 1, IgnoreError::NumberStoredAsText)?;
    demand.add_data_validation(1, 2, last, 2, &future_check)?;
    demand.add_data_validation(1, 3, last, 7, &non_negative(false)?)?;

    // Supply.
    let supply = book.add_worksheet();
    supply.set_name(SUPPLY)?;
    header_row(
        supply,
        &st,
        &[
            ("Route", 34.0),
            ("Kind", 14.0),
            ("Role", 34.0),
            ("Band", 8.0),
            ("Starters per year", 12.0),
            ("Duration months", 12.0),
            ("Completion rate", 12.0),
            ("Fill rate", 10.0),
        ],
    )?;
    let mut r = 1;
    for s in &sub.supply {
        supply.write_string_with_format(r, 0, &s.route, &st.text)?;
        supply.write_string_with_format(r, 1, kind_name(s.kind), &st.text)?;
        match &s.role {
            Some(role) => supply.write_string_with_format(r, 2, role, &st.text)?,
            None => supply.write_blank(r, 2, &st.text)?,
        };
        match s.band {
            Some(b) => supply.write_string_with_format(r, 3, b.label(), &st.text)?,
            None => supply.write_blank(r, 3, &st.text)?,
        };
        write_opt(supply, r, 4, s.starters_per_year, &st.fte1)?;
        write_opt(supply, r, 5, s.duration_months.map(f64::from), &st.count)?;
        write_opt(supply, r, 6, s.completion_rate, &st.rate)?;
        write_opt(supply, r, 7, s.fill_rate, &st.rate)?;
        r += 1;
    }
    let last = (r + SUPPLY_ROWS - 1).max(SUPPLY_ROWS);
    for row in r..=last {
        for (j, f) in [
            (0, &st.text),
            (1, &st.text),
            (2, &st.text),
            (3, &st.text),
            (4, &st.fte1),
            (5, &st.count),
            (6, &st.rate),
            (7, &st.rate),
        ] {
            supply.write_blank(row, j, f)?;
        }
    }
    let kind_check = DataValidation::new()
        .allow_list_strings(&["pipeline", "vacancy-fill"])?
        .set_error_title("Kind")?
        .set_error_message(
            "pipeline: trainees who enter post after a course; vacancy-fill: recruitment into open vacancies.",
        )?;
    supply.add_data_validation(1, 1, last, 1, &kind_check)?;
    supply.add_data_validation(1, 2, last, 2, &role_check)?;
    supply.add_data_validation(1, 3, last, 3, &band_check)?;
    supply.ignore_error_range(1, 3, last, 3, IgnoreError::NumberStoredAsText)?;
    supply.add_data_validation(1, 4, last, 4, &non_negative(false)?)?;
    supply.add_data_validation(1, 5, last, 5, &non_negative(true)?)?;
    supply.add_data_validation(1, 6, last, 7, &share()?)?;

    // Guide.
    let guide = book.add_worksheet();
    guide.set_name(GUIDE)?;
    guide.set_column_width(0, 16)?;
    guide.set_column_width(1, 22)?;
    guide.set_column_width(2, 110)?;
    guide.write_string_with_format(0, 0, "How to fill in this workbook", &st.title)?;
    for (r, (sheet, column, text)) in (2..).zip(guide_rows(sub)) {
        if column.is_empty() && text.is_empty() {
            guide.write_string_with_format(r, 0, &sheet, &st.section)?;
        } else {
            guide.write_string_with_format(r, 0, &sheet, &st.label)?;
            guide.write_string_with_format(r, 1, &column, &st.label)?;
            guide.write_string_with_format(r, 2, &text, &st.wrap)?;
        }
    }

    // Lists behind the drop-downs.
    let lists = book.add_worksheet();
    lists.set_name(LISTS)?;
    for (j, (head, items)) in [
        ("Roles", roles.iter().map(String::as_str).collect::<Vec<_>>()),
        ("Bands", bands.clone()),
        ("Regions", REGIONS.to_vec()),
    ]
    .iter()
    .enumerate()
    {
        lists.write_string_with_format(0, j as u16, *head, &st.label)?;
        for (i, item) in items.iter().enumerate() {
            lists.write_string(1 + i as u32, j as u16, *item)?;
        }
        lists.set_column_width(j as u16, 40)?;
    }
    lists.set_hidden(true);
    book.save_to_buffer()
}

/// The Guide sheet: (sheet, column, explanation); a row with only a sheet is a heading.
fn guide_rows(sub: &Submission) -> Vec<(String, String, String)> {
    let h = |s: &str| (s.to_string(), String::new(), String::new());
    let r = |s: &str, c: &str, t: String| (s.to_string(), c.to_string(), t);
    let f = &sub.futures;
    vec![
        h("What this is"),
        r(
            "",
            "",
            format!(
                "The national digital, data and technology workforce exercise. Describe your digital workforce at 31 March 2025 \
                 (Staff in post), the FTE you will need at each 31 March to 2030 in two futures (Demand), and the training and \
                 recruitment you plan (Supply). National planners add up every organisation's workbook into regional and \
                 national forecasts and compare the two futures, `{}` and `{}`.",
                f[0], f[1]
            ),
        ),
        r("", "", "Yellow cells are yours to fill in or correct. You may add rows in the yellow area below the filled rows, \
                    delete rows you do not need, and move columns: wfcast finds columns by their headers. Do not rename the \
                    sheets or the headers. Send the workbook back as .xlsx.".into()),
        h("About"),
        r(ABOUT, "Organisation code", "Your ODS code, e.g. RXX: letters and digits.".into()),
        r(ABOUT, "Organisation name", "Your organisation's name.".into()),
        r(ABOUT, "Region", format!("One of the seven NHS England regions: {}.", REGIONS.join(", "))),
        r(ABOUT, "Future 1, Future 2", "The two futures, named by the national team; do not change them.".into()),
        r(
            ABOUT,
            "New roles",
            "Roles you use that are not in the national list (the drop-down in the Role columns), separated by semicolons, \
             e.g. `AI Engineering; Robotic Process Automation`. Any other role name is refused, and wfcast suggests the \
             nearest national role, so a typo never becomes a new role by accident."
                .into(),
        ),
        h(STAFF),
        r(STAFF, "", "One row per role and band: the people in post at 31 March 2025, as in ESR.".into()),
        r(STAFF, "Role", "A national role (see the drop-down) or one listed under New roles on the About sheet.".into()),
        r(STAFF, "Band", format!("The Agenda for Change band: {BAND_HELP}.")),
        r(STAFF, "Headcount", "People in post: a whole number, 0 or more.".into()),
        r(
            STAFF,
            "FTE",
            "Their whole-time equivalent (1.0 for each full-time person): 0 or more, and not above the headcount.".into(),
        ),
        r(
            STAFF,
            "Establishment FTE",
            format!(
                "Funded posts today, in FTE, filled or vacant: what the service needs now. Where this workbook was pre-filled \
                 from an ESR extract, it is the FTE / (1 - {PREFILL_VACANCY_RATE}) rounded to one decimal, i.e. an assumed \
                 {:.0}% vacancy rate: please replace it with your funded establishment.",
                PREFILL_VACANCY_RATE * 100.0
            ),
        ),
        r(
            STAFF,
            "Blanks",
            "A row with Headcount, FTE and Establishment FTE all blank is ignored (you have no one and no posts there). \
             A row with only some of them blank is refused: write 0 where you mean none. Two rows with the same role and \
             band are refused."
                .into(),
        ),
        h(DEMAND),
        r(
            DEMAND,
            "",
            "One row per role, band and future: the FTE you will need (funded establishment) at 31 March of each year. \
             It starts at today's establishment, so change only what you expect to change."
                .into(),
        ),
        r(DEMAND, "Role, Band", "As on the Staff in post sheet. A role and band you have no staff in today is allowed: new posts.".into()),
        r(DEMAND, "Future", format!("`{}` or `{}` (the futures on the About sheet).", f[0], f[1])),
        r(DEMAND, "FTE at 31 Mar 2026 ... 2030", "FTE needed at that date: a number, 0 or more.".into()),
        r(
            DEMAND,
            "Blanks",
            "A blank year means no change from the year before (for 2026: from today's establishment). A row with every \
             year blank is ignored, and a role and band with no demand row in a future keeps today's establishment to \
             2030 in that future. Two rows with the same role, band and future are refused."
                .into(),
        ),
        h(SUPPLY),
        r(
            SUPPLY,
            "",
            "The training and recruitment you plan, one row per route and role and band it supplies. Examples: \
             `Graduate DDaT scheme | pipeline | Data Science | 6 | 2 | 24 | 85% |` (two graduates a year, two years, 85% \
             complete into band 6 data science posts); `Digital apprenticeships | pipeline | IT Service Desk & Operations | 3 \
             | 4 | 18 | 70% |`; `External recruitment | vacancy-fill | | | | | | 70%` (70% of open vacancies filled within \
             a year, every role and band). Routes with the same name in different organisations are added up nationally."
                .into(),
        ),
        r(SUPPLY, "Route", "A name for the route; use the national names where they fit (Graduate DDaT scheme, Digital apprenticeships, External recruitment).".into()),
        r(SUPPLY, "Kind", "`pipeline` (people who start a course or scheme and enter post when they finish) or `vacancy-fill` (recruitment into open vacancies).".into()),
        r(SUPPLY, "Role, Band", "Where entrants join. Required for a pipeline; for vacancy-fill, blank means every role (or band).".into()),
        r(SUPPLY, "Starters per year", "Pipeline: people starting each year (0 or more). Leave blank for vacancy-fill.".into()),
        r(SUPPLY, "Duration months", "Pipeline: months from starting to entering post; blank or 0 means straight into post. Leave blank for vacancy-fill.".into()),
        r(SUPPLY, "Completion rate", "Pipeline: the share of starters who complete and enter post, 0% to 100%; blank means 100%. Leave blank for vacancy-fill.".into()),
        r(SUPPLY, "Fill rate", "Vacancy-fill: the share of open vacancies filled within a year, 0% to 100%. Required for vacancy-fill; leave blank for a pipeline.".into()),
        r(SUPPLY, "Blanks", "A row blank in every column is ignored.".into()),
        h("Numbers"),
        r(
            "",
            "",
            "Type plain numbers (12, 11.5); shares as 85% or 0.85. A cell with text where a number belongs, a negative \
             number, an unknown band, role or future, or a missing column or sheet is refused with the sheet, the cell \
             and the value, so you can put it right. Formulas are fine if Excel has calculated them before saving."
                .into(),
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// Reading: cells and keys as found, then one validation for both forms
// ---------------------------------------------------------------------------------------

/// A value as found in a cell or TOML key.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Blank,
    Number(f64),
    Text(String),
    /// Something that is neither a number nor text (a date, TRUE, an Excel error).
    Other(String),
}

/// One value and where it was found.
#[derive(Clone, Debug)]
struct Field {
    /// `sheet Staff in post, cell C5` or `key staff[3].headcount`.
    at: String,
    /// The column or key name, for messages.
    what: String,
    value: Value,
}

impl Field {
    fn is_blank(&self) -> bool {
        self.value == Value::Blank
    }
}

/// Which form a submission came in, for hints.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Form {
    Workbook,
    Toml,
}

const S_ROLE: usize = 0;
const S_BAND: usize = 1;
const S_HEADCOUNT: usize = 2;
const S_FTE: usize = 3;
const S_ESTABLISHMENT: usize = 4;

const P_ROUTE: usize = 0;
const P_KIND: usize = 1;
const P_ROLE: usize = 2;
const P_BAND: usize = 3;
const P_STARTERS: usize = 4;
const P_DURATION: usize = 5;
const P_COMPLETION: usize = 6;
const P_FILL: usize = 7;

/// A submission as found, before any check.
struct Raw {
    path: PathBuf,
    form: Form,
    org_code: Field,
    org_name: Field,
    region: Field,
    /// Where the futures are, for a message about their number.
    futures_at: String,
    futures: Vec<Field>,
    new_roles: Vec<Field>,
    baseline_date: Option<Field>,
    /// Where the staff rows are, for a message about there being none.
    staff_at: String,
    /// Role, band, headcount, FTE, establishment.
    staff: Vec<Vec<Field>>,
    /// Role, band, future, then the five years.
    demand: Vec<Vec<Field>>,
    /// Route, kind, role, band, starters, duration, completion, fill.
    supply: Vec<Vec<Field>>,
}

/// Reads a submission: a filled workbook (`.xlsx`, `.xlsm`) or its TOML form (`.toml`),
/// and checks every value. Errors name the file, the sheet and cell (or the TOML key),
/// the value found and what was expected.
pub fn read_submission(path: &Path) -> Result<Submission> {
    match extension(path).as_deref() {
        Some("xlsx" | "xlsm") => validate(raw_from_workbook(path)?),
        Some("toml") => {
            let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| Error::input(path, "", "is not UTF-8 text: expected a TOML submission"))?;
            Submission::from_toml(&text, path)
        }
        Some("xls") => Err(Error::input(path, "", "is an Excel 97-2003 workbook: save it as .xlsx (Excel Workbook)")),
        _ => Err(Error::input(path, "", "expected a CIO toolkit submission: an .xlsx workbook or a .toml file")),
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

/// `A1`-style name of a 0-based (row, column).
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(b'A' + rem as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8(letters).expect("ASCII"), row + 1)
}

fn cell_value(data: Option<&Data>) -> Value {
    match data {
        None | Some(Data::Empty) => Value::Blank,
        Some(Data::Float(f)) => Value::Number(*f),
        Some(Data::Int(i)) => Value::Number(*i as f64),
        Some(Data::String(s)) if s.trim().is_empty() => Value::Blank,
        Some(Data::String(s)) => Value::Text(s.trim().to_string()),
        Some(Data::Bool(b)) => Value::Other(if *b { "TRUE".into() } else { "FALSE".into() }),
        Some(Data::DateTime(d)) => Value::Other(format!("a date or time (Excel value {})", d.as_f64())),
        Some(Data::DateTimeIso(s)) => Value::Other(format!("the date or time {s}")),
        Some(Data::DurationIso(s)) => Value::Other(format!("the duration {s}")),
        Some(Data::Error(e)) => Value::Other(format!("the Excel error {e}")),
    }
}

/// A column a sheet must have: its header as written and the headers accepted.
struct Column {
    name: String,
    spellings: Vec<String>,
}

impl Column {
    fn new(name: &str, more: &[&str]) -> Column {
        let mut spellings = vec![normalise_header(name)];
        spellings.extend(more.iter().map(|s| normalise_header(s)));
        Column { name: name.to_string(), spellings }
    }
}

/// One sheet of a workbook, found by name.
struct Sheet {
    name: String,
    range: Range<Data>,
}

impl Sheet {
    fn at(&self, row: u32, col: u32) -> String {
        format!("sheet {}, cell {}", self.name, cell_name(row, col))
    }

    fn field(&self, row: u32, col: u32, what: &str) -> Field {
        Field { at: self.at(row, col), what: what.to_string(), value: cell_value(self.range.get_value((row, col))) }
    }

    /// Finds the header row (the first of the first 20 rows with a cell headed like the
    /// first column) and each column in it; then reads every row below that is not blank
    /// in all the columns.
    fn table(&self, path: &Path, columns: &[Column]) -> Result<Vec<Vec<Field>>> {
        let expected = || columns.iter().map(|c| format!("`{}`", c.name)).collect::<Vec<_>>().join(", ");
        let (Some(start), Some(end)) = (self.range.start(), self.range.end()) else {
            return Err(Error::input(
                path,
                format!("sheet {}", self.name),
                format!("is empty: expected a header row with the columns {}", expected()),
            ));
        };
        let header = |r: u32| -> Vec<(u32, String)> {
            (start.1..=end.1)
                .filter_map(|c| match cell_value(self.range.get_value((r, c))) {
                    Value::Text(t) => Some((c, t)),
                    Value::Number(x) => Some((c, fmt_num(x))),
                    _ => None,
                })
                .collect()
        };
        let found = (start.0..=end.0.min(start.0 + 19))
            .find(|&r| header(r).iter().any(|(_, t)| columns[0].spellings.contains(&normalise_header(t))));
        let Some(head) = found else {
            return Err(Error::input(
                path,
                format!("sheet {}", self.name),
                format!(
                    "no header row with a `{}` column in the first 20 rows: expected the columns {}",
                    columns[0].name,
                    expected()
                ),
            ));
        };
        let cells = header(head);
        let mut at = Vec::with_capacity(columns.len());
        for c in columns {
            let hits: Vec<u32> =
                cells.iter().filter(|(_, t)| c.spellings.contains(&normalise_header(t))).map(|(j, _)| *j).collect();
            match hits.as_slice() {
                [one] => at.push(*one),
                [] => {
                    let names: Vec<String> = cells.iter().map(|(_, t)| format!("`{t}`")).collect();
                    return Err(Error::input(
                        path,
                        format!("sheet {}, row {}", self.name, head + 1),
                        format!(
                            "no column `{}` (headers found: {}); expected the columns {}",
                            c.name,
                            names.join(", "),
                            expected()
                        ),
                    ));
                }
                [a, b, ..] => {
                    return Err(Error::input(
                        path,
                        format!("sheet {}, row {}", self.name, head + 1),
                        format!(
                            "two columns for `{}`: {} and {}; keep one",
                            c.name,
                            cell_name(head, *a),
                            cell_name(head, *b)
                        ),
                    ));
                }
            }
        }
        let mut rows = Vec::new();
        for r in head + 1..=end.0 {
            let fields: Vec<Field> = columns.iter().zip(&at).map(|(c, &j)| self.field(r, j, &c.name)).collect();
            if fields.iter().any(|f| !f.is_blank()) {
                rows.push(fields);
            }
        }
        Ok(rows)
    }
}

fn raw_from_workbook(path: &Path) -> Result<Raw> {
    let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut book = Xlsx::new(std::io::BufReader::new(file)).map_err(|e| {
        Error::input(path, "", format!("cannot be read as an Excel workbook (.xlsx): {e}; save it from Excel as .xlsx"))
    })?;
    let names = book.sheet_names();
    let mut sheet = |wanted: &str| -> Result<Sheet> {
        let name = names.iter().find(|n| n.trim().eq_ignore_ascii_case(wanted)).ok_or_else(|| {
            Error::input(
                path,
                format!("sheet {wanted}"),
                format!(
                    "missing: the workbook has the sheets {}; expected the sheets {ABOUT}, {STAFF}, {DEMAND} and {SUPPLY} of the wfcast template",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        let range = book
            .worksheet_range(name)
            .map_err(|e| Error::input(path, format!("sheet {name}"), format!("cannot be read: {e}")))?;
        Ok(Sheet { name: name.clone(), range })
    };
    let about = sheet(ABOUT)?;
    let staff = sheet(STAFF)?;
    let demand = sheet(DEMAND)?;
    let supply = sheet(SUPPLY)?;

    // About: labels in column A, values in column B.
    let mut labels: BTreeMap<String, u32> = BTreeMap::new();
    if let (Some(start), Some(end)) = (about.range.start(), about.range.end()) {
        for r in start.0..=end.0 {
            if let Value::Text(t) = cell_value(about.range.get_value((r, 0))) {
                labels.entry(normalise_header(&t)).or_insert(r);
            }
        }
    }
    let about_field = |label: &str, also: &[&str]| -> Result<Field> {
        let row = std::iter::once(label)
            .chain(also.iter().copied())
            .find_map(|l| labels.get(&normalise_header(l)))
            .ok_or_else(|| {
                Error::input(
                    path,
                    format!("sheet {ABOUT}"),
                    format!(
                        "no row labelled `{label}` in column A: expected the rows Organisation code, Organisation name, Region, Future 1, Future 2 and New roles"
                    ),
                )
            })?;
        Ok(about.field(*row, 1, label))
    };
    let org_code = about_field("Organisation code", &["Organization code", "Org code", "ODS code"])?;
    let org_name = about_field("Organisation name", &["Organization name", "Org name"])?;
    let region = about_field("Region", &[])?;
    let futures = vec![about_field("Future 1", &[])?, about_field("Future 2", &[])?];
    let new_roles_field = about_field("New roles", &[])?;
    let new_roles = match &new_roles_field.value {
        Value::Text(t) => t
            .split([';', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Field { value: Value::Text(s.to_string()), ..new_roles_field.clone() })
            .collect(),
        Value::Blank => Vec::new(),
        _ => vec![new_roles_field.clone()],
    };

    let staff_rows = staff.table(
        path,
        &[
            Column::new("Role", &["Job role"]),
            Column::new("Band", &["AfC band", "Pay band"]),
            Column::new("Headcount", &["Head count"]),
            Column::new("FTE", &["WTE"]),
            Column::new("Establishment FTE", &["Establishment", "Establishment WTE"]),
        ],
    )?;
    let mut demand_columns = vec![
        Column::new("Role", &["Job role"]),
        Column::new("Band", &["AfC band", "Pay band"]),
        Column::new("Future", &[]),
    ];
    for y in YEARS {
        let also = [
            format!("{y}"),
            format!("FTE {y}"),
            format!("31 Mar {y}"),
            format!("31 March {y}"),
            format!("FTE at 31 March {y}"),
        ];
        demand_columns
            .push(Column::new(&format!("FTE at 31 Mar {y}"), &also.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    let demand_rows = demand.table(path, &demand_columns)?;
    let supply_rows = supply.table(
        path,
        &[
            Column::new("Route", &["Route name"]),
            Column::new("Kind", &[]),
            Column::new("Role", &["Job role"]),
            Column::new("Band", &["AfC band", "Pay band"]),
            Column::new("Starters per year", &["Starters", "Intake per year", "Intake"]),
            Column::new("Duration months", &["Duration", "Duration (months)"]),
            Column::new("Completion rate", &["Completion"]),
            Column::new("Fill rate", &[]),
        ],
    )?;
    Ok(Raw {
        path: path.to_path_buf(),
        form: Form::Workbook,
        org_code,
        org_name,
        region,
        futures_at: format!("sheet {ABOUT}"),
        futures,
        new_roles,
        baseline_date: None,
        staff_at: format!("sheet {STAFF}"),
        staff: staff_rows,
        demand: demand_rows,
        supply: supply_rows,
    })
}

/// A band in TOML: a string (`"8a"`, `"Band 5"`) or a whole number (`5`).
#[derive(Clone, Debug, PartialEq)]
struct BandText(Value);

impl<'de> Deserialize<'de> for BandText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = BandText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an AfC band such as \"5\" or \"8a\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<BandText, E> {
                Ok(BandText(if v.trim().is_empty() { Value::Blank } else { Value::Text(v.trim().to_string()) }))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<BandText, E> {
                Ok(BandText(Value::Number(v as f64)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<BandText, E> {
                Ok(BandText(Value::Number(v as f64)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<BandText, E> {
                Ok(BandText(Value::Number(v)))
            }
        }
        d.deserialize_any(V)
    }
}

/// The TOML submission as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSubmission {
    org_code: String,
    org_name: String,
    region: String,
    #[serde(default)]
    baseline_date: Option<String>,
    futures: Vec<String>,
    #[serde(default)]
    new_roles: Vec<String>,
    #[serde(default)]
    staff: Vec<FileStaff>,
    #[serde(default)]
    demand: Vec<FileDemand>,
    #[serde(default)]
    supply: Vec<FileSupply>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStaff {
    role: String,
    band: BandText,
    headcount: f64,
    fte: f64,
    establishment_fte: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDemand {
    role: String,
    band: BandText,
    future: String,
    fte: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSupply {
    route: String,
    kind: String,
    role: Option<String>,
    band: Option<BandText>,
    starters_per_year: Option<f64>,
    duration_months: Option<f64>,
    completion_rate: Option<f64>,
    fill_rate: Option<f64>,
}

fn raw_from_toml(text: &str, path: &Path) -> Result<Raw> {
    let file: FileSubmission = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!("line {}", text[..s.start.min(text.len())].matches('\n').count() + 1))
            .unwrap_or_default();
        Error::input(path, at, e.message().to_string())
    })?;
    let key = |k: String, v: Value| Field {
        what: k.rsplit('.').next().unwrap_or(&k).to_string(),
        at: format!("key {k}"),
        value: v,
    };
    let text_value = |s: &str| if s.trim().is_empty() { Value::Blank } else { Value::Text(s.trim().to_string()) };
    let opt = |v: Option<f64>| v.map_or(Value::Blank, Value::Number);
    let staff = file
        .staff
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let k = |n: &str| format!("staff[{i}].{n}");
            vec![
                key(k("role"), text_value(&s.role)),
                key(k("band"), s.band.0.clone()),
                key(k("headcount"), Value::Number(s.headcount)),
                key(k("fte"), Value::Number(s.fte)),
                key(k("establishment_fte"), Value::Number(s.establishment_fte)),
            ]
        })
        .collect();
    let mut demand = Vec::new();
    for (i, d) in file.demand.iter().enumerate() {
        let k = |n: &str| format!("demand[{i}].{n}");
        if let Some(bad) = d.fte.keys().find(|y| !YEARS.iter().any(|year| year.to_string() == **y)) {
            return Err(Error::input(
                path,
                format!("key demand[{i}].fte.{bad}"),
                format!("`{bad}` is not a year of the toolkit: expected 2026, 2027, 2028, 2029 or 2030"),
            ));
        }
        let mut row = vec![
            key(k("role"), text_value(&d.role)),
            key(k("band"), d.band.0.clone()),
            key(k("future"), text_value(&d.future)),
        ];
        for y in YEARS {
            row.push(key(format!("demand[{i}].fte.{y}"), opt(d.fte.get(&y.to_string()).copied())));
        }
        demand.push(row);
    }
    let supply = file
        .supply
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let k = |n: &str| format!("supply[{i}].{n}");
            vec![
                key(k("route"), text_value(&s.route)),
                key(k("kind"), text_value(&s.kind)),
                key(k("role"), s.role.as_deref().map_or(Value::Blank, text_value)),
                key(k("band"), s.band.clone().map_or(Value::Blank, |b| b.0)),
                key(k("starters_per_year"), opt(s.starters_per_year)),
                key(k("duration_months"), opt(s.duration_months)),
                key(k("completion_rate"), opt(s.completion_rate)),
                key(k("fill_rate"), opt(s.fill_rate)),
            ]
        })
        .collect();
    Ok(Raw {
        path: path.to_path_buf(),
        form: Form::Toml,
        org_code: key("org_code".into(), text_value(&file.org_code)),
        org_name: key("org_name".into(), text_value(&file.org_name)),
        region: key("region".into(), text_value(&file.region)),
        futures_at: "key futures".into(),
        futures: file.futures.iter().enumerate().map(|(i, f)| key(format!("futures[{i}]"), text_value(f))).collect(),
        new_roles: file
            .new_roles
            .iter()
            .enumerate()
            .map(|(i, r)| key(format!("new_roles[{i}]"), text_value(r)))
            .collect(),
        baseline_date: file.baseline_date.as_deref().map(|d| key("baseline_date".into(), text_value(d))),
        staff_at: "key staff".into(),
        staff,
        demand,
        supply,
    })
}

/// A number as people write it: whole numbers without decimals.
fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{x:.0}") } else { format!("{x}") }
}

/// The checks every value goes through, with messages naming the file, place and value.
struct Check<'a> {
    path: &'a Path,
    form: Form,
}

const HEADCOUNT_HELP: &str = "expected a whole number of people, 0 or more";
const FTE_HELP: &str = "expected a number of FTE, 0 or more";
const RATE_HELP: &str = "expected a share between 0 and 1 (0.85, or 85% in Excel)";

impl Check<'_> {
    fn err(&self, f: &Field, message: impl Into<String>) -> Error {
        Error::input(self.path, &f.at, message)
    }

    /// Text, or `None` when blank; a number is taken as its digits.
    fn text(&self, f: &Field, help: &str) -> Result<Option<String>> {
        match &f.value {
            Value::Blank => Ok(None),
            Value::Text(t) => Ok(Some(t.clone())),
            Value::Number(x) => Ok(Some(fmt_num(*x))),
            Value::Other(d) => Err(self.err(f, format!("{} is {d}; {help}", f.what))),
        }
    }

    fn required_text(&self, f: &Field, help: &str) -> Result<String> {
        self.text(f, help)?.ok_or_else(|| self.err(f, format!("{} is blank; {help}", f.what)))
    }

    /// A number 0 or more, or `None` when blank; `share` also reads `85%`.
    fn number(&self, f: &Field, help: &str, share: bool) -> Result<Option<f64>> {
        let (value, shown) = match &f.value {
            Value::Blank => return Ok(None),
            Value::Number(x) => (Some(*x), fmt_num(*x)),
            Value::Text(t) => {
                let parsed = match t.strip_suffix('%') {
                    Some(p) if share => p.trim().parse::<f64>().ok().map(|v| v / 100.0),
                    _ => t.parse::<f64>().ok(),
                };
                (parsed, t.clone())
            }
            Value::Other(d) => return Err(self.err(f, format!("{} is {d}, not a number; {help}", f.what))),
        };
        let value = value
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.err(f, format!("{} `{shown}` is not a number; {help}", f.what)))?;
        if value < 0.0 {
            return Err(self.err(f, format!("{} `{shown}` is negative; {help}", f.what)));
        }
        if share && value > 1.0 {
            return Err(self.err(f, format!("{} `{shown}` is above 1 (100%); {help}", f.what)));
        }
        Ok(Some(value))
    }

    fn required_number(&self, f: &Field, help: &str) -> Result<f64> {
        self.number(f, help, false)?.ok_or_else(|| self.err(f, format!("{} is blank; {help}", f.what)))
    }

    fn whole(&self, f: &Field, help: &str) -> Result<Option<f64>> {
        let v = self.number(f, help, false)?;
        if let Some(x) = v
            && x.fract() != 0.0
        {
            return Err(self.err(f, format!("{} `{}` is not a whole number; {help}", f.what, fmt_num(x))));
        }
        Ok(v)
    }

    fn band(&self, f: &Field) -> Result<Option<Band>> {
        let help = format!("expected {BAND_HELP}");
        let Some(text) = self.text(f, &help)? else { return Ok(None) };
        Band::parse(&text)
            .map(Some)
            .ok_or_else(|| self.err(f, format!("{} `{text}` is not an AfC band; {help}", f.what)))
    }

    fn required_band(&self, f: &Field) -> Result<Band> {
        self.band(f)?.ok_or_else(|| self.err(f, format!("{} is blank; expected {BAND_HELP}", f.what)))
    }

    /// Where new roles are declared, for messages.
    fn new_roles_place(&self) -> &'static str {
        match self.form {
            Form::Workbook => "under New roles on the About sheet",
            Form::Toml => "in `new_roles`",
        }
    }

    /// A role: a national role or a declared new role (case and repeated spaces aside),
    /// in its canonical spelling.
    fn role(&self, f: &Field, new_roles: &[String]) -> Result<Option<String>> {
        let help = "expected a role name";
        let Some(text) = self.text(f, help)? else { return Ok(None) };
        let name = collapse(&text);
        let known = ROLES.iter().map(|r| r.to_string()).chain(new_roles.iter().cloned()).collect::<Vec<_>>();
        if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(&name)) {
            return Ok(Some(k.clone()));
        }
        let hint = match nearest(&name, &known) {
            Some(n) => format!("did you mean `{n}`? "),
            None => format!("the national roles are {}; ", ROLES.join(", ")),
        };
        Err(self.err(
            f,
            format!(
                "{} `{text}` is not a known role: {hint}a new role must be listed {} first",
                f.what,
                self.new_roles_place()
            ),
        ))
    }

    fn required_role(&self, f: &Field, new_roles: &[String]) -> Result<String> {
        self.role(f, new_roles)?.ok_or_else(|| self.err(f, format!("{} is blank; expected a role name", f.what)))
    }
}

/// Trims and collapses runs of spaces.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical spelling of a region (case and spaces aside), if it is one of the seven.
fn canonical_region(s: &str) -> Option<String> {
    let s = collapse(s);
    REGIONS.iter().find(|r| r.eq_ignore_ascii_case(&s)).map(|r| r.to_string())
}

/// An organisation code: letters and digits, at most 16, upper-cased.
fn check_org_code(code: &str) -> std::result::Result<String, String> {
    let code = code.trim();
    if code.is_empty() {
        return Err("is empty: expected the organisation's ODS code, e.g. RXX".into());
    }
    if code.len() > 16 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("expected an ODS code of letters and digits, e.g. RXX".into());
    }
    Ok(code.to_ascii_uppercase())
}

/// A future's name must be usable in a scenario name (`national-<future>`).
fn usable_future(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn check_futures(futures: &[String; 2]) -> std::result::Result<[String; 2], String> {
    for f in futures {
        if !usable_future(f.trim()) {
            return Err(format!(
                "future `{f}` is not a usable name: use letters, digits, `-` and `_` (it names the national scenario `national-{f}`)"
            ));
        }
    }
    if futures[0].trim().eq_ignore_ascii_case(futures[1].trim()) {
        return Err(format!("the two futures are both called `{}`: expected two different names", futures[0]));
    }
    Ok(futures.clone().map(|f| f.trim().to_string()))
}

/// Checks a submission as found and builds the [`Submission`].
fn validate(raw: Raw) -> Result<Submission> {
    let c = Check { path: &raw.path, form: raw.form };
    let org_text = c.text(&raw.org_code, "expected the organisation's ODS code")?.unwrap_or_default();
    let org_code = check_org_code(&org_text).map_err(|m| c.err(&raw.org_code, format!("{} {m}", raw.org_code.what)))?;
    let org_name = c.required_text(&raw.org_name, "expected the organisation's name")?;
    let region_text =
        c.required_text(&raw.region, &format!("expected one of the NHS England regions: {}", REGIONS.join(", ")))?;
    let region = canonical_region(&region_text).ok_or_else(|| {
        let known: Vec<String> = REGIONS.iter().map(|r| r.to_string()).collect();
        let hint = match nearest(&region_text, &known) {
            Some(n) => format!("did you mean `{n}`? "),
            None => String::new(),
        };
        c.err(
            &raw.region,
            format!(
                "{} `{region_text}` is not an NHS England region: {hint}expected one of {}",
                raw.region.what,
                REGIONS.join(", ")
            ),
        )
    })?;
    if let Some(d) = &raw.baseline_date {
        let text = c.text(d, "expected 2025-03")?.unwrap_or_default();
        if text != BASELINE_MONTH {
            return Err(c.err(d, format!("baseline_date `{text}`: the toolkit describes staff in post at 31 March 2025: expected `{BASELINE_MONTH}`")));
        }
    }
    if raw.futures.len() != 2 {
        return Err(Error::input(
            &raw.path,
            &raw.futures_at,
            format!("{} futures given: expected the two futures named by the national team", raw.futures.len()),
        ));
    }
    let mut futures = [String::new(), String::new()];
    for (i, f) in raw.futures.iter().enumerate() {
        let name = c.required_text(f, "expected the future's name")?;
        if !usable_future(&name) {
            return Err(c.err(f, format!("future `{name}` is not a usable name: use letters, digits, `-` and `_`")));
        }
        futures[i] = name;
    }
    if futures[0].eq_ignore_ascii_case(&futures[1]) {
        return Err(
            c.err(&raw.futures[1], format!("both futures are called `{}`: expected two different names", futures[1]))
        );
    }
    let mut new_roles: Vec<String> = Vec::new();
    for f in &raw.new_roles {
        let Some(name) = c.text(f, "expected role names separated by semicolons")? else { continue };
        let name = collapse(&name);
        if let Some(national) = ROLES.iter().find(|r| r.eq_ignore_ascii_case(&name)) {
            return Err(c.err(
                f,
                format!("new role `{name}` is already the national role `{national}`: remove it from the new roles"),
            ));
        }
        if !new_roles.iter().any(|r| r.eq_ignore_ascii_case(&name)) {
            new_roles.push(name);
        }
    }

    // Staff in post.
    let mut staff: Vec<StaffRow> = Vec::new();
    let mut staff_at: BTreeMap<(String, Band), String> = BTreeMap::new();
    for row in &raw.staff {
        if row[S_HEADCOUNT..].iter().all(Field::is_blank) {
            continue;
        }
        let role = c.required_role(&row[S_ROLE], &new_roles)?;
        let band = c.required_band(&row[S_BAND])?;
        let headcount = c.whole(&row[S_HEADCOUNT], HEADCOUNT_HELP)?.ok_or_else(|| {
            c.err(
                &row[S_HEADCOUNT],
                format!("{} is blank; {HEADCOUNT_HELP} (write 0 for nobody in post)", row[S_HEADCOUNT].what),
            )
        })?;
        let fte = c.required_number(&row[S_FTE], &format!("{FTE_HELP} and at most the headcount"))?;
        if fte > headcount * (1.0 + FTE_ROUNDING_PER_HEAD) + 1e-9 {
            return Err(c.err(
                &row[S_FTE],
                format!(
                    "{} {} is above the headcount {}: FTE can exceed headcount only by rounding ({FTE_ROUNDING_PER_HEAD} per head)",
                    row[S_FTE].what,
                    fmt_num(fte),
                    fmt_num(headcount)
                ),
            ));
        }
        let establishment_fte =
            c.required_number(&row[S_ESTABLISHMENT], "expected the funded establishment in FTE, 0 or more")?;
        if let Some(first) = staff_at.get(&(role.clone(), band)) {
            return Err(c.err(
                &row[S_ROLE],
                format!(
                    "a second row for {role} band {band} (the first is at {first}): expected one row per role and band"
                ),
            ));
        }
        staff_at.insert((role.clone(), band), row[S_ROLE].at.clone());
        staff.push(StaffRow { role, band, headcount, fte, establishment_fte });
    }

    // Demand.
    let mut demand: Vec<DemandRow> = Vec::new();
    let mut demand_at: BTreeMap<(String, Band, usize), String> = BTreeMap::new();
    for row in &raw.demand {
        if row[3..].iter().all(Field::is_blank) {
            continue;
        }
        let role = c.required_role(&row[0], &new_roles)?;
        let band = c.required_band(&row[1])?;
        let future_help = format!("expected `{}` or `{}`", futures[0], futures[1]);
        let future_text = c.required_text(&row[2], &future_help)?;
        let fi = futures.iter().position(|f| f.eq_ignore_ascii_case(&future_text)).ok_or_else(|| {
            let place = match raw.form {
                Form::Workbook => "the futures on the About sheet",
                Form::Toml => "the `futures`",
            };
            c.err(&row[2], format!("{} `{future_text}` is not one of {place}: {future_help}", row[2].what))
        })?;
        let mut previous = staff.iter().find(|s| s.role == role && s.band == band).map_or(0.0, |s| s.establishment_fte);
        let mut fte = [0.0; 5];
        for (k, f) in row[3..].iter().enumerate() {
            if let Some(v) = c.number(f, "expected the FTE needed, 0 or more", false)? {
                previous = v;
            }
            fte[k] = previous;
        }
        if let Some(first) = demand_at.get(&(role.clone(), band, fi)) {
            return Err(c.err(
                &row[0],
                format!(
                    "a second row for {role} band {band} in future `{}` (the first is at {first}): expected one row per role, band and future",
                    futures[fi]
                ),
            ));
        }
        demand_at.insert((role.clone(), band, fi), row[0].at.clone());
        demand.push(DemandRow { role, band, future: futures[fi].clone(), fte });
    }
    for (fi, future) in futures.iter().enumerate() {
        for s in &staff {
            if !demand_at.contains_key(&(s.role.clone(), s.band, fi)) {
                demand.push(DemandRow {
                    role: s.role.clone(),
                    band: s.band,
                    future: future.clone(),
                    fte: [s.establishment_fte; 5],
                });
            }
        }
    }
    if staff.is_empty() && demand.is_empty() {
        return Err(Error::input(
            &raw.path,
            &raw.staff_at,
            "no staff in post and no demand filled in: expected at least one row with a headcount, FTE and establishment",
        ));
    }

    // Supply.
    let mut supply: Vec<SupplyRow> = Vec::new();
    let mut supply_at: BTreeMap<(String, Option<String>, Option<Band>), String> = BTreeMap::new();
    let mut kinds: BTreeMap<String, (SupplyKind, String)> = BTreeMap::new();
    for row in &raw.supply {
        let route = collapse(&c.required_text(&row[P_ROUTE], "expected the route's name")?);
        let kind_help = "expected `pipeline` or `vacancy-fill`";
        let kind_text = c.required_text(&row[P_KIND], kind_help)?;
        let kind = match normalise_header(&kind_text).as_str() {
            "pipeline" => SupplyKind::Pipeline,
            "vacancy fill" => SupplyKind::VacancyFill,
            _ => {
                return Err(c.err(
                    &row[P_KIND],
                    format!("{} `{kind_text}` is not a kind of route; {kind_help}", row[P_KIND].what),
                ));
            }
        };
        let role = c.role(&row[P_ROLE], &new_roles)?;
        let band = c.band(&row[P_BAND])?;
        let starters = c.number(&row[P_STARTERS], "expected people starting each year, 0 or more", false)?;
        let duration = c.whole(&row[P_DURATION], "expected a whole number of months, 0 or more")?;
        let completion = c.number(&row[P_COMPLETION], RATE_HELP, true)?;
        let fill = c.number(&row[P_FILL], RATE_HELP, true)?;
        match kind {
            SupplyKind::Pipeline => {
                for (k, what) in [
                    (P_ROLE, "the role entrants join"),
                    (P_BAND, "the band entrants join"),
                    (P_STARTERS, "starters per year"),
                ] {
                    if row[k].is_blank() {
                        return Err(c.err(&row[k], format!("{} is blank: a pipeline needs {what}", row[k].what)));
                    }
                }
                if fill.is_some() {
                    return Err(c.err(
                        &row[P_FILL],
                        format!("{} is for vacancy-fill routes: leave it blank for a pipeline", row[P_FILL].what),
                    ));
                }
            }
            SupplyKind::VacancyFill => {
                if fill.is_none() {
                    return Err(c.err(
                        &row[P_FILL],
                        format!("{} is blank: a vacancy-fill route needs the share of open vacancies filled in a year; {RATE_HELP}", row[P_FILL].what),
                    ));
                }
                for k in [P_STARTERS, P_DURATION, P_COMPLETION] {
                    if !row[k].is_blank() {
                        return Err(c.err(
                            &row[k],
                            format!("{} is for pipelines: leave it blank for a vacancy-fill route", row[k].what),
                        ));
                    }
                }
            }
        }
        let lower = route.to_lowercase();
        if let Some((other, at)) = kinds.get(&lower)
            && *other != kind
        {
            return Err(c.err(
                &row[P_KIND],
                format!(
                    "route `{route}` is a {} here and a {} at {at}: one route has one kind",
                    kind_name(kind),
                    kind_name(*other)
                ),
            ));
        }
        kinds.entry(lower.clone()).or_insert((kind, row[P_KIND].at.clone()));
        if let Some(first) = supply_at.get(&(lower.clone(), role.clone(), band)) {
            return Err(c.err(
                &row[P_ROUTE],
                format!("a second row for route `{route}` into the same role and band (the first is at {first})"),
            ));
        }
        supply_at.insert((lower, role.clone(), band), row[P_ROUTE].at.clone());
        supply.push(SupplyRow {
            route,
            kind,
            role,
            band,
            starters_per_year: starters,
            duration_months: duration.map(|d| d as u32),
            completion_rate: completion,
            fill_rate: fill,
        });
    }

    Ok(Submission { path: raw.path.clone(), org_code, org_name, region, futures, new_roles, staff, demand, supply })
}

// ---------------------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------------------

/// How [`aggregate`] treats invalid submissions and where its rates come from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AggregateOptions {
    /// Leave out invalid submissions (reporting each with its error) instead of failing.
    /// Invalid: unreadable, failing any check of [`read_submission`], naming futures other
    /// than the first valid submission's, or giving a route another kind than an earlier
    /// submission did. Two submissions with the same organisation code fail either way.
    pub skip_invalid: bool,
    /// A scenario fragment (e.g. from `wfcast calibrate`) whose `[attrition]`,
    /// `[progression]` and `[[transfer]]` the national scenario takes (rules naming roles or
    /// regions no submission has are left out); its supply and demand are not taken: the
    /// submissions give those. Without it, national defaults (written into the scenario):
    /// attrition 10% a year, progression 5% a year and 2.5% at bands 7 and 8a.
    pub rates: Option<PathBuf>,
}

/// A submission [`aggregate`] included.
#[derive(Clone, Debug, PartialEq)]
pub struct Included {
    /// Its file.
    pub path: PathBuf,
    /// Organisation code.
    pub org_code: String,
    /// Organisation name.
    pub org_name: String,
    /// Region.
    pub region: String,
}

/// A submission [`aggregate`] left out (with [`AggregateOptions::skip_invalid`]).
#[derive(Clone, Debug, PartialEq)]
pub struct LeftOut {
    /// Its file.
    pub path: PathBuf,
    /// Why: the error message (which names the file, place and value).
    pub error: String,
}

/// What [`aggregate`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct AggregateReport {
    /// The submissions included, in the order read.
    pub included: Vec<Included>,
    /// The submissions left out, with their errors.
    pub left_out: Vec<LeftOut>,
    /// The futures (as the first valid submission names them).
    pub futures: [String; 2],
    /// The files written: the baseline CSV, the common scenario, then one scenario per future.
    pub written: Vec<PathBuf>,
}

impl AggregateReport {
    /// What was aggregated, from which regions, what was left out and why, and the files
    /// written, for the terminal.
    pub fn summary(&self) -> String {
        let mut regions: BTreeMap<&str, usize> = BTreeMap::new();
        for i in &self.included {
            *regions.entry(i.region.as_str()).or_default() += 1;
        }
        let per_region: Vec<String> = regions.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let mut out = format!("Aggregated {} organisations ({}).\n", self.included.len(), per_region.join(", "));
        if !self.left_out.is_empty() {
            out += &format!("Left out {} invalid submissions:\n", self.left_out.len());
            for l in &self.left_out {
                out += &format!("  {}: {}\n", l.path.display(), l.error);
            }
        }
        out += &format!("Futures: {} and {}. Written:\n", self.futures[0], self.futures[1]);
        for w in &self.written {
            out += &format!("  {}\n", w.display());
        }
        out.trim_end().to_string()
    }
}

/// The submission files among `paths`: files as given, and the `.xlsx`, `.xlsm` and
/// `.toml` files of folders (sorted; Excel's `~$` lock files and hidden files skipped).
pub fn submission_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = fs::read_dir(p)
                .map_err(|e| Error::io(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    f.is_file()
                        && !name.starts_with("~$")
                        && !name.starts_with('.')
                        && matches!(extension(f).as_deref(), Some("xlsx" | "xlsm" | "toml"))
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Reads every submission (folders give their `.xlsx` and `.toml` files) and writes the
/// national baseline and scenarios beside `out` (`DIR/national.toml`):
///
/// - `DIR/national.csv`: one row per organisation, role and band, columns
///   `org_code,org_name,region,role,band,headcount,fte,establishment_fte` (a row of zeros
///   where an organisation has demand or a pipeline entry but no staff, so every role it
///   names is in the grid);
/// - `DIR/national.toml`: the common scenario `national` (baseline `national.csv`,
///   2025-03 to 2030-03 monthly, 1,000 runs), the rates, the supply routes summed over
///   organisations, demand flat at the summed establishment (`[demand] growth = 0`), and a
///   comment header listing the organisations included (per region) and left out;
/// - `DIR/national-<future>.toml` for each future: `extends = "national.toml"` and that
///   future's demand as one `[[demand.change]]` per (role, band, region) and year: the
///   increase of the summed demand from 31 March of year y-1 to 31 March of y, from
///   `<y-1>-04` to `<y>-03`, so that a run's demand at each 31 March is exactly the sum of
///   the organisations' Demand cells.
///
/// Supply routes: rows of the same name (case aside) and kind are one national route.
/// Pipelines: intake = the starters summed; completion = the starters-weighted mean; one
/// entry per (role, band, region) with share = starters x completion, so the expected
/// entrants of each cell are exactly its organisations'; rows of one name with different
/// durations become separate routes named `<name> (<n> months)`; with duration 0 the
/// intake is starters x completion (straight into post). Intakes are spread evenly over
/// the year. Vacancy-fill: one route per name recruiting into the roles, bands and regions
/// its organisations name (every role or band when any row leaves it blank), fill rate
/// the mean weighted by each row's establishment in the cells it names.
///
/// Nothing is written unless every file can be: with an invalid submission and no
/// `skip_invalid`, the error is returned. The files are written to temporary names and
/// renamed into place together. An existing scenario file without the
/// [`AGGREGATE_MARKER`] line (not written by aggregate) is never replaced.
pub fn aggregate(paths: &[PathBuf], options: &AggregateOptions, out: &Path) -> Result<AggregateReport> {
    let stem = match (extension(out).as_deref(), out.file_stem().and_then(|s| s.to_str())) {
        (Some("toml"), Some(stem)) if usable_future(stem) => stem.to_string(),
        _ => {
            return Err(Error::input(
                out,
                "argument --out",
                "expected a scenario file name such as output/national/national.toml (letters, digits, `-` and `_`, ending in .toml)",
            ));
        }
    };
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let files = submission_files(paths)?;
    if files.is_empty() {
        return Err(Error::input(
            "",
            "arguments",
            "no submissions: expected .xlsx or .toml files, or folders holding them",
        ));
    }

    let mut subs: Vec<Submission> = Vec::new();
    let mut left_out: Vec<LeftOut> = Vec::new();
    let mut futures: Option<[String; 2]> = None;
    let mut route_kinds: BTreeMap<String, (SupplyKind, PathBuf)> = BTreeMap::new();
    for file in &files {
        let checked = read_submission(file).and_then(|s| {
            if let Some(f) = &futures {
                let same = |a: &[String; 2], b: &[String; 2]| {
                    let set = |x: &[String; 2]| x.iter().map(|s| s.to_lowercase()).collect::<BTreeSet<_>>();
                    set(a) == set(b)
                };
                if !same(f, &s.futures) {
                    return Err(Error::input(
                        file,
                        "futures",
                        format!(
                            "names the futures `{}` and `{}`; the other submissions name `{}` and `{}`",
                            s.futures[0], s.futures[1], f[0], f[1]
                        ),
                    ));
                }
            }
            for r in &s.supply {
                if let Some((kind, other)) = route_kinds.get(&r.route.to_lowercase())
                    && *kind != r.kind
                {
                    return Err(Error::input(
                        file,
                        format!("route {}", r.route),
                        format!(
                            "is a {} here and a {} in {}: one national route has one kind; rename one of them",
                            kind_name(r.kind),
                            kind_name(*kind),
                            other.display()
                        ),
                    ));
                }
            }
            Ok(s)
        });
        match checked {
            Ok(s) => {
                if let Some(first) = subs.iter().find(|o| o.org_code == s.org_code) {
                    return Err(Error::input(
                        file,
                        "organisation code",
                        format!(
                            "{} is also the organisation code of {}: two submissions for one organisation; keep one",
                            s.org_code,
                            first.path.display()
                        ),
                    ));
                }
                futures.get_or_insert_with(|| s.futures.clone());
                for r in &s.supply {
                    route_kinds.entry(r.route.to_lowercase()).or_insert((r.kind, file.clone()));
                }
                subs.push(s);
            }
            Err(e) if options.skip_invalid => {
                left_out.push(LeftOut { path: file.clone(), error: one_line(&e.to_string()) })
            }
            Err(e) => return Err(e),
        }
    }
    let Some(futures) = futures else {
        return Err(Error::input(
            "",
            "arguments",
            format!("no valid submissions among the {} files: all were left out", files.len()),
        ));
    };
    unify_new_roles(&mut subs);
    // Map each submission's future names onto the first's spelling and order.
    let future_index = |name: &str| futures.iter().position(|f| f.eq_ignore_ascii_case(name)).expect("checked");

    // The national baseline: one row per organisation, role and band.
    let mut base: BTreeMap<(String, String, Band), [f64; 3]> = BTreeMap::new();
    for s in &subs {
        for r in &s.staff {
            base.insert((s.org_code.clone(), r.role.clone(), r.band), [r.headcount, r.fte, r.establishment_fte]);
        }
        let extra = s.demand.iter().map(|d| (d.role.clone(), d.band)).chain(
            s.supply.iter().filter(|r| r.kind == SupplyKind::Pipeline).filter_map(|r| Some((r.role.clone()?, r.band?))),
        );
        for (role, band) in extra {
            base.entry((s.org_code.clone(), role, band)).or_insert([0.0; 3]);
        }
    }
    let org_of: BTreeMap<&str, &Submission> = subs.iter().map(|s| (s.org_code.as_str(), s)).collect();
    let roles: BTreeSet<String> = base.keys().map(|k| k.1.clone()).collect();
    let regions: BTreeSet<String> = subs.iter().map(|s| s.region.clone()).collect();

    // Demand per future and cell: [2025 (establishment), 2026, ..., 2030].
    let mut demand: Vec<BTreeMap<(String, Band, String), [f64; 6]>> = vec![BTreeMap::new(), BTreeMap::new()];
    for s in &subs {
        for d in &s.demand {
            let cell = demand[future_index(&d.future)].entry((d.role.clone(), d.band, s.region.clone())).or_default();
            cell[0] += s.establishment(&d.role, d.band);
            for (k, v) in d.fte.iter().enumerate() {
                cell[k + 1] += v;
            }
        }
    }

    // Rates.
    let rates_text = match &options.rates {
        Some(path) => rates_from_fragment(path, &roles, &regions)?,
        None => DEFAULT_RATES.to_string(),
    };
    let supply_text = national_supply(&subs, &roles, &regions);

    // The header shared by the files.
    let included: Vec<Included> = subs
        .iter()
        .map(|s| Included {
            path: s.path.clone(),
            org_code: s.org_code.clone(),
            org_name: s.org_name.clone(),
            region: s.region.clone(),
        })
        .collect();
    let mut header = String::new();
    let _ = writeln!(header, "# Organisations included: {}", subs.len());
    let mut by_region: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in &subs {
        by_region.entry(s.region.as_str()).or_default().push(s.org_code.as_str());
    }
    for region in REGIONS {
        match by_region.get(region) {
            Some(codes) => {
                let _ = writeln!(header, "#   {region} ({}): {}", codes.len(), codes.join(", "));
            }
            None => {
                let _ = writeln!(header, "#   {region} (0)");
            }
        }
    }
    if left_out.is_empty() {
        let _ = writeln!(header, "# Left out: none.");
    } else {
        let _ = writeln!(header, "# Left out ({} invalid submissions, skipped as asked):", left_out.len());
        for l in &left_out {
            let _ = writeln!(header, "#   {}", one_line(&l.error));
        }
    }

    let csv_name = format!("{stem}.csv");
    let mut columns: [Vec<String>; 8] = Default::default();
    for ((org, role, band), [hc, fte, est]) in &base {
        let s = org_of[org.as_str()];
        let row = [
            org.clone(),
            s.org_name.clone(),
            s.region.clone(),
            role.clone(),
            band.label().to_string(),
            plain(*hc),
            plain(*fte),
            plain(*est),
        ];
        for (column, value) in columns.iter_mut().zip(row) {
            column.push(value);
        }
    }
    let names = ["org_code", "org_name", "region", "role", "band", "headcount", "fte", "establishment_fte"];
    let frame = DataFrame::new_infer_height(
        names.iter().zip(columns).map(|(name, values)| polars::prelude::Column::new((*name).into(), values)).collect(),
    )
    .map_err(|e| Error::Run(format!("national baseline table: {e}")))?;
    let csv = wfcast_io::export::csv_bytes(&dir.join(&csv_name), frame)?;

    let total_hc: f64 = base.values().map(|v| v[0]).sum();
    let total_est: f64 = base.values().map(|v| v[2]).sum();
    let mut common = String::new();
    let _ =
        writeln!(common, "{AGGREGATE_MARKER} (wfcast {}): the common national scenario.", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(
        common,
        "# Run one future with `wfcast run {stem}-{}.toml`; compare them with\n# `wfcast compare {stem}-{}.toml {stem}-{}.toml`.",
        futures[0], futures[0], futures[1]
    );
    common.push_str(&header);
    let _ = writeln!(
        common,
        "# Baseline: {csv_name}, one row per organisation, role and band: {} staff in post, {} FTE of\n\
         #   establishment (the organisations' Establishment FTE), the demand at 31 March 2025.",
        plain(total_hc),
        plain(round_to(total_est, 2))
    );
    let _ = writeln!(
        common,
        "# Demand: flat at the establishment here; each future's file adds the path the CIOs wrote.\n"
    );
    let _ = writeln!(common, "name = {}", quote(&stem));
    let _ =
        writeln!(common, "title = {}", quote(&format!("National: common assumptions ({} organisations)", subs.len())));
    let _ = writeln!(
        common,
        "description = {}",
        quote(&format!(
            "Built by wfcast aggregate from {} CIO toolkit submissions: staff in post and establishment at 31 March 2025, \
             planned supply routes summed over organisations, and the rates below. Demand is held at the establishment; \
             the scenarios {stem}-{} and {stem}-{} add each future's demand.",
            subs.len(),
            futures[0],
            futures[1]
        ))
    );
    let _ = writeln!(common, "baseline = {}", quote(&csv_name));
    let _ = writeln!(
        common,
        "start = {}\nend = \"2030-03\"\nstep = \"month\"\nruns = 1000\nseed = 2025",
        quote(BASELINE_MONTH)
    );
    common.push('\n');
    common.push_str(&rates_text);
    common.push_str(&supply_text);
    common.push_str(
        "\n[demand]\n# Demand is the establishment, held flat: no growth, no vacancy-rate assumption.\ngrowth = 0.0\n",
    );

    let mut outputs: Vec<(PathBuf, Vec<u8>)> =
        vec![(dir.join(&csv_name), csv), (dir.join(format!("{stem}.toml")), common.into_bytes())];
    for (fi, future) in futures.iter().enumerate() {
        let cells = &demand[fi];
        let mut totals = [0.0; 6];
        for v in cells.values() {
            for k in 0..6 {
                totals[k] += v[k];
            }
        }
        let mut text = String::new();
        let _ = writeln!(text, "{AGGREGATE_MARKER} (wfcast {}): the future `{future}`.", env!("CARGO_PKG_VERSION"));
        text.push_str(&header);
        let path: Vec<String> = (0..6).map(|k| format!("{} {}", 2025 + k, plain(round_to(totals[k], 1)))).collect();
        let _ = writeln!(
            text,
            "# Demand (FTE) at 31 March, summed over the organisations' Demand sheets: {}.\n\
             # One change per role, band, region and year: the increase of the summed demand over the\n\
             #   year to 31 March, ramped evenly over its months; with no growth, a run's demand at each\n\
             #   31 March is exactly the organisations' sum.\n",
            path.join(", ")
        );
        let _ = writeln!(text, "extends = {}", quote(&format!("{stem}.toml")));
        let _ = writeln!(text, "name = {}", quote(&format!("{stem}-{future}")));
        let _ = writeln!(text, "title = {}", quote(&format!("National: {future} ({} organisations)", subs.len())));
        let _ = writeln!(
            text,
            "description = {}",
            quote(&format!(
                "The future `{future}` as the CIOs of {} organisations described it: demand grows from {} FTE at 31 March 2025 to {} FTE at 31 March 2030.",
                subs.len(),
                plain(round_to(totals[0], 0)),
                plain(round_to(totals[5], 0))
            ))
        );
        text.push_str("\n[demand]\ngrowth = 0.0\nchange = [\n");
        for ((role, band, region), v) in cells {
            for k in 1..6 {
                let delta = round_to(v[k] - v[k - 1], 9);
                if delta == 0.0 {
                    continue;
                }
                let y = 2025 + k as i32;
                let _ = writeln!(
                    text,
                    "  {{ role = {}, band = {}, region = {}, from = \"{}-04\", to = \"{y}-03\", add_fte = {} }},",
                    quote(role),
                    quote(band.label()),
                    quote(region),
                    y - 1,
                    float(delta)
                );
            }
        }
        text.push_str("]\n");
        outputs.push((dir.join(format!("{stem}-{future}.toml")), text.into_bytes()));
    }

    // Never replace a scenario someone else wrote.
    for (path, _) in &outputs {
        if path.extension().is_some_and(|e| e == "toml") && path.exists() {
            let old = fs::read_to_string(path).unwrap_or_default();
            if !old.starts_with(AGGREGATE_MARKER) {
                return Err(Error::input(
                    path,
                    "",
                    "exists and was not written by `wfcast aggregate`: not replacing it; choose another --out",
                ));
            }
        }
    }
    let csv_path = &outputs[0].0;
    if csv_path.exists() && !outputs[1].0.exists() {
        return Err(Error::input(
            csv_path,
            "",
            "exists, without the national scenario aggregate writes beside it: not replacing it; choose another --out",
        ));
    }
    fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let written: Vec<PathBuf> = outputs.iter().map(|(p, _)| p.clone()).collect();
    write_files(outputs)?;
    Ok(AggregateReport { included, left_out, futures, written })
}

/// Spells each role the same in every submission: new roles that differ only in case take
/// the first submission's spelling.
fn unify_new_roles(subs: &mut [Submission]) {
    let mut spelling: BTreeMap<String, String> = BTreeMap::new();
    for s in subs.iter() {
        let roles = s.staff.iter().map(|r| &r.role).chain(s.demand.iter().map(|d| &d.role));
        for role in roles.chain(s.supply.iter().filter_map(|r| r.role.as_ref())) {
            spelling.entry(role.to_lowercase()).or_insert_with(|| role.clone());
        }
    }
    let fix = |role: &mut String| role.clone_from(&spelling[&role.to_lowercase()]);
    for s in subs.iter_mut() {
        s.staff.iter_mut().for_each(|r| fix(&mut r.role));
        s.demand.iter_mut().for_each(|d| fix(&mut d.role));
        s.supply.iter_mut().filter_map(|r| r.role.as_mut()).for_each(fix);
        s.new_roles.iter_mut().for_each(|r| {
            if let Some(k) = spelling.get(&r.to_lowercase()) {
                r.clone_from(k);
            }
        });
    }
}

const DEFAULT_RATES: &str = "\
# ---- Rates: national defaults (no --rates fragment was given). ASSUMPTIONS, to be replaced by
# rates calibrated from ESR history (`wfcast calibrate`, then `wfcast aggregate --rates`):
# leaving the NHS 10% a year (NHS-wide leaver rates run at about 8% to 11% a year: NHS Digital),
# moving up a band 5% a year, 2.5% at bands 7 and 8a (the 'glass ceiling' of the Health
# Informatics Career Pathways report, 2019), no moves between roles.
[attrition]
default = { mean = 0.1, sd = 0.015 }

[progression]
default = 0.05
rule = [
  { band = [\"7\", \"8a\"], rate = 0.025 },
]
";

/// The attrition, progression and transfers of a rates fragment, as TOML, keeping only the
/// roles and regions of the national baseline.
fn rates_from_fragment(path: &Path, roles: &BTreeSet<String>, regions: &BTreeSet<String>) -> Result<String> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::input(path, "", "is not UTF-8 text: expected a TOML scenario fragment"))?;
    let spec: ScenarioFile = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!("line {}", text[..s.start.min(text.len())].matches('\n').count() + 1))
            .unwrap_or_default();
        Error::input(path, at, e.message().to_string())
    })?;
    if spec.extends.is_some() {
        return Err(Error::input(
            path,
            "key extends",
            "a rates fragment that extends another: pass the file it extends, or merge them",
        ));
    }
    let mut dropped: Vec<String> = Vec::new();
    // Keeps the known names of a selector; `None` when it named some and none are known.
    let keep = |names: &Option<Names>,
                known: &BTreeSet<String>,
                what: &str,
                dropped: &mut Vec<String>|
     -> Option<Option<Names>> {
        match names {
            None => Some(None),
            Some(n) => {
                let kept: Vec<String> = n.0.iter().filter(|x| known.contains(*x)).cloned().collect();
                for x in n.0.iter().filter(|x| !known.contains(*x)) {
                    let item = format!("{what} `{x}`");
                    if !dropped.contains(&item) {
                        dropped.push(item);
                    }
                }
                (!kept.is_empty()).then_some(Some(Names(kept)))
            }
        }
    };
    let check_bands = |names: &Option<Names>, key: &str| -> Result<()> {
        for b in names.iter().flat_map(|n| &n.0) {
            if Band::parse(b).is_none() {
                return Err(Error::input(path, format!("key {key}.band"), format!("`{b}` is not {BAND_HELP}")));
            }
        }
        Ok(())
    };
    let mut out = format!(
        "# ---- Rates: from {} (its [attrition], [progression] and [[transfer]]; its supply and demand are\n\
         #   not used: the submissions give those).\n",
        one_line(&path.display().to_string())
    );
    let mut rules_left = 0;
    for (name, section) in [("attrition", &spec.attrition), ("progression", &spec.progression)] {
        let Some(RateSection { default, rule }) = section else { continue };
        let _ = writeln!(out, "\n[{name}]");
        if let Some(d) = default {
            let _ = writeln!(out, "default = {}", param(d));
        }
        let mut lines = String::new();
        for (i, r) in rule.iter().enumerate() {
            check_bands(&r.band, &format!("{name}.rule[{i}]"))?;
            let (Some(role), Some(region)) =
                (keep(&r.role, roles, "role", &mut dropped), keep(&r.region, regions, "region", &mut dropped))
            else {
                rules_left += 1;
                continue;
            };
            let mut fields = selector_fields(&role, &r.band, &region);
            fields.push(format!("rate = {}", param(&r.rate)));
            let _ = writeln!(lines, "  {{ {} }},", fields.join(", "));
        }
        if !lines.is_empty() {
            let _ = write!(out, "rule = [\n{lines}]\n");
        }
    }
    for (i, t) in spec.transfer.iter().enumerate() {
        check_bands(&t.band, &format!("transfer[{i}]"))?;
        let mut missing = false;
        for r in [&t.from, &t.to] {
            if !roles.contains(r) {
                missing = true;
                let item = format!("role `{r}`");
                if !dropped.contains(&item) {
                    dropped.push(item);
                }
            }
        }
        let Some(region) = keep(&t.region, regions, "region", &mut dropped) else {
            rules_left += 1;
            continue;
        };
        if missing {
            rules_left += 1;
            continue;
        }
        let _ = writeln!(out, "\n[[transfer]]\nfrom = {}\nto = {}", quote(&t.from), quote(&t.to));
        if let Some(b) = &t.band {
            let _ = writeln!(out, "band = {}", names(b));
        }
        if let Some(r) = &region {
            let _ = writeln!(out, "region = {}", names(r));
        }
        let _ = writeln!(out, "rate = {}", param(&t.rate));
    }
    if !dropped.is_empty() {
        let _ = writeln!(
            out,
            "\n# Not in any submission, so left out of the rules above: {} ({rules_left} rules or transfers\n#   left out whole).",
            dropped.join(", ")
        );
    }
    Ok(out)
}

fn selector_fields(role: &Option<Names>, band: &Option<Names>, region: &Option<Names>) -> Vec<String> {
    let mut fields = Vec::new();
    for (k, v) in [("role", role), ("band", band), ("region", region)] {
        if let Some(n) = v {
            fields.push(format!("{k} = {}", names(n)));
        }
    }
    fields
}

fn names(n: &Names) -> String {
    match n.0.as_slice() {
        [one] => quote(one),
        many => format!("[{}]", many.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")),
    }
}

fn param(p: &ParamSpec) -> String {
    match p {
        ParamSpec::Fixed(x) => float(*x),
        ParamSpec::MeanSd { mean, sd } => format!("{{ mean = {}, sd = {} }}", float(*mean), float(*sd)),
        ParamSpec::LowHigh { low, high } => format!("{{ low = {}, high = {} }}", float(*low), float(*high)),
    }
}

/// The national supply routes, as TOML.
fn national_supply(subs: &[Submission], roles: &BTreeSet<String>, regions: &BTreeSet<String>) -> String {
    struct Pipe {
        name: String,
        starters: f64,
        completers: f64,
        orgs: BTreeMap<String, f64>,
        entry: BTreeMap<(String, Band, String), (f64, f64)>,
    }
    struct Fill {
        name: String,
        roles: Option<BTreeSet<String>>,
        bands: Option<BTreeSet<Band>>,
        regions: BTreeSet<String>,
        weighted: f64,
        weight: f64,
        plain: f64,
        rows: usize,
        orgs: BTreeSet<String>,
    }
    let mut pipes: BTreeMap<(String, u32), Pipe> = BTreeMap::new();
    let mut fills: BTreeMap<String, Fill> = BTreeMap::new();
    for s in subs {
        for r in &s.supply {
            let lower = r.route.to_lowercase();
            match r.kind {
                SupplyKind::Pipeline => {
                    let (Some(role), Some(band), Some(starters)) = (&r.role, r.band, r.starters_per_year) else {
                        continue;
                    };
                    let p = pipes.entry((lower, r.duration())).or_insert_with(|| Pipe {
                        name: r.route.clone(),
                        starters: 0.0,
                        completers: 0.0,
                        orgs: BTreeMap::new(),
                        entry: BTreeMap::new(),
                    });
                    p.starters += starters;
                    p.completers += starters * r.completion();
                    *p.orgs.entry(s.org_code.clone()).or_default() += starters;
                    let e = p.entry.entry((role.clone(), band, s.region.clone())).or_default();
                    e.0 += starters * r.completion();
                    e.1 += starters;
                }
                SupplyKind::VacancyFill => {
                    let f = fills.entry(lower).or_insert_with(|| Fill {
                        name: r.route.clone(),
                        roles: Some(BTreeSet::new()),
                        bands: Some(BTreeSet::new()),
                        regions: BTreeSet::new(),
                        weighted: 0.0,
                        weight: 0.0,
                        plain: 0.0,
                        rows: 0,
                        orgs: BTreeSet::new(),
                    });
                    match (&r.role, f.roles.as_mut()) {
                        (Some(role), Some(set)) => {
                            set.insert(role.clone());
                        }
                        (None, _) => f.roles = None,
                        _ => {}
                    }
                    match (r.band, f.bands.as_mut()) {
                        (Some(b), Some(set)) => {
                            set.insert(b);
                        }
                        (None, _) => f.bands = None,
                        _ => {}
                    }
                    f.regions.insert(s.region.clone());
                    let fill = r.fill_rate.unwrap_or(0.0);
                    let w: f64 = s
                        .staff
                        .iter()
                        .filter(|x| {
                            r.role.as_ref().is_none_or(|role| *role == x.role) && r.band.is_none_or(|b| b == x.band)
                        })
                        .map(|x| x.establishment_fte)
                        .sum();
                    f.weighted += w * fill;
                    f.weight += w;
                    f.plain += fill;
                    f.rows += 1;
                    f.orgs.insert(s.org_code.clone());
                }
            }
        }
    }
    let mut out = String::new();
    if pipes.is_empty() && fills.is_empty() {
        out.push_str("\n# ---- Supply: no submission plans a supply route.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "\n# ---- Supply: the organisations' routes, summed. Pipelines: intake = starters summed, completion =\n\
         #   starters-weighted mean, entry shares = starters x completion of each organisation's cell (its\n\
         #   region), intake spread evenly over the year. Vacancy-fill: one route per name, into the roles,\n\
         #   bands and regions its organisations named, fill rate weighted by their establishment there."
    );
    let mut durations: BTreeMap<String, usize> = BTreeMap::new();
    for (lower, _) in pipes.keys() {
        *durations.entry(lower.clone()).or_default() += 1;
    }
    for ((lower, duration), p) in &pipes {
        let name = if durations[lower] > 1 { format!("{} ({duration} months)", p.name) } else { p.name.clone() };
        let orgs: Vec<String> = p.orgs.iter().map(|(o, n)| format!("{o} {}", plain(round_to(*n, 2)))).collect();
        let _ = writeln!(out, "\n[[supply]]\n# Starters a year by organisation: {}.", orgs.join(", "));
        if p.starters <= 0.0 || (duration == &0 && p.completers <= 0.0) {
            let _ = writeln!(out, "# No starters: left out.");
            out.truncate(out.rfind("\n[[supply]]").unwrap_or(out.len()));
            let _ = writeln!(out, "\n# Route {}: no starters, left out.", one_line(&name));
            continue;
        }
        let _ = writeln!(out, "name = {}", quote(&name));
        let use_completers = p.completers > 0.0;
        if *duration == 0 {
            let _ = writeln!(out, "# Straight into post: intake = starters x completion.");
            let _ = writeln!(out, "intake = {}", float(round_to(p.completers, 9)));
        } else {
            let _ = writeln!(out, "intake = {}", float(round_to(p.starters, 9)));
            let _ = writeln!(out, "duration_months = {duration}");
            let _ = writeln!(out, "completion = {}", float(round_to(p.completers / p.starters, 9)));
        }
        out.push_str("entry = [\n");
        for ((role, band, region), (completers, starters)) in &p.entry {
            let share = if use_completers { *completers } else { *starters };
            if share <= 0.0 {
                continue;
            }
            let _ = writeln!(
                out,
                "  {{ role = {}, band = {}, region = {}, share = {} }},",
                quote(role),
                quote(band.label()),
                quote(region),
                float(round_to(share, 9))
            );
        }
        out.push_str("]\n");
    }
    for f in fills.values() {
        let fill = if f.weight > 0.0 { f.weighted / f.weight } else { f.plain / f.rows as f64 };
        let role_names: Option<Vec<String>> =
            f.roles.as_ref().map(|set| set.iter().filter(|r| roles.contains(*r)).cloned().collect());
        let _ = writeln!(
            out,
            "\n[[supply]]\n# From {} organisations ({}); fill rate weighted by their establishment in the cells named.",
            f.orgs.len(),
            f.orgs.iter().cloned().collect::<Vec<_>>().join(", ")
        );
        if role_names.as_ref().is_some_and(Vec::is_empty) {
            out.truncate(out.rfind("\n[[supply]]").unwrap_or(out.len()));
            let _ = writeln!(out, "\n# Route {}: names only roles no organisation has, left out.", one_line(&f.name));
            continue;
        }
        let _ = writeln!(out, "name = {}\nkind = \"vacancy-fill\"", quote(&f.name));
        let _ = writeln!(out, "fill_rate = {}", float(round_to(fill, 9)));
        if let Some(r) = role_names {
            let _ = writeln!(out, "role = {}", names(&Names(r)));
        }
        if let Some(b) = &f.bands {
            let _ = writeln!(out, "band = {}", names(&Names(b.iter().map(|b| b.label().to_string()).collect())));
        }
        if f.regions != *regions {
            let _ = writeln!(out, "region = {}", names(&Names(f.regions.iter().cloned().collect())));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    let r = (x * f).round() / f;
    if r == 0.0 { 0.0 } else { r }
}

/// A number for CSV and comments: shortest form, no exponent.
fn plain(x: f64) -> String {
    format!("{}", round_to(x, 9))
}

/// A TOML float (always with a decimal point or exponent).
fn float(x: f64) -> String {
    format!("{x:?}")
}

/// A TOML string (quoted and escaped by the toml crate).
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell of a test workbook.
    #[derive(Clone, Debug)]
    enum C {
        S(String),
        N(f64),
        E,
    }

    fn s(t: &str) -> C {
        C::S(t.to_string())
    }

    type Sheets = Vec<(String, Vec<Vec<C>>)>;

    /// A valid filled workbook, as grids of cells.
    fn good() -> Sheets {
        let about = vec![
            vec![s("wfcast CIO workforce toolkit")],
            vec![],
            vec![s("Item"), s("Value")],
            vec![s("Organisation code"), s("rxx")],
            vec![s("Organisation name"), s("Example Hospitals NHS Trust")],
            vec![s("Region"), s("london")],
            vec![s("Future 1"), s("steady")],
            vec![s("Future 2"), s("accelerated")],
            vec![s("New roles"), s("AI Engineering")],
        ];
        let staff = vec![
            vec![s("Role"), s("Band"), s("Headcount"), s("FTE"), s("Establishment FTE")],
            vec![s("Data Science"), s("Band 6"), C::N(3.0), C::N(2.8), C::N(3.0)],
            vec![s("cyber  security"), C::N(7.0), C::N(2.0), C::N(2.0), C::N(2.5)],
            vec![s("Clinical Coding"), s("4"), C::E, C::E, C::E],
            vec![s("AI Engineering"), s("7"), C::N(1.0), C::N(1.0), C::N(1.0)],
        ];
        let demand = vec![
            vec![
                s("Role"),
                s("Band"),
                s("Future"),
                s("FTE at 31 Mar 2026"),
                s("FTE at 31 Mar 2027"),
                s("FTE at 31 Mar 2028"),
                s("FTE at 31 Mar 2029"),
                s("FTE at 31 Mar 2030"),
            ],
            vec![s("Data Science"), s("6"), s("steady"), C::N(3.2), C::E, C::N(3.6), C::E, C::N(4.0)],
            vec![s("Data Science"), s("6"), s("Accelerated"), C::E, C::N(4.0), C::N(5.0), C::N(6.0), C::N(7.0)],
            vec![
                s("Data Engineering"),
                s("7"),
                s("accelerated"),
                C::N(1.0),
                C::N(2.0),
                C::N(2.0),
                C::N(3.0),
                C::N(3.0),
            ],
            vec![s("Clinical Coding"), s("4"), s("steady"), C::E, C::E, C::E, C::E, C::E],
        ];
        let supply = vec![
            vec![
                s("Route"),
                s("Kind"),
                s("Role"),
                s("Band"),
                s("Starters per year"),
                s("Duration months"),
                s("Completion rate"),
                s("Fill rate"),
            ],
            vec![
                s("Graduate DDaT scheme"),
                s("pipeline"),
                s("Data Science"),
                s("6"),
                C::N(2.0),
                C::N(24.0),
                s("85%"),
                C::E,
            ],
            vec![s("External recruitment"), s("Vacancy fill"), C::E, C::E, C::E, C::E, C::E, C::N(0.7)],
        ];
        vec![(ABOUT.into(), about), (STAFF.into(), staff), (DEMAND.into(), demand), (SUPPLY.into(), supply)]
    }

    fn set(sheets: &mut Sheets, sheet: &str, row: usize, col: usize, c: C) {
        let grid = &mut sheets.iter_mut().find(|(n, _)| n == sheet).unwrap().1;
        while grid[row].len() <= col {
            grid[row].push(C::E);
        }
        grid[row][col] = c;
    }

    fn write_book(dir: &Path, name: &str, sheets: &Sheets) -> PathBuf {
        let mut book = Workbook::new();
        for (sheet_name, grid) in sheets {
            let ws = book.add_worksheet();
            ws.set_name(sheet_name).unwrap();
            for (r, row) in grid.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    match cell {
                        C::S(t) => {
                            ws.write_string(r as u32, c as u16, t).unwrap();
                        }
                        C::N(x) => {
                            ws.write_number(r as u32, c as u16, *x).unwrap();
                        }
                        C::E => {}
                    }
                }
            }
        }
        let path = dir.join(name);
        book.save(&path).unwrap();
        path
    }

    /// Reads `sheets` as `name` and returns the error, which must be an input error naming
    /// the file.
    fn error_of(name: &str, sheets: &Sheets) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = write_book(dir.path(), name, sheets);
        let err = read_submission(&path).expect_err("the workbook should be refused");
        assert_eq!(err.exit_code(), 2, "{err:?}");
        let message = err.to_string();
        assert!(message.contains(name), "no file name in: {message}");
        message
    }

    fn assert_has(message: &str, parts: &[&str]) {
        for part in parts {
            assert!(message.contains(part), "`{part}` missing from: {message}");
        }
    }

    #[test]
    fn a_good_workbook_reads_with_canonical_names_and_blanks_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_book(dir.path(), "RXX.xlsx", &good());
        let sub = read_submission(&path).unwrap();
        assert_eq!(sub.org_code, "RXX");
        assert_eq!(sub.region, "London");
        assert_eq!(sub.futures, ["steady".to_string(), "accelerated".to_string()]);
        assert_eq!(sub.new_roles, ["AI Engineering"]);
        // The row with every number blank is not used; names are canonical.
        let staff: Vec<(&str, Band)> = sub.staff.iter().map(|r| (r.role.as_str(), r.band)).collect();
        assert_eq!(staff, [("Data Science", Band::B6), ("Cyber Security", Band::B7), ("AI Engineering", Band::B7)]);
        let demand =
            |role: &str, future: &str| sub.demand.iter().find(|d| d.role == role && d.future == future).map(|d| d.fte);
        // Blanks carry the year before forward (2026 from the establishment).
        assert_eq!(demand("Data Science", "steady"), Some([3.2, 3.2, 3.6, 3.6, 4.0]));
        assert_eq!(demand("Data Science", "accelerated"), Some([3.0, 4.0, 5.0, 6.0, 7.0]));
        // Demand without staff is allowed; a staff row without demand stays flat.
        assert_eq!(demand("Data Engineering", "accelerated"), Some([1.0, 2.0, 2.0, 3.0, 3.0]));
        assert_eq!(demand("Cyber Security", "steady"), Some([2.5; 5]));
        assert_eq!(demand("Clinical Coding", "steady"), None);
        assert_eq!(sub.demand.len(), 3 + 2 * 3 - 2);
        assert_eq!(sub.supply.len(), 2);
        assert_eq!(sub.supply[0].completion_rate, Some(0.85));
        assert_eq!((sub.supply[0].duration(), sub.supply[1].kind), (24, SupplyKind::VacancyFill));
        assert_eq!(sub.supply[1].role, None);
    }

    #[test]
    fn the_toml_and_workbook_forms_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let sub = read_submission(&write_book(dir.path(), "RXX.xlsx", &good())).unwrap();
        for name in ["again.toml", "again.xlsx"] {
            let path = dir.path().join(name);
            write_submission(&sub, &path).unwrap();
            let back = read_submission(&path).unwrap();
            assert_eq!(Submission { path: sub.path.clone(), ..back }, sub, "{name}");
        }
        let text = sub.to_toml();
        let back = Submission::from_toml(&text, Path::new("x.toml")).unwrap();
        assert_eq!(back.staff, sub.staff);
        assert_eq!(back.demand, sub.demand);
        assert_eq!(back.supply, sub.supply);
        // `[[staff]]` tables read the same as inline rows.
        let tables = "org_code = \"A1\"\norg_name = \"A\"\nregion = \"Midlands\"\nfutures = [\"x\", \"y\"]\n\
                      [[staff]]\nrole = \"Data Science\"\nband = 6\nheadcount = 2\nfte = 2\nestablishment_fte = 2.5\n";
        let t = Submission::from_toml(tables, Path::new("t.toml")).unwrap();
        assert_eq!(t.staff[0].band, Band::B6);
        assert_eq!(t.demand.len(), 2);
    }

    #[test]
    fn a_missing_sheet_is_named() {
        let mut sheets = good();
        sheets.retain(|(n, _)| n != DEMAND);
        assert_has(&error_of("nosheet.xlsx", &sheets), &["sheet Demand", "missing", "`Staff in post`"]);
    }

    #[test]
    fn text_in_a_number_cell_is_refused_with_its_cell() {
        let mut sheets = good();
        set(&mut sheets, STAFF, 1, 2, s("twelve"));
        assert_has(
            &error_of("text.xlsx", &sheets),
            &["sheet Staff in post, cell C2", "Headcount `twelve` is not a number", "whole number"],
        );
        let mut sheets = good();
        set(&mut sheets, DEMAND, 2, 5, s("lots"));
        assert_has(&error_of("text2.xlsx", &sheets), &["sheet Demand, cell F3", "`lots` is not a number"]);
    }

    #[test]
    fn negative_numbers_are_refused() {
        let mut sheets = good();
        set(&mut sheets, STAFF, 2, 3, C::N(-1.0));
        assert_has(&error_of("neg.xlsx", &sheets), &["sheet Staff in post, cell D3", "FTE `-1` is negative"]);
        let mut sheets = good();
        set(&mut sheets, SUPPLY, 1, 4, C::N(-2.0));
        assert_has(&error_of("neg2.xlsx", &sheets), &["sheet Supply, cell E2", "`-2` is negative"]);
    }

    #[test]
    fn fte_above_headcount_is_refused() {
        let mut sheets = good();
        set(&mut sheets, STAFF, 1, 3, C::N(3.5));
        assert_has(
            &error_of("fte.xlsx", &sheets),
            &["sheet Staff in post, cell D2", "FTE 3.5 is above the headcount 3"],
        );
    }

    #[test]
    fn a_fractional_headcount_or_partly_blank_staff_row_is_refused() {
        let mut sheets = good();
        set(&mut sheets, STAFF, 1, 2, C::N(2.5));
        assert_has(&error_of("frac.xlsx", &sheets), &["cell C2", "`2.5` is not a whole number"]);
        let mut sheets = good();
        set(&mut sheets, STAFF, 1, 4, C::E);
        assert_has(&error_of("blank.xlsx", &sheets), &["cell E2", "Establishment FTE is blank"]);
    }

    #[test]
    fn an_unknown_band_is_refused() {
        let mut sheets = good();
        set(&mut sheets, STAFF, 2, 1, s("Band 12"));
        assert_has(
            &error_of("band.xlsx", &sheets),
            &["sheet Staff in post, cell B3", "`Band 12` is not an AfC band", BAND_HELP],
        );
        let mut sheets = good();
        set(&mut sheets, DEMAND, 1, 1, C::N(1.0));
        assert_has(&error_of("band2.xlsx", &sheets), &["sheet Demand, cell B2", "`1` is not an AfC band"]);
    }

    #[test]
    fn an_unknown_future_is_refused() {
        let mut sheets = good();
        set(&mut sheets, DEMAND, 1, 2, s("fast"));
        assert_has(
            &error_of("future.xlsx", &sheets),
            &[
                "sheet Demand, cell C2",
                "`fast` is not one of the futures on the About sheet",
                "`steady` or `accelerated`",
            ],
        );
        let mut sheets = good();
        set(&mut sheets, ABOUT, 7, 1, s("Steady"));
        assert_has(&error_of("future2.xlsx", &sheets), &["sheet About, cell B8", "both futures are called"]);
        let mut sheets = good();
        set(&mut sheets, ABOUT, 7, 1, s("fast track"));
        assert_has(&error_of("future3.xlsx", &sheets), &["cell B8", "`fast track` is not a usable name"]);
    }

    #[test]
    fn a_missing_column_is_named_with_the_headers_found() {
        let mut sheets = good();
        set(&mut sheets, STAFF, 0, 4, s("Posts"));
        assert_has(
            &error_of("column.xlsx", &sheets),
            &["sheet Staff in post, row 1", "no column `Establishment FTE`", "`Posts`"],
        );
        let mut sheets = good();
        set(&mut sheets, DEMAND, 0, 6, s("Notes"));
        assert_has(&error_of("column2.xlsx", &sheets), &["sheet Demand", "no column `FTE at 31 Mar 2029`"]);
    }

    #[test]
    fn duplicate_rows_are_refused() {
        let mut sheets = good();
        set(&mut sheets, STAFF, 2, 0, s("Data Science"));
        set(&mut sheets, STAFF, 2, 1, s("6"));
        assert_has(
            &error_of("dup.xlsx", &sheets),
            &["sheet Staff in post, cell A3", "a second row for Data Science band 6", "cell A2"],
        );
        let mut sheets = good();
        set(&mut sheets, DEMAND, 2, 2, s("steady"));
        assert_has(&error_of("dup2.xlsx", &sheets), &["sheet Demand, cell A3", "future `steady`"]);
    }

    #[test]
    fn a_region_must_be_one_of_the_seven() {
        let mut sheets = good();
        set(&mut sheets, ABOUT, 5, 1, s("North East & Yorkshire"));
        assert_has(
            &error_of("region.xlsx", &sheets),
            &[
                "sheet About, cell B6",
                "`North East & Yorkshire` is not an NHS England region",
                "did you mean `North East and Yorkshire`",
            ],
        );
        let mut sheets = good();
        set(&mut sheets, ABOUT, 5, 1, C::E);
        assert_has(&error_of("region2.xlsx", &sheets), &["cell B6", "Region is blank"]);
    }

    #[test]
    fn an_empty_org_code_is_refused() {
        let mut sheets = good();
        set(&mut sheets, ABOUT, 3, 1, C::E);
        assert_has(&error_of("org.xlsx", &sheets), &["sheet About, cell B4", "Organisation code is empty"]);
        let mut sheets = good();
        set(&mut sheets, ABOUT, 3, 1, s("R X/1"));
        assert_has(&error_of("org2.xlsx", &sheets), &["cell B4", "letters and digits"]);
    }

    #[test]
    fn role_typos_are_refused_with_the_nearest_role() {
        let mut sheets = good();
        set(&mut sheets, DEMAND, 1, 0, s("Data Sciense"));
        assert_has(
            &error_of("typo.xlsx", &sheets),
            &[
                "sheet Demand, cell A2",
                "`Data Sciense` is not a known role",
                "did you mean `Data Science`",
                "New roles",
            ],
        );
        let mut sheets = good();
        set(&mut sheets, SUPPLY, 1, 2, s("AI Enginering"));
        assert_has(&error_of("typo2.xlsx", &sheets), &["sheet Supply, cell C2", "did you mean `AI Engineering`"]);
        // Declared, a role near a national one is accepted.
        let mut sheets = good();
        set(&mut sheets, ABOUT, 8, 1, s("Data Scientist (AI); AI Engineering"));
        set(&mut sheets, STAFF, 3, 0, s("data scientist (AI)"));
        set(&mut sheets, STAFF, 3, 2, C::N(1.0));
        set(&mut sheets, STAFF, 3, 3, C::N(1.0));
        set(&mut sheets, STAFF, 3, 4, C::N(1.0));
        let dir = tempfile::tempdir().unwrap();
        let sub = read_submission(&write_book(dir.path(), "new.xlsx", &sheets)).unwrap();
        assert!(sub.staff.iter().any(|r| r.role == "Data Scientist (AI)"));
        let mut sheets = good();
        set(&mut sheets, ABOUT, 8, 1, s("data science"));
        assert_has(&error_of("new2.xlsx", &sheets), &["cell B9", "already the national role `Data Science`"]);
    }

    #[test]
    fn supply_rows_are_checked_by_kind() {
        let mut sheets = good();
        set(&mut sheets, SUPPLY, 1, 4, C::E);
        assert_has(&error_of("sup.xlsx", &sheets), &["sheet Supply, cell E2", "a pipeline needs starters per year"]);
        let mut sheets = good();
        set(&mut sheets, SUPPLY, 2, 7, C::N(70.0));
        assert_has(&error_of("sup2.xlsx", &sheets), &["cell H3", "`70` is above 1"]);
        let mut sheets = good();
        set(&mut sheets, SUPPLY, 2, 4, C::N(3.0));
        assert_has(&error_of("sup3.xlsx", &sheets), &["cell E3", "is for pipelines"]);
        let mut sheets = good();
        set(&mut sheets, SUPPLY, 2, 1, s("bank"));
        assert_has(&error_of("sup4.xlsx", &sheets), &["cell B3", "`bank` is not a kind of route"]);
        let mut sheets = good();
        set(&mut sheets, SUPPLY, 2, 0, s("graduate ddat scheme"));
        assert_has(
            &error_of("sup5.xlsx", &sheets),
            &["cell B3", "is a vacancy-fill here and a pipeline at sheet Supply, cell B2"],
        );
    }

    #[test]
    fn dates_booleans_and_excel_errors_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut book = Workbook::new();
        for (name, grid) in good() {
            let ws = book.add_worksheet();
            ws.set_name(&name).unwrap();
            for (r, row) in grid.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    match cell {
                        C::S(t) => {
                            ws.write_string(r as u32, c as u16, t).unwrap();
                        }
                        C::N(x) => {
                            ws.write_number(r as u32, c as u16, *x).unwrap();
                        }
                        C::E => {}
                    }
                }
            }
            if name == STAFF {
                ws.write_boolean(1, 2, true).unwrap();
            }
        }
        let path = dir.path().join("bool.xlsx");
        book.save(&path).unwrap();
        let message = read_submission(&path).unwrap_err().to_string();
        assert_has(&message, &["sheet Staff in post, cell C2", "Headcount is TRUE, not a number"]);
    }

    #[test]
    fn not_a_workbook_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fake.xlsx");
        fs::write(&path, "role,band\n").unwrap();
        assert_has(
            &read_submission(&path).unwrap_err().to_string(),
            &["fake.xlsx", "cannot be read as an Excel workbook"],
        );
        let path = dir.path().join("old.xls");
        fs::write(&path, "x").unwrap();
        assert_has(&read_submission(&path).unwrap_err().to_string(), &["old.xls", "save it as .xlsx"]);
        let path = dir.path().join("notes.csv");
        fs::write(&path, "x").unwrap();
        assert_has(
            &read_submission(&path).unwrap_err().to_string(),
            &["notes.csv", "expected a CIO toolkit submission"],
        );
    }

    const TOML_OK: &str = "org_code = \"R1\"\norg_name = \"One\"\nregion = \"South West\"\nfutures = [\"steady\", \"accelerated\"]\n\
        staff = [ { role = \"Data Science\", band = \"6\", headcount = 2, fte = 2, establishment_fte = 2 } ]\n";

    fn toml_error(text: &str) -> String {
        let err = Submission::from_toml(text, Path::new("sub.toml")).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        err.to_string()
    }

    #[test]
    fn toml_errors_name_the_key_or_line() {
        assert!(Submission::from_toml(TOML_OK, Path::new("sub.toml")).is_ok());
        assert_has(&toml_error(&format!("{TOML_OK}colour = 1\n")), &["sub.toml", "line 6", "colour"]);
        assert_has(
            &toml_error(&TOML_OK.replace("headcount = 2", "headcount = -2")),
            &["sub.toml: key staff[0].headcount", "headcount `-2` is negative"],
        );
        assert_has(&toml_error(&TOML_OK.replace("headcount = 2", "headcount = \"two\"")), &["line 5", "invalid type"]);
        assert_has(&toml_error(&TOML_OK.replace("\"6\"", "\"6z\"")), &["key staff[0].band", "`6z` is not an AfC band"]);
        assert_has(
            &toml_error(&TOML_OK.replace("Data Science", "Data Sciense")),
            &["key staff[0].role", "did you mean `Data Science`", "in `new_roles`"],
        );
        let demand = format!(
            "{TOML_OK}demand = [ {{ role = \"Data Science\", band = 6, future = \"steady\", fte = {{ 2031 = 3 }} }} ]\n"
        );
        assert_has(&toml_error(&demand), &["key demand[0].fte.2031", "expected 2026"]);
        let demand = format!(
            "{TOML_OK}demand = [ {{ role = \"Data Science\", band = 6, future = \"quick\", fte = {{ 2026 = 3 }} }} ]\n"
        );
        assert_has(&toml_error(&demand), &["key demand[0].future", "`quick` is not one of the `futures`"]);
        assert_has(
            &toml_error(&TOML_OK.replace("\"accelerated\"", "\"accelerated\", \"third\"")),
            &["key futures", "3 futures"],
        );
        assert_has(
            &toml_error(&TOML_OK.replace("South West", "Wessex")),
            &["key region", "`Wessex` is not an NHS England region"],
        );
        assert_has(
            &toml_error(&format!("baseline_date = \"2024-03\"\n{TOML_OK}")),
            &["key baseline_date", "`2024-03`"],
        );
        assert_has(&toml_error(&TOML_OK.replace("org_code = \"R1\"", "org_code = \"\"")), &["key org_code", "empty"]);
    }

    const EXTRACT: &str = "Org Code,Org Name,Region,Staff Group,Job Role,Band,Headcount,FTE\n\
        RAA,Alpha Hospitals NHS Trust,London,Admin,Data Science,Band 6,3,2.8\n\
        RAA,Alpha Hospitals NHS Trust,London,Admin,Data Science,6,1,1\n\
        RAA,Alpha Hospitals NHS Trust,London,Admin,Clinical Coding,Band 4,10,9.2\n\
        RAA,Alpha Hospitals NHS Trust,London,Admin,Robotics,Band 5,2,2\n\
        RAB,Alphaby Community NHS Trust,London,Admin,Clinical Coding,Band 3,5,4\n\
        QXY,NHS Beta Integrated Care Board,Midlands,Admin,Data Science,Band 7,2,2\n";

    #[test]
    fn a_template_is_pre_filled_from_the_extract_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let extract = dir.path().join("esr.csv");
        fs::write(&extract, EXTRACT).unwrap();
        let out = dir.path().join("templates");
        let options = TemplateOptions { baseline: Some(extract.clone()), ..TemplateOptions::new("raa") };
        let written = write_template(&options, &out).unwrap();
        assert_eq!(written, [out.join("RAA.xlsx"), out.join("RAA.toml")]);
        let sub = read_submission(&written[0]).unwrap();
        assert_eq!((sub.org_name.as_str(), sub.region.as_str()), ("Alpha Hospitals NHS Trust", "London"));
        assert_eq!(sub.new_roles, ["Robotics"]);
        let ds = sub.staff.iter().find(|r| r.role == "Data Science").unwrap();
        assert_eq!((ds.band, ds.headcount, ds.fte), (Band::B6, 4.0, 3.8));
        assert_eq!(ds.establishment_fte, round_to(3.8 / 0.92, 1));
        assert_eq!(sub.demand.len(), 2 * sub.staff.len());
        assert!(sub.demand.iter().all(|d| d.fte == [sub.establishment(&d.role, d.band); 5]));
        let from_toml = read_submission(&written[1]).unwrap();
        assert_eq!(Submission { path: sub.path.clone(), ..from_toml }, sub);
        // Never overwritten.
        let err = write_template(&options, &out).unwrap_err().to_string();
        assert_has(&err, &["RAA.xlsx", "exists"]);
        // The workbook has its sheets, its guide and its lists.
        let mut book: Xlsx<_> = calamine::open_workbook(&written[0]).unwrap();
        assert_eq!(book.sheet_names(), [ABOUT, STAFF, DEMAND, SUPPLY, GUIDE, LISTS]);
        let guide = book.worksheet_range(GUIDE).unwrap();
        let text: String = guide.cells().map(|(_, _, d)| d.to_string()).collect::<Vec<_>>().join(" ");
        assert_has(&text, &["FTE / (1 - 0.08)", "8a", "Blanks", "vacancy-fill"]);
    }

    #[test]
    fn an_org_not_in_the_extract_suggests_the_nearest_codes() {
        let dir = tempfile::tempdir().unwrap();
        let extract = dir.path().join("esr.csv");
        fs::write(&extract, EXTRACT).unwrap();
        let options = TemplateOptions { baseline: Some(extract), ..TemplateOptions::new("RAC") };
        let err = write_template(&options, dir.path()).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_has(
            &err.to_string(),
            &["esr.csv", "`RAC` is not in the extract (3 organisations)", "RAA (Alpha Hospitals", "RAB"],
        );
        let options = TemplateOptions { baseline: Some(dir.path().join("esr.csv")), ..TemplateOptions::new("Beta") };
        assert_has(&write_template(&options, dir.path()).unwrap_err().to_string(), &["QXY (NHS Beta"]);
        let bad = TemplateOptions { futures: ["a b".into(), "c".into()], ..TemplateOptions::new("RAA") };
        assert_has(&write_template(&bad, dir.path()).unwrap_err().to_string(), &["`a b` is not a usable name"]);
        assert!(write_template(&TemplateOptions::new(""), dir.path()).unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn a_template_without_an_extract_has_blank_rows_that_are_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let options = TemplateOptions {
            name: Some("Gamma".into()),
            region: Some("south east".into()),
            ..TemplateOptions::new("RGG")
        };
        let written = write_template(&options, dir.path()).unwrap();
        // Every staff row is blank, so nothing is filled in yet.
        let err = read_submission(&written[0]).unwrap_err().to_string();
        assert_has(&err, &["RGG.xlsx", "sheet Staff in post", "no staff in post"]);
        let err = read_submission(&written[1]).unwrap_err().to_string();
        assert_has(&err, &["RGG.toml", "key staff", "no staff in post"]);
        let text = fs::read_to_string(&written[1]).unwrap();
        assert_has(&text, &["region = \"South East\"", "# { role = \"Health Records\", band = \"2\""]);
        let mut book: Xlsx<_> = calamine::open_workbook(&written[0]).unwrap();
        let staff = book.worksheet_range(STAFF).unwrap();
        let rows = TYPICAL_BANDS.iter().map(|(_, b)| b.len()).sum::<usize>();
        assert_eq!(staff.get_value((rows as u32, 0)), Some(&Data::String("Systems & Software Development".into())));
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 25), "Z7");
        assert_eq!(cell_name(9, 26), "AA10");
        assert_eq!(cell_name(0, 701), "ZZ1");
        assert_eq!(cell_name(0, 702), "AAA1");
    }

    fn toml_sub(code: &str, region: &str, staff: &str, demand: &str, supply: &str) -> String {
        format!(
            "org_code = \"{code}\"\norg_name = \"{code} Trust\"\nregion = \"{region}\"\nfutures = [\"steady\", \"accelerated\"]\n\
             staff = [ {staff} ]\ndemand = [ {demand} ]\nsupply = [ {supply} ]\n"
        )
    }

    #[test]
    fn aggregate_sums_supply_and_keeps_known_rates() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("A1.toml");
        fs::write(
            &a,
            toml_sub(
                "A1",
                "London",
                "{ role = \"Data Science\", band = \"6\", headcount = 4, fte = 4, establishment_fte = 5 }",
                "{ role = \"Data Science\", band = \"6\", future = \"steady\", fte = { 2026 = 6, 2028 = 7 } }",
                "{ route = \"Grads\", kind = \"pipeline\", role = \"Data Science\", band = \"6\", starters_per_year = 2, duration_months = 24, completion_rate = 0.5 },\
                 { route = \"Hire\", kind = \"vacancy-fill\", fill_rate = 0.5 }",
            ),
        )
        .unwrap();
        let b = dir.path().join("B1.toml");
        fs::write(
            &b,
            toml_sub(
                "B1",
                "Midlands",
                "{ role = \"Cyber Security\", band = \"7\", headcount = 1, fte = 1, establishment_fte = 3 }",
                "",
                "{ route = \"grads\", kind = \"pipeline\", role = \"Cyber Security\", band = \"7\", starters_per_year = 1, duration_months = 24 },\
                 { route = \"Grads\", kind = \"pipeline\", role = \"Product Management\", band = \"7\", starters_per_year = 1, duration_months = 12 },\
                 { route = \"Hire\", kind = \"vacancy-fill\", role = \"Cyber Security\", fill_rate = 0.9 }",
            ),
        )
        .unwrap();
        let rates = dir.path().join("rates.toml");
        fs::write(
            &rates,
            "[attrition]\ndefault = { mean = 0.1, sd = 0.01 }\nrule = [ { role = [\"Data Science\", \"Health Records\"], rate = 0.2 }, { role = \"Health Records\", rate = 0.3 } ]\n\
             [[transfer]]\nfrom = \"Data Science\"\nto = \"Cyber Security\"\nrate = 0.01\n[[transfer]]\nfrom = \"Data Science\"\nto = \"Health Records\"\nrate = 0.01\n\
             [demand]\ngrowth = 0.5\n",
        )
        .unwrap();
        let out = dir.path().join("nat").join("national.toml");
        let options = AggregateOptions { skip_invalid: false, rates: Some(rates) };
        let report = aggregate(&[a, b], &options, &out).unwrap();
        assert_eq!(report.included.len(), 2);
        let common = fs::read_to_string(&out).unwrap();
        assert!(common.starts_with(AGGREGATE_MARKER));
        // Two durations of one route: two routes. Completion weighted by starters.
        assert_has(
            &common,
            &["name = \"Grads (24 months)\"", "intake = 3.0", "completion = 0.6666666", "name = \"Grads (12 months)\""],
        );
        assert_has(&common, &["{ role = \"Data Science\", band = \"6\", region = \"London\", share = 1.0 }"]);
        // Vacancy-fill: every role (one row left it blank), weighted by establishment 5 and 3.
        assert_has(&common, &["name = \"Hire\"", "fill_rate = 0.65"]);
        assert!(!common.contains("role = [\"Cyber Security\"]"));
        // Rates: Health Records is in no submission.
        assert_has(
            &common,
            &[
                "{ role = \"Data Science\", rate = 0.2 }",
                "role `Health Records`",
                "from = \"Data Science\"\nto = \"Cyber Security\"",
            ],
        );
        assert!(!common.contains("growth = 0.5"));
        let steady = fs::read_to_string(out.with_file_name("national-steady.toml")).unwrap();
        assert_has(
            &steady,
            &[
                "extends = \"national.toml\"",
                "{ role = \"Data Science\", band = \"6\", region = \"London\", from = \"2025-04\", to = \"2026-03\", add_fte = 1.0 }",
                "from = \"2027-04\", to = \"2028-03\", add_fte = 1.0 }",
            ],
        );
        assert!(!steady.contains("Cyber Security"), "no change in flat demand: {steady}");
        let csv = fs::read_to_string(out.with_file_name("national.csv")).unwrap();
        assert_has(
            &csv,
            &["A1,A1 Trust,London,Data Science,6,4,4,5", "B1,B1 Trust,Midlands,Product Management,7,0,0,0"],
        );
        // The scenarios compile against the baseline.
        for f in &report.written[1..] {
            let scenario = wfcast_core::scenario::Scenario::load(f).unwrap();
            wfcast_io::scenario::compile(&scenario).unwrap();
        }
        // A scenario not written by aggregate is not replaced.
        fs::write(out.with_file_name("national-accelerated.toml"), "name = \"mine\"\n").unwrap();
        let err = aggregate(
            &report.included.iter().map(|i| i.path.clone()).collect::<Vec<_>>(),
            &AggregateOptions::default(),
            &out,
        )
        .unwrap_err()
        .to_string();
        assert_has(&err, &["national-accelerated.toml", "not written by `wfcast aggregate`"]);
    }

    #[test]
    fn new_roles_spelled_differently_are_one_national_role() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (code, spelling) in [("A1", "AI Engineering"), ("B2", "ai  engineering")] {
            let text = format!(
                "org_code = \"{code}\"\norg_name = \"{code}\"\nregion = \"London\"\nfutures = [\"x\", \"y\"]\nnew_roles = [\"{spelling}\"]\n\
                 staff = [ {{ role = \"{spelling}\", band = \"6\", headcount = 1, fte = 1, establishment_fte = 1 }} ]\n"
            );
            let path = dir.path().join(format!("{code}.toml"));
            fs::write(&path, text).unwrap();
            paths.push(path);
        }
        let out = dir.path().join("n.toml");
        aggregate(&paths, &AggregateOptions::default(), &out).unwrap();
        let csv = fs::read_to_string(out.with_file_name("n.csv")).unwrap();
        assert!(
            csv.contains("A1,A1,London,AI Engineering,6") && csv.contains("B2,B2,London,AI Engineering,6"),
            "{csv}"
        );
        let bad = aggregate(&paths, &AggregateOptions::default(), &dir.path().join("bad name.toml")).unwrap_err();
        assert!(bad.to_string().contains("argument --out"), "{bad}");
    }
}
