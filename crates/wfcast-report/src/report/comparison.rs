//! The report of a comparison folder: the scenarios side by side, then each one's sections.
use super::html::{Cell, FileRow, TocItem, page, paragraphs, render, result_files};
use super::scenario::{reading_guide, scenario_sections};
use super::svg::{ChartFiles, Figures};
use super::text::{and_list, shell_word};
use super::view::{Group, TOTAL, View};
use super::{SHIPPED_SEED_SHA256, default_levels};
use crate::chart::slug;
use crate::format::{area, fmt_money, fmt_share, full_month_label, shared_area, typeset};
use askama::Template;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use wfcast_core::results::{Comparison, ComparisonRow, Meta};

/// A scenario's own output folder inside a comparison folder: `<dir>/<name>`, or the
/// subfolder whose `meta.json` names it.
pub(super) fn scenario_subdir(dir: &Path, name: &str) -> Option<PathBuf> {
    let direct = dir.join(name);
    if direct.join("meta.json").is_file() {
        return Some(direct);
    }
    let read = std::fs::read_dir(dir).ok()?;
    read.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
        std::fs::read_to_string(p.join("meta.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Meta>(&t).ok())
            .is_some_and(|m| m.scenario == name)
    })
}

/// The comparison's rows of one series at one date, by scenario name.
pub(super) fn cmp_rows<'c>(
    c: &'c Comparison,
    level: &str,
    g: Group,
    metric: &str,
    date: &str,
) -> Vec<&'c ComparisonRow> {
    c.rows
        .iter()
        .filter(|r| {
            r.row.level == level
                && r.row.metric == metric
                && r.row.date == date
                && r.row.role.as_deref() == g.role
                && r.row.band.as_deref() == g.band
                && r.row.region.as_deref() == g.region
        })
        .collect()
}

/// The comparison's total row of one scenario, metric and date.
pub(super) fn cmp_row<'c>(c: &'c Comparison, scenario: &str, metric: &str, date: &str) -> Option<&'c ComparisonRow> {
    cmp_rows(c, "total", TOTAL, metric, date).into_iter().find(|r| r.scenario == scenario)
}

/// A short name for a scenario in tables and sentences: its title up to the first colon
/// (`Grow our own` for `Grow our own: more graduates...`), or the whole title.
pub(super) fn short_title(m: &Meta) -> String {
    match m.title.split_once(':') {
        Some((head, _)) if !head.trim().is_empty() => head.trim().to_string(),
        _ => m.title.clone(),
    }
}

/// A difference in words: `2,300 FTE smaller` or `150 FTE larger`.
pub(super) fn more_less(x: f64, less: &str, more: &str) -> String {
    if x < 0.0 { format!("{} FTE {less}", typeset(-x, 0)) } else { format!("{} FTE {more}", typeset(x, 0)) }
}

/// What the comparison's sections share: the scenarios, the last date and the reference.
struct Cmp<'c> {
    c: &'c Comparison,
    names: Vec<&'c str>,
    first: Option<&'c Meta>,
    last: String,
    when: String,
    runs: u64,
    seed: u64,
    titles: Vec<String>,
    reference: String,
    others: &'c [Meta],
    /// The area the scenarios' baselines cover (each named when they differ).
    area: String,
}

