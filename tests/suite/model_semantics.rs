//! Every rule of MODEL.md checked against numbers: closed forms in deterministic mode,
//! means and variances in stochastic mode, and the invariants every run keeps.
use crate::common::correlation;
use std::path::Path;
use wfcast_core::band::Band;
use wfcast_core::baseline::{Baseline, BaselineRow};
use wfcast_core::engine::{Engine, Mode, Recorder, Snapshot, StepFlows};
use wfcast_core::model::Model;
use wfcast_core::runner::{self, RunOptions, RunResult};
use wfcast_core::scenario::Scenario;
use wfcast_core::summary::{Layout, Level, Metric};

fn row(role: &str, band: &str, region: &str, headcount: f64) -> BaselineRow {
    wfcast_testkit::staff(role, band, region, headcount, 1.0)
}

fn compile(toml: &str, rows: Vec<BaselineRow>) -> (Scenario, Model) {
    let text = format!("name = \"t\"\nbaseline = \"unused.csv\"\nstart = \"2025-03\"\n{toml}");
    let scenario = Scenario::from_toml(&text, Path::new("t.toml")).unwrap();
    let model = Model::compile(&scenario, &Baseline::from_rows("unused.csv", rows), None).unwrap();
    (scenario, model)
}

fn run(toml: &str, rows: Vec<BaselineRow>, mode: Mode, runs: u64) -> RunResult {
    let (scenario, model) = compile(toml, rows);
    let opts =
        RunOptions { runs: Some(runs), mode, levels: vec![Level::Total, Level::RoleBandRegion], ..Default::default() };
    runner::run_scenario(&scenario, &model, String::new(), &opts, &|| {}).unwrap()
}

/// Mean of a total-level metric at report date `date`.
fn total(r: &RunResult, date: usize, metric: Metric) -> f64 {
    r.stat(date, Level::Total, &metric, 0).unwrap().mean
}

/// Mean of a metric of the cell (role index, band, region 0) at report date `date`.
fn cell(r: &RunResult, date: usize, metric: Metric, role: usize, band: &str) -> f64 {
    let groups = r.layout.groups(Level::RoleBandRegion).unwrap();
    let b = Band::parse(band).unwrap();
    let g = groups.iter().position(|g| g.role == Some(role) && g.band == Some(b) && g.region == Some(0)).unwrap();
    r.stat(date, Level::RoleBandRegion, &metric, g).unwrap().mean
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} != {b}");
}

#[test]
fn leavers_only_compound_the_annual_rate_whatever_the_step() {
    for step in ["month", "quarter", "year"] {
        let r = run(
            &format!("end = \"2030-03\"\nstep = \"{step}\"\n[attrition]\ndefault = 0.1\n"),
            vec![row("A", "9", "X", 1000.0)],
            Mode::Deterministic,
            1,
        );
        for year in 0..=5 {
            close(total(&r, year, Metric::Headcount), 1000.0 * 0.9f64.powi(year as i32));
        }
        // Leavers over the year to March 2027: 10% of March 2026's staff.
        close(total(&r, 2, Metric::Leavers), 1000.0 * 0.9 * 0.1);
    }
}

#[test]
fn leavers_then_progression_follow_the_closed_form() {
    // Monthly steps: per-step probabilities from annual ones; leavers first, then progression.
    let (a, u) = (0.12f64, 0.2f64);
    let r = run(
        &format!("end = \"2027-03\"\n[attrition]\ndefault = {a}\n[progression]\ndefault = {u}\n"),
        vec![row("A", "8d", "X", 1000.0)],
        Mode::Deterministic,
        1,
    );
    let am = 1.0 - (1.0f64 - a).powf(1.0 / 12.0);
    let um = 1.0 - (1.0f64 - u).powf(1.0 / 12.0);
    let (mut low, mut high, mut progressed) = (1000.0f64, 0.0f64, 0.0f64);
    for _ in 0..24 {
        low *= 1.0 - am;
        high *= 1.0 - am;
        let up = low * um;
        low -= up;
        high += up;
        progressed += up;
    }
    close(cell(&r, 2, Metric::Headcount, 0, "8d"), low);
    close(cell(&r, 2, Metric::Headcount, 0, "9"), high);
    // Band 9 never progresses; 8d's moves are counted in 8d.
    close(cell(&r, 2, Metric::Progressed, 0, "9"), 0.0);
    assert!(cell(&r, 2, Metric::Progressed, 0, "8d") < progressed);
    close(cell(&r, 1, Metric::Progressed, 0, "8d") + cell(&r, 2, Metric::Progressed, 0, "8d"), progressed);
}

