//! The charts: every file is written as a PNG that decodes at its size and is not blank, and
//! an SVG that parses and holds the titles, legends, labels and lines expected; for a small
//! scenario run through the library (stochastic and deterministic), for the shipped default
//! run through the binary and read back, and for a comparison built by hand.
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use wfcast_core::band::Band;
use wfcast_core::baseline::{Baseline, BaselineRow};
use wfcast_core::engine::Mode;
use wfcast_core::model::Model;
use wfcast_core::pay::PayTable;
use wfcast_core::results::{Comparison, ComparisonRow, Diff, FileHash, Meta, Results, Row};
use wfcast_core::runner::{self, RunOptions};
use wfcast_core::scenario::Scenario;
use wfcast_core::summary::Level;
use wfcast_report::chart::{self, financial_year_label, month_label, slug};

// ---------------------------------------------------------------------------------------
// Fixtures.

/// A fresh folder for one test's charts, kept under the target folder so they can be looked at.
fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("charts").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn staff(role: &str, band: &str, region: &str, headcount: f64) -> BaselineRow {
    wfcast_testkit::staff(role, band, region, headcount, 0.92)
}

const ROLES: [&str; 3] = ["Data & Analytics", "Software Engineering", "Information Governance & Records Management"];
const ROUTES: [&str; 2] = ["Graduate scheme", "External recruitment"];

/// A small scenario with a pipeline and a vacancy-fill route, demand growth and extra posts.
const SCENARIO: &str = r#"
name = "small"
title = "Small test: data roles grow"
baseline = "unused.csv"
start = "2025-03"
end = "2030-03"
step = "quarter"
runs = 60
seed = 7

[attrition]
default = { mean = 0.10, sd = 0.02 }

[progression]
default = 0.05

[[supply]]
name = "Graduate scheme"
intake = { mean = 30, sd = 5 }
months = [9]
duration_months = 12
completion = { mean = 0.85, sd = 0.05 }
entry = [ { role = "Data & Analytics", band = "6", share = 1 } ]

[[supply]]
name = "External recruitment"
kind = "vacancy-fill"
fill_rate = { mean = 0.5, sd = 0.1 }

[demand]
vacancy_rate = 0.08
growth = { mean = 0.03, sd = 0.01 }

[[demand.rule]]
role = "Data & Analytics"
growth = { mean = 0.09, sd = 0.03 }

[cost]
on_cost = 0.25
"#;

fn baseline() -> Vec<BaselineRow> {
    vec![
        staff(ROLES[0], "5", "London", 120.0),
        staff(ROLES[0], "6", "North", 90.0),
        staff(ROLES[0], "8a", "London", 20.0),
        staff(ROLES[1], "6", "London", 80.0),
        staff(ROLES[1], "7", "North", 60.0),
        staff(ROLES[2], "3", "North", 150.0),
        staff(ROLES[2], "4", "London", 70.0),
    ]
}

fn pay() -> PayTable {
    let mut bands = [(0.0, 0.0); Band::COUNT];
    for (i, b) in bands.iter_mut().enumerate() {
        *b = (24_000.0 + 6_000.0 * i as f64, 28_000.0 + 7_000.0 * i as f64);
    }
    PayTable { bands }
}

/// Runs the small scenario through the library.
fn small_results(mode: Mode, runs: u64) -> Results {
    let scenario = Scenario::from_toml(SCENARIO, Path::new("scenarios/small.toml")).unwrap();
    let model = Model::compile(&scenario, &Baseline::from_rows("unused.csv", baseline()), Some(&pay())).unwrap();
    let opts = RunOptions {
        runs: Some(runs),
        mode,
        levels: vec![Level::Total, Level::Role, Level::RoleBand, Level::Region],
        ..Default::default()
    };
    let run = runner::run_scenario(&scenario, &model, "0123456789abcdef".into(), &opts, &|| {}).unwrap();
    Results::of(&run)
}

// ---------------------------------------------------------------------------------------
// Checks.

/// The stems of the files written, each of which must come as PNG and SVG, and nothing else.
fn stems(files: &[PathBuf], dir: &Path) -> HashSet<String> {
    let mut pngs = HashSet::new();
    let mut svgs = HashSet::new();
    for f in files {
        assert_eq!(f.parent().unwrap(), dir, "{} written outside the folder", f.display());
        assert!(f.exists(), "{} reported but not written", f.display());
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        match f.extension().and_then(|e| e.to_str()) {
            Some("png") => assert!(pngs.insert(stem), "{} reported twice", f.display()),
            Some("svg") => assert!(svgs.insert(stem), "{} reported twice", f.display()),
            _ => panic!("unexpected file {}", f.display()),
        }
    }
    assert_eq!(pngs, svgs, "every chart comes as PNG and SVG");
    pngs
}

