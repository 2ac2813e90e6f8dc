//! Bad baselines, scenarios and arguments: exit status 2, a message naming the file, the place and the bad value, and no output written.

use crate::common::{SMALL_BASELINE, assert_no_output, outputs, small_scenario, wfcast, write};
use std::path::Path;

/// Whether `message` mentions `needle`: a number with a decimal point is matched by value
/// (so `1.25` matches `1.2500`); anything else as text not glued to other letters or digits
/// (so `rat` does not match `rate`, nor `line 1` match `line 12`).
fn mentions(message: &str, needle: &str) -> bool {
    if needle.contains('.')
        && let Ok(want) = needle.parse::<f64>()
    {
        return message
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter_map(|t| t.trim_end_matches('.').parse::<f64>().ok())
            .any(|got| (got - want).abs() < 1e-9);
    }
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    message
        .match_indices(needle)
        .any(|(i, _)| !glued(message[..i].chars().next_back()) && !glued(message[i + needle.len()..].chars().next()))
}

/// Asserts that stderr names `file` and, for each group of `needles`, at least one of its
/// alternatives (the line or key, the bad value).
fn assert_message(what: &str, stderr: &str, file: &str, needles: &[&[&str]]) {
    assert!(stderr.contains(file), "{what}: stderr does not name {file}: {stderr}");
    for group in needles {
        assert!(group.iter().any(|n| mentions(stderr, n)), "{what}: stderr mentions none of {group:?}: {stderr}");
    }
}

/// Validates and runs `scenario` (called `name`, in `dir`), expecting both to refuse it with
/// exit status 2 and a message naming `file` and `needles`, and the run to write nothing.
fn assert_refused(dir: &Path, scenario: &Path, name: &str, file: &str, needles: &[&[&str]]) {
    let assert = wfcast().arg("validate").arg(scenario).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    assert_message("validate", &stderr, file, needles);

    let out = dir.join("out");
    let assert = wfcast().arg("run").arg(scenario).args(["--runs", "5", "--out"]).arg(&out).assert();
    let (stdout, stderr) = outputs(&assert);
    assert.code(2);
    assert_message("run", &stderr, file, needles);
    assert!(stdout.is_empty(), "a refused run printed: {stdout}");
    assert_no_output(&out, name);
}

// ---------------------------------------------------------------------------------------
// Baselines

/// The small scenario on a baseline `staff.csv` holding `contents`.
fn refuse_baseline(contents: &[u8], needles: &[&[&str]]) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", contents);
    let scenario = write(dir.path(), "bad.toml", small_scenario("bad", "staff.csv"));
    assert_refused(dir.path(), &scenario, "bad", "staff.csv", needles);
}

/// The small baseline with `row` added as its last line, and that line's number.
fn with_row(row: &str) -> (String, String) {
    let line = SMALL_BASELINE.lines().count() + 1;
    (format!("{SMALL_BASELINE}{row}\n"), format!("line {line}"))
}

#[test]
fn baseline_with_an_unknown_band() {
    let (text, line) = with_row("Analyst,Band 12,London,5,5");
    refuse_baseline(text.as_bytes(), &[&[&line], &["Band 12"]]);
}

#[test]
fn baseline_with_a_negative_headcount() {
    let (text, line) = with_row("Engineer,7,London,-4,0");
    refuse_baseline(text.as_bytes(), &[&[&line], &["-4"]]);
}

#[test]
fn baseline_with_a_non_numeric_headcount() {
    let (text, line) = with_row("Engineer,7,London,twelve,3");
    refuse_baseline(text.as_bytes(), &[&[&line], &["twelve"]]);
}

#[test]
fn baseline_with_fte_above_headcount() {
    let (text, line) = with_row("Engineer,7,London,5,7.5");
    refuse_baseline(text.as_bytes(), &[&[&line], &["7.5"], &["fte"]]);
}

#[test]
fn baseline_without_a_headcount_column() {
    refuse_baseline(b"role,band,region,fte\nAnalyst,5,London,10\nEngineer,6,London,4\n", &[&["headcount"]]);
}

#[test]
fn baseline_that_is_empty() {
    refuse_baseline(b"", &[]);
}

#[test]
fn baseline_that_is_not_csv() {
    let mut bytes: Vec<u8> = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    refuse_baseline(&bytes, &[]);
}

// ---------------------------------------------------------------------------------------
// Scenarios

/// The top of a scenario called `bad` on `staff.csv`: five lines.
const HEAD: &str =
    "name = \"bad\"\nbaseline = \"staff.csv\"\nstart = \"2025-03\"\nend = \"2027-03\"\nstep = \"year\"\n";