#[test]
fn a_pipeline_holds_cohorts_and_completes_a_share() {
    // 120 a year taken in each September, 24 months of training, 80% complete; a new scheme
    // (`in_training = 0`), so nobody is in training at the start (tests/suite/pipelines.rs
    // has the steady state that a running route starts in).
    let r = run(
        r#"end = "2030-03"
[[supply]]
name = "Grads"
intake = 120
months = [9]
duration_months = 24
completion = 0.8
in_training = 0
entry = [ { role = "A", band = "5", share = 1 } ]
"#,
        vec![row("A", "9", "X", 10.0)],
        Mode::Deterministic,
        1,
    );
    let a5 = |date| cell(&r, date, Metric::Headcount, 0, "5");
    close(a5(1), 0.0); // 2026-03: the September 2025 cohort is still training
    close(a5(2), 0.0); // 2027-03
    close(a5(3), 96.0); // 2028-03: the 2025 cohort entered in September 2027
    close(a5(4), 192.0);
    close(a5(5), 288.0);
    let joiners = Metric::JoinersOf(0);
    close(total(&r, 3, joiners.clone()), 96.0);
    close(total(&r, 3, Metric::Joiners), 96.0);
    // Trainees who do not complete are dropouts of the route, never leavers.
    close(total(&r, 3, Metric::Leavers), 0.0);
    let i = r.layout.series().iter().position(|s| s.date == 3 && s.metric == "dropouts:Grads").unwrap();
    close(r.stats[i].mean, 24.0);
}

#[test]
fn intake_without_months_is_spread_evenly_and_straight_routes_enter_post_at_once() {
    let r = run(
        r#"end = "2026-03"
step = "quarter"
[[supply]]
name = "Direct"
intake = 120
entry = [ { role = "A", band = "5", share = 3 }, { role = "A", band = "6", share = 1 } ]
"#,
        vec![row("A", "9", "X", 10.0)],
        Mode::Deterministic,
        1,
    );
    // duration 0: straight into post, all of it; shares normalised.
    close(cell(&r, 1, Metric::Headcount, 0, "5"), 90.0);
    close(cell(&r, 1, Metric::Headcount, 0, "6"), 30.0);
}

#[test]
fn transfers_move_a_share_of_the_stock_after_progression() {
    let r = run(
        r#"end = "2026-03"
step = "year"
[attrition]
default = 0.1
[[transfer]]
from = "A"
to = "B"
rate = 0.2
"#,
        vec![row("A", "9", "X", 1000.0), row("B", "9", "X", 0.0)],
        Mode::Deterministic,
        1,
    );
    close(cell(&r, 1, Metric::Headcount, 0, "9"), 720.0);
    close(cell(&r, 1, Metric::Headcount, 1, "9"), 180.0);
    close(cell(&r, 1, Metric::Transferred, 0, "9"), 180.0);
    close(total(&r, 1, Metric::Headcount), 900.0);
}

#[test]
fn demand_grows_from_vacancy_grossed_baseline_and_changes_ramp_in() {
    let r = run(
        r#"end = "2027-09"
report_month = 9
[demand]
vacancy_rate = 0.2
growth = 0.05
[[demand.change]]
role = "A"
from = "2026-04"
to = "2027-03"
add_fte = 120
"#,
        vec![row("A", "9", "X", 800.0)],
        Mode::Deterministic,
        1,
    );
    let d0 = 800.0 / 0.8;
    close(total(&r, 0, Metric::DemandFte), d0);
    // 2025-09: six months of growth.
    close(total(&r, 1, Metric::DemandFte), d0 * 1.05f64.powf(0.5));
    // 2026-09: 18 months of growth, and 6/12 of the change.
    close(total(&r, 2, Metric::DemandFte), d0 * 1.05f64.powf(1.5) + 60.0);
    // 2027-09: all of the change, which does not grow.
    close(total(&r, 3, Metric::DemandFte), d0 * 1.05f64.powf(2.5) + 120.0);
    close(total(&r, 3, Metric::GapFte), d0 * 1.05f64.powf(2.5) + 120.0 - 800.0);
}

#[test]
fn a_change_that_began_before_the_baseline_counts_only_after_it() {
    let r = run(
        "end = \"2025-09\"\n[[demand.change]]\nfrom = \"2024-10\"\nto = \"2025-09\"\nadd_fte = 120\n",
        vec![row("A", "9", "X", 100.0)],
        Mode::Deterministic,
        1,
    );
    // By 2025-03, 6/12 was in before the baseline; the remaining 60 comes after it.
    close(total(&r, 1, Metric::DemandFte), 160.0);
}

