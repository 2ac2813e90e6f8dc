//! From ESR history to rates and scores: `wfcast simulate`, `calibrate` and `backtest` on the
//! shipped history (made from known rates) and on a user's own small extract.
use crate::common::{outputs, wfcast, write};
use std::fs;
use std::path::{Path, PathBuf};
use wfcast_core::band::Band;
use wfcast_core::calibrate::{CalibrateOptions, CellEstimate, calibrate};

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/history")
}
fn shipped() -> (PathBuf, PathBuf) {
    (seeds().join("esr_history_2019_2025.csv"), seeds().join("esr_flows_2019_2025.csv"))
}

/// The annual leaving probability `seeds/history/truth.toml` gives a cell (later rules win).
fn true_attrition(role: &str, band: Band) -> f64 {
    if ["Data Science", "Data Engineering", "Cyber Security"].contains(&role) {
        0.15
    } else if band <= Band::B4 {
        0.13
    } else if band >= Band::B8a {
        0.07
    } else {
        0.10
    }
}

/// The annual progression probability of `truth.toml` (none from band 9).
fn true_progression(band: Band) -> f64 {
    match band {
        b if b <= Band::B4 => 0.10,
        Band::B7 | Band::B8a => 0.03,
        _ => 0.06,
    }
}

/// Shares of cells whose estimate is within 2 sd of the truth and whose 90% interval covers it.
fn recovery(cells: &[CellEstimate], truth: impl Fn(&CellEstimate) -> f64) -> (f64, f64, usize) {
    let informative: Vec<&CellEstimate> = cells.iter().filter(|c| c.exposure >= 50.0).collect();
    let n = informative.len() as f64;
    let within = informative.iter().filter(|c| (c.mean - truth(c)).abs() <= 2.0 * c.sd).count() as f64 / n;
    let covered = informative.iter().filter(|c| (c.mean - truth(c)).abs() <= 1.6449 * c.sd).count() as f64 / n;
    (within, covered, informative.len())
}

#[test]
fn the_shipped_history_is_one_run_of_the_truth_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshots, flows) = (dir.path().join("h.csv"), dir.path().join("f.csv"));
    let assert = wfcast()
        .arg("simulate")
        .arg(seeds().join("truth.toml"))
        .arg("--snapshots")
        .arg(&snapshots)
        .arg("--flows")
        .arg(&flows)
        .assert();
    let (stdout, stderr) = outputs(&assert);
    assert.code(0);
    assert!(stdout.contains("7 snapshots (2019-03 to 2025-03)"), "{stdout}{stderr}");
    let (a, b) = shipped();
    assert!(fs::read(&snapshots).unwrap() == fs::read(a).unwrap(), "snapshots differ from the shipped ones");
    assert!(fs::read(&flows).unwrap() == fs::read(b).unwrap(), "flows differ from the shipped ones");

    // Existing files are not replaced without --force, and inputs never.
    let again = wfcast()
        .args(["simulate", "--snapshots"])
        .arg(&snapshots)
        .arg("--flows")
        .arg(dir.path().join("new.csv"))
        .arg(seeds().join("truth.toml"))
        .assert();
    let (_, stderr) = outputs(&again);
    again.code(2);
    assert!(stderr.contains("exists") && stderr.contains("--force"), "{stderr}");
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/esr_informatics_2025.csv");
    let before = fs::read(&baseline).unwrap();
    let input = wfcast()
        .arg("simulate")
        .arg(seeds().join("truth.toml"))
        .arg("--snapshots")
        .arg(&baseline)
        .arg("--flows")
        .arg(dir.path().join("new.csv"))
        .arg("--force")
        .assert();
    let (_, stderr) = outputs(&input);
    input.code(2);
    assert!(stderr.contains("input"), "{stderr}");
    assert_eq!(fs::read(&baseline).unwrap(), before);
}

