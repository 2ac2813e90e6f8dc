//! End-to-end tests of `wfcast run` and `wfcast validate`: reproducibility, safe output replacement, `extends`, a closed-form projection, quiet output and the terminal table.

use crate::common::{
    SMALL_BASELINE, assert_no_leftovers, find, of_role, outputs, read_json, read_summary, small_fixture, total, wfcast,
    write,
};
use std::fs;
use std::path::Path;

/// Runs `scenario` with `args` into `out` and returns summary.csv's bytes.
fn run_summary(scenario: &Path, out: &Path, name: &str, args: &[&str]) -> Vec<u8> {
    let assert = wfcast().arg("run").arg(scenario).args(args).arg("--out").arg(out).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(0);
    assert!(stderr.is_empty(), "stderr: {stderr}");
    fs::read(out.join(name).join("summary.csv")).expect("summary.csv written")
}

#[test]
fn same_seed_gives_the_same_bytes_whatever_the_threads() {
    let (dir, scenario) = small_fixture("repro");
    let d = dir.path();
    let one = run_summary(&scenario, &d.join("t1"), "repro", &["--runs", "40", "--seed", "5", "--threads", "1"]);
    let two = run_summary(&scenario, &d.join("t2"), "repro", &["--runs", "40", "--seed", "5", "--threads", "2"]);
    assert!(one == two, "summary.csv differs between --threads 1 and --threads 2");
    let again = run_summary(&scenario, &d.join("t2b"), "repro", &["--runs", "40", "--seed", "5", "--threads", "2"]);
    assert!(two == again, "summary.csv differs between two runs with --threads 2");

    // The runs really are random: sd above zero somewhere after the baseline.
    let rows = read_summary(&d.join("t1/repro/summary.csv"));
    assert!(find(&rows, "2030-03", "total", ["", "", ""], "headcount").sd > 0.0, "no spread in 40 stochastic runs");
    let meta = read_json(&d.join("t1/repro/meta.json"));
    assert_eq!(meta["seed"].as_u64(), Some(5));
    assert_eq!(meta["runs"].as_u64(), Some(40));
    assert_eq!(meta["mode"].as_str(), Some("stochastic"));

    let other = run_summary(&scenario, &d.join("s6"), "repro", &["--runs", "40", "--seed", "6", "--threads", "1"]);
    assert!(one != other, "--seed 5 and --seed 6 give the same summary.csv");
}

#[test]
fn deterministic_runs_give_the_same_bytes() {
    let (dir, scenario) = small_fixture("expect");
    let d = dir.path();
    let a = run_summary(&scenario, &d.join("a"), "expect", &["--deterministic"]);
    let b = run_summary(&scenario, &d.join("b"), "expect", &["--deterministic", "--threads", "2"]);
    assert!(a == b, "two deterministic runs differ");
    let c = run_summary(&scenario, &d.join("c"), "expect", &["--deterministic", "--seed", "99"]);
    let (a_text, c_text) = (String::from_utf8(a).unwrap(), String::from_utf8(c).unwrap());
    assert_eq!(a_text, c_text, "the seed changed a deterministic run");
    let meta = read_json(&d.join("a/expect/meta.json"));
    assert_eq!(meta["mode"].as_str(), Some("deterministic"));
    assert_eq!(meta["runs"].as_u64(), Some(1));
}

#[test]
fn a_failed_run_leaves_the_previous_results_whole() {
    let (dir, scenario) = small_fixture("keep");
    let out = dir.path().join("out");
    let before = run_summary(&scenario, &out, "keep", &["--runs", "20"]);
    let meta_before = fs::read(out.join("keep/meta.json")).unwrap();
    let parquet_before = fs::read(out.join("keep/summary.parquet")).unwrap();

    // The same scenario, now on a baseline with a bad band.
    write(dir.path(), "staff.csv", format!("{SMALL_BASELINE}Analyst,Band 12,London,3,3\n"));
    let assert = wfcast().arg("run").arg(&scenario).args(["--runs", "20", "--out"]).arg(&out).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    assert!(stderr.contains("staff.csv") && stderr.contains("Band 12"), "stderr: {stderr}");

    assert!(fs::read(out.join("keep/summary.csv")).unwrap() == before, "summary.csv changed");
    assert!(fs::read(out.join("keep/meta.json")).unwrap() == meta_before, "meta.json changed");
    assert!(fs::read(out.join("keep/summary.parquet")).unwrap() == parquet_before, "summary.parquet changed");
    assert_no_leftovers(&out);
}

