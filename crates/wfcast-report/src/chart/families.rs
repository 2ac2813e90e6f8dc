//! The chart of demand and supply per role family: a small panel of fans per family.
use super::axis::*;
use super::fan::*;
use super::kit::*;
use crate::format::{area, thousands};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use wfcast_core::results::Results;

/// Chart 9: demand and supply per role family, one panel each, each on its own scale.
pub(super) struct FamilyPanels {
    pub(super) header: Header,
    pub(super) legend: Vec<Entry>,
    /// Dates on the time axes.
    pub(super) dates: Vec<String>,
    /// The baseline date, marked with a dashed line.
    pub(super) baseline: Option<String>,
    /// Per family: its panel title and its demand and supply fans.
    pub(super) panels: Vec<(String, Vec<Fan>)>,
}

/// Height of a row of family panels beyond the second, in pixels.
pub(super) const PANEL_HEIGHT: u32 = 260;

pub(super) fn supply_demand_families(results: &Results) -> Option<FamilyPanels> {
    let families = results.families();
    let members = results.family_members();
    let meta = &results.meta;
    let mut dates = Vec::new();
    let panels: Vec<(String, Vec<Fan>)> = families
        .iter()
        .map(|family| {
            let demand = results.series("family", Some(family), None, None, "demand_fte");
            let supply = results.series("family", Some(family), None, None, "fte");
            if dates.is_empty() {
                dates = dates_of(if demand.is_empty() { &supply } else { &demand });
            }
            let title = match members.iter().find(|(f, _)| f == family).map(|(_, r)| r.len()) {
                Some(n) => format!("{family} ({n} role{})", if n == 1 { "" } else { "s" }),
                None => family.clone(),
            };
            let fans = vec![
                Fan::of("Demand: funded posts", DEMAND, &demand, 1.0, true),
                Fan::of("Supply: staff in post", SUPPLY, &supply, 1.0, true),
            ];
            (title, fans)
        })
        .filter(|(_, fans)| fans.iter().any(|f| !f.points.is_empty()))
        .collect();
    let first = panels.first()?;
    let mapping = if results.families_are_builtin() {
        "DDaT Capability Framework families (wfcast's illustrative mapping of roles)"
    } else {
        "role family (the scenario's mapping of roles)"
    };
    let subtitle = format!(
        "{}, by {mapping}: demand and supply in FTE {}; each panel has its own scale. {}",
        area(meta),
        when(&dates),
        fan_reading(meta, true)
    );
    Some(FamilyPanels {
        header: header(meta, subtitle),
        legend: fan_legend(&first.1),
        dates,
        baseline: Some(meta.start.clone()),
        panels,
    })
}

impl FamilyPanels {
    /// Panels per row: two for up to four families, else three.
    pub(super) fn columns(&self) -> usize {
        if self.panels.len() <= 4 { 2 } else { 3 }
    }
}

impl Figure for FamilyPanels {
    /// The usual size for up to two rows of panels (six families), then a row more each.
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.columns()) as u32;
        (WIDTH, HEIGHT + PANEL_HEIGHT * rows.saturating_sub(2))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn {
        let area = page(root, s, &self.header, &self.legend)?;
        let cols = self.columns();
        let rows = self.panels.len().div_ceil(cols);
        let cells = area.split_evenly((rows, cols));
        let title_style = s.bold(16.0, INK, TOP_LEFT);
        let tick_style = s.regular(15.0, INK, TOP_LEFT);
        for (cell, (title, fans)) in cells.iter().zip(&self.panels) {
            let (w, _) = cell.dim_in_pixel();
            cell.draw_text(&fit(cell, title, &title_style, w as i32 - s.px(16))?, &title_style, (s.px(12), s.px(4)))?;
            let plot = cell.margin(s.px(26), s.px(6), 0, s.px(4));
            let mut x = Axis::time(&self.dates, self.baseline.as_deref());
            let values: Vec<f64> = fans.iter().flat_map(Fan::values).collect();
            let (lo, hi) = padded(extent(values.into_iter()).unwrap_or((0.0, 1.0)), 0.08);
            let y = Axis::numeric(lo, hi, 4, thousands);
            let y_labels = y.label_width(&plot, s)? + s.px(14);
            // Thin the date labels to what the panel's width holds.
            let mut widest = 0;
            for (_, label) in &x.ticks {
                widest = widest.max(text_width(&plot, label, &tick_style)?);
            }
            let room = (plot.dim_in_pixel().0 as i32 - y_labels - s.px(30)).max(1);
            let stride = (x.ticks.len() * (widest + s.px(14)).max(1) as usize).div_ceil(room as usize).max(1);
            x.ticks = x.ticks.into_iter().step_by(stride).collect();
            let mut chart = cartesian(&plot, s, (&x, &y), y_labels)?;
            axes(&mut chart, s, (&x, &y), ("", ""), Grid::Horizontal)?;
            if let Some(b) = self.baseline.as_deref().and_then(x_of) {
                let line = DashedPathElement::new(vec![(b, y.lo), (b, y.hi)], s.px(6), s.px(5), s.stroke(AXIS, 2));
                chart.plotting_area().draw(&line)?;
            }
            for layer in [Layer::Bands, Layer::Edges, Layer::Median] {
                for fan in fans {
                    draw_fan(&mut chart, s, fan, layer)?;
                }
            }
        }
        Ok(())
    }
}