/// A PNG that decodes, 1200 pixels wide and 700 high (charts with a row per role: at least
/// 440, growing with the roles), with the size of its SVG, and drawn on: many colours, a fair
/// share of pixels that are not white.
fn check_png(path: &Path, svg_size: (u32, u32)) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgb8();
    assert_eq!(img.width(), 1200, "{}", path.display());
    let per_role =
        ["gap_heatmap", "compare_gap_by_role", "gap_by_region"].iter().any(|s| path.ends_with(format!("{s}.png")));
    if per_role {
        assert!(img.height() >= 440, "{}: height {}", path.display(), img.height());
    } else {
        assert_eq!(img.height(), 700, "{}", path.display());
    }
    assert_eq!((img.width(), img.height()), svg_size, "{}: PNG and SVG sizes differ", path.display());
    let colours: HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 200, "{}: only {} colours", path.display(), colours.len());
    let inked = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    let share = inked as f64 / (img.width() * img.height()) as f64;
    assert!(share > 0.04, "{}: only {:.1}% of pixels drawn on", path.display(), share * 100.0);
}

/// A parsed SVG: its size and every text it shows.
struct Svg {
    size: (u32, u32),
    texts: Vec<String>,
    /// Straight two-point horizontal lines: (x0, x1, y, stroke).
    horizontals: Vec<(f64, f64, f64, String)>,
}

impl Svg {
    fn read(path: &Path) -> Svg {
        let text = fs::read_to_string(path).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let dim = |a: &str| root.attribute(a).and_then(|v| v.parse::<u32>().ok()).expect("svg width and height");
        let texts = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect();
        let horizontals = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .filter_map(|n| {
                let pts: Vec<(f64, f64)> = n
                    .attribute("points")?
                    .split_whitespace()
                    .filter_map(|p| p.split_once(',').and_then(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?))))
                    .collect();
                match pts.as_slice() {
                    [(x0, y0), (x1, y1)] if (y0 - y1).abs() < 0.5 => {
                        Some((*x0, *x1, *y0, n.attribute("stroke").unwrap_or("").to_string()))
                    }
                    _ => None,
                }
            })
            .collect();
        Svg { size: (dim("width"), dim("height")), texts, horizontals }
    }

    fn has(&self, text: &str) -> bool {
        self.texts.iter().any(|t| t.contains(text))
    }

    fn assert_has(&self, text: &str, what: &str) {
        assert!(self.has(text), "{what}: no text containing {text:?} in {:?}", self.texts);
    }

    /// A dark line across most of the plot, labelled `label` (the zero line).
    fn assert_zero_line(&self, label: &str, what: &str) {
        let across = self.horizontals.iter().any(|(x0, x1, _, stroke)| {
            (x1 - x0).abs() > self.size.0 as f64 * 0.6 && stroke.eq_ignore_ascii_case("#1A1A1A")
        });
        assert!(across, "{what}: no zero line among {:?}", self.horizontals);
        self.assert_has(label, what);
    }
}

/// Checks both files of `stem` in `dir` and returns the SVG.
fn chart(dir: &Path, stem: &str) -> Svg {
    let svg = Svg::read(&dir.join(format!("{stem}.svg")));
    check_png(&dir.join(format!("{stem}.png")), svg.size);
    svg
}

fn title_with_runs(meta: &Meta) -> String {
    if meta.is_deterministic() {
        format!("{} (deterministic)", meta.title)
    } else {
        let runs = meta.runs.to_string();
        let runs =
            if runs.len() > 3 { format!("{},{}", &runs[..runs.len() - 3], &runs[runs.len() - 3..]) } else { runs };
        format!("{} — {runs} runs", meta.title)
    }
}

