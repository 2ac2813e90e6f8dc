//! Every shipped scenario in scenarios/ validates, runs, and writes complete, traceable outputs.

use crate::common::{assert_no_leftovers, entries, outputs, read_json, read_summary, sha256_hex, wfcast};
use std::fs;
use std::path::{Path, PathBuf};

/// The scenario files shipped in scenarios/, found by listing the folder so that a new
/// scenario is covered without touching this test.
fn shipped_scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenario files in {}", dir.display());
    files
}

#[test]
fn every_shipped_scenario_validates() {
    for file in shipped_scenarios() {
        let assert = wfcast().arg("validate").arg(&file).assert();
        let (stdout, stderr) = outputs(&assert);
        assert.success();
        assert!(stderr.is_empty(), "{}: validate wrote to stderr: {stderr}", file.display());
        let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(stdout.contains(&file_name), "{}: validate does not name the file: {stdout}", file.display());
    }
}

#[test]
fn every_shipped_scenario_runs_and_writes_its_outputs() {
    let expected_dates: Vec<String> = (2025..=2030).map(|y| format!("{y}-03")).collect();
    for file in shipped_scenarios() {
        let what = file.display().to_string();
        let out = tempfile::tempdir().unwrap();
        let assert = wfcast().arg("run").arg(&file).args(["--runs", "10", "--out"]).arg(out.path()).assert();
        let (stdout, stderr) = outputs(&assert);
        assert.code(0);
        // A longer run: the progress bar must still stay away from a stderr that is not a terminal.
        assert!(stderr.is_empty(), "{what}: stderr of a successful run: {stderr}");
        assert!(stdout.contains("2030-03"), "{what}: no 2030-03 in the table: {stdout}");

        // Exactly one output folder, named after the scenario, and nothing left over.
        assert_no_leftovers(out.path());
        let folders = entries(out.path());
        assert_eq!(folders.len(), 1, "{what}: expected one output folder, found {folders:?}");
        let name = &folders[0];
        let dir = out.path().join(name);
        for f in ["summary.csv", "summary.parquet", "meta.json"] {
            let path = dir.join(f);
            assert!(path.is_file(), "{what}: {} missing", path.display());
            assert!(fs::metadata(&path).unwrap().len() > 0, "{what}: {} is empty", path.display());
        }
        let parquet = fs::read(dir.join("summary.parquet")).unwrap();
        assert!(parquet.starts_with(b"PAR1") && parquet.ends_with(b"PAR1"), "{what}: summary.parquet is not Parquet");

        // summary.csv: the header, the scenario's name, and England totals at every 31 March.
        let rows = read_summary(&dir.join("summary.csv"));
        assert!(rows.iter().all(|r| &r.scenario == name), "{what}: a row names another scenario");
        for date in &expected_dates {
            let totals: Vec<_> = rows.iter().filter(|r| &r.date == date && r.level == "total").collect();
            assert!(!totals.is_empty(), "{what}: no total rows at {date}");
            for metric in ["headcount", "fte", "demand_fte", "gap_fte"] {
                let row = crate::common::find(&rows, date, "total", ["", "", ""], metric);
                assert!(row.mean.is_finite(), "{what}: {date} total {metric} = {}", row.mean);
                assert!(
                    row.p[0] <= row.p[2] && row.p[2] <= row.p[4],
                    "{what}: {date} total {metric} quantiles out of order"
                );
            }
            let headcount = crate::common::total(&rows, date, "headcount");
            assert!(headcount > 0.0, "{what}: total headcount at {date} is {headcount}");
        }
        for date in &expected_dates[1..] {
            let leavers = crate::common::total(&rows, date, "leavers");
            assert!(leavers > 0.0, "{what}: no leavers in the year to {date}");
        }

        // meta.json: what was run, with which seed, by which version, from which file.
        let meta = read_json(&dir.join("meta.json"));
        assert_eq!(meta["scenario"].as_str(), Some(name.as_str()), "{what}: meta.json scenario");
        assert!(meta["seed"].is_u64(), "{what}: meta.json seed = {}", meta["seed"]);
        assert_eq!(meta["runs"].as_u64(), Some(10), "{what}: meta.json runs");
        assert_eq!(meta["mode"].as_str(), Some("stochastic"), "{what}: meta.json mode");
        assert_eq!(meta["version"].as_str(), Some(env!("CARGO_PKG_VERSION")), "{what}: meta.json version");
        let sha = sha256_hex(&fs::read(&file).unwrap());
        assert_eq!(meta["sha256"].as_str(), Some(sha.as_str()), "{what}: meta.json sha256 of the scenario file");
    }
}

/// The scenario shape of the issue that founded the project, as written there (only the
/// baseline path is made absolute): it must keep working.
#[test]
fn the_founding_example_scenario_works_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/esr_informatics_2025.csv");
    let text = include_str!("../fixtures/founding-example.toml").replace("BASELINE", &seeds.display().to_string());
    let file = dir.path().join("example.toml");
    fs::write(&file, text).unwrap();
    wfcast().arg("validate").arg(&file).assert().success();
    let out = dir.path().join("out");
    wfcast().arg("run").arg(&file).args(["--runs", "10", "--quiet", "--out"]).arg(&out).assert().success();
    let rows = read_summary(&out.join("steady-state/summary.csv"));
    assert!(rows.iter().any(|r| r.metric == "joiners:Graduate DDaT scheme"));
    assert!(rows.iter().any(|r| r.metric == "joiners:External recruitment"));
}
