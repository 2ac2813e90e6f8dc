//! The CIO toolkit end to end: template, filled workbook, aggregate, run, compare.

use crate::common::{find, of_role, outputs, read_summary, wfcast, write};
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::Workbook;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use wfcast_core::engine::Mode;
use wfcast_core::runner::{self, RunOptions};
use wfcast_core::scenario::Scenario;
use wfcast_core::summary::{Level, Metric};
use wfcast_toolkit::{self as toolkit, AggregateOptions, REGIONS, TemplateOptions, YEARS};

/// A small ESR-shaped extract: three organisations in two regions, with the columns and
/// spellings of a real one.
const EXTRACT: &str = "\u{feff}Org Code,Org Name,Region,Staff Group,Job Role,Band,Headcount,FTE\r\n\
    AAA,Alpha Hospitals NHS Trust,London,Admin,Data Science,Band 6,4,3.6\r\n\
    AAA,Alpha Hospitals NHS Trust,London,Admin,Data Science,Band 7,2,2\r\n\
    AAA,Alpha Hospitals NHS Trust,London,Admin,Clinical Coding,Band 4,12,10.8\r\n\
    BBB,Beta Community NHS Trust,London,Admin,Data Science,Band 6,1,1\r\n\
    BBB,Beta Community NHS Trust,London,Admin,Cyber Security,Band 7,3,3\r\n\
    CCC,Gamma Hospitals NHS Trust,North West,Admin,Clinical Coding,Band 4,7,6.3\r\n\
    CCC,Gamma Hospitals NHS Trust,North West,Admin,Cyber Security,Band 6,2,1.5\r\n\
    DDD,Delta Integrated Care Board,Midlands,Admin,Data Science,Band 8a,1,1\r\n";

/// Every sheet of a workbook, as grids of cells (row-major, from A1).
type Book = Vec<(String, Vec<Vec<Data>>)>;

/// A change made to a workbook.
type Edit = Box<dyn Fn(&mut Book)>;

fn open(path: &Path) -> Book {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let (rows, cols) = range.end().map_or((0, 0), |(r, c)| (r as usize + 1, c as usize + 1));
            let grid = (0..rows)
                .map(|r| {
                    (0..cols).map(|c| range.get_value((r as u32, c as u32)).cloned().unwrap_or_default()).collect()
                })
                .collect();
            (name, grid)
        })
        .collect()
}

/// Writes a workbook cell by cell, as a CIO's Excel would save it (values only).
fn save(book: &Book, path: &Path) {
    let mut out = Workbook::new();
    for (name, grid) in book {
        let sheet = out.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in grid.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Data::String(s) => {
                        sheet.write_string(r, c, s).unwrap();
                    }
                    Data::Float(x) => {
                        sheet.write_number(r, c, *x).unwrap();
                    }
                    Data::Int(x) => {
                        sheet.write_number(r, c, *x as f64).unwrap();
                    }
                    Data::Bool(b) => {
                        sheet.write_boolean(r, c, *b).unwrap();
                    }
                    _ => {}
                }
            }
        }
    }
    out.save(path).unwrap();
}

fn sheet<'a>(book: &'a mut Book, name: &str) -> &'a mut Vec<Vec<Data>> {
    &mut book.iter_mut().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no sheet {name}")).1
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(x) => x.to_string(),
        _ => String::new(),
    }
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(x) => *x,
        Data::Int(x) => *x as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn set(grid: &mut [Vec<Data>], row: usize, col: usize, value: Data) {
    if grid[row].len() <= col {
        grid[row].resize(col + 1, Data::Empty);
    }
    grid[row][col] = value;
}

/// What the test expects the nation to add up to.
#[derive(Default)]
struct Expected {
    /// Headcount per (role, region).
    headcount: BTreeMap<(String, String), f64>,
    /// Demand per (future, role) at each 31 March 2025..2030.
    demand: BTreeMap<(String, String), [f64; 6]>,
}