#[test]
fn vacancy_fill_hires_a_share_of_open_vacancies_up_to_the_cap() {
    let toml = |cap: &str| {
        format!(
            r#"end = "2026-03"
step = "year"
[demand]
vacancy_rate = 0.2
[[supply]]
name = "Recruit"
kind = "vacancy-fill"
fill_rate = 0.5
{cap}
"#
        )
    };
    // Demand 1000 FTE, 800 in post: 200 open, half filled in the year.
    let r = run(&toml(""), vec![row("A", "9", "X", 800.0)], Mode::Deterministic, 1);
    close(total(&r, 1, Metric::Headcount), 900.0);
    close(total(&r, 1, Metric::JoinersOf(0)), 100.0);
    let r = run(&toml("max_per_year = 30"), vec![row("A", "9", "X", 800.0)], Mode::Deterministic, 1);
    close(total(&r, 1, Metric::Headcount), 830.0);
}

#[test]
fn interventions_change_rates_from_their_date_and_ramp_in() {
    let base = "end = \"2027-03\"\nstep = \"year\"\n[attrition]\ndefault = 0.2\n";
    let r = run(
        &format!("{base}[[intervention]]\nfrom = \"2026-04\"\ntarget = \"attrition\"\nmultiply = 0.5\n"),
        vec![row("A", "9", "X", 1000.0)],
        Mode::Deterministic,
        1,
    );
    close(total(&r, 1, Metric::Headcount), 800.0);
    close(total(&r, 2, Metric::Headcount), 720.0);
    // Ramped over 24 months with yearly steps: half in force in the first year after it.
    let r = run(
        &format!(
            "{base}[[intervention]]\nfrom = \"2025-04\"\ntarget = \"attrition\"\nmultiply = 0.5\nramp_months = 24\n"
        ),
        vec![row("A", "9", "X", 1000.0)],
        Mode::Deterministic,
        1,
    );
    close(total(&r, 1, Metric::Headcount), 1000.0 * (1.0 - 0.2 * 0.75));
    close(total(&r, 2, Metric::Headcount), 1000.0 * (1.0 - 0.2 * 0.75) * 0.9);
}

#[test]
fn empty_cells_take_their_roles_fte_per_head() {
    let mut rows = vec![row("A", "5", "X", 100.0)];
    rows[0].fte = 80.0;
    let r = run(
        r#"end = "2026-03"
step = "year"
[[supply]]
name = "Direct"
intake = 10
entry = [ { role = "A", band = "6" } ]
"#,
        rows,
        Mode::Deterministic,
        1,
    );
    close(total(&r, 1, Metric::Fte), 80.0 + 10.0 * 0.8);
}

#[test]
fn low_high_parameters_use_the_family_mean_in_deterministic_mode() {
    let (_, model) = compile("[attrition]\ndefault = { low = 0.05, high = 0.25 }\n", vec![row("A", "9", "X", 1.0)]);
    let p = &model.params[model.attrition[0]].dist;
    // The Beta whose 5th and 95th percentiles are 0.05 and 0.25: its mean is not the midpoint.
    assert!((p.quantile(0.05) - 0.05).abs() < 1e-6 && (p.quantile(0.95) - 0.25).abs() < 1e-6);
    assert!((p.mean() - 0.15).abs() > 1e-4);
    let v = Engine::draw_params(&model, 1, 0, Mode::Deterministic);
    close(v[model.attrition[0]], p.mean());
}

/// A mixed linear model: leavers, progression, transfers and a Poisson pipeline, fixed rates.
const LINEAR: &str = r#"end = "2027-03"
[attrition]
default = 0.1
[[attrition.rule]]
role = "B"
rate = 0.2
[progression]
default = 0.15
[[transfer]]
from = "A"
to = "B"
rate = 0.05
[[supply]]
name = "Grads"
intake = 60
months = [9, 10]
duration_months = 6
completion = 0.7
entry = [ { role = "A", band = "5", share = 2 }, { role = "B", band = "6", share = 1 } ]
"#;

fn linear_rows() -> Vec<BaselineRow> {
    vec![
        row("A", "5", "X", 300.0),
        row("A", "6", "X", 200.0),
        row("A", "7", "Y", 120.0),
        row("B", "5", "X", 40.0),
        row("B", "6", "Y", 80.0),
    ]
}

