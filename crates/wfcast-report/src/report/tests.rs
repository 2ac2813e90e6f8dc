//! The report's own tests: formatting, escaping, inlining SVG, the area a report names and what
//! it says was scaled, and the backtest page.
use super::backtest::{BacktestView, backtest_html, verdict};
use super::scenario_html;
use super::svg::inline_svg;
use super::text::{Unit, esc, fmt_spec, shell_word};
use super::{SHIPPED_SEED_SHA256, write_report};
use crate::format::{fmt_money, fmt_pct, fmt_plain, fmt_share, full_month_label, typeset};
use std::path::{Path, PathBuf};
use wfcast_core::backtest::{ALL_ROLES, BacktestResults, Method};
use wfcast_core::sampling::ParamSpec;
use wfcast_core::scenario::sha256_hex;

#[test]
fn numbers_are_grouped_and_signed() {
    assert_eq!(typeset(6560.457, 0), "6,560");
    assert_eq!(typeset(-1204.4, 0), "−1,204");
    assert_eq!(typeset(999.5, 0), "1,000");
    assert_eq!(typeset(1234567.0, 0), "1,234,567");
    assert_eq!(typeset(0.2, 0), "0");
    assert_eq!(fmt_pct(0.09), "9%");
    assert_eq!(fmt_pct(0.0125), "1.25%");
    assert_eq!(fmt_pct(0.07), "7%");
    assert_eq!(fmt_pct(-0.005), "−0.5%");
    assert_eq!(fmt_plain(8000.0, 2), "8,000");
    assert_eq!(fmt_share(1.0), "100%");
    assert_eq!(fmt_share(0.995), ">99%");
    assert_eq!(fmt_share(0.004), "<1%");
    assert_eq!(fmt_share(0.0), "0%");
    assert_eq!(fmt_money(2_956_962_898.0), "£2.96bn");
    assert_eq!(full_month_label("2030-03"), "March 2030");
}

#[test]
fn specs_read_as_written() {
    assert_eq!(fmt_spec(&ParamSpec::Fixed(0.1), Unit::Pct), "10%");
    assert_eq!(fmt_spec(&ParamSpec::MeanSd { mean: 0.1, sd: 0.015 }, Unit::Pct), "mean 10%, sd 1.5%");
    assert_eq!(fmt_spec(&ParamSpec::LowHigh { low: 0.05, high: 0.25 }, Unit::Pct), "90% interval 5% to 25%");
    assert_eq!(fmt_spec(&ParamSpec::MeanSd { mean: 250.0, sd: 25.0 }, Unit::Num), "mean 250, sd 25");
}

#[test]
fn escaping_covers_the_five_characters() {
    assert_eq!(esc(r#"<a href="x">Tom & 'Jo'</a>"#), "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt;");
}

#[test]
fn svg_is_cleaned_for_inlining() {
    let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n\
                <svg width=\"800\" height=\"600\" xmlns=\"http://www.w3.org/2000/svg\"><defs><clipPath id=\"c1\">\
                <rect width=\"1\" height=\"1\"/></clipPath></defs><script>alert(1)</script>\
                <g clip-path=\"url(#c1)\"><text>A & B</text></g></svg>\n";
    let svg = inline_svg(text, "Gap <total>", "f1-").unwrap();
    assert!(svg.starts_with("<svg "), "{svg}");
    assert!(!svg.contains("<?xml") && !svg.contains("DOCTYPE") && !svg.contains("script"), "{svg}");
    assert!(svg.contains("viewBox=\"0 0 800 600\""), "{svg}");
    assert!(svg.contains("id=\"f1-c1\"") && svg.contains("url(#f1-c1)"), "{svg}");
    assert!(svg.contains("aria-label=\"Gap &lt;total&gt;\"") && svg.contains("<title>Gap &lt;total&gt;</title>"));
    assert!(svg.ends_with("</svg>"));
    assert_eq!(inline_svg("not an svg", "x", "p"), None);
    // An svg with a viewBox keeps it.
    let kept = inline_svg("<svg viewBox=\"0 0 10 5\" width=\"10\"></svg>", "x", "p").unwrap();
    assert_eq!(kept.matches("viewBox").count(), 1, "{kept}");
}

#[test]
fn the_shipped_seed_hash_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seeds/esr_informatics_2025.csv");
    if let Ok(bytes) = std::fs::read(&path) {
        assert_eq!(sha256_hex(&bytes), SHIPPED_SEED_SHA256, "update SHIPPED_SEED_SHA256 for {}", path.display());
    }
}

#[test]
fn shell_words_are_quoted_when_needed() {
    assert_eq!(shell_word("scenarios/a.toml"), "scenarios/a.toml");
    assert_eq!(shell_word("my file.toml"), "'my file.toml'");
    assert_eq!(shell_word("it's.toml"), r"'it'\''s.toml'");
}

/// Every element opened is closed, in order (void elements and self-closed tags aside).
fn assert_balanced(html: &str) {
    const VOID: [&str; 6] = ["meta", "br", "img", "input", "link", "hr"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').map(|e| i + e).expect("a tag that is not closed");
        let tag = &rest[i + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name.trim(), "<{open}> closed by </{name}>");
            continue;
        }
        let name: String = tag.chars().take_while(|c| !c.is_whitespace() && *c != '/').collect();
        if name == "style" {
            // Raw text: the stylesheet's comments may mention tags.
            rest = &rest[rest.find("</style>").expect("</style>") + "</style>".len()..];
        } else if !tag.ends_with('/') && !VOID.contains(&name.to_ascii_lowercase().as_str()) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "left open: {stack:?}");
}

