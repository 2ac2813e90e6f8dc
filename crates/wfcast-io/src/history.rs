//! Reading an ESR history (snapshots at dates, and optional flow counts per period) from
//! CSV or Parquet, and writing one back as CSV.
use crate::baseline::{self, BAND, HEADCOUNT_HELP, Merged, REGION, ROLE};
use crate::table::{Table, Wanted};
use polars::prelude::{Column, DataFrame};
use std::collections::BTreeMap;
use std::path::Path;
use wfcast_core::band::Band;
use wfcast_core::baseline::{Baseline, BaselineRow};
use wfcast_core::error::{Error, Result};
use wfcast_core::grid::unknown_name;
use wfcast_core::history::{FlowKind, FlowRow, History};
use wfcast_core::names::Spellings;
use wfcast_core::scenario::Month;

/// The date column of both files.
const DATE_COLUMN: Wanted = Wanted {
    name: "date",
    spellings: &["date", "snapshot", "snapshot date", "month", "period", "period end", "census date", "effective date"],
    required: true,
};
/// What a date must be, for messages.
const DATE_HELP: &str = "expected a month as `YYYY-MM`, `YYYY-MM-DD` or `DD/MM/YYYY`";

/// Position of the date column in the snapshots table, after the baseline's columns.
const SNAPSHOT_DATE: usize = baseline::COLUMNS.len();

/// Position of the date column in the flows table.
const FLOW_DATE: usize = 3;
/// Position of the flow column in the flows table.
const FLOW: usize = 4;
/// Position of the to_role column in the flows table.
const TO_ROLE: usize = 5;
/// Position of the count column in the flows table.
const COUNT: usize = 6;

/// The columns of a flows file: role, band and region first, as in a baseline, so that
/// [`baseline::read_cell`] reads them.
const FLOW_COLUMNS: [Wanted; 7] = [
    baseline::COLUMNS[ROLE],
    baseline::COLUMNS[BAND],
    baseline::COLUMNS[REGION],
    DATE_COLUMN,
    Wanted { name: "flow", spellings: &["flow", "flow type", "type"], required: true },
    Wanted { name: "to_role", spellings: &["to role", "to", "destination role"], required: false },
    Wanted { name: "count", spellings: &["count", "headcount", "number", "people"], required: true },
];
/// What a flow must be, for messages.
const FLOW_HELP: &str = "expected leavers, joiners, progressed or transfer";

/// Reads a snapshots file and, optionally, a flows file (each CSV or Parquet, read as
/// [`Table::read`] reads them).
///
/// The snapshots file has a baseline's columns (see [`Baseline::load`]) and a date
/// column (`date`, `snapshot`, `snapshot date`, `month`, `period`, `period end`, `census
/// date`, `effective date`) holding `YYYY-MM`, `YYYY-MM-DD` or `DD/MM/YYYY`, of which only
/// the month counts. The rows of each month make one snapshot, checked and summed as a
/// baseline; at least two months are needed.
///
/// The flows file has columns date, role, band, optional region (present exactly when the
/// snapshots have one), `flow` (`flow`, `flow type`, `type`: leavers, joiners, progressed
/// or transfer, in several spellings, any case), optional `to_role` (`to role`, `to`,
/// `destination role`: the role moved to, on transfer rows only) and `count` (`count`,
/// `headcount`, `number`, `people`: a whole number, 0 or more). Dates must be snapshot
/// dates after the first, roles and regions those of the snapshots. Rows of the same
/// (date, role, band, region, flow) are summed.
///
/// Names are compared by the one rule of [`wfcast_core::names`] (case and spacing aside): the
/// snapshots' spellings of one role or region are merged over every date into the one on most
/// rows, the flows take the snapshots' spelling, and each merge is a sentence in
/// [`History::warnings`].
pub fn load(snapshots: &Path, flows: Option<&Path>) -> Result<History> {
    let wanted: Vec<Wanted> = baseline::COLUMNS.iter().copied().chain([DATE_COLUMN]).collect();
    let table = Table::read(snapshots, &wanted, "(date, role, band[, region])")?;
    let mut by_date: BTreeMap<Month, Vec<BaselineRow>> = BTreeMap::new();
    for &row in table.rows() {
        let date = read_date(&table, row, SNAPSHOT_DATE)?;
        by_date.entry(date).or_default().push(baseline::read_row(&table, row)?);
    }
    // One spelling per name over every date, so that a role is one series throughout.
    let merged = baseline::merge_spellings(snapshots, by_date.values_mut().flatten());
    if let [only] = by_date.keys().collect::<Vec<_>>()[..] {
        return Err(Error::input(
            snapshots,
            "column date",
            format!("every row is dated {only}; a history needs snapshots at two dates or more"),
        ));
    }
    let (dates, snapshots_read) =
        by_date.into_iter().map(|(date, rows)| (date, crate::baseline::from_table(&table, rows))).unzip();
    let mut history = History {
        path: snapshots.to_path_buf(),
        flows_path: flows.map(Path::to_path_buf),
        dates,
        snapshots: snapshots_read,
        flows: None,
        warnings: merged.warnings.clone(),
    };
    if let Some(flows) = flows {
        let (rows, warnings) = read_flows(&history, flows, &merged)?;
        history.flows = Some(rows);
        history.warnings.extend(warnings);
    }
    Ok(history)
}

