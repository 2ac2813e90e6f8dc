//! Files a run reads and writes: a file a scenario or the command line names that does not
//! exist is an input error naming the key, the path and the nearest file; outputs go into
//! folders that do not exist yet; and meta.json hashes every file a run read.

use crate::common::{SMALL_BASELINE, outputs, read_json, sha256_hex, small_scenario, wfcast, write};
use std::fs;
use std::path::{Path, PathBuf};

/// The shipped pay table (every band), as text.
fn pay_table() -> String {
    fs::read_to_string("seeds/afc_pay_2025_26.csv").expect("the shipped pay table")
}

/// A folder `data/` with the small baseline (`staff_2025.csv`), a pay table
/// (`pay_2025_26.csv`) and a role families mapping (`families.csv`), and a folder
/// `scenarios/` for scenarios that name them as `../data/...`.
fn fixture() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (data, scenarios) = (dir.path().join("data"), dir.path().join("scenarios"));
    fs::create_dir_all(&data).unwrap();
    fs::create_dir_all(&scenarios).unwrap();
    write(&data, "staff_2025.csv", SMALL_BASELINE);
    write(&data, "pay_2025_26.csv", pay_table());
    write(&data, "families.csv", "role,family\nAnalyst,Data\nEngineer,Software development\n");
    (dir, data, scenarios)
}

/// The small scenario `name` on `baseline`, with `extra` top-level keys before its tables
/// and `tables` after them.
fn scenario(name: &str, baseline: &str, extra: &str, tables: &str) -> String {
    format!("{extra}\n{}\n{tables}", small_scenario(name, baseline))
}

/// Runs `wfcast validate` on `path` and returns its standard error, checking it exits with
/// status 2 (an input error) and gives no operating-system message.
fn refused(args: &[&str], path: &Path) -> String {
    let assert = wfcast().args(args).arg(path).assert();
    let (_, err) = outputs(&assert);
    assert.code(2);
    assert!(!err.contains("os error"), "an operating-system message: {err}");
    err
}

/// Asserts that `err` names `file`, `key` and the resolved path `missing` and suggests `nearest`.
fn names(err: &str, file: &Path, key: &str, missing: &Path, nearest: &Path) {
    for want in [
        format!("{}: key {key}: ", file.display()),
        format!("`{}`", missing.display()),
        format!("did you mean `{}`?", nearest.display()),
    ] {
        assert!(err.contains(&want), "`{want}` not in: {err}");
    }
}

#[test]
fn a_missing_baseline_names_the_key_the_resolved_path_and_the_nearest_file() {
    let (_dir, data, scenarios) = fixture();
    let s = write(&scenarios, "s.toml", scenario("s", "../data/staff_2024.csv", "", ""));
    let err = refused(&["validate"], &s);
    names(&err, &s, "baseline", &data.join("staff_2024.csv"), &data.join("staff_2025.csv"));
    assert!(err.contains("`../data/staff_2024.csv`, read from the scenario's folder"), "{err}");
    // A folder that does not exist: said so, with the nearest existing folder above it.
    let s = write(&scenarios, "t.toml", scenario("t", "../dat/staff_2025.csv", "", ""));
    let out = data.with_file_name("out");
    let err = refused(&["run", "--runs", "2", "--out", out.to_str().unwrap()], &s);
    assert!(err.contains(&format!("there is no folder `{}`", data.with_file_name("dat").display())), "{err}");
    assert!(err.contains(&format!("the nearest existing folder is `{}`", data.parent().unwrap().display())), "{err}");
    assert!(err.contains(&format!("did you mean `{}`?", data.display())), "{err}");
}

#[test]
fn a_missing_pay_table_names_the_key_the_resolved_path_and_the_nearest_file() {
    let (_dir, data, scenarios) = fixture();
    let cost = "[cost]\npay = \"../data/pay_2025_25.csv\"\n";
    let s = write(&scenarios, "s.toml", scenario("s", "../data/staff_2025.csv", "", cost));
    let err = refused(&["validate"], &s);
    names(&err, &s, "cost.pay", &data.join("pay_2025_25.csv"), &data.join("pay_2025_26.csv"));
}

