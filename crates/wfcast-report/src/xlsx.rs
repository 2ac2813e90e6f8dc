//! Excel workbooks of results: a run's or a comparison's tables (and charts) as `.xlsx`.
//!
//! A run's `results.xlsx` ([`ResultsXlsx`]) has a `Headline` sheet (the England totals of staff
//! in post, demand and the gap at each reporting date, formatted for a board paper), one sheet
//! per level of aggregation in the long format of `summary.csv`, a `Charts` sheet with the PNGs
//! of the folder's `charts/` and an `About` sheet (what was run, with which files). A
//! comparison's `comparison.xlsx` ([`write_comparison_workbook`]) has the same four kinds of
//! sheet for a comparison: each scenario's England figures at the last date with its difference
//! from the first, the whole of `comparison.csv`, the comparison charts and what was run.
//!
//! Every number is written as a number (formatted, never as text), so that the sheets can be
//! filtered, summed and charted; missing values are empty cells. Sheet names are made valid
//! Excel names (at most 31 characters, none of `[]:*?/\`, distinct).
use crate::chart::{financial_year_label, month_label, slug};
use crate::format;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Image, Workbook, Worksheet, XlsxError,
};
use std::path::{Path, PathBuf};
use wfcast_core::compare::SeriesKey;
use wfcast_core::error::{Error, Result};
use wfcast_core::results::{Comparison, FileHash, Meta, Results, Row};
use wfcast_io::comparison::COMPARISON_COLUMNS;
use wfcast_io::export::{self, Exporter};

/// The file name of a run's workbook.
pub const RESULTS_XLSX: &str = "results.xlsx";
/// The file name of a comparison's workbook.
pub const COMPARISON_XLSX: &str = "comparison.xlsx";

/// `results.xlsx`: the run's headline, its summary table level by level, its charts (those
/// already in the folder's `charts/`: put this exporter after [`crate::chart::Charts`]) and
/// what was run.
pub struct ResultsXlsx;

impl Exporter for ResultsXlsx {
    fn write(&self, results: &Results, dir: &Path) -> Result<()> {
        write_results_workbook(results, dir).map(|_| ())
    }
}

/// Writes `results.xlsx` for `results` into the output folder `dir` (whole or not at all),
/// embedding the PNGs of `dir/charts/` if there are any, and returns its path.
pub fn write_results_workbook(results: &Results, dir: &Path) -> Result<PathBuf> {
    let path = dir.join(RESULTS_XLSX);
    let charts = chart_images(&dir.join("charts"), &results.roles(), "")?;
    let bytes = results_workbook(results, &charts).map_err(xlsx_error(&path))?;
    export::write_file(&path, &bytes)?;
    Ok(path)
}

/// Writes `comparison.xlsx` into the comparison folder `dir` (whole or not at all: it may be
/// the folder [`wfcast_core::compare::write_comparison`] returned), embedding the PNGs of
/// `dir/charts/` if there are any, and returns its path.
pub fn write_comparison_workbook(comparison: &Comparison, dir: &Path) -> Result<PathBuf> {
    let path = dir.join(COMPARISON_XLSX);
    let first = comparison.scenarios.first().map(display_title).unwrap_or_default();
    let charts = chart_images(&dir.join("charts"), &[], first)?;
    let bytes = comparison_workbook(comparison, &charts).map_err(xlsx_error(&path))?;
    export::write_file(&path, &bytes)?;
    Ok(path)
}

// ---------------------------------------------------------------------------------------
// Workbooks.

type Xr<T = ()> = std::result::Result<T, XlsxError>;

fn xlsx_error(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::io(path, std::io::Error::other(format!("writing the workbook: {e}")))
}

/// The England measures of a headline: label and metric.
const MEASURES: [(&str, &str); 4] = [
    ("Staff in post, headcount", "headcount"),
    ("Staff in post, FTE", "fte"),
    ("Demand, FTE", "demand_fte"),
    ("Gap, FTE (demand minus supply)", "gap_fte"),
];

/// The columns of a level sheet: those of `summary.csv` without `scenario` and `level`.
const SUMMARY_COLUMNS: [&str; 13] =
    ["date", "role", "band", "region", "metric", "mean", "sd", "p05", "p25", "p50", "p75", "p95", "p_shortfall"];

/// The row of a headline sheet's header; its data start on the next row.
const HEADLINE_HEADER: u32 = 4;

