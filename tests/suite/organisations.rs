//! Forecasts broken down by organisation (`by_organisation = true`): organisations add up to
//! their regions and to England, regions are as without the breakdown, and the errors.

use crate::common::{SUMMARY_HEADER, find, outputs, read_json, read_summary, small_scenario, wfcast, write};
use std::fs;
use std::path::Path;
use wfcast_core::engine::Mode;
use wfcast_core::runner::{self, RunOptions, RunResult};
use wfcast_core::scenario::Scenario;
use wfcast_core::summary::{Level, Metric};
use wfcast_toolkit::{self as toolkit, AggregateOptions};

/// Three organisations in two regions: in London, AAA is twice BBB cell by cell (so the
/// region's cells behave exactly as the sum of its organisations'), CCC alone in North.
const ORG_BASELINE: &str = "\
Org Code,Org Name,Region,Job Role,Band,Headcount,FTE
AAA,Alpha Trust,London,Analyst,4,60,54
AAA,Alpha Trust,London,Analyst,5,120,108
AAA,Alpha Trust,London,Analyst,6,40,36
AAA,Alpha Trust,London,Engineer,6,40,36
AAA,Alpha Trust,London,Engineer,7,20,18
AAA,Alpha Trust,London,Lead,8a,12,10.8
BBB,Beta Trust,London,Analyst,4,30,27
BBB,Beta Trust,London,Analyst,5,60,54
BBB,Beta Trust,London,Analyst,6,20,18
BBB,Beta Trust,London,Engineer,6,20,18
BBB,Beta Trust,London,Engineer,7,10,9
BBB,Beta Trust,London,Lead,8a,6,5.4
CCC,Gamma Trust,North,Analyst,5,90,81
CCC,Gamma Trust,North,Analyst,6,40,36
CCC,Gamma Trust,North,Engineer,7,30,27
";

const METRICS: [&str; 6] = ["headcount", "fte", "demand_fte", "gap_fte", "leavers", "joiners"];

/// The small scenario on `staff.csv`, with a London-only rule, optionally by organisation.
fn scenario_text(name: &str, by_org: bool) -> String {
    let mut s = small_scenario(name, "staff.csv");
    s.push_str("\n[[attrition.rule]]\nregion = \"London\"\nrole = \"Analyst\"\nrate = 0.12\n");
    if by_org {
        s = format!("by_organisation = true\n{s}");
    }
    s
}

/// [`scenario_text`] without its vacancy-fill route: vacancy-fill opens whole posts per cell,
/// so smaller cells (organisations) hire a little differently from regions.
fn linear_scenario_text(name: &str, by_org: bool) -> String {
    let s = scenario_text(name, by_org);
    let (head, rest) = s.split_once("[[supply]]\nname = \"recruitment\"").unwrap();
    let (_, tail) = rest.split_once("[demand]").unwrap();
    format!("{head}[demand]{tail}")
}

fn run(dir: &Path, name: &str, by_org: bool, mode: Mode, runs: u64, levels: &[Level]) -> RunResult {
    let text =
        if mode == Mode::Deterministic { linear_scenario_text(name, by_org) } else { scenario_text(name, by_org) };
    let path = write(dir, &format!("{name}.toml"), text);
    let scenario = Scenario::load(&path).unwrap();
    let model = wfcast_io::scenario::compile(&scenario).unwrap();
    let opts = RunOptions { runs: Some(runs), mode, levels: levels.to_vec(), ..Default::default() };
    runner::run_scenario(&scenario, &model, String::new(), &opts, &|| {}).unwrap()
}

fn metric(name: &str) -> Metric {
    match name {
        "headcount" => Metric::Headcount,
        "fte" => Metric::Fte,
        "demand_fte" => Metric::DemandFte,
        "gap_fte" => Metric::GapFte,
        "leavers" => Metric::Leavers,
        "joiners" => Metric::Joiners,
        _ => unreachable!(),
    }
}

