//! DDaT Capability Framework role families in outputs, charts and reports: family totals are
//! the sums of their roles in every run, the shipped mapping is the default, a scenario's own
//! mapping (a file or a table) replaces it, bad mappings are refused with the line at fault,
//! and the report has the family table.

use crate::common::{SMALL_BASELINE, find, outputs, read_json, read_summary, small_scenario, wfcast, write};
use std::fs;
use std::path::{Path, PathBuf};
use wfcast_core::band::Band;
use wfcast_core::baseline::{Baseline, BaselineRow};
use wfcast_core::engine::Mode;
use wfcast_core::model::Model;
use wfcast_core::runner;
use wfcast_core::scenario::Scenario;
use wfcast_core::summary::{Layout, Level};

/// The small baseline's rows (three roles, two regions).
fn small_rows() -> Vec<BaselineRow> {
    SMALL_BASELINE
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            BaselineRow {
                role: f[0].into(),
                band: Band::parse(f[1]).unwrap(),
                region: f[2].into(),
                headcount: f[3].parse().unwrap(),
                fte: f[4].parse().unwrap(),
                establishment_fte: None,
            }
        })
        .collect()
}

/// The small scenario with `extra` inserted among its top-level keys.
fn scenario_with(name: &str, extra: &str) -> String {
    let text = small_scenario(name, "staff.csv");
    let (first, rest) = text.split_once('\n').unwrap();
    format!("{first}\n{extra}\n{rest}")
}

/// The small scenario, compiled with a `[families]` table: Analyst and Engineer in `Data`, Lead
/// in no family.
fn compiled_with_table() -> Model {
    let text = format!("{}\n[families]\nAnalyst = \"Data\"\n\"engineer \" = \"Data\"\n", small_scenario("t", "x.csv"));
    let scenario = Scenario::from_toml(&text, Path::new("t.toml")).unwrap();
    Model::compile(&scenario, &Baseline::from_rows("x.csv", small_rows()), None).unwrap()
}

/// Equal but for rounding: stochastic rows are stored as f32 (seven significant figures of
/// each value summed, so a small gap summed from large ones may be off by a few 1e-5).
fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0) + 1e-3, "{what}: {a} vs {b}");
}