/// `line N`, where N is the 1-based line of `text` holding `needle`.
fn line_of(text: &str, needle: &str) -> String {
    let n = text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("`{needle}` not in the text"));
    format!("line {}", n + 1)
}

/// A scenario `bad.toml` holding `text`, on the small baseline, refused.
fn refuse_scenario(text: &str, needles: &[&[&str]]) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", SMALL_BASELINE);
    let scenario = write(dir.path(), "bad.toml", text);
    assert_refused(dir.path(), &scenario, "bad", "bad.toml", needles);
}

#[test]
fn scenario_with_an_unknown_top_level_key() {
    let text = format!("{HEAD}attrtion = 0.1\n");
    refuse_scenario(&text, &[&["attrtion"], &[&line_of(&text, "attrtion")]]);
}

#[test]
fn scenario_with_an_unknown_key_in_a_rule() {
    let text = format!("{HEAD}\n[attrition]\ndefault = 0.1\n\n[[attrition.rule]]\nrole = \"Analyst\"\nrat = 0.1\n");
    refuse_scenario(&text, &[&["rat"], &[&line_of(&text, "rat ="), "attrition.rule"]]);
}

#[test]
fn scenario_with_a_typo_in_a_role_name() {
    let text = format!("{HEAD}\n[attrition]\ndefault = 0.1\n\n[[attrition.rule]]\nrole = \"Analist\"\nrate = 0.2\n");
    let line = line_of(&text, "Analist");
    refuse_scenario(&text, &[&["Analist"], &["did you mean"], &["Analyst"], &[&line, "attrition.rule"]]);
}

#[test]
fn scenario_with_a_bad_band_in_a_selector() {
    let text =
        format!("{HEAD}\n[attrition]\ndefault = 0.1\n\n[[attrition.rule]]\nband = [\"5\", \"8e\"]\nrate = 0.2\n");
    let line = line_of(&text, "8e");
    refuse_scenario(&text, &[&["8e"], &[&line, "attrition.rule"]]);
}

#[test]
fn scenario_with_a_bad_month() {
    let text = HEAD.replace("2025-03", "2025-13");
    refuse_scenario(&text, &[&["2025-13"], &["start", &line_of(&text, "2025-13")]]);
}

#[test]
fn scenario_with_a_bad_step() {
    let text = HEAD.replace("\"year\"", "\"week\"");
    refuse_scenario(&text, &[&["week"], &["step", &line_of(&text, "week")]]);
}

#[test]
fn scenario_with_a_probability_above_one() {
    let text = format!("{HEAD}\n[attrition]\ndefault = 1.5\n");
    refuse_scenario(&text, &[&["1.5"], &["attrition", &line_of(&text, "1.5")]]);
}

#[test]
fn growth_written_as_a_percentage_is_refused_with_the_fraction() {
    // Issue 9: `growth = 3` meant 3% and sent demand to 416,545 FTE.
    let text = format!("{HEAD}\n[demand]\ngrowth = 3\n");
    refuse_scenario(&text, &[&["300%"], &["0.03"], &["demand.growth"]]);
    let text = format!("{HEAD}\n[[demand.rule]]\nrole = \"Analyst\"\ngrowth = {{ mean = 2.5, sd = 0.5 }}\n");
    refuse_scenario(&text, &[&["a mean of 2.5"], &["0.025"], &["demand.rule[0].growth", &line_of(&text, "2.5")]]);
    // A growth below 100% a year, even a large one, is still a growth.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", SMALL_BASELINE);
    let ok = write(dir.path(), "ok.toml", format!("{HEAD}\n[demand]\ngrowth = 0.5\n").replace("\"bad\"", "\"ok\""));
    wfcast().arg("validate").arg(&ok).assert().success();
}

#[test]
fn scenario_with_a_probability_distribution_above_one() {
    let text = format!(
        "{HEAD}\n[attrition]\ndefault = 0.1\n\n[[attrition.rule]]\nrole = \"Engineer\"\nrate = {{ mean = 1.2, sd = 0.1 }}\n"
    );
    refuse_scenario(&text, &[&["1.2"], &["attrition.rule", &line_of(&text, "1.2")]]);
}

#[test]
fn scenario_extending_a_missing_file() {
    let text = format!("extends = \"nowhere.toml\"\n{HEAD}");
    refuse_scenario(&text, &[&["nowhere.toml"], &["extends", &line_of(&text, "nowhere")]]);
}

