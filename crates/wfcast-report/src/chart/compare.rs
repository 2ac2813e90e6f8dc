//! A comparison's fan charts: every scenario's gap overlaid, and each later scenario's
//! per-run difference from the first.
use super::axis::*;
use super::fan::*;
use super::kit::*;
use crate::format::{display_title, fmt_share as share, month_label, shared_area};
use wfcast_core::results::{Comparison, ComparisonRow, Row};

/// The rows of one scenario's series in a comparison, in date order.
pub(super) fn scenario_rows<'a>(
    c: &'a Comparison,
    scenario: &str,
    level: &str,
    role: Option<&str>,
    metric: &str,
) -> Vec<&'a ComparisonRow> {
    let mut rows: Vec<&ComparisonRow> = c
        .rows
        .iter()
        .filter(|r| {
            r.scenario == scenario && r.row.level == level && r.row.metric == metric && r.row.role.as_deref() == role
        })
        .filter(|r| r.row.band.is_none() && r.row.region.is_none())
        .collect();
    rows.sort_by(|a, b| a.row.date.cmp(&b.row.date));
    rows
}

/// `1,000 runs each`, `(deterministic)`, or each scenario's count.
pub(super) fn comparison_runs(c: &Comparison) -> String {
    if c.scenarios.iter().all(is_deterministic) {
        return "(deterministic)".into();
    }
    let counts: Vec<String> = c.scenarios.iter().map(runs_text).collect();
    if counts.windows(2).all(|w| w[0] == w[1]) {
        format!("{} each", counts.first().cloned().unwrap_or_default())
    } else {
        counts.join(" / ")
    }
}

/// A comparison title: `<subject> — <runs>` where the subject names the scenarios.
pub(super) fn comparison_header(c: &Comparison, subject: &[String], subtitle: String) -> Header {
    let runs = comparison_runs(c);
    let sep = if runs.starts_with('(') { " " } else { " — " };
    let title = subject.iter().map(|s| format!("{s}{sep}{runs}")).collect();
    let mut versions: Vec<&str> = c.scenarios.iter().map(|m| m.version.as_str()).collect();
    versions.dedup();
    let mut seeds: Vec<String> = c.scenarios.iter().map(|m| m.seed.to_string()).collect();
    seeds.dedup();
    let files: Vec<String> = c
        .scenarios
        .iter()
        .map(|m| format!("{} (sha256 {})", file_name(&m.file), m.sha256.get(..8).unwrap_or(&m.sha256)))
        .collect();
    let common = if seeds.len() == 1 { " · same random numbers in every scenario" } else { "" };
    let footer = format!(
        "wfcast {} · seed{} {} · scenarios {}{common}",
        versions.join(", "),
        if seeds.len() == 1 { "" } else { "s" },
        seeds.join(", "),
        files.join(", ")
    );
    Header { title, subtitle, footer }
}

pub(super) fn titles(c: &Comparison) -> Vec<&str> {
    c.scenarios.iter().map(display_title).collect()
}

pub(super) fn compare_subjects(c: &Comparison) -> Vec<String> {
    vec![titles(c).join(" vs "), format!("Comparison of {} scenarios", c.scenarios.len())]
}

/// Chart 6: every scenario's gap in the baseline's area, overlaid.
pub(super) fn compare_gap(c: &Comparison) -> Option<FanChart> {
    let first = c.scenarios.first()?;
    let fans: Vec<Fan> = c
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let rows: Vec<&Row> =
                scenario_rows(c, &m.scenario, "total", None, "gap_fte").into_iter().map(|r| &r.row).collect();
            Fan::of(display_title(m), PALETTE[i % PALETTE.len()], &rows, 1.0, false)
        })
        .filter(|f| !f.points.is_empty())
        .collect();
    let first_rows = scenario_rows(c, &first.scenario, "total", None, "gap_fte");
    if fans.is_empty() || first_rows.is_empty() {
        return None;
    }
    let dates: Vec<String> = first_rows.iter().map(|r| r.row.date.clone()).collect();
    let subtitle = format!(
        "{}, all roles: the gap between demand and supply in FTE {} (above 0 = shortfall). {}",
        shared_area(&c.scenarios),
        when(&dates),
        fan_reading(first, false)
    );
    Some(FanChart {
        header: comparison_header(c, &compare_subjects(c), subtitle),
        legend: fan_legend(&fans),
        dates,
        baseline: Some(first.start.clone()),
        y_desc: "FTE short (demand minus supply)".into(),
        fans,
        zero: Some("no gap".into()),
        notes: Vec::new(),
    })
}

/// Chart 8: each later scenario's per-run difference in the gap from the first.
pub(super) fn compare_difference(c: &Comparison) -> Option<FanChart> {
    let first = c.scenarios.first()?;
    let others = c.scenarios.len().saturating_sub(1);
    let fans: Vec<Fan> = c
        .scenarios
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(i, m)| {
            let rows = scenario_rows(c, &m.scenario, "total", None, "gap_fte");
            let points: Vec<(f64, [f64; 5])> = rows
                .iter()
                .filter_map(|r| Some((x_of(&r.row.date)?, r.diff.as_ref()?.p)))
                .filter(|(_, p)| p.iter().all(|v| v.is_finite()))
                .collect();
            if points.is_empty() {
                return None;
            }
            let last = rows.iter().rev().find_map(|r| Some((r.row.date.as_str(), r.diff.as_ref()?.p_gap_smaller?)));
            let label = match last {
                Some((date, p)) if !is_deterministic(m) => {
                    format!("{}: gap smaller in {} of runs at {}", display_title(m), share(p), month_label(date))
                }
                _ => display_title(m).to_string(),
            };
            Some(Fan { label, colour: PALETTE[i % PALETTE.len()], points, inner: others == 1 })
        })
        .collect();
    if fans.is_empty() {
        return None;
    }
    let mut dates: Vec<String> = c
        .rows
        .iter()
        .filter(|r| r.diff.is_some() && r.row.level == "total" && r.row.metric == "gap_fte")
        .map(|r| r.row.date.clone())
        .collect();
    dates.sort();
    dates.dedup();
    let first_title = display_title(first);
    let others_titles = titles(c)[1..].join(", ");
    let subjects =
        vec![format!("{others_titles}: difference from {first_title}"), format!("Difference from {first_title}")];
    let subtitle = format!(
        "{}, all roles: each run's gap minus the same run's gap in {first_title} (same random numbers), FTE; \
         below 0 = a smaller gap. {}",
        shared_area(&c.scenarios),
        fan_reading(&c.scenarios[1], others == 1)
    );
    Some(FanChart {
        header: comparison_header(c, &subjects, subtitle),
        legend: fan_legend(&fans),
        dates,
        baseline: Some(first.start.clone()),
        y_desc: "Difference in FTE short".into(),
        fans,
        zero: Some("no difference".into()),
        notes: Vec::new(),
    })
}
