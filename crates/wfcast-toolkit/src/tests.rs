//! Unit tests of the toolkit: reading workbooks and TOML, templates and aggregation.
use super::*;
use crate::format::round_to;
use crate::read::cell_name;
use crate::workbook::{ABOUT, DEMAND, GUIDE, LISTS, STAFF, SUPPLY};
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::Workbook;
use std::fs;
use std::path::{Path, PathBuf};
use wfcast_core::band::{BAND_HELP, Band};
use wfcast_core::scenario::SupplyKind;

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
        vec![s("Data Engineering"), s("7"), s("accelerated"), C::N(1.0), C::N(2.0), C::N(2.0), C::N(3.0), C::N(3.0)],
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
    assert_has(&read_submission(&path).unwrap_err().to_string(), &["fake.xlsx", "cannot be read as an Excel workbook"]);
    let path = dir.path().join("old.xls");
    fs::write(&path, "x").unwrap();
    assert_has(&read_submission(&path).unwrap_err().to_string(), &["old.xls", "save it as .xlsx"]);
    let path = dir.path().join("notes.csv");
    fs::write(&path, "x").unwrap();
    assert_has(&read_submission(&path).unwrap_err().to_string(), &["notes.csv", "expected a CIO toolkit submission"]);
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
    assert_has(&toml_error(&format!("baseline_date = \"2024-03\"\n{TOML_OK}")), &["key baseline_date", "`2024-03`"]);
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
    assert_has(&csv, &["A1,A1 Trust,London,Data Science,6,4,4,5", "B1,B1 Trust,Midlands,Product Management,7,0,0,0"]);
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
    assert!(csv.contains("A1,A1,London,AI Engineering,6") && csv.contains("B2,B2,London,AI Engineering,6"), "{csv}");
    let bad = aggregate(&paths, &AggregateOptions::default(), &dir.path().join("bad name.toml")).unwrap_err();
    assert!(bad.to_string().contains("argument --out"), "{bad}");
}
