//! Reading a baseline of staff in post (CSV or Parquet ESR extract) into clean cell totals.
//!
//! An ESR extract carries many more columns than the model needs and one row per
//! organisation (or even per assignment). [`load`] finds the columns it needs by
//! name, in any of their usual spellings, checks every value it reads, and sums the rows
//! of each (role, band, region) cell. Any bad value is reported with the file, the line
//! (CSV, counting the header as line 1) or row (Parquet), the column and the text found.
use crate::table::{Table, Wanted};
use std::collections::BTreeMap;
use std::path::Path;
use wfcast_core::band::Band;
use wfcast_core::baseline::{
    Baseline, BaselineOrganisation, BaselineRow, ByOrganisation, DEFAULT_REGION, FTE_ROUNDING_PER_HEAD,
};
use wfcast_core::error::Result;
use wfcast_core::names::Spellings;

/// Reads a CSV or Parquet extract.
///
/// Parquet is chosen by the extension `.parquet` or `.pq` (or the Parquet magic bytes);
/// anything else must be UTF-8 CSV text with a header row (a byte-order mark and
/// Windows line endings are fine; a tab, semicolon or pipe separator is recognised
/// from the header line; blank lines before the header are skipped). The columns are
/// found by name, ignoring case, spaces, underscores and hyphens: role (`role`,
/// `job role`, `specialism`), band (`band`, `afc band`, `pay band`), optional region
/// (`region`, `nhse region`, `region name`), headcount (`headcount`, `head count`,
/// `staff in post`), optional FTE (`fte`, `wte`) and optional establishment
/// (`establishment_fte`, `establishment`). Other columns are ignored, and so are rows
/// that are blank in every column. Rows of the same cell are summed.
///
/// Role and region names that are the same but for case and spacing (the one rule of
/// [`wfcast_core::names`]: `Data Science`, `DATA SCIENCE`, `data  science`) are one name,
/// spelled as on most rows (the first met among equals); each such merge is a sentence in
/// [`Baseline::warnings`].
pub fn load(path: &Path) -> Result<Baseline> {
    read(path, false)
}

/// Reads a CSV or Parquet extract as [`load`] does and, when it has an
/// organisation column (`org code`, `organisation code`, `org_code`, `organisation`, ...;
/// names from `org name` or `organisation name` where present), keeps the staff in post by
/// organisation too, in [`Baseline::organisations`]. Organisation codes written in several
/// spellings (case and spacing aside) are merged as role names are.
pub fn load_by_organisation(path: &Path) -> Result<Baseline> {
    read(path, true)
}

fn read(path: &Path, by_organisation: bool) -> Result<Baseline> {
    let wanted: &[Wanted] = if by_organisation { &LOAD_COLUMNS } else { &COLUMNS };
    let table = Table::read(path, wanted, ROW)?;
    let mut rows: Vec<BaselineRow> = table.rows().iter().map(|&row| read_row(&table, row)).collect::<Result<_>>()?;
    let mut warnings = merge_spellings(path, &mut rows).warnings;
    let organisations = (by_organisation && table.has(ORG_CODE)).then(|| {
        let (orgs, merged) = by_organisation_rows(&table, &rows);
        warnings.extend(merged);
        orgs
    });
    Ok(Baseline { organisations, warnings, ..from_table(&table, rows) })
}

/// The names of a table of cells once their spellings are merged (see [`merge_spellings`]).
pub(crate) struct Merged {
    /// The spellings of the roles met.
    pub roles: Spellings,
    /// The spellings of the regions met.
    pub regions: Spellings,
    /// One sentence per name met in more than one spelling.
    pub warnings: Vec<String>,
}

/// Spells each role and region of `rows` (read from `path`) one way: names that are the same
/// by the one rule of [`wfcast_core::names`] (case and spacing aside) take the spelling on
/// most rows, the first met among equals.
pub(crate) fn merge_spellings<'a>(path: &Path, rows: impl IntoIterator<Item = &'a mut BaselineRow>) -> Merged {
    let mut rows: Vec<&mut BaselineRow> = rows.into_iter().collect();
    let (mut roles, mut regions) = (Spellings::new(), Spellings::new());
    for r in &rows {
        roles.add(&r.role);
        regions.add(&r.region);
    }
    let respell = |name: &mut String, spellings: &Spellings| {
        if let Some(kept) = spellings.kept(name)
            && kept != name.as_str()
        {
            *name = kept.to_string();
        }
    };
    if roles.merged() || regions.merged() {
        for r in rows.iter_mut() {
            respell(&mut r.role, &roles);
            respell(&mut r.region, &regions);
        }
    }
    let place = path.display().to_string();
    let warnings = [roles.merges("role", &place), regions.merges("region", &place)].concat();
    Merged { roles, regions, warnings }
}

