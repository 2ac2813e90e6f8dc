//! Reporting dates fall on step ends (MODEL.md): dates that do not line up are refused, flows
//! at every date are over the 12 months to it (or since the start), the end date included,
//! and a vacancy-fill cap holds in every reporting year.
use crate::common::{wfcast, write};
use std::path::Path;
use wfcast_core::baseline::{Baseline, BaselineRow};
use wfcast_core::engine::Mode;
use wfcast_core::history::FlowKind;
use wfcast_core::model::Model;
use wfcast_core::runner;
use wfcast_core::scenario::{Month, Scenario};
use wfcast_core::summary::{Layout, Level, Metric, RunSet};

fn model(head: &str, toml: &str, rows: Vec<BaselineRow>) -> Model {
    let text = format!("name = \"t\"\nbaseline = \"unused.csv\"\n{head}\n{toml}");
    let scenario = Scenario::from_toml(&text, Path::new("t.toml")).unwrap();
    Model::compile(&scenario, &Baseline::from_rows("unused.csv", rows), None).unwrap()
}

fn runs(model: &Model, mode: Mode, n: u64) -> (Layout, RunSet) {
    let layout = Layout::new(model, &[Level::Total, Level::Role]);
    let all: Vec<u64> = (0..n).collect();
    let set = runner::run_set(model, &layout, 9, mode, &all, &|| {}).unwrap();
    (layout, set)
}

/// A metric of role `role` (None: the total) in run `run` at each reporting date.
fn series(layout: &Layout, set: &RunSet, metric: &Metric, role: Option<usize>, run: usize) -> Vec<f64> {
    let (level, group) = match role {
        None => (Level::Total, 0),
        Some(r) => (Level::Role, layout.groups(Level::Role).unwrap().iter().position(|g| g.role == Some(r)).unwrap()),
    };
    (0..layout.dates.len()).map(|d| set.values.get(run, layout.index(d, level, metric, group).unwrap())).collect()
}

fn close_all(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-9 * y.abs().max(1.0), "{a:?} != {b:?}");
    }
}

fn months(dates: &[&str]) -> Vec<Month> {
    dates.iter().map(|d| Month::parse(d).unwrap()).collect()
}

#[test]
fn a_december_end_date_reports_january_to_december() {
    // Quarterly steps from 2025-06 to 2030-12. Role A (band 9) only leaves, at 10% a year;
    // role B (band 8d) only progresses, at 20% a year; role C only joins, 120 a year evenly.
    let m = model(
        "start = \"2025-06\"\nend = \"2030-12\"\nstep = \"quarter\"\nnew_roles = [\"C\"]",
        r#"[[attrition.rule]]
role = "A"
rate = 0.1
[[progression.rule]]
role = "B"
rate = 0.2
[[supply]]
name = "Direct"
intake = 120
entry = [ { role = "C", band = "5" } ]
"#,
        vec![wfcast_testkit::staff("A", "9", "X", 1000.0, 1.0), wfcast_testkit::staff("B", "8d", "X", 500.0, 1.0)],
    );
    assert_eq!(
        m.report_dates(),
        months(&["2025-06", "2026-03", "2027-03", "2028-03", "2029-03", "2030-03", "2030-12"])
    );
    let (layout, set) = runs(&m, Mode::Deterministic, 1);
    // After k quarters, A holds 1000 q^k and B's band 8d 500 u^k.
    let q = 0.9f64.powf(0.25);
    let u = 0.8f64.powf(0.25);
    // Steps (quarters) to each date; the first March is 3 quarters (9 months) in, the end
    // date's 12 months are the quarters 19 to 22, which overlap the year to 2030-03 (16 to 19).
    let to = [0, 3, 7, 11, 15, 19, 22];
    let from = [0, 0, 3, 7, 11, 15, 18];
    let flow = |h0: f64, r: f64| -> Vec<f64> {
        (0..7).map(|d| if d == 0 { 0.0 } else { h0 * (r.powi(from[d]) - r.powi(to[d])) }).collect()
    };
    let leavers = flow(1000.0, q);
    close_all(&series(&layout, &set, &Metric::Leavers, Some(0), 0), &leavers);
    close_all(&series(&layout, &set, &Metric::Leavers, None, 0), &leavers);
    // The 12 months to December 2030: 10% of the staff in post in December 2029.
    assert!((leavers[6] - 0.1 * 1000.0 * q.powi(18)).abs() < 1e-9);
    close_all(&series(&layout, &set, &Metric::Progressed, Some(1), 0), &flow(500.0, u));
    let joiners = [0.0, 90.0, 120.0, 120.0, 120.0, 120.0, 120.0];
    close_all(&series(&layout, &set, &Metric::JoinersOf(0), None, 0), &joiners);
    close_all(&series(&layout, &set, &Metric::Joiners, Some(2), 0), &joiners);
    // Stocks are those at each date.
    let heads: Vec<f64> = to.iter().map(|&k| 1000.0 * q.powi(k)).collect();
    close_all(&series(&layout, &set, &Metric::Headcount, Some(0), 0), &heads);
}

