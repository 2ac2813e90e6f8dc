//! A comparison's workbook, `comparison.xlsx`: each scenario's totals at the last date
//! with its difference from the first, the whole comparison table, its charts and what was run.
use super::about::*;
use super::charts::*;
use super::results::*;
use super::sheets::*;
use crate::format;
use crate::format::{display_title, month_label, shared_area};
use rust_xlsxwriter::{Workbook, Worksheet};
use wfcast_core::compare::SeriesKey;
use wfcast_core::results::Comparison;
use wfcast_io::comparison::COMPARISON_COLUMNS;

pub(super) fn comparison_workbook(c: &Comparison, charts: &[ChartImage]) -> Xr<Vec<u8>> {
    let st = Styles::new();
    let mut names = SheetNames::default();
    let mut workbook = Workbook::new();
    let titles: Vec<&str> = c.scenarios.iter().map(display_title).collect();
    workbook.set_properties(
        &properties()
            .set_title(format!("Comparison: {}", titles.join(" vs ")))
            .set_subject(format!("wfcast comparison {}", c.name))
            .set_comment(format!("Written by wfcast {}", env!("CARGO_PKG_VERSION"))),
    );
    workbook.push_worksheet(comparison_headline(c, &st, &names.take("Headline"))?);
    for (k, chunk) in c.rows.chunks(MAX_DATA_ROWS).enumerate() {
        let name = if k == 0 { names.take("Comparison") } else { names.take(&format!("Comparison ({})", k + 1)) };
        let cells = chunk.iter().map(|r| {
            let row = &r.row;
            let text = vec![
                Some(r.scenario.as_str()),
                Some(row.date.as_str()),
                Some(row.level.as_str()),
                row.role.as_deref(),
                row.band.as_deref(),
                row.region.as_deref(),
                Some(row.metric.as_str()),
            ];
            let mut nums = vec![Some(row.mean), Some(row.sd)];
            nums.extend(row.p.iter().map(|v| Some(*v)));
            nums.push(row.p_shortfall);
            let d = r.diff.as_ref();
            nums.push(d.map(|d| d.mean));
            nums.extend((0..5).map(|k| d.map(|d| d.p[k])));
            nums.push(d.and_then(|d| d.p_gap_smaller));
            (text, nums)
        });
        workbook.push_worksheet(table_sheet(&name, &st, &COMPARISON_COLUMNS, 7, &[14, 21], cells)?);
    }
    let missing = "No charts: this comparison folder had no charts/*.png when the workbook was written.";
    workbook.push_worksheet(charts_sheet(charts, &st, &names.take("Charts"), missing)?);
    workbook.push_worksheet(about_sheet(&st, &names.take("About"), &comparison_about(c))?);
    workbook.save_to_buffer()
}

pub(super) fn comparison_headline(c: &Comparison, st: &Styles, name: &str) -> Xr<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    let Some(date) = c.last_date() else {
        ws.write_string_with_format(0, 0, "This comparison has no rows.", &st.note)?;
        return Ok(ws);
    };
    let Some(first) = c.scenarios.first() else {
        ws.write_string_with_format(0, 0, "This comparison has no scenarios.", &st.note)?;
        return Ok(ws);
    };
    let titles: Vec<&str> = c.scenarios.iter().map(display_title).collect();
    ws.set_row_height(0, TITLE_HEIGHT)?;
    let title = format!("{} at {}: {}", shared_area(&c.scenarios), month_label(date), titles.join(" vs "));
    ws.write_string_with_format(0, 0, title, &st.title)?;
    let runs = if first.is_deterministic() {
        "deterministic (1 run, parameters at their means)".to_string()
    } else {
        format!("{} per scenario with common random numbers", format::runs(first.runs))
    };
    ws.write_string_with_format(
        1,
        0,
        format!("{} scenarios, {runs}, seed {}; wfcast {}", c.scenarios.len(), first.seed, env!("CARGO_PKG_VERSION")),
        &st.note,
    )?;
    let reference = &first.scenario;
    ws.write_string_with_format(
        2,
        0,
        format!(
            "Median and 90% interval (5th to 95th percentile) over runs. Differences are each scenario minus {reference}, \
             run by run, then summarised over runs. The gap is demand minus supply: positive is a shortfall."
        ),
        &st.note,
    )?;
    let diff = |what: &str| format!("Difference from {reference}: {what}");
    let headers = [
        "Scenario".to_string(),
        "Title".into(),
        "Measure".into(),
        "Median".into(),
        "5th percentile".into(),
        "95th percentile".into(),
        "Mean".into(),
        "Share of runs in shortfall".into(),
        diff("median"),
        diff("5th percentile"),
        diff("95th percentile"),
        diff("mean"),
        format!("Share of runs with a smaller gap than {reference}"),
    ];
    let name_width = c.scenarios.iter().map(|m| m.scenario.chars().count()).max().unwrap_or(8).clamp(10, 30);
    let title_width = titles.iter().map(|t| t.chars().count()).max().unwrap_or(8).clamp(10, 40);
    let widths = [name_width as f64 + 2.0, title_width as f64 + 2.0, 30.0, 13.0, 13.0, 13.0, 13.0, 14.0];
    let columns: Vec<(&str, f64)> =
        headers.iter().enumerate().map(|(k, h)| (h.as_str(), widths.get(k).copied().unwrap_or(16.0))).collect();
    put_header(&mut ws, HEADLINE_HEADER, &columns, st)?;
    let mut row = HEADLINE_HEADER + 1;
    for (meta, title) in c.scenarios.iter().zip(&titles) {
        for (label, metric) in MEASURES {
            let Some(r) = c.row(&meta.scenario, &SeriesKey::total(date, metric)) else { continue };
            ws.write_string(row, 0, &meta.scenario)?;
            ws.write_string(row, 1, *title)?;
            ws.write_string(row, 2, label)?;
            put_number(&mut ws, row, 3, Some(r.row.p[2]), &st.whole)?;
            put_number(&mut ws, row, 4, Some(r.row.p[0]), &st.whole)?;
            put_number(&mut ws, row, 5, Some(r.row.p[4]), &st.whole)?;
            put_number(&mut ws, row, 6, Some(r.row.mean), &st.whole)?;
            if metric == "gap_fte" {
                put_number(&mut ws, row, 7, r.row.p_shortfall, &st.share)?;
            }
            if let Some(d) = &r.diff {
                put_number(&mut ws, row, 8, Some(d.p[2]), &st.whole)?;
                put_number(&mut ws, row, 9, Some(d.p[0]), &st.whole)?;
                put_number(&mut ws, row, 10, Some(d.p[4]), &st.whole)?;
                put_number(&mut ws, row, 11, Some(d.mean), &st.whole)?;
                if metric == "gap_fte" {
                    put_number(&mut ws, row, 12, d.p_gap_smaller, &st.share)?;
                }
            }
            row += 1;
        }
    }
    ws.set_freeze_panes(HEADLINE_HEADER + 1, 1)?;
    Ok(ws)
}
