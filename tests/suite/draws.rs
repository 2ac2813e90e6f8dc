//! One written parameter, one draw (MODEL.md): like-written demand changes and interventions
//! draw independently, while a parent's parameters keep their draws in a child that extends
//! it (common random numbers), and keys that do not collide are as before.

use crate::common::correlation;
use std::path::Path;
use wfcast_core::baseline::Baseline;
use wfcast_core::engine::{Engine, Mode};
use wfcast_core::model::Model;
use wfcast_core::runner::{self, RunOptions};
use wfcast_core::scenario::Scenario;
use wfcast_core::summary::{Level, Metric, Stats};

/// The top of a scenario on the three-role baseline: yearly steps to March 2027, a fixed
/// vacancy rate and no growth, so that demand moves only by its dated changes.
const HEAD: &str = "baseline = \"unused.csv\"\nstart = \"2025-03\"\nend = \"2027-03\"\nstep = \"year\"\nseed = 9\n\
                    [demand]\nvacancy_rate = 0.1\n";

/// A demand change of `{ mean = 100, sd = 30 }` FTE for the analysts in April 2025.
const CHANGE: &str = "[[demand.change]]\nrole = \"Analyst\"\nfrom = \"2025-04\"\nadd_fte = { mean = 100, sd = 30 }\n";

fn compile(scenario: &Scenario) -> Model {
    Model::compile(scenario, &Baseline::from_rows("unused.csv", wfcast_testkit::three_roles()), None)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn from_text(name: &str, text: &str) -> (Scenario, Model) {
    let scenario = Scenario::from_toml(&format!("name = \"{name}\"\n{text}"), Path::new(&format!("{name}.toml")))
        .unwrap_or_else(|e| panic!("{e}"));
    let model = compile(&scenario);
    (scenario, model)
}

/// The values of parameter `index` of `model` in runs `0..runs` of seed 9.
fn draws(model: &Model, index: usize, runs: u64) -> Vec<f64> {
    (0..runs).map(|run| Engine::draw_params(model, 9, run, Mode::Stochastic)[index]).collect()
}

#[test]
fn two_like_written_demand_changes_are_two_draws() {
    let (scenario, model) = from_text("twice", &format!("{HEAD}{CHANGE}{CHANGE}"));
    let keys: Vec<&str> = model.changes.iter().map(|c| model.params[c.amount].key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "demand.change|role=Analyst;band=;region=|2025-04|2025-04",
            "demand.change|role=Analyst;band=;region=|2025-04|2025-04#2"
        ]
    );
    // Demand at March 2026 is the baseline's plus both changes in full: its sd over runs is
    // that of their sum, sqrt(2) * 30 = 42.4 for independent draws (60 for one shared draw).
    let runs = 4000;
    let opts = RunOptions { runs: Some(runs), levels: vec![Level::Total], ..Default::default() };
    let r = runner::run_scenario(&scenario, &model, String::new(), &opts, &|| {}).unwrap();
    let demand = r.stat(1, Level::Total, &Metric::DemandFte, 0).unwrap();
    let baseline = r.stat(0, Level::Total, &Metric::DemandFte, 0).unwrap().mean;
    // The sd of a sample sd of n draws is about sd * sqrt((2 + excess kurtosis) / (4n)),
    // here 42.4 * sqrt(2.3 / 16000) = 0.51; the tolerance is six of those.
    let expected = 2f64.sqrt() * 30.0;
    assert!((demand.sd - expected).abs() < 3.0, "sd of the total change {} vs {expected}", demand.sd);
    // And the changes are there, in full: their mean sum is 200 (se 42.4 / sqrt(4000) = 0.67).
    assert!((demand.mean - baseline - 200.0).abs() < 4.0, "mean change {}", demand.mean - baseline);
}

#[test]
fn two_interventions_with_one_name_are_two_draws() {
    let iv = "[[intervention]]\nname = \"boost\"\nfrom = \"2025-04\"\ntarget = \"attrition\"\nmultiply = { mean = 0.9, sd = 0.05 }\n";
    let (_, model) = from_text("boosts", &format!("{HEAD}[attrition]\ndefault = 0.1\n{iv}{iv}"));
    let [a, b] = [0, 1].map(|i| model.interventions[i].value);
    assert_eq!(model.params[a].key, "intervention|boost|multiply");
    assert_eq!(model.params[b].key, "intervention|boost|multiply#2");
    // Independent: their correlation over 2000 runs is within 4.5 standard errors (0.022) of 0.
    let (x, y) = (draws(&model, a, 2000), draws(&model, b, 2000));
    let corr = correlation(&x, &y);
    assert!(corr.abs() < 0.1, "correlation {corr}");
    // Each is still the distribution written: sd 0.05 (se about 0.0008).
    let sd = Stats::of(&y).sd;
    assert!((sd - 0.05).abs() < 0.005, "sd {sd}");
}

