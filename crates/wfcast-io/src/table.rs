//! Reading the columns a file type needs from a CSV or Parquet table, as text, with every place nameable.
//!
//! [`Table::read`] sniffs the file (Parquet, or UTF-8 CSV text with a header row), finds each
//! [`Wanted`] column by any of its spellings and keeps those columns as text, so that a bad
//! value can be quoted as written. Its accessors name the place of any cell for error
//! messages: the file line (CSV, counting the header as line 1, and counting the lines inside
//! quoted values) or row (Parquet), and the column.
use polars::prelude::{
    AnyValue, CsvReadOptions, DataFrame, DataType, ParquetReader, PolarsError, SerReader, StringChunked,
};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use wfcast_core::band::{BAND_HELP, Band};
use wfcast_core::error::{Error, Result};

const PARQUET_MAGIC: &[u8] = b"PAR1";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One column a file type reads: its name in messages, its accepted spellings (lower case,
/// words separated by one space) and whether it must be present.
#[derive(Clone, Copy, Debug)]
pub struct Wanted {
    /// The column's name in messages (`role`, `establishment_fte`).
    pub name: &'static str,
    /// The headers taken for it, normalised as by [`normalise_header`].
    pub spellings: &'static [&'static str],
    /// Whether a file without it is refused.
    pub required: bool,
}

/// The wanted columns of a CSV or Parquet file, as text, and where each row came from.
///
/// Columns are addressed by their position `k` in the `wanted` list given to
/// [`Table::read`]; rows by their 0-based index in the file's data (the header aside).
pub struct Table {
    path: PathBuf,
    source: Source,
    names: Vec<&'static str>,
    columns: Vec<Option<StringChunked>>,
    rows: Vec<usize>,
}

impl Table {
    /// Reads the columns `wanted` from a CSV or Parquet file.
    ///
    /// Parquet is chosen by the extension `.parquet` or `.pq` (or the Parquet magic bytes);
    /// anything else must be UTF-8 CSV text with a header row (a byte-order mark and Windows
    /// line endings are fine; a tab, semicolon or pipe separator is recognised from the
    /// header line; blank lines before the header are skipped). Columns are found by name,
    /// ignoring case, spaces, underscores and hyphens; other columns are ignored. A missing
    /// required column, two columns for one wanted column, or a file without data rows is
    /// refused. `row` says what one row is, for messages: `(role, band[, region])`.
    pub fn read(path: &Path, wanted: &[Wanted], row: &str) -> Result<Table> {
        let mut bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let parquet = matches!(extension.as_deref(), Some("parquet" | "pq"));
        if parquet || bytes.starts_with(PARQUET_MAGIC) {
            let frame = read_parquet(path, bytes)?;
            return Table::from_frame(path, &frame, Source::Parquet, wanted, row);
        }
        let bom = check_text(path, &bytes, wanted, row)?;
        let (skipped, first_line) = skip_blank_lines(&bytes[bom..]);
        bytes.drain(..bom + skipped);
        let separator = sniff_separator(&bytes);
        let frame = read_csv(path, &bytes, first_line, separator)?;
        Table::from_frame(path, &frame, Source::Csv { text: bytes, first_line }, wanted, row)
    }

