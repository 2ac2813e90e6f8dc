//! A run's workbook, `results.xlsx`: its headline, its summary table level by level, its charts
//! and what was run.
use super::about::*;
use super::charts::*;
use super::sheets::*;
use crate::format;
use crate::format::{area, display_title, financial_year_label, month_label};
use rust_xlsxwriter::{Workbook, Worksheet};
use wfcast_core::results::{Meta, Results, Row};

/// The total measures of a headline: label and metric.
pub(super) const MEASURES: [(&str, &str); 4] = [
    ("Staff in post, headcount", "headcount"),
    ("Staff in post, FTE", "fte"),
    ("Demand, FTE", "demand_fte"),
    ("Gap, FTE (demand minus supply)", "gap_fte"),
];

/// The columns of a level sheet: those of `summary.csv` without `scenario` and `level`.
pub(super) const SUMMARY_COLUMNS: [&str; 13] =
    ["date", "role", "band", "region", "metric", "mean", "sd", "p05", "p25", "p50", "p75", "p95", "p_shortfall"];

pub(super) fn results_workbook(results: &Results, charts: &[ChartImage]) -> Xr<Vec<u8>> {
    let st = Styles::new();
    let meta = &results.meta;
    let mut names = SheetNames::default();
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &properties()
            .set_title(display_title(meta))
            .set_subject(format!("wfcast results of the scenario {}", meta.scenario))
            .set_comment(format!("Written by wfcast {}", meta.version)),
    );
    workbook.push_worksheet(headline_sheet(results, &st, &names.take("Headline"))?);
    for (level, rows) in levels(&results.rows) {
        for (k, chunk) in rows.chunks(MAX_DATA_ROWS).enumerate() {
            let name = if k == 0 { names.take(level) } else { names.take(&format!("{level} ({})", k + 1)) };
            let cells = chunk.iter().map(|r| {
                let text = vec![
                    Some(r.date.as_str()),
                    r.role.as_deref(),
                    r.band.as_deref(),
                    r.region.as_deref(),
                    Some(&*r.metric),
                ];
                let mut nums = vec![Some(r.mean), Some(r.sd)];
                nums.extend(r.p.iter().map(|v| Some(*v)));
                nums.push(r.p_shortfall);
                (text, nums)
            });
            workbook.push_worksheet(table_sheet(&name, &st, &SUMMARY_COLUMNS, 5, &[12], cells)?);
        }
    }
    let missing = "No charts: this folder had no charts/*.png when the workbook was written (they are drawn with the \
                   run; `wfcast plot` draws them again, then write the workbook again to include them).";
    workbook.push_worksheet(charts_sheet(charts, &st, &names.take("Charts"), missing)?);
    let about = results_about(meta);
    let mut about_ws = about_sheet(&st, &names.take("About"), &about)?;
    if let Some(scaling) = &meta.scaling {
        scaling_table(&mut about_ws, &st, about.len() as u32 + 2, meta, scaling)?;
    }
    workbook.push_worksheet(about_ws);
    workbook.save_to_buffer()
}

/// The levels of `rows`, in order of first appearance, each with its rows in table order.
pub(super) fn levels(rows: &[Row]) -> Vec<(&str, Vec<&Row>)> {
    let mut out: Vec<(&str, Vec<&Row>)> = Vec::new();
    for row in rows {
        match out.iter_mut().find(|(level, _)| *level == row.level) {
            Some((_, rows)) => rows.push(row),
            None => out.push((&row.level, vec![row])),
        }
    }
    out
}

/// What was run, in a line: runs, seed, mode, version.
pub(super) fn run_line(meta: &Meta) -> String {
    let runs = if meta.is_deterministic() {
        "deterministic (1 run, parameters at their means, so the interval is the median)".to_string()
    } else {
        format!("{}, stochastic", format::runs(meta.runs))
    };
    format!("Scenario {}: {runs}, seed {}; wfcast {}", meta.scenario, meta.seed, meta.version)
}

/// The label of a reporting date: the financial year it ends, or the baseline.
pub(super) fn year_label(date: &str, start: &str) -> String {
    if date == start { format!("Baseline, {}", month_label(date)) } else { financial_year_label(date) }
}

pub(super) fn headline_sheet(results: &Results, st: &Styles, name: &str) -> Xr<Worksheet> {
    let meta = &results.meta;
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    ws.set_row_height(0, TITLE_HEIGHT)?;
    ws.write_string_with_format(0, 0, display_title(meta), &st.title)?;
    ws.write_string_with_format(1, 0, run_line(meta), &st.note)?;
    ws.write_string_with_format(
        2,
        0,
        format!(
            "{} totals at each reporting date: the median and the 90% interval (5th to 95th percentile) over runs, \
             and the mean. The gap is demand minus supply: positive is a shortfall.",
            area(meta)
        ),
        &st.note,
    )?;
    let columns = [
        ("Measure", 30.0),
        ("Date", 10.0),
        ("Year", 18.0),
        ("Median", 13.0),
        ("5th percentile", 13.0),
        ("95th percentile", 13.0),
        ("Mean", 13.0),
        ("Share of runs in shortfall", 14.0),
    ];
    put_header(&mut ws, HEADLINE_HEADER, &columns, st)?;
    let mut row = HEADLINE_HEADER + 1;
    for (label, metric) in MEASURES {
        for r in results.total(metric) {
            ws.write_string(row, 0, label)?;
            ws.write_string(row, 1, &r.date)?;
            ws.write_string(row, 2, year_label(&r.date, &meta.start))?;
            put_number(&mut ws, row, 3, Some(r.p[2]), &st.whole)?;
            put_number(&mut ws, row, 4, Some(r.p[0]), &st.whole)?;
            put_number(&mut ws, row, 5, Some(r.p[4]), &st.whole)?;
            put_number(&mut ws, row, 6, Some(r.mean), &st.whole)?;
            if metric == "gap_fte" {
                put_number(&mut ws, row, 7, r.p_shortfall, &st.share)?;
            }
            row += 1;
        }
    }
    if row == HEADLINE_HEADER + 1 {
        ws.write_string_with_format(row, 0, format!("These results have no {} totals.", area(meta)), &st.note)?;
    }
    ws.set_freeze_panes(HEADLINE_HEADER + 1, 1)?;
    Ok(ws)
}
