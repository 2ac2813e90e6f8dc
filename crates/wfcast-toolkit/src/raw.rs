//! A submission as read, before its checks: each value with the sheet and cell (or TOML key)
//! it was found at, and the file-naming helpers the readers and writers share.
use std::path::{Path, PathBuf};

/// A value as found in a cell or TOML key.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Blank,
    Number(f64),
    Text(String),
    /// Something that is neither a number nor text (a date, TRUE, an Excel error).
    Other(String),
}

/// One value and where it was found.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    /// `sheet Staff in post, cell C5` or `key staff[3].headcount`.
    pub(crate) at: String,
    /// The column or key name, for messages.
    pub(crate) what: String,
    /// The value found.
    pub(crate) value: Value,
}

impl Field {
    /// Whether nothing was found.
    pub(crate) fn is_blank(&self) -> bool {
        self.value == Value::Blank
    }
}

/// Which form a submission came in, for hints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Form {
    Workbook,
    Toml,
}

pub(crate) const S_ROLE: usize = 0;
pub(crate) const S_BAND: usize = 1;
pub(crate) const S_HEADCOUNT: usize = 2;
pub(crate) const S_FTE: usize = 3;
pub(crate) const S_ESTABLISHMENT: usize = 4;

pub(crate) const P_ROUTE: usize = 0;
pub(crate) const P_KIND: usize = 1;
pub(crate) const P_ROLE: usize = 2;
pub(crate) const P_BAND: usize = 3;
pub(crate) const P_STARTERS: usize = 4;
pub(crate) const P_DURATION: usize = 5;
pub(crate) const P_COMPLETION: usize = 6;
pub(crate) const P_FILL: usize = 7;

/// A submission as found, before any check.
pub(crate) struct Raw {
    pub(crate) path: PathBuf,
    pub(crate) form: Form,
    pub(crate) org_code: Field,
    pub(crate) org_name: Field,
    pub(crate) region: Field,
    /// Where the futures are, for a message about their number.
    pub(crate) futures_at: String,
    pub(crate) futures: Vec<Field>,
    pub(crate) new_roles: Vec<Field>,
    pub(crate) baseline_date: Option<Field>,
    /// Where the staff rows are, for a message about there being none.
    pub(crate) staff_at: String,
    /// Role, band, headcount, FTE, establishment.
    pub(crate) staff: Vec<Vec<Field>>,
    /// Role, band, future, then the five years.
    pub(crate) demand: Vec<Vec<Field>>,
    /// Route, kind, role, band, starters, duration, completion, fill.
    pub(crate) supply: Vec<Vec<Field>>,
}

/// The extension of `path`, lower case.
pub(crate) fn extension(path: &Path) -> Option<String> {
    path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

/// `A1`-style name of a 0-based (row, column).
pub(crate) fn cell_name(row: u32, col: u32) -> String {
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