    /// Matches the columns, keeps the wanted ones as text and finds the rows that are not blank.
    fn from_frame(path: &Path, frame: &DataFrame, source: Source, wanted: &[Wanted], row: &str) -> Result<Table> {
        let found = match_columns(path, frame, &source, wanted)?;
        let no_rows =
            || Error::input(path, "", format!("has a header row but no data rows; expected one row per {row}"));
        if frame.height() == 0 {
            return Err(no_rows());
        }
        let mut columns = Vec::with_capacity(wanted.len());
        for (k, index) in found.iter().enumerate() {
            let Some(j) = *index else {
                columns.push(None);
                continue;
            };
            let column = &frame.columns()[j];
            let cannot = |e: PolarsError| {
                Error::input(
                    path,
                    source.header(),
                    format!(
                        "column `{}` (type {}) cannot be read as the {} column: {}",
                        column.name(),
                        column.dtype(),
                        wanted[k].name,
                        one_line(&e)
                    ),
                )
            };
            let text = column.cast(&DataType::String).map_err(cannot)?;
            let strings = text.str().map_err(|e| Error::input(path, source.header(), one_line(&e)))?;
            columns.push(Some(strings.rechunk().into_owned()));
        }
        let mut table = Table {
            path: path.to_path_buf(),
            source,
            names: wanted.iter().map(|w| w.name).collect(),
            columns,
            rows: Vec::new(),
        };
        table.rows = (0..frame.height())
            .filter(|&r| (0..wanted.len()).any(|k| table.text(r, k).is_some()) || !row_is_blank(frame, r))
            .collect();
        if table.rows.is_empty() {
            return Err(no_rows());
        }
        Ok(table)
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The data rows that are not blank in every column (the file's own columns included),
    /// in file order.
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// Whether the file has wanted column `k`.
    pub fn has(&self, k: usize) -> bool {
        self.columns[k].is_some()
    }

    /// The value of column `k` on `row`, trimmed; `None` when it is blank or the file has no
    /// such column.
    pub fn text(&self, row: usize, k: usize) -> Option<&str> {
        self.columns[k].as_ref()?.get(row).map(str::trim).filter(|s| !s.is_empty())
    }

    /// The place of the header, for messages: `line 1` (CSV) or `columns` (Parquet).
    pub fn header(&self) -> String {
        self.source.header()
    }

    /// The place of one cell, for messages: `line 7, column band` (CSV) or `row 6, column
    /// band` (Parquet).
    pub fn at(&self, row: usize, k: usize) -> String {
        format!("{}, column {}", self.source.row(row), self.names[k])
    }

    /// An input error about the cell of column `k` on `row`.
    pub fn error(&self, row: usize, k: usize, message: impl Into<String>) -> Error {
        Error::input(&self.path, self.at(row, k), message)
    }

    /// The value of column `k` on `row`, refused when blank: `<name> is blank; <help>`.
    pub fn required(&self, row: usize, k: usize, help: &str) -> Result<&str> {
        self.text(row, k).ok_or_else(|| self.error(row, k, format!("{} is blank; {help}", self.names[k])))
    }

    /// A number 0 or more in column `k` on `row`; `help` says what was expected. Blank,
    /// non-numeric (NaN and infinities too) and negative values are refused, quoting the text.
    pub fn number(&self, row: usize, k: usize, help: &str) -> Result<f64> {
        let text = self.required(row, k, help)?;
        let bad = |what: &str| self.error(row, k, format!("{} `{text}` {what}; {help}", self.names[k]));
        let value = text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| bad("is not a number"))?;
        if value < 0.0 {
            return Err(bad("is negative"));
        }
        Ok(value)
    }

    /// A whole number 0 or more (a count of people) in column `k` on `row`, checked as by
    /// [`Table::number`] and refused when it has a fractional part.
    pub fn count(&self, row: usize, k: usize, help: &str) -> Result<f64> {
        let value = self.number(row, k, help)?;
        if value.fract() != 0.0 {
            let text = self.text(row, k).unwrap_or_default();
            return Err(self.error(row, k, format!("{} `{text}` is not a whole number; {help}", self.names[k])));
        }
        Ok(value)
    }

    /// The AfC band in column `k` on `row`, in any of the spellings [`Band::parse`] reads.
    pub fn band(&self, row: usize, k: usize) -> Result<Band> {
        let text = self.required(row, k, &format!("expected {BAND_HELP}"))?;
        Band::parse(text).ok_or_else(|| self.error(row, k, format!("found `{text}`; expected {BAND_HELP}")))
    }
}

/// A header as compared with the spellings: no byte-order mark, lower case, words
/// (split on spaces, underscores and hyphens) joined by one space.
pub fn normalise_header(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Where the frame came from, to name the place of a bad value.
enum Source {
    /// CSV text from the header on, to count file lines in, and the file line of the
    /// header (1 unless blank lines come first).
    Csv { text: Vec<u8>, first_line: usize },
    /// A Parquet file: rows are counted from 1.
    Parquet,
}

impl Source {
    /// The place of the header.
    fn header(&self) -> String {
        match self {
            Source::Csv { first_line, .. } => format!("line {first_line}"),
            Source::Parquet => "columns".to_string(),
        }
    }

    /// The place of data row `row` (0-based in the frame): its 1-based file line for CSV
    /// (the header is line 1), or `row N` (1-based) for Parquet.
    fn row(&self, row: usize) -> String {
        match self {
            Source::Csv { text, first_line } => match record_line(text, row + 1) {
                Some(line) => format!("line {}", line + first_line - 1),
                None => format!("data row {}", row + 1),
            },
            Source::Parquet => format!("row {}", row + 1),
        }
    }
}

/// The 1-based file line on which CSV record `record` starts (record 0 is the header).
/// Records end at line feeds outside double quotes, as the CSV reader splits them.
/// Only used on the error path.
fn record_line(text: &[u8], record: usize) -> Option<usize> {
    let mut line = 1;
    let mut current = 0;
    let mut quoted = false;
    for (i, &b) in text.iter().enumerate() {
        if current == record {
            return Some(line);
        }
        match b {
            b'"' => quoted = !quoted,
            b'\n' => {
                line += 1;
                if !quoted {
                    current += 1;
                    if current == record && i + 1 == text.len() {
                        return None;
                    }
                }
            }
            _ => {}
        }
    }
    (current == record).then_some(line)
}

/// The first CSV record with more fields than the header, as (1-based line, fields,
/// header fields). Only used to explain a parse failure.
fn first_ragged_line(text: &[u8], separator: u8) -> Option<(usize, usize, usize)> {
    let mut line = 1;
    let mut record_start_line = 1;
    let mut fields = 1;
    let mut header_fields = None;
    let mut quoted = false;
    for &b in text {
        match b {
            b'"' => quoted = !quoted,
            b'\n' => {
                line += 1;
                if !quoted {
                    match header_fields {
                        None => header_fields = Some(fields),
                        Some(h) if fields > h => return Some((record_start_line, fields, h)),
                        Some(_) => {}
                    }
                    fields = 1;
                    record_start_line = line;
                }
            }
            b if b == separator && !quoted => fields += 1,
            _ => {}
        }
    }
    match header_fields {
        Some(h) if fields > h => Some((record_start_line, fields, h)),
        _ => None,
    }
}

/// The length of the blank lines the text starts with, and the 1-based number of the first
/// line that is not blank.
fn skip_blank_lines(text: &[u8]) -> (usize, usize) {
    let mut start = 0;
    let mut line = 1;
    while let Some(end) = text[start..].iter().position(|&b| b == b'\n') {
        if !text[start..start + end].iter().all(u8::is_ascii_whitespace) {
            break;
        }
        start += end + 1;
        line += 1;
    }
    (start, line)
}

/// The required columns for messages: `role, band and headcount`.
fn required_names(wanted: &[Wanted]) -> String {
    let names: Vec<&str> = wanted.iter().filter(|w| w.required).map(|w| w.name).collect();
    wfcast_core::names::and_list(&names)
}

/// Checks that the bytes are UTF-8 CSV text and returns the length of their byte-order mark
/// (0 when they have none).
fn check_text(path: &Path, bytes: &[u8], wanted: &[Wanted], row: &str) -> Result<usize> {
    const NOT_CSV: &str = "does not look like a CSV with a header row";
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Error::input(path, "", "is UTF-16 text; save the extract as CSV UTF-8 (comma delimited)"));
    }
    let text = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::input(
            path,
            "",
            format!(
                "the file is empty; expected a header row naming at least the columns {}, then one row per {row}",
                required_names(wanted)
            ),
        ));
    }
    if text.starts_with(b"PK\x03\x04") {
        return Err(Error::input(
            path,
            "",
            format!("{NOT_CSV}: it is a zip archive or Excel workbook; save it as CSV UTF-8"),
        ));
    }
    let sample = &text[..text.len().min(8192)];
    let controls =
        sample.iter().filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f).count();
    if sample.contains(&0) || controls * 100 > sample.len() {
        return Err(Error::input(path, "", format!("{NOT_CSV}: it holds binary data")));
    }
    if let Err(e) = std::str::from_utf8(text) {
        let line = 1 + text[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
        return Err(Error::input(path, format!("line {line}"), "is not UTF-8 text; save the extract as CSV UTF-8"));
    }
    Ok(bytes.len() - text.len())
}

