//! `wfcast compare`: common random numbers (a scenario against itself differs by exactly zero,
//! a policy variant's difference is far less noisy than with independent seeds), matching
//! series by name across scenarios with other roles and routes, the comparison folder and its
//! round trip, the Markdown table, and the command end to end.

use crate::common::{
    SMALL_BASELINE, assert_no_leftovers, entries, outputs, read_json, small_scenario, split_csv_line, wfcast, write,
};
use std::fs;
use std::path::Path;
use wfcast_core::Error;
use wfcast_core::baseline::Baseline;
use wfcast_core::compare::{
    self, SeriesKey, per_run, per_run_difference, per_run_differences, reported_series, run_comparison,
};
use wfcast_core::engine::Mode;
use wfcast_core::model::Model;
use wfcast_core::results::{Comparison, Results};
use wfcast_core::runner::Prepared;
use wfcast_core::runner::{self, RunOptions, RunResult};
use wfcast_core::scenario::Scenario;
use wfcast_io::comparison::COMPARISON_COLUMNS;

/// The header of comparison.csv.
const COMPARISON_HEADER: &str = "scenario,date,level,role,band,region,metric,mean,sd,p05,p25,p50,p75,p95,p_shortfall,\
diff_mean,diff_p05,diff_p25,diff_p50,diff_p75,diff_p95,p_gap_smaller";

/// Rules of every kind: drawn attrition, progression, a transfer, a pipeline, vacancy-fill
/// recruitment, drawn demand growth. Quarterly steps to March 2030.
const BODY: &str = r#"
end = "2030-03"
step = "quarter"
runs = 30
seed = 11

[attrition]
default = { mean = 0.10, sd = 0.02 }

[[attrition.rule]]
role = "Engineer"
rate = { mean = 0.14, sd = 0.03 }

[progression]
default = 0.05

[[transfer]]
from = "Analyst"
to = "Engineer"
band = ["5", "6"]
rate = 0.02

[[supply]]
name = "grads"
intake = { mean = 60, sd = 10 }
months = [9]
duration_months = 6
completion = { mean = 0.85, sd = 0.05 }
entry = [ { role = "Analyst", band = "5" } ]

[[supply]]
name = "recruitment"
kind = "vacancy-fill"
fill_rate = { mean = 0.5, sd = 0.1 }
max_per_year = 60

[demand]
vacancy_rate = 0.08
growth = { mean = 0.03, sd = 0.01 }
"#;

/// Compiles scenario `name`: `BODY` plus `extra` (more keys, sections or routes).
fn prepare(name: &str, extra: &str) -> Prepared {
    prepare_text(name, BODY, extra)
}

/// Compiles scenario `name`: `body` plus `extra`, on the three-role baseline.
fn prepare_text(name: &str, body: &str, extra: &str) -> Prepared {
    wfcast_testkit::prepared(name, body, extra, wfcast_testkit::three_roles())
}

fn options(runs: u64) -> RunOptions {
    RunOptions { runs: Some(runs), threads: Some(2), ..Default::default() }
}

fn compare_all(prepared: &[Prepared], runs: u64) -> (Vec<RunResult>, Comparison) {
    run_comparison(prepared, &options(runs), &|| {}).unwrap()
}