#[test]
fn a_missing_families_file_names_the_key_the_resolved_path_and_the_nearest_file() {
    let (_dir, data, scenarios) = fixture();
    let s =
        write(&scenarios, "s.toml", scenario("s", "../data/staff_2025.csv", "families = \"../data/familes.csv\"", ""));
    let err = refused(&["validate"], &s);
    names(&err, &s, "families", &data.join("familes.csv"), &data.join("families.csv"));
}

#[test]
fn a_missing_parent_names_the_key_the_resolved_path_and_the_nearest_file() {
    let (_dir, _data, scenarios) = fixture();
    write(&scenarios, "parent.toml", small_scenario("parent", "../data/staff_2025.csv"));
    let child = write(&scenarios, "child.toml", "extends = \"parnt.toml\"\nname = \"child\"\n");
    let err = refused(&["validate"], &child);
    names(&err, &child, "extends", &scenarios.join("parnt.toml"), &scenarios.join("parent.toml"));
    // The parent's own missing files name the parent, where the key is.
    let parent = write(&scenarios, "parent.toml", small_scenario("parent", "../data/staff_2024.csv"));
    write(&scenarios, "child.toml", "extends = \"parent.toml\"\nname = \"child\"\n");
    let err = refused(&["validate"], &child);
    let data = scenarios.with_file_name("data");
    names(&err, &parent, "baseline", &data.join("staff_2024.csv"), &data.join("staff_2025.csv"));
    // A child that names its own baseline does not need the parent's to exist.
    write(
        &scenarios,
        "child.toml",
        "extends = \"parent.toml\"\nname = \"child\"\nbaseline = \"../data/staff_2025.csv\"\n",
    );
    wfcast().arg("validate").arg(&child).assert().success();
}

#[test]
fn a_mistyped_scenario_path_on_the_command_line_names_the_nearest_file() {
    let (dir, _data, scenarios) = fixture();
    write(&scenarios, "steady-state.toml", small_scenario("steady-state", "../data/staff_2025.csv"));
    let typo = scenarios.join("stedy-state.toml");
    let out = dir.path().join("out");
    let (snap, flow) = (out.join("snap.csv"), out.join("flows.csv"));
    let flows = ["--snapshots", snap.to_str().unwrap(), "--flows", flow.to_str().unwrap()];
    let good = scenarios.join("steady-state.toml");
    for args in [vec!["validate"], vec!["run", "--out", out.to_str().unwrap()], vec!["simulate"]] {
        let mut args = args;
        if args[0] == "simulate" {
            args.extend(flows);
        }
        let err = refused(&args, &typo);
        let want = format!("scenario file `{}` does not exist (did you mean `{}`?)", typo.display(), good.display());
        assert!(err.contains(&want), "{args:?}: `{want}` not in: {err}");
    }
    let assert = wfcast().arg("compare").arg(&good).arg(&typo).arg("--out").arg(&out).assert();
    let (_, err) = outputs(&assert);
    assert.code(2);
    assert!(err.contains(&format!("did you mean `{}`?", good.display())), "{err}");
    assert!(!out.exists(), "something was written");
}

#[test]
fn mistyped_histories_and_folders_on_the_command_line_name_the_nearest_one() {
    let (_dir, data, _scenarios) = fixture();
    let history = data.join("staff_2026.csv");
    let fragment = data.join("c.toml");
    let err = refused(&["calibrate", "--out", fragment.to_str().unwrap()], &history);
    assert!(err.contains(&format!("did you mean `{}`?", data.join("staff_2025.csv").display())), "{err}");
    let err = refused(&["backtest", "--train-until", "2024-03"], &history);
    assert!(err.contains(&format!("history file `{}` does not exist", history.display())), "{err}");
    let err = refused(&["plot"], &data.with_file_name("dta"));
    assert!(err.contains(&format!("did you mean `{}`?", data.display())), "{err}");
    let err = refused(&["report"], &data.join("none/deeper"));
    assert!(err.contains(&format!("there is no folder `{}`", data.join("none").display())), "{err}");
}

