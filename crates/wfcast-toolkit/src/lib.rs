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

mod aggregate;
mod aggregation;
mod format;
mod lists;
mod national;
mod rates;
mod raw;
mod read;
mod submission;
mod supply;
mod template;
mod toml_doc;
mod toml_form;
mod validate;
mod workbook;

#[cfg(test)]
mod tests;

pub use aggregate::{aggregate, submission_files};
pub use aggregation::{AGGREGATE_MARKER, AggregateOptions, AggregateReport, Included, LeftOut};
pub use lists::{BASELINE_MONTH, DEFAULT_FUTURES, PREFILL_VACANCY_RATE, REGIONS, ROLES, TYPICAL_BANDS, YEARS};
pub use read::read_submission;
pub use submission::{DemandRow, StaffRow, Submission, SupplyRow};
pub use template::{TemplateOptions, write_submission, write_template};
