//! A scenario run on another baseline (`--baseline`): a trust's own ESR extract with each
//! shipped national scenario gives a forecast of the trust's size that names the trust, and
//! meta.json says what was scaled (MODEL.md, 'Scaling a scenario to another baseline').

use crate::common::{find, read_summary, wfcast};
use std::fs;
use std::path::{Path, PathBuf};

/// The trust extract of `tests/fixtures/make_trust_extract.py`: BOM, CRLF, ESR's column
/// names and extra columns, rows split by assignment, bands and names spelt several ways, one
/// region (South East).
fn trust_extract() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trust_extract.csv")
}

/// The extract's FTE, summed from its own column.
fn extract_fte() -> f64 {
    let text = fs::read_to_string(trust_extract()).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "FTE").unwrap();
    lines.map(|l| l.split(',').nth(col).unwrap().trim().parse::<f64>().unwrap()).sum()
}

const TRUST: &str = "Ashborough and Quenford Hospitals NHS Trust (RJM)";

#[test]
fn each_shipped_scenario_on_a_trust_extract_forecasts_the_trust_and_names_it() {
    let fte0 = extract_fte();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["steady-state", "accelerated-digital", "grow-our-own"] {
        let out = tempfile::tempdir().unwrap();
        let assert = wfcast()
            .arg("run")
            .arg(root.join(format!("scenarios/{name}.toml")))
            .arg("--baseline")
            .arg(trust_extract())
            .args(["--deterministic", "--levels", "total,role", "--out"])
            .arg(out.path())
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
        let dir = out.path().join(name);
        let rows = read_summary(&dir.join("summary.csv"));
        let at = |date: &str, metric: &str| find(&rows, date, "total", ["", "", ""], metric).mean;
        assert!((at("2025-03", "fte") - fte0).abs() < 1e-6, "{name}: baseline FTE {} vs {fte0}", at("2025-03", "fte"));
        // The trust's own size, not England's arriving on one trust.
        for metric in ["fte", "demand_fte"] {
            let v = at("2030-03", metric);
            assert!(v > 0.6 * fte0 && v < 2.0 * fte0, "{name}: {metric} in 2030 is {v} on a trust of {fte0} FTE");
        }
        let meta: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("meta.json")).unwrap()).unwrap();
        assert_eq!(meta["area"], TRUST, "{name}");
        assert_eq!(meta["baseline"]["path"], trust_extract().display().to_string());
        let scaling = &meta["scaling"];
        assert_eq!(scaling["own_area"], "England", "{name}");
        let amounts = scaling["amounts"].as_array().unwrap();
        assert!(!amounts.is_empty(), "{name}: nothing scaled");
        for a in amounts {
            let f = a["factor"].as_f64().unwrap();
            assert!(f > 0.0 && f < 0.1, "{name}: a trust's share of England's cells is small: {a}");
        }
        assert!(!stdout.contains("England,"), "{name}: the terminal says England:\n{stdout}");
        assert!(stdout.contains(&format!("scaled to {TRUST} from England")), "{name}:\n{stdout}");
        for chart in ["supply_demand_total.svg", "gap_total.svg", "flows.svg"] {
            let svg = fs::read_to_string(dir.join("charts").join(chart)).unwrap();
            assert!(svg.contains(TRUST) && !svg.contains("England"), "{name}: {chart} does not name the trust alone");
        }
    }
}

#[test]
fn a_rule_for_a_region_the_trust_lacks_is_listed_and_the_run_goes_on() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let assert = wfcast()
        .arg("validate")
        .arg(root.join("scenarios/steady-state.toml"))
        .arg("--baseline")
        .arg(trust_extract())
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("attrition.rule[0]") && stderr.contains("has no region `London`"), "{stderr}");
}

#[test]
fn a_region_neither_baseline_knows_stays_an_error_with_its_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(root.join("scenarios/steady-state.toml")).unwrap().replacen(
        "region = \"London\"",
        "region = \"Londn\"",
        1,
    );
    let text = text.replace("\"../seeds/", &format!("\"{}/seeds/", root.display()));
    let scenario = dir.path().join("typo.toml");
    fs::write(&scenario, text).unwrap();
    let assert = wfcast().arg("validate").arg(&scenario).arg("--baseline").arg(trust_extract()).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("Londn") && stderr.contains("London"), "{stderr}");
}