fn sd(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// The last reporting date of a result.
fn last_date(r: &RunResult) -> String {
    r.layout.dates.last().unwrap().to_string()
}

#[test]
fn a_scenario_against_itself_differs_by_exactly_zero_in_every_run() {
    // The same scenario under another name: the scenario's name is not part of any stream key.
    let prepared = [prepare("a", ""), prepare("a-again", "")];
    let (results, comparison) = compare_all(&prepared, 30);
    assert_eq!(comparison.name, "compare-a-a-again");
    let series = reported_series(&results[0]);
    assert!(series.len() > 100, "only {} series", series.len());
    // The runs are random: the check below would be empty otherwise.
    let last = SeriesKey::total(&last_date(&results[0]), "headcount");
    let hc = per_run(&results[0], &last).unwrap();
    assert!(sd(&hc) > 1.0, "no spread in total headcount: {hc:?}");

    let diffs = per_run_differences(&results[0], &results[1]).unwrap();
    assert_eq!(diffs.len(), series.len());
    for ((key, d), s) in diffs.iter().zip(&series) {
        assert_eq!(key, &s.key);
        assert_eq!(d.len(), 30);
        assert!(d.iter().all(|x| *x == 0.0), "{key:?}: per-run differences {d:?}");
    }
    // Every series is shared; each scenario has its own rows, equal to its own summary.
    assert_eq!(comparison.rows.len(), 2 * series.len());
    let own = [Results::of(&results[0]), Results::of(&results[1])];
    for (k, name) in ["a", "a-again"].iter().enumerate() {
        let rows: Vec<_> = comparison.rows.iter().filter(|r| r.scenario == *name).collect();
        assert_eq!(rows.len(), series.len());
        for (r, o) in rows.iter().zip(&own[k].rows) {
            assert_eq!(&r.row, o);
            if k == 0 {
                assert!(r.diff.is_none(), "the reference has a difference: {r:?}");
            } else {
                let d = r.diff.as_ref().expect("a difference for the second scenario");
                assert_eq!(d.mean, 0.0, "{r:?}");
                assert_eq!(d.p, [0.0; 5], "{r:?}");
                if r.row.metric == "gap_fte" {
                    assert_eq!(d.p_gap_smaller, Some(0.0), "{r:?}");
                } else {
                    assert_eq!(d.p_gap_smaller, None, "{r:?}");
                }
            }
        }
    }
    let table = wfcast_report::terminal::comparison_table(&comparison);
    assert!(table.contains("| P(gap smaller than a) | - | 0% |"), "{table}");
}

#[test]
fn the_same_scenario_twice_under_one_name_is_refused() {
    let prepared = [prepare("a", ""), prepare("a", "")];
    let err = run_comparison(&prepared, &options(2), &|| {}).unwrap_err();
    assert!(matches!(err, Error::Input { .. }), "{err}");
    assert!(err.to_string().contains("`a`"), "{err}");
}

#[test]
fn common_random_numbers_make_the_difference_far_less_noisy_than_independent_seeds() {
    // Policy variant B of A: 10% fewer Analyst leavers from April 2025.
    let policy = r#"
[[intervention]]
from = "2025-04"
target = "attrition"
role = "Analyst"
multiply = 0.9
"#;
    let runs = 200;
    // Measured: ratios about 0.05 (sd about 6 against about 130); 0.25 leaves a wide margin.
    for seed in [11, 2025] {
        let opts = RunOptions { seed: Some(seed), ..options(runs) };
        let (results, comparison) = run_comparison(&[prepare("a", ""), prepare("b", policy)], &opts, &|| {}).unwrap();
        let key = SeriesKey::total(&last_date(&results[0]), "headcount");
        let crn = per_run_difference(&results[0], &results[1], &key).unwrap().unwrap();

        // B again with another seed: independent of A's draws.
        let opts = RunOptions { seed: Some(seed + 1000), ..options(runs) };
        let b = prepare("b", policy);
        let other = runner::run_scenario(&b.scenario, &b.model, String::new(), &opts, &|| {}).unwrap();
        let a_values = per_run(&results[0], &key).unwrap();
        let b_other = per_run(&other, &key).unwrap();
        let independent: Vec<f64> = b_other.iter().zip(&a_values).map(|(b, a)| b - a).collect();

        let (sd_crn, sd_ind) = (sd(&crn), sd(&independent));
        let ratio = sd_crn / sd_ind;
        println!(
            "seed {seed}: sd of B - A in total headcount at {} over {runs} runs: common random numbers {sd_crn:.2}, \
             independent seeds {sd_ind:.2}, ratio {ratio:.3}",
            key.date
        );
        assert!(ratio < 0.25, "seed {seed}: CRN sd {sd_crn} is not below a quarter of the independent sd {sd_ind}");

        // Fewer leavers: more staff in (nearly) every run, and the comparison's summary is of
        // exactly these per-run differences.
        let mean = crn.iter().sum::<f64>() / runs as f64;
        assert!(mean > 0.0, "fewer leavers but mean difference {mean}");
        let positive = crn.iter().filter(|d| **d > 0.0).count();
        assert!(positive as f64 > 0.95 * runs as f64, "more staff in only {positive} of {runs} runs");
        let diff = comparison.row("b", &key).unwrap().diff.clone().unwrap();
        let st = wfcast_core::summary::Stats::of(&crn);
        assert_eq!(diff.p, st.p);
        assert!((diff.mean - mean).abs() < 1e-9, "{diff:?} vs {mean}");
        // And the gap: smaller in the runs where supply is larger (demand is common).
        let gap = SeriesKey::total(&key.date, "gap_fte");
        let gd = per_run_difference(&results[0], &results[1], &gap).unwrap().unwrap();
        let smaller = gd.iter().filter(|d| **d < -1e-6).count() as f64 / runs as f64;
        let p = comparison.row("b", &gap).unwrap().diff.as_ref().unwrap().p_gap_smaller.unwrap();
        assert!((p - smaller).abs() < 1e-12 && p > 0.9, "P(gap smaller) {p}, counted {smaller}");
    }
}

#[test]
fn scenarios_with_another_role_and_route_compare_on_the_series_they_share() {
    let a = prepare("base", "");
    let b = prepare_text(
        "wider",
        &format!("new_roles = [\"Data Scientist\"]\n{BODY}"),
        r#"
[[supply]]
name = "academy"
intake = 40
entry = [ { role = "Data Scientist", band = "6" } ]
"#,
    );
    let (results, comparison) = compare_all(&[a, b], 8);
    let base = reported_series(&results[0]);
    let wider = reported_series(&results[1]);
    assert!(wider.len() > base.len());
    // The wider scenario reports its own series ...
    let own = |pred: &dyn Fn(&SeriesKey) -> bool| wider.iter().filter(|s| pred(&s.key)).count();
    assert!(own(&|k| k.role.as_deref() == Some("Data Scientist")) > 0);
    assert!(own(&|k| k.metric == "joiners:academy") > 0);
    // ... which the comparison leaves out: it holds exactly the base's series, for both.
    for r in &comparison.rows {
        assert_ne!(r.row.role.as_deref(), Some("Data Scientist"), "{r:?}");
        assert!(!r.row.metric.ends_with(":academy"), "{r:?}");
    }
    assert_eq!(comparison.rows.len(), 2 * base.len());
    let diffs: std::collections::HashMap<SeriesKey, Vec<f64>> =
        per_run_differences(&results[0], &results[1]).unwrap().into_iter().collect();
    assert_eq!(diffs.len(), base.len());
    let wider_rows: std::collections::HashMap<&SeriesKey, &wfcast_core::results::Row> =
        wider.iter().map(|w| (&w.key, &w.row)).collect();
    let compared: Vec<_> = comparison.rows.iter().filter(|r| r.scenario == "wider").collect();
    assert_eq!(compared.len(), base.len());
    for (s, r) in base.iter().zip(compared) {
        // In the base's order, matched by name: the wider scenario's own summary of the series,
        // and its difference.
        assert_eq!(SeriesKey::of(&r.row), s.key);
        assert_eq!(&r.row, wider_rows[&s.key]);
        let d = &diffs[&s.key];
        let mean = d.iter().sum::<f64>() / d.len() as f64;
        assert!((r.diff.as_ref().unwrap().mean - mean).abs() <= 1e-9 * mean.abs().max(1.0), "{:?}", s.key);
    }
    // 40 more a year straight into post: more staff at the end in every run.
    let key = SeriesKey::total(&last_date(&results[0]), "headcount");
    let d = per_run_difference(&results[0], &results[1], &key).unwrap().unwrap();
    assert!(d.iter().all(|x| *x > 0.0), "{d:?}");
    // A role both share is matched by name although the grids differ.
    let lead =
        SeriesKey { level: "role".into(), role: Some("Lead".into()), ..SeriesKey::total("2030-03", "headcount") };
    assert!(comparison.row("wider", &lead).is_some());
}

#[test]
fn scenarios_with_no_series_in_common_or_other_seeds_are_refused() {
    let a = prepare("a", "");
    // Other reporting dates: June, from a June start.
    let text = format!(
        "name = \"june\"\nbaseline = \"unused.csv\"\nstart = \"2025-06\"\nreport_month = 6\n{}",
        BODY.replace("end = \"2030-03\"", "end = \"2027-06\"")
    );
    let scenario = Scenario::from_toml(&text, Path::new("june.toml")).unwrap();
    let model =
        Model::compile(&scenario, &Baseline::from_rows("unused.csv", wfcast_testkit::three_roles()), None).unwrap();
    let june = Prepared { scenario, model, baseline_sha256: String::new() };
    let err = run_comparison(&[a, june], &options(2), &|| {}).unwrap_err();
    assert!(matches!(err, Error::Run(_)), "{err}");
    assert!(err.to_string().contains("no series in common"), "{err}");

    // Results run with other seeds are not a comparison.
    let p = prepare("p", "");
    let q = prepare("q", "");
    let run = |p: &Prepared, seed| {
        let opts = RunOptions { seed: Some(seed), ..options(3) };
        runner::run_scenario(&p.scenario, &p.model, String::new(), &opts, &|| {}).unwrap()
    };
    let err = compare::compare_results(&[run(&p, 1), run(&q, 2)]).unwrap_err();
    assert!(matches!(err, Error::Run(_)) && err.to_string().contains("seeds"), "{err}");
    assert!(compare::compare_results(&[run(&p, 1), run(&q, 1)]).is_ok());
}

#[test]
fn the_first_scenarios_seed_and_runs_apply_to_all_and_deterministic_mode_works() {
    let a = prepare_text("a", &BODY.replace("runs = 30", "runs = 6"), "");
    let b = prepare_text("b", &BODY.replace("seed = 11", "seed = 99").replace("runs = 30", "runs = 9"), "");
    let opts = RunOptions { threads: Some(1), ..Default::default() };
    let (results, comparison) = run_comparison(&[a, b], &opts, &|| {}).unwrap();
    for r in &results {
        assert_eq!(r.seed, 11, "{}", r.scenario.name);
        assert_eq!(r.runs.runs, (0..6).collect::<Vec<u64>>(), "{}", r.scenario.name);
    }
    assert!(comparison.scenarios.iter().all(|m| m.seed == 11 && m.runs == 6 && m.mode == Mode::Stochastic));

    // --seed and --runs given: they apply to all.
    let a = prepare("a", "");
    let b = prepare_text("b", &BODY.replace("seed = 11", "seed = 99"), "");
    let opts = RunOptions { seed: Some(5), ..options(4) };
    let (results, _) = run_comparison(&[a, b], &opts, &|| {}).unwrap();
    assert!(results.iter().all(|r| r.seed == 5 && r.runs.runs.len() == 4));

    // Deterministic: one run each, and the difference is the difference of the expectations.
    let a = prepare("a", "");
    let b = prepare_text("b", &BODY.replace("intake = { mean = 60, sd = 10 }", "intake = { mean = 120, sd = 10 }"), "");
    let opts = RunOptions { mode: Mode::Deterministic, ..Default::default() };
    let (results, comparison) = run_comparison(&[a, b], &opts, &|| {}).unwrap();
    assert!(results.iter().all(|r| r.runs.runs == [0]));
    let key = SeriesKey::total("2030-03", "gap_fte");
    let (ra, rb) = (comparison.row("a", &key).unwrap(), comparison.row("b", &key).unwrap());
    let d = rb.diff.as_ref().unwrap();
    assert!((d.mean - (rb.row.mean - ra.row.mean)).abs() < 1e-6, "{d:?}");
    assert!(d.mean < 0.0, "more graduates but a wider gap: {d:?}");
    assert_eq!(d.p_gap_smaller, Some(1.0));
    let table = wfcast_report::terminal::comparison_table(&comparison);
    assert!(table.contains("deterministic") && table.contains("2030-03"), "{table}");
}

#[test]
fn the_comparison_folder_is_written_whole_and_reads_back_equal() {
    let more = BODY.replace("intake = { mean = 60, sd = 10 }", "intake = { mean = 120, sd = 10 }");
    let prepared = [prepare("base", ""), prepare_text("more-grads", &more, "")];
    let (results, comparison) = compare_all(&prepared, 12);
    let tables: Vec<Results> = results.iter().map(Results::of).collect();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let dir = wfcast_report::folder::write_comparison(&comparison, &tables, &out).unwrap();
    assert_eq!(dir, out.join("compare-base-more-grads"));
    assert_eq!(entries(&out), ["compare-base-more-grads"]);
    assert_eq!(entries(&dir), ["base", "charts", "comparison.csv", "comparison.json", "more-grads"]);
    for name in ["base", "more-grads"] {
        let sub = dir.join(name);
        for f in ["summary.csv", "summary.parquet", "meta.json", "scenario.toml", "charts"] {
            assert!(sub.join(f).exists(), "{} missing", sub.join(f).display());
        }
        let own = wfcast_io::results::load(&sub).unwrap();
        let expected = tables.iter().find(|t| t.meta.scenario == name).unwrap();
        assert_eq!(own.rows, expected.rows, "{name}: summary differs from its own results");
    }

    // comparison.csv: the header, one line per row, differences only for the second scenario,
    // P(gap smaller) only for gap_fte.
    let text = fs::read_to_string(dir.join("comparison.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(COMPARISON_HEADER));
    assert_eq!(COMPARISON_HEADER.split(',').collect::<Vec<_>>(), COMPARISON_COLUMNS);
    let mut n = 0;
    for line in lines {
        n += 1;
        let f = split_csv_line(line);
        assert_eq!(f.len(), 22, "{line}");
        let first = f[0] == "base";
        assert!(first || f[0] == "more-grads", "{line}");
        for (j, v) in f.iter().enumerate().take(21).skip(15) {
            assert_eq!(v.is_empty(), first, "column {} of {line}", COMPARISON_COLUMNS[j]);
        }
        assert_eq!(f[21].is_empty(), first || f[6] != "gap_fte", "{line}");
        assert_eq!(f[14].is_empty(), f[6] != "gap_fte", "{line}");
    }
    assert_eq!(n, comparison.rows.len());
    let json = read_json(&dir.join("comparison.json"));
    assert_eq!(json["scenarios"][0]["scenario"].as_str(), Some("base"));
    assert_eq!(json["scenarios"][1]["scenario"].as_str(), Some("more-grads"));

    // The round trip gives the same comparison, value for value.
    let loaded = wfcast_io::comparison::load(&dir).unwrap();
    assert_eq!(loaded.name, comparison.name);
    assert_eq!(loaded.scenarios, comparison.scenarios);
    assert_eq!(loaded.rows.len(), comparison.rows.len());
    for (l, c) in loaded.rows.iter().zip(&comparison.rows) {
        assert_eq!(l, c);
    }
    assert_eq!(loaded, comparison);
    assert_eq!(
        wfcast_report::terminal::comparison_table(&loaded),
        wfcast_report::terminal::comparison_table(&comparison)
    );

    // Written again: replaced whole, nothing left over.
    wfcast_report::folder::write_comparison(&comparison, &tables, &out).unwrap();
    assert_eq!(wfcast_io::comparison::load(&dir).unwrap(), comparison);
    assert_no_leftovers(&out);

    // A folder of that name that is not a comparison is never replaced.
    let other = tmp.path().join("other");
    let keep = other.join("compare-base-more-grads");
    fs::create_dir_all(&keep).unwrap();
    write(&keep, "notes.txt", "mine");
    let err = wfcast_report::folder::write_comparison(&comparison, &tables, &other).unwrap_err();
    assert!(matches!(err, Error::Input { .. }), "{err}");
    assert_eq!(fs::read_to_string(keep.join("notes.txt")).unwrap(), "mine");
    assert_eq!(entries(&keep), ["notes.txt"]);
    assert_no_leftovers(&other);

    // Results that are not the comparison's are refused.
    let err = wfcast_report::folder::write_comparison(&comparison, &tables[..1], &out).unwrap_err();
    assert!(matches!(err, Error::Run(_)), "{err}");
}

#[test]
fn the_markdown_table_puts_the_scenarios_side_by_side() {
    let more = BODY.replace("intake = { mean = 60, sd = 10 }", "intake = { mean = 120, sd = 10 }");
    let prepared = [prepare("base", ""), prepare_text("more-grads", &more, "")];
    let (_, comparison) = compare_all(&prepared, 10);
    let table = wfcast_report::terminal::comparison_table(&comparison);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].contains("2030-03") && lines[0].contains("10 runs"), "{table}");
    let rows: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with('|')).collect();
    assert_eq!(rows.len(), 2 + 6, "{table}");
    for r in &rows {
        assert_eq!(r.matches('|').count(), 4, "{r}");
    }
    assert!(rows[0].contains("base") && rows[0].contains("more-grads"), "{table}");
    for label in
        ["Supply FTE", "Demand FTE", "Gap FTE", "P(shortfall)", "Gap FTE minus base", "P(gap smaller than base)"]
    {
        assert!(rows.iter().any(|r| r.starts_with(&format!("| {label} |"))), "no {label} row: {table}");
    }
    // Figures in thousands, with their 90% interval; the reference has no difference.
    let supply = rows.iter().find(|r| r.starts_with("| Supply FTE |")).unwrap();
    let cells: Vec<&str> = supply.split('|').map(str::trim).collect();
    for c in &cells[2..4] {
        assert!(c.contains(',') && c.contains(" to ") && c.contains('('), "{supply}");
    }
    let gap = SeriesKey::total("2030-03", "gap_fte");
    let row = comparison.row("more-grads", &gap).unwrap();
    let d = row.diff.as_ref().unwrap();
    let diff_row = rows.iter().find(|r| r.starts_with("| Gap FTE minus base |")).unwrap();
    let cells: Vec<&str> = diff_row.split('|').map(str::trim).collect();
    assert_eq!(cells[2], "-", "{diff_row}");
    assert!(cells[3].starts_with(&format!("{}", d.p[2].round() as i64)), "{diff_row} vs {d:?}");
}