#[test]
fn stochastic_means_converge_to_the_deterministic_run() {
    let det = run(LINEAR, linear_rows(), Mode::Deterministic, 1);
    let sto = run(LINEAR, linear_rows(), Mode::Stochastic, 20_000);
    let mut checked = 0;
    for (i, s) in det.layout.series().iter().enumerate() {
        let (d, st) = (det.stats[i].mean, &sto.stats[i]);
        let se = st.sd / (20_000f64).sqrt();
        if se == 0.0 {
            // No run moved: plausible only if the expected total over all runs is small
            // (seeing none of a Poisson(20000 d) count has probability exp(-20000 d)).
            assert!(st.mean == 0.0 && d * 20_000.0 < 9.0 || (st.mean - d).abs() < 1e-9, "{s:?}: {} vs {d}", st.mean);
        } else {
            assert!((st.mean - d).abs() < 4.0 * se + 1e-9, "{s:?}: mean {} vs deterministic {d} (se {se})", st.mean);
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} random series");
}

#[test]
fn leavers_have_the_binomial_variance() {
    let r = run(
        "end = \"2026-03\"\nstep = \"year\"\n[attrition]\ndefault = 0.1\n",
        vec![row("A", "9", "X", 1000.0)],
        Mode::Stochastic,
        20_000,
    );
    let s = r.stat(1, Level::Total, &Metric::Leavers, 0).unwrap();
    let var = s.sd * s.sd;
    let expected = 1000.0 * 0.1 * 0.9;
    let se_var = expected * (2.0 / 19_999.0f64).sqrt();
    assert!((var - expected).abs() < 4.0 * se_var, "variance {var} vs {expected}");
    assert!((s.mean - 100.0).abs() < 4.0 * (expected / 20_000.0).sqrt());
}

#[test]
fn parameter_uncertainty_is_one_draw_per_run_shared_by_every_cell() {
    // Two cells under one uncertain default: their leaver shares move together run by run.
    let (scenario, model) = compile(
        "end = \"2026-03\"\nstep = \"year\"\n[attrition]\ndefault = { mean = 0.2, sd = 0.08 }\n",
        vec![row("A", "9", "X", 100_000.0), row("B", "9", "X", 100_000.0)],
    );
    let opts = RunOptions { runs: Some(400), levels: vec![Level::RoleBandRegion], ..Default::default() };
    let r = runner::run_scenario(&scenario, &model, String::new(), &opts, &|| {}).unwrap();
    let groups = r.layout.groups(Level::RoleBandRegion).unwrap();
    let find = |role| groups.iter().position(|g| g.role == Some(role) && g.band == Some(Band::B9)).unwrap();
    let a = r.runs.column(r.layout.index(1, Level::RoleBandRegion, &Metric::Leavers, find(0)).unwrap());
    let b = r.runs.column(r.layout.index(1, Level::RoleBandRegion, &Metric::Leavers, find(1)).unwrap());
    let corr = correlation(&a, &b);
    assert!(corr > 0.99, "correlation {corr}");
    // And the spread across runs is the parameter's, far above the Binomial's.
    let sd = wfcast_core::summary::Stats::of(&a).sd;
    assert!((sd / 100_000.0 - 0.08).abs() < 0.015, "sd of leaver share {}", sd / 100_000.0);
}

#[test]
fn a_run_is_the_same_alone_in_a_shard_or_with_all_the_others() {
    let (_, model) = compile(LINEAR, linear_rows());
    let layout = Layout::new(&model, &Level::DEFAULT);
    let all: Vec<u64> = (0..12).collect();
    let whole = runner::run_set(&model, &layout, 7, Mode::Stochastic, &all, &|| {}).unwrap();
    let odd: Vec<u64> = all.iter().copied().filter(|i| i % 2 == 1).collect();
    let even: Vec<u64> = all.iter().copied().filter(|i| i % 2 == 0).collect();
    let a = runner::run_set(&model, &layout, 7, Mode::Stochastic, &odd, &|| {}).unwrap();
    let b = runner::run_set(&model, &layout, 7, Mode::Stochastic, &even, &|| {}).unwrap();
    let merged = wfcast_core::summary::RunSet::merge(vec![a, b]).unwrap();
    assert_eq!(merged, whole);
    let alone = runner::run_set(&model, &layout, 7, Mode::Stochastic, &[5], &|| {}).unwrap();
    assert_eq!(alone.values.row(0), whole.values.row(5));
    // A different seed gives different runs.
    let other = runner::run_set(&model, &layout, 8, Mode::Stochastic, &all, &|| {}).unwrap();
    assert_ne!(other.values, whole.values);
}

/// Checks conservation and non-negativity after every step.
struct Conservation {
    before: Vec<f64>,
    steps: usize,
}

impl Recorder for Conservation {
    fn record(&mut self, _: usize, _: &Snapshot<'_>) {}
    #[allow(clippy::needless_range_loop)] // one cell index across eight arrays
    fn observe_step(&mut self, step: usize, h: &[f64], f: &StepFlows) {
        for c in 0..h.len() {
            let expected = self.before[c] - f.leavers[c] + f.entrants[c] + f.hires[c] + f.prog_in[c] - f.prog_out[c]
                + f.trans_in[c]
                - f.trans_out[c];
            assert!((h[c] - expected).abs() < 1e-6, "step {step} cell {c}: {} != {expected}", h[c]);
            assert!(h[c] >= 0.0, "step {step} cell {c}: negative stock {}", h[c]);
            if self.before[c] == 0.0 && f.entrants[c] + f.hires[c] + f.prog_in[c] + f.trans_in[c] == 0.0 {
                assert_eq!(h[c], 0.0, "an empty cell filled from nothing");
            }
            for flow in
                [f.leavers[c], f.entrants[c], f.hires[c], f.prog_in[c], f.prog_out[c], f.trans_in[c], f.trans_out[c]]
            {
                assert!(flow >= 0.0 && flow.fract() == 0.0, "flows are whole and non-negative: {flow}");
            }
        }
        self.before.copy_from_slice(h);
        self.steps += 1;
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn rate() -> impl Strategy<Value = f64> {
        prop_oneof![Just(0.0), Just(1.0), 0.0..1.0f64]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn stocks_are_conserved_and_never_negative(
            heads in proptest::collection::vec(0u32..400, 6),
            attr in rate(), prog in rate(), trans in 0.0..0.5f64, trans2 in 0.0..0.5f64,
            intake in 0.0..300.0f64, completion in rate(), fill in rate(), vacancy in 0.0..0.5f64,
            growth in -0.5..0.5f64, cap in 0.0..200.0f64, duration in 0u32..30,
            step in prop_oneof![Just("month"), Just("quarter"), Just("year")],
            seed in any::<u64>(),
        ) {
            let bands = ["2", "5", "9"];
            let rows: Vec<BaselineRow> = heads
                .iter()
                .enumerate()
                .map(|(i, h)| row(if i < 3 { "A" } else { "B" }, bands[i % 3], if i % 2 == 0 { "X" } else { "Y" }, *h as f64))
                .collect();
            let toml = format!(
                r#"end = "2027-03"
step = "{step}"
new_roles = ["C"]
[attrition]
default = {{ mean = {m}, sd = {sd} }}
[[attrition.rule]]
role = "B"
rate = {attr}
[progression]
default = {prog}
[[transfer]]
from = "A"
to = "B"
rate = {trans}
[[transfer]]
from = "A"
to = "C"
rate = {trans2}
[[supply]]
name = "P"
intake = {intake}
duration_months = {duration}
{completion}
entry = [ {{ role = "C", band = "5" }}, {{ role = "A", band = "2", region = "Y", share = 2 }} ]
[[supply]]
name = "F"
kind = "vacancy-fill"
fill_rate = {fill}
max_per_year = {cap}
[demand]
vacancy_rate = {vacancy}
growth = {growth}
"#,
                m = attr.clamp(0.05, 0.95),
                sd = 0.02,
                // Completion applies to pipelines only.
                completion = if duration > 0 { format!("completion = {completion}") } else { String::new() },
            );
            let (_, model) = compile(&toml, rows);
            let mut engine = Engine::new(&model);
            let mut check = Conservation { before: model.h0.clone(), steps: 0 };
            engine.run(seed, 3, Mode::Stochastic, &mut check).unwrap();
            prop_assert_eq!(check.steps, model.n_steps);
        }
    }
}

#[test]
fn every_level_sums_to_the_total_in_every_run() {
    let (_, model) = compile(LINEAR, linear_rows());
    let layout = Layout::new(&model, &Level::ALL);
    let set = runner::run_set(&model, &layout, 3, Mode::Stochastic, &[0, 1, 2], &|| {}).unwrap();
    for (d, _) in layout.dates.iter().enumerate() {
        for m in &layout.metrics {
            let total = layout.index(d, Level::Total, m, 0).unwrap();
            for level in Level::ALL {
                let n = layout.groups(level).unwrap().len();
                for run in 0..3 {
                    let sum: f64 = (0..n).map(|g| set.values.get(run, layout.index(d, level, m, g).unwrap())).sum();
                    let t = set.values.get(run, total);
                    assert!((sum - t).abs() < 1e-6 * t.abs().max(1.0), "{level} {m:?} date {d}: {sum} vs {t}");
                }
            }
        }
    }
}
