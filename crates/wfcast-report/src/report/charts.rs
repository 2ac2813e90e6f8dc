//! A scenario's charts, each with its reading in words.
use super::html::render;
use super::svg::{ChartFiles, Figures};
use super::text::and_list;
use super::view::{Group, TOTAL, View, gap_sentence};
use crate::chart::{FAMILIES_CHART, GAP_BY_REGION_CHART, slug};
use crate::format::{area, fmt_money, fmt_pct_whole, fmt_share, full_month_label, typeset};
use std::fmt::Write as _;
use wfcast_core::results::Row;

/// The charts of a scenario folder, each with its reading.
#[derive(askama::Template)]
#[template(path = "charts.html", config = "templates/askama.toml")]
struct Charts<'a> {
    lvl: usize,
    idp: &'a str,
    /// The figures of the baseline's area, the regions, flows, cost and families (rendered).
    main: Vec<String>,
    /// A figure per role.
    roles: Vec<String>,
    /// The other charts of the folder.
    others: Vec<String>,
}

/// The charts of a scenario folder, each with its reading, rendered.
pub(super) fn charts(v: &View, files: &ChartFiles, figs: &mut Figures, lvl: usize, idp: &str) -> String {
    let last = &v.last;
    let area = area(v.meta());
    let mut wanted: Vec<(String, String, String)> = vec![
        (
            "supply_demand_total.svg".into(),
            format!("{area}: supply and demand"),
            gap_sentence(v, "total", TOTAL, None, last).unwrap_or_else(na),
        ),
        ("gap_total.svg".into(), format!("{area}: the gap between demand and supply"), gap_reading(v)),
        ("gap_heatmap.svg".into(), "Shortfall by role and band".into(), heatmap_reading(v)),
    ];
    if let Some(t) = region_reading(v) {
        wanted.push((format!("{GAP_BY_REGION_CHART}.svg"), "The gap by region".into(), t));
    }
    wanted.push(("flows.svg".into(), "Joiners by route and leavers".into(), flows_reading(v)));
    if v.has_metric("cost_gbp") {
        wanted.push(("cost.svg".into(), "Pay bill of staff in post".into(), cost_reading(v)));
    }
    if let Some(reading) = families_reading(v) {
        wanted.push((format!("{FAMILIES_CHART}.svg"), "Supply and demand by role family".into(), reading));
    }
    let mut shown: Vec<String> = Vec::new();
    let mut fig = |file: String, title: &str, reading: String| {
        let f = figs.figure(files, &file, title, &reading, idp);
        shown.push(file);
        f
    };
    let main = wanted.into_iter().map(|(file, title, reading)| fig(file, &title, reading)).collect();
    let roles = v
        .results
        .roles()
        .iter()
        .map(|role| {
            let g = Group { role: Some(role), ..TOTAL };
            let reading = gap_sentence(v, "role", g, Some(role), last).unwrap_or_else(na);
            fig(format!("supply_demand_{}.svg", slug(role)), &format!("{role}: supply and demand"), reading)
        })
        .collect();
    let others = files
        .others(&shown)
        .iter()
        .map(|file| {
            let title = file.trim_end_matches(".svg").replace(['_', '-'], " ");
            figs.figure(files, file, &title, "A further chart drawn for this scenario.", idp)
        })
        .collect();
    render(&Charts { lvl, idp, main, roles, others })
}

/// The reading of a chart whose numbers are not in the summary.
fn na() -> String {
    "The numbers for this chart are not in the summary.".to_string()
}

/// The reading of the area's gap over time.
fn gap_reading(v: &View) -> String {
    let last = &v.last;
    let when = full_month_label(last);
    let area = area(v.meta());
    match (v.total("gap_fte", &v.first), v.total("gap_fte", last)) {
        (Some(a), Some(b)) if v.det => format!(
            "The {area} gap goes from {} FTE in {} to {} FTE by {when} (positive is a shortfall).",
            typeset(v.mid(a), 0),
            full_month_label(&v.first),
            typeset(v.mid(b), 0)
        ),
        (Some(a), Some(b)) => {
            let peak = v
                .dates()
                .iter()
                .filter_map(|d| v.total("gap_fte", d).map(|r| (d.clone(), v.mid(r))))
                .max_by(|x, y| x.1.total_cmp(&y.1));
            let mut t = format!(
                "The {area} gap goes from {} FTE in {} to {} FTE by {when} (90% interval {}); a shortfall in {} of runs \
                 by then.",
                typeset(v.mid(a), 0),
                full_month_label(&v.first),
                typeset(v.mid(b), 0),
                v.interval(b),
                v.share(b)
            );
            if let Some((d, g)) = peak
                && d != *last
                && g > v.mid(b)
            {
                w!(t, " It is widest in {}, at {} FTE.", full_month_label(&d), typeset(g, 0));
            }
            t
        }
        _ => na(),
    }
}