/// The field separator: whichever of comma, tab, semicolon and pipe appears most often
/// (outside quotes) in the header line; comma when none does.
fn sniff_separator(text: &[u8]) -> u8 {
    let end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    let mut counts = [(b',', 0usize), (b'\t', 0), (b';', 0), (b'|', 0)];
    let mut quoted = false;
    for &b in &text[..end] {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (sep, n) in counts.iter_mut() {
                if b == *sep {
                    *n += 1;
                }
            }
        }
    }
    let mut best = counts[0];
    for c in &counts[1..] {
        if c.1 > best.1 {
            best = *c;
        }
    }
    best.0
}

/// Reads CSV text (every column as a string).
fn read_csv(path: &Path, text: &[u8], first_line: usize, separator: u8) -> Result<DataFrame> {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(false)
        .map_parse_options(|p| p.with_separator(separator))
        .into_reader_with_file_handle(Cursor::new(text))
        .finish()
        .map_err(|e| {
            if let Some((line, fields, header)) = first_ragged_line(text, separator) {
                Error::input(
                    path,
                    format!("line {}", line + first_line - 1),
                    format!(
                        "has {fields} fields but the header has {header}; a value holding the separator must be in double quotes"
                    ),
                )
            } else {
                Error::input(path, "", format!("could not be read as CSV: {}", one_line(&e)))
            }
        })
}

