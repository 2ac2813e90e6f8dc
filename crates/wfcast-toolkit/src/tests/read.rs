//! Reading filled workbooks: every cell checked, errors naming the sheet and cell.
use super::support::*;
use crate::raw::cell_name;
use crate::read_submission;
use crate::workbook::{ABOUT, DEMAND, STAFF, SUPPLY};
use std::fs;
use wfcast_core::band::{BAND_HELP, Band};
use wfcast_core::scenario::SupplyKind;

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
    assert_has(&error_of("fte.xlsx", &sheets), &["sheet Staff in post, cell D2", "FTE 3.5 is above the headcount 3"]);
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
        &["sheet Demand, cell C2", "`fast` is not one of the futures on the About sheet", "`steady` or `accelerated`"],
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
        &["sheet Demand, cell A2", "`Data Sciense` is not a known role", "did you mean `Data Science`", "New roles"],
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
    let mut book = workbook(&good());
    book.worksheet_from_name(STAFF).unwrap().write_boolean(1, 2, true).unwrap();
    let path = save(book, dir.path(), "bool.xlsx");
    let message = read_submission(&path).unwrap_err().to_string();
    assert_has(&message, &["sheet Staff in post, cell C2", "Headcount is TRUE, not a number"]);
}

#[test]
fn not_a_workbook_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fake.xlsx");
    fs::write(&path, "role,band\n").unwrap();
    assert_has(&read_submission(&path).unwrap_err().to_string(), &["fake.xlsx", "cannot be read as an Excel workbook"]);
    let path = dir.path().join("old.xls");
    fs::write(&path, "x").unwrap();
    assert_has(&read_submission(&path).unwrap_err().to_string(), &["old.xls", "save it as .xlsx"]);
    let path = dir.path().join("notes.csv");
    fs::write(&path, "x").unwrap();
    assert_has(&read_submission(&path).unwrap_err().to_string(), &["notes.csv", "expected a CIO toolkit submission"]);
}

#[test]
fn cells_are_named_as_excel_names_them() {
    assert_eq!(cell_name(0, 0), "A1");
    assert_eq!(cell_name(6, 25), "Z7");
    assert_eq!(cell_name(9, 26), "AA10");
    assert_eq!(cell_name(0, 701), "ZZ1");
    assert_eq!(cell_name(0, 702), "AAA1");
}
