//! The `Charts` sheet: the folder's chart PNGs in the order they are drawn, each under its title.
use super::sheets::*;
use rust_xlsxwriter::{Image, Worksheet};
use std::path::Path;
use wfcast_core::error::{Error, Result};
use wfcast_io::export::{OutputFile, slug};

/// The largest size of a chart on a sheet, in pixels: 1200 x 700 charts are shown at 80%.
pub(super) const CHART_WIDTH: f64 = 960.0;
pub(super) const CHART_HEIGHT: f64 = 720.0;
/// Excel's default row height, in pixels.
pub(super) const ROW_PIXELS: f64 = 20.0;

/// A chart PNG, scaled to fit a sheet, with its title.
pub(super) struct ChartImage {
    pub(super) title: String,
    pub(super) image: Image,
    /// Height on the sheet, in pixels.
    pub(super) height: f64,
}

/// The PNGs in `dir` (a `charts` folder; none if it does not exist), each with its bytes.
pub(super) fn read_pngs(dir: &Path) -> Result<Vec<OutputFile>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut pngs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if is_png(&path) && path.is_file() {
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            pngs.push((path, bytes));
        }
    }
    Ok(pngs)
}

/// Whether `path` names a PNG file.
pub(super) fn is_png(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"))
}

/// The chart PNGs `pngs` (each named by its path) in the order the charts are drawn, each with
/// a title; `roles` name the per-role charts, `reference` is the first scenario's title in a
/// comparison and `area` the area the results cover.
pub(super) fn chart_images(
    pngs: Vec<OutputFile>,
    roles: &[String],
    reference: &str,
    area: &str,
) -> Result<Vec<ChartImage>> {
    let mut pngs: Vec<_> = pngs.into_iter().map(|(path, bytes)| (chart_rank(&path, roles), path, bytes)).collect();
    pngs.sort();
    pngs.into_iter()
        .map(|(_, path, bytes)| {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy().to_string();
            let title = chart_title(&stem, roles, reference, area);
            let image = Image::new_from_buffer(&bytes)
                .map_err(|e| Error::io(&path, std::io::Error::other(format!("not a chart PNG: {e}"))))?;
            let (w, h) = (image.width().max(1.0), image.height().max(1.0));
            let scale = (CHART_WIDTH / w).min(CHART_HEIGHT / h).min(1.0);
            let image = image.set_scale_to_size(w * scale, h * scale, true).set_alt_text(title.clone());
            Ok(ChartImage { title, image, height: h * scale })
        })
        .collect()
}

/// Where a chart comes in the order the charts are drawn (then by name).
pub(super) fn chart_rank(path: &Path, roles: &[String]) -> (usize, usize, String) {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy().to_string();
    let fixed = [
        "supply_demand_total",
        "",
        "gap_total",
        "gap_heatmap",
        "gap_by_region",
        "flows",
        "cost",
        "compare_gap",
        "compare_gap_by_role",
        "compare_difference",
    ];
    if let Some(k) = fixed.iter().position(|f| !f.is_empty() && *f == stem) {
        return (k, 0, stem);
    }
    if let Some(rest) = stem.strip_prefix("supply_demand_") {
        let k = roles.iter().position(|r| slug(r) == rest).unwrap_or(usize::MAX);
        return (1, k, stem);
    }
    (fixed.len(), 0, stem)
}

/// The title of a chart, from its file name, naming the `area` the results cover.
pub(super) fn chart_title(stem: &str, roles: &[String], reference: &str, area: &str) -> String {
    match stem {
        "supply_demand_total" => format!("Supply and demand, {area} (FTE)"),
        "supply_demand_families" if !roles.iter().any(|r| slug(r) == "families") => {
            "Supply and demand by role family (FTE)".into()
        }
        "gap_total" => format!("Gap between demand and supply, {area} (FTE), and the share of runs in shortfall"),
        "gap_heatmap" => "Gap as a share of demand by role and band, at the last date".into(),
        "gap_by_region" => "Gap by region at the last date".into(),
        "flows" => "Joiners by supply route and leavers, per year".into(),
        "cost" => "Pay bill".into(),
        "compare_gap" => format!("Gap between demand and supply, {area} (FTE), by scenario"),
        "compare_gap_by_role" => "Gap by role at the last date, by scenario".into(),
        "compare_difference" if !reference.is_empty() => {
            format!("Difference from {reference}, run by run with common random numbers")
        }
        "compare_difference" => "Difference from the first scenario, run by run".into(),
        _ => match stem.strip_prefix("supply_demand_") {
            Some(rest) => {
                let role = roles.iter().find(|r| slug(r) == rest).cloned().unwrap_or_else(|| rest.replace('-', " "));
                format!("Supply and demand: {role} (FTE)")
            }
            None => stem.replace('_', " "),
        },
    }
}

pub(super) fn charts_sheet(charts: &[ChartImage], st: &Styles, name: &str, missing: &str) -> Xr<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_row_height(0, TITLE_HEIGHT)?;
    ws.write_string_with_format(0, 0, "Charts", &st.title)?;
    if charts.is_empty() {
        ws.write_string_with_format(1, 0, missing, &st.note)?;
        return Ok(ws);
    }
    ws.write_string_with_format(
        1,
        0,
        "The PNG charts of the folder's charts/, scaled to fit; the SVG files beside them scale without loss.",
        &st.note,
    )?;
    let mut row = 3u32;
    for chart in charts {
        ws.write_string_with_format(row, 0, &chart.title, &st.key)?;
        ws.insert_image_with_offset(row + 1, 0, &chart.image, 4, 2)?;
        row += 1 + (chart.height / ROW_PIXELS).ceil() as u32 + 2;
    }
    Ok(ws)
}
