//! Gaps at the last date as dots with their 90% intervals, a row per group: each region's gap
//! in a scenario, and each role's gap scenario by scenario in a comparison.
use super::axis::*;
use super::compare::*;
use super::kit::*;
use crate::format::{display_title, month_label, thousands};
use plotters::prelude::*;
use wfcast_core::results::{Comparison, ComparisonRow, Results, Row};

/// The stem of the chart of each region's gap at the last date.
pub const GAP_BY_REGION_CHART: &str = "gap_by_region";

/// Each region's gap at the last date (median and 90% interval), regions in order of their
/// median gap, largest first; drawn as the comparison's gaps by role are, with one scenario.
pub(super) fn gap_by_region(results: &Results) -> Option<RoleGaps> {
    let meta = &results.meta;
    let rows: Vec<&Row> = results.rows.iter().filter(|r| r.level == "region" && r.metric == "gap_fte").collect();
    let date = rows.iter().map(|r| r.date.as_str()).max()?.to_string();
    let mut regions: Vec<(String, [f64; 5])> =
        rows.iter().filter(|r| r.date == date).filter_map(|r| Some((r.region.clone()?, r.p))).collect();
    if regions.is_empty() {
        return None;
    }
    regions.sort_by(|a, b| b.1[2].total_cmp(&a.1[2]));
    let reading =
        if is_deterministic(meta) { "dots: expected values (deterministic)" } else { "dot: median; line: 90% of runs" };
    let subtitle = format!(
        "Gap between demand and supply at {} by region, FTE (above 0 = shortfall); {reading}. Regions in order of \
         the gap.",
        month_label(&date)
    );
    Some(RoleGaps {
        header: header(meta, subtitle),
        legend: vec![entry(Key::Dot(GAP), "Gap")],
        date,
        roles: regions.iter().map(|(r, _)| r.clone()).collect(),
        colours: vec![GAP],
        values: regions.iter().map(|(_, p)| vec![Some(*p)]).collect(),
    })
}

/// Chart 7: each role's gap at the last date, scenario by scenario.
pub(super) struct RoleGaps {
    pub(super) header: Header,
    pub(super) legend: Vec<Entry>,
    /// The date of the gaps, `YYYY-MM`.
    pub(super) date: String,
    pub(super) roles: Vec<String>,
    pub(super) colours: Vec<RGBColor>,
    /// Per role, per scenario: percentiles of the gap.
    pub(super) values: Vec<Vec<Option<[f64; 5]>>>,
}

pub(super) fn compare_gap_by_role(c: &Comparison) -> Option<RoleGaps> {
    let first = c.scenarios.first()?;
    let role_rows: Vec<&ComparisonRow> =
        c.rows.iter().filter(|r| r.row.level == "role" && r.row.metric == "gap_fte").collect();
    let date = role_rows.iter().map(|r| r.row.date.as_str()).max()?.to_string();
    let mut roles: Vec<String> = Vec::new();
    for r in &role_rows {
        if let Some(role) = &r.row.role
            && !roles.contains(role)
        {
            roles.push(role.clone());
        }
    }
    let at = |scenario: &str, role: &str| {
        role_rows
            .iter()
            .find(|r| r.scenario == scenario && r.row.date == date && r.row.role.as_deref() == Some(role))
            .map(|r| r.row.p)
    };
    let median = |role: &str| at(&first.scenario, role).map_or(f64::NEG_INFINITY, |p| p[2]);
    roles.sort_by(|a, b| median(b).total_cmp(&median(a)));
    let values = roles.iter().map(|role| c.scenarios.iter().map(|m| at(&m.scenario, role)).collect()).collect();
    let colours: Vec<RGBColor> = (0..c.scenarios.len()).map(|i| PALETTE[i % PALETTE.len()]).collect();
    let legend = c.scenarios.iter().zip(&colours).map(|(m, col)| entry(Key::Dot(*col), display_title(m))).collect();
    let reading = if c.scenarios.iter().all(is_deterministic) {
        "dots: expected values (deterministic)".to_string()
    } else {
        "dot: median; line: 90% of runs".to_string()
    };
    let subtitle = format!(
        "Gap between demand and supply at {} by role, FTE (above 0 = shortfall); {reading}. Roles in order of \
         the gap in {}.",
        month_label(&date),
        display_title(first)
    );
    Some(RoleGaps {
        header: comparison_header(c, &compare_subjects(c), subtitle),
        legend,
        date,
        roles,
        colours,
        values,
    })
}

impl RoleGaps {
    /// Height of one role's row, in pixels.
    pub(super) fn row_height(&self) -> u32 {
        14 * self.colours.len() as u32 + 14
    }
}

impl Figure for RoleGaps {
    fn size(&self) -> (u32, u32) {
        (WIDTH, (230 + self.row_height() * self.roles.len() as u32).max(SHORTEST))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn {
        let area = page(root, s, &self.header, &self.legend)?;
        let n = self.roles.len() as f64;
        let spread = self.values.iter().flatten().flatten().flat_map(|p| [p[0], p[4]]);
        let (lo, hi) = padded(extent(spread.chain([0.0])).unwrap_or((0.0, 1.0)), 0.05);
        let x = Axis::numeric(lo, hi, 8, thousands);
        let name = s.regular(15.0, INK, TOP_LEFT);
        let (w, _) = area.dim_in_pixel();
        let mut labels = Vec::new();
        for (i, role) in self.roles.iter().enumerate() {
            labels.push((n - i as f64 - 0.5, fit(&area, role, &name, w as i32 * 2 / 5)?));
        }
        let y = Axis { lo: 0.0, hi: n.max(1.0), ticks: labels };
        let mut chart = cartesian(&area, s, (&x, &y), y.label_width(&area, s)? + s.px(18))?;
        for i in (0..self.roles.len()).step_by(2) {
            let top = n - i as f64;
            chart.plotting_area().draw(&Rectangle::new([(x.lo, top - 1.0), (x.hi, top)], STRIPE.filled()))?;
        }
        let x_desc = format!("Gap at {}, FTE (above 0 = shortfall)", month_label(&self.date));
        axes(&mut chart, s, (&x, &y), (&x_desc, ""), Grid::Vertical)?;
        chart.draw_series(LineSeries::new(vec![(0.0, 0.0), (0.0, n)], s.stroke(ZERO, 2)))?;
        let k = self.colours.len() as f64;
        for (i, row) in self.values.iter().enumerate() {
            for (j, (p, colour)) in row.iter().zip(&self.colours).enumerate() {
                let Some(p) = p else { continue };
                let yy = n - i as f64 - (j as f64 + 1.0) / (k + 1.0);
                if (p[4] - p[0]).abs() > 1e-9 * p[2].abs().max(1.0) {
                    let whisker = PathElement::new(vec![(p[0], yy), (p[4], yy)], s.stroke(*colour, 2));
                    chart.plotting_area().draw(&whisker)?;
                    for end in [p[0], p[4]] {
                        let cap = PathElement::new(vec![(0, -s.px(5)), (0, s.px(5))], s.stroke(*colour, 2));
                        chart.plotting_area().draw(&(EmptyElement::at((end, yy)) + cap))?;
                    }
                }
                chart.plotting_area().draw(&Circle::new((p[2], yy), s.px(5), colour.filled()))?;
            }
        }
        Ok(())
    }
}
