//! Tests of the charts drawn here: the families chart's panels, the area charts name, and the
//! backtest charts.
use super::backtest::backtest_chart;
use super::families::PANEL_HEIGHT;
use super::kit::{HEIGHT, WIDTH};
use super::*;
use wfcast_core::backtest::{ALL_ROLES, Actual, BacktestMeta, BacktestResults, Method, Point, Score, TOTAL};
use wfcast_core::engine::Mode;
use wfcast_core::model::rebase::{ScaledAmount, Scaling};
use wfcast_core::results::{Comparison, ComparisonRow, FileHash, Meta, Row};
use wfcast_core::scenario::Month;

/// The roles of [`synthetic_backtest`].
pub(crate) const ROLES: [&str; 2] = ["Data & Analytics", "Software Engineering"];

/// A backtest made by hand: yearly snapshots 2019-03 to 2024-03, trained to 2021-03; on the
/// total and the first role wfcast beats both benchmarks, on the second it does not.
pub(crate) fn synthetic_backtest() -> BacktestResults {
    let meta = BacktestMeta {
        kind: "backtest".into(),
        history: FileHash { path: "data/history.csv".into(), sha256: "ab".repeat(32) },
        flows: Some(FileHash { path: "data/flows.csv".into(), sha256: "cd".repeat(32) }),
        train_until: "2021-03".into(),
        end: "2024-03".into(),
        runs: 500,
        seed: 11,
        by_region: false,
        version: "0.1.0".into(),
    };
    let train = Month::parse("2021-03").unwrap();
    let series: [(&str, [f64; 6]); 3] = [
        (TOTAL, [3000.0, 3100.0, 3180.0, 3290.0, 3350.0, 3460.0]),
        (ROLES[0], [1800.0, 1880.0, 1930.0, 2010.0, 2050.0, 2120.0]),
        (ROLES[1], [1200.0, 1220.0, 1250.0, 1280.0, 1300.0, 1340.0]),
    ];
    let (mut actuals, mut points, mut scores) = (Vec::new(), Vec::new(), Vec::new());
    for (name, values) in series {
        for (i, v) in values.iter().enumerate() {
            let date = Month(train.0 + 12 * (i as i32 - 2));
            actuals.push(Actual { series: name.into(), date, value: *v });
            if i > 2 {
                let h = (i - 2) as f64;
                let mid = v * (1.0 + 0.01 * h);
                let spread = v * 0.02 * h;
                points.push(Point {
                    series: name.into(),
                    date,
                    horizon_months: 12 * (i as i32 - 2),
                    actual: *v,
                    p: [mid - 2.0 * spread, mid - spread, mid, mid + spread, mid + 2.0 * spread],
                    naive: values[2],
                    trend: values[2] + (values[2] - values[0]) / 2.0 * h,
                });
            }
        }
        let wf = if name == ROLES[1] { 3.0 } else { 1.5 };
        for (method, mape) in [(Method::Wfcast, wf), (Method::Naive, 5.2), (Method::Trend, 2.4)] {
            let model = method == Method::Wfcast;
            scores.push(Score {
                series: name.into(),
                method,
                mape,
                mase: mape / 2.0,
                coverage_50: model.then_some(2.0 / 3.0),
                coverage_90: model.then_some(1.0),
                points: 3,
            });
        }
    }
    for (method, mape) in [(Method::Wfcast, 2.25), (Method::Naive, 5.2), (Method::Trend, 2.4)] {
        let model = method == Method::Wfcast;
        scores.push(Score {
            series: ALL_ROLES.into(),
            method,
            mape,
            mase: f64::NAN,
            coverage_50: model.then_some(0.5),
            coverage_90: model.then_some(5.0 / 6.0),
            points: 6,
        });
    }
    BacktestResults { meta, actuals, points, scores }
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wfcast-chart-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Every text of an SVG, which must parse.
fn svg_texts(path: &Path) -> (Vec<String>, (u32, u32)) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let dim = |a: &str| root.attribute(a).and_then(|v| v.parse::<u32>().ok()).expect("svg width and height");
    let texts = doc.descendants().filter(|n| n.has_tag_name("text")).map(|n| n.text().unwrap_or("").trim().to_string());
    (texts.collect(), (dim("width"), dim("height")))
}