#[test]
fn calibration_recovers_the_known_rates_of_the_shipped_history() {
    let (snapshots, flows) = shipped();
    let history = wfcast_io::history::load(&snapshots, Some(&flows)).unwrap();
    let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();

    let attrition = cal.attrition.as_ref().unwrap();
    let (within, covered, n) = recovery(&attrition.cells, |c| true_attrition(&c.cell.role, c.cell.band));
    assert!(n > 100, "{n} cells");
    assert!(within >= 0.85, "attrition: {within:.3} of {n} cells within 2 sd of the truth");
    assert!((0.75..=0.99).contains(&covered), "attrition: 90% intervals cover the truth in {covered:.3} of {n} cells");

    let progression = cal.progression.as_ref().unwrap();
    let (within, covered, n) = recovery(&progression.cells, |c| true_progression(c.cell.band));
    assert!(within >= 0.85, "progression: {within:.3} of {n} cells within 2 sd of the truth");
    assert!(
        (0.75..=0.99).contains(&covered),
        "progression: 90% intervals cover the truth in {covered:.3} of {n} cells"
    );

    // Transfers: the three pairs of truth.toml, and no others.
    let mut pairs: Vec<(&str, &str, f64, f64)> =
        cal.transfers.iter().map(|t| (t.from.as_str(), t.to.as_str(), t.mean, t.sd)).collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let truth = [
        ("Business Intelligence & Analysis", "Data Science", 0.03),
        ("Health Records", "Clinical Coding", 0.025),
        ("Networks & Infrastructure", "Cyber Security", 0.02),
    ];
    assert_eq!(pairs.len(), 3, "{pairs:?}");
    for ((from, to, mean, sd), (tf, tt, rate)) in pairs.iter().zip(truth) {
        assert_eq!((*from, *to), (tf, tt));
        assert!((mean - rate).abs() <= 3.0 * sd, "{from} -> {to}: {mean} (sd {sd}) against {rate}");
    }

    // Demand growth per role, from the establishment column.
    let demand = cal.demand.as_ref().unwrap();
    for trend in &demand.roles {
        let truth = match trend.name.as_str() {
            "Data Science" | "Data Engineering" => 0.10,
            "Health Records" => -0.02,
            _ => 0.03,
        };
        assert!((trend.mean - truth).abs() < 0.002, "{}: demand growth {} against {truth}", trend.name, trend.mean);
    }
}

#[test]
fn a_calibrated_fragment_is_a_scenario_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshots, flows) = shipped();
    let fragment = dir.path().join("calibrated.toml");
    let assert =
        wfcast().arg("calibrate").arg(&snapshots).arg("--flows").arg(&flows).arg("--out").arg(&fragment).assert();
    let (stdout, stderr) = outputs(&assert);
    assert.code(0);
    assert!(stdout.contains("attrition") && stdout.contains("pooled"), "{stdout}{stderr}");
    let text = fs::read_to_string(&fragment).unwrap();
    assert!(text.starts_with("# Calibrated by `wfcast calibrate`"), "{}", &text[..200]);
    assert!(text.contains("[attrition]") && text.contains("[[transfer]]") && text.contains("[[supply]]"));

    // A scenario extends it, and runs.
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/esr_informatics_2025.csv");
    let scenario = write(
        dir.path(),
        "from-history.toml",
        format!(
            "extends = \"calibrated.toml\"\nname = \"from-history\"\nbaseline = \"{}\"\nstart = \"2025-03\"\nend = \"2027-03\"\nruns = 20\n",
            baseline.display()
        ),
    );
    let run = wfcast().arg("run").arg(&scenario).arg("--out").arg(dir.path().join("out")).arg("--quiet").assert();
    let (_, stderr) = outputs(&run);
    run.code(0);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(dir.path().join("out/from-history/summary.csv").exists());

    // Calibrating again replaces its own fragment, but never an input or another file.
    wfcast().arg("calibrate").arg(&snapshots).arg("--flows").arg(&flows).arg("--out").arg(&fragment).assert().code(0);
    let before = fs::read(&scenario).unwrap();
    let refused = wfcast().arg("calibrate").arg(&snapshots).arg("--out").arg(&scenario).assert();
    let (_, stderr) = outputs(&refused);
    refused.code(2);
    assert!(stderr.contains("not written by `wfcast calibrate`"), "{stderr}");
    assert_eq!(fs::read(&scenario).unwrap(), before);
    let refused =
        wfcast().arg("calibrate").arg(&snapshots).arg("--flows").arg(&flows).arg("--out").arg(&flows).assert();
    let (_, stderr) = outputs(&refused);
    refused.code(2);
    assert!(stderr.contains("is an input"), "{stderr}");
}

#[test]
fn without_flows_only_net_change_is_estimated_and_a_backtest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshots, _) = shipped();
    let fragment = dir.path().join("net.toml");
    let assert = wfcast().arg("calibrate").arg(&snapshots).arg("--out").arg(&fragment).assert();
    let (stdout, _) = outputs(&assert);
    assert.code(0);
    assert!(stdout.to_lowercase().contains("net"), "{stdout}");
    let text = fs::read_to_string(&fragment).unwrap();
    assert!(!text.contains("[attrition]") && !text.contains("[[supply]]"), "gross flows invented:\n{text}");
    assert!(text.contains("Net change only"), "{text}");

    let refused = wfcast()
        .arg("backtest")
        .arg(&snapshots)
        .args(["--train-until", "2022-03", "--runs", "10", "--out"])
        .arg(dir.path().join("out"))
        .assert();
    let (_, stderr) = outputs(&refused);
    refused.code(2);
    assert!(stderr.contains("--flows"), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

/// Reads a CSV written by wfcast into rows of fields (no quoted commas in these files).
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    fs::read_to_string(path).unwrap().lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
}