/// Templates for AAA, BBB and CCC from the extract, filled in by editing the workbooks'
/// Demand cells (each future its own growth per organisation) and adding a supply row;
/// returns the filled workbooks and the sums they should give.
fn filled_workbooks(dir: &Path) -> (Vec<PathBuf>, Expected) {
    let extract = write(dir, "esr.csv", EXTRACT);
    let templates = dir.join("templates");
    let filled = dir.join("filled");
    fs::create_dir_all(&filled).unwrap();
    let mut expected = Expected::default();
    let mut paths = Vec::new();
    for (i, (org, region)) in [("AAA", "London"), ("BBB", "London"), ("CCC", "North West")].into_iter().enumerate() {
        let options = TemplateOptions { baseline: Some(extract.clone()), ..TemplateOptions::new(org) };
        let written = toolkit::write_template(&options, &templates).unwrap();
        assert_eq!(written, [templates.join(format!("{org}.xlsx")), templates.join(format!("{org}.toml"))]);
        let mut book = open(&written[0]);
        assert!(
            ["About", "Staff in post", "Demand", "Supply", "Guide"].iter().all(|s| book.iter().any(|(n, _)| n == s)),
            "sheets: {:?}",
            book.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
        // Staff in post, pre-filled from the extract, with the establishment at FTE / 0.92.
        let mut establishment: BTreeMap<(String, String), f64> = BTreeMap::new();
        for row in sheet(&mut book, "Staff in post").iter().skip(1) {
            if row.len() < 5 || text(&row[0]).is_empty() || row[2] == Data::Empty {
                continue;
            }
            let (role, band) = (text(&row[0]), text(&row[1]));
            let (hc, fte, est) = (number(&row[2]), number(&row[3]), number(&row[4]));
            assert_eq!(est, (fte / 0.92 * 10.0).round() / 10.0, "{org} {role} {band}");
            *expected.headcount.entry((role.clone(), region.to_string())).or_default() += hc;
            establishment.insert((role, band), est);
        }
        // Demand: the template starts every future at the establishment; the CIO edits it.
        let demand = sheet(&mut book, "Demand");
        assert_eq!(
            demand[0].iter().map(text).collect::<Vec<_>>()[..4],
            ["Role", "Band", "Future", "FTE at 31 Mar 2026"].map(String::from)
        );
        for row in demand.iter_mut().skip(1) {
            if row.len() < 8 || text(&row[0]).is_empty() {
                continue;
            }
            let (role, band, future) = (text(&row[0]), text(&row[1]), text(&row[2]));
            let est = establishment[&(role.clone(), band)];
            assert!(row[3..8].iter().all(|d| number(d) == est), "{org}: demand starts at the establishment");
            let growth = if future == "steady" { 0.5 } else { 1.0 + i as f64 };
            let sums = expected.demand.entry((future, role)).or_default();
            sums[0] += est;
            for k in 0..5 {
                let v = est + growth * (k + 1) as f64;
                row[3 + k] = Data::Float(v);
                sums[k + 1] += v;
            }
        }
        // A new post that has no staff yet, in one future.
        if org == "BBB" {
            let demand = sheet(&mut book, "Demand");
            let r = demand.iter().position(|row| row.iter().all(|d| *d == Data::Empty)).unwrap_or(demand.len());
            if r == demand.len() {
                demand.push(Vec::new());
            }
            for (c, v) in ["Data Engineering", "7", "accelerated"].iter().enumerate() {
                set(demand, r, c, Data::String(v.to_string()));
            }
            for k in 0..5 {
                set(demand, r, 3 + k, Data::Float(1.0 + k as f64));
            }
            let sums = expected.demand.entry(("accelerated".into(), "Data Engineering".into())).or_default();
            for k in 0..5 {
                sums[k + 1] += 1.0 + k as f64;
            }
        }
        // Supply: a graduate scheme and recruitment.
        let supply = sheet(&mut book, "Supply");
        if supply.len() < 3 {
            supply.resize(3, Vec::new());
        }
        let route = [
            Data::String("Graduate DDaT scheme".into()),
            Data::String("pipeline".into()),
            Data::String(if org == "CCC" { "Cyber Security" } else { "Data Science" }.into()),
            Data::String("6".into()),
            Data::Float(2.0),
            Data::Float(12.0),
            Data::String("80%".into()),
            Data::Empty,
        ];
        for (c, v) in route.into_iter().enumerate() {
            set(supply, 1, c, v);
        }
        for (c, v) in [(0, "External recruitment"), (1, "vacancy-fill")] {
            set(supply, 2, c, Data::String(v.into()));
        }
        set(supply, 2, 7, Data::Float(0.6));
        let path = filled.join(format!("{org}.xlsx"));
        save(&book, &path);
        paths.push(path);
    }
    (paths, expected)
}

#[test]
fn template_fill_aggregate_run_adds_up_to_the_organisations() {
    let dir = tempfile::tempdir().unwrap();
    let (workbooks, expected) = filled_workbooks(dir.path());
    assert_eq!(expected.headcount.len(), 5, "{:?}", expected.headcount);
    assert_eq!(expected.demand.len(), 7, "{:?}", expected.demand.keys());
    let out = dir.path().join("national").join("national.toml");
    let report = toolkit::aggregate(&[dir.path().join("filled")], &AggregateOptions::default(), &out).unwrap();
    assert_eq!(report.included.iter().map(|i| i.org_code.as_str()).collect::<Vec<_>>(), ["AAA", "BBB", "CCC"]);
    assert!(report.left_out.is_empty());
    assert_eq!(report.futures, ["steady".to_string(), "accelerated".to_string()]);
    let national = out.parent().unwrap();
    assert_eq!(
        report.written,
        ["national.csv", "national.toml", "national-steady.toml", "national-accelerated.toml"]
            .map(|f| national.join(f))
    );
    let common = fs::read_to_string(&out).unwrap();
    for part in [
        "London (2): AAA, BBB",
        "North West (1): CCC",
        "Left out: none",
        "name = \"Graduate DDaT scheme\"",
        "intake = 6.0",
    ] {
        assert!(common.contains(part), "`{part}` missing from national.toml:\n{common}");
    }
    assert_eq!(workbooks.len(), 3);

    // Each future, run deterministically through the binary: the national numbers are the
    // organisations' sums.
    let runs = dir.path().join("runs");
    for future in ["steady", "accelerated"] {
        let file = national.join(format!("national-{future}.toml"));
        let assert = wfcast()
            .arg("run")
            .arg(&file)
            .args(["--deterministic", "--levels", "role,role_region", "--out"])
            .arg(&runs)
            .assert();
        let (stdout, stderr) = outputs(&assert);
        assert!(assert.get_output().status.success(), "run {future}: {stdout}\n{stderr}");
        let rows = read_summary(&runs.join(format!("national-{future}")).join("summary.csv"));
        for ((role, region), hc) in &expected.headcount {
            let got = find(&rows, "2025-03", "role_region", [role, "", region], "headcount").mean;
            assert!((got - hc).abs() < 1e-9, "{future}: headcount of {role} in {region}: {got} vs {hc}");
        }
        for ((f, role), sums) in expected.demand.iter().filter(|((f, _), _)| f == future) {
            for (k, want) in sums.iter().enumerate() {
                let date = format!("{}-03", 2025 + k);
                let got = of_role(&rows, &date, role, "demand_fte");
                assert!((got - want).abs() < 1e-6, "{f}: demand of {role} at {date}: {got} vs {want}");
            }
        }
    }
    // Comparing the futures works (common random numbers through the shared parent).
    let assert = wfcast()
        .arg("compare")
        .arg(national.join("national-steady.toml"))
        .arg(national.join("national-accelerated.toml"))
        .args(["--runs", "4", "--out"])
        .arg(dir.path().join("compare"))
        .assert();
    let (stdout, stderr) = outputs(&assert);
    assert!(assert.get_output().status.success(), "compare: {stdout}\n{stderr}");
}

#[test]
fn bad_workbooks_give_errors_naming_file_sheet_cell_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let (workbooks, _) = filled_workbooks(dir.path());
    let good = open(&workbooks[0]);
    let bad_dir = dir.path().join("bad");
    fs::create_dir_all(&bad_dir).unwrap();
    let cases: Vec<(&str, Edit, Vec<&str>)> = vec![
        (
            "text.xlsx",
            Box::new(|b: &mut Book| set(sheet(b, "Staff in post"), 1, 2, Data::String("about ten".into()))),
            vec!["sheet Staff in post, cell C2", "`about ten` is not a number"],
        ),
        (
            "typo.xlsx",
            Box::new(|b: &mut Book| set(sheet(b, "Demand"), 1, 0, Data::String("Clinical Codng".into()))),
            vec!["sheet Demand, cell A2", "`Clinical Codng` is not a known role", "did you mean `Clinical Coding`"],
        ),
        (
            "band.xlsx",
            Box::new(|b: &mut Book| set(sheet(b, "Staff in post"), 2, 1, Data::String("Band 10".into()))),
            vec!["sheet Staff in post, cell B3", "`Band 10` is not an AfC band", "8a"],
        ),
        ("sheet.xlsx", Box::new(|b: &mut Book| b.retain(|(n, _)| n != "Supply")), vec!["sheet Supply", "missing"]),
        (
            "future.xlsx",
            Box::new(|b: &mut Book| set(sheet(b, "Demand"), 1, 2, Data::String("optimistic".into()))),
            vec!["sheet Demand, cell C2", "`optimistic`", "`steady` or `accelerated`"],
        ),
    ];
    for (name, edit, parts) in cases {
        let mut book = good.clone();
        edit(&mut book);
        let path = bad_dir.join(name);
        save(&book, &path);
        let err = toolkit::read_submission(&path).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{name}: {err}");
        let message = err.to_string();
        assert!(message.contains(name), "{name}: no file in: {message}");
        for part in parts {
            assert!(message.contains(part), "{name}: `{part}` missing from: {message}");
        }
    }
}

