//! The workbook of a template or submission: styles, the six sheets, drop-downs and checks
//! Excel makes as cells are typed.
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Formula, IgnoreError, Workbook, Worksheet, XlsxError,
};
use std::path::Path;
use wfcast_core::band::{BAND_HELP, Band};
use wfcast_core::error::Error;

use crate::lists::PREFILL_VACANCY_RATE;
use crate::submission::{Submission, kind_name};
use crate::{BASELINE_MONTH, REGIONS, ROLES, YEARS};

/// The sheets of the workbook, by name.
/// The sheets of the workbook, by name.
pub(crate) const ABOUT: &str = "About";
pub(crate) const STAFF: &str = "Staff in post";
pub(crate) const DEMAND: &str = "Demand";
pub(crate) const SUPPLY: &str = "Supply";
pub(crate) const GUIDE: &str = "Guide";
pub(crate) const LISTS: &str = "Lists";

/// Blank shaded rows below the pre-filled ones, for rows a CIO adds.
const EXTRA_STAFF_ROWS: u32 = 40;
const EXTRA_DEMAND_ROWS: u32 = 40;
const SUPPLY_ROWS: u32 = 20;

/// An xlsx writer's error as an error writing `path`.
pub(crate) fn xlsx_error(path: &Path, e: XlsxError) -> Error {
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
pub(crate) fn workbook_bytes(
    sub: &Submission,
    blank_staff: &[(String, Band)],
    made_from: &str,
) -> Result<Vec<u8>, XlsxError> {
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
    let checks = Checks::new(&roles, &bands)?;
    about_sheet(book.add_worksheet(), &st, sub, made_from)?;
    staff_sheet(book.add_worksheet(), &st, &checks, sub, blank_staff)?;
    demand_sheet(book.add_worksheet(), &st, &checks, sub)?;
    supply_sheet(book.add_worksheet(), &st, &checks, sub)?;
    guide_sheet(book.add_worksheet(), &st, sub)?;
    lists_sheet(book.add_worksheet(), &st, &roles, &bands)?;
    book.save_to_buffer()
}

/// The drop-down lists of roles and bands, shared by the sheets.
struct Checks {
    role: DataValidation,
    band: DataValidation,
}

impl Checks {
    fn new(roles: &[String], bands: &[&str]) -> Result<Checks, XlsxError> {
        let role_list = Formula::new(format!("=Lists!$A$2:$A${}", roles.len() + 1));
        let role = warning_list(
            DataValidation::new().allow_list_formula(role_list),
            "Not a national role",
            "This role is not in the national list. wfcast accepts it only if it is listed under New roles on the About sheet.",
        )?;
        let band = warning_list(
            DataValidation::new().allow_list_strings(bands)?,
            "Band",
            "Bands are 2 to 7, 8a to 8d and 9. wfcast also reads spellings such as Band 8a, 8A or Band 8 - Range A.",
        )?;
        Ok(Checks { role, band })
    }
}

/// The About sheet: labels in column A, values in column B.
fn about_sheet(about: &mut Worksheet, st: &Styles, sub: &Submission, made_from: &str) -> Result<(), XlsxError> {
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

    Ok(())
}

/// The Staff in post sheet: the submission's rows, then `blank_staff` with role and band only, then blank rows.
fn staff_sheet(
    staff: &mut Worksheet,
    st: &Styles,
    checks: &Checks,
    sub: &Submission,
    blank_staff: &[(String, Band)],
) -> Result<(), XlsxError> {
    staff.set_name(STAFF)?;
    header_row(
        staff,
        st,
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
    staff.add_data_validation(1, 0, last, 0, &checks.role)?;
    staff.add_data_validation(1, 1, last, 1, &checks.band)?;
    staff.ignore_error_range(1, 1, last, 1, IgnoreError::NumberStoredAsText)?;
    staff.add_data_validation(1, 2, last, 2, &non_negative(true)?)?;
    staff.add_data_validation(1, 3, last, 4, &non_negative(false)?)?;

    Ok(())
}

/// The Demand sheet: one row per role, band and future, then blank rows.
fn demand_sheet(demand: &mut Worksheet, st: &Styles, checks: &Checks, sub: &Submission) -> Result<(), XlsxError> {
    demand.set_name(DEMAND)?;
    let year_headers: Vec<String> = YEARS.iter().map(|y| format!("FTE at 31 Mar {y}")).collect();
    let mut columns: Vec<(&str, f64)> = vec![("Role", 38.0), ("Band", 8.0), ("Future", 14.0)];
    columns.extend(year_headers.iter().map(|h| (h.as_str(), 12.0)));
    header_row(demand, st, &columns)?;
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
    demand.add_data_validation(1, 0, last, 0, &checks.role)?;
    demand.add_data_validation(1, 1, last, 1, &checks.band)?;
    demand.ignore_error_range(1, 1, last, 1, IgnoreError::NumberStoredAsText)?;
    demand.add_data_validation(1, 2, last, 2, &future_check)?;
    demand.add_data_validation(1, 3, last, 7, &non_negative(false)?)?;

    Ok(())
}

/// The Supply sheet: the planned routes, then blank rows.
fn supply_sheet(supply: &mut Worksheet, st: &Styles, checks: &Checks, sub: &Submission) -> Result<(), XlsxError> {
    supply.set_name(SUPPLY)?;
    header_row(
        supply,
        st,
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
    supply.add_data_validation(1, 2, last, 2, &checks.role)?;
    supply.add_data_validation(1, 3, last, 3, &checks.band)?;
    supply.ignore_error_range(1, 3, last, 3, IgnoreError::NumberStoredAsText)?;
    supply.add_data_validation(1, 4, last, 4, &non_negative(false)?)?;
    supply.add_data_validation(1, 5, last, 5, &non_negative(true)?)?;
    supply.add_data_validation(1, 6, last, 7, &share()?)?;

    Ok(())
}

/// The Guide sheet: every sheet and column in plain words.
fn guide_sheet(guide: &mut Worksheet, st: &Styles, sub: &Submission) -> Result<(), XlsxError> {
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

    Ok(())
}

/// The hidden Lists sheet behind the drop-downs.
fn lists_sheet(lists: &mut Worksheet, st: &Styles, roles: &[String], bands: &[&str]) -> Result<(), XlsxError> {
    lists.set_name(LISTS)?;
    for (j, (head, items)) in [
        ("Roles", roles.iter().map(String::as_str).collect::<Vec<_>>()),
        ("Bands", bands.to_vec()),
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
    Ok(())
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