/// Results by hand with the `family` level: `families` families (the first two of the
/// framework), each with a fan of supply below demand, and their roles in scenario.toml.
pub(crate) fn family_results(families: &[&str], deterministic: bool) -> Results {
    let dates = ["2025-03", "2026-03", "2027-03", "2028-03", "2029-03", "2030-03"];
    let meta = Meta {
        scenario: "fam".into(),
        title: "Families by hand".into(),
        description: String::new(),
        file: "scenarios/fam.toml".into(),
        sha256: "f".repeat(64),
        files: Vec::new(),
        baseline: FileHash { path: "staff.csv".into(), sha256: "b".repeat(64) },
        seed: 99,
        runs: if deterministic { 1 } else { 200 },
        mode: if deterministic { Mode::Deterministic } else { Mode::Stochastic },
        start: dates[0].into(),
        end: dates[5].into(),
        step_months: 1,
        report_dates: dates.iter().map(|d| d.to_string()).collect(),
        levels: vec!["total".into(), "family".into()],
        routes: Vec::new(),
        organisations: Vec::new(),
        area: "England".into(),
        scaling: None,
        warnings: Vec::new(),
        version: "0.1.0".into(),
        wall_time_seconds: 1.0,
    };
    let mut rows = Vec::new();
    let mut toml = String::from("[families]\n");
    for (k, family) in families.iter().enumerate() {
        for r in 0..=k.min(2) {
            toml.push_str(&format!("\"{family} role {r}\" = \"{family}\"\n"));
        }
        let size = 500.0 * (k + 1) as f64;
        for (t, date) in dates.iter().enumerate() {
            for (metric, level) in [("demand_fte", 1.1), ("fte", 1.0)] {
                let mid = size * level * (1.0 + 0.03 * t as f64);
                let w = if deterministic { 0.0 } else { size * 0.02 * t as f64 };
                rows.push(Row {
                    date: date.to_string(),
                    level: "family".into(),
                    role: Some(family.to_string()),
                    band: None,
                    region: None,
                    metric: metric.into(),
                    mean: mid,
                    sd: w / 3.3,
                    p: [mid - w, mid - w / 3.0, mid, mid + w / 3.0, mid + w],
                    p_shortfall: None,
                });
            }
        }
    }
    Results { meta, scenario_toml: toml, rows }
}

/// The area of a trust's own extract, for the tests of outputs that name it.
pub(crate) const TRUST: &str = "Ockby Hospitals NHS Trust (RXX)";

/// What running a national scenario on [`TRUST`]'s extract scaled, by hand.
pub(crate) fn trust_scaling() -> Scaling {
    let amount = |item: &str, basis: &str, own: f64, here: f64, written: f64| ScaledAmount {
        item: item.into(),
        basis: basis.into(),
        own,
        here,
        factor: here / own,
        written,
        scaled: written * here / own,
    };
    Scaling {
        own_baseline: "seeds/esr_informatics_2025.csv".into(),
        own_area: "England".into(),
        amounts: vec![
            amount("supply graduates: intake", "headcount of its entry cells", 4800.0, 102.0, 250.0),
            amount("supply recruitment: max_per_year", "headcount of the cells it hires into", 52000.0, 1300.0, 1200.0),
        ],
        dropped: vec![
            "attrition rule 2 names the region London, which this baseline lacks: it applies to nothing".into(),
        ],
    }
}

/// Results by hand of a run on [`TRUST`]'s extract, scaled ([`trust_scaling`]): two role
/// families, the totals (supply, demand, gap, flows of one route, cost) and one role.
pub(crate) fn trust_results() -> Results {
    let mut r = family_results(&["Data", "IT operations"], false);
    r.meta.area = TRUST.into();
    r.meta.scaling = Some(trust_scaling());
    r.meta.routes = vec!["graduates".into()];
    r.meta.levels = vec!["total".into(), "role".into(), "family".into()];
    let metrics = [
        ("headcount", 130.0, false),
        ("fte", 120.0, false),
        ("demand_fte", 135.0, false),
        ("gap_fte", 15.0, false),
        ("leavers", 14.0, true),
        ("joiners", 12.0, true),
        ("joiners:graduates", 5.0, true),
        ("cost_gbp", 6.0e6, false),
    ];
    for (t, date) in r.meta.report_dates.clone().iter().enumerate() {
        for (level, role, scale) in [("total", None, 1.0), ("role", Some("Data role 0"), 0.4)] {
            for (metric, size, flow) in metrics {
                if (flow && t == 0) || (level == "role" && metric == "cost_gbp") {
                    continue;
                }
                let mid = size * scale * (1.0 + 0.02 * t as f64);
                let w = size * scale * 0.01 * t as f64;
                rows_push(&mut r.rows, date, level, role, metric, mid, w);
            }
        }
    }
    r
}