/// The height of a title row (14-point type), in points.
const TITLE_HEIGHT: f64 = 21.0;

/// Rows of data a sheet holds below its header (Excel's 1,048,576 rows less the header).
const MAX_DATA_ROWS: usize = 1_048_575;

/// The note every workbook's `About` sheet carries on what its numbers are.
const SUMMARY_NOTE: &str = "Every number is a summary over runs of a per-run aggregate: each run is added up to \
the England total (or to a role, band or region) first, and the mean, standard deviation and percentiles are then \
taken over the runs. So the 95th percentile of the England total is the 95th percentile of the run totals, and the \
percentiles of the groups do not add up to those of the total. The gap is demand minus supply in FTE: positive is a \
shortfall, and p_shortfall is the share of runs with one. Flows (leavers, joiners, ...) are over the year to the date.";

/// Document properties with a fixed creation date, so that the same results give the same
/// bytes (Excel would stamp the time of writing).
fn properties() -> DocProperties {
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).expect("a valid date");
    DocProperties::new().set_creation_datetime(&fixed)
}

fn results_workbook(results: &Results, charts: &[ChartImage]) -> Xr<Vec<u8>> {
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
    workbook.push_worksheet(about_sheet(&st, &names.take("About"), &results_about(meta))?);
    workbook.save_to_buffer()
}

fn comparison_workbook(c: &Comparison, charts: &[ChartImage]) -> Xr<Vec<u8>> {
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

/// The levels of `rows`, in order of first appearance, each with its rows in table order.
fn levels(rows: &[Row]) -> Vec<(&str, Vec<&Row>)> {
    let mut out: Vec<(&str, Vec<&Row>)> = Vec::new();
    for row in rows {
        match out.iter_mut().find(|(level, _)| *level == row.level) {
            Some((_, rows)) => rows.push(row),
            None => out.push((&row.level, vec![row])),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Sheets.

/// The cell formats of every sheet.
struct Styles {
    title: Format,
    note: Format,
    header: Format,
    key: Format,
    text: Format,
    wrap: Format,
    whole: Format,
    decimal: Format,
    share: Format,
    share_decimal: Format,
}

impl Styles {
    fn new() -> Styles {
        let top = || Format::new().set_align(FormatAlign::Top);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_italic().set_font_color(Color::RGB(0x59_59_59)),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xE8_ED_F2))
                .set_border_bottom(FormatBorder::Thin),
            key: top().set_bold(),
            text: top(),
            wrap: top().set_text_wrap(),
            whole: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("#,##0.0"),
            share: Format::new().set_num_format("0%"),
            share_decimal: Format::new().set_num_format("0.0%"),
        }
    }
}

/// Writes `v` as a number, or an empty cell when it is missing or not finite (Excel has no
/// NaN).
fn put_number(ws: &mut Worksheet, row: u32, col: u16, v: Option<f64>, format: &Format) -> Xr {
    match v {
        Some(v) if v.is_finite() => ws.write_number_with_format(row, col, v, format)?,
        _ => ws.write_blank(row, col, format)?,
    };
    Ok(())
}

/// Writes a header row and sets the columns' widths.
fn put_header(ws: &mut Worksheet, row: u32, columns: &[(&str, f64)], st: &Styles) -> Xr {
    for (col, (label, width)) in columns.iter().enumerate() {
        ws.write_string_with_format(row, col as u16, *label, &st.header)?;
        ws.set_column_width(col as u16, *width)?;
    }
    Ok(())
}

/// A long table: a header row, then one row per item of `rows`, each `n_text` text cells and
/// then numbers (the columns `shares` formatted as percentages), with an autofilter on the
/// header and the header frozen.
fn table_sheet<'a>(
    name: &str,
    st: &Styles,
    header: &[&str],
    n_text: usize,
    shares: &[usize],
    rows: impl Iterator<Item = (Vec<Option<&'a str>>, Vec<Option<f64>>)>,
) -> Xr<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for (col, label) in header.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *label, &st.header)?;
    }
    let mut last = 0u32;
    for (i, (text, nums)) in rows.enumerate() {
        let row = i as u32 + 1;
        for (col, value) in text.iter().enumerate() {
            if let Some(value) = value {
                ws.write_string(row, col as u16, *value)?;
                widths[col] = widths[col].max(value.chars().count());
            }
        }
        for (k, value) in nums.iter().enumerate() {
            let col = n_text + k;
            let format = if shares.contains(&col) { &st.share_decimal } else { &st.decimal };
            put_number(&mut ws, row, col as u16, *value, format)?;
        }
        last = row;
    }
    for (col, width) in widths.iter().enumerate() {
        let width = if col < n_text { (*width).clamp(8, 40) + 2 } else { 12 };
        ws.set_column_width(col as u16, width as f64)?;
    }
    ws.autofilter(0, 0, last.max(1), header.len() as u16 - 1)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