/// The reading of the heatmap: the role-band cells whose gap is the largest share of their demand.
fn heatmap_reading(v: &View) -> String {
    let last = &v.last;
    let when = full_month_label(last);
    let mut cells: Vec<(String, f64, f64, Option<f64>)> = v
        .results
        .rows
        .iter()
        .filter(|r| r.level == "role_band" && r.metric == "gap_fte" && r.date == *last)
        .filter_map(|r| {
            let g = Group { role: r.role.as_deref(), band: r.band.as_deref(), region: r.region.as_deref() };
            let demand = v.get("role_band", g, "demand_fte", last).map(|d| v.mid(d)).filter(|d| *d > 0.0)?;
            let name = format!("{} band {}", r.role.as_deref().unwrap_or("?"), r.band.as_deref().unwrap_or("?"));
            Some((name, v.mid(r) / demand, v.mid(r), r.p_shortfall))
        })
        .filter(|c| c.1 > 0.0)
        .collect();
    cells.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.total_cmp(&a.2)).then_with(|| a.0.cmp(&b.0)));
    let has_cells = v.results.rows.iter().any(|r| r.level == "role_band");
    if !has_cells {
        "The summary has no role x band results (run with --levels including role_band).".to_string()
    } else if cells.is_empty() {
        format!("By {when} no role-band cell has a shortfall.")
    } else {
        let top: Vec<String> = cells
            .iter()
            .take(3)
            .map(|(name, share, gap, p)| {
                let mut t = format!("{name} ({} of demand, {} FTE", fmt_pct_whole(*share), typeset(*gap, 0));
                if let Some(p) = p.filter(|_| !v.det) {
                    w!(t, "; short in {} of runs", fmt_share(p));
                }
                t.push(')');
                t
            })
            .collect();
        let mut t = format!("By {when} the shortfall is the largest share of demand in {}.", and_list(&top));
        if let Some((name, share, gap, _)) = cells.iter().max_by(|a, b| a.2.total_cmp(&b.2))
            && !cells.iter().take(3).any(|c| c.0 == *name)
        {
            w!(t, " The largest in FTE is {name}: {} FTE, {} of its demand.", typeset(*gap, 0), fmt_pct_whole(*share));
        }
        t
    }
}

/// The reading of the gap by region at the last date (None when the summary has no regions).
fn region_reading(v: &View) -> Option<String> {
    let last = &v.last;
    let when = full_month_label(last);
    let mut regions: Vec<&Row> =
        v.groups("region").into_iter().filter_map(|g| v.get("region", g, "gap_fte", last)).collect();
    if !regions.is_empty() {
        regions.sort_by(|a, b| v.mid(b).total_cmp(&v.mid(a)));
        let top = regions[0];
        let mut t = format!(
            "By {when} the gap is largest in {}: {} FTE",
            top.region.as_deref().unwrap_or_default(),
            typeset(v.mid(top), 0)
        );
        if !v.det {
            w!(t, " (90% interval {})", v.interval(top));
        }
        let low = regions[regions.len() - 1];
        if regions.len() > 1 {
            w!(t, "; smallest in {}: {} FTE", low.region.as_deref().unwrap_or_default(), typeset(v.mid(low), 0));
        }
        t.push('.');
        Some(t)
    } else {
        None
    }
}

/// The reading of the flows in the last year (means of runs, as the chart shows them: means add up).
fn flows_reading(v: &View) -> String {
    let last = &v.last;
    let when = full_month_label(last);
    match (v.total("leavers", last), v.total("joiners", last)) {
        (Some(l), Some(j)) => {
            let largest = v
                .meta()
                .routes
                .iter()
                .filter_map(|r| v.total(&format!("joiners:{r}"), last).map(|row| (r.clone(), row.mean)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let mut t = format!(
                "In the year to {when}, {}{} people join and {} leave the NHS",
                if v.det { "" } else { "on average " },
                typeset(j.mean, 0),
                typeset(l.mean, 0)
            );
            if !v.det {
                w!(t, " (90% intervals {} and {})", v.interval(j), v.interval(l));
            }
            match largest {
                Some((name, n)) => {
                    w!(t, "; the largest route is {name}, with {} joiners.", typeset(n, 0));
                }
                None => t.push('.'),
            }
            t
        }
        _ => na(),
    }
}

/// The reading of the pay bill.
fn cost_reading(v: &View) -> String {
    let last = &v.last;
    let when = full_month_label(last);
    match (v.total("cost_gbp", &v.first), v.total("cost_gbp", last)) {
        (Some(a), Some(b)) => {
            let mut t =
                format!("The annual pay bill of staff in post, with on-costs, is {} by {when}", fmt_money(v.mid(b)));
            if !v.det {
                w!(t, " (90% interval {} to {})", fmt_money(b.p[0]), fmt_money(b.p[4]));
            }
            w!(
                t,
                ", against {} in {}, at the pay table's rates (no pay rises).",
                fmt_money(v.mid(a)),
                full_month_label(&v.first)
            );
            t
        }
        _ => na(),
    }
}

/// The reading of the role families chart (None when the summary has no families).
fn families_reading(v: &View) -> Option<String> {
    let last = &v.last;
    let when = full_month_label(last);
    let families = v.groups("family");
    if families.is_empty() {
        return None;
    }
    let mut gaps: Vec<(String, f64, Option<f64>, Option<&Row>)> = families
        .iter()
        .filter_map(|g| {
            let gap = v.get("family", *g, "gap_fte", last)?;
            let demand = v.get("family", *g, "demand_fte", last).map(|d| v.mid(d)).filter(|d| *d > 0.0);
            Some((g.role.unwrap_or_default().to_string(), v.mid(gap), demand, Some(gap)))
        })
        .collect();
    gaps.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let short: Vec<String> = gaps
        .iter()
        .filter(|g| g.1 >= 0.5)
        .take(3)
        .map(|(family, gap, demand, row)| {
            let mut t = format!("{family} ({} FTE", typeset(*gap, 0));
            if let (Some(r), false) = (row, v.det) {
                w!(t, ", 90% interval {}", v.interval(r));
            }
            if let Some(d) = demand {
                w!(t, "; {} of its demand", fmt_pct_whole(gap / d));
            }
            t.push(')');
            t
        })
        .collect();
    Some(if gaps.is_empty() {
        na()
    } else if short.is_empty() {
        format!("By {when} no role family has a shortfall.")
    } else {
        format!(
            "By {when} the largest shortfall{} in {}. Each panel has its own scale; the table of role families \
             lists the roles in each.",
            if short.len() == 1 { " is" } else { "s are" },
            and_list(&short)
        )
    })
}