/// Reads and checks a flows file against the snapshots (whose names were `merged`), spelling
/// each role and region as the snapshots do; returns the rows and a sentence per name the
/// flows spell otherwise.
fn read_flows(history: &History, path: &Path, merged: &Merged) -> Result<(Vec<FlowRow>, Vec<String>)> {
    let table = Table::read(path, &FLOW_COLUMNS, "(date, role, band[, region], flow)")?;
    let has_region = history.snapshots[0].has_region;
    if table.has(REGION) != has_region {
        let message = if has_region {
            format!(
                "has no region column but the snapshots have one; expected a region column headed `{}`",
                FLOW_COLUMNS[REGION].spellings.join("`, `")
            )
        } else {
            "has a region column but the snapshots have none; remove it, or give the snapshots a region column".into()
        };
        return Err(Error::input(path, table.header(), message));
    }
    let mut roles = Spellings::known(merged.roles.names());
    let mut regions = Spellings::known(merged.regions.names());
    let mut sums: BTreeMap<(Month, String, Band, String, FlowKind), f64> = BTreeMap::new();
    for &row in table.rows() {
        let (role, band, region) = baseline::read_cell(&table, row)?;
        let role = check_known(&table, row, ROLE, role, &mut roles)?;
        let region = if has_region { check_known(&table, row, REGION, region, &mut regions)? } else { region.into() };
        let date = read_date(&table, row, FLOW_DATE)?;
        if !history.dates[1..].contains(&date) {
            let text = table.text(row, FLOW_DATE).unwrap_or_default();
            let allowed: Vec<String> = history.dates[1..].iter().map(Month::to_string).collect();
            return Err(table.error(
                row,
                FLOW_DATE,
                format!(
                    "date `{text}` is not a snapshot date after the first; expected one of {} (a flow dated D counts the period that ends with the snapshot at D)",
                    allowed.join(", ")
                ),
            ));
        }
        let kind = read_kind(&table, row, &role, &mut roles)?;
        let count = table.count(row, COUNT, HEADCOUNT_HELP)?;
        *sums.entry((date, role, band, region, kind)).or_default() += count;
    }
    let rows = sums
        .into_iter()
        .map(|((date, role, band, region, kind), count)| FlowRow { date, role, band, region, kind, count })
        .collect();
    let place = path.display().to_string();
    Ok((rows, [roles.merges("role", &place), regions.merges("region", &place)].concat()))
}

