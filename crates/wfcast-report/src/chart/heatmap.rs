//! The heatmap of the gap at the last date as a share of demand, by role and band.
use super::kit::*;
use crate::format::{month_label, percent};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use wfcast_core::band::Band;
use wfcast_core::results::{Results, Row};

/// The gap at the last date as a share of demand, per role (rows) and band (columns).
pub(super) struct Heatmap {
    pub(super) header: Header,
    pub(super) roles: Vec<String>,
    pub(super) bands: Vec<&'static str>,
    /// Per role, per band: median gap / median demand, `None` where there is no demand.
    pub(super) values: Vec<Vec<Option<f64>>>,
}

pub(super) fn gap_heatmap(results: &Results) -> Option<Heatmap> {
    let cells: Vec<&Row> = results.rows.iter().filter(|r| r.level == "role_band").collect();
    let last = cells.iter().map(|r| r.date.as_str()).max()?.to_string();
    let at = |role: &str, band: &str, metric: &str| {
        cells.iter().find(|r| {
            r.date == last && r.metric == metric && r.role.as_deref() == Some(role) && r.band.as_deref() == Some(band)
        })
    };
    let mut roles: Vec<String> = Vec::new();
    for r in &cells {
        if let Some(role) = &r.role
            && !roles.contains(role)
        {
            roles.push(role.clone());
        }
    }
    let demand = |role: &str, band: &str| at(role, band, "demand_fte").map(|r| r.p[2]).filter(|d| *d > 0.0);
    let bands: Vec<&'static str> =
        Band::ALL.iter().map(|b| b.label()).filter(|b| roles.iter().any(|role| demand(role, b).is_some())).collect();
    if bands.is_empty() {
        return None;
    }
    let values = roles
        .iter()
        .map(|role| bands.iter().map(|b| Some(at(role, b, "gap_fte")?.p[2] / demand(role, b)?)).collect())
        .collect();
    let meta = &results.meta;
    let (gap, demand) = if is_deterministic(meta) { ("Gap", "demand") } else { ("Median gap", "median demand") };
    let subtitle = format!(
        "{gap} at {} as a share of {demand}, by role and Agenda for Change band. Red: shortfall; blue: surplus; \
         grey: no demand in that band.",
        month_label(&last),
    );
    Some(Heatmap { header: header(meta, subtitle), roles, bands, values })
}

/// The colour of a share `t` of the colour scale's limit (-1 surplus to 1 shortfall): a
/// diverging scale, blue through white to red (after ColorBrewer RdBu).
pub(super) fn diverging(t: f64) -> RGBColor {
    const STOPS: [(f64, (u8, u8, u8)); 7] = [
        (-1.0, (0x21, 0x66, 0xAC)),
        (-0.6, (0x67, 0xA9, 0xCF)),
        (-0.25, (0xD1, 0xE5, 0xF0)),
        (0.0, (0xFF, 0xFF, 0xFF)),
        (0.25, (0xFD, 0xDB, 0xC7)),
        (0.6, (0xEF, 0x8A, 0x62)),
        (1.0, (0xB2, 0x18, 0x2B)),
    ];
    let t = if t.is_finite() { t.clamp(-1.0, 1.0) } else { 0.0 };
    let i = STOPS.windows(2).position(|w| t <= w[1].0).unwrap_or(STOPS.len() - 2);
    let ((t0, a), (t1, b)) = (STOPS[i], STOPS[i + 1]);
    let f = if t1 > t0 { (t - t0) / (t1 - t0) } else { 0.0 };
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Heatmap {
    /// The share mapped to the strongest colours: nine values in ten (by size) lie within it,
    /// rounded up to a step of the key, at least 10% and at most 100%. Larger values take the
    /// strongest colour; every cell has its value written in it.
    pub(super) fn limit(&self) -> f64 {
        let mut sizes: Vec<f64> = self.values.iter().flatten().flatten().map(|v| v.abs()).collect();
        sizes.sort_by(f64::total_cmp);
        let p90 = sizes.get((sizes.len() * 9).div_ceil(10).saturating_sub(1)).copied().unwrap_or(0.0);
        [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0].into_iter().find(|l| *l >= p90 - 1e-12).unwrap_or(1.0)
    }

    /// Whether some value lies beyond the colour scale.
    pub(super) fn clipped(&self) -> bool {
        let limit = self.limit();
        self.values.iter().flatten().flatten().any(|v| v.abs() > limit + 1e-12)
    }

    /// Draws the colour key: a vertical scale from shortfall (top) to surplus, and the grey
    /// of cells without demand.
    pub(super) fn draw_key<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        s: Scale,
        (x, y): (i32, i32),
        height: i32,
    ) -> Drawn {
        let limit = self.limit();
        area.draw_text("Gap as % of demand", &s.bold(14.0, INK, TOP_LEFT), (x, y))?;
        let (top, bottom, w) = (y + s.px(30), y + s.px(30) + height, s.px(22));
        let steps = 64;
        for i in 0..steps {
            let y0 = top + (bottom - top) * i / steps;
            let y1 = top + (bottom - top) * (i + 1) / steps;
            let t = 1.0 - 2.0 * (i as f64 + 0.5) / steps as f64;
            area.draw(&Rectangle::new([(x, y0), (x + w, y1)], diverging(t).filled()))?;
        }
        area.draw(&Rectangle::new([(x, top), (x + w, bottom)], s.stroke(AXIS, 1)))?;
        let label = s.regular(14.0, INK, (HPos::Left, VPos::Center));
        let beyond = if self.clipped() { " or more" } else { "" };
        let marks = [
            (1.0, format!("{}{beyond} short", percent(limit))),
            (0.5, percent(limit / 2.0)),
            (0.0, "0%".to_string()),
            (-0.5, percent(-limit / 2.0)),
            (-1.0, format!("{}{beyond} surplus", percent(limit))),
        ];
        for (t, text) in marks {
            let ty = top + ((1.0 - t) / 2.0 * (bottom - top) as f64).round() as i32;
            area.draw(&PathElement::new(vec![(x + w, ty), (x + w + s.px(6), ty)], s.stroke(AXIS, 1)))?;
            area.draw_text(&text, &label, (x + w + s.px(10), ty))?;
        }
        let no = bottom + s.px(26);
        area.draw(&Rectangle::new([(x, no), (x + w, no + s.px(16))], EMPTY.filled()))?;
        area.draw_text("no demand", &label, (x + w + s.px(10), no + s.px(8)))?;
        Ok(())
    }
}

