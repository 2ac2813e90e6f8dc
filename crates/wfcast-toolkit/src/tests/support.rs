//! The fixtures of the unit tests, defined once: a filled workbook as grids of cells, a TOML
//! submission, an ESR extract, and the helpers that write and read them.
use crate::read_submission;
use crate::submission::Submission;
use crate::workbook::{ABOUT, DEMAND, STAFF, SUPPLY};
use rust_xlsxwriter::Workbook;
use std::fs;
use std::path::{Path, PathBuf};

/// A cell of a test workbook.
#[derive(Clone, Debug)]
pub(crate) enum C {
    /// Text.
    S(String),
    /// A number.
    N(f64),
    /// Empty.
    E,
}

/// A text cell.
pub(crate) fn s(t: &str) -> C {
    C::S(t.to_string())
}

/// Sheets by name, each a grid of cells (row-major, from A1).
pub(crate) type Sheets = Vec<(String, Vec<Vec<C>>)>;

/// A valid filled workbook, as grids of cells.
pub(crate) fn good() -> Sheets {
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

/// Sets the cell at 0-based (`row`, `col`) of `sheet`.
pub(crate) fn set(sheets: &mut Sheets, sheet: &str, row: usize, col: usize, c: C) {
    let grid = &mut sheets.iter_mut().find(|(n, _)| n == sheet).unwrap().1;
    while grid[row].len() <= col {
        grid[row].push(C::E);
    }
    grid[row][col] = c;
}

/// `sheets` as a workbook, not yet saved (a test may add cells of other types).
pub(crate) fn workbook(sheets: &Sheets) -> Workbook {
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
    book
}

/// `sheets` saved as `dir/name`.
pub(crate) fn write_book(dir: &Path, name: &str, sheets: &Sheets) -> PathBuf {
    save(workbook(sheets), dir, name)
}

/// `book` saved as `dir/name`.
pub(crate) fn save(mut book: Workbook, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    book.save(&path).unwrap();
    path
}

/// Reads `sheets` as `name` and returns the error, which must be an input error naming
/// the file.
pub(crate) fn error_of(name: &str, sheets: &Sheets) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write_book(dir.path(), name, sheets);
    let err = read_submission(&path).expect_err("the workbook should be refused");
    assert_eq!(err.exit_code(), 2, "{err:?}");
    let message = err.to_string();
    assert!(message.contains(name), "no file name in: {message}");
    message
}

/// Asserts that `message` contains every one of `parts`.
pub(crate) fn assert_has(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
}

/// A small valid TOML submission.
pub(crate) const TOML_OK: &str = "org_code = \"R1\"\norg_name = \"One\"\nregion = \"South West\"\nfutures = [\"steady\", \"accelerated\"]\n\
    staff = [ { role = \"Data Science\", band = \"6\", headcount = 2, fte = 2, establishment_fte = 2 } ]\n";

/// The error of reading `text` as a TOML submission (an input error).
pub(crate) fn toml_error(text: &str) -> String {
    let err = Submission::from_toml(text, Path::new("sub.toml")).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    err.to_string()
}

/// A small ESR extract: three organisations, one with a role outside the national list.
pub(crate) const EXTRACT: &str = "Org Code,Org Name,Region,Staff Group,Job Role,Band,Headcount,FTE\n\
    RAA,Alpha Hospitals NHS Trust,London,Admin,Data Science,Band 6,3,2.8\n\
    RAA,Alpha Hospitals NHS Trust,London,Admin,Data Science,6,1,1\n\
    RAA,Alpha Hospitals NHS Trust,London,Admin,Clinical Coding,Band 4,10,9.2\n\
    RAA,Alpha Hospitals NHS Trust,London,Admin,Robotics,Band 5,2,2\n\
    RAB,Alphaby Community NHS Trust,London,Admin,Clinical Coding,Band 3,5,4\n\
    QXY,NHS Beta Integrated Care Board,Midlands,Admin,Data Science,Band 7,2,2\n";

/// A TOML submission of organisation `code` with the given rows (inline tables).
pub(crate) fn toml_sub(code: &str, region: &str, staff: &str, demand: &str, supply: &str) -> String {
    format!(
        "org_code = \"{code}\"\norg_name = \"{code} Trust\"\nregion = \"{region}\"\nfutures = [\"steady\", \"accelerated\"]\n\
         staff = [ {staff} ]\ndemand = [ {demand} ]\nsupply = [ {supply} ]\n"
    )
}

/// [`EXTRACT`] written as `dir/esr.csv`.
pub(crate) fn extract_in(dir: &Path) -> PathBuf {
    let extract = dir.join("esr.csv");
    fs::write(&extract, EXTRACT).unwrap();
    extract
}