/// Every check of a scenario's charts.
fn check_scenario_charts(results: &Results, dir: &Path) {
    let files = chart::write_scenario_charts(results, dir).unwrap();
    let stems = stems(&files, dir);
    let mut expected: HashSet<String> =
        ["supply_demand_total", "gap_total", "gap_heatmap", "flows"].iter().map(|s| s.to_string()).collect();
    for role in results.roles() {
        expected.insert(format!("supply_demand_{}", slug(&role)));
    }
    if !results.total("cost_gbp").is_empty() {
        expected.insert("cost".into());
    }
    if !results.families().is_empty() {
        expected.insert(chart::FAMILIES_CHART.into());
    }
    if results.rows.iter().any(|r| r.level == "region") {
        expected.insert(chart::GAP_BY_REGION_CHART.into());
    }
    assert_eq!(stems, expected);

    let meta = &results.meta;
    let title = title_with_runs(meta);
    let footer = format!("seed {}", meta.seed);
    let stochastic = !meta.is_deterministic();
    let mut charts = HashMap::new();
    for stem in &stems {
        let svg = chart(dir, stem);
        svg.assert_has(&title, stem);
        svg.assert_has(&footer, stem);
        svg.assert_has(&meta.sha256[..12], stem);
        svg.assert_has(&format!("wfcast {}", meta.version), stem);
        charts.insert(stem.clone(), svg);
    }
    let chart = |stem: &str| &charts[stem];

    let total = chart("supply_demand_total");
    for text in ["Demand", "Supply", "FTE", "baseline", "Mar 2025", "2025/26", "2029/30"] {
        total.assert_has(text, "supply_demand_total");
    }
    assert_eq!(total.has("90% of runs"), stochastic, "bands keyed only when runs differ");
    for role in results.roles() {
        chart(&format!("supply_demand_{}", slug(&role))).assert_has(&role, "role chart");
    }

    let gap = chart("gap_total");
    gap.assert_zero_line("no gap", "gap_total");
    if stochastic {
        gap.assert_has("of runs short", "gap_total");
        gap.assert_has("middle 50% of runs", "gap_total");
    } else {
        assert!(gap.has("shortfall") || gap.has("short"), "gap_total: shortfall labels");
    }

    let heat = chart("gap_heatmap");
    let cells = heat.texts.iter().filter(|t| t.ends_with('%') && t.len() <= 6).count();
    assert!(cells >= 5, "gap_heatmap: {cells} cells labelled with a percentage");
    for role in results.roles() {
        heat.assert_has(&role, "gap_heatmap");
    }
    heat.assert_has("Gap as % of demand", "gap_heatmap");

    if stems.contains(chart::GAP_BY_REGION_CHART) {
        let by_region = chart(chart::GAP_BY_REGION_CHART);
        for r in results.rows.iter().filter(|r| r.level == "region") {
            by_region.assert_has(r.region.as_deref().unwrap(), "gap_by_region");
        }
        by_region.assert_has("by region", "gap_by_region");
    }

    let flows = chart("flows");
    for route in &meta.routes {
        flows.assert_has(route, "flows");
    }
    flows.assert_has("Leavers", "flows");
    flows.assert_has("2026/27", "flows");

    if expected.contains("cost") {
        chart("cost").assert_has("£ million", "cost");
    }
}

// ---------------------------------------------------------------------------------------
// Tests.

#[test]
fn financial_years_end_on_31_march() {
    assert_eq!(financial_year_label("2026-03"), "2025/26");
    assert_eq!(financial_year_label("2030-03"), "2029/30");
    assert_eq!(financial_year_label("2000-03"), "1999/00");
    assert_eq!(financial_year_label("2010-03"), "2009/10");
    assert_eq!(financial_year_label("2030-09"), "Sep 2030");
    assert_eq!(financial_year_label("2031-01"), "Jan 2031");
    assert_eq!(financial_year_label("not a date"), "not a date");
    assert_eq!(financial_year_label("2030-13"), "2030-13");
    assert_eq!(month_label("2025-03"), "Mar 2025");
    assert_eq!(month_label("2025-12"), "Dec 2025");
}

#[test]
fn slugs_are_file_names() {
    assert_eq!(slug("Business Analyst & Change"), "business-analyst-change");
    assert_eq!(slug("  IT Service Desk & Operations "), "it-service-desk-operations");
}

#[test]
fn a_stochastic_scenario_has_every_chart() {
    let results = small_results(Mode::Stochastic, 60);
    assert_eq!(results.meta.routes, ROUTES);
    assert!(!results.total("cost_gbp").is_empty(), "the pay table gives cost_gbp");
    check_scenario_charts(&results, &out_dir("stochastic"));
}