impl Figure for Heatmap {
    fn size(&self) -> (u32, u32) {
        (WIDTH, (200 + 36 * self.roles.len() as u32).max(SHORTEST))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, s: Scale) -> Drawn {
        let area = page(root, s, &self.header, &[])?;
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let name = s.regular(15.0, INK, (HPos::Right, VPos::Center));
        let names: Vec<String> = self.roles.iter().map(|r| fit(&area, r, &name, w * 2 / 5)).collect::<Drawn<_>>()?;
        let mut label_w = 0;
        for n in &names {
            label_w = label_w.max(text_width(&area, n, &name)?);
        }
        let label_w = label_w + s.px(22);
        let (head, key_w) = (s.px(54), s.px(200));
        let cols = self.bands.len() as i32;
        let cell_w = ((w - label_w - key_w) / cols).min(s.px(96));
        let cell_h = ((h - head - s.px(8)) / self.roles.len().max(1) as i32).clamp(s.px(16), s.px(36));
        let caption = s.bold(15.0, INK, (HPos::Center, VPos::Top));
        area.draw_text("Agenda for Change band", &caption, (label_w + cols * cell_w / 2, 0))?;
        let column = s.bold(15.0, INK, (HPos::Center, VPos::Bottom));
        for (j, band) in self.bands.iter().enumerate() {
            area.draw_text(band, &column, (label_w + j as i32 * cell_w + cell_w / 2, head - s.px(8)))?;
        }
        let limit = self.limit();
        for (i, (role, row)) in names.iter().zip(&self.values).enumerate() {
            let y0 = head + i as i32 * cell_h;
            area.draw_text(role, &name, (label_w - s.px(12), y0 + cell_h / 2))?;
            for (j, value) in row.iter().enumerate() {
                let x0 = label_w + j as i32 * cell_w;
                let fill = value.map_or(EMPTY, |v| diverging(v / limit));
                let cell = [(x0 + s.px(1), y0 + s.px(1)), (x0 + cell_w - s.px(1), y0 + cell_h - s.px(1))];
                area.draw(&Rectangle::new(cell, fill.filled()))?;
                if let Some(v) = value {
                    let ink = if (v / limit).abs() > 0.62 { WHITE } else { INK };
                    let style = s.regular(14.0, ink, (HPos::Center, VPos::Center));
                    area.draw_text(&percent(*v), &style, (x0 + cell_w / 2, y0 + cell_h / 2))?;
                }
            }
        }
        let key_h = (self.roles.len() as i32 * cell_h - s.px(120)).clamp(s.px(120), s.px(360));
        self.draw_key(&area, s, (label_w + cols * cell_w + s.px(36), head), key_h)
    }
}