/// A backtest folder as `wfcast backtest` writes it, without its charts.
fn backtest_folder(name: &str) -> (PathBuf, BacktestResults) {
    use polars::prelude::{CsvWriter, SerWriter};
    let dir = std::env::temp_dir().join(format!("wfcast-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let results = crate::chart::tests::synthetic_backtest();
    for (file, mut df) in [
        ("backtest.csv", wfcast_io::backtest::frame(&results).unwrap()),
        ("scores.csv", wfcast_io::backtest::scores_frame(&results).unwrap()),
    ] {
        let f = std::fs::File::create(dir.join(file)).unwrap();
        CsvWriter::new(f).include_header(true).finish(&mut df).unwrap();
    }
    std::fs::write(dir.join("meta.json"), serde_json::to_string_pretty(&results.meta).unwrap()).unwrap();
    std::fs::write(dir.join("calibration.toml"), "[attrition]\ndefault = { mean = 0.1, sd = 0.01 } # <learnt>\n")
        .unwrap();
    std::fs::write(dir.join("scenario.toml"), "name = \"backtest\"\n").unwrap();
    (dir, results)
}

#[test]
fn a_backtest_folder_gets_a_backtest_report_with_its_charts_drawn() {
    let (dir, _) = backtest_folder("backtest");
    let path = write_report(&dir).unwrap();
    assert_eq!(path, dir.join("report.html"));
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Content-Security-Policy"));
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert_balanced(&html);
    assert_eq!(html.matches("<h1").count(), 1);
    // The headline, in words.
    assert!(html.contains("On the total, wfcast&#39;s median beat both benchmarks: a MAPE of 1.5% against 5.2% for no change and 2.4% for the linear trend."), "{html}");
    assert!(html.contains("By role, it beat both benchmarks on 1 of 2 roles: Data &amp; Analytics."), "{html}");
    // The scores table: every series and method, with coverage against the nominal.
    let table = &html[html.find("<table class=\"scores\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    for series in [wfcast_core::backtest::TOTAL, "Data &amp; Analytics", "Software Engineering", ALL_ROLES] {
        assert!(table.contains(&format!("rowspan=\"3\">{series}</th>")), "{series}: {table}");
    }
    for m in Method::ALL {
        assert_eq!(table.matches(&format!("<td>{}</td>", esc(m.label()))).count(), 4, "{}", m.label());
    }
    assert!(table.contains("nominal 50%") && table.contains("nominal 90%"));
    assert!(table.contains("<strong>1.5%</strong>") && table.contains("<td class=\"num\">67%</td>"), "{table}");
    assert!(table.contains("<td class=\"num\">0.75</td>"), "MASE: {table}");
    // The charts were drawn (the folder had none) and inlined, total first.
    assert!(dir.join("charts/backtest_total.svg").is_file());
    assert!(html.contains("this report drew them"));
    let total = html.find("id=\"fig-backtest_total\"").expect("the total's chart");
    let role = html.find("id=\"fig-backtest_data-analytics\"").expect("a role's chart");
    assert!(html.find("id=\"fig-backtest_software-engineering\"").is_some());
    assert!(total < role);
    assert_eq!(html.matches("<figure").count(), 3);
    assert_eq!(html.matches("<svg ").count(), 3);
    assert!(!html.contains("Chart not available"));
    assert!(html.contains("inside the 90% interval at 3 of 3 dates"), "{html}");
    // The explanation, the calibration collapsed, and the provenance.
    for words in ["Mean absolute percentage error", "Mean absolute scaled error", "should beat both"] {
        assert!(html.contains(words), "{words}");
    }
    assert!(html.contains("<details>") && html.contains("# &lt;learnt&gt;"), "calibration.toml not shown");
    assert!(html.contains(&"ab".repeat(32)) && html.contains(&"cd".repeat(32)));
    assert!(html.contains(
        "wfcast backtest data/history.csv --flows data/flows.csv --train-until 2021-03 --runs 500 --seed 11"
    ));
    // A second report leaves the charts as they are.
    let again = std::fs::read_to_string(write_report(&dir).unwrap()).unwrap();
    assert!(!again.contains("this report drew them"));
    if std::env::var_os("WFCAST_KEEP_REPORT").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!("report kept in {}", dir.display());
    }
}

#[test]
fn a_backtest_report_without_charts_says_so() {
    let (dir, results) = backtest_folder("backtest-bare");
    let html = backtest_html(&results, &dir);
    assert_balanced(&html);
    assert_eq!(html.matches("Chart not available").count(), 3);
    assert!(html.contains("charts/backtest_total.svg was not found"));
    std::fs::remove_file(dir.join("calibration.toml")).unwrap();
    assert!(backtest_html(&results, &dir).contains("<code>calibration.toml</code> was not found"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn backtest_verdicts_name_what_was_beaten() {
    let mut results = crate::chart::tests::synthetic_backtest();
    let v = BacktestView::new(&results);
    assert_eq!(v.beats_both("Software Engineering"), Some(false));
    assert!(verdict(&v, "Software Engineering", "X").contains("beat no change but not the linear trend"));
    for s in results.scores.iter_mut().filter(|s| s.method == Method::Wfcast) {
        s.mape = 9.0;
    }
    let v = BacktestView::new(&results);
    assert!(verdict(&v, wfcast_core::backtest::TOTAL, "On the total").contains("beat neither benchmark"));
    let html = backtest_html(&results, Path::new("/nonexistent"));
    assert!(html.contains("it beat both benchmarks on 0 of 2 roles."), "{html}");
}

#[test]
fn a_trusts_report_names_its_area_and_what_was_scaled() {
    use crate::chart::tests::{TRUST, trust_results};
    let results = trust_results();
    let dir = std::env::temp_dir().join(format!("wfcast-report-trust-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).unwrap();
    crate::chart::write_scenario_charts(&results, &charts).unwrap();
    let html = scenario_html(&results, &dir);
    assert_balanced(&html);
    let trust = esc(TRUST);
    assert!(!html.contains("England totals") && !html.contains("England gap") && !html.contains(">England<"), "{html}");
    for want in [
        format!("Headline: {trust} at March 2030"),
        format!("<caption>{trust} at each reporting date"),
        format!("<strong>Figure 1. {trust}: supply and demand</strong>"),
        format!("{trust}: the gap between demand and supply"),
        format!("The {trust} gap goes from"),
        format!("<th scope=\"row\">{trust}</th>"),
        format!("do not sum to {trust}'s"),
    ] {
        assert!(html.contains(&want), "`{want}` missing");
    }
    // What was scaled: the sentence, the table with its numbers, and what applies to nothing.
    assert!(html.contains(
        "This scenario was written for England (<code>seeds/esr_informatics_2025.csv</code>); run here on \
         Ockby Hospitals NHS Trust (RXX)"
    ));
    assert!(html.contains("its absolute amounts were scaled by this baseline's share of the cells each covers:"));
    let table = &html[html.find("<table class=\"scaling\">").expect("the table of amounts scaled")..];
    let table = &table[..table.find("</table>").unwrap()];
    for row in [
        "<td>supply graduates: intake</td><td>headcount of its entry cells</td><td class=\"num\">4,800</td>\
         <td class=\"num\">102</td><td class=\"num\">0.0213</td><td class=\"num\">250</td><td class=\"num\">5.31</td>",
        "<td>supply recruitment: max_per_year</td><td>headcount of the cells it hires into</td>\
         <td class=\"num\">52,000</td><td class=\"num\">1,300</td><td class=\"num\">0.025</td>\
         <td class=\"num\">1,200</td><td class=\"num\">30</td>",
    ] {
        assert!(table.contains(row), "{row} missing: {table}");
    }
    assert!(html.contains(
        "<li>attrition rule 2 names the region London, which this baseline lacks: it applies to nothing</li>"
    ));
    assert!(html.contains("--baseline staff.csv"), "the command that reproduces the run names its baseline");
    // The England of the scenario's own baseline is named once, as where it was written for.
    assert_eq!(html.matches("England").count(), 1, "{html}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_comparison_report_names_its_area_and_warns_when_the_areas_differ() {
    use crate::chart::tests::{TRUST, trust_results};
    use wfcast_core::results::{Comparison, ComparisonRow, Meta};
    let one = trust_results();
    let scenario = |name: &str| Meta { scenario: name.into(), title: format!("{name} title"), ..one.meta.clone() };
    let rows = |name: &str| {
        let totals = one.rows.iter().filter(|r| r.level == "total");
        totals.map(|r| ComparisonRow { scenario: name.into(), row: r.clone(), diff: None }).collect::<Vec<_>>()
    };
    let mut c = Comparison {
        name: "compare-a-b".into(),
        scenarios: vec![scenario("a"), scenario("b")],
        rows: [rows("a"), rows("b")].concat(),
    };
    let html = super::comparison_html(&c, Path::new("/nonexistent"));
    assert_balanced(&html);
    let trust = esc(TRUST);
    assert!(html.contains(&format!("Headline: {trust} at March 2030, scenario by scenario")));
    assert!(html.contains(&format!("<caption>{trust} gap at each reporting date")));
    assert!(!html.contains("England") && !html.contains("Different areas"), "{html}");
    c.scenarios[1].area = "England".into();
    let html = super::comparison_html(&c, Path::new("/nonexistent"));
    assert!(html.contains(&format!("Headline: {trust} / England (the scenarios&#39; areas differ) at March 2030")));
    assert!(
        html.contains(&format!("<strong>a title</strong>\non {trust}; <strong>b title</strong>\non England.")),
        "{html}"
    );
}