#[test]
fn skip_invalid_leaves_the_bad_submission_out_and_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    let (workbooks, _) = filled_workbooks(dir.path());
    let mut bad = open(&workbooks[2]);
    set(sheet(&mut bad, "Staff in post"), 1, 3, Data::Float(-2.0));
    save(&bad, &workbooks[2]);
    let out = dir.path().join("national").join("national.toml");

    // Without --skip-invalid: the error, and nothing written.
    let err = toolkit::aggregate(&workbooks, &AggregateOptions::default(), &out).unwrap_err().to_string();
    assert!(err.contains("CCC.xlsx") && err.contains("cell D2") && err.contains("`-2` is negative"), "{err}");
    assert!(!out.parent().unwrap().exists(), "something was written: {:?}", fs::read_dir(out.parent().unwrap()));

    let options = AggregateOptions { skip_invalid: true, ..AggregateOptions::default() };
    let report = toolkit::aggregate(&workbooks, &options, &out).unwrap();
    assert_eq!(report.included.iter().map(|i| i.org_code.as_str()).collect::<Vec<_>>(), ["AAA", "BBB"]);
    assert_eq!(report.left_out.len(), 1);
    assert_eq!(report.left_out[0].path, workbooks[2]);
    assert!(report.left_out[0].error.contains("`-2` is negative"), "{:?}", report.left_out);
    let common = fs::read_to_string(&out).unwrap();
    assert!(common.contains("Left out (1 invalid submissions") && common.contains("CCC.xlsx"), "{common}");
    assert!(common.contains("North West (0)"), "{common}");
    let csv = fs::read_to_string(out.with_file_name("national.csv")).unwrap();
    assert!(!csv.contains("CCC"), "{csv}");

    // Two submissions for one organisation fail, skip or not.
    fs::copy(&workbooks[0], dir.path().join("AAA-again.xlsx")).unwrap();
    let paths = vec![workbooks[0].clone(), dir.path().join("AAA-again.xlsx")];
    let err = toolkit::aggregate(&paths, &options, &out).unwrap_err().to_string();
    assert!(err.contains("AAA-again.xlsx") && err.contains("two submissions for one organisation"), "{err}");
}

