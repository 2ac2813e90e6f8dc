//! Tests of scenario files: parsing, errors that name the key, `extends` and merging.

use super::*;

fn parse(text: &str) -> ScenarioFile {
    parse_file(text, Path::new("dir/s.toml")).unwrap()
}

#[test]
fn merge_replaces_scalars_merges_sections_and_appends_lists() {
    let parent = parse(
        r#"name = "p"
runs = 100
seed = 1
baseline = "b.csv"
new_roles = ["X"]
[attrition]
default = 0.1
[[attrition.rule]]
role = "A"
rate = 0.2
[demand]
growth = 0.02
vacancy_rate = 0.05
[[supply]]
name = "R"
intake = 10
entry = [ { role = "A", band = "5" } ]
[[supply]]
name = "S"
intake = 5
entry = [ { role = "A", band = "5" } ]
"#,
    );
    let child = parse(
        r#"name = "c"
runs = 7
new_roles = ["Y"]
[attrition]
[[attrition.rule]]
band = 5
rate = { mean = 0.3, sd = 0.05 }
[demand]
growth = { low = 0.01, high = 0.05 }
[[supply]]
name = "R"
intake = 99
entry = [ { role = "A", band = "6" } ]
"#,
    );
    let m = merge(parent, child);
    assert_eq!((m.name.as_deref(), m.runs, m.seed), (Some("c"), Some(7), Some(1)));
    assert_eq!(m.baseline, Some(PathBuf::from("dir/b.csv")));
    assert_eq!(m.new_roles, Some(vec!["X".to_string(), "Y".to_string()]));
    let a = m.attrition.unwrap();
    assert_eq!(a.default, Some(ParamSpec::Fixed(0.1)));
    assert_eq!(a.rule.len(), 2);
    assert_eq!(a.rule[1].band, Some(Names(vec!["5".into()])));
    let d = m.demand.unwrap();
    assert_eq!(d.growth, Some(ParamSpec::LowHigh { low: 0.01, high: 0.05 }));
    assert_eq!(d.vacancy_rate, Some(ParamSpec::Fixed(0.05)));
    // A route of the same name replaces the parent's in place; others stay.
    assert_eq!(m.supply.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["R", "S"]);
    assert_eq!(m.supply[0].intake, Some(ParamSpec::Fixed(99.0)));
}

#[test]
fn unknown_keys_are_refused_with_their_line() {
    for (text, key, line) in [
        ("name = \"x\"\nattrtion = 1\n", "attrtion", "line 2"),
        ("[attrition]\ndefault = 0.1\n[[attrition.rule]]\nrole = \"A\"\nrat = 0.1\n", "rat", "line 5"),
        ("[[supply]]\nname = \"R\"\nintake = { mean = 1, sdev = 2 }\n", "sdev", "line 3"),
    ] {
        let err = parse_file(text, Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.contains("s.toml") && err.contains(key) && err.contains(line), "{err}");
    }
}

#[test]
fn required_fields_and_dates_are_checked() {
    let err = |text: &str| Scenario::from_toml(text, Path::new("s.toml")).unwrap_err().to_string();
    assert!(err("baseline = \"b.csv\"\nstart = \"2025-03\"\n").contains("key name"));
    assert!(err("name = \"x\"\nbaseline = \"b.csv\"\nstart = \"2025-13\"\n").contains("2025-13"));
    assert!(err("name = \"x\"\nbaseline = \"b.csv\"\nstart = \"2025-03\"\nstep = \"week\"\n").contains("week"));
    assert!(err("name = \"x\"\nbaseline = \"b.csv\"\nstart = \"2025-03\"\nend = \"2025-03\"\n").contains("key end"));
    let e = err("name = \"x\"\nbaseline = \"b.csv\"\nstart = \"2025-03\"\nend = \"2026-01\"\nstep = \"quarter\"\n");
    assert!(e.contains("whole number"), "{e}");
    let ok = Scenario::from_toml("name = \"x\"\nbaseline = \"b.csv\"\nstart = \"2025-03\"\n", Path::new("d/s.toml"));
    let ok = ok.unwrap();
    assert_eq!((ok.end, ok.step, ok.runs, ok.report_month), (Month::parse("2030-03").unwrap(), Step::Month, 1000, 3));
    assert_eq!(ok.baseline, PathBuf::from("d/b.csv"));
}

#[test]
fn families_are_a_file_relative_to_the_scenario_or_a_table_and_merge_as_a_scalar() {
    let file = parse("families = \"maps/m.csv\"\n");
    assert_eq!(file.families, Some(FamiliesSpec::File(PathBuf::from("dir/maps/m.csv"))));
    let table = parse("[families]\n\"Data Science\" = \"Data\"\n");
    let pairs = vec![("Data Science".to_string(), "Data".to_string())];
    assert_eq!(table.families, Some(FamiliesSpec::Table(pairs.clone())));
    assert_eq!(merge(file.clone(), table.clone()).families, table.families);
    assert_eq!(merge(file.clone(), parse("name = \"c\"\n")).families, file.families);
    // The table form writes back as a table and reads back the same.
    let text = toml::to_string(&table).unwrap();
    assert!(text.contains("[families]\n\"Data Science\" = \"Data\""), "{text}");
    assert_eq!(toml::from_str::<ScenarioFile>(&text).unwrap().families, table.families);
    let err = parse_file("[families]\nA = 1\n", Path::new("s.toml")).unwrap_err().to_string();
    assert!(err.contains("s.toml: line 2"), "{err}");
    let ok = Scenario::from_toml(
        "name = \"x\"\nbaseline = \"b.csv\"\nstart = \"2025-03\"\n[families]\nA = \"Data\"\n",
        Path::new("s.toml"),
    )
    .unwrap();
    assert_eq!(ok.families.pairs, [("A".to_string(), "Data".to_string())]);
    let default = Scenario::from_toml("name = \"x\"\nbaseline = \"b.csv\"\nstart = \"2025-03\"\n", Path::new("s.toml"));
    assert_eq!(default.unwrap().families, Families::builtin());
}

#[test]
fn months_read_and_print_as_yyyy_mm() {
    let m = Month::parse("2026-04").unwrap();
    assert_eq!((m.year(), m.month(), m.to_string()), (2026, 4, "2026-04".to_string()));
    assert_eq!(Month::parse("2026-4"), None);
    assert_eq!(Month::parse("2026-00"), None);
}