#[test]
fn a_backtest_scores_the_forecast_and_both_benchmarks_against_the_held_out_years() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshots, flows) = shipped();
    let run = |out: &Path, threads: &str| {
        let assert = wfcast()
            .arg("backtest")
            .arg(&snapshots)
            .arg("--flows")
            .arg(&flows)
            .args(["--train-until", "2022-03", "--runs", "60", "--threads", threads, "--report", "--out"])
            .arg(out)
            .assert();
        let (stdout, stderr) = outputs(&assert);
        assert.code(0);
        assert!(stderr.is_empty(), "{stderr}");
        stdout
    };
    let stdout = run(&dir.path().join("a"), "1");
    assert!(stdout.contains("| Total | wfcast (median) |") && stdout.contains("no change"), "{stdout}");
    let folder = dir.path().join("a/backtest-esr-history-2019-2025-2022-03");
    for file in
        ["backtest.csv", "scores.csv", "meta.json", "calibration.toml", "scenario.toml", "baseline.csv", "report.html"]
    {
        assert!(folder.join(file).exists(), "{file} missing");
    }
    assert!(
        folder.join("charts/backtest_total.png").exists() && folder.join("charts/backtest_data-science.svg").exists()
    );

    // Every held-out snapshot is scored, and the scores are the measures of the table.
    let rows = read_csv(&folder.join("backtest.csv"));
    let head = &rows[0];
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let total: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[col("series")] == "Total").collect();
    let dates: Vec<&str> = total.iter().map(|r| r[col("date")].as_str()).collect();
    assert_eq!(dates, ["2019-03", "2020-03", "2021-03", "2022-03", "2023-03", "2024-03", "2025-03"]);
    let num = |r: &Vec<String>, c: &str| r[col(c)].parse::<f64>().unwrap();
    let held: Vec<&&Vec<String>> = total.iter().filter(|r| num(r, "horizon_months") > 0.0).collect();
    assert_eq!(held.len(), 3);
    assert!(total.iter().filter(|r| num(r, "horizon_months") <= 0.0).all(|r| r[col("p50")].is_empty()));
    let mape =
        held.iter().map(|r| (num(r, "p50") - num(r, "actual")).abs() / num(r, "actual")).sum::<f64>() / 3.0 * 100.0;
    let train: Vec<f64> = total.iter().take(4).map(|r| num(r, "actual")).collect();
    let scale = train.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / 3.0;
    let mase = held.iter().map(|r| (num(r, "p50") - num(r, "actual")).abs()).sum::<f64>() / 3.0 / scale;
    let naive_mape =
        held.iter().map(|r| (train[3] - num(r, "actual")).abs() / num(r, "actual")).sum::<f64>() / 3.0 * 100.0;
    let in90 = held.iter().filter(|r| num(r, "p05") <= num(r, "actual") && num(r, "actual") <= num(r, "p95")).count();
    assert!(held.iter().all(|r| num(r, "naive") == train[3]));
    let scores = read_csv(&folder.join("scores.csv"));
    let shead = &scores[0];
    let scol = |name: &str| shead.iter().position(|h| h == name).unwrap();
    let score = |series: &str, method: &str, c: &str| -> String {
        scores[1..].iter().find(|r| r[0] == series && r[1] == method).unwrap()[scol(c)].clone()
    };
    let close = |a: f64, b: &str| (a - b.parse::<f64>().unwrap()).abs() < 1e-9;
    assert!(close(mape, &score("Total", "wfcast", "mape")), "{mape}");
    assert!(close(mase, &score("Total", "wfcast", "mase")), "{mase}");
    assert!(close(naive_mape, &score("Total", "naive", "mape")), "{naive_mape}");
    assert!(close(in90 as f64 / 3.0, &score("Total", "wfcast", "coverage_90")));
    assert_eq!(score("Total", "naive", "coverage_90"), "");
    assert_eq!(score("All roles", "wfcast", "points"), "60");

    // The scenario it ran, beside its baseline, runs again to the same numbers.
    let rerun = dir.path().join("rerun");
    wfcast().arg("run").arg(folder.join("scenario.toml")).arg("--quiet").arg("--out").arg(&rerun).assert().code(0);
    let summary = crate::common::read_summary(&rerun.join("backtest/summary.csv"));
    for r in &held {
        let again = crate::common::find(&summary, &r[col("date")], "total", ["", "", ""], "headcount").p[2];
        assert!((again - num(r, "p50")).abs() < 1e-9, "{}: {again} against {}", r[col("date")], num(r, "p50"));
    }

    // The same seed gives the same bytes whatever the threads; plot redraws the charts.
    run(&dir.path().join("b"), "2");
    let other = dir.path().join("b/backtest-esr-history-2019-2025-2022-03");
    for file in ["backtest.csv", "scores.csv", "calibration.toml"] {
        assert_eq!(fs::read(folder.join(file)).unwrap(), fs::read(other.join(file)).unwrap(), "{file}");
    }
    fs::remove_dir_all(folder.join("charts")).unwrap();
    wfcast().arg("plot").arg(&folder).assert().code(0);
    assert!(folder.join("charts/backtest_total.svg").exists());
}