/// Writes the history as CSV in the format [`load`] reads, each file whole
/// (written under a temporary name beside it, then renamed into place).
///
/// The snapshots file has the columns `date,role,band,region,headcount,fte,establishment_fte`:
/// region only when the snapshots have regions, fte and establishment_fte only when they
/// have those columns. The flows, when the history has them and `flows` is given, go to
/// `flows` with the columns `date,role,band,region,flow,to_role,count` (region as for the
/// snapshots). Dates are written `YYYY-MM`, bands by their labels, numbers in their
/// shortest exact form (`12`, `9.5`); rows in date, role, band, region (and flow) order.
pub fn write_csv(history: &History, snapshots: &Path, flows: Option<&Path>) -> Result<()> {
    let has = |flag: fn(&Baseline) -> bool| history.snapshots.iter().any(flag);
    let (has_region, has_fte, has_establishment) =
        (has(|s| s.has_region), has(|s| s.has_fte), has(|s| s.has_establishment));
    let mut out = CsvColumns::default();
    for (date, snapshot) in history.dates.iter().zip(&history.snapshots) {
        for r in &snapshot.rows {
            out.push("date", Some(date.to_string()));
            out.push("role", Some(r.role.clone()));
            out.push("band", Some(r.band.to_string()));
            if has_region {
                out.push("region", Some(r.region.clone()));
            }
            out.push("headcount", Some(r.headcount.to_string()));
            if has_fte {
                out.push("fte", Some(r.fte.to_string()));
            }
            if has_establishment {
                out.push("establishment_fte", r.establishment_fte.map(|e| e.to_string()));
            }
        }
    }
    out.write(snapshots)?;
    if let (Some(path), Some(rows)) = (flows, &history.flows) {
        let mut out = CsvColumns::default();
        for r in rows {
            out.push("date", Some(r.date.to_string()));
            out.push("role", Some(r.role.clone()));
            out.push("band", Some(r.band.to_string()));
            if has_region {
                out.push("region", Some(r.region.clone()));
            }
            out.push("flow", Some(r.kind.name().to_string()));
            let to = match &r.kind {
                FlowKind::Transfer { to } => Some(to.clone()),
                _ => None,
            };
            out.push("to_role", to);
            out.push("count", Some(r.count.to_string()));
        }
        out.write(path)?;
    }
    Ok(())
}

/// Columns of text built row by row (each row pushes the same columns in the same order),
/// then written as one CSV file.
#[derive(Default)]
struct CsvColumns {
    columns: Vec<(&'static str, Vec<Option<String>>)>,
}

impl CsvColumns {
    /// Appends a value to column `name`, adding the column when it is new.
    fn push(&mut self, name: &'static str, value: Option<String>) {
        match self.columns.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => self.columns.push((name, vec![value])),
        }
    }

    /// Writes the columns to `path` with a header row (blank for `None`), whole or not at all.
    fn write(self, path: &Path) -> Result<()> {
        let columns = self.columns.into_iter().map(|(name, values)| Column::new(name.into(), values)).collect();
        let frame =
            DataFrame::new_infer_height(columns).map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
        crate::export::write_csv(path, frame)
    }
}