/// A folder with the small baseline, a good scenario and `bad.toml`.
fn cli_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", SMALL_BASELINE);
    write(dir.path(), "good.toml", small_scenario("good", "staff.csv"));
    write(
        dir.path(),
        "other.toml",
        small_scenario("other", "staff.csv").replace("intake = { mean = 20", "intake = { mean = 30"),
    );
    write(dir.path(), "bad.toml", small_scenario("bad", "staff.csv").replace("[progression]", "[progresion]"));
    dir
}

#[test]
fn the_command_compares_the_shipped_scenarios_the_same_whatever_the_threads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let mut csv = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("t{threads}"));
        let assert = wfcast()
            .current_dir(root)
            .args(["compare", "scenarios/steady-state.toml", "scenarios/grow-our-own.toml", "--runs", "20"])
            .args(["--threads", threads, "--out"])
            .arg(&out)
            .assert();
        let (stdout, stderr) = outputs(&assert);
        assert.code(0);
        assert!(stderr.is_empty(), "stderr: {stderr}");
        assert!(
            stdout.contains("steady-state") && stdout.contains("grow-our-own") && stdout.contains("2030-03"),
            "{stdout}"
        );
        assert!(stdout.lines().any(|l| l.starts_with("| Gap FTE |")), "no Markdown table: {stdout}");
        let dir = out.join("compare-steady-state-grow-our-own");
        assert_eq!(entries(&out), ["compare-steady-state-grow-our-own"]);
        let text = fs::read_to_string(dir.join("comparison.csv")).unwrap();
        assert_eq!(text.lines().next(), Some(COMPARISON_HEADER));
        assert!(dir.join("comparison.json").is_file() && dir.join("charts").is_dir());
        for name in ["steady-state", "grow-our-own"] {
            for f in ["summary.csv", "summary.parquet", "meta.json", "scenario.toml"] {
                assert!(dir.join(name).join(f).is_file(), "{name}/{f} missing");
            }
            let meta = read_json(&dir.join(name).join("meta.json"));
            assert_eq!(meta["runs"].as_u64(), Some(20));
            assert_eq!(meta["seed"].as_u64(), Some(2025));
        }
        // grow-our-own's own route is in its own summary but not in the comparison.
        let route = "joiners:Grow your own: school and college leavers";
        assert!(!text.contains(route));
        assert!(fs::read_to_string(dir.join("grow-our-own/summary.csv")).unwrap().contains(route));
        assert_no_leftovers(&out);
        csv.push(text.into_bytes());
    }
    assert!(csv[0] == csv[1], "comparison.csv differs between --threads 1 and --threads 2");
}