#[test]
fn monthly_steps_report_the_12_months_to_a_december_end_date() {
    let m = model(
        "start = \"2025-03\"\nend = \"2026-12\"",
        "[attrition]\ndefault = 0.1\n",
        vec![wfcast_testkit::staff("A", "9", "X", 1000.0, 1.0)],
    );
    let (layout, set) = runs(&m, Mode::Deterministic, 1);
    assert_eq!(layout.dates, months(&["2025-03", "2026-03", "2026-12"]));
    let q = 0.9f64.powf(1.0 / 12.0);
    close_all(&series(&layout, &set, &Metric::Leavers, None, 0), &[0.0, 100.0, 1000.0 * (q.powi(9) - q.powi(21))]);
}

#[test]
fn stochastic_flows_of_overlapping_windows_add_up() {
    // With leavers only, each run's leavers over a window are the fall in its stock over it:
    // the windows to the Marches follow one another, and the end date's 12 months (from the
    // stock of 2029-12, between the dates 2029-03 and 2030-03) overlap the year to 2030-03 by
    // a quarter, whose leavers (about 15 a run) count in both.
    let m = model(
        "start = \"2025-06\"\nend = \"2030-12\"\nstep = \"quarter\"",
        "[attrition]\ndefault = 0.1\n",
        vec![wfcast_testkit::staff("A", "9", "X", 1000.0, 1.0)],
    );
    let (layout, set) = runs(&m, Mode::Stochastic, 50);
    for run in 0..50 {
        let heads = series(&layout, &set, &Metric::Headcount, None, run);
        let leavers = series(&layout, &set, &Metric::Leavers, None, run);
        for d in 1..6 {
            assert_eq!(leavers[d], heads[d - 1] - heads[d], "run {run} date {d}");
        }
        assert!(leavers[6] > heads[5] - heads[6] && leavers[6] < heads[4] - heads[6], "run {run}");
    }
}

#[test]
fn dates_that_do_not_end_a_step_are_refused_by_run_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", "role,band,region,headcount,fte\nA,5,X,10,10\n");
    let scenario = write(
        dir.path(),
        "jan.toml",
        "name = \"jan\"\nbaseline = \"staff.csv\"\nstart = \"2025-01\"\nend = \"2027-01\"\nstep = \"quarter\"\n",
    );
    for args in [vec!["validate"], vec!["run", "--deterministic", "--out"]] {
        let mut cmd = wfcast();
        cmd.args(&args);
        if args.len() > 1 {
            cmd.arg(dir.path().join("out"));
        }
        let out = cmd.arg(&scenario).assert().code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(
            stderr.contains("jan.toml: keys step, start and report_month: the reporting dates 2025-03, 2026-03 (March of each year, report_month = 3) do not fall at the end of a step"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("end in January, April, July or October"), "{stderr}");
    }
    assert!(!dir.path().join("out").join("jan").exists());
    // Lined up (the same steps reporting in April), it validates.
    let scenario = write(
        dir.path(),
        "apr.toml",
        "name = \"apr\"\nbaseline = \"staff.csv\"\nstart = \"2025-01\"\nend = \"2027-01\"\nstep = \"quarter\"\nreport_month = 4\n",
    );
    wfcast().arg("validate").arg(&scenario).assert().success();
}