/// Reads a date, `YYYY-MM`, `YYYY-MM-DD` or `DD/MM/YYYY` (month and day may have one
/// digit; a day must exist in its month; a time after the date is ignored), as its month.
fn parse_date(text: &str) -> Option<Month> {
    // A date-and-time cell (`2019-03-31 00:00:00`, `2019-03-31T00:00:00`) is read as its date.
    let text = text.split([' ', 'T']).next().unwrap_or(text);
    let parts: Vec<&str> = text.split(['-', '/']).collect();
    let (year, month, day) = match parts[..] {
        [y, m] if text.contains('-') => (y, m, None),
        [y, m, d] if !text.contains('/') => (y, m, Some(d)),
        [d, m, y] if !text.contains('-') => (y, m, Some(d)),
        _ => return None,
    };
    let number = |s: &str, digits: std::ops::RangeInclusive<usize>| -> Option<i32> {
        (digits.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    let (year, month) = (number(year, 4..=4)?, number(month, 1..=2)?);
    if !(1..=12).contains(&month) {
        return None;
    }
    if let Some(day) = day {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if !(1..=days).contains(&number(day, 1..=2)?) {
            return None;
        }
    }
    Some(Month(year * 12 + month - 1))
}

/// The month of the date in column `k` on `row`.
fn read_date(table: &Table, row: usize, k: usize) -> Result<Month> {
    let text = table.required(row, k, DATE_HELP)?;
    parse_date(text).ok_or_else(|| table.error(row, k, format!("date `{text}` is not a date; {DATE_HELP}")))
}

/// The snapshots' spelling of a role or region (column `k`), counting the spelling met in
/// `known`; refuses a name that no snapshot has (case and spacing aside), suggesting the nearest.
fn check_known(table: &Table, row: usize, k: usize, name: &str, known: &mut Spellings) -> Result<String> {
    if let Some(kept) = known.kept(name) {
        let kept = kept.to_string();
        known.add(name);
        return Ok(kept);
    }
    let what = if k == REGION { "region" } else { "role" };
    let mut names: Vec<String> = known.names().map(str::to_string).collect();
    names.sort();
    Err(table.error(
        row,
        k,
        format!("{}; a flow's {what} must be one the snapshots have", unknown_name(what, name, &names)),
    ))
}

/// The flow on `row` of a flows table, counted in a cell of `role`.
fn read_kind(table: &Table, row: usize, role: &str, roles: &mut Spellings) -> Result<FlowKind> {
    let text = table.required(row, FLOW, FLOW_HELP)?;
    let to = table.text(row, TO_ROLE);
    let kind = match text.to_lowercase().as_str() {
        "leavers" | "leaver" | "left" => FlowKind::Leavers,
        "joiners" | "joiner" | "starters" | "starter" => FlowKind::Joiners,
        "progressed" | "progression" | "promoted" => FlowKind::Progressed,
        "transfer" | "transfers" | "transferred" => {
            let to = to.ok_or_else(|| match table.has(TO_ROLE) {
                true => table.error(row, TO_ROLE, "to_role is blank; a transfer needs the role moved to"),
                false => table.error(
                    row,
                    FLOW,
                    format!(
                        "flow `{text}` needs the role moved to, but the file has no to_role column (headed `{}`)",
                        FLOW_COLUMNS[TO_ROLE].spellings.join("`, `")
                    ),
                ),
            })?;
            let to = check_known(table, row, TO_ROLE, to, roles)?;
            if to == role {
                return Err(table.error(
                    row,
                    TO_ROLE,
                    format!("transfer from `{role}` to `{to}`, the same role; expected another role"),
                ));
            }
            return Ok(FlowKind::Transfer { to });
        }
        _ => return Err(table.error(row, FLOW, format!("flow `{text}` is not a kind of flow; {FLOW_HELP}"))),
    };
    match to {
        Some(to) => Err(table.error(
            row,
            TO_ROLE,
            format!("to_role `{to}` is given on a {} row; only transfer rows name the role moved to", kind.name()),
        )),
        None => Ok(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{NamedFrom, ParquetWriter, Series};
    use std::fs;
    use std::path::PathBuf;

    /// Two organisations per cell, three dates in three spellings, extra columns.
    const SNAPSHOTS: &str = "Org Code,Snapshot Date,Job Role,AfC Band,Region,Staff in Post,FTE\n\
        RXX,2019-03,Data Analyst,Band 5,London,10,9.5\n\
        RYY,31/03/2019,Data Analyst,5,London,4,4\n\
        RXX,2019-03-31,Clinical Coder,4,North West,7,6\n\
        RXX,2019-06,Data Analyst,5,London,12,11\n\
        RYY,2019-06,Data Analyst,6,London,3,3\n\
        RXX,2019-06,Clinical Coder,4,North West,6,5.5\n\
        RXX,2019-09,Data Analyst,5,London,11,10\n\
        RXX,2019-09,Clinical Coder,4,North West,6,6\n";

    const FLOWS: &str = "date,role,band,region,flow,to_role,count\n\
        2019-06,Data Analyst,5,London,leavers,,2\n\
        2019-06,Data Analyst,Band 5,London,Leaver,,1\n\
        2019-06,Data Analyst,5,London,progressed,,3\n\
        2019-06,Clinical Coder,4,North West,transfer,Data Analyst,1\n\
        2019-06,Data Analyst,5,London,JOINERS,,4\n\
        30/09/2019,Clinical Coder,4,North West,starters,,1\n";

    /// Writes the files into a fresh folder and loads them.
    fn load(snapshots: &str, flows: Option<&str>) -> (tempfile::TempDir, Result<History>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshots.csv");
        fs::write(&path, snapshots).unwrap();
        let flows_path = flows.map(|text| {
            let p = dir.path().join("flows.csv");
            fs::write(&p, text).unwrap();
            p
        });
        let result = super::load(&path, flows_path.as_deref());
        (dir, result)
    }

    /// The input error message of loading these files, which must name `file`.
    fn refused(snapshots: &str, flows: Option<&str>, file: &str) -> String {
        let (_dir, result) = load(snapshots, flows);
        let err = result.expect_err("the files should be refused");
        assert_eq!(err.exit_code(), 2, "{err}");
        let message = err.to_string();
        assert!(message.contains(file), "no `{file}` in: {message}");
        message
    }

    fn assert_has(message: &str, parts: &[&str]) {
        for part in parts {
            assert!(message.contains(part), "`{part}` missing from: {message}");
        }
    }

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    /// The history with every path emptied, to compare histories read from different files.
    fn without_paths(mut history: History) -> History {
        history.path = PathBuf::new();
        history.flows_path = None;
        for s in &mut history.snapshots {
            s.path = PathBuf::new();
        }
        history
    }

    fn flow(date: &str, role: &str, band: Band, kind: FlowKind, count: f64) -> FlowRow {
        FlowRow { date: month(date), role: role.into(), band, region: "London".into(), kind, count }
    }

    #[test]
    fn snapshots_and_flows_load_with_organisations_summed() {
        let (_dir, result) = load(SNAPSHOTS, Some(FLOWS));
        let history = result.unwrap();
        assert_eq!(history.dates, [month("2019-03"), month("2019-06"), month("2019-09")]);
        let first = &history.snapshots[0];
        assert!(first.has_region && first.has_fte && !first.has_establishment);
        let cell = first.get("Data Analyst", Band::B5, "London").unwrap();
        assert_eq!((cell.headcount, cell.fte), (14.0, 13.5));
        assert_eq!(first.total_headcount(), 21.0);
        assert_eq!(history.snapshots[1].rows.len(), 3);
        assert_eq!(history.snapshots[2].total_fte(), 16.0);
        assert!(history.flows_path.as_ref().unwrap().ends_with("flows.csv"));
        let flows = history.flows.unwrap();
        let mut coder =
            flow("2019-06", "Clinical Coder", Band::B4, FlowKind::Transfer { to: "Data Analyst".into() }, 1.0);
        coder.region = "North West".into();
        let mut starters = flow("2019-09", "Clinical Coder", Band::B4, FlowKind::Joiners, 1.0);
        starters.region = "North West".into();
        assert_eq!(
            flows,
            [
                coder,
                flow("2019-06", "Data Analyst", Band::B5, FlowKind::Leavers, 3.0),
                flow("2019-06", "Data Analyst", Band::B5, FlowKind::Joiners, 4.0),
                flow("2019-06", "Data Analyst", Band::B5, FlowKind::Progressed, 3.0),
                starters,
            ]
        );
    }

    #[test]
    fn snapshots_without_flows_or_regions_load() {
        let text = "month,role,band,headcount\n2020-01,A,5,2\n2020-01,A,5,3\n2021-01,A,5,4\n";
        let (_dir, result) = load(text, None);
        let history = result.unwrap();
        assert_eq!(history.flows, None);
        assert!(!history.snapshots[0].has_region && !history.snapshots[0].has_fte);
        assert_eq!(history.snapshots[0].rows[0].region, wfcast_core::baseline::DEFAULT_REGION);
        assert_eq!(history.snapshots[0].total_headcount(), 5.0);
    }

    #[test]
    fn dates_are_read_in_three_forms_and_checked() {
        for (text, want) in [
            ("2019-03", "2019-03"),
            ("2019-03-31", "2019-03"),
            ("31/03/2019", "2019-03"),
            ("1/2/2020", "2020-02"),
            ("2019-03-31 00:00:00", "2019-03"),
            ("2019-03-31T00:00:00", "2019-03"),
        ] {
            assert_eq!(parse_date(text), Some(month(want)), "{text}");
        }
        assert_eq!(parse_date("29/02/2020"), Some(month("2020-02")));
        for text in ["2019-13", "2019-02-29", "31/04/2019", "2019/03/01", "03-2019", "2019-03-01-02", "March 2019", ""]
        {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn bad_snapshot_values_name_the_line() {
        let text = "date,role,band,headcount\n2019-03,A,5,1\n2019-13,A,5,1\n";
        let message = refused(text, None, "snapshots.csv");
        assert_has(&message, &["line 3, column date", "`2019-13`", "YYYY-MM"]);
        let text = "date,role,band,headcount,fte\n2019-03,A,5,1,1\n2019-06,A,5,2,2.5\n";
        assert_has(&refused(text, None, "snapshots.csv"), &["line 3, column fte", "fte 2.5 > headcount 2"]);
        let text = "date,role,band,headcount\n2019-03,A,5,1\n,A,5,1\n";
        assert_has(&refused(text, None, "snapshots.csv"), &["line 3, column date", "date is blank"]);
        let text = "role,band,headcount\nA,5,1\n";
        assert_has(&refused(text, None, "snapshots.csv"), &["line 1", "no date column", "`snapshot date`"]);
    }

    #[test]
    fn one_snapshot_date_is_not_a_history() {
        let text = "date,role,band,headcount\n2019-03,A,5,1\n2019-03-31,B,5,1\n";
        let message = refused(text, None, "snapshots.csv");
        assert_has(&message, &["column date", "every row is dated 2019-03", "two dates"]);
    }

    #[test]
    fn a_flow_dated_at_the_first_snapshot_or_between_is_refused() {
        let flows = "date,role,band,region,flow,count\n2019-06,Data Analyst,5,London,leavers,1\n2019-03,Data Analyst,5,London,leavers,1\n";
        let message = refused(SNAPSHOTS, Some(flows), "flows.csv");
        assert_has(&message, &["line 3, column date", "`2019-03`", "2019-06, 2019-09"]);
        let flows = "date,role,band,region,flow,count\n2019-07,Data Analyst,5,London,leavers,1\n";
        assert_has(&refused(SNAPSHOTS, Some(flows), "flows.csv"), &["line 2, column date", "`2019-07`"]);
    }

    #[test]
    fn spellings_of_one_name_are_merged_over_every_date_and_in_the_flows() {
        let snapshots = "date,role,band,region,headcount\n2019-03,data analyst,5,London,2\n\
            2019-06,Data Analyst,5,london,3\n2019-09,Data Analyst,5,London,4\n2019-09,DATA analyst,6,London,1\n";
        let flows = "date,role,band,region,flow,to_role,count\n2019-06,data  ANALYST,5,LONDON,leavers,,1\n\
            2019-09,Data Analyst,5,London,leavers,,2\n";
        let (_dir, result) = load(snapshots, Some(flows));
        let history = result.unwrap();
        for s in &history.snapshots {
            assert!(s.rows.iter().all(|r| (r.role.as_str(), r.region.as_str()) == ("Data Analyst", "London")));
        }
        let flows = history.flows.unwrap();
        assert_eq!(flows.len(), 2);
        assert!(flows.iter().all(|f| (f.role.as_str(), f.region.as_str()) == ("Data Analyst", "London")));
        assert_eq!(history.warnings.len(), 4, "{:?}", history.warnings);
        assert!(
            history.warnings[0].starts_with(
                "role `Data Analyst` is also written `data analyst` (1 row) and `DATA analyst` (1 row) in "
            )
        );
        assert!(history.warnings[1].starts_with("region `London` is also written `london` (1 row) in "));
        assert!(history.warnings[2].starts_with("role `Data Analyst` is also written `data  ANALYST` (1 row) in "));
        assert!(history.warnings[3].ends_with("flows.csv: merged as `London`"), "{:?}", history.warnings);
        let (_dir, result) = load(SNAPSHOTS, Some(FLOWS));
        assert!(result.unwrap().warnings.is_empty());
    }

    #[test]
    fn unknown_roles_and_regions_are_refused_with_a_suggestion() {
        let flows = "date,role,band,region,flow,count\n2019-06,Data Analist,5,London,leavers,1\n";
        let message = refused(SNAPSHOTS, Some(flows), "flows.csv");
        assert_has(&message, &["line 2, column role", "`Data Analist`", "did you mean `Data Analyst`"]);
        let flows =
            "date,role,band,region,flow,to_role,count\n2019-06,Data Analyst,5,London,transfer,Clinical Codr,1\n";
        let message = refused(SNAPSHOTS, Some(flows), "flows.csv");
        assert_has(&message, &["line 2, column to_role", "`Clinical Codr`", "did you mean `Clinical Coder`"]);
        let flows = "date,role,band,region,flow,count\n2019-06,Data Analyst,5,Londn,leavers,1\n";
        let message = refused(SNAPSHOTS, Some(flows), "flows.csv");
        assert_has(&message, &["line 2, column region", "`Londn`", "did you mean `London`"]);
    }

    #[test]
    fn transfers_need_another_role_and_only_transfers_name_one() {
        let head = "date,role,band,region,flow,to_role,count\n";
        let flows = format!("{head}2019-06,Data Analyst,5,London,transfer,Data Analyst,1\n");
        let message = refused(SNAPSHOTS, Some(&flows), "flows.csv");
        assert_has(&message, &["line 2, column to_role", "`Data Analyst`", "same role"]);
        let flows =
            format!("{head}2019-06,Data Analyst,5,London,leavers,,1\n2019-06,Data Analyst,5,London,transfers,,1\n");
        let message = refused(SNAPSHOTS, Some(&flows), "flows.csv");
        assert_has(&message, &["line 3, column to_role", "to_role is blank"]);
        let flows = format!("{head}2019-06,Data Analyst,5,London,left,Clinical Coder,1\n");
        let message = refused(SNAPSHOTS, Some(&flows), "flows.csv");
        assert_has(&message, &["line 2, column to_role", "`Clinical Coder`", "leavers row"]);
        let flows = "date,role,band,region,flow,count\n2019-06,Data Analyst,5,London,transferred,1\n";
        let message = refused(SNAPSHOTS, Some(flows), "flows.csv");
        assert_has(&message, &["line 2, column flow", "`transferred`", "no to_role column"]);
    }

    #[test]
    fn bad_flow_kinds_and_counts_are_refused() {
        let head = "date,role,band,region,flow,count\n";
        let message =
            refused(SNAPSHOTS, Some(&format!("{head}2019-06,Data Analyst,5,London,retired,1\n")), "flows.csv");
        assert_has(&message, &["line 2, column flow", "`retired`", FLOW_HELP]);
        let message =
            refused(SNAPSHOTS, Some(&format!("{head}2019-06,Data Analyst,5,London,leavers,1.5\n")), "flows.csv");
        assert_has(&message, &["line 2, column count", "`1.5`", "whole number"]);
        let message =
            refused(SNAPSHOTS, Some(&format!("{head}2019-06,Data Analyst,5,London,leavers,-1\n")), "flows.csv");
        assert_has(&message, &["line 2, column count", "`-1`", "negative"]);
        let message =
            refused(SNAPSHOTS, Some(&format!("{head}2019-06,Data Analyst,15,London,leavers,1\n")), "flows.csv");
        assert_has(&message, &["line 2, column band", "`15`"]);
    }

    #[test]
    fn region_columns_must_match() {
        let flows = "date,role,band,flow,count\n2019-06,Data Analyst,5,leavers,1\n";
        let message = refused(SNAPSHOTS, Some(flows), "flows.csv");
        assert_has(&message, &["line 1", "no region column", "snapshots have one"]);
        let snapshots = "date,role,band,headcount\n2019-03,A,5,1\n2019-06,A,5,1\n";
        let flows = "date,role,band,region,flow,count\n2019-06,A,5,London,leavers,1\n";
        let message = refused(snapshots, Some(flows), "flows.csv");
        assert_has(&message, &["line 1", "has a region column", "snapshots have none"]);
    }

    #[test]
    fn parquet_snapshots_load_as_the_csv() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("snapshots.csv");
        fs::write(&csv, SNAPSHOTS).unwrap();
        let columns = vec![
            Series::new("Org Code".into(), ["RXX", "RYY", "RXX", "RXX", "RYY", "RXX", "RXX", "RXX"]).into(),
            Series::new(
                "Snapshot Date".into(),
                ["2019-03", "31/03/2019", "2019-03-31", "2019-06", "2019-06", "2019-06", "2019-09", "2019-09"],
            )
            .into(),
            Series::new(
                "Job Role".into(),
                ["Data Analyst", "Data Analyst", "Clinical Coder", "Data Analyst", "Data Analyst", "Clinical Coder"]
                    .into_iter()
                    .chain(["Data Analyst", "Clinical Coder"])
                    .collect::<Vec<_>>(),
            )
            .into(),
            Series::new("AfC Band".into(), ["Band 5", "5", "4", "5", "6", "4", "5", "4"]).into(),
            Series::new(
                "Region".into(),
                ["London", "London", "North West", "London", "London", "North West", "London", "North West"],
            )
            .into(),
            Series::new("Staff in Post".into(), [10i64, 4, 7, 12, 3, 6, 11, 6]).into(),
            Series::new("FTE".into(), [9.5, 4.0, 6.0, 11.0, 3.0, 5.5, 10.0, 6.0]).into(),
        ];
        let mut frame = DataFrame::new_infer_height(columns).unwrap();
        let parquet = dir.path().join("snapshots.parquet");
        ParquetWriter::new(fs::File::create(&parquet).unwrap()).finish(&mut frame).unwrap();
        let flows = dir.path().join("flows.csv");
        fs::write(&flows, FLOWS).unwrap();
        let from_parquet = super::load(&parquet, Some(&flows)).unwrap();
        let from_csv = super::load(&csv, Some(&flows)).unwrap();
        assert_eq!(without_paths(from_parquet), without_paths(from_csv));

        let columns = vec![
            Series::new("date".into(), ["2019-03", "2019-06"]).into(),
            Series::new("role".into(), ["A", "A"]).into(),
            Series::new("band".into(), ["5", "5"]).into(),
            Series::new("headcount".into(), [1.0, 2.5]).into(),
        ];
        let mut frame = DataFrame::new_infer_height(columns).unwrap();
        let bad = dir.path().join("bad.parquet");
        ParquetWriter::new(fs::File::create(&bad).unwrap()).finish(&mut frame).unwrap();
        let message = super::load(&bad, None).unwrap_err().to_string();
        assert_has(&message, &["bad.parquet", "row 2, column headcount", "`2.5`"]);
    }

    #[test]
    fn until_keeps_the_snapshots_and_flows_up_to_a_month() {
        let (_dir, result) = load(SNAPSHOTS, Some(FLOWS));
        let history = result.unwrap();
        let cut = history.until(month("2019-08")).unwrap();
        assert_eq!(cut.dates, [month("2019-03"), month("2019-06")]);
        assert_eq!(cut.snapshots, history.snapshots[..2]);
        assert_eq!(cut.flows.as_ref().unwrap().len(), 4);
        assert!(cut.flows.unwrap().iter().all(|f| f.date == month("2019-06")));
        assert_eq!(history.until(month("2019-09")).unwrap(), history);
        assert_eq!(history.until(month("2019-05")), None);
        assert_eq!(history.until(month("2018-01")), None);
    }

    #[test]
    fn written_csv_loads_back_equal() {
        let dir = tempfile::tempdir().unwrap();
        let snapshots = "date,role,band,region,headcount,fte,establishment_fte\n\
            2019-03,\"Data, Analyst\",8a,London,3,2.8,3.5\n2019-03,\"Data, Analyst\",8A,London,1,0.1,1\n\
            2019-03,B,5,North West,2,2,2\n2019-06,B,5,North West,2,1.5,2\n";
        let flows = "date,role,band,region,flow,to_role,count\n2019-06,B,5,North West,transfer,\"Data, Analyst\",1\n\
            2019-06,B,5,North West,leavers,,1\n";
        let (_in, result) = load(snapshots, Some(flows));
        let history = result.unwrap();
        let (s, f) = (dir.path().join("s.csv"), dir.path().join("f.csv"));
        write_csv(&history, &s, Some(&f)).unwrap();
        let written = fs::read_to_string(&s).unwrap();
        assert!(written.starts_with("date,role,band,region,headcount,fte,establishment_fte\n"), "{written}");
        assert!(written.contains("2019-03,B,5,North West,2,2,2\n"), "{written}");
        assert!(written.contains("2019-03,\"Data, Analyst\",8a,London,4,2.9,4.5\n"), "{written}");
        let written = fs::read_to_string(&f).unwrap();
        assert_eq!(
            written,
            "date,role,band,region,flow,to_role,count\n2019-06,B,5,North West,leavers,,1\n\
             2019-06,B,5,North West,transfer,\"Data, Analyst\",1\n"
        );
        let names: Vec<String> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert_eq!(names.len(), 2, "temporary files left: {names:?}");
        let back = super::load(&s, Some(&f)).unwrap();
        assert_eq!(without_paths(back), without_paths(history));

        let text = "month,role,band,headcount\n2020-01,A,5,2\n2021-01,A,5,4\n";
        let (_in, result) = load(text, None);
        let history = result.unwrap();
        write_csv(&history, &s, None).unwrap();
        assert_eq!(fs::read_to_string(&s).unwrap(), "date,role,band,headcount\n2020-01,A,5,2\n2021-01,A,5,4\n");
        assert_eq!(without_paths(super::load(&s, None).unwrap()), without_paths(history));
    }
}