#[test]
fn a_good_run_replaces_previous_results() {
    let (dir, scenario) = small_fixture("again");
    let out = dir.path().join("out");
    let first = run_summary(&scenario, &out, "again", &["--runs", "20", "--seed", "1"]);
    let second = run_summary(&scenario, &out, "again", &["--runs", "20", "--seed", "2"]);
    assert!(first != second, "the second run did not replace the first");
    assert_eq!(read_json(&out.join("again/meta.json"))["seed"].as_u64(), Some(2));
    assert_eq!(crate::common::entries(&out), ["again"]);
}

#[test]
fn refuses_to_replace_a_folder_that_is_not_wfcast_output() {
    let (dir, scenario) = small_fixture("mine");
    let out = dir.path().join("out");
    let folder = out.join("mine");
    fs::create_dir_all(&folder).unwrap();
    write(&folder, "notes.txt", "my own notes\n");
    let assert = wfcast().arg("run").arg(&scenario).args(["--runs", "20", "--out"]).arg(&out).assert();
    let (_, stderr) = outputs(&assert);
    assert.failure();
    assert!(stderr.contains("mine"), "stderr does not name the folder: {stderr}");
    assert_eq!(fs::read_to_string(folder.join("notes.txt")).unwrap(), "my own notes\n");
    assert_eq!(crate::common::entries(&folder), ["notes.txt"], "files were added to the user's folder");
    assert_no_leftovers(&out);
}

/// A parent scenario for the `extends` test: attrition with a rule for Engineer, and a
/// graduate route into Analyst. Yearly steps, no demand growth, no vacancy-fill, so that
/// Engineer is untouched by anything the child changes.
const PARENT: &str = r#"name = "parent"
baseline = "staff.csv"
start = "2025-03"
end = "2030-03"
step = "year"
runs = 1000
seed = 3

[attrition]
default = 0.08

[[attrition.rule]]
role = "Engineer"
rate = 0.15

[progression]
default = 0.05

[[supply]]
name = "grads"
intake = 30
months = [9]
entry = [ { role = "Analyst", band = "5" } ]

[demand]
vacancy_rate = 0.05
"#;

/// The child: overrides `runs`, appends an attrition rule for Analyst, and replaces the
/// graduate route by name with a smaller one.
const CHILD: &str = r#"extends = "parent.toml"
name = "child"
runs = 25

[[attrition.rule]]
role = "Analyst"
rate = 0.20

[[supply]]
name = "grads"
intake = 5
months = [9]
entry = [ { role = "Analyst", band = "5" } ]
"#;

#[test]
fn extends_merges_the_child_over_the_parent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "staff.csv", SMALL_BASELINE);
    let parent = write(d, "parent.toml", PARENT);
    let child = write(d, "child.toml", CHILD);

    wfcast().arg("validate").arg(&child).assert().success();
    let out = d.join("out");
    for file in [&parent, &child] {
        wfcast().arg("run").arg(file).arg("--deterministic").arg("--out").arg(&out).assert().success();
    }
    let p = read_summary(&out.join("parent/summary.csv"));
    let c = read_summary(&out.join("child/summary.csv"));

    // Higher attrition for Analyst and a smaller intake: fewer staff in 2030.
    let (p_total, c_total) = (total(&p, "2030-03", "headcount"), total(&c, "2030-03", "headcount"));
    assert!(c_total < p_total, "child 2030 headcount {c_total} not below parent {p_total}");
    let (p_an, c_an) = (of_role(&p, "2030-03", "Analyst", "headcount"), of_role(&c, "2030-03", "Analyst", "headcount"));
    assert!(c_an < p_an, "child 2030 Analyst headcount {c_an} not below parent {p_an}");
    let (p_leave, c_leave) =
        (of_role(&p, "2026-03", "Analyst", "leavers"), of_role(&c, "2026-03", "Analyst", "leavers"));
    assert!(c_leave > p_leave, "child Analyst leavers {c_leave} not above parent {p_leave}");

    // The parent's Engineer rule is kept (rules are appended, not replaced): Engineer is the same.
    for date in ["2026-03", "2030-03"] {
        let (pe, ce) = (of_role(&p, date, "Engineer", "headcount"), of_role(&c, date, "Engineer", "headcount"));
        assert!((pe - ce).abs() < 1e-9, "Engineer headcount at {date}: parent {pe}, child {ce}");
    }
    // Engineer loses 15% a year, not the default 8%: 75 staff at the start.
    let e2026 = of_role(&c, "2026-03", "Engineer", "headcount");
    assert!((e2026 - 75.0 * 0.85).abs() < 1e-9, "Engineer headcount at 2026-03: {e2026}");

    // The route was replaced by name, not added: one `grads` route taking 5 a year.
    for date in ["2026-03", "2030-03"] {
        let pj = total(&p, date, "joiners:grads");
        let cj = total(&c, date, "joiners:grads");
        assert!((pj - 30.0).abs() < 1e-9, "parent grads at {date}: {pj}");
        assert!((cj - 5.0).abs() < 1e-9, "child grads at {date}: {cj}");
    }
    let routes: Vec<&str> = c
        .iter()
        .filter(|r| r.level == "total" && r.date == "2030-03" && r.metric.starts_with("joiners:"))
        .map(|r| r.metric.as_str())
        .collect();
    assert_eq!(routes, ["joiners:grads"]);

    // `runs` comes from the child; meta.json lists both files.
    wfcast().arg("run").arg(&child).arg("--quiet").arg("--out").arg(d.join("stoch")).assert().success();
    let meta = read_json(&d.join("stoch/child/meta.json"));
    assert_eq!(meta["runs"].as_u64(), Some(25), "runs not taken from the child");
    assert_eq!(meta["seed"].as_u64(), Some(3), "seed not inherited from the parent");
    let files = meta["files"].as_array().expect("meta.json files");
    assert_eq!(files.len(), 2, "meta.json files: {files:?}");
    assert_eq!(meta["sha256"].as_str(), Some(crate::common::sha256_hex(CHILD.as_bytes()).as_str()));
}

