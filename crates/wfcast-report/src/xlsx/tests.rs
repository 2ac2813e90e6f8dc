//! Tests of the workbooks: sheet names, a run's workbook and a comparison's.
use super::results::*;
use super::sheets::*;
use super::*;
use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use std::path::Path;
use wfcast_core::compare::SeriesKey;
use wfcast_core::compare::run_comparison;
use wfcast_core::results::Results;
use wfcast_core::runner::Prepared;
use wfcast_core::runner::{RunOptions, run_scenario};
use wfcast_io::comparison::COMPARISON_COLUMNS;
use wfcast_io::export::{self, Exporter};

const BODY: &str = r#"
end = "2028-03"
step = "quarter"
runs = 20
seed = 11

[attrition]
default = { mean = 0.10, sd = 0.02 }

[progression]
default = 0.05

[[supply]]
name = "recruitment"
kind = "vacancy-fill"
fill_rate = { mean = 0.5, sd = 0.1 }
max_per_year = 60

[demand]
vacancy_rate = 0.08
growth = { mean = 0.03, sd = 0.01 }
"#;

fn prepare(name: &str, extra: &str) -> Prepared {
    let cells = [
        ("Analyst", "5", "London", 300.0),
        ("Analyst", "6", "North", 120.0),
        ("Engineer", "6", "London", 260.0),
        ("Engineer", "7", "North", 180.0),
    ];
    let rows =
        cells.into_iter().map(|(role, band, region, hc)| wfcast_testkit::staff(role, band, region, hc, 0.9)).collect();
    let body = format!("title = \"Scenario {name}: a test\"\n{BODY}");
    wfcast_testkit::prepared(name, &body, extra, rows)
}

fn options() -> RunOptions {
    RunOptions { runs: Some(20), threads: Some(2), ..Default::default() }
}

fn results() -> Results {
    let p = prepare("base", "");
    Results::of(&run_scenario(&p.scenario, &p.model, p.baseline_sha256.clone(), &options(), &|| {}).unwrap())
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).unwrap()
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    open(path).worksheet_range(name).unwrap()
}

fn string(range: &Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        other => panic!("({row}, {col}) is not text: {other:?}"),
    }
}

