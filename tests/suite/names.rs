//! Names that differ only in case or spacing are one name (`wfcast_core::names`): in a
//! baseline, in a scenario's selectors and in a history, with each merge reported.

use crate::common::{find, read_json, read_summary, wfcast, write};
use std::fs;
use std::path::Path;

/// `Data Science` on three rows, `DATA SCIENCE` on two and `Data  science ` on one; `London`
/// on four rows and `london ` on one.
const MIXED: &str = "\
role,band,region,headcount,fte
Data Science,5,London,10,10
Data Science,6,London,8,8
Data Science,7,North,4,4
DATA SCIENCE,5,London,3,3
DATA SCIENCE,6,North,2,2
Data  science ,5,london ,1,1
Engineer,6,London,20,20
Engineer,7,North,5,5
";

/// A yearly deterministic scenario on `staff.csv` whose attrition rule names `data science`.
const SCENARIO: &str = "\
name = \"names\"
baseline = \"staff.csv\"
start = \"2025-03\"
end = \"2027-03\"
step = \"year\"

[attrition]
default = 0.1

[[attrition.rule]]
role = \"data science\"
region = \"LONDON\"
rate = 0.5
";

/// Every file under `dir` whose name starts with `prefix`, as names.
fn files_starting(dir: &Path, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_starting(&path, prefix));
        } else if let Some(name) = path.file_name().and_then(|n| n.to_str())
            && name.starts_with(prefix)
        {
            out.push(name.to_string());
        }
    }
    out.sort();
    out
}

#[test]
fn spellings_of_one_role_and_region_are_one_name_kept_as_most_often_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "staff.csv", MIXED);
    let scenario = write(d, "names.toml", SCENARIO);
    let out = d.join("out");
    let assert = wfcast().arg("run").arg(&scenario).arg("--deterministic").arg("--out").arg(&out).assert().success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let role_merge = "role `Data Science` is also written `DATA SCIENCE` (2 rows) and `Data  science` (1 row) in ";
    let region_merge = "region `London` is also written `london` (1 row) in ";
    for part in [role_merge, region_merge, "staff.csv: merged as `Data Science`", "staff.csv: merged as `London`"] {
        assert!(stderr.contains(part), "`{part}` missing from: {stderr}");
    }
    assert!(stderr.lines().filter(|l| l.starts_with("warning:")).count() == 2, "{stderr}");

    let rows = read_summary(&out.join("names/summary.csv"));
    let roles: std::collections::BTreeSet<&str> =
        rows.iter().filter(|r| r.level == "role").map(|r| r.role.as_str()).collect();
    assert_eq!(roles.into_iter().collect::<Vec<_>>(), ["Data Science", "Engineer"]);
    let regions: std::collections::BTreeSet<&str> =
        rows.iter().filter(|r| r.level == "region").map(|r| r.region.as_str()).collect();
    assert_eq!(regions.into_iter().collect::<Vec<_>>(), ["London", "North"]);
    let headcount = |date: &str, group: [&str; 3], level: &str| find(&rows, date, level, group, "headcount").mean;
    assert_eq!(headcount("2025-03", ["Data Science", "", ""], "role"), 28.0);
    assert_eq!(headcount("2025-03", ["", "", "London"], "region"), 42.0);
    // The rule written `data science` in `LONDON` halves the 22 in London; the 6 in North
    // and the engineers lose a tenth.
    let close = |got: f64, want: f64| assert!((got - want).abs() < 1e-9, "{got}, expected {want}");
    close(headcount("2026-03", ["Data Science", "", ""], "role"), 22.0 * 0.5 + 6.0 * 0.9);
    close(headcount("2026-03", ["Engineer", "", ""], "role"), 25.0 * 0.9);

    // One chart per role (a PNG and an SVG each), as many for the merged role as for another.
    let charts = files_starting(&out.join("names"), "supply_demand_");
    let of = |stem: &str| charts.iter().filter(|c| c.split('.').next() == Some(stem)).count();
    let roles: std::collections::BTreeSet<&str> = charts
        .iter()
        .map(|c| c.split('.').next().unwrap())
        .filter(|s| !["supply_demand_total", "supply_demand_families"].contains(s))
        .collect();
    assert_eq!(roles.into_iter().collect::<Vec<_>>(), ["supply_demand_data-science", "supply_demand_engineer"]);
    assert_eq!(of("supply_demand_data-science"), of("supply_demand_engineer"), "{charts:?}");

    let meta = read_json(&out.join("names/meta.json"));
    let warnings: Vec<&str> = meta["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].starts_with(role_merge) && warnings[1].starts_with(region_merge), "{warnings:?}");
}

#[test]
fn a_baseline_without_such_names_has_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "staff.csv", "role,band,region,headcount\nData Science,5,London,10\n Data Science ,6,London,4\n");
    let scenario = write(d, "names.toml", SCENARIO);
    let out = d.join("out");
    let assert = wfcast().arg("run").arg(&scenario).arg("--deterministic").arg("--out").arg(&out).assert().success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(!stderr.contains("warning:"), "{stderr}");
    assert!(read_json(&out.join("names/meta.json")).get("warnings").is_none());
}

#[test]
fn a_new_role_spelled_like_a_baseline_role_is_already_in_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "staff.csv", MIXED);
    let scenario = write(d, "names.toml", format!("new_roles = [\"ENGINEER \"]\n{SCENARIO}"));
    let assert = wfcast().arg("validate").arg(&scenario).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("key new_roles") && stderr.contains("`ENGINEER ` is already in the baseline"), "{stderr}");
}

#[test]
fn a_history_with_mixed_spellings_is_calibrated_as_one_role() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let snapshots = write(
        d,
        "snapshots.csv",
        "date,role,band,region,headcount\n\
         2023-03,Data Science,5,London,100\n2023-03,Engineer,5,London,50\n\
         2024-03,data science,5,LONDON,90\n2024-03,Engineer,5,London,50\n\
         2025-03,Data Science,5,London,81\n2025-03,Engineer,5,London,50\n",
    );
    let flows = write(
        d,
        "flows.csv",
        "date,role,band,region,flow,to_role,count\n\
         2024-03,DATA  SCIENCE,5,London,leavers,,10\n2025-03,Data Science,5,london,leavers,,9\n\
         2025-03,Engineer,5,London,transfer,data science,0\n",
    );
    let out = d.join("fragment.toml");
    let assert =
        wfcast().arg("calibrate").arg(&snapshots).arg("--flows").arg(&flows).arg("--out").arg(&out).assert().success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for part in [
        "warning: role `Data Science` is also written `data science` (1 row) in ",
        "snapshots.csv: merged as `Data Science`",
        "warning: region `London` is also written `LONDON` (1 row) in ",
        "warning: role `Data Science` is also written `DATA  SCIENCE` (1 row) and `data science` (1 row) in ",
        "flows.csv: merged as `Data Science`",
        "warning: region `London` is also written `london` (1 row) in ",
    ] {
        assert!(stderr.contains(part), "`{part}` missing from: {stderr}");
    }
    let fragment = fs::read_to_string(&out).unwrap();
    assert!(fragment.contains("merged as `Data Science`"), "{fragment}");
    assert!(!fragment.contains("\"data science\"") && !fragment.contains("\"DATA"), "{fragment}");
}