#[test]
fn a_deterministic_scenario_draws_lines_without_bands() {
    let results = small_results(Mode::Deterministic, 1);
    assert_eq!(results.meta.mode, Mode::Deterministic);
    let dir = out_dir("deterministic");
    check_scenario_charts(&results, &dir);
    let svg = Svg::read(&dir.join("supply_demand_total.svg"));
    assert!(!svg.has("of runs"), "no uncertainty keys: {:?}", svg.texts);
}

#[test]
fn charts_without_cost_or_cells_leave_those_files_out() {
    let mut results = small_results(Mode::Stochastic, 20);
    results.rows.retain(|r| r.metric != "cost_gbp" && r.level != "role_band");
    let dir = out_dir("partial");
    let files = chart::write_scenario_charts(&results, &dir).unwrap();
    let stems = stems(&files, &dir);
    assert!(stems.contains("gap_total") && stems.contains("flows"));
    assert!(!stems.contains("cost") && !stems.contains("gap_heatmap"), "{stems:?}");
}

#[test]
fn writing_into_a_missing_folder_is_an_io_error() {
    let results = small_results(Mode::Deterministic, 1);
    let dir = out_dir("missing").join("not-there");
    let err = chart::write_scenario_charts(&results, &dir).unwrap_err();
    assert!(matches!(err, wfcast_core::Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("not-there"), "{err}");
}

#[test]
fn the_shipped_default_charts_read_back_from_its_output() {
    let out = out_dir("default-run");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_cmd::cargo::cargo_bin_cmd!("wfcast")
        .current_dir(root)
        .args(["run", "scenarios/steady-state.toml", "--runs", "20", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let folder = out.join("steady-state");
    let results = wfcast_io::results::load(&folder).unwrap();
    assert_eq!(results.meta.runs, 20);
    assert!(results.roles().len() > 10, "{:?}", results.roles());
    let dir = out_dir("default-charts");
    check_scenario_charts(&results, &dir);
    let heatmap = Svg::read(&dir.join("gap_heatmap.svg"));
    assert!(heatmap.size.1 > 700, "the heatmap grows with its {} roles", results.roles().len());
    // The run wrote the same charts itself.
    assert!(folder.join("charts/gap_heatmap.svg").exists() && folder.join("charts/flows.png").exists());
}

// ---------------------------------------------------------------------------------------
// A comparison built by hand.

fn meta(name: &str, title: &str) -> Meta {
    Meta {
        scenario: name.into(),
        title: title.into(),
        description: String::new(),
        file: format!("scenarios/{name}.toml"),
        sha256: format!("{name:a<64}").chars().take(64).collect(),
        files: Vec::new(),
        baseline: FileHash { path: "staff.csv".into(), sha256: "b".repeat(64) },
        seed: 2025,
        runs: 500,
        mode: Mode::Stochastic,
        start: "2025-03".into(),
        end: "2028-03".into(),
        step_months: 1,
        report_dates: vec!["2025-03".into(), "2026-03".into(), "2027-03".into(), "2028-03".into()],
        levels: vec!["total".into(), "role".into()],
        routes: Vec::new(),
        organisations: Vec::new(),
        area: "England".into(),
        scaling: None,
        warnings: Vec::new(),
        version: "0.1.0".into(),
        wall_time_seconds: 1.0,
    }
}

fn gap_row(date: &str, level: &str, role: Option<&str>, median: f64, spread: f64) -> Row {
    Row {
        date: date.into(),
        level: level.into(),
        role: role.map(str::to_string),
        band: None,
        region: None,
        metric: "gap_fte".into(),
        mean: median,
        sd: spread / 3.3,
        p: [median - spread, median - spread / 3.0, median, median + spread / 3.0, median + spread],
        p_shortfall: Some(0.9),
    }
}

fn comparison() -> Comparison {
    let scenarios =
        vec![meta("base", "Steady state"), meta("grow", "Grow our own"), meta("fast", "Accelerated digital")];
    let dates = ["2025-03", "2026-03", "2027-03", "2028-03"];
    let mut rows = Vec::new();
    for (k, m) in scenarios.iter().enumerate() {
        let shift = [0.0, -300.0, 500.0][k];
        for (t, date) in dates.iter().enumerate() {
            let t = t as f64;
            let row = gap_row(date, "total", None, 4000.0 + (100.0 + shift) * t, 350.0 * t);
            let d = shift * t;
            let diff = (k > 0).then_some(Diff {
                mean: d,
                p: [d - 200.0 * t, d - 70.0 * t, d, d + 70.0 * t, d + 200.0 * t],
                p_gap_smaller: Some(if shift < 0.0 { 0.93 } else { 0.02 }),
            });
            rows.push(ComparisonRow { scenario: m.scenario.clone(), row, diff });
        }
        for (r, role) in ["Data & Analytics", "Clinical Coding", "Cyber Security"].iter().enumerate() {
            let median = [600.0, -50.0, 250.0][r] + shift / 4.0;
            rows.push(ComparisonRow {
                scenario: m.scenario.clone(),
                row: gap_row("2028-03", "role", Some(role), median, 120.0),
                diff: None,
            });
        }
    }
    Comparison { name: "compare-base-grow-fast".into(), scenarios, rows }
}

#[test]
fn a_comparison_has_its_three_charts() {
    let c = comparison();
    let dir = out_dir("comparison");
    let files = chart::write_comparison_charts(&c, &dir).unwrap();
    let expected: HashSet<String> =
        ["compare_gap", "compare_gap_by_role", "compare_difference"].iter().map(|s| s.to_string()).collect();
    assert_eq!(stems(&files, &dir), expected);

    let charts: HashMap<&str, Svg> = expected.iter().map(|stem| (stem.as_str(), chart(&dir, stem))).collect();
    for (stem, svg) in &charts {
        svg.assert_has("500 runs each", stem);
        svg.assert_has("seed 2025", stem);
    }
    let gap = &charts["compare_gap"];
    for m in &c.scenarios {
        gap.assert_has(&m.title, "compare_gap legend");
    }
    gap.assert_zero_line("no gap", "compare_gap");

    let by_role = &charts["compare_gap_by_role"];
    for role in ["Data & Analytics", "Clinical Coding", "Cyber Security"] {
        by_role.assert_has(role, "compare_gap_by_role");
    }
    for m in &c.scenarios {
        by_role.assert_has(&m.title, "compare_gap_by_role legend");
    }

    let diff = &charts["compare_difference"];
    diff.assert_has("difference from Steady state", "compare_difference title");
    diff.assert_has("Grow our own: gap smaller in 93% of runs", "compare_difference legend");
    diff.assert_has("Accelerated digital", "compare_difference legend");
    assert!(!diff.texts.iter().any(|t| t.starts_with("Steady state:")), "the reference has no fan of its own");
    diff.assert_zero_line("no difference", "compare_difference");
}

#[test]
fn a_comparison_on_a_trusts_baseline_names_the_trust_not_england() {
    const TRUST: &str = "Ockby Hospitals NHS Trust (RXX)";
    let mut c = comparison();
    c.scenarios.iter_mut().for_each(|m| m.area = TRUST.into());
    let dir = out_dir("comparison-trust");
    chart::write_comparison_charts(&c, &dir).unwrap();
    for stem in ["compare_gap", "compare_difference"] {
        let all = chart(&dir, stem).texts.join(" ");
        assert!(all.contains(&format!("{TRUST}, all roles:")), "{stem}: {all}");
        assert!(!all.contains("England"), "{stem} names England: {all}");
    }
    // Scenarios on baselines of different areas: each is named, and that they differ.
    c.scenarios[2].area = "England".into();
    chart::write_comparison_charts(&c, &dir).unwrap();
    let all = chart(&dir, "compare_gap").texts.join(" ");
    assert!(all.contains(&format!("{TRUST} / England (the scenarios' areas differ), all roles")), "{all}");
}

#[test]
fn a_deterministic_comparison_of_one_scenario_has_no_difference_chart() {
    let mut c = comparison();
    c.scenarios.truncate(1);
    c.scenarios[0].mode = Mode::Deterministic;
    c.scenarios[0].runs = 1;
    c.rows.retain(|r| r.scenario == "base");
    for r in &mut c.rows {
        r.row.p = [r.row.p[2]; 5];
    }
    let dir = out_dir("comparison-one");
    let files = chart::write_comparison_charts(&c, &dir).unwrap();
    let expected: HashSet<String> = ["compare_gap", "compare_gap_by_role"].iter().map(|s| s.to_string()).collect();
    assert_eq!(stems(&files, &dir), expected);
    let gap = chart(&dir, "compare_gap");
    gap.assert_has("(deterministic)", "compare_gap title");
    assert!(!gap.has("90% of runs"), "no bands keyed: {:?}", gap.texts);
}
