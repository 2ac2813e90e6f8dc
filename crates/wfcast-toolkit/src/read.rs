//! Reading a submission: the cells of a filled workbook (found by sheet name and column
//! header) or the keys of its TOML form, as found, before the one validation of both.
use calamine::{Data, Range, Reader, Xlsx};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use wfcast_core::error::{Error, Result};
use wfcast_io::table::normalise_header;

use crate::YEARS;
use crate::raw::*;
use crate::submission::Submission;
use crate::validate::{fmt_num, validate};
use crate::workbook::{ABOUT, DEMAND, STAFF, SUPPLY};

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

/// A cell's value as the checks see it (text trimmed; blank text is blank).
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

/// A filled workbook as found: every cell a [`Field`] named by its sheet and cell.
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