fn float(range: &Range<Data>, row: u32, col: u32) -> Option<f64> {
    match range.get_value((row, col)) {
        Some(Data::Float(v)) => Some(*v),
        Some(Data::Empty) | None => None,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}

/// Whether the workbook embeds pictures: its zip names `xl/media/image...` entries (file
/// names are stored uncompressed).
fn has_media(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.windows(b"xl/media/image".len()).any(|w| w == b"xl/media/image")
}

/// Every non-empty text in a sheet.
fn texts(range: &Range<Data>) -> Vec<String> {
    range.rows().flatten().filter_map(|c| if let Data::String(s) = c { Some(s.clone()) } else { None }).collect()
}

#[test]
fn sheet_names_are_valid_and_distinct() {
    let mut names = SheetNames::default();
    assert_eq!(names.take("role_band"), "role_band");
    assert_eq!(names.take("Role_Band"), "Role_Band (2)");
    assert_eq!(names.take("a/b:c[d]*?\\"), "a_b_c_d____");
    assert_eq!(names.take("'quoted'"), "quoted");
    assert_eq!(names.take(""), "Sheet");
    assert_eq!(names.take("history"), "history_");
    let long = "a very long level name that Excel would refuse";
    let a = names.take(long);
    let b = names.take(long);
    assert_eq!(a, "a very long level name that Exc");
    assert_eq!(b, "a very long level name that (2)");
    for name in &names.taken {
        assert!(excel_len(name) <= 31, "{name}");
        assert!(!name.contains(['[', ']', ':', '*', '?', '/', '\\']), "{name}");
        assert!(!name.starts_with('\'') && !name.ends_with('\''), "{name}");
    }
    assert_eq!(cut("ab'c", 3), "ab");
    assert_eq!(excel_len("é😀"), 3);
}

#[test]
fn a_run_workbook_holds_the_headline_every_level_the_charts_and_what_was_run() {
    let results = results();
    let dir = tempfile::tempdir().unwrap();
    let exporters: Vec<Box<dyn Exporter>> = vec![Box::new(crate::chart::Charts), Box::new(ResultsXlsx)];
    export::write_into(dir.path(), &export::files_of(&results, &exporters).unwrap()).unwrap();
    let path = dir.path().join(RESULTS_XLSX);

    let names: Vec<&str> = levels(&results.rows).iter().map(|(l, _)| *l).collect();
    // The default levels (and any others the run reports), in the table's order.
    assert_eq!(names[..5], ["total", "role", "band", "region", "role_band"]);
    let mut expected = vec!["Headline"];
    expected.extend(&names);
    expected.extend(["Charts", "About"]);
    assert_eq!(open(&path).sheet_names(), expected);

    // Headline: every England measure at every date, equal to the total rows.
    let head = sheet(&path, "Headline");
    assert_eq!(string(&head, 0, 0), "Scenario base: a test");
    assert!(string(&head, 1, 0).contains("20 runs, stochastic, seed 11"), "{}", string(&head, 1, 0));
    assert_eq!(string(&head, HEADLINE_HEADER, 3), "Median");
    let dates = &results.meta.report_dates;
    assert_eq!(dates.len(), 4);
    let mut r = HEADLINE_HEADER + 1;
    for (label, metric) in MEASURES {
        let totals = results.total(metric);
        assert_eq!(totals.len(), dates.len(), "{metric}");
        for total in totals {
            assert_eq!(string(&head, r, 0), label);
            assert_eq!(string(&head, r, 1), total.date);
            assert_eq!(float(&head, r, 3), Some(total.p[2]), "{metric} median");
            assert_eq!(float(&head, r, 4), Some(total.p[0]), "{metric} p05");
            assert_eq!(float(&head, r, 5), Some(total.p[4]), "{metric} p95");
            assert_eq!(float(&head, r, 6), Some(total.mean), "{metric} mean");
            let shortfall = if metric == "gap_fte" { total.p_shortfall } else { None };
            assert_eq!(float(&head, r, 7), shortfall, "{metric} shortfall");
            r += 1;
        }
    }
    assert_eq!(string(&head, HEADLINE_HEADER + 1, 2), "Baseline, Mar 2025");
    assert_eq!(string(&head, HEADLINE_HEADER + 2, 2), "2025/26");
    assert_eq!(float(&head, r, 3), None, "rows after the last measure");

    // Level sheets: the columns of summary.csv, one row per row of the level, numbers as numbers.
    let mut total_rows = 0;
    for (level, rows) in levels(&results.rows) {
        let s = sheet(&path, level);
        let header: Vec<String> = (0..13).map(|c| string(&s, 0, c)).collect();
        assert_eq!(header, SUMMARY_COLUMNS);
        assert_eq!(s.height(), rows.len() + 1, "{level}");
        for (i, row) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            assert_eq!(string(&s, r, 0), row.date);
            assert_eq!(string(&s, r, 1), row.role.clone().unwrap_or_default());
            assert_eq!(string(&s, r, 2), row.band.clone().unwrap_or_default());
            assert_eq!(string(&s, r, 3), row.region.clone().unwrap_or_default());
            assert_eq!(string(&s, r, 4), row.metric);
            assert_eq!(float(&s, r, 5), Some(row.mean));
            assert_eq!(float(&s, r, 6), Some(row.sd));
            for k in 0..5 {
                assert_eq!(float(&s, r, 7 + k as u32), Some(row.p[k]));
            }
            assert_eq!(float(&s, r, 12), row.p_shortfall);
        }
        total_rows += rows.len();
    }
    assert_eq!(total_rows, results.rows.len());
    // An autofilter on each level sheet's header (Excel's hidden defined name for it).
    let book = open(&path);
    let filters: Vec<&(String, String)> =
        book.defined_names().iter().filter(|(n, _)| n == "_xlnm._FilterDatabase").collect();
    assert_eq!(filters.len(), names.len(), "{filters:?}");
    let n_total = results.rows.iter().filter(|r| r.level == "total").count() + 1;
    assert!(filters.iter().any(|(_, v)| v == &format!("total!$A$1:$M${n_total}")), "{filters:?}");

    // Charts: the PNGs embedded, each under its title.
    assert!(has_media(&path));
    let charts = texts(&sheet(&path, "Charts"));
    // The testkit's baseline has two regions: its area is named by them.
    assert_eq!(results.meta.area, "London and North");
    assert!(charts.contains(&"Supply and demand, London and North (FTE)".to_string()), "{charts:?}");
    assert!(charts.contains(&"Supply and demand: Engineer (FTE)".to_string()), "{charts:?}");
    assert!(!charts.iter().any(|t| t.starts_with("No charts")), "{charts:?}");

    // About: what was run, the files with their hashes, the note.
    let about = sheet(&path, "About");
    let lines = texts(&about);
    for want in ["base", "Scenario base: a test", "base.toml", "unused.csv", "stochastic", "2025-03", "2028-03"] {
        assert!(lines.contains(&want.to_string()), "{want} not in {lines:?}");
    }
    assert!(lines.contains(&"0".repeat(64)), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("Every number is a summary over runs of a per-run aggregate")));
    let seed_row = (0..about.height() as u32).find(|&r| string(&about, r, 0) == "Seed").unwrap();
    assert_eq!(float(&about, seed_row, 1), Some(11.0));
}