/// The title of a scenario: its title, else its name.
fn display_title(meta: &Meta) -> &str {
    if meta.title.trim().is_empty() { &meta.scenario } else { &meta.title }
}

/// What was run, in a line: runs, seed, mode, version.
fn run_line(meta: &Meta) -> String {
    let runs = if meta.mode == "deterministic" {
        "deterministic (1 run, parameters at their means, so the interval is the median)".to_string()
    } else {
        format!("{} run{}, stochastic", format::grouped(meta.runs as f64, 0), if meta.runs == 1 { "" } else { "s" })
    };
    format!("Scenario {}: {runs}, seed {}; wfcast {}", meta.scenario, meta.seed, meta.version)
}

/// The label of a reporting date: the financial year it ends, or the baseline.
fn year_label(date: &str, start: &str) -> String {
    if date == start { format!("Baseline, {}", month_label(date)) } else { financial_year_label(date) }
}

fn headline_sheet(results: &Results, st: &Styles, name: &str) -> Xr<Worksheet> {
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
        "England totals at each reporting date: the median and the 90% interval (5th to 95th percentile) over runs, \
         and the mean. The gap is demand minus supply: positive is a shortfall.",
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
        ws.write_string_with_format(row, 0, "These results have no England totals.", &st.note)?;
    }
    ws.set_freeze_panes(HEADLINE_HEADER + 1, 1)?;
    Ok(ws)
}