#[test]
fn a_child_keeps_its_parents_draws_and_draws_its_own_anew() {
    let dir = tempfile::tempdir().unwrap();
    let parent_text = format!(
        "name = \"parent\"\n{HEAD}[attrition]\ndefault = 0.1\n\n[[attrition.rule]]\nrole = \"Analyst\"\nrate = {{ mean = 0.1, sd = 0.02 }}\n\n{CHANGE}"
    );
    std::fs::write(dir.path().join("parent.toml"), parent_text).unwrap();
    // Reading a scenario checks that the files it names exist (the model is compiled here
    // against a baseline held in memory).
    std::fs::write(dir.path().join("unused.csv"), "role,band,headcount\n").unwrap();
    // The child adds a like-written change (a second, independent one) and overrides the
    // analysts' attrition (one parameter, drawn at the parent's quantile).
    let child_text = format!(
        "extends = \"parent.toml\"\nname = \"child\"\n\n[[attrition.rule]]\nrole = \"Analyst\"\nrate = {{ mean = 0.15, sd = 0.03 }}\n\n{CHANGE}"
    );
    std::fs::write(dir.path().join("child.toml"), child_text).unwrap();
    let parent = compile(&Scenario::load(&dir.path().join("parent.toml")).unwrap());
    let child = compile(&Scenario::load(&dir.path().join("child.toml")).unwrap());
    assert_eq!(parent.changes.len(), 1);
    assert_eq!(child.changes.len(), 2);

    let runs = 500;
    let by_key = |m: &Model| -> Vec<(String, Vec<f64>)> {
        let values: Vec<Vec<f64>> = (0..runs).map(|run| Engine::draw_params(m, 9, run, Mode::Stochastic)).collect();
        m.params.iter().enumerate().map(|(i, p)| (p.key.clone(), values.iter().map(|v| v[i]).collect())).collect()
    };
    let (p, c) = (by_key(&parent), by_key(&child));
    let find = |set: &[(String, Vec<f64>)], key: &str| set.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    // The parent's change: the same key and the same value in every run of both.
    let key = &parent.params[parent.changes[0].amount].key;
    assert_eq!(&child.params[child.changes[0].amount].key, key);
    assert_eq!(find(&p, key).unwrap(), find(&c, key).unwrap(), "the parent's change is drawn alike in the child");
    // The child's own change: a key of its own and an independent draw.
    let own = &child.params[child.changes[1].amount].key;
    assert_ne!(own, key);
    let corr = correlation(&find(&p, key).unwrap(), &find(&c, own).unwrap());
    assert!(corr.abs() < 0.2, "the child's change follows the parent's: correlation {corr}");
    // The overridden rule: the parameter the analysts use has the parent's key, so it is drawn
    // at the same quantile (a different Beta, perfectly rank-correlated).
    let analyst = (0..parent.grid.len()).find(|&cell| parent.grid.role_of(cell) == 0).unwrap();
    let (pa, ca) = (&parent.params[parent.attrition[analyst]], &child.params[child.attrition[analyst]]);
    assert_eq!(pa.key, ca.key);
    assert!((ca.dist.mean() - 0.15).abs() < 1e-9);
    let (x, y) = (draws(&parent, parent.attrition[analyst], runs), draws(&child, child.attrition[analyst], runs));
    assert!(x.iter().zip(&y).all(|(a, b)| a < b), "the override is not drawn at the parent's quantile");
    assert!(correlation(&x, &y) > 0.99);
}

#[test]
fn keys_that_do_not_collide_are_as_before() {
    let text = format!(
        "{HEAD}[attrition]\ndefault = {{ mean = 0.1, sd = 0.02 }}\n\n[[attrition.rule]]\nrole = \"Lead\"\nrate = 0.05\n\n{CHANGE}\
         [[intervention]]\nfrom = \"2026-04\"\ntarget = \"attrition\"\nmultiply = 0.9\n"
    );
    let (_, model) = from_text("plain", &text);
    let keys: Vec<&str> = model.params.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "zero",
            "attrition|default",
            "attrition|role=Lead;band=;region=",
            "demand.vacancy_rate|default",
            "demand.change|role=Analyst;band=;region=|2025-04|2025-04",
            "intervention|0|multiply",
        ]
    );
}

#[test]
fn the_shipped_scenarios_keep_their_keys() {
    // No parameter of theirs is written twice alike, so none takes an occurrence suffix and
    // their outputs are as before. accelerated-digital's growth rules override
    // steady-state's with the same selectors: one key each, drawn at the parent's quantile.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in ["steady-state", "accelerated-digital", "grow-our-own"] {
        let model = wfcast_io::scenario::prepare(&dir.join(format!("{name}.toml"))).unwrap().model;
        let suffixed: Vec<&str> = model.params.iter().map(|p| p.key.as_str()).filter(|k| k.contains('#')).collect();
        assert!(suffixed.is_empty(), "{name}: {suffixed:?}");
        assert!(model.warnings.is_empty(), "{name}: {:?}", model.warnings);
    }
}
