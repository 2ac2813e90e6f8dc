//! Aggregation: supply summed, rates kept for known roles, files never replaced.
use super::support::*;
use crate::{AGGREGATE_MARKER, AggregateOptions, aggregate};
use std::fs;

#[test]
fn aggregate_sums_supply_and_keeps_known_rates() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("A1.toml");
    fs::write(
        &a,
        toml_sub(
            "A1",
            "London",
            "{ role = \"Data Science\", band = \"6\", headcount = 4, fte = 4, establishment_fte = 5 }",
            "{ role = \"Data Science\", band = \"6\", future = \"steady\", fte = { 2026 = 6, 2028 = 7 } }",
            "{ route = \"Grads\", kind = \"pipeline\", role = \"Data Science\", band = \"6\", starters_per_year = 2, duration_months = 24, completion_rate = 0.5 },\
             { route = \"Hire\", kind = \"vacancy-fill\", fill_rate = 0.5 }",
        ),
    )
    .unwrap();
    let b = dir.path().join("B1.toml");
    fs::write(
        &b,
        toml_sub(
            "B1",
            "Midlands",
            "{ role = \"Cyber Security\", band = \"7\", headcount = 1, fte = 1, establishment_fte = 3 }",
            "",
            "{ route = \"grads\", kind = \"pipeline\", role = \"Cyber Security\", band = \"7\", starters_per_year = 1, duration_months = 24 },\
             { route = \"Grads\", kind = \"pipeline\", role = \"Product Management\", band = \"7\", starters_per_year = 1, duration_months = 12 },\
             { route = \"Hire\", kind = \"vacancy-fill\", role = \"Cyber Security\", fill_rate = 0.9 }",
        ),
    )
    .unwrap();
    let rates = dir.path().join("rates.toml");
    fs::write(
        &rates,
        "[attrition]\ndefault = { mean = 0.1, sd = 0.01 }\nrule = [ { role = [\"Data Science\", \"Health Records\"], rate = 0.2 }, { role = \"Health Records\", rate = 0.3 } ]\n\
         [[transfer]]\nfrom = \"Data Science\"\nto = \"Cyber Security\"\nrate = 0.01\n[[transfer]]\nfrom = \"Data Science\"\nto = \"Health Records\"\nrate = 0.01\n\
         [demand]\ngrowth = 0.5\n",
    )
    .unwrap();
    let out = dir.path().join("nat").join("national.toml");
    let options = AggregateOptions { skip_invalid: false, rates: Some(rates) };
    let report = aggregate(&[a, b], &options, &out).unwrap();
    assert_eq!(report.included.len(), 2);
    let common = fs::read_to_string(&out).unwrap();
    assert!(common.starts_with(AGGREGATE_MARKER));
    // Two durations of one route: two routes. Completion weighted by starters.
    assert_has(
        &common,
        &["name = \"Grads (24 months)\"", "intake = 3.0", "completion = 0.6666666", "name = \"Grads (12 months)\""],
    );
    // Entry shares are fractions of the route's completers: 2 x 0.5 here and 1 x 1 in B1.
    assert_has(
        &common,
        &[
            "{ role = \"Data Science\", band = \"6\", region = \"London\", share = 0.5 }",
            "{ role = \"Cyber Security\", band = \"7\", region = \"Midlands\", share = 0.5 }",
        ],
    );
    // Vacancy-fill: every role (one row left it blank), weighted by establishment 5 and 3.
    assert_has(&common, &["name = \"Hire\"", "fill_rate = 0.65"]);
    assert!(!common.contains("role = [\"Cyber Security\"]"));
    // Rates: Health Records is in no submission.
    assert_has(
        &common,
        &[
            "{ role = \"Data Science\", rate = 0.2 }",
            "role `Health Records`",
            "from = \"Data Science\"\nto = \"Cyber Security\"",
        ],
    );
    assert!(!common.contains("growth = 0.5"));
    let steady = fs::read_to_string(out.with_file_name("national-steady.toml")).unwrap();
    assert_has(
        &steady,
        &[
            "extends = \"national.toml\"",
            "{ role = \"Data Science\", band = \"6\", region = \"London\", from = \"2025-04\", to = \"2026-03\", add_fte = 1.0 }",
            "from = \"2027-04\", to = \"2028-03\", add_fte = 1.0 }",
        ],
    );
    assert!(!steady.contains("Cyber Security"), "no change in flat demand: {steady}");
    let csv = fs::read_to_string(out.with_file_name("national.csv")).unwrap();
    assert_has(&csv, &["A1,A1 Trust,London,Data Science,6,4,4,5", "B1,B1 Trust,Midlands,Product Management,7,0,0,0"]);
    // The scenarios compile against the baseline.
    for f in &report.written[1..] {
        let scenario = wfcast_core::scenario::Scenario::load(f).unwrap();
        wfcast_io::scenario::compile(&scenario).unwrap();
    }
    // A scenario not written by aggregate is not replaced.
    fs::write(out.with_file_name("national-accelerated.toml"), "name = \"mine\"\n").unwrap();
    let err = aggregate(
        &report.included.iter().map(|i| i.path.clone()).collect::<Vec<_>>(),
        &AggregateOptions::default(),
        &out,
    )
    .unwrap_err()
    .to_string();
    assert_has(&err, &["national-accelerated.toml", "not written by `wfcast aggregate`"]);
}

#[test]
fn new_roles_spelled_differently_are_one_national_role() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (code, spelling) in [("A1", "AI Engineering"), ("B2", "ai  engineering")] {
        let text = format!(
            "org_code = \"{code}\"\norg_name = \"{code}\"\nregion = \"London\"\nfutures = [\"x\", \"y\"]\nnew_roles = [\"{spelling}\"]\n\
             staff = [ {{ role = \"{spelling}\", band = \"6\", headcount = 1, fte = 1, establishment_fte = 1 }} ]\n"
        );
        let path = dir.path().join(format!("{code}.toml"));
        fs::write(&path, text).unwrap();
        paths.push(path);
    }
    let out = dir.path().join("n.toml");
    aggregate(&paths, &AggregateOptions::default(), &out).unwrap();
    let csv = fs::read_to_string(out.with_file_name("n.csv")).unwrap();
    assert!(csv.contains("A1,A1,London,AI Engineering,6") && csv.contains("B2,B2,London,AI Engineering,6"), "{csv}");
    let bad = aggregate(&paths, &AggregateOptions::default(), &dir.path().join("bad name.toml")).unwrap_err();
    assert!(bad.to_string().contains("argument --out"), "{bad}");
}