/// Equal but for rounding: stochastic rows are stored as f32 (seven significant figures).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn organisations_add_up_to_regions_which_are_as_without_the_breakdown() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", ORG_BASELINE);
    let levels = [Level::Region, Level::Organisation, Level::RoleOrganisation, Level::Role];
    let by_org = run(dir.path(), "orgs", true, Mode::Deterministic, 1, &levels);
    let plain = run(dir.path(), "plain", false, Mode::Deterministic, 1, &[Level::Region, Level::Role]);
    let l = &by_org.layout;
    assert_eq!(l.organisations.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(), ["AAA", "BBB", "CCC"]);
    let orgs = l.groups(Level::Organisation).unwrap();
    assert_eq!(orgs.len(), 3);
    let regions = l.groups(Level::Region).unwrap();
    let value = |r: &RunResult, level, m: &str, g, d| r.stat(d, level, &metric(m), g).unwrap().mean;
    for d in 0..l.dates.len() {
        for m in METRICS {
            if d == 0 && (m == "leavers" || m == "joiners") {
                continue;
            }
            let total = value(&by_org, Level::Total, m, 0, d);
            let org_sum: f64 = (0..orgs.len()).map(|g| value(&by_org, Level::Organisation, m, g, d)).sum();
            assert!(close(org_sum, total), "{m} at {d}: organisations {org_sum} vs England {total}");
            assert!(close(total, value(&plain, Level::Total, m, 0, d)), "{m} at {d}: England differs");
            for (x, region) in regions.iter().enumerate() {
                let in_region: f64 = (0..orgs.len())
                    .filter(|&g| orgs[g].region == region.region)
                    .map(|g| value(&by_org, Level::Organisation, m, g, d))
                    .sum();
                let here = value(&by_org, Level::Region, m, x, d);
                assert!(close(in_region, here), "{m} at {d}: organisations {in_region} vs region {here}");
                let name = &l.regions[region.region.unwrap()];
                let px = plain.layout.regions.iter().position(|r| r == name).unwrap();
                let pg = plain.layout.groups(Level::Region).unwrap().iter().position(|g| g.region == Some(px)).unwrap();
                let there = value(&plain, Level::Region, m, pg, d);
                assert!(close(here, there), "{m} at {d} in {name}: {here} by organisation, {there} without");
            }
            let roles = l.groups(Level::Role).unwrap().len();
            let role_orgs = l.groups(Level::RoleOrganisation).unwrap();
            for g in 0..roles {
                let role = l.groups(Level::Role).unwrap()[g].role;
                let sum: f64 = (0..role_orgs.len())
                    .filter(|&k| role_orgs[k].role == role)
                    .map(|k| value(&by_org, Level::RoleOrganisation, m, k, d))
                    .sum();
                assert!(close(sum, value(&by_org, Level::Role, m, g, d)), "{m} at {d}: role {g}");
            }
        }
    }
}

#[test]
fn stochastic_organisations_add_up_to_england_in_every_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", ORG_BASELINE);
    let r = run(dir.path(), "orgs", true, Mode::Stochastic, 30, &[Level::Organisation, Level::Region]);
    let l = &r.layout;
    let orgs = l.groups(Level::Organisation).unwrap().len();
    let values = &r.runs.values;
    assert_eq!(values.len(), 30);
    let last = l.dates.len() - 1;
    let mut differ = false;
    for m in METRICS {
        let total = l.index(last, Level::Total, &metric(m), 0).unwrap();
        let cols: Vec<usize> = (0..orgs).map(|g| l.index(last, Level::Organisation, &metric(m), g).unwrap()).collect();
        for run in 0..values.len() {
            let sum: f64 = cols.iter().map(|&c| values.get(run, c)).sum();
            assert!(close(sum, values.get(run, total)), "{m}, run {run}: {sum} vs {}", values.get(run, total));
            differ |= values.get(run, total) != values.get(0, total);
        }
    }
    assert!(differ, "the runs should differ");
}