#[test]
fn family_totals_are_the_sums_of_their_roles_in_every_run() {
    let model = compiled_with_table();
    assert_eq!(model.families, ["Data", "Unmapped"]);
    assert_eq!(model.family_of_role, [0, 0, 1], "roles: {:?}", model.grid.roles);
    let levels = [Level::Total, Level::Role, Level::RoleBand, Level::Family, Level::FamilyBand];
    let layout = Layout::new(&model, &levels);
    let families = layout.groups(Level::Family).unwrap();
    assert_eq!(families.iter().map(|g| g.family).collect::<Vec<_>>(), [Some(0), Some(1)]);
    let role_bands = layout.groups(Level::RoleBand).unwrap();
    let family_bands = layout.groups(Level::FamilyBand).unwrap();
    for mode in [Mode::Stochastic, Mode::Deterministic] {
        let runs: Vec<u64> = if mode == Mode::Stochastic { (0..6).collect() } else { vec![0] };
        let set = runner::run_set(&model, &layout, 7, mode, &runs, &|| {}).unwrap();
        for run in 0..runs.len() {
            let at = |i: usize| set.values.get(run, i);
            for d in 0..layout.dates.len() {
                for m in &layout.metrics {
                    let value = |level: Level, g: usize| at(layout.index(d, level, m, g).unwrap());
                    let mut total = 0.0;
                    for f in 0..families.len() {
                        // Summed from the role level in role order: exactly the sum of its roles.
                        let mut sum = 0.0;
                        for r in (0..model.grid.roles.len()).filter(|&r| model.family_of_role[r] == f) {
                            sum += value(Level::Role, r);
                        }
                        // Exact in f64; stochastic rows are stored as f32, each value rounded.
                        let tol = if mode == Mode::Stochastic { 1e-6 * sum.abs().max(1.0) } else { 0.0 };
                        let family = value(Level::Family, f);
                        assert!(
                            (family - sum).abs() <= tol,
                            "{mode:?} run {run} date {d} {m:?} family {f}: {family} vs {sum}"
                        );
                        total += sum;
                    }
                    close(total, value(Level::Total, 0), &format!("{mode:?} run {run} date {d} {m:?}: families"));
                    for (fb, group) in family_bands.iter().enumerate() {
                        let sum: f64 = role_bands
                            .iter()
                            .enumerate()
                            .filter(|(_, rb)| {
                                rb.band == group.band && Some(model.family_of_role[rb.role.unwrap()]) == group.family
                            })
                            .map(|(i, _)| value(Level::RoleBand, i))
                            .sum();
                        close(
                            value(Level::FamilyBand, fb),
                            sum,
                            &format!("{mode:?} run {run} date {d} {m:?} {group:?}"),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_shipped_mapping_is_the_default_and_places_every_seed_role() {
    let scenario = Scenario::load(Path::new("scenarios/steady-state.toml")).unwrap();
    assert!(scenario.spec.families.is_none());
    let model = wfcast_io::scenario::compile(&scenario).unwrap();
    assert_eq!(
        model.families,
        [
            "Chief digital and data",
            "Data",
            "IT operations",
            "Product and delivery",
            "Software development",
            "Other (not DDaT)"
        ]
    );
    let of = |role: &str| &model.families[model.family_of_role[model.grid.role_index(role).unwrap()]];
    assert_eq!(of("Data Science"), "Data");
    assert_eq!(of("Health Records"), "Other (not DDaT)");
    assert_eq!(of("Systems & Software Development"), "Software development");
    assert!(Level::DEFAULT.contains(&Level::Family));
    assert_eq!(Level::parse("family"), Some(Level::Family));
    assert_eq!(Level::parse("family_band"), Some(Level::FamilyBand));
}

#[test]
fn a_parent_mapping_file_is_inherited_and_a_child_table_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("a")).unwrap();
    fs::create_dir_all(d.join("b")).unwrap();
    write(&d.join("a"), "m.csv", "role,family\nAnalyst,Data\n");
    // The parent's baseline must exist: a scenario naming a file that does not is refused.
    write(&d.join("a"), "staff.csv", SMALL_BASELINE);
    write(&d.join("a"), "parent.toml", scenario_with("parent", "families = \"m.csv\""));
    let child = write(&d.join("b"), "child.toml", "extends = \"../a/parent.toml\"\nname = \"child\"\n");
    let s = Scenario::load(&child).unwrap();
    assert_eq!(s.families.pairs, [("Analyst".to_string(), "Data".to_string())]);
    let files: Vec<PathBuf> = s.files.iter().map(|(p, _)| p.clone()).collect();
    let last = fs::canonicalize(files.last().unwrap()).unwrap();
    assert_eq!(last, fs::canonicalize(d.join("a").join("m.csv")).unwrap(), "{files:?}");
    let table = write(
        &d.join("b"),
        "table.toml",
        "extends = \"../a/parent.toml\"\nname = \"table\"\n[families]\nLead = \"Chief digital and data\"\n",
    );
    let s = Scenario::load(&table).unwrap();
    assert_eq!(s.families.pairs, [("Lead".to_string(), "Chief digital and data".to_string())]);
    assert!(!s.files.iter().any(|(p, _)| p.ends_with("m.csv")));
}

/// A folder with the small baseline and `maps/mapping.csv`, and a scenario naming it.
fn override_fixture(name: &str, mapping: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", SMALL_BASELINE);
    fs::create_dir_all(dir.path().join("maps")).unwrap();
    write(&dir.path().join("maps"), "mapping.csv", mapping);
    let scenario = write(dir.path(), &format!("{name}.toml"), scenario_with(name, "families = \"maps/mapping.csv\""));
    (dir, scenario)
}

const MAPPING: &str =
    "Role,Family,Why\r\nAnalyst,Data,analysis\r\nEngineer,Data,\r\nArchitect,Architecture,not here\r\n";

#[test]
fn a_mapping_file_overrides_the_default_in_every_output_and_the_report() {
    let (dir, scenario) = override_fixture("fam", MAPPING);
    let out = dir.path().join("out");
    let assert = wfcast()
        .arg("run")
        .arg(&scenario)
        .args(["--deterministic", "--levels", "total,role,family", "--report", "--quiet", "--out"])
        .arg(&out)
        .assert();
    let (_, stderr) = outputs(&assert);
    assert.code(0);
    assert!(stderr.is_empty(), "{stderr}");
    let folder = out.join("fam");

    // summary.csv: the family name in the role column; Data is Analyst plus Engineer, Lead is
    // in no family, and the mapping's Architect (not in the baseline) is left out.
    let rows = read_summary(&folder.join("summary.csv"));
    let mut families: Vec<&str> = Vec::new();
    for r in rows.iter().filter(|r| r.level == "family") {
        assert!(r.band.is_empty() && r.region.is_empty(), "{r:?}");
        if !families.contains(&r.role.as_str()) {
            families.push(&r.role);
        }
    }
    assert_eq!(families, ["Data", "Unmapped"]);
    for date in ["2025-03", "2027-03", "2030-03"] {
        for metric in ["headcount", "fte", "demand_fte", "gap_fte"] {
            let role = |r: &str| find(&rows, date, "role", [r, "", ""], metric).mean;
            let family = |f: &str| find(&rows, date, "family", [f, "", ""], metric).mean;
            close(family("Data"), role("Analyst") + role("Engineer"), &format!("{date} {metric} Data"));
            close(family("Unmapped"), role("Lead"), &format!("{date} {metric} Unmapped"));
        }
    }

    // meta.json lists the mapping with its hash; scenario.toml records the families as run.
    let meta = read_json(&folder.join("meta.json"));
    let files = meta["files"].as_array().unwrap();
    let last = files.last().unwrap();
    assert!(last["path"].as_str().unwrap().ends_with("mapping.csv"), "{files:?}");
    assert_eq!(last["sha256"].as_str().unwrap(), crate::common::sha256_hex(MAPPING.as_bytes()));
    assert!(meta["levels"].as_array().unwrap().iter().any(|l| l == "family"));
    let as_run = fs::read_to_string(folder.join("scenario.toml")).unwrap();
    assert!(as_run.contains("[families]\nAnalyst = \"Data\"\nEngineer = \"Data\"\nLead = \"Unmapped\"\n"), "{as_run}");

    // The chart and the report's family table, with the unmapped role named.
    assert!(folder.join("charts/supply_demand_families.svg").is_file());
    assert!(folder.join("charts/supply_demand_families.png").is_file());
    let html = fs::read_to_string(folder.join("report.html")).unwrap();
    let table = &html[html.find("id=\"by-family\"").expect("the family table")..];
    let table = &table[..table.find("</aside>").expect("the note on roles in no family")];
    for want in [
        "<th scope=\"row\">Data</th>",
        "<th scope=\"row\">Unmapped</th>",
        "<strong>Data</strong>: Analyst and Engineer",
        "<strong>Unmapped</strong>: Lead",
        "Lead is not in the mapping",
        "maps/mapping.csv",
    ] {
        assert!(table.contains(want), "the family section lacks {want}: {table}");
    }
    let fig = &html[html.find("id=\"fig-supply_demand_families\"").expect("the families figure")..];
    assert!(fig[..fig.find("</figure>").unwrap()].contains("<svg "), "the families chart is inlined");

    // The scenario as run, run again, gives the same numbers.
    let again = dir.path().join("again");
    wfcast()
        .arg("run")
        .arg(folder.join("scenario.toml"))
        .args(["--deterministic", "--levels", "total,role,family", "--quiet", "--out"])
        .arg(&again)
        .assert()
        .code(0);
    assert_eq!(read_summary(&again.join("fam/summary.csv")), rows);
}

#[test]
fn a_folder_without_the_family_level_has_no_family_table() {
    let (dir, scenario) = override_fixture("plain", MAPPING);
    let out = dir.path().join("out");
    wfcast()
        .arg("run")
        .arg(&scenario)
        .args(["--deterministic", "--levels", "total,role", "--report", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    let html = fs::read_to_string(out.join("plain/report.html")).unwrap();
    assert!(!html.contains("by-family") && !html.contains("fig-supply_demand_families"));
    assert!(!out.join("plain/charts/supply_demand_families.svg").exists());
}

/// Runs `wfcast validate` on `scenario` and returns its stderr, checking the exit status is 2.
fn refused(scenario: &Path) -> String {
    let assert = wfcast().arg("validate").arg(scenario).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    stderr
}

#[test]
fn bad_mappings_are_refused_naming_the_file_line_and_value() {
    let (_dir, scenario) =
        override_fixture("bad", "role,family\nAnalyst,Data\nLead,Chief digital and data\n analyst ,IT operations\n");
    let err = refused(&scenario);
    for want in ["mapping.csv", "line 4", "`analyst`", "`IT operations`", "`Data` on line 2", "one family per role"] {
        assert!(err.contains(want), "{want} missing: {err}");
    }

    let (_dir, scenario) = override_fixture("empty", "role,family\nAnalyst,\n");
    let err = refused(&scenario);
    assert!(err.contains("mapping.csv: line 2") && err.contains("`Analyst` has an empty family"), "{err}");

    let (_dir, scenario) = override_fixture("header", "job,family\nAnalyst,Data\n");
    let err = refused(&scenario);
    assert!(err.contains("line 1") && err.contains("no `role` column"), "{err}");

    let (dir, scenario) = override_fixture("missing", MAPPING);
    fs::remove_file(dir.path().join("maps/mapping.csv")).unwrap();
    let err = refused(&scenario);
    assert!(err.contains("missing.toml") && err.contains("key families") && err.contains("does not exist"), "{err}");

    let text = format!("{}[families]\nAnalyst = 3\n", small_scenario("table", "staff.csv"));
    let line = text.lines().count();
    let scenario = write(dir.path(), "table.toml", &text);
    let err = refused(&scenario);
    assert!(err.contains("table.toml") && err.contains(&format!("line {line}")), "{err}");

    // Nothing is written by a run that is refused.
    let (dir, scenario) = override_fixture("norun", "role,family\nAnalyst,Data\nAnalyst,Other\n");
    let out = dir.path().join("out");
    wfcast().arg("run").arg(&scenario).args(["--quiet", "--out"]).arg(&out).assert().code(2);
    assert!(!out.join("norun").exists());
}