#[test]
fn a_bad_scenario_among_them_stops_the_command_before_anything_is_written() {
    let dir = cli_fixture();
    let out = dir.path().join("out");
    let assert = wfcast()
        .current_dir(dir.path())
        .args(["compare", "good.toml", "bad.toml", "--runs", "3", "--out"])
        .arg(&out)
        .assert();
    let (stdout, stderr) = outputs(&assert);
    assert.code(2);
    assert!(stderr.contains("bad.toml") && stderr.contains("progresion"), "stderr: {stderr}");
    assert!(!stdout.contains('|'), "stdout: {stdout}");
    assert!(entries(&out).is_empty(), "written: {:?}", entries(&out));

    // The same scenario twice: one subfolder cannot hold both.
    let assert = wfcast()
        .current_dir(dir.path())
        .args(["compare", "good.toml", "good.toml", "--runs", "3", "--out"])
        .arg(&out)
        .assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    assert!(stderr.contains("good"), "stderr: {stderr}");
    assert!(entries(&out).is_empty(), "written: {:?}", entries(&out));

    // And two good ones work, with three names in the folder's name.
    let assert = wfcast()
        .current_dir(dir.path())
        .args(["compare", "good.toml", "other.toml", "--runs", "3", "--quiet", "--out"])
        .arg(&out)
        .assert();
    let (stdout, _) = outputs(&assert);
    assert.code(0);
    assert!(stdout.is_empty(), "--quiet printed: {stdout}");
    assert_eq!(entries(&out), ["compare-good-other"]);
}