#[test]
fn bad_training_dates_are_refused_with_the_dates_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshots, flows) = shipped();
    for (date, expected) in [
        ("2022-04", "is not a snapshot date"),
        ("2025-03", "nothing after it"),
        ("2019-03", "fewer than two snapshots"),
        ("March 2022", "expected a month `YYYY-MM`"),
    ] {
        let assert = wfcast()
            .arg("backtest")
            .arg(&snapshots)
            .arg("--flows")
            .arg(&flows)
            .args(["--train-until", date, "--runs", "5", "--out"])
            .arg(dir.path())
            .assert();
        let (_, stderr) = outputs(&assert);
        assert.code(2);
        assert!(stderr.contains(expected) && stderr.contains("--train-until"), "{date}: {stderr}");
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "something was written");
}

#[test]
fn a_users_own_esr_shaped_history_calibrates() {
    let dir = tempfile::tempdir().unwrap();
    // Per-organisation rows, ESR column names, UK dates and band spellings, and an
    // organisation's three-person cell with no leavers.
    let mut snapshots = String::from("Org Code,Job Role,AfC Band,Snapshot Date,Headcount,FTE\n");
    let mut flows = String::from("Period End,Job Role,AfC Band,Flow Type,To Role,Count\n");
    let dates = ["31/03/2021", "31/03/2022", "31/03/2023"];
    for (i, date) in dates.iter().enumerate() {
        for org in ["RAA", "RBB"] {
            snapshots += &format!("{org},Analyst,Band 5,{date},{},{}\n", 200 + 10 * i, 190 + 10 * i);
            snapshots += &format!("{org},Analyst,Band 6,{date},100,95\n");
            snapshots += &format!("{org},Engineer,Band 5,{date},150,150\n");
        }
        snapshots += &format!("RCC,Engineer,Band 8A,{date},3,3\n");
        if i > 0 {
            flows += &format!("{date},Analyst,5,leavers,,{}\n", 40 + i);
            flows += &format!("{date},Analyst,5,progressed,,24\n");
            flows += &format!("{date},Analyst,6,leavers,,20\n");
            flows += &format!("{date},Engineer,5,leavers,,30\n");
            flows += &format!("{date},Analyst,5,transfer,Engineer,6\n");
            flows += &format!("{date},Analyst,5,joiners,,{}\n", 80 + 20 * i);
        }
    }
    let history = write(dir.path(), "esr-history.csv", snapshots);
    let flows = write(dir.path(), "esr-flows.csv", flows);
    let out = dir.path().join("fragment.toml");
    let assert = wfcast().arg("calibrate").arg(&history).arg("--flows").arg(&flows).arg("--out").arg(&out).assert();
    let (stdout, stderr) = outputs(&assert);
    assert.code(0);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("2021-03"), "{stdout}");
    let text = fs::read_to_string(&out).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("role = \"Engineer\", band = \"8a\"") && l.contains("rate"))
        .unwrap_or_else(|| panic!("no rule for the three-person cell:\n{text}"));
    assert!(line.contains("pooled"), "{line}");
    let mean: f64 = line.split("mean = ").nth(1).unwrap().split([',', ' ']).next().unwrap().parse().unwrap();
    assert!(mean > 0.02 && mean < 0.3, "a three-person cell with no leavers got {mean}: {line}");

    // A typo in the flows is an input error that names the file, the line and the value.
    let bad = write(
        dir.path(),
        "bad-flows.csv",
        "Period End,Job Role,AfC Band,Flow Type,Count\n31/03/2022,Analyst,5,leevers,3\n",
    );
    let assert = wfcast().arg("calibrate").arg(&history).arg("--flows").arg(&bad).arg("--out").arg(&out).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    assert!(stderr.contains("bad-flows.csv") && stderr.contains("line 2") && stderr.contains("leevers"), "{stderr}");
}