#[test]
fn deterministic_attrition_matches_the_closed_form() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "one.csv", "role,band,region,headcount,fte\nSolo,9,England,1000,1000\n");
    let scenario = write(
        d,
        "closed.toml",
        "name = \"closed\"\nbaseline = \"one.csv\"\nstart = \"2025-03\"\nend = \"2027-03\"\nstep = \"year\"\n\n\
         [attrition]\ndefault = 0.1\n",
    );
    let out = d.join("out");
    wfcast().arg("run").arg(&scenario).arg("--deterministic").arg("--out").arg(&out).assert().success();
    let rows = read_summary(&out.join("closed/summary.csv"));
    let close = |got: f64, want: f64, what: &str| assert!((got - want).abs() < 1e-9, "{what}: {got}, expected {want}");
    close(total(&rows, "2025-03", "headcount"), 1000.0, "headcount at 2025-03");
    close(total(&rows, "2026-03", "headcount"), 900.0, "headcount at 2026-03");
    close(total(&rows, "2027-03", "headcount"), 810.0, "headcount at 2027-03");
    close(total(&rows, "2026-03", "leavers"), 100.0, "leavers in the year to 2026-03");
    close(total(&rows, "2027-03", "leavers"), 90.0, "leavers in the year to 2027-03");
    close(total(&rows, "2027-03", "fte"), 810.0, "FTE at 2027-03");
    close(total(&rows, "2027-03", "progressed"), 0.0, "progression out of band 9");
    let row = find(&rows, "2027-03", "total", ["", "", ""], "headcount");
    close(row.sd, 0.0, "sd of a deterministic run");
    assert!(row.p.iter().all(|&q| (q - 810.0).abs() < 1e-9), "quantiles of a deterministic run: {:?}", row.p);
}

#[test]
fn no_progress_bar_off_a_terminal_and_quiet_prints_nothing() {
    let (dir, scenario) = small_fixture("calm");
    let out = dir.path().join("out");
    let assert = wfcast().arg("run").arg(&scenario).args(["--runs", "50", "--out"]).arg(&out).assert();
    let (stdout, stderr) = outputs(&assert);
    assert.success();
    assert!(stderr.is_empty(), "stderr of a successful run: {stderr:?}");
    assert!(!stdout.is_empty(), "a run without --quiet printed nothing");

    let assert = wfcast().arg("run").arg(&scenario).args(["--runs", "50", "--quiet", "--out"]).arg(&out).assert();
    let (stdout, stderr) = outputs(&assert);
    assert.success();
    assert!(stdout.is_empty(), "--quiet printed on stdout: {stdout:?}");
    assert!(stderr.is_empty(), "--quiet printed on stderr: {stderr:?}");
    assert!(out.join("calm/summary.csv").is_file(), "--quiet run wrote no summary.csv");

    // Validation is quiet on stderr too.
    let assert = wfcast().arg("validate").arg(&scenario).assert();
    let (_, stderr) = outputs(&assert);
    assert.success();
    assert!(stderr.is_empty(), "stderr of validate: {stderr:?}");
}

