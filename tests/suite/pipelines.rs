//! Pipelines at the baseline (MODEL.md): a running route starts in steady state, with the
//! cohorts of the months before the start in training; `in_training` starts it empty or with a
//! given number; and the keys that do not apply to a route are refused.
use crate::common::{wfcast, write};
use std::path::Path;
use wfcast_core::baseline::{Baseline, BaselineRow};
use wfcast_core::engine::Mode;
use wfcast_core::model::{Model, Scope};
use wfcast_core::runner;
use wfcast_core::scenario::Scenario;
use wfcast_core::summary::{Layout, Level, Metric, RunSet};

fn rows() -> Vec<BaselineRow> {
    vec![wfcast_testkit::staff("A", "9", "X", 10.0, 1.0)]
}

fn model(toml: &str) -> Model {
    let text = format!("name = \"t\"\nbaseline = \"unused.csv\"\nstart = \"2025-03\"\n{toml}");
    let scenario = Scenario::from_toml(&text, Path::new("t.toml")).unwrap();
    Model::compile(&scenario, &Baseline::from_rows("unused.csv", rows()), None).unwrap()
}

fn compile_error(toml: &str) -> String {
    let text = format!("name = \"t\"\nbaseline = \"unused.csv\"\nstart = \"2025-03\"\n{toml}");
    let scenario = Scenario::from_toml(&text, Path::new("t.toml")).unwrap();
    let e = Model::compile(&scenario, &Baseline::from_rows("unused.csv", rows()), None).unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    e.to_string()
}

/// Every run's row of `model` at the total level.
fn runs(model: &Model, mode: Mode, n: u64) -> (Layout, RunSet) {
    let layout = Layout::new(model, &[Level::Total]);
    let all: Vec<u64> = (0..n).collect();
    let set = runner::run_set(model, &layout, 5, mode, &all, &|| {}).unwrap();
    (layout, set)
}

/// A total-level series of run `run` at each reporting date.
fn series(layout: &Layout, set: &RunSet, metric: &Metric, run: usize) -> Vec<f64> {
    (0..layout.dates.len()).map(|d| set.values.get(run, layout.index(d, Level::Total, metric, 0).unwrap())).collect()
}

/// `dropouts:<route 0>` of run `run` at each reporting date.
fn dropouts(layout: &Layout, set: &RunSet, run: usize) -> Vec<f64> {
    let names: Vec<_> = layout.series().iter().map(|s| (s.date, s.metric.clone())).collect();
    (0..layout.dates.len())
        .map(|d| {
            let i = names.iter().position(|(date, m)| *date == d && m.starts_with("dropouts:")).unwrap();
            set.values.get(run, i)
        })
        .collect()
}

fn close_all(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-9 * y.abs().max(1.0), "{a:?} != {b:?}");
    }
}

/// 120 graduates a year each September, 24 months of training, 80% complete, monthly steps.
fn grads(extra: &str) -> String {
    format!(
        r#"end = "2030-03"
[[supply]]
name = "Grads"
intake = 120
months = [9]
duration_months = 24
completion = 0.8
entry = [ {{ role = "A", band = "5", share = 1 }} ]
{extra}"#
    )
}

#[test]
fn a_running_pipeline_delivers_in_the_first_year() {
    // In training at 2025-03: the September 2023 and September 2024 cohorts, 120 each. The
    // 2023 cohort enters post in September 2025, the 2024 one in September 2026.
    let m = model(&grads(""));
    let (layout, set) = runs(&m, Mode::Deterministic, 1);
    close_all(&series(&layout, &set, &Metric::JoinersOf(0), 0), &[0.0, 96.0, 96.0, 96.0, 96.0, 96.0]);
    close_all(&dropouts(&layout, &set, 0), &[0.0, 24.0, 24.0, 24.0, 24.0, 24.0]);
    close_all(&series(&layout, &set, &Metric::Headcount, 0), &[10.0, 106.0, 202.0, 298.0, 394.0, 490.0]);
}

#[test]
fn in_training_zero_starts_a_new_scheme_empty() {
    let m = model(&grads("in_training = 0\n"));
    let (layout, set) = runs(&m, Mode::Deterministic, 1);
    // The first cohort (September 2025) enters post in September 2027.
    close_all(&series(&layout, &set, &Metric::JoinersOf(0), 0), &[0.0, 0.0, 0.0, 96.0, 96.0, 96.0]);
}