#[test]
fn simulate_and_calibrate_write_into_new_nested_folders() {
    let (dir, _data, scenarios) = fixture();
    let s = write(&scenarios, "s.toml", small_scenario("s", "../data/staff_2025.csv"));
    let (snapshots, flows) = (dir.path().join("new/deeper/snapshots.csv"), dir.path().join("other/flows.csv"));
    wfcast().arg("simulate").arg(&s).arg("--snapshots").arg(&snapshots).arg("--flows").arg(&flows).assert().success();
    assert!(snapshots.is_file() && flows.is_file());
    assert_eq!(crate::common::entries(snapshots.parent().unwrap()), ["snapshots.csv"], "temporary files left");
    assert_eq!(crate::common::entries(flows.parent().unwrap()), ["flows.csv"], "temporary files left");
    let fragment = dir.path().join("fragments/2025/rates.toml");
    wfcast().arg("calibrate").arg(&snapshots).arg("--flows").arg(&flows).arg("--out").arg(&fragment).assert().success();
    assert!(fragment.is_file());
    let names: Vec<String> = fs::read_dir(fragment.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["rates.toml"], "temporary files left behind");
}

/// `meta.json`'s `files`, as (kind, path, sha256).
fn files_of(meta: &serde_json::Value) -> Vec<(String, String, String)> {
    let field = |f: &serde_json::Value, k: &str| f[k].as_str().unwrap_or_default().to_string();
    meta["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| (field(f, "kind"), field(f, "path"), field(f, "sha256")))
        .collect()
}

#[test]
fn meta_json_and_the_report_list_the_parent_and_the_pay_table_with_their_hashes() {
    let (dir, data, scenarios) = fixture();
    let parent_text = scenario("parent", "../data/staff_2025.csv", "", "[cost]\npay = \"../data/pay_2025_26.csv\"\n");
    let parent = write(&scenarios, "parent.toml", &parent_text);
    let child_text = "extends = \"parent.toml\"\nname = \"child\"\n";
    let child = write(&scenarios, "child.toml", child_text);
    let out = dir.path().join("out");
    wfcast().arg("run").arg(&child).args(["--runs", "3", "--quiet", "--report", "--out"]).arg(&out).assert().success();
    let files = files_of(&read_json(&out.join("child/meta.json")));
    let pay = data.join("pay_2025_26.csv");
    let want = [
        ("scenario", child.clone(), sha256_hex(child_text.as_bytes())),
        ("parent", parent.clone(), sha256_hex(parent_text.as_bytes())),
        ("pay_table", scenarios.join("../data/pay_2025_26.csv"), sha256_hex(pay_table().as_bytes())),
    ];
    let want: Vec<_> = want.iter().map(|(k, p, h)| (k.to_string(), p.display().to_string(), h.clone())).collect();
    assert_eq!(files, want);
    let report = fs::read_to_string(out.join("child/report.html")).unwrap();
    for (what, (_, _, hash)) in ["scenario file", "scenario file it extends", "pay table (cost.pay)"].iter().zip(&want)
    {
        assert!(report.contains(&format!("<td>{what}</td><td>{hash}</td>")), "{what} {hash} not in the report");
    }
    assert!(report.contains("baseline extract"), "no baseline in the report");
    assert!(pay.is_file());
}

#[test]
fn editing_the_pay_table_changes_meta_json() {
    let (dir, data, scenarios) = fixture();
    let cost = "[cost]\npay = \"../data/pay_2025_26.csv\"\non_cost = 0.25\n";
    let s = write(&scenarios, "s.toml", scenario("s", "../data/staff_2025.csv", "", cost));
    let run = |out: &str| {
        let out = dir.path().join(out);
        wfcast().arg("run").arg(&s).args(["--deterministic", "--quiet", "--out"]).arg(&out).assert().success();
        files_of(&read_json(&out.join("s/meta.json")))
    };
    let before = run("before");
    write(&data, "pay_2025_26.csv", pay_table().replace("24465", "24999"));
    let after = run("after");
    assert_eq!(before.len(), 2, "{before:?}");
    assert_eq!(before[0], after[0], "the scenario did not change");
    assert_eq!(after[1].0, "pay_table");
    assert_ne!(before[1].2, after[1].2, "the pay table's hash did not change");
}
