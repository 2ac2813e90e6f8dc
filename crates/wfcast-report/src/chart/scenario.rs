//! A scenario's fan charts: demand and supply (the baseline's area and per role), the gap with the share
//! of runs short, and the cost of staff in post.
use super::axis::*;
use super::fan::*;
use super::kit::*;
use crate::format::{area, fmt_share as share};
use wfcast_core::results::{Meta, Results, Row};

/// Chart 1: demand and supply over time, in the baseline's area or one role.
pub(super) fn supply_demand(results: &Results, role: Option<&str>) -> Option<FanChart> {
    let level = if role.is_some() { "role" } else { "total" };
    let demand = results.series(level, role, None, None, "demand_fte");
    let supply = results.series(level, role, None, None, "fte");
    if demand.is_empty() && supply.is_empty() {
        return None;
    }
    let meta = &results.meta;
    let fans = vec![
        Fan::of("Demand: funded posts", DEMAND, &demand, 1.0, true),
        Fan::of("Supply: staff in post", SUPPLY, &supply, 1.0, true),
    ];
    let whom = role.map_or(format!("{}, all roles", area(meta)), |r| format!("{r}, {}", area(meta)));
    let dates = dates_of(if demand.is_empty() { &supply } else { &demand });
    let subtitle = format!("{whom}: demand and supply in FTE {}. {}", when(&dates), fan_reading(meta, true));
    Some(FanChart {
        header: header(meta, subtitle),
        legend: fan_legend(&fans),
        dates,
        baseline: Some(meta.start.clone()),
        y_desc: "FTE".into(),
        fans,
        zero: None,
        notes: Vec::new(),
    })
}

/// The share of runs in shortfall at each date after the baseline, as notes.
pub(super) fn shortfall_notes(rows: &[&Row], meta: &Meta) -> Vec<Note> {
    rows.iter()
        .filter(|r| r.date != meta.start)
        .filter_map(|r| {
            let p = r.p_shortfall?;
            let (long, short) = if is_deterministic(meta) {
                let short = p > 0.5;
                (
                    (if short { "shortfall" } else { "no shortfall" }).into(),
                    (if short { "short" } else { "met" }).into(),
                )
            } else {
                (format!("{} of runs short", share(p)), share(p))
            };
            Some(Note { x: x_of(&r.date)?, long, short })
        })
        .collect()
}

/// Chart 2: the area's gap with the share of runs in shortfall.
pub(super) fn gap_total(results: &Results) -> Option<FanChart> {
    let rows = results.total("gap_fte");
    if rows.is_empty() {
        return None;
    }
    let meta = &results.meta;
    let fans = vec![Fan::of("Gap: demand minus supply", GAP, &rows, 1.0, true)];
    let labels = if is_deterministic(meta) {
        "Labels: whether demand exceeds supply."
    } else {
        "Labels: share of runs in which demand exceeds supply."
    };
    let subtitle = format!(
        "{}, all roles: the gap between demand and supply in FTE {} (above 0 = shortfall). {} {labels}",
        area(meta),
        when(&dates_of(&rows)),
        fan_reading(meta, true)
    );
    Some(FanChart {
        header: header(meta, subtitle),
        legend: fan_legend(&fans),
        dates: dates_of(&rows),
        baseline: Some(meta.start.clone()),
        y_desc: "FTE short (demand minus supply)".into(),
        notes: shortfall_notes(&rows, meta),
        fans,
        zero: Some("no gap".into()),
    })
}

/// Chart 5: the cost of staff in post, when pay was given.
pub(super) fn cost(results: &Results) -> Option<FanChart> {
    let rows = results.total("cost_gbp");
    if rows.is_empty() {
        return None;
    }
    let meta = &results.meta;
    let fans = vec![Fan::of("Cost of staff in post", COST, &rows, 1e6, true)];
    let subtitle = format!(
        "{}, all roles: yearly pay and on-costs of the staff in post {}, £ million. {}",
        area(meta),
        when(&dates_of(&rows)),
        fan_reading(meta, true)
    );
    Some(FanChart {
        header: header(meta, subtitle),
        legend: fan_legend(&fans),
        dates: dates_of(&rows),
        baseline: Some(meta.start.clone()),
        y_desc: "£ million a year".into(),
        fans,
        zero: None,
        notes: Vec::new(),
    })
}