#[test]
fn simulated_histories_count_flows_between_their_snapshots() {
    // The end date's report reaches back into the previous year; a history's flows do not.
    let m = model(
        "start = \"2025-06\"\nend = \"2027-12\"\nstep = \"quarter\"",
        "[attrition]\ndefault = 0.1\n[[supply]]\nname = \"Direct\"\nintake = 40\nentry = [ { role = \"A\", band = \"9\" } ]\n",
        vec![wfcast_testkit::staff("A", "9", "X", 1000.0, 1.0)],
    );
    let h = wfcast_core::simulate::simulate_history(&m, 3, 0, "h.csv").unwrap();
    assert_eq!(h.dates, months(&["2025-06", "2026-03", "2027-03", "2027-12"]));
    let flows = h.flows.as_ref().unwrap();
    for d in 1..h.dates.len() {
        let sum = |kind: FlowKind| -> f64 {
            flows.iter().filter(|f| f.date == h.dates[d] && f.kind == kind).map(|f| f.count).sum()
        };
        let change = h.snapshots[d].total_headcount() - h.snapshots[d - 1].total_headcount();
        assert_eq!(change, sum(FlowKind::Joiners) - sum(FlowKind::Leavers), "date {}", h.dates[d]);
    }
}

/// A vacancy-fill route capped at 10.5 a year with far more vacancies than that.
fn capped(head: &str) -> Model {
    model(
        head,
        r#"[attrition]
default = 0.05
[demand]
vacancy_rate = 0.5
[[supply]]
name = "Recruit"
kind = "vacancy-fill"
fill_rate = 0.9
max_per_year = 10.5
"#,
        vec![wfcast_testkit::staff("A", "9", "X", 1000.0, 1.0)],
    )
}

#[test]
fn a_fractional_cap_holds_in_every_reporting_year() {
    for step in ["quarter", "month"] {
        let m = capped(&format!("start = \"2025-03\"\nend = \"2030-03\"\nstep = \"{step}\""));
        let (layout, set) = runs(&m, Mode::Stochastic, 200);
        for run in 0..200 {
            let hires = series(&layout, &set, &Metric::JoinersOf(0), None, run);
            // Vacancies are plentiful: every year hires the cap, floored, exactly.
            assert_eq!(hires[1..], [10.0; 5], "{step} run {run}");
        }
        // Deterministic numbers are real: the cap itself.
        let (layout, set) = runs(&m, Mode::Deterministic, 1);
        close_all(&series(&layout, &set, &Metric::JoinersOf(0), None, 0)[1..], &[10.5; 5]);
    }
    // A first year of 9 months (from June) gets floor(10.5 * 9 / 12) = 7; the end date's
    // year to 2027-12 has the 9 months Apr-Dec 2027 of its reporting year.
    let m = capped("start = \"2025-06\"\nend = \"2027-12\"\nstep = \"quarter\"");
    let (layout, set) = runs(&m, Mode::Stochastic, 100);
    for run in 0..100 {
        let hires = series(&layout, &set, &Metric::JoinersOf(0), None, run);
        assert_eq!(hires[1..3], [7.0, 10.0], "run {run}");
        assert!(hires[3] <= 10.0, "run {run}: {hires:?}");
    }
}

#[test]
fn a_cap_holds_in_years_with_few_vacancies_too() {
    // Fewer open posts than the cap in some steps: the year's hires never pass it.
    let m = model(
        "start = \"2025-03\"\nend = \"2030-03\"\nstep = \"month\"",
        r#"[attrition]
default = { mean = 0.1, sd = 0.05 }
[demand]
vacancy_rate = 0.01
growth = 0.02
[[supply]]
name = "Recruit"
kind = "vacancy-fill"
fill_rate = 0.8
max_per_year = 10.5
"#,
        vec![wfcast_testkit::staff("A", "9", "X", 300.0, 1.0)],
    );
    let (layout, set) = runs(&m, Mode::Stochastic, 300);
    let mut at_cap = 0;
    for run in 0..300 {
        let hires = series(&layout, &set, &Metric::JoinersOf(0), None, run);
        assert!(hires[1..].iter().all(|&h| h <= 10.0 && h.fract() == 0.0), "run {run}: {hires:?}");
        at_cap += hires[1..].iter().filter(|&&h| h == 10.0).count();
    }
    assert!(at_cap > 0, "the cap never binds");
}