fn comparison_headline(c: &Comparison, st: &Styles, name: &str) -> Xr<Worksheet> {
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
    ws.write_string_with_format(0, 0, format!("England at {}: {}", month_label(date), titles.join(" vs ")), &st.title)?;
    let runs = if first.mode == "deterministic" {
        "deterministic (1 run, parameters at their means)".to_string()
    } else {
        format!(
            "{} run{} per scenario with common random numbers",
            format::grouped(first.runs as f64, 0),
            if first.runs == 1 { "" } else { "s" }
        )
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

/// A cell of an `About` sheet's value column.
enum Value {
    Text(String),
    Number(f64),
}

/// A line of an `About` sheet: what, its value, and the SHA-256 of a file.
struct AboutLine {
    key: String,
    value: Value,
    sha256: Option<String>,
}

fn text(key: &str, value: impl Into<String>) -> AboutLine {
    AboutLine { key: key.into(), value: Value::Text(value.into()), sha256: None }
}

fn number(key: &str, value: f64) -> AboutLine {
    AboutLine { key: key.into(), value: Value::Number(value), sha256: None }
}

fn file(key: &str, f: &FileHash) -> AboutLine {
    AboutLine { key: key.into(), value: Value::Text(f.path.clone()), sha256: Some(f.sha256.clone()) }
}

/// A seed as a number if Excel holds it exactly (below 2^53), else as text.
fn seed(key: &str, seed: u64) -> AboutLine {
    if seed < 1 << 53 { number(key, seed as f64) } else { text(key, seed.to_string()) }
}

/// The lines describing one scenario as run.
fn scenario_lines(meta: &Meta) -> Vec<AboutLine> {
    let mut lines = vec![
        text("Scenario", &meta.scenario),
        text("Title", &meta.title),
        text("Description", meta.description.trim()),
        AboutLine {
            key: "Scenario file".into(),
            value: Value::Text(meta.file.clone()),
            sha256: Some(meta.sha256.clone()),
        },
    ];
    lines.extend(meta.files.iter().map(|f| file("File read", f)));
    lines.push(file("Baseline", &meta.baseline));
    lines.extend([
        seed("Seed", meta.seed),
        number("Runs", meta.runs as f64),
        text("Mode", &meta.mode),
        text("Start", &meta.start),
        text("End", &meta.end),
        number("Months per step", meta.step_months as f64),
        text("Reporting dates", meta.report_dates.join(", ")),
        text("Levels", meta.levels.join(", ")),
        text("Supply routes", meta.routes.join(", ")),
        text("wfcast version", &meta.version),
    ]);
    lines
}

fn results_about(meta: &Meta) -> Vec<AboutLine> {
    let mut lines = scenario_lines(meta);
    lines.push(text("Note", SUMMARY_NOTE));
    lines
}

fn comparison_about(c: &Comparison) -> Vec<AboutLine> {
    let first = c.scenarios.first();
    let mut lines = vec![
        text("Comparison", &c.name),
        text("Reference scenario", first.map(|m| m.scenario.clone()).unwrap_or_default()),
        text("Scenarios", c.scenarios.iter().map(|m| m.scenario.as_str()).collect::<Vec<_>>().join(", ")),
    ];
    if let Some(first) = first {
        lines.extend([seed("Seed", first.seed), number("Runs", first.runs as f64), text("Mode", &first.mode)]);
    }
    lines.push(text("wfcast version", env!("CARGO_PKG_VERSION")));
    lines.push(text(
        "Note",
        format!(
            "Every scenario was run with the same seed and run indices (common random numbers): run i of each draws \
             the same numbers for every cell, route and parameter they share. The differences (diff_*) are each \
             scenario minus the reference, run by run, summarised over runs; p_gap_smaller is the share of runs in \
             which the scenario's gap is smaller than the reference's. {SUMMARY_NOTE}"
        ),
    ));
    for meta in &c.scenarios {
        lines.push(text("", ""));
        lines.extend(scenario_lines(meta));
    }
    lines
}

fn about_sheet(st: &Styles, name: &str, lines: &[AboutLine]) -> Xr<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    put_header(&mut ws, 0, &[("", 22.0), ("", 90.0), ("SHA-256", 68.0)], st)?;
    ws.write_string_with_format(0, 0, "About", &st.header)?;
    ws.write_string_with_format(0, 1, "What was run", &st.header)?;
    for (i, line) in lines.iter().enumerate() {
        let row = i as u32 + 1;
        if line.key.is_empty() {
            continue;
        }
        ws.write_string_with_format(row, 0, &line.key, &st.key)?;
        match &line.value {
            Value::Text(t) => ws.write_string_with_format(row, 1, t, &st.wrap)?,
            Value::Number(v) => ws.write_number_with_format(row, 1, *v, &st.text)?,
        };
        if let Some(sha) = &line.sha256 {
            ws.write_string_with_format(row, 2, sha, &st.text)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

// ---------------------------------------------------------------------------------------
// Charts.

/// The largest size of a chart on a sheet, in pixels: 1200 x 700 charts are shown at 80%.
const CHART_WIDTH: f64 = 960.0;
const CHART_HEIGHT: f64 = 720.0;
/// Excel's default row height, in pixels.
const ROW_PIXELS: f64 = 20.0;

/// A chart PNG, scaled to fit a sheet, with its title.
struct ChartImage {
    title: String,
    image: Image,
    /// Height on the sheet, in pixels.
    height: f64,
}

/// The PNGs of `dir` (a `charts` folder; none if it does not exist) in the order the charts
/// are drawn, each with a title; `roles` name the per-role charts, `reference` is the first
/// scenario's title in a comparison.
fn chart_images(dir: &Path, roles: &[String], reference: &str) -> Result<Vec<ChartImage>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut stems = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let png = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"));
        if png && path.is_file() {
            stems.push((chart_rank(&path, roles), path));
        }
    }
    stems.sort();
    stems
        .into_iter()
        .map(|(_, path)| {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy().to_string();
            let title = chart_title(&stem, roles, reference);
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
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
fn chart_rank(path: &Path, roles: &[String]) -> (usize, usize, String) {
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

/// The title of a chart, from its file name.
fn chart_title(stem: &str, roles: &[String], reference: &str) -> String {
    match stem {
        "supply_demand_total" => "Supply and demand, England (FTE)".into(),
        "supply_demand_families" if !roles.iter().any(|r| slug(r) == "families") => {
            "Supply and demand by role family (FTE)".into()
        }
        "gap_total" => "Gap between demand and supply, England (FTE), and the share of runs in shortfall".into(),
        "gap_heatmap" => "Gap as a share of demand by role and band, at the last date".into(),
        "gap_by_region" => "Gap by region at the last date".into(),
        "flows" => "Joiners by supply route and leavers, per year".into(),
        "cost" => "Pay bill".into(),
        "compare_gap" => "Gap between demand and supply, England (FTE), by scenario".into(),
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

fn charts_sheet(charts: &[ChartImage], st: &Styles, name: &str, missing: &str) -> Xr<Worksheet> {
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

// ---------------------------------------------------------------------------------------
// Sheet names.

/// The sheet names of a workbook so far: each new one made valid and distinct.
#[derive(Default)]
struct SheetNames {
    taken: Vec<String>,
}

impl SheetNames {
    /// A valid name for a sheet, as close to `wanted` as may be, and not yet taken.
    fn take(&mut self, wanted: &str) -> String {
        let name = sheet_name(wanted, &self.taken);
        self.taken.push(name.clone());
        name
    }
}

/// The length of `s` as Excel counts it (UTF-16 units).
fn excel_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// `s` cut to at most `max` UTF-16 units, without a trailing space or apostrophe.
fn cut(s: &str, max: usize) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if excel_len(&out) + ch.len_utf16() > max {
            break;
        }
        out.push(ch);
    }
    out.trim_end_matches(['\'', ' ']).to_string()
}

/// A valid Excel sheet name for `wanted`, distinct (ignoring case) from `taken`: at most 31
/// characters, none of `[]:*?/\`, not beginning or ending with an apostrophe, not blank and
/// not `History` (reserved by Excel).
fn sheet_name(wanted: &str, taken: &[String]) -> String {
    let cleaned: String =
        wanted.chars().map(|c| if "[]:*?/\\".contains(c) || c.is_control() { '_' } else { c }).collect();
    let mut base = cleaned.trim().trim_matches('\'').trim().to_string();
    if base.is_empty() {
        base = "Sheet".into();
    }
    if base.eq_ignore_ascii_case("history") {
        base.push('_');
    }
    let free = |name: &str| !name.is_empty() && !taken.iter().any(|t| t.to_lowercase() == name.to_lowercase());
    let name = cut(&base, 31);
    if free(&name) {
        return name;
    }
    (2..)
        .map(|k| {
            let suffix = format!(" ({k})");
            format!("{}{suffix}", cut(&base, 31 - excel_len(&suffix)))
        })
        .find(|name| free(name))
        .expect("some number is free")
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Range, Reader, Xlsx, open_workbook};
    use wfcast_core::band::Band;
    use wfcast_core::baseline::{Baseline, BaselineRow};
    use wfcast_core::compare::run_comparison;
    use wfcast_core::model::Model;
    use wfcast_core::runner::Prepared;
    use wfcast_core::runner::{RunOptions, run_scenario};
    use wfcast_core::scenario::Scenario;

    fn row(role: &str, band: &str, region: &str, headcount: f64) -> BaselineRow {
        BaselineRow {
            role: role.into(),
            band: Band::parse(band).unwrap(),
            region: region.into(),
            headcount,
            fte: headcount * 0.9,
            establishment_fte: None,
        }
    }

    const BODY: &str = r#"
end = "2028-03"
step = "quarter"
runs = 20
seed = 11

[attrition]
default = { mean = 0.10, sd = 0.02 }

[progression]
default = 0.05

[[supply]]
name = "recruitment"
kind = "vacancy-fill"
fill_rate = { mean = 0.5, sd = 0.1 }
max_per_year = 60

[demand]
vacancy_rate = 0.08
growth = { mean = 0.03, sd = 0.01 }
"#;

    fn prepare(name: &str, extra: &str) -> Prepared {
        let text = format!(
            "name = \"{name}\"\ntitle = \"Scenario {name}: a test\"\nbaseline = \"unused.csv\"\nstart = \"2025-03\"\n\
             {BODY}\n{extra}"
        );
        let scenario = Scenario::from_toml(&text, Path::new(&format!("{name}.toml"))).unwrap();
        let rows = vec![
            row("Analyst", "5", "London", 300.0),
            row("Analyst", "6", "North", 120.0),
            row("Engineer", "6", "London", 260.0),
            row("Engineer", "7", "North", 180.0),
        ];
        let model = Model::compile(&scenario, &Baseline::from_rows("unused.csv", rows), None).unwrap();
        Prepared { scenario, model, baseline_sha256: "0".repeat(64) }
    }

    fn options() -> RunOptions {
        RunOptions { runs: Some(20), threads: Some(2), ..Default::default() }
    }

    fn results() -> Results {
        let p = prepare("base", "");
        Results::of(&run_scenario(&p.scenario, &p.model, p.baseline_sha256.clone(), &options(), &|| {}).unwrap())
    }

    fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
        open_workbook(path).unwrap()
    }

    fn sheet(path: &Path, name: &str) -> Range<Data> {
        open(path).worksheet_range(name).unwrap()
    }

    fn string(range: &Range<Data>, row: u32, col: u32) -> String {
        match range.get_value((row, col)) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Empty) | None => String::new(),
            other => panic!("({row}, {col}) is not text: {other:?}"),
        }
    }

    fn float(range: &Range<Data>, row: u32, col: u32) -> Option<f64> {
        match range.get_value((row, col)) {
            Some(Data::Float(v)) => Some(*v),
            Some(Data::Empty) | None => None,
            other => panic!("({row}, {col}) is not a number: {other:?}"),
        }
    }

    /// Whether the workbook embeds pictures: its zip names `xl/media/image...` entries (file
    /// names are stored uncompressed).
    fn has_media(path: &Path) -> bool {
        let bytes = std::fs::read(path).unwrap();
        bytes.windows(b"xl/media/image".len()).any(|w| w == b"xl/media/image")
    }

    /// Every non-empty text in a sheet.
    fn texts(range: &Range<Data>) -> Vec<String> {
        range.rows().flatten().filter_map(|c| if let Data::String(s) = c { Some(s.clone()) } else { None }).collect()
    }

    #[test]
    fn sheet_names_are_valid_and_distinct() {
        let mut names = SheetNames::default();
        assert_eq!(names.take("role_band"), "role_band");
        assert_eq!(names.take("Role_Band"), "Role_Band (2)");
        assert_eq!(names.take("a/b:c[d]*?\\"), "a_b_c_d____");
        assert_eq!(names.take("'quoted'"), "quoted");
        assert_eq!(names.take(""), "Sheet");
        assert_eq!(names.take("history"), "history_");
        let long = "a very long level name that Excel would refuse";
        let a = names.take(long);
        let b = names.take(long);
        assert_eq!(a, "a very long level name that Exc");
        assert_eq!(b, "a very long level name that (2)");
        for name in &names.taken {
            assert!(excel_len(name) <= 31, "{name}");
            assert!(!name.contains(['[', ']', ':', '*', '?', '/', '\\']), "{name}");
            assert!(!name.starts_with('\'') && !name.ends_with('\''), "{name}");
        }
        assert_eq!(cut("ab'c", 3), "ab");
        assert_eq!(excel_len("é😀"), 3);
    }

    #[test]
    fn a_run_workbook_holds_the_headline_every_level_the_charts_and_what_was_run() {
        let results = results();
        let dir = tempfile::tempdir().unwrap();
        crate::chart::Charts.write(&results, dir.path()).unwrap();
        ResultsXlsx.write(&results, dir.path()).unwrap();
        let path = dir.path().join(RESULTS_XLSX);

        let names: Vec<&str> = levels(&results.rows).iter().map(|(l, _)| *l).collect();
        // The default levels (and any others the run reports), in the table's order.
        assert_eq!(names[..5], ["total", "role", "band", "region", "role_band"]);
        let mut expected = vec!["Headline"];
        expected.extend(&names);
        expected.extend(["Charts", "About"]);
        assert_eq!(open(&path).sheet_names(), expected);

        // Headline: every England measure at every date, equal to the total rows.
        let head = sheet(&path, "Headline");
        assert_eq!(string(&head, 0, 0), "Scenario base: a test");
        assert!(string(&head, 1, 0).contains("20 runs, stochastic, seed 11"), "{}", string(&head, 1, 0));
        assert_eq!(string(&head, HEADLINE_HEADER, 3), "Median");
        let dates = &results.meta.report_dates;
        assert_eq!(dates.len(), 4);
        let mut r = HEADLINE_HEADER + 1;
        for (label, metric) in MEASURES {
            let totals = results.total(metric);
            assert_eq!(totals.len(), dates.len(), "{metric}");
            for total in totals {
                assert_eq!(string(&head, r, 0), label);
                assert_eq!(string(&head, r, 1), total.date);
                assert_eq!(float(&head, r, 3), Some(total.p[2]), "{metric} median");
                assert_eq!(float(&head, r, 4), Some(total.p[0]), "{metric} p05");
                assert_eq!(float(&head, r, 5), Some(total.p[4]), "{metric} p95");
                assert_eq!(float(&head, r, 6), Some(total.mean), "{metric} mean");
                let shortfall = if metric == "gap_fte" { total.p_shortfall } else { None };
                assert_eq!(float(&head, r, 7), shortfall, "{metric} shortfall");
                r += 1;
            }
        }
        assert_eq!(string(&head, HEADLINE_HEADER + 1, 2), "Baseline, Mar 2025");
        assert_eq!(string(&head, HEADLINE_HEADER + 2, 2), "2025/26");
        assert_eq!(float(&head, r, 3), None, "rows after the last measure");

        // Level sheets: the columns of summary.csv, one row per row of the level, numbers as numbers.
        let mut total_rows = 0;
        for (level, rows) in levels(&results.rows) {
            let s = sheet(&path, level);
            let header: Vec<String> = (0..13).map(|c| string(&s, 0, c)).collect();
            assert_eq!(header, SUMMARY_COLUMNS);
            assert_eq!(s.height(), rows.len() + 1, "{level}");
            for (i, row) in rows.iter().enumerate() {
                let r = i as u32 + 1;
                assert_eq!(string(&s, r, 0), row.date);
                assert_eq!(string(&s, r, 1), row.role.clone().unwrap_or_default());
                assert_eq!(string(&s, r, 2), row.band.clone().unwrap_or_default());
                assert_eq!(string(&s, r, 3), row.region.clone().unwrap_or_default());
                assert_eq!(string(&s, r, 4), row.metric);
                assert_eq!(float(&s, r, 5), Some(row.mean));
                assert_eq!(float(&s, r, 6), Some(row.sd));
                for k in 0..5 {
                    assert_eq!(float(&s, r, 7 + k as u32), Some(row.p[k]));
                }
                assert_eq!(float(&s, r, 12), row.p_shortfall);
            }
            total_rows += rows.len();
        }
        assert_eq!(total_rows, results.rows.len());
        // An autofilter on each level sheet's header (Excel's hidden defined name for it).
        let book = open(&path);
        let filters: Vec<&(String, String)> =
            book.defined_names().iter().filter(|(n, _)| n == "_xlnm._FilterDatabase").collect();
        assert_eq!(filters.len(), names.len(), "{filters:?}");
        let n_total = results.rows.iter().filter(|r| r.level == "total").count() + 1;
        assert!(filters.iter().any(|(_, v)| v == &format!("total!$A$1:$M${n_total}")), "{filters:?}");

        // Charts: the PNGs embedded, each under its title.
        assert!(has_media(&path));
        let charts = texts(&sheet(&path, "Charts"));
        assert!(charts.contains(&"Supply and demand, England (FTE)".to_string()), "{charts:?}");
        assert!(charts.contains(&"Supply and demand: Engineer (FTE)".to_string()), "{charts:?}");
        assert!(!charts.iter().any(|t| t.starts_with("No charts")), "{charts:?}");

        // About: what was run, the files with their hashes, the note.
        let about = sheet(&path, "About");
        let lines = texts(&about);
        for want in ["base", "Scenario base: a test", "base.toml", "unused.csv", "stochastic", "2025-03", "2028-03"] {
            assert!(lines.contains(&want.to_string()), "{want} not in {lines:?}");
        }
        assert!(lines.contains(&"0".repeat(64)), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("Every number is a summary over runs of a per-run aggregate")));
        let seed_row = (0..about.height() as u32).find(|&r| string(&about, r, 0) == "Seed").unwrap();
        assert_eq!(float(&about, seed_row, 1), Some(11.0));
    }

    #[test]
    fn a_run_workbook_without_charts_says_so() {
        let results = results();
        let dir = tempfile::tempdir().unwrap();
        let path = write_results_workbook(&results, dir.path()).unwrap();
        assert!(!has_media(&path));
        let charts = texts(&sheet(&path, "Charts"));
        assert!(charts.iter().any(|t| t.starts_with("No charts: this folder had no charts/*.png")), "{charts:?}");
        // Nothing left beside it.
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(files, [RESULTS_XLSX]);
    }

    #[test]
    fn a_comparison_workbook_holds_each_scenario_and_its_difference_from_the_first() {
        let policy =
            "[[intervention]]\nfrom = \"2025-04\"\ntarget = \"attrition\"\nrole = \"Analyst\"\nmultiply = 0.8\n";
        let prepared = [prepare("base", ""), prepare("policy", policy)];
        let (runs, comparison) = run_comparison(&prepared, &options(), &|| {}).unwrap();
        let own: Vec<Results> = runs.iter().map(Results::of).collect();
        let out = tempfile::tempdir().unwrap();
        let dest = crate::folder::write_comparison(&comparison, &own, out.path()).unwrap();
        let path = write_comparison_workbook(&comparison, &dest).unwrap();
        assert_eq!(path, dest.join(COMPARISON_XLSX));
        assert_eq!(open(&path).sheet_names(), ["Headline", "Comparison", "Charts", "About"]);

        let head = sheet(&path, "Headline");
        let date = comparison.last_date().unwrap();
        assert_eq!(date, "2028-03");
        assert!(string(&head, 0, 0).starts_with("England at Mar 2028: "), "{}", string(&head, 0, 0));
        assert_eq!(string(&head, HEADLINE_HEADER, 8), "Difference from base: median");
        let mut r = HEADLINE_HEADER + 1;
        for name in ["base", "policy"] {
            for (label, metric) in MEASURES {
                let c = comparison.row(name, &SeriesKey::total(date, metric)).unwrap();
                assert_eq!(string(&head, r, 0), name);
                assert_eq!(string(&head, r, 2), label);
                assert_eq!(float(&head, r, 3), Some(c.row.p[2]));
                assert_eq!(float(&head, r, 4), Some(c.row.p[0]));
                assert_eq!(float(&head, r, 5), Some(c.row.p[4]));
                assert_eq!(float(&head, r, 6), Some(c.row.mean));
                let d = c.diff.as_ref();
                assert_eq!(d.is_some(), name == "policy");
                assert_eq!(float(&head, r, 8), d.map(|d| d.p[2]));
                assert_eq!(float(&head, r, 9), d.map(|d| d.p[0]));
                assert_eq!(float(&head, r, 10), d.map(|d| d.p[4]));
                assert_eq!(float(&head, r, 11), d.map(|d| d.mean));
                let smaller = if metric == "gap_fte" { d.and_then(|d| d.p_gap_smaller) } else { None };
                assert_eq!(float(&head, r, 12), smaller);
                if metric == "gap_fte" && name == "policy" {
                    assert!(smaller.is_some());
                }
                r += 1;
            }
        }
        // The policy keeps more analysts: its headcount difference is positive.
        let hc = comparison.row("policy", &SeriesKey::total(date, "headcount")).unwrap();
        assert!(hc.diff.as_ref().unwrap().mean > 0.0, "{hc:?}");

        // The whole table, numbers as numbers.
        let table = sheet(&path, "Comparison");
        let header: Vec<String> = (0..22).map(|c| string(&table, 0, c)).collect();
        assert_eq!(header, COMPARISON_COLUMNS);
        assert_eq!(table.height(), comparison.rows.len() + 1);
        for (i, c) in comparison.rows.iter().enumerate().step_by(97) {
            let r = i as u32 + 1;
            assert_eq!(string(&table, r, 0), c.scenario);
            assert_eq!(string(&table, r, 6), c.row.metric);
            assert_eq!(float(&table, r, 11), Some(c.row.p[2]));
            assert_eq!(float(&table, r, 15), c.diff.as_ref().map(|d| d.mean));
        }

        assert!(has_media(&path));
        let charts = texts(&sheet(&path, "Charts"));
        assert!(charts.contains(&"Gap between demand and supply, England (FTE), by scenario".into()), "{charts:?}");
        let about = texts(&sheet(&path, "About"));
        for want in ["compare-base-policy", "base", "policy", "policy.toml", "Scenario policy: a test"] {
            assert!(about.contains(&want.to_string()), "{want} not in {about:?}");
        }

        // Without the charts folder, the Charts sheet says so.
        let bare = tempfile::tempdir().unwrap();
        let path = write_comparison_workbook(&comparison, bare.path()).unwrap();
        assert!(!has_media(&path));
        let charts = texts(&sheet(&path, "Charts"));
        assert!(charts.iter().any(|t| t.starts_with("No charts")), "{charts:?}");
    }
}