/// Builds a baseline from rows read from `table` (whose first columns are [`COLUMNS`]),
/// summing rows of the same cell: the path and which columns it had come from the table.
pub(crate) fn from_table(table: &Table, rows: Vec<BaselineRow>) -> Baseline {
    Baseline {
        has_region: table.has(REGION),
        has_fte: table.has(FTE),
        has_establishment: table.has(ESTABLISHMENT),
        ..Baseline::from_rows(table.path(), rows)
    }
}

/// What one row of a baseline is, for messages.
pub(crate) const ROW: &str = "(role, band[, region])";

/// Position of the role column in [`COLUMNS`].
pub(crate) const ROLE: usize = 0;
/// Position of the band column in [`COLUMNS`].
pub(crate) const BAND: usize = 1;
/// Position of the region column in [`COLUMNS`].
pub(crate) const REGION: usize = 2;
const HEADCOUNT: usize = 3;
const FTE: usize = 4;
const ESTABLISHMENT: usize = 5;

/// The columns a baseline reads. Role, band and region come first so that other tables of
/// cells (history flows) read them with [`read_cell`].
pub(crate) const COLUMNS: [Wanted; 6] = [
    Wanted { name: "role", spellings: &["role", "job role", "specialism"], required: true },
    Wanted { name: "band", spellings: &["band", "afc band", "pay band", "agenda for change band"], required: true },
    Wanted {
        name: "region",
        spellings: &["region", "nhse region", "region name", "nhse region name"],
        required: false,
    },
    Wanted { name: "headcount", spellings: &["headcount", "head count", "staff in post"], required: true },
    Wanted {
        name: "fte",
        spellings: &["fte", "wte", "full time equivalent", "whole time equivalent"],
        required: false,
    },
    Wanted { name: "establishment_fte", spellings: &["establishment fte", "establishment"], required: false },
];

/// Position of the organisation code column in [`LOAD_COLUMNS`].
const ORG_CODE: usize = 6;
/// Position of the organisation name column in [`LOAD_COLUMNS`].
const ORG_NAME: usize = 7;

/// The columns [`Baseline::load_by_organisation`] reads: [`COLUMNS`] and the organisation's
/// code and name.
const LOAD_COLUMNS: [Wanted; 8] = [
    COLUMNS[0],
    COLUMNS[1],
    COLUMNS[2],
    COLUMNS[3],
    COLUMNS[4],
    COLUMNS[5],
    Wanted {
        name: "org_code",
        spellings: &[
            "org code",
            "organisation code",
            "organization code",
            "organisation",
            "organization",
            "trust code",
        ],
        required: false,
    },
    Wanted {
        name: "org_name",
        spellings: &["org name", "organisation name", "organization name", "trust name"],
        required: false,
    },
];

/// The rows of `table` (read as `rows`) by organisation, with a sentence per organisation code
/// written in more than one spelling (merged as the roles are, case and spacing aside).
fn by_organisation_rows(table: &Table, rows: &[BaselineRow]) -> (ByOrganisation, Vec<String>) {
    let mut codes = Spellings::new();
    for &r in table.rows() {
        if let Some(code) = table.text(r, ORG_CODE) {
            codes.add(code);
        }
    }
    let mut problem = None;
    // Code -> (name, region, first table row).
    let mut seen: BTreeMap<String, (String, String, usize)> = BTreeMap::new();
    let mut by_org = Vec::with_capacity(rows.len());
    for (&r, row) in table.rows().iter().zip(rows) {
        let Some(code) = table.text(r, ORG_CODE).and_then(|c| codes.kept(c)) else {
            problem.get_or_insert_with(|| {
                (table.at(r, ORG_CODE), "org_code is blank; expected an organisation code".to_string())
            });
            continue;
        };
        let name = table.text(r, ORG_NAME).unwrap_or(code);
        let (_, region, first) =
            seen.entry(code.to_string()).or_insert_with(|| (name.to_string(), row.region.clone(), r));
        if *region != row.region {
            let earlier = table.at(*first, ORG_CODE);
            let earlier = earlier.split(',').next().unwrap_or_default();
            problem.get_or_insert_with(|| {
                (
                    table.at(r, REGION),
                    format!(
                        "organisation `{code}` is in region `{}` here but in `{region}` on {earlier}: expected one region per organisation",
                        row.region
                    ),
                )
            });
        }
        by_org.push(BaselineRow { region: code.to_string(), ..row.clone() });
    }
    let organisations =
        seen.into_iter().map(|(code, (name, region, _))| BaselineOrganisation { code, name, region }).collect();
    let merged = codes.merges("organisation", &table.path().display().to_string());
    (ByOrganisation { organisations, rows: Baseline::from_rows(table.path(), by_org).rows, problem }, merged)
}