#[test]
fn the_shipped_submissions_read_and_aggregate() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/submissions");
    let files = toolkit::submission_files(std::slice::from_ref(&folder)).unwrap();
    assert!(files.len() >= 20, "{} submissions in {}", files.len(), folder.display());
    assert!(files.iter().any(|f| f.extension().is_some_and(|e| e == "toml")));
    let subs: Vec<_> = files.iter().map(|f| toolkit::read_submission(f).unwrap_or_else(|e| panic!("{e}"))).collect();
    for region in REGIONS {
        assert!(subs.iter().any(|s| s.region == region), "no submission from {region}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("national.toml");
    let report = toolkit::aggregate(&[folder], &AggregateOptions::default(), &out).unwrap();
    assert_eq!(report.included.len(), files.len());
    for (fi, future) in report.futures.iter().enumerate() {
        let scenario = Scenario::load(&out.with_file_name(format!("national-{future}.toml"))).unwrap();
        let model = wfcast_io::scenario::compile(&scenario).unwrap();
        let opts = RunOptions { mode: Mode::Deterministic, levels: vec![Level::Total], ..Default::default() };
        let run = runner::run_scenario(&scenario, &model, String::new(), &opts, &|| {}).unwrap();
        let staff: f64 = subs.iter().flat_map(|s| &s.staff).map(|r| r.headcount).sum();
        let got = run.stat(0, Level::Total, &Metric::Headcount, 0).unwrap().mean;
        assert!((got - staff).abs() < 1e-6, "{future}: headcount {got} vs {staff}");
        for (k, year) in YEARS.iter().enumerate() {
            let want: f64 = subs
                .iter()
                .flat_map(|s| &s.demand)
                .filter(|d| d.future.eq_ignore_ascii_case(&subs[0].futures[fi]))
                .map(|d| d.fte[k])
                .sum();
            let got = run.stat(k + 1, Level::Total, &Metric::DemandFte, 0).unwrap().mean;
            assert!((got - want).abs() < 1e-6 * want, "{future}: demand at {year}-03 {got} vs {want}");
        }
    }
}

#[test]
fn the_command_line_writes_templates_and_aggregates() {
    let dir = tempfile::tempdir().unwrap();
    let extract = write(dir.path(), "esr.csv", EXTRACT);
    let templates = dir.path().join("from-the-command-line");
    let template = |org: &str, extra: &[&str]| {
        let assert = wfcast()
            .args(["template", org, "--baseline"])
            .arg(&extract)
            .args(extra)
            .arg("--out")
            .arg(&templates)
            .assert();
        let (stdout, stderr) = outputs(&assert);
        (assert.get_output().status.code(), stdout, stderr)
    };
    let (code, stdout, _) = template("AAA", &[]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("AAA.xlsx") && stdout.contains("AAA.toml"), "{stdout}");
    let before = fs::read(templates.join("AAA.xlsx")).unwrap();
    // A filled template is never overwritten; bad arguments are input errors.
    let (code, _, stderr) = template("AAA", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(fs::read(templates.join("AAA.xlsx")).unwrap(), before);
    let (code, _, stderr) = template("BBB", &["--futures", "only-one"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--futures") && stderr.contains("only-one"), "{stderr}");
    let (code, _, stderr) = template("ZZQ", &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("ZZQ") && stderr.contains("esr.csv"), "{stderr}");

    // aggregate: a bad submission stops it (exit 2, nothing written) unless --skip-invalid.
    let (workbooks, _) = filled_workbooks(dir.path());
    let mut bad = open(&workbooks[1]);
    set(sheet(&mut bad, "Staff in post"), 1, 2, Data::String("twelve".into()));
    save(&bad, &workbooks[1]);
    let out = dir.path().join("national").join("national.toml");
    let assert = wfcast().arg("aggregate").args(&workbooks).arg("--out").arg(&out).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    assert!(stderr.contains("BBB.xlsx") && stderr.contains("twelve"), "{stderr}");
    assert!(!out.parent().unwrap().exists());
    let assert = wfcast().arg("aggregate").args(&workbooks).arg("--skip-invalid").arg("--out").arg(&out).assert();
    let (stdout, stderr) = outputs(&assert);
    assert.code(0);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("Aggregated 2 organisations") && stdout.contains("Left out 1"), "{stdout}");
    assert!(stdout.contains("BBB.xlsx") && stdout.contains("national-accelerated.toml"), "{stdout}");
}