#[test]
fn a_by_organisation_run_writes_codes_regions_a_table_and_the_region_chart() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", ORG_BASELINE);
    let scenario = write(dir.path(), "orgs.toml", scenario_text("orgs", true));
    let assert = wfcast().arg("validate").arg(&scenario).assert().success();
    assert!(outputs(&assert).0.contains("3 organisations in 2 regions"), "{:?}", outputs(&assert));
    let out = dir.path().join("out");
    wfcast()
        .arg("run")
        .arg(&scenario)
        .args(["--runs", "20", "--levels", "total,region,organisation,role_organisation", "--report", "--quiet"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let folder = out.join("orgs");
    let text = fs::read_to_string(folder.join("summary.csv")).unwrap();
    assert!(text.starts_with(SUMMARY_HEADER));
    let rows = read_summary(&folder.join("summary.csv"));
    for code in ["AAA", "BBB", "CCC"] {
        find(&rows, "2030-03", "organisation", ["", "", code], "gap_fte");
        find(&rows, "2030-03", "role_organisation", ["Analyst", "", code], "fte");
    }
    let meta = read_json(&folder.join("meta.json"));
    let orgs = meta["organisations"].as_array().unwrap();
    assert_eq!(orgs.len(), 3);
    assert_eq!((orgs[2]["code"].as_str(), orgs[2]["name"].as_str()), (Some("CCC"), Some("Gamma Trust")));
    assert_eq!(orgs[2]["region"].as_str(), Some("North"));
    assert!(folder.join("charts/gap_by_region.svg").is_file() && folder.join("charts/gap_by_region.png").is_file());
    let html = fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(html.contains("id=\"by-organisation\""), "no organisation table");
    for name in ["Alpha Trust (AAA)", "Gamma Trust (CCC)", "North (region)", "fig-gap_by_region"] {
        assert!(html.contains(name), "report lacks `{name}`");
    }
}

#[test]
fn the_national_baseline_of_aggregate_runs_by_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/submissions");
    let out = dir.path().join("national.toml");
    toolkit::aggregate(&[folder], &AggregateOptions::default(), &out).unwrap();
    let child = write(
        dir.path(),
        "by-org.toml",
        "extends = \"national-steady.toml\"\nname = \"by-org\"\nby_organisation = true\n",
    );
    let scenario = Scenario::load(&child).unwrap();
    assert_eq!(scenario.spec.by_organisation, Some(true));
    let model = wfcast_io::scenario::compile(&scenario).unwrap();
    assert!(model.grid.organisations.len() > 1, "{} organisations", model.grid.organisations.len());
    let levels = vec![Level::Region, Level::Organisation];
    let opts = RunOptions { mode: Mode::Deterministic, levels, ..Default::default() };
    let r = runner::run_scenario(&scenario, &model, String::new(), &opts, &|| {}).unwrap();
    let l = &r.layout;
    let last = l.dates.len() - 1;
    for m in ["fte", "demand_fte"] {
        let total = r.stat(last, Level::Total, &metric(m), 0).unwrap().mean;
        let orgs = l.groups(Level::Organisation).unwrap().len();
        let sum: f64 = (0..orgs).map(|g| r.stat(last, Level::Organisation, &metric(m), g).unwrap().mean).sum();
        assert!(close(sum, total), "{m}: {sum} vs {total}");
    }
    // The same future without the breakdown has the same England demand at every date.
    let plain = Scenario::load(&out.with_file_name("national-steady.toml")).unwrap();
    let pm = wfcast_io::scenario::compile(&plain).unwrap();
    let p = runner::run_scenario(&plain, &pm, String::new(), &opts_det(), &|| {}).unwrap();
    for d in 0..l.dates.len() {
        let a = r.stat(d, Level::Total, &Metric::DemandFte, 0).unwrap().mean;
        let b = p.stat(d, Level::Total, &Metric::DemandFte, 0).unwrap().mean;
        assert!((a - b).abs() < 1e-6 * b.abs().max(1.0), "demand at {d}: {a} vs {b}");
    }
}

fn opts_det() -> RunOptions {
    RunOptions { mode: Mode::Deterministic, levels: vec![Level::Region], ..Default::default() }
}

#[test]
fn by_organisation_errors_name_the_place() {
    let dir = tempfile::tempdir().unwrap();
    // An organisation in two regions: refused, naming the line, only when by organisation.
    let two = ORG_BASELINE.replace("CCC,Gamma Trust,North,Engineer,7", "AAA,Alpha Trust,North,Engineer,7");
    write(dir.path(), "staff.csv", &two);
    let path = write(dir.path(), "orgs.toml", scenario_text("orgs", true));
    let err = wfcast_io::scenario::compile(&Scenario::load(&path).unwrap()).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let message = err.to_string();
    for part in ["staff.csv", "line 16", "`AAA`", "`North`", "`London` on line 2", "one region per organisation"] {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
    let plain = write(dir.path(), "plain.toml", scenario_text("plain", false));
    wfcast_io::scenario::compile(&Scenario::load(&plain).unwrap()).unwrap();

    // No organisation column.
    write(dir.path(), "staff.csv", crate::common::SMALL_BASELINE);
    let message = wfcast_io::scenario::compile(&Scenario::load(&path).unwrap()).unwrap_err().to_string();
    for part in ["staff.csv", "no organisation column", "by_organisation"] {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }

    // The organisation levels without by_organisation.
    let assert = wfcast().arg("run").arg(&plain).args(["--levels", "total,organisation"]).assert().code(2);
    let (_, stderr) = outputs(&assert);
    assert!(stderr.contains("--levels") && stderr.contains("by_organisation = true"), "{stderr}");
}