/// What a headcount must be, for messages.
pub(crate) const HEADCOUNT_HELP: &str = "expected a whole number of people, 0 or more";
/// What an FTE must be, for messages.
const FTE_HELP: &str = "expected a number of FTE, 0 or more and at most the headcount";
/// What an establishment must be, for messages.
const ESTABLISHMENT_HELP: &str = "expected the funded establishment in FTE, 0 or more";

/// The cell of `row` in a table whose first columns are role, band and region (as in
/// [`COLUMNS`]): the region is [`DEFAULT_REGION`] when the table has no region column.
pub(crate) fn read_cell(table: &Table, row: usize) -> Result<(&str, Band, &str)> {
    let role = table.required(row, ROLE, "expected a role name")?;
    let band = table.band(row, BAND)?;
    let region =
        if table.has(REGION) { table.required(row, REGION, "expected a region name")? } else { DEFAULT_REGION };
    Ok((role, band, region))
}

/// Reads and checks one row of a table whose first columns are [`COLUMNS`].
pub(crate) fn read_row(table: &Table, row: usize) -> Result<BaselineRow> {
    let (role, band, region) = read_cell(table, row)?;
    let headcount = table.count(row, HEADCOUNT, HEADCOUNT_HELP)?;
    let fte = if table.has(FTE) {
        let fte = table.number(row, FTE, FTE_HELP)?;
        if fte > headcount * (1.0 + FTE_ROUNDING_PER_HEAD) + 1e-9 {
            let text = |k| table.text(row, k).unwrap_or_default();
            return Err(table.error(
                row,
                FTE,
                format!(
                    "fte {} > headcount {}; FTE can exceed headcount only by rounding ({FTE_ROUNDING_PER_HEAD} per head)",
                    text(FTE),
                    text(HEADCOUNT)
                ),
            ));
        }
        fte
    } else {
        headcount
    };
    let establishment_fte =
        if table.has(ESTABLISHMENT) { Some(table.number(row, ESTABLISHMENT, ESTABLISHMENT_HELP)?) } else { None };
    Ok(BaselineRow { role: role.to_string(), band, region: region.to_string(), headcount, fte, establishment_fte })
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{DataFrame, NamedFrom, ParquetWriter, Series};
    use std::fs;
    use wfcast_core::band::BAND_HELP;
    use wfcast_core::error::Error;

    /// Writes `bytes` to `name` in a fresh temporary folder and loads it.
    fn load_bytes(name: &str, bytes: &[u8]) -> (tempfile::TempDir, Result<Baseline>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let result = load(&path);
        (dir, result)
    }

    /// Loads `text` from `name` and returns the error message, which must be an input error
    /// naming the file.
    fn input_error(name: &str, text: &str) -> String {
        let (_dir, result) = load_bytes(name, text.as_bytes());
        let err = result.expect_err("the file should be refused");
        assert!(matches!(err, Error::Input { .. }), "{err:?}");
        assert_eq!(err.exit_code(), 2);
        let message = err.to_string();
        assert!(message.contains(name), "no file name in: {message}");
        message
    }

    fn assert_has(message: &str, parts: &[&str]) {
        for part in parts {
            assert!(message.contains(part), "`{part}` missing from: {message}");
        }
    }

    fn row(role: &str, band: Band, region: &str, hc: f64, fte: f64, est: Option<f64>) -> BaselineRow {
        BaselineRow {
            role: role.to_string(),
            band,
            region: region.to_string(),
            headcount: hc,
            fte,
            establishment_fte: est,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// An ESR-like extract: byte-order mark, CRLF, extra columns, odd header case and
    /// spacing, band spellings, several organisations per cell, quoted fields.
    const ESR: &str = "\u{feff}Org Code, Organisation Name ,Staff Group,Job_Role,AfC Band, NHSE Region ,Occupation Code,Staff in Post,WTE,Establishment_FTE\r\n\
        RXX,\"Trust A, Foundation\",Admin,Data Analyst,Band 5,London,G1A,10,9.5,11\r\n\
        RYY,Trust B,Admin,Data Analyst,5,London,G1A,4,3.5,4\r\n\
        RZZ,Trust C,Admin, Data Analyst ,Band 8 - Range A,London,G1A,2,2,3\r\n\
        RXX,Trust A,Admin,Data Analyst,8A,London,G1A,1,1,1\r\n\
        RQQ,Trust D,Admin,Data Analyst,AfC Band 8a,North West,G1A,3,2.8,3.5\r\n\
        RQQ,Trust D,Admin,Clinical Coder,Band 4,North West,G1A,7,6.2,8\r\n\
        RPP,Trust E,Admin,Clinical Coder,4,North West,G1A,5,5,5\r\n";

    fn esr_expected() -> Vec<BaselineRow> {
        vec![
            row("Clinical Coder", Band::B4, "North West", 12.0, 11.2, Some(13.0)),
            row("Data Analyst", Band::B5, "London", 14.0, 13.0, Some(15.0)),
            row("Data Analyst", Band::B8a, "London", 3.0, 3.0, Some(4.0)),
            row("Data Analyst", Band::B8a, "North West", 3.0, 2.8, Some(3.5)),
        ]
    }

    fn assert_rows(got: &[BaselineRow], want: &[BaselineRow]) {
        assert_eq!(got.len(), want.len(), "{got:#?}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!((&g.role, g.band, &g.region), (&w.role, w.band, &w.region));
            assert!(close(g.headcount, w.headcount), "{g:?} vs {w:?}");
            assert!(close(g.fte, w.fte), "{g:?} vs {w:?}");
            match (g.establishment_fte, w.establishment_fte) {
                (Some(a), Some(b)) => assert!(close(a, b), "{g:?} vs {w:?}"),
                (a, b) => assert_eq!(a, b),
            }
        }
    }

    #[test]
    fn esr_csv_with_bom_crlf_and_extra_columns_sums_each_cell() {
        let (_dir, result) = load_bytes("esr.csv", ESR.as_bytes());
        let baseline = result.unwrap();
        assert!(baseline.has_region && baseline.has_fte && baseline.has_establishment);
        assert_rows(&baseline.rows, &esr_expected());
        assert_eq!(baseline.total_headcount(), 32.0);
        assert!(close(baseline.total_fte(), 30.0));
        assert!(close(baseline.total_establishment_fte().unwrap(), 35.5));
        assert_eq!(baseline.roles(), ["Clinical Coder", "Data Analyst"]);
        assert_eq!(baseline.regions(), ["London", "North West"]);
        let cell = baseline.get("Data Analyst", Band::B5, "London").unwrap();
        assert_eq!(cell.headcount, 14.0);
        assert!(baseline.get("Data Analyst", Band::B6, "London").is_none());
        assert!(baseline.path.ends_with("esr.csv"));
    }

    #[test]
    fn spellings_of_one_name_are_merged_as_the_most_common_and_reported() {
        let text = "Org Code,role,band,region,headcount\nRXX,DATA SCIENCE,5,london,1\nrxx ,Data Science,5,London,2\n\
            RXX,Data Science,6,London,3\nRYY,data  science,6,North,4\nRYY,Data Science,7,North,5\n";
        let (dir, result) = load_bytes("mixed.csv", text.as_bytes());
        let baseline = result.unwrap();
        assert_eq!(baseline.roles(), ["Data Science"]);
        assert_eq!(baseline.regions(), ["London", "North"]);
        assert_eq!(baseline.get("Data Science", Band::B5, "London").unwrap().headcount, 3.0);
        assert_eq!(baseline.get("Data Science", Band::B6, "North").unwrap().headcount, 4.0);
        let file = dir.path().join("mixed.csv").display().to_string();
        assert_eq!(
            baseline.warnings,
            [
                format!(
                    "role `Data Science` is also written `DATA SCIENCE` (1 row) and `data  science` (1 row) in {file}: merged as `Data Science`"
                ),
                format!("region `London` is also written `london` (1 row) in {file}: merged as `London`"),
            ]
        );
        // By organisation, codes merge too, and `london` is no second region of RXX.
        let by_org = load_by_organisation(&dir.path().join("mixed.csv")).unwrap();
        let orgs = by_org.organisations.unwrap();
        assert_eq!(orgs.problem, None);
        let codes: Vec<(&str, &str)> =
            orgs.organisations.iter().map(|o| (o.code.as_str(), o.region.as_str())).collect();
        assert_eq!(codes, [("RXX", "London"), ("RYY", "North")]);
        assert_eq!(by_org.warnings.len(), 3);
        assert!(by_org.warnings[2].starts_with("organisation `RXX` is also written `rxx` (1 row) in "));
        // Surrounding spaces alone are no other spelling.
        let (_dir, result) = load_bytes("trim.csv", b"role,band,headcount\nA,5,1\n A ,6,1\n");
        assert!(result.unwrap().warnings.is_empty());
    }

    #[test]
    fn no_region_column_puts_every_row_in_england_and_fte_defaults_to_headcount() {
        let text = "job role,pay band,head count\nData Engineer,6,3\nData Engineer,Band 6,2\nArchitect,8b,1\n";
        let (_dir, result) = load_bytes("national.txt", text.as_bytes());
        let baseline = result.unwrap();
        assert!(!baseline.has_region && !baseline.has_fte && !baseline.has_establishment);
        assert_eq!(
            baseline.rows,
            vec![
                row("Architect", Band::B8b, DEFAULT_REGION, 1.0, 1.0, None),
                row("Data Engineer", Band::B6, DEFAULT_REGION, 5.0, 5.0, None),
            ]
        );
        assert_eq!(baseline.regions(), ["England"]);
        assert_eq!(baseline.total_establishment_fte(), None);
    }

    #[test]
    fn other_extensions_are_sniffed_and_other_separators_recognised() {
        let text = "Specialism;Band;Region;Headcount;FTE\nCyber Security;7;Midlands;4;3,5\n";
        // "3,5" is not a number: decimal commas are refused, not misread.
        let message = input_error("semicolons.dat", text);
        assert_has(&message, &["line 2, column fte", "`3,5`"]);
        let text = "Specialism\tBand\tRegion\tHeadcount\tFTE\nCyber Security\t7\tMidlands\t4\t3.5\n";
        let (_dir, result) = load_bytes("tabs.tsv", text.as_bytes());
        assert_eq!(result.unwrap().rows, vec![row("Cyber Security", Band::B7, "Midlands", 4.0, 3.5, None)]);
    }

    #[test]
    fn by_organisation_keeps_each_organisation_and_its_region() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("esr.csv");
        fs::write(&path, ESR).unwrap();
        assert_eq!(load(&path).unwrap().organisations, None);
        let b = load_by_organisation(&path).unwrap();
        assert_rows(&b.rows, &esr_expected());
        let orgs = b.organisations.unwrap();
        assert_eq!(orgs.problem, None);
        let codes: Vec<(&str, &str, &str)> =
            orgs.organisations.iter().map(|o| (o.code.as_str(), o.name.as_str(), o.region.as_str())).collect();
        assert_eq!(codes[2], ("RXX", "Trust A, Foundation", "London"));
        assert_eq!(codes.len(), 5);
        assert_eq!(orgs.rows.iter().map(|r| r.headcount).sum::<f64>(), b.rows.iter().map(|r| r.headcount).sum::<f64>());
        assert!(orgs.rows.iter().any(|r| r.region == "RQQ" && r.band == Band::B8a && r.headcount == 3.0));

        // Without names, the code is the name; a blank code or a second region is a problem.
        fs::write(&path, "org_code,role,band,region,headcount\nA1,X,5,London,1\n,X,5,London,2\nA1,X,6,North,1\n")
            .unwrap();
        let orgs = load_by_organisation(&path).unwrap().organisations.unwrap();
        assert_eq!(orgs.organisations[0].name, "A1");
        let (at, message) = orgs.problem.unwrap();
        assert_eq!(at, "line 3, column org_code");
        assert!(message.contains("blank"), "{message}");
        fs::write(&path, "organisation,role,band,region,headcount\nA1,X,5,London,1\nA1,X,6,North,1\n").unwrap();
        let (at, message) = load_by_organisation(&path).unwrap().organisations.unwrap().problem.unwrap();
        assert_eq!(at, "line 3, column region");
        assert!(message.contains("`A1` is in region `North` here but in `London` on line 2"), "{message}");
    }

    #[test]
    fn blank_lines_are_skipped_and_later_lines_keep_their_numbers() {
        let text = "role,band,headcount\r\nA,5,1\r\n\r\n,,\r\nA,5,2\r\n\r\n\r\n";
        let (_dir, result) = load_bytes("blanks.csv", text.as_bytes());
        assert_eq!(result.unwrap().rows, vec![row("A", Band::B5, DEFAULT_REGION, 3.0, 3.0, None)]);
        let text = "role,band,headcount\nA,5,1\n\nA,5,x\n";
        assert_has(&input_error("gap.csv", text), &["line 4, column headcount", "`x`"]);
    }

    #[test]
    fn blank_lines_before_the_header_are_skipped() {
        let text = "\u{feff}\r\n\r\nFull-Time Equivalent,Role,Band,Headcount\r\n1,A,5,1\r\n2,A,5,x\r\n";
        let message = input_error("late_header.csv", text);
        assert_has(&message, &["line 5, column headcount", "`x`"]);
        let text = "\n\nrole,band\nA,5\n";
        assert_has(&input_error("late_header2.csv", text), &["line 3", "no headcount column"]);
        let text = "\nrole,band,headcount\nA,5,1\nA,5,1,1\n";
        assert_has(&input_error("late_ragged.csv", text), &["line 4", "4 fields"]);
        let text = "\n\nrole,band,headcount,wte\nA,5,2,1.5\n";
        let (_dir, result) = load_bytes("late_ok.csv", text.as_bytes());
        assert_eq!(result.unwrap().total_fte(), 1.5);
    }

    #[test]
    fn line_numbers_count_file_lines_inside_quoted_values() {
        let text = "role,band,headcount,note\nA,5,1,\"two\nlines\"\nB,12,1,x\n";
        let message = input_error("quoted.csv", text);
        assert_has(&message, &["line 4, column band", "`12`"]);
    }

    #[test]
    fn parquet_round_trip_matches_the_csv() {
        let dir = tempfile::tempdir().unwrap();
        let roles = [
            "Data Analyst",
            "Data Analyst",
            " Data Analyst ",
            "Data Analyst",
            "Data Analyst",
            "Clinical Coder",
            "Clinical Coder",
        ];
        let bands = ["Band 5", "5", "Band 8 - Range A", "8A", "AfC Band 8a", "Band 4", "4"];
        let regions = ["London", "London", "London", "London", "North West", "North West", "North West"];
        let columns = vec![
            Series::new("Org Code".into(), ["RXX", "RYY", "RZZ", "RXX", "RQQ", "RQQ", "RPP"]).into(),
            Series::new("Job Role".into(), roles).into(),
            Series::new("AFC_BAND".into(), bands).into(),
            Series::new("nhse region".into(), regions).into(),
            Series::new("Headcount".into(), [10i64, 4, 2, 1, 3, 7, 5]).into(),
            Series::new("fte".into(), [9.5, 3.5, 2.0, 1.0, 2.8, 6.2, 5.0]).into(),
            Series::new("establishment".into(), [11.0, 4.0, 3.0, 1.0, 3.5, 8.0, 5.0]).into(),
        ];
        let mut frame = DataFrame::new_infer_height(columns).unwrap();
        for name in ["esr.parquet", "esr.PQ", "esr_parquet_bytes.bin"] {
            let path = dir.path().join(name);
            ParquetWriter::new(fs::File::create(&path).unwrap()).finish(&mut frame).unwrap();
            let from_parquet = load(&path).unwrap();
            assert!(from_parquet.has_region && from_parquet.has_fte && from_parquet.has_establishment);
            assert_rows(&from_parquet.rows, &esr_expected());
        }
        let csv = dir.path().join("esr.csv");
        fs::write(&csv, ESR).unwrap();
        let from_csv = load(&csv).unwrap();
        let from_parquet = load(&dir.path().join("esr.parquet")).unwrap();
        assert_rows(&from_parquet.rows, &from_csv.rows);
    }

    #[test]
    fn parquet_errors_name_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.parquet");
        let columns = vec![
            Series::new("role".into(), ["A", "B"]).into(),
            Series::new("band".into(), ["5", "5"]).into(),
            Series::new("headcount".into(), [3.0, 2.5]).into(),
        ];
        let mut frame = DataFrame::new_infer_height(columns).unwrap();
        ParquetWriter::new(fs::File::create(&path).unwrap()).finish(&mut frame).unwrap();
        let message = load(&path).unwrap_err().to_string();
        assert_has(&message, &["bad.parquet", "row 2, column headcount", "2.5", "whole number"]);

        let path = dir.path().join("nulls.parquet");
        let columns = vec![
            Series::new("role".into(), [Some("A"), None]).into(),
            Series::new("band".into(), ["5", "5"]).into(),
            Series::new("headcount".into(), [3i64, 2]).into(),
        ];
        let mut frame = DataFrame::new_infer_height(columns).unwrap();
        ParquetWriter::new(fs::File::create(&path).unwrap()).finish(&mut frame).unwrap();
        let message = load(&path).unwrap_err().to_string();
        assert_has(&message, &["nulls.parquet", "row 2, column role", "blank"]);

        let path = dir.path().join("garbage.parquet");
        fs::write(&path, b"role,band,headcount\nA,5,1\n").unwrap();
        let message = load(&path).unwrap_err().to_string();
        assert_has(&message, &["garbage.parquet", "could not be read as Parquet"]);
    }

    #[test]
    fn unknown_band_is_refused() {
        let text = "role,band,headcount\nA,5,1\nA,Band 12,2\n";
        let message = input_error("band.csv", text);
        assert_has(&message, &["line 3, column band", "`Band 12`", BAND_HELP]);
    }

    #[test]
    fn negative_headcount_is_refused() {
        let text = "role,band,headcount\nA,5,1\nA,6,-2\n";
        let message = input_error("negative.csv", text);
        assert_has(&message, &["line 3, column headcount", "`-2`", "negative"]);
    }

    #[test]
    fn non_numeric_headcount_is_refused() {
        let text = "role,band,headcount\nA,5,1\nA,6,twelve\n";
        let message = input_error("words.csv", text);
        assert_has(&message, &["line 3, column headcount", "`twelve`", "not a number"]);
        let text = "role,band,headcount\nA,5,1\nA,6,NaN\n";
        assert_has(&input_error("nan.csv", text), &["line 3", "`NaN`", "not a number"]);
    }

    #[test]
    fn fractional_headcount_is_refused() {
        let text = "role,band,headcount\nA,5,1.0\nA,6,2.5\n";
        let message = input_error("fraction.csv", text);
        assert_has(&message, &["line 3, column headcount", "`2.5`", "whole number"]);
    }

    #[test]
    fn blank_headcount_is_refused() {
        let text = "role,band,headcount,org\nA,5,1,x\nA,6,,y\n";
        let message = input_error("blank_hc.csv", text);
        assert_has(&message, &["line 3, column headcount", "blank"]);
    }

    #[test]
    fn negative_fte_is_refused() {
        let text = "role,band,headcount,fte\nA,5,1,1\nA,6,2,-0.5\n";
        let message = input_error("negative_fte.csv", text);
        assert_has(&message, &["line 3, column fte", "`-0.5`", "negative"]);
    }

    #[test]
    fn non_numeric_fte_is_refused() {
        let text = "role,band,headcount,fte\nA,5,1,1\nA,6,2,n/a\n";
        let message = input_error("fte_words.csv", text);
        assert_has(&message, &["line 3, column fte", "`n/a`", "not a number"]);
    }

    #[test]
    fn blank_fte_is_refused() {
        let text = "role,band,headcount,fte\nA,5,1,1\nA,6,2,\n";
        let message = input_error("fte_blank.csv", text);
        assert_has(&message, &["line 3, column fte", "fte is blank"]);
    }

    #[test]
    fn fte_above_headcount_is_refused_beyond_rounding() {
        let text = "role,band,headcount,fte\nA,5,100,100.9\nA,6,3,3.5\n";
        let message = input_error("fte_high.csv", text);
        assert_has(&message, &["line 3, column fte", "fte 3.5 > headcount 3"]);
        // 0.01 per head is rounding.
        let text = "role,band,headcount,fte\nA,5,100,101\nA,6,3,3.03\n";
        let (_dir, result) = load_bytes("fte_rounding.csv", text.as_bytes());
        assert_eq!(result.unwrap().total_fte(), 104.03);
        let text = "role,band,headcount,fte\nA,5,0,0\nA,6,0,0.1\n";
        assert_has(&input_error("fte_no_heads.csv", text), &["line 3", "fte 0.1 > headcount 0"]);
    }

    #[test]
    fn bad_establishment_is_refused() {
        let text = "role,band,headcount,establishment_fte\nA,5,1,2\nA,6,2,-1\n";
        let message = input_error("est_negative.csv", text);
        assert_has(&message, &["line 3, column establishment_fte", "`-1`", "negative"]);
        let text = "role,band,headcount,establishment\nA,5,1,2\nA,6,2,lots\n";
        let message = input_error("est_words.csv", text);
        assert_has(&message, &["line 3, column establishment_fte", "`lots`", "not a number"]);
        let text = "role,band,headcount,establishment\nA,5,1,2\nA,6,2, \n";
        let message = input_error("est_blank.csv", text);
        assert_has(&message, &["line 3, column establishment_fte", "blank"]);
    }

    #[test]
    fn blank_role_or_region_is_refused() {
        let text = "role,band,region,headcount\nA,5,London,1\n  ,6,London,2\n";
        let message = input_error("role_blank.csv", text);
        assert_has(&message, &["line 3, column role", "role is blank"]);
        let text = "role,band,region,headcount\nA,5,London,1\nA,6,,2\n";
        let message = input_error("region_blank.csv", text);
        assert_has(&message, &["line 3, column region", "region is blank"]);
    }

    #[test]
    fn missing_column_lists_the_columns_found() {
        let text = "role,grade,headcount\nA,5,1\n";
        let message = input_error("no_band.csv", text);
        assert_has(&message, &["line 1", "no band column", "`afc band`", "columns found", "`grade`"]);
    }

    #[test]
    fn two_columns_for_one_field_are_refused() {
        let text = "role,job role,band,headcount\nA,B,5,1\n";
        let message = input_error("two_roles.csv", text);
        assert_has(&message, &["`role` and `job role`", "role column"]);
    }

    #[test]
    fn empty_file_is_refused() {
        assert_has(&input_error("empty.csv", ""), &["empty"]);
        assert_has(&input_error("bom_only.csv", "\u{feff}\r\n\r\n"), &["empty"]);
    }

    #[test]
    fn header_without_rows_is_refused() {
        let message = input_error("header_only.csv", "role,band,headcount\r\n");
        assert_has(&message, &["header row but no data rows"]);
        let message = input_error("header_blanks.csv", "role,band,headcount\n\n,,\n");
        assert_has(&message, &["header row but no data rows"]);
    }

    #[test]
    fn binary_garbage_is_not_a_csv() {
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let (_dir, result) = load_bytes("garbage.csv", &garbage);
        let message = result.unwrap_err().to_string();
        assert_has(&message, &["garbage.csv", "does not look like a CSV with a header row"]);
        let (_dir, result) = load_bytes("book.xlsx", b"PK\x03\x04\x14\x00\x06\x00rest");
        let message = result.unwrap_err().to_string();
        assert_has(&message, &["book.xlsx", "does not look like a CSV", "Excel"]);
    }

    #[test]
    fn one_column_of_prose_is_not_a_csv() {
        let message = input_error("notes.txt", "These are my notes.\nNothing tabular here.\n");
        assert_has(&message, &["does not look like a CSV with a header row", "`These are my notes.`"]);
    }

    #[test]
    fn non_utf8_text_names_the_line() {
        let (_dir, result) = load_bytes("latin1.csv", b"role,band,headcount\nA,5,1\nCaf\xe9,5,1\n");
        let message = result.unwrap_err().to_string();
        assert_has(&message, &["latin1.csv", "line 3", "UTF-8"]);
    }

    #[test]
    fn too_many_fields_names_the_line() {
        let text = "role,band,headcount\nA,5,1\nA,5,1,2\n";
        let message = input_error("ragged.csv", text);
        assert_has(&message, &["line 3", "4 fields", "header has 3"]);
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nowhere.csv");
        let err = load(&path).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("nowhere.csv"));
        assert_eq!(err.exit_code(), 1);
    }

    #[test]
    fn from_rows_sums_duplicates_and_sorts() {
        let baseline = Baseline::from_rows(
            "memory",
            vec![
                row("B", Band::B5, "London", 2.0, 1.5, None),
                row("A", Band::B7, "London", 1.0, 1.0, Some(2.0)),
                row("A", Band::B5, "North West", 3.0, 3.0, None),
                row("B", Band::B5, "London", 4.0, 4.0, Some(5.0)),
                row("A", Band::B5, "London", 1.0, 1.0, None),
            ],
        );
        assert!(baseline.has_establishment);
        assert_eq!(
            baseline.rows,
            vec![
                row("A", Band::B5, "London", 1.0, 1.0, None),
                row("A", Band::B5, "North West", 3.0, 3.0, None),
                row("A", Band::B7, "London", 1.0, 1.0, Some(2.0)),
                row("B", Band::B5, "London", 6.0, 5.5, Some(5.0)),
            ]
        );
        assert_eq!(baseline.total_headcount(), 11.0);
        assert_eq!(baseline.total_establishment_fte(), Some(7.0));
    }

    #[test]
    fn from_rows_agrees_with_load() {
        let (_dir, result) = load_bytes("esr.csv", ESR.as_bytes());
        let loaded = result.unwrap();
        let mut shuffled = loaded.rows.clone();
        shuffled.reverse();
        let rebuilt = Baseline::from_rows(loaded.path.clone(), shuffled);
        assert_eq!(rebuilt, loaded);
    }

    #[test]
    fn a_large_extract_loads_and_sums() {
        let roles = ["Data Analyst", "Data Engineer", "Clinical Coder", "Architect", "Tester"];
        let bands = ["Band 3", "4", "Band 5", "6", "7", "8A", "Band 8 - Range B", "8c"];
        let regions = [
            "London",
            "Midlands",
            "North West",
            "South East",
            "South West",
            "East of England",
            "North East and Yorkshire",
        ];
        let mut text = String::from("Org Code,Job Role,AfC Band,Region,Headcount,FTE\r\n");
        let n = 50_000;
        for i in 0..n {
            let hc = 1 + i % 7;
            text.push_str(&format!(
                "R{:04},{},{},{},{hc},{}\r\n",
                i % 1000,
                roles[i % roles.len()],
                bands[(i / 5) % bands.len()],
                regions[(i / 40) % regions.len()],
                hc as f64 * 0.9,
            ));
        }
        let (_dir, result) = load_bytes("large.csv", text.as_bytes());
        let baseline = result.unwrap();
        let expected: usize = (0..n).map(|i| 1 + i % 7).sum();
        assert_eq!(baseline.total_headcount(), expected as f64);
        assert!((baseline.total_fte() - expected as f64 * 0.9).abs() < 1e-6);
        assert_eq!(baseline.rows.len(), roles.len() * bands.len() * regions.len());
        assert!(
            baseline
                .rows
                .windows(2)
                .all(|w| { (&w[0].role, w[0].band, &w[0].region) < (&w[1].role, w[1].band, &w[1].region) })
        );
    }
}