#[test]
fn scenario_with_transfer_rates_above_one() {
    let text = format!(
        "{HEAD}\n[[transfer]]\nfrom = \"Analyst\"\nto = \"Engineer\"\nrate = 0.75\n\n\
         [[transfer]]\nfrom = \"Analyst\"\nto = \"Lead\"\nrate = 0.5\n"
    );
    refuse_scenario(&text, &[&["transfer"], &["1.25"]]);
}

#[test]
fn scenario_with_a_pipeline_route_without_entry() {
    let text = format!("{HEAD}\n[[supply]]\nname = \"grads\"\nintake = 10\nmonths = [9]\n");
    refuse_scenario(&text, &[&["entry"], &["supply[0]", "grads"]]);
}

#[test]
fn scenarios_extending_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "staff.csv", SMALL_BASELINE);
    let a = write(d, "loop_a.toml", format!("extends = \"loop_b.toml\"\n{HEAD}").replace("\"bad\"", "\"loop\""));
    write(d, "loop_b.toml", "extends = \"loop_a.toml\"\nruns = 10\n");
    assert_refused(d, &a, "loop", "loop_a.toml", &[&["extends"], &["loop_b.toml"]]);
}

/// The same cycle, written with paths through `..`: the files must be recognised as the
/// same files, not followed until the path is too long.
#[test]
fn scenarios_extending_each_other_through_parent_folders() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("sub");
    std::fs::create_dir(&d).unwrap();
    write(dir.path(), "staff.csv", SMALL_BASELINE);
    let head = HEAD.replace("\"bad\"", "\"loop\"").replace("\"staff.csv\"", "\"../staff.csv\"");
    let a = write(&d, "loop_a.toml", format!("extends = \"../sub/loop_b.toml\"\n{head}"));
    write(&d, "loop_b.toml", "extends = \"../sub/loop_a.toml\"\nruns = 10\n");
    let assert = wfcast().arg("validate").arg(&a).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    assert_message("validate", &stderr, "loop_a.toml", &[&["extends"], &["loop_b.toml"]]);
    assert!(stderr.len() < 2000, "the cycle was followed instead of detected ({} bytes of message)", stderr.len());
}

// ---------------------------------------------------------------------------------------
// Command-line arguments

/// Runs the small scenario with `args`, expecting exit status 2, a message with `needles`
/// and no output.
fn refuse_args(args: &[&str], needles: &[&[&str]]) {
    let (dir, scenario) = crate::common::small_fixture("args");
    let out = dir.path().join("out");
    let assert = wfcast().arg("run").arg(&scenario).args(args).arg("--out").arg(&out).assert();
    let (_, stderr) = outputs(&assert);
    assert.code(2);
    for group in needles {
        assert!(group.iter().any(|n| mentions(&stderr, n)), "{args:?}: stderr mentions none of {group:?}: {stderr}");
    }
    assert_no_output(&out, "args");
}

#[test]
fn zero_runs_is_refused() {
    refuse_args(&["--runs", "0"], &[&["--runs", "runs"], &["0"]]);
}

#[test]
fn an_unknown_level_is_refused() {
    refuse_args(&["--levels", "total,nonsense"], &[&["--levels", "levels"], &["nonsense"]]);
}

#[test]
fn zero_threads_is_refused() {
    refuse_args(&["--threads", "0"], &[&["--threads", "threads"], &["0"]]);
}

#[test]
fn a_non_numeric_run_count_is_refused() {
    refuse_args(&["--runs", "many"], &[&["--runs", "runs"], &["many"]]);
}

// ---------------------------------------------------------------------------------------
// Amounts against the cells they feed (issue 9)

/// `[demand]` with a vacancy rate of 8%: the analysts' baseline demand is their 289 FTE / 0.92
/// = 314.1 FTE, band 5's 196 / 0.92 = 213.0.
const DEMAND: &str = "\n[demand]\nvacancy_rate = 0.08\n";

/// A demand change of `add_fte` for `selector` (TOML lines) in April 2025.
fn change(selector: &str, add_fte: &str) -> String {
    format!("\n[[demand.change]]\n{selector}\nfrom = \"2025-04\"\nadd_fte = {add_fte}\n")
}

/// Validates `text` as `ok.toml` on the small baseline, expecting success; returns stderr.
fn validates(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", SMALL_BASELINE);
    let ok = write(dir.path(), "ok.toml", text.replace("\"bad\"", "\"ok\""));
    let assert = wfcast().arg("validate").arg(&ok).assert();
    let (_, stderr) = outputs(&assert);
    assert.success();
    stderr
}