#[test]
fn in_training_is_shared_over_the_steady_states_cohorts() {
    // 300 in training, half in each September cohort; then the route's own intake.
    let m = model(&grads("in_training = 300\n"));
    let (layout, set) = runs(&m, Mode::Deterministic, 1);
    close_all(&series(&layout, &set, &Metric::JoinersOf(0), 0), &[0.0, 120.0, 120.0, 96.0, 96.0, 96.0]);
    close_all(&dropouts(&layout, &set, 0), &[0.0, 30.0, 30.0, 24.0, 24.0, 24.0]);
}

/// 450 apprentices a year in September and January, 18 months, 70% complete, quarterly steps.
const APPRENTICES: &str = r#"end = "2027-03"
step = "quarter"
[[supply]]
name = "Apprentices"
intake = 450
months = [9, 1]
duration_months = 18
completion = 0.7
entry = [ { role = "A", band = "4" } ]
"#;

#[test]
fn cohorts_of_a_quarterly_pipeline_complete_in_the_right_steps() {
    // 450 a year in September and January, 18 months, quarterly steps. In training at 2025-03:
    // the January 2024, September 2024 and January 2025 cohorts (225 each), which enter post
    // in the quarters to September 2025, March 2026 and September 2026.
    let m = model(APPRENTICES);
    assert_eq!(m.routes[0].delay, 6);
    let (layout, set) = runs(&m, Mode::Deterministic, 1);
    close_all(&series(&layout, &set, &Metric::JoinersOf(0), 0), &[0.0, 315.0, 315.0]);
    let m = model(&APPRENTICES.replace("2027-03", "2025-09"));
    let (layout, set) = runs(&m, Mode::Deterministic, 1);
    // By 2025-09 (two quarters): only the January 2024 cohort has finished.
    close_all(&series(&layout, &set, &Metric::JoinersOf(0), 0), &[0.0, 157.5]);
}

#[test]
fn the_steady_state_takes_the_intake_in_force_at_the_start() {
    let iv = |from: &str, ramp: u32| {
        format!(
            "[[intervention]]\nfrom = \"{from}\"\ntarget = \"intake\"\nroute = \"Grads\"\nmultiply = 2\nramp_months = {ramp}\n"
        )
    };
    let joiners = |extra: String| {
        let m = model(&grads(&extra));
        let (layout, set) = runs(&m, Mode::Deterministic, 1);
        series(&layout, &set, &Metric::JoinersOf(0), 0)
    };
    // Doubled since 2024: the cohorts in training are of 240.
    close_all(&joiners(iv("2024-01", 0)), &[0.0, 192.0, 192.0, 192.0, 192.0, 192.0]);
    // Doubled from April 2025, after the start: the cohorts in training are of 120.
    close_all(&joiners(iv("2025-04", 0)), &[0.0, 96.0, 96.0, 192.0, 192.0, 192.0]);
    // Ramped in over 6 months from January 2025: half in force at the end of March 2025.
    close_all(&joiners(iv("2025-01", 6)), &[0.0, 144.0, 144.0, 192.0, 192.0, 192.0]);
    // Behind other interventions, the route finds its own (by their place in the scenario).
    let other = "[[intervention]]\nfrom = \"2024-01\"\ntarget = \"attrition\"\nmultiply = 0.5\n";
    let m = model(&grads(&format!("{other}{}", iv("2024-01", 0))));
    assert_eq!(m.routes[0].intake_at_start, [(1, 1.0)]);
    assert_eq!(m.interventions[1].scope, Scope::Intake(0));
    close_all(&joiners(format!("{other}{}", iv("2024-01", 0))), &[0.0, 192.0, 192.0, 192.0, 192.0, 192.0]);
}

