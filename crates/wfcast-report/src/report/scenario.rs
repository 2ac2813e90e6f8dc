//! The report of one scenario: its headline, how to read it, and the page that holds its
//! sections.
use super::assumptions::assumptions;
use super::charts::charts;
use super::html::{Cell, Kpi, TocItem, page, paragraphs, render};
use super::provenance::provenance;
use super::svg::{ChartFiles, Figures};
use super::tables::tables;
use super::view::{TOTAL, View, gap_sentence};
use crate::format::{area, full_month_label, typeset};
use askama::Template;
use std::path::Path;
use wfcast_core::results::{Meta, Results, Row};

/// The run in one line: its mode (runs and seed), the version and the span.
pub(super) fn run_line(meta: &Meta) -> String {
    let det = meta.is_deterministic();
    format!(
        "{} · {} · {} to {}",
        if det {
            "one deterministic (expected-value) run".to_string()
        } else {
            format!("{} stochastic runs, seed {}", typeset(meta.runs as f64, 0), meta.seed)
        },
        format_args!("wfcast {}", meta.version),
        full_month_label(&meta.start),
        full_month_label(&meta.end)
    )
}

/// The 'how to read the numbers' section.
#[derive(Template)]
#[template(path = "reading_guide.html", config = "templates/askama.toml")]
struct Guide<'a> {
    lvl: usize,
    idp: &'a str,
    det: bool,
    runs: String,
    /// The area whose total the roles' medians do not sum to.
    area: &'a str,
    /// Fewer than 200 runs: too few to quote the ends of an interval.
    few: bool,
}

/// The 'how to read the numbers' section, rendered; `area` is the area of the results.
pub(super) fn reading_guide(det: bool, runs: u64, area: &str, lvl: usize, idp: &str) -> String {
    render(&Guide { lvl, idp, det, runs: typeset(runs as f64, 0), area, few: runs < 200 })
}

/// The headline box: the baseline's area at the last date, and at each reporting date.
#[derive(Template)]
#[template(path = "headline.html", config = "templates/askama.toml")]
struct Headline<'a> {
    lvl: usize,
    idp: &'a str,
    det: bool,
    /// The area the baseline covers.
    area: &'a str,
    /// The last date, in words.
    when: String,
    kpis: Vec<Kpi>,
    /// The gap at the last date, in words.
    reading: Option<String>,
    rows: Vec<DateRow>,
}

/// A row of the table of the area at each reporting date.
struct DateRow {
    label: String,
    /// Supply, demand and gap.
    cells: [Cell; 3],
    /// The share of runs in shortfall.
    share: String,
}

/// The headline box, rendered.
pub(super) fn headline(v: &View, lvl: usize, idp: &str) -> String {
    let last = &v.last;
    let (sup, dem, gap) = (v.total("fte", last), v.total("demand_fte", last), v.total("gap_fte", last));
    let int = |r: Option<&Row>| match r {
        Some(r) if !v.det => format!("90% interval {}", v.interval(r)),
        Some(_) => "one expected-value run".into(),
        None => "not in the summary".into(),
    };
    let val = |r: Option<&Row>| r.map(|r| typeset(v.mid(r), 0)).unwrap_or_else(|| "–".into());
    let kpi = |class, label: &str, r: Option<&Row>| Kpi {
        class,
        label: label.into(),
        value: val(r),
        unit: "FTE",
        interval: int(r),
    };
    let mut kpis = vec![
        kpi("", "Supply: staff in post", sup),
        kpi("", "Demand: posts needed", dem),
        kpi("gap", "Gap: demand − supply", gap),
    ];
    if !v.det {
        kpis.push(Kpi {
            class: "gap",
            label: "Runs in shortfall".into(),
            value: gap.map(|g| v.share(g)).unwrap_or_else(|| "–".into()),
            unit: "",
            interval: format!("of {} runs had demand above supply", typeset(v.meta().runs as f64, 0)),
        });
    }
    let rows = v
        .dates()
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let cell = |m: &str| match v.total(m, d) {
                Some(r) if v.det || i == 0 => Cell::plain(typeset(v.mid(r), 0)),
                Some(r) => Cell { value: typeset(v.mid(r), 0), below: Some(v.interval(r)) },
                None => Cell::dash(),
            };
            DateRow {
                label: if i == 0 { format!("{} (baseline)", full_month_label(d)) } else { full_month_label(d) },
                cells: [cell("fte"), cell("demand_fte"), cell("gap_fte")],
                share: v.total("gap_fte", d).map(|g| v.share(g)).unwrap_or_else(|| "–".into()),
            }
        })
        .collect();
    render(&Headline {
        lvl,
        idp,
        det: v.det,
        area: area(v.meta()),
        when: full_month_label(last),
        kpis,
        reading: gap_sentence(v, "total", TOTAL, None, last),
        rows,
    })
}

/// The body sections of one scenario (headline, reading guide, charts, tables, assumptions,
/// provenance), with headings from level `lvl` and ids prefixed by `idp`.
pub(super) fn scenario_sections(
    v: &View,
    dir: &Path,
    figs: &mut Figures,
    lvl: usize,
    idp: &str,
    guide: bool,
) -> String {
    let files = ChartFiles::read(dir);
    let mut s = headline(v, lvl, idp);
    if guide {
        s.push_str(&reading_guide(v.det, v.meta().runs, area(v.meta()), lvl, idp));
    }
    s.push_str(&charts(v, &files, figs, lvl, idp));
    s.push_str(&tables(v, lvl, idp));
    s.push_str(&assumptions(v, lvl, idp));
    s.push_str(&provenance(v, dir, lvl, idp));
    s
}

/// The body of a scenario's page.
#[derive(Template)]
#[template(path = "scenario.html", config = "templates/askama.toml")]
struct ScenarioPage<'a> {
    title: &'a str,
    scenario: &'a str,
    run_line: String,
    description: Vec<String>,
    illustrative: bool,
    /// The run's warnings (`meta.json`'s `warnings`), shown as caveats before anything else.
    warnings: &'a [String],
    toc: Vec<TocItem>,
    /// The sections, rendered.
    sections: String,
}

/// The report of one scenario folder (`dir` holds its `charts/`), as a complete HTML page.
pub fn scenario_html(results: &Results, dir: &Path) -> String {
    let v = View::new(results);
    let meta = &results.meta;
    let toc = [
        ("headline", "Headline"),
        ("reading", "How to read the numbers"),
        ("charts", "Charts"),
        ("tables", "Results by role, family, band and region"),
        ("assumptions", "Assumptions"),
        ("provenance", "Provenance"),
    ];
    let mut figs = Figures::plot();
    let body = render(&ScenarioPage {
        title: &meta.title,
        scenario: &meta.scenario,
        run_line: run_line(meta),
        description: paragraphs(&meta.description),
        illustrative: v.illustrative(),
        warnings: &meta.warnings,
        toc: toc.iter().map(|(id, text)| (id.to_string(), text.to_string())).collect(),
        sections: scenario_sections(&v, dir, &mut figs, 2, "", true),
    });
    page(&format!("{} – wfcast report", meta.title), &body)
}