/// Adds a row of a fan of median `mid` and half-width `w`.
fn rows_push(rows: &mut Vec<Row>, date: &str, level: &str, role: Option<&str>, metric: &str, mid: f64, w: f64) {
    rows.push(Row {
        date: date.into(),
        level: level.into(),
        role: role.map(String::from),
        band: None,
        region: None,
        metric: metric.into(),
        mean: mid,
        sd: w / 3.3,
        p: [mid - w, mid - w / 3.0, mid, mid + w / 3.0, mid + w],
        p_shortfall: (metric == "gap_fte").then_some(0.8),
    });
}

#[test]
fn a_trusts_charts_name_its_area_and_never_england() {
    let dir = out_dir("trust");
    std::fs::create_dir_all(&dir).unwrap();
    let results = trust_results();
    let files = write_scenario_charts(&results, &dir).unwrap();
    let role = format!("supply_demand_{}", slug("Data role 0"));
    for (stem, whom) in [
        ("supply_demand_total", format!("{TRUST}, all roles: demand and supply")),
        (role.as_str(), format!("Data role 0, {TRUST}: demand and supply")),
        ("gap_total", format!("{TRUST}, all roles: the gap")),
        ("flows", format!("{TRUST}, all roles: people joining")),
        ("cost", format!("{TRUST}, all roles: yearly pay")),
        (FAMILIES_CHART, format!("{TRUST}, by role family")),
    ] {
        let svg = dir.join(format!("{stem}.svg"));
        assert!(files.contains(&svg), "{stem}: {files:?}");
        let all = svg_texts(&svg).0.join(" ");
        assert!(all.contains(&whom), "{stem}: `{whom}` missing: {all}");
        assert!(!all.contains("England"), "{stem} names England: {all}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_comparison_names_the_area_its_scenarios_share_or_each_when_they_differ() {
    let one = trust_results();
    let scenario = |name: &str, area: &str| Meta { scenario: name.into(), area: area.into(), ..one.meta.clone() };
    let rows = |name: &str| {
        one.rows
            .iter()
            .filter(|r| r.level == "total" && r.metric == "gap_fte")
            .map(|r| ComparisonRow { scenario: name.into(), row: r.clone(), diff: None })
            .collect::<Vec<_>>()
    };
    let mut c = Comparison {
        name: "compare-a-b".into(),
        scenarios: vec![scenario("a", TRUST), scenario("b", TRUST)],
        rows: [rows("a"), rows("b")].concat(),
    };
    let subtitle = compare_gap(&c).unwrap().header.subtitle;
    assert!(subtitle.starts_with(&format!("{TRUST}, all roles: the gap")), "{subtitle}");
    assert!(!subtitle.contains("England"), "{subtitle}");
    c.scenarios[1].area = "England".into();
    let subtitle = compare_gap(&c).unwrap().header.subtitle;
    assert!(subtitle.starts_with(&format!("{TRUST} / England (the scenarios' areas differ), all roles")), "{subtitle}");
}

#[test]
fn the_families_chart_has_a_panel_per_family() {
    let dir = out_dir("families");
    std::fs::create_dir_all(&dir).unwrap();
    let seven = [
        "Chief digital and data",
        "Data",
        "IT operations",
        "Product and delivery",
        "Software development",
        "Other (not DDaT)",
        "Unmapped",
    ];
    for (n, deterministic) in [(7, false), (3, true), (1, false)] {
        let results = family_results(&seven[..n], deterministic);
        let files = write_scenario_charts(&results, &dir).unwrap();
        let svg = dir.join(format!("{FAMILIES_CHART}.svg"));
        assert!(files.contains(&svg) && files.contains(&dir.join(format!("{FAMILIES_CHART}.png"))), "{files:?}");
        let (texts, (w, h)) = svg_texts(&svg);
        let all = texts.join("\n");
        let rows = n.div_ceil(if n <= 4 { 2 } else { 3 }) as u32;
        assert_eq!((w, h), (WIDTH, HEIGHT + PANEL_HEIGHT * rows.saturating_sub(2)), "{n} families");
        for (k, family) in seven[..n].iter().enumerate() {
            let roles = k.min(2) + 1;
            let title = format!("{family} ({roles} role{})", if roles == 1 { "" } else { "s" });
            assert!(texts.contains(&title), "{title} missing: {all}");
        }
        for want in [
            "Families by hand",
            "Demand: funded posts",
            "Supply: staff in post",
            "seed 99",
            "by role family (the scenario's mapping",
        ] {
            assert!(all.contains(want), "{want} missing: {all}");
        }
        assert_eq!(all.contains("90% of runs"), !deterministic, "{all}");
    }
    // Without the family level there is no families chart.
    let mut none = family_results(&seven[..2], false);
    none.rows.clear();
    assert!(supply_demand_families(&none).is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn backtest_charts_draw_the_total_and_each_role() {
    let results = synthetic_backtest();
    let dir = out_dir("backtest").join("charts");
    let files = write_backtest_charts(&results, &dir).unwrap();
    let mut stems: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    stems.sort();
    let mut expected: Vec<String> = ["backtest_total", "backtest_data-analytics", "backtest_software-engineering"]
        .iter()
        .flat_map(|s| [format!("{s}.png"), format!("{s}.svg")])
        .collect();
    expected.sort();
    assert_eq!(stems, expected);
    for (series, stem) in [(TOTAL, "backtest_total"), (ROLES[0], "backtest_data-analytics")] {
        assert_eq!(backtest_stem(series), stem);
        let (texts, size) = svg_texts(&dir.join(format!("{stem}.svg")));
        assert_eq!(size, (WIDTH, HEIGHT));
        let img = image::open(dir.join(format!("{stem}.png"))).unwrap().to_rgb8();
        assert_eq!((img.width(), img.height()), (WIDTH, HEIGHT), "{stem}.png");
        let inked = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
        assert!(inked as f64 / (WIDTH * HEIGHT) as f64 > 0.04, "{stem}.png is nearly blank");
        let all = texts.join(" ");
        assert!(texts.iter().any(|t| t.starts_with("Backtest: ") && t.contains(series)), "{stem}: {texts:?}");
        for m in Method::ALL {
            assert!(texts.iter().any(|t| t == m.label()), "{stem}: no legend entry {}: {texts:?}", m.label());
        }
        for label in ["actual: training snapshot", "actual: held out", "90% of runs", "middle 50% of runs"] {
            assert!(texts.iter().any(|t| t == label), "{stem}: no legend entry {label}: {texts:?}");
        }
        assert!(all.contains("Staff in post (headcount)"), "{stem}: no axis title");
        assert!(all.contains("MAPE") && all.contains("wfcast 1.5%"), "{stem}: MAPE not stated: {all}");
        assert!(all.contains("no change 5.2%") && all.contains("linear trend 2.4%"), "{stem}: {all}");
        assert!(texts.iter().any(|t| t.len() == 5 && t.as_bytes()[1] == b','), "{stem}: no grouped ticks");
        assert!(all.contains("sha256 abababababab") && all.contains("seed 11"), "{stem}: footer: {all}");
    }
    if std::env::var_os("WFCAST_KEEP_CHARTS").is_none() {
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    } else {
        eprintln!("charts kept in {}", dir.display());
    }
}

#[test]
fn a_backtest_with_one_held_out_snapshot_still_draws() {
    let mut results = synthetic_backtest();
    let keep = Month::parse("2022-03").unwrap();
    results.points.retain(|p| p.date == keep);
    results.actuals.retain(|a| a.date <= keep);
    let chart = backtest_chart(&results, TOTAL).unwrap();
    assert_eq!(chart.fan.points.len(), 2, "the fan starts at the last training actual");
    assert_eq!(chart.naive.len(), 2);
    assert_eq!(chart.trend.len(), 1);
    assert_eq!(chart.actuals.iter().filter(|a| a.2).count(), 1);
    let dir = out_dir("backtest-one");
    assert_eq!(write_backtest_charts(&results, &dir).unwrap().len(), 6);
    let _ = std::fs::remove_dir_all(&dir);
}