#[test]
fn stochastic_steady_states_draw_the_runs_intake() {
    // Completion 1 and an uncertain intake: the September 2023 cohort (in post in year 1) and
    // the September 2025 one (in post in year 3) are Poisson draws of the same drawn intake,
    // so they move together across runs (correlation about 900 / (900 + 120)).
    let m =
        model(&grads("").replace("intake = 120", "intake = { mean = 120, sd = 30 }").replace("completion = 0.8", ""));
    let n = 2000;
    let (layout, set) = runs(&m, Mode::Stochastic, n);
    let year = |d: usize| -> Vec<f64> {
        (0..n as usize).map(|r| series(&layout, &set, &Metric::JoinersOf(0), r)[d]).collect()
    };
    let (y1, y3) = (year(1), year(3));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let sd = |v: &[f64]| (v.iter().map(|x| (x - mean(v)).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
    let se = sd(&y1) / (n as f64).sqrt();
    assert!((mean(&y1) - 120.0).abs() < 5.0 * se, "mean {} (se {se})", mean(&y1));
    let cov = y1.iter().zip(&y3).map(|(a, b)| (a - mean(&y1)) * (b - mean(&y3))).sum::<f64>() / (n - 1) as f64;
    let corr = cov / (sd(&y1) * sd(&y3));
    assert!(corr > 0.75, "correlation {corr}");
    assert!(y1.iter().all(|x| x.fract() == 0.0));
}

#[test]
fn stochastic_in_training_places_exactly_the_number_given() {
    let m = model(&grads("in_training = 300\n"));
    let n = 4000;
    let (layout, set) = runs(&m, Mode::Stochastic, n);
    let mut first = Vec::new();
    for r in 0..n as usize {
        let j = series(&layout, &set, &Metric::JoinersOf(0), r);
        let d = dropouts(&layout, &set, r);
        // Everyone in training at the start finishes by 2027-03, and nobody else does.
        assert_eq!(j[1] + j[2] + d[1] + d[2], 300.0, "run {r}");
        first.push(j[1]);
    }
    // The 2023 cohort: Binomial(300, 1/2) of them, 80% of whom complete: mean 120, variance
    // 300 * (0.4 * 0.6) = 72.
    let mean = first.iter().sum::<f64>() / n as f64;
    assert!((mean - 120.0).abs() < 5.0 * (72.0 / n as f64).sqrt(), "mean {mean}");
}

#[test]
fn stochastic_means_of_a_steady_state_match_the_deterministic_run() {
    let m = model(&grads("").replace("intake = 120", "intake = { mean = 120, sd = 10 }"));
    let (layout, det) = runs(&m, Mode::Deterministic, 1);
    let n = 4000;
    let (_, sto) = runs(&m, Mode::Stochastic, n);
    for d in 1..layout.dates.len() {
        let i = layout.index(d, Level::Total, &Metric::JoinersOf(0), 0).unwrap();
        let col = sto.column(i);
        let mean = col.iter().sum::<f64>() / n as f64;
        let var = col.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let se = (var / n as f64).sqrt();
        assert!(
            (mean - det.values.get(0, i)).abs() < 5.0 * se,
            "date {d}: {mean} vs {} (se {se})",
            det.values.get(0, i)
        );
    }
}

#[test]
fn keys_that_do_not_apply_to_a_route_are_refused() {
    let direct = |key: &str| {
        format!("[[supply]]\nname = \"Direct\"\nintake = 10\n{key}\nentry = [ {{ role = \"A\", band = \"5\" }} ]\n")
    };
    let e = compile_error(&direct("completion = 0.5"));
    assert!(
        e.contains("key supply[0].completion: a route with duration_months = 0 sends its intake straight into post, so completion does not apply: give duration_months, or leave out completion"),
        "{e}"
    );
    let e = compile_error(&direct("in_training = 5"));
    assert!(e.contains("key supply[0].in_training: a route with duration_months = 0"), "{e}");
    let e =
        compile_error("[[supply]]\nname = \"Recruit\"\nkind = \"vacancy-fill\"\nfill_rate = 0.5\nin_training = 3\n");
    assert!(e.contains("key supply[0].in_training: a `vacancy-fill` route does not take this key"), "{e}");
    for bad in ["-1", "nan", "inf"] {
        let e = compile_error(&grads(&format!("in_training = {bad}\n")));
        assert!(
            e.contains("key supply[0].in_training: ") && e.contains("expected a number of trainees, 0 or more"),
            "{e}"
        );
    }
    // No intake month in the 3 months before the start: nobody can be in training then.
    let e = compile_error(&grads("in_training = 10\n").replace("duration_months = 24", "duration_months = 3"));
    assert!(e.contains("key supply[0].in_training: 10: none of the months 2025-01 to 2025-03 before the start"), "{e}");
}

#[test]
fn validate_refuses_completion_on_a_direct_route() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", "role,band,region,headcount,fte\nA,5,X,10,10\n");
    let scenario = write(
        dir.path(),
        "direct.toml",
        "name = \"direct\"\nbaseline = \"staff.csv\"\nstart = \"2025-03\"\n\n[[supply]]\nname = \"Direct\"\nintake = 10\ncompletion = 0.9\nentry = [ { role = \"A\", band = \"5\" } ]\n",
    );
    let out = wfcast().arg("validate").arg(&scenario).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("direct.toml: key supply[0].completion: a route with duration_months = 0"), "{stderr}");
}