/// The body of a comparison's page.
#[derive(Template)]
#[template(path = "comparison.html", config = "templates/askama.toml")]
struct ComparisonPage<'a> {
    title: String,
    runs: String,
    seed: u64,
    when: &'a str,
    /// The reference's short title.
    reference: &'a str,
    /// Each scenario's short title, name and title.
    scenarios: Vec<(String, &'a str, &'a str)>,
    illustrative: bool,
    /// Each scenario's short title and area, when their areas differ (else empty).
    areas: Vec<(String, &'a str)>,
    toc: Vec<TocItem>,
    /// How to read the numbers, rendered.
    guide: String,
    /// The area the scenarios' baselines cover.
    area: &'a str,
    /// The area at the last date, a row per measure and a column per scenario.
    england: Vec<(&'static str, Vec<Cell>)>,
    /// The area's gap at each reporting date.
    by_date: Vec<(String, Vec<Cell>)>,
    /// The short titles of the scenarios other than the reference.
    others: Vec<String>,
    /// Their differences from the reference.
    differences: Vec<(&'static str, Vec<Cell>)>,
    /// The comparison's figures, rendered.
    charts: Vec<String>,
    sections: Vec<Section>,
    name: &'a str,
    version: &'a str,
    command: String,
    own: Vec<FileRow>,
}

/// A scenario's own section of a comparison's page.
struct Section {
    id: String,
    heading: String,
    description: Vec<String>,
    /// The scenario's sections, rendered (None when its results were not found).
    body: Option<String>,
    /// Where its results were looked for.
    folder: String,
}

/// The report of a comparison folder, as a complete HTML page: the scenarios side by side,
/// the comparison charts, then each scenario's own sections (read from its subfolder of
/// `dir`).
pub fn comparison_html(c: &Comparison, dir: &Path) -> String {
    let first = c.scenarios.first();
    let last = first
        .and_then(|m| m.report_dates.last().cloned())
        .or_else(|| c.rows.iter().map(|r| r.row.date.clone()).max())
        .unwrap_or_default();
    let titles: Vec<String> = c.scenarios.iter().map(short_title).collect();
    let x = Cmp {
        c,
        names: c.scenarios.iter().map(|m| m.scenario.as_str()).collect(),
        first,
        when: full_month_label(&last),
        last,
        runs: first.map(|m| m.runs).unwrap_or(0),
        seed: first.map(|m| m.seed).unwrap_or(0),
        reference: titles.first().cloned().unwrap_or_default(),
        titles,
        others: &c.scenarios[c.scenarios.len().min(1)..],
        area: shared_area(&c.scenarios),
    };
    let title = format!("Comparing scenarios: {}", and_list(&x.titles));
    let mut toc = vec![
        ("reading".to_string(), "How to read the numbers".to_string()),
        ("headline".to_string(), "Headline: the scenarios side by side".to_string()),
        ("differences".to_string(), "Differences from the reference".to_string()),
        ("compare-charts".to_string(), "Comparison charts".to_string()),
    ];
    for (i, m) in c.scenarios.iter().enumerate() {
        toc.push((format!("s{}-{}", i + 1, slug(&m.scenario)), format!("Scenario {}: {}", i + 1, m.title)));
    }
    toc.push(("provenance".into(), "Provenance".into()));
    let det = first.is_some_and(|m| m.is_deterministic());
    let mut figs = Figures::plot();
    let charts = comparison_charts(&x, &ChartFiles::read(dir), &mut figs);
    let body = render(&ComparisonPage {
        title: title.clone(),
        runs: typeset(x.runs as f64, 0),
        seed: x.seed,
        when: &x.when,
        reference: &x.reference,
        scenarios: c
            .scenarios
            .iter()
            .zip(&x.titles)
            .map(|(m, t)| (t.clone(), m.scenario.as_str(), m.title.as_str()))
            .collect(),
        illustrative: c.scenarios.iter().any(|m| m.baseline.sha256 == SHIPPED_SEED_SHA256),
        areas: if c.scenarios.iter().all(|m| area(m) == x.first.map_or("", area)) {
            Vec::new()
        } else {
            x.titles.iter().cloned().zip(c.scenarios.iter().map(area)).collect()
        },
        toc,
        guide: reading_guide(det, x.runs, &x.area, 2, ""),
        area: &x.area,
        england: england_rows(&x),
        by_date: date_rows(&x),
        others: x.others.iter().map(short_title).collect(),
        differences: difference_rows(&x),
        charts,
        sections: sections(c, dir, &mut figs),
        name: &c.name,
        version: first.map(|m| m.version.as_str()).unwrap_or(env!("CARGO_PKG_VERSION")),
        command: compare_command(&x),
        own: result_files(dir, &["comparison.json", "comparison.csv"]),
    });
    page(&format!("{title} – wfcast report"), &body)
}

/// The area at the last date: supply, demand, gap, runs in shortfall and the pay bill (when
/// there is one), a cell per scenario.
fn england_rows(x: &Cmp) -> Vec<(&'static str, Vec<Cell>)> {
    let (c, last) = (x.c, x.last.as_str());
    let cells = |metric: &str, fmt: fn(f64) -> String| -> Vec<Cell> {
        x.names.iter().map(|n| Cell::interval(cmp_row(c, n, metric, last).map(|r| &r.row.p), fmt)).collect()
    };
    let mut rows = vec![
        ("Supply", cells("fte", |x| typeset(x, 0))),
        ("Demand", cells("demand_fte", |x| typeset(x, 0))),
        ("Gap", cells("gap_fte", |x| typeset(x, 0))),
    ];
    let shares = x.names.iter().map(|n| {
        let p = cmp_row(c, n, "gap_fte", last).and_then(|r| r.row.p_shortfall).map(fmt_share);
        Cell::plain(p.unwrap_or_else(|| "–".into()))
    });
    rows.push(("Runs in shortfall", shares.collect()));
    if x.names.iter().any(|n| cmp_row(c, n, "cost_gbp", last).is_some()) {
        rows.push(("Pay bill a year", cells("cost_gbp", fmt_money)));
    }
    rows
}

/// The area's gap at each reporting date, a cell per scenario.
fn date_rows(x: &Cmp) -> Vec<(String, Vec<Cell>)> {
    let dates: Vec<String> = x.first.map(|m| m.report_dates.clone()).unwrap_or_default();
    dates
        .iter()
        .map(|d| {
            let cells = x
                .names
                .iter()
                .map(|n| Cell::interval(cmp_row(x.c, n, "gap_fte", d).map(|r| &r.row.p), |x| typeset(x, 0)));
            (full_month_label(d), cells.collect())
        })
        .collect()
}

/// Each scenario minus the reference at the last date, run by run: supply, demand, gap and
/// the share of runs with a smaller gap.
fn difference_rows(x: &Cmp) -> Vec<(&'static str, Vec<Cell>)> {
    let (c, last) = (x.c, x.last.as_str());
    let mut rows: Vec<(&'static str, Vec<Cell>)> = [("Supply", "fte"), ("Demand", "demand_fte"), ("Gap", "gap_fte")]
        .into_iter()
        .map(|(label, metric)| {
            let cells = x.others.iter().map(|m| {
                Cell::interval(cmp_row(c, &m.scenario, metric, last).and_then(|r| r.diff.as_ref()).map(|d| &d.p), |x| {
                    typeset(x, 0)
                })
            });
            (label, cells.collect())
        })
        .collect();
    let shares = x.others.iter().map(|m| {
        let p = cmp_row(c, &m.scenario, "gap_fte", last)
            .and_then(|r| r.diff.as_ref())
            .and_then(|d| d.p_gap_smaller)
            .map(fmt_share);
        Cell::plain(p.unwrap_or_else(|| "–".into()))
    });
    rows.push(("Runs with a smaller gap", shares.collect()));
    rows
}

/// Each scenario's own sections, rendered from its subfolder of `dir`.
fn sections(c: &Comparison, dir: &Path, figs: &mut Figures) -> Vec<Section> {
    c.scenarios
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let id = format!("s{}-{}", i + 1, slug(&m.scenario));
            let loaded =
                scenario_subdir(dir, &m.scenario).and_then(|d| wfcast_io::results::load(&d).ok().map(|r| (r, d)));
            let body = loaded
                .map(|(results, sub)| scenario_sections(&View::new(&results), &sub, figs, 3, &format!("{id}-"), false));
            Section {
                heading: format!("Scenario {}: {}", i + 1, m.title),
                description: paragraphs(&m.description),
                body,
                folder: dir.join(&m.scenario).display().to_string(),
                id,
            }
        })
        .collect()
}

/// The comparison charts, each with its reading.
fn comparison_charts(x: &Cmp, files: &ChartFiles, figs: &mut Figures) -> Vec<String> {
    let c = x.c;
    let last = x.last.as_str();
    let when = x.when.as_str();
    let reference = x.reference.as_str();
    let area = x.area.as_str();
    let others = x.others;
    let mut body = Vec::new();
    let gaps: Vec<String> = c
        .scenarios
        .iter()
        .filter_map(|m| {
            cmp_row(c, &m.scenario, "gap_fte", last).map(|r| {
                format!(
                    "{} FTE under {} (90% interval {} to {})",
                    typeset(r.row.p[2], 0),
                    short_title(m),
                    typeset(r.row.p[0], 0),
                    typeset(r.row.p[4], 0)
                )
            })
        })
        .collect();
    let gap_reading = if gaps.is_empty() {
        format!("The {area} gap is not in the comparison table.")
    } else {
        format!("By {when} the {area} gap is {}.", and_list(&gaps))
    };
    let gap_title = format!("{area} gap under each scenario");
    body.push(figs.figure(files, "compare_gap.svg", &gap_title, &gap_reading, ""));

    // By role: where each scenario moves the gap most.
    let mut role_bits = Vec::new();
    for m in others {
        let best = c
            .rows
            .iter()
            .filter(|r| {
                r.scenario == m.scenario && r.row.level == "role" && r.row.metric == "gap_fte" && r.row.date == last
            })
            .filter_map(|r| r.diff.as_ref().map(|d| (r.row.role.clone().unwrap_or_default(), d)))
            .max_by(|a, b| a.1.p[2].abs().total_cmp(&b.1.p[2].abs()));
        if let Some((role, d)) = best {
            role_bits.push(format!(
                "{} changes the gap most for {role}: {} (90% interval {} to {})",
                short_title(m),
                more_less(d.p[2], "smaller", "larger"),
                typeset(d.p[0], 0),
                typeset(d.p[4], 0)
            ));
        }
    }
    let role_reading = if role_bits.is_empty() {
        format!("The gap by role at {when}, scenario by scenario.")
    } else {
        format!("Against {reference}, by {when}: {}.", role_bits.join("; "))
    };
    body.push(figs.figure(files, "compare_gap_by_role.svg", "Gap by role under each scenario", &role_reading, ""));

    let mut diff_bits = Vec::new();
    for m in others {
        if let Some(r) = cmp_row(c, &m.scenario, "gap_fte", last)
            && let Some(d) = &r.diff
        {
            let mut t = format!(
                "{} has a gap {} than {reference} (90% interval of the difference {} to {})",
                short_title(m),
                more_less(d.p[2], "smaller", "larger"),
                typeset(d.p[0], 0),
                typeset(d.p[4], 0)
            );
            if let Some(p) = d.p_gap_smaller {
                w!(t, ", and a smaller gap in {} of runs", fmt_share(p));
            }
            diff_bits.push(t);
        }
    }
    let diff_reading = if diff_bits.is_empty() {
        "The run-by-run differences are not in the comparison table.".to_string()
    } else {
        format!("By {when}, {}.", diff_bits.join("; "))
    };
    body.push(figs.figure(
        files,
        "compare_difference.svg",
        &format!("Difference in the {area} gap from {reference}"),
        &diff_reading,
        "",
    ));
    let shown: Vec<String> = ["compare_gap.svg", "compare_gap_by_role.svg", "compare_difference.svg"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for file in files.others(&shown) {
        let t = file.trim_end_matches(".svg").replace(['_', '-'], " ");
        body.push(figs.figure(files, &file, &t, "A further chart drawn for this comparison.", ""));
    }

    body
}

/// The `wfcast compare` command line that reproduces the comparison.
fn compare_command(x: &Cmp) -> String {
    let files: Vec<String> = x.c.scenarios.iter().map(|m| shell_word(&m.file)).collect();
    let mut cmd = format!("wfcast compare {} --seed {} --runs {}", files.join(" "), x.seed, x.runs);
    if let Some(m) = x.first
        && !m.levels.is_empty()
        && !default_levels(&m.levels)
    {
        w!(cmd, " --levels {}", m.levels.join(","));
    }
    cmd
}