#[test]
fn a_trusts_workbook_names_its_area_and_what_was_scaled() {
    use crate::chart::tests::{TRUST, trust_scaling};
    let mut results = results();
    results.meta.area = TRUST.into();
    results.meta.scaling = Some(trust_scaling());
    let dir = tempfile::tempdir().unwrap();
    let exporters: Vec<Box<dyn Exporter>> = vec![Box::new(crate::chart::Charts), Box::new(ResultsXlsx)];
    export::write_into(dir.path(), &export::files_of(&results, &exporters).unwrap()).unwrap();
    let path = dir.path().join(RESULTS_XLSX);
    let head = texts(&sheet(&path, "Headline"));
    assert!(head.iter().any(|t| t.starts_with(&format!("{TRUST} totals at each reporting date"))), "{head:?}");
    let charts = texts(&sheet(&path, "Charts"));
    assert!(charts.contains(&format!("Supply and demand, {TRUST} (FTE)")), "{charts:?}");
    assert!(charts.iter().any(|t| t.starts_with(&format!("Gap between demand and supply, {TRUST}"))), "{charts:?}");
    let about = sheet(&path, "About");
    let lines = texts(&about);
    assert!(lines.iter().any(|l| l.contains(&format!("added up to the {TRUST} total"))), "{lines:?}");
    for t in head.iter().chain(&charts).chain(&lines) {
        assert!(!t.contains("England") || t.starts_with("This scenario was written for England"), "{t}");
    }
    // What was scaled: the sentence, a table of the amounts (numbers as numbers), what applies
    // to nothing.
    let scaled = (0..about.height() as u32).find(|&r| string(&about, r, 0) == "Scaled").expect("a Scaled row");
    assert!(string(&about, scaled, 1).starts_with(
        "This scenario was written for England (seeds/esr_informatics_2025.csv); run here on Ockby Hospitals NHS \
         Trust (RXX)"
    ));
    let header: Vec<String> = (0..7).map(|c| string(&about, scaled + 1, c)).collect();
    assert_eq!(header, ["Amount", "Basis", "Own baseline", "Here", "Factor", "As written", "As run"]);
    assert_eq!(string(&about, scaled + 2, 0), "supply graduates: intake");
    assert_eq!(string(&about, scaled + 2, 1), "headcount of its entry cells");
    let numbers: Vec<Option<f64>> = (2..7).map(|c| float(&about, scaled + 2, c)).collect();
    assert_eq!(numbers, [Some(4800.0), Some(102.0), Some(102.0 / 4800.0), Some(250.0), Some(250.0 * 102.0 / 4800.0)]);
    assert_eq!(string(&about, scaled + 3, 0), "supply recruitment: max_per_year");
    assert_eq!(string(&about, scaled + 4, 0), "Applies to nothing");
    assert!(string(&about, scaled + 4, 1).starts_with("attrition rule 2 names the region London"));
}

#[test]
fn a_run_workbook_without_charts_says_so() {
    let results = results();
    let dir = tempfile::tempdir().unwrap();
    let path = write_results_workbook(&results, dir.path()).unwrap();
    assert!(!has_media(&path));
    let charts = texts(&sheet(&path, "Charts"));
    assert!(charts.iter().any(|t| t.starts_with("No charts: this folder had no charts/*.png")), "{charts:?}");
    // Nothing left beside it.
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files, [RESULTS_XLSX]);
}