#[test]
fn stochastic_run_prints_the_headline_table() {
    let (dir, scenario) = small_fixture("table");
    let out = dir.path().join("out");
    let assert = wfcast().arg("run").arg(&scenario).args(["--runs", "30", "--out"]).arg(&out).assert();
    let (stdout, _) = outputs(&assert);
    assert.success();
    assert!(stdout.contains("P(shortfall)"), "no P(shortfall) column: {stdout}");
    for year in 2025..=2030 {
        let date = format!("{year}-03");
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&date))
            .unwrap_or_else(|| panic!("no table line for {date}: {stdout}"));
        // Supply, demand and gap, each with an interval, then a probability in percent.
        assert!(line.matches('(').count() >= 3, "{date}: fewer than three intervals: {line}");
        assert!(line.trim_end().ends_with('%'), "{date}: no P(shortfall) in percent: {line}");
    }
}

#[test]
fn several_scenarios_in_one_run_each_get_their_folder() {
    let (dir, first) = small_fixture("first");
    let second = write(dir.path(), "second.toml", crate::common::small_scenario("second", "staff.csv"));
    let out = dir.path().join("out");
    wfcast().arg("run").arg(&first).arg(&second).args(["--runs", "20", "--out"]).arg(&out).assert().success();
    assert_eq!(crate::common::entries(&out), ["first", "second"]);
}

#[test]
fn one_bad_scenario_among_several_writes_nothing() {
    let (dir, good) = small_fixture("good");
    let bad = write(
        dir.path(),
        "worse.toml",
        crate::common::small_scenario("worse", "staff.csv").replace("quarter", "fortnight"),
    );
    let out = dir.path().join("out");
    let assert = wfcast().arg("run").arg(&good).arg(&bad).args(["--runs", "20", "--out"]).arg(&out).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    assert!(stderr.contains("worse.toml") && stderr.contains("fortnight"), "stderr: {stderr}");
    crate::common::assert_no_output(&out, "good");
    crate::common::assert_no_output(&out, "worse");
}

#[test]
fn two_scenarios_with_one_name_are_refused_before_anything_runs() {
    let (dir, first) = small_fixture("same");
    let second = write(dir.path(), "other.toml", crate::common::small_scenario("same", "staff.csv"));
    let out = dir.path().join("out");
    let assert = wfcast().arg("run").arg(&first).arg(&second).args(["--runs", "20", "--out"]).arg(&out).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    assert!(stderr.contains("other.toml") && stderr.contains("`same`"), "stderr: {stderr}");
    crate::common::assert_no_output(&out, "same");
}

#[test]
fn plot_refuses_a_folder_that_is_not_wfcast_output_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("notes");
    std::fs::create_dir_all(&folder).unwrap();
    write(&folder, "notes.txt", "mine");
    let assert = wfcast().arg("plot").arg(&folder).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    assert!(stderr.contains("notes") && stderr.contains("meta.json"), "stderr: {stderr}");
    assert_eq!(crate::common::entries(&folder), ["notes.txt"]);
}

#[test]
fn xlsx_writes_workbooks_of_runs_and_comparisons_with_the_same_bytes_each_time() {
    let (dir, scenario) = small_fixture("book");
    let other = write(dir.path(), "other.toml", crate::common::small_scenario("other", "staff.csv"));
    let out = dir.path().join("out");
    let workbook = |args: &[&str], file: &str| -> Vec<u8> {
        let assert = wfcast().args(args).args(["--runs", "20", "--xlsx", "--quiet", "--out"]).arg(&out).assert();
        let (_, stderr) = outputs(&assert);
        assert.code(0);
        assert!(stderr.is_empty(), "{stderr}");
        fs::read(out.join(file)).expect("workbook written")
    };
    let run = ["run", scenario.to_str().unwrap()];
    let first = workbook(&run, "book/results.xlsx");
    assert!(first.starts_with(b"PK"), "not an xlsx (zip) file");
    assert!(first == workbook(&run, "book/results.xlsx"), "the same run gave another workbook");
    let compare = ["compare", scenario.to_str().unwrap(), other.to_str().unwrap()];
    let comparison = workbook(&compare, "compare-book-other/comparison.xlsx");
    assert!(comparison.starts_with(b"PK"));
    // plot redraws the workbook with the charts it embeds.
    let plotted = wfcast().arg("plot").arg(out.join("book")).assert();
    let (stdout, _) = outputs(&plotted);
    plotted.code(0);
    assert!(stdout.contains("results.xlsx"), "{stdout}");
    assert!(fs::read(out.join("book/results.xlsx")).unwrap() == first, "plot changed the workbook's numbers");
    // Without --xlsx, no workbook.
    wfcast().arg("run").arg(&scenario).args(["--runs", "20", "--quiet", "--out"]).arg(&out).assert().code(0);
    assert!(!out.join("book/results.xlsx").exists());
}
