//! The chart of joiners by route and leavers, year by year.
use super::axis::*;
use super::kit::*;
use crate::format::{area, financial_year_label, thousands};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use wfcast_core::results::Results;

/// Mean joiners per route and leavers over each year to a reporting date.
pub(super) struct Flows {
    pub(super) header: Header,
    pub(super) legend: Vec<Entry>,
    /// Reporting dates after the baseline: the end of each year of flows.
    pub(super) years: Vec<String>,
    pub(super) routes: Vec<(String, RGBColor)>,
    /// Per year, per route.
    pub(super) joiners: Vec<Vec<f64>>,
    pub(super) leavers: Vec<f64>,
}

pub(super) fn flows(results: &Results) -> Option<Flows> {
    let meta = &results.meta;
    let mut routes: Vec<String> = meta.routes.clone();
    if routes.is_empty() {
        for r in results.rows.iter().filter(|r| r.level == "total") {
            if let Some(route) = r.metric.strip_prefix("joiners:")
                && !routes.iter().any(|x| x == route)
            {
                routes.push(route.to_string());
            }
        }
    }
    let years: Vec<String> =
        results.total("leavers").iter().map(|r| r.date.clone()).filter(|d| *d != meta.start).collect();
    if years.is_empty() {
        return None;
    }
    let mean_at = |metric: &str, date: &str| {
        let row = results.total(metric).into_iter().find(|r| r.date == date);
        row.map_or(0.0, |r| if r.mean.is_finite() { r.mean } else { 0.0 })
    };
    let joiners =
        years.iter().map(|d| routes.iter().map(|route| mean_at(&format!("joiners:{route}"), d)).collect()).collect();
    let leavers = years.iter().map(|d| mean_at("leavers", d)).collect();
    let routes: Vec<(String, RGBColor)> =
        routes.into_iter().enumerate().map(|(i, r)| (r, PALETTE[i % PALETTE.len()])).collect();
    let mut legend = vec![entry(Key::Block(LEAVERS), "Leavers"), entry(Key::Heading, "Joiners by route:")];
    legend.extend(routes.iter().map(|(r, c)| entry(Key::Block(*c), r)));
    let subtitle = format!(
        "{}, all roles: people joining by supply route (left bar) and leaving the NHS (right bar, grey) over \
         each financial year; {}, headcount.",
        area(meta),
        if is_deterministic(meta) { "expected values" } else { "means of runs" }
    );
    Some(Flows { header: header(meta, subtitle), legend, years, routes, joiners, leavers })
}

impl Figure for Flows {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn {
        let area = page(root, s, &self.header, &self.legend)?;
        let ticks = self.years.iter().enumerate().map(|(i, d)| (i as f64 + 0.5, financial_year_label(d))).collect();
        let x = Axis { lo: 0.0, hi: self.years.len() as f64, ticks };
        let totals = self.joiners.iter().map(|j| j.iter().sum::<f64>());
        let top = totals.chain(self.leavers.iter().copied()).fold(0.0f64, f64::max).max(1.0);
        let y = Axis::numeric(0.0, top * 1.1, 6, thousands);
        let mut chart = cartesian(&area, s, (&x, &y), y.label_width(&area, s)? + s.px(50))?;
        axes(&mut chart, s, (&x, &y), ("Financial year", "People a year"), Grid::Horizontal)?;
        let total_style = s.regular(14.0, INK, (HPos::Center, VPos::Bottom));
        for (i, (joined, left)) in self.joiners.iter().zip(&self.leavers).enumerate() {
            let i = i as f64;
            let (a, b, c, d) = (i + 0.14, i + 0.49, i + 0.51, i + 0.86);
            let mut base = 0.0;
            for (v, (_, colour)) in joined.iter().zip(&self.routes) {
                if *v > 0.0 {
                    chart.plotting_area().draw(&Rectangle::new([(a, base), (b, base + v)], colour.filled()))?;
                    base += v;
                }
            }
            chart.plotting_area().draw(&Rectangle::new([(c, 0.0), (d, *left)], LEAVERS.filled()))?;
            for (mid, v) in [((a + b) / 2.0, base), ((c + d) / 2.0, *left)] {
                let label = Text::new(thousands(v, 0), (0, -s.px(5)), total_style.clone());
                chart.plotting_area().draw(&(EmptyElement::at((mid, v)) + label))?;
            }
        }
        Ok(())
    }
}