#[test]
fn a_comparison_workbook_holds_each_scenario_and_its_difference_from_the_first() {
    let policy = "[[intervention]]\nfrom = \"2025-04\"\ntarget = \"attrition\"\nrole = \"Analyst\"\nmultiply = 0.8\n";
    let prepared = [prepare("base", ""), prepare("policy", policy)];
    let (runs, comparison) = run_comparison(&prepared, &options(), &|| {}).unwrap();
    let own: Vec<Results> = runs.iter().map(Results::of).collect();
    let out = tempfile::tempdir().unwrap();
    let dest = crate::folder::write_comparison(&comparison, &own, out.path()).unwrap();
    let path = write_comparison_workbook(&comparison, &dest).unwrap();
    assert_eq!(path, dest.join(COMPARISON_XLSX));
    assert_eq!(open(&path).sheet_names(), ["Headline", "Comparison", "Charts", "About"]);

    let head = sheet(&path, "Headline");
    let date = comparison.last_date().unwrap();
    assert_eq!(date, "2028-03");
    assert!(string(&head, 0, 0).starts_with("London and North at Mar 2028: "), "{}", string(&head, 0, 0));
    assert_eq!(string(&head, HEADLINE_HEADER, 8), "Difference from base: median");
    let mut r = HEADLINE_HEADER + 1;
    for name in ["base", "policy"] {
        for (label, metric) in MEASURES {
            let c = comparison.row(name, &SeriesKey::total(date, metric)).unwrap();
            assert_eq!(string(&head, r, 0), name);
            assert_eq!(string(&head, r, 2), label);
            assert_eq!(float(&head, r, 3), Some(c.row.p[2]));
            assert_eq!(float(&head, r, 4), Some(c.row.p[0]));
            assert_eq!(float(&head, r, 5), Some(c.row.p[4]));
            assert_eq!(float(&head, r, 6), Some(c.row.mean));
            let d = c.diff.as_ref();
            assert_eq!(d.is_some(), name == "policy");
            assert_eq!(float(&head, r, 8), d.map(|d| d.p[2]));
            assert_eq!(float(&head, r, 9), d.map(|d| d.p[0]));
            assert_eq!(float(&head, r, 10), d.map(|d| d.p[4]));
            assert_eq!(float(&head, r, 11), d.map(|d| d.mean));
            let smaller = if metric == "gap_fte" { d.and_then(|d| d.p_gap_smaller) } else { None };
            assert_eq!(float(&head, r, 12), smaller);
            if metric == "gap_fte" && name == "policy" {
                assert!(smaller.is_some());
            }
            r += 1;
        }
    }
    // The policy keeps more analysts: its headcount difference is positive.
    let hc = comparison.row("policy", &SeriesKey::total(date, "headcount")).unwrap();
    assert!(hc.diff.as_ref().unwrap().mean > 0.0, "{hc:?}");

    // The whole table, numbers as numbers.
    let table = sheet(&path, "Comparison");
    let header: Vec<String> = (0..22).map(|c| string(&table, 0, c)).collect();
    assert_eq!(header, COMPARISON_COLUMNS);
    assert_eq!(table.height(), comparison.rows.len() + 1);
    for (i, c) in comparison.rows.iter().enumerate().step_by(97) {
        let r = i as u32 + 1;
        assert_eq!(string(&table, r, 0), c.scenario);
        assert_eq!(string(&table, r, 6), c.row.metric);
        assert_eq!(float(&table, r, 11), Some(c.row.p[2]));
        assert_eq!(float(&table, r, 15), c.diff.as_ref().map(|d| d.mean));
    }

    assert!(has_media(&path));
    let charts = texts(&sheet(&path, "Charts"));
    assert!(
        charts.contains(&"Gap between demand and supply, London and North (FTE), by scenario".into()),
        "{charts:?}"
    );
    let about = texts(&sheet(&path, "About"));
    for want in ["compare-base-policy", "base", "policy", "policy.toml", "Scenario policy: a test"] {
        assert!(about.contains(&want.to_string()), "{want} not in {about:?}");
    }

    // Without the charts folder, the Charts sheet says so.
    let bare = tempfile::tempdir().unwrap();
    let path = write_comparison_workbook(&comparison, bare.path()).unwrap();
    assert!(!has_media(&path));
    let charts = texts(&sheet(&path, "Charts"));
    assert!(charts.iter().any(|t| t.starts_with("No charts")), "{charts:?}");
}
