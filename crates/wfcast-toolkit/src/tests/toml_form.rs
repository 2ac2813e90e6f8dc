//! The TOML form: the same submission as the workbook, errors naming the key or line.
use super::support::*;
use crate::submission::Submission;
use crate::{read_submission, write_submission};
use std::path::Path;
use wfcast_core::band::Band;

#[test]
fn the_toml_and_workbook_forms_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let sub = read_submission(&write_book(dir.path(), "RXX.xlsx", &good())).unwrap();
    for name in ["again.toml", "again.xlsx"] {
        let path = dir.path().join(name);
        write_submission(&sub, &path).unwrap();
        let back = read_submission(&path).unwrap();
        assert_eq!(Submission { path: sub.path.clone(), ..back }, sub, "{name}");
    }
    let text = sub.to_toml();
    let back = Submission::from_toml(&text, Path::new("x.toml")).unwrap();
    assert_eq!(back.staff, sub.staff);
    assert_eq!(back.demand, sub.demand);
    assert_eq!(back.supply, sub.supply);
    // `[[staff]]` tables read the same as inline rows.
    let tables = "org_code = \"A1\"\norg_name = \"A\"\nregion = \"Midlands\"\nfutures = [\"x\", \"y\"]\n\
                  [[staff]]\nrole = \"Data Science\"\nband = 6\nheadcount = 2\nfte = 2\nestablishment_fte = 2.5\n";
    let t = Submission::from_toml(tables, Path::new("t.toml")).unwrap();
    assert_eq!(t.staff[0].band, Band::B6);
    assert_eq!(t.demand.len(), 2);
}

#[test]
fn toml_errors_name_the_key_or_line() {
    assert!(Submission::from_toml(TOML_OK, Path::new("sub.toml")).is_ok());
    assert_has(&toml_error(&format!("{TOML_OK}colour = 1\n")), &["sub.toml", "line 6", "colour"]);
    assert_has(
        &toml_error(&TOML_OK.replace("headcount = 2", "headcount = -2")),
        &["sub.toml: key staff[0].headcount", "headcount `-2` is negative"],
    );
    assert_has(&toml_error(&TOML_OK.replace("headcount = 2", "headcount = \"two\"")), &["line 5", "invalid type"]);
    assert_has(&toml_error(&TOML_OK.replace("\"6\"", "\"6z\"")), &["key staff[0].band", "`6z` is not an AfC band"]);
    assert_has(
        &toml_error(&TOML_OK.replace("Data Science", "Data Sciense")),
        &["key staff[0].role", "did you mean `Data Science`", "in `new_roles`"],
    );
    let demand = format!(
        "{TOML_OK}demand = [ {{ role = \"Data Science\", band = 6, future = \"steady\", fte = {{ 2031 = 3 }} }} ]\n"
    );
    assert_has(&toml_error(&demand), &["key demand[0].fte.2031", "expected 2026"]);
    let demand = format!(
        "{TOML_OK}demand = [ {{ role = \"Data Science\", band = 6, future = \"quick\", fte = {{ 2026 = 3 }} }} ]\n"
    );
    assert_has(&toml_error(&demand), &["key demand[0].future", "`quick` is not one of the `futures`"]);
    assert_has(
        &toml_error(&TOML_OK.replace("\"accelerated\"", "\"accelerated\", \"third\"")),
        &["key futures", "3 futures"],
    );
    assert_has(
        &toml_error(&TOML_OK.replace("South West", "Wessex")),
        &["key region", "`Wessex` is not an NHS England region"],
    );
    assert_has(&toml_error(&format!("baseline_date = \"2024-03\"\n{TOML_OK}")), &["key baseline_date", "`2024-03`"]);
    assert_has(&toml_error(&TOML_OK.replace("org_code = \"R1\"", "org_code = \"\"")), &["key org_code", "empty"]);
}