/// Reads a Parquet file held in memory.
fn read_parquet(path: &Path, bytes: Vec<u8>) -> Result<DataFrame> {
    ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| Error::input(path, "", format!("could not be read as Parquet: {}", one_line(&e))))
}

/// The first line of a polars error.
fn one_line(e: &PolarsError) -> String {
    e.to_string().lines().next().unwrap_or_default().trim().to_string()
}

/// A list of names for messages: `a`, `b`, `c`.
fn quoted_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// Finds, for each wanted column, the frame column holding it.
fn match_columns(path: &Path, frame: &DataFrame, source: &Source, wanted: &[Wanted]) -> Result<Vec<Option<usize>>> {
    let names: Vec<&str> = frame.columns().iter().map(|c| c.name().as_str()).collect();
    let mut found = vec![None; wanted.len()];
    for (j, name) in names.iter().enumerate() {
        let norm = normalise_header(name);
        for (k, w) in wanted.iter().enumerate() {
            if w.spellings.contains(&norm.as_str()) {
                if let Some(earlier) = found[k] {
                    return Err(Error::input(
                        path,
                        source.header(),
                        format!(
                            "columns `{}` and `{name}` both look like the {} column; keep one",
                            names[earlier], w.name
                        ),
                    ));
                }
                found[k] = Some(j);
            }
        }
    }
    if let (Source::Csv { .. }, [only]) = (source, names.as_slice())
        && found.iter().all(Option::is_none)
    {
        return Err(Error::input(
            path,
            "",
            format!(
                "does not look like a CSV with a header row: it reads as one column headed `{}`; expected comma-separated columns including {}",
                only.trim(),
                required_names(wanted)
            ),
        ));
    }
    for (k, w) in wanted.iter().enumerate() {
        if w.required && found[k].is_none() {
            return Err(Error::input(
                path,
                source.header(),
                format!(
                    "no {} column (expected one headed {}; case, spaces, underscores and hyphens do not matter); columns found: {}",
                    w.name,
                    quoted_list(w.spellings.iter().copied()),
                    quoted_list(names.iter().map(|n| n.trim())),
                ),
            ));
        }
    }
    Ok(found)
}