#[test]
fn a_demand_change_that_takes_demand_below_zero_is_refused() {
    let text = format!("{HEAD}{DEMAND}{}", change("role = \"Analyst\"", "-5000"));
    refuse_scenario(&text, &[&["demand.change[0].add_fte"], &["-5,000", "-5000"], &["314.1"]]);
    // Two changes that together go below zero are refused at the one that does: 314.1 less
    // band 5's part of the first (135.6) leaves 77.4 FTE for the second.
    let text = format!(
        "{HEAD}{DEMAND}{}{}",
        change("role = \"Analyst\"", "-200"),
        change("role = \"Analyst\"\nband = \"5\"", "-200")
    );
    refuse_scenario(&text, &[&["demand.change[1].add_fte"], &["-200"], &["213.0", "213"], &["77.4"]]);
    // Negative changes that leave demand at zero or more still run.
    let text =
        format!("{HEAD}{DEMAND}{}{}", change("role = \"Analyst\"", "-200"), change("role = \"Analyst\"", "-114"));
    validates(&text);
}

#[test]
fn entry_shares_that_are_neither_fractions_nor_weights_are_refused() {
    let route = |shares: [&str; 2]| {
        format!(
            "{HEAD}\n[[supply]]\nname = \"grads\"\nintake = 10\nentry = [ {{ role = \"Analyst\", band = \"5\", share = {} }}, {{ role = \"Analyst\", band = \"6\", share = {} }} ]\n",
            shares[0], shares[1]
        )
    };
    refuse_scenario(&route(["0.5", "0.3"]), &[&["supply[0].entry"], &["grads"], &["0.8"], &["sum to 1"]]);
    refuse_scenario(&route(["0.6", "0.6"]), &[&["supply[0].entry"], &["grads"], &["1.2"], &["whole-number"]]);
    refuse_scenario(&route(["2.5", "1"]), &[&["supply[0].entry"], &["3.5"]]);
    // Fractions that sum to 1, and whole-number weights, run.
    for shares in [["0.25", "0.75"], ["3", "1"], ["60", "40"], ["1", "1"]] {
        validates(&route(shares));
    }
}

#[test]
fn implausible_amounts_are_warned_about_and_run() {
    // 124 graduates a year into the 12 leads, and 40 FTE of new demand for them (13.0 FTE).
    let text = format!(
        "{HEAD}{DEMAND}{}\n[[supply]]\nname = \"graduates\"\nintake = 124\nentry = [ {{ role = \"Lead\", band = \"8a\" }} ]\n",
        change("role = \"Lead\"", "40")
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "staff.csv", SMALL_BASELINE);
    let scenario = write(dir.path(), "odd.toml", text.replace("\"bad\"", "\"odd\""));
    let out = dir.path().join("out");
    let assert = wfcast().arg("run").arg(&scenario).args(["--runs", "5", "--quiet", "--out"]).arg(&out).assert();
    let (_, stderr) = outputs(&assert);
    assert.success();
    let intake =
        stderr.lines().find(|l| l.contains("supply[0]")).unwrap_or_else(|| panic!("no intake warning: {stderr}"));
    assert_message(
        "intake",
        intake,
        "odd.toml",
        &[&["warning:"], &["graduates"], &["124"], &["12 staff"], &["Lead band 8a"]],
    );
    let demand = stderr
        .lines()
        .find(|l| l.contains("demand.change[0]"))
        .unwrap_or_else(|| panic!("no change warning: {stderr}"));
    assert_message("change", demand, "odd.toml", &[&["warning:"], &["40 FTE"], &["13.0", "13"], &["Lead"]]);
    let meta = crate::common::read_json(&out.join("odd").join("meta.json"));
    let warnings = meta["warnings"].as_array().expect("meta.json warnings");
    assert!(warnings.iter().any(|w| w.as_str().is_some_and(|w| w.contains("graduates"))), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.as_str().is_some_and(|w| w.contains("demand.change[0]"))), "{warnings:?}");

    // Plausible amounts, and a new role filling from nothing, give no warning.
    let quiet = format!(
        "{HEAD}new_roles = [\"Data Scientist\"]\n{DEMAND}{}{}\n[[supply]]\nname = \"graduates\"\nintake = 50\nentry = [ {{ role = \"Analyst\", band = \"5\" }} ]\n\
         \n[[supply]]\nname = \"new scheme\"\nintake = 500\nentry = [ {{ role = \"Data Scientist\", band = \"6\" }} ]\n",
        change("role = \"Lead\"", "10"),
        change("role = \"Data Scientist\"", "300")
    );
    let stderr = validates(&quiet);
    assert!(!stderr.contains("warning"), "{stderr}");
}