/// Whether every column of the frame is null or blank on `row`.
fn row_is_blank(frame: &DataFrame, row: usize) -> bool {
    frame.columns().iter().all(|c| match c.get(row) {
        Ok(AnyValue::Null) => true,
        Ok(AnyValue::String(s)) => s.trim().is_empty(),
        Ok(AnyValue::StringOwned(s)) => s.trim().is_empty(),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const COLUMNS: [Wanted; 3] = [
        Wanted { name: "name", spellings: &["name", "full name"], required: true },
        Wanted { name: "count", spellings: &["count"], required: true },
        Wanted { name: "note", spellings: &["note"], required: false },
    ];

    /// Writes `text` to `name` in a fresh folder and reads it with [`COLUMNS`].
    fn read(name: &str, text: &str) -> (tempfile::TempDir, Result<Table>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        let table = Table::read(&path, &COLUMNS, "(name)");
        (dir, table)
    }

    #[test]
    fn reads_wanted_columns_as_trimmed_text_and_skips_blank_rows() {
        let text = "\n\u{feff}Full_Name|Other|COUNT\n Ann |x|3\n||\n\"Bob\nJr\"||\n";
        let (_dir, table) = read("t.txt", text);
        let table = table.unwrap();
        assert_eq!(table.rows(), [0, 2]);
        assert!(table.has(0) && table.has(1) && !table.has(2));
        assert_eq!(table.text(0, 0), Some("Ann"));
        assert_eq!(table.text(0, 2), None);
        assert_eq!(table.count(0, 1, "expected people").unwrap(), 3.0);
        assert_eq!(table.header(), "line 2");
        assert_eq!(table.at(2, 0), "line 5, column name");
        let message = table.count(2, 1, "expected people").unwrap_err().to_string();
        assert!(message.ends_with("t.txt: line 5, column count: count is blank; expected people"), "{message}");
    }

    #[test]
    fn numbers_and_counts_are_checked_with_the_standard_messages() {
        let (_dir, table) = read("n.csv", "name,count\na,2.5\nb,-1\nc,x\nd,NaN\ne,7\n");
        let table = table.unwrap();
        let error =
            |row, f: fn(&Table, usize, usize, &str) -> Result<f64>| f(&table, row, 1, "help").unwrap_err().to_string();
        assert!(error(0, Table::count).ends_with("line 2, column count: count `2.5` is not a whole number; help"));
        assert_eq!(table.number(0, 1, "help").unwrap(), 2.5);
        assert!(error(1, Table::number).ends_with("line 3, column count: count `-1` is negative; help"));
        assert!(error(2, Table::number).ends_with("line 4, column count: count `x` is not a number; help"));
        assert!(error(3, Table::number).ends_with("`NaN` is not a number; help"));
        assert_eq!(table.count(4, 1, "help").unwrap(), 7.0);
    }

    #[test]
    fn messages_name_the_columns_wanted() {
        let (_dir, table) = read("e.csv", "");
        let message = table.err().unwrap().to_string();
        assert!(message.contains("naming at least the columns name and count, then one row per (name)"), "{message}");
        let (_dir, table) = read("h.csv", "name,count\n,\n");
        let message = table.err().unwrap().to_string();
        assert!(message.ends_with("has a header row but no data rows; expected one row per (name)"), "{message}");
    }

    #[test]
    fn record_lines_count_lines_inside_quotes() {
        let text = b"a,b\n1,\"x\ny\"\n2,z\n";
        assert_eq!(record_line(text, 0), Some(1));
        assert_eq!(record_line(text, 1), Some(2));
        assert_eq!(record_line(text, 2), Some(4));
        assert_eq!(record_line(text, 3), None);
        assert_eq!(sniff_separator(b"a;b;\"c,d,e\"\n1,2"), b';');
        assert_eq!(normalise_header("\u{feff} Staff_in-Post "), "staff in post");
        assert_eq!(skip_blank_lines(b" \r\n\na,b\n"), (4, 3));
    }
}
