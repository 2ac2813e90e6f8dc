//! The `About` sheet: what was run, with which files and their hashes, and what the numbers are.
use super::sheets::*;
use crate::format::{area, shared_area};
use rust_xlsxwriter::{Format, Worksheet};
use wfcast_core::model::rebase::Scaling;
use wfcast_core::results::{Comparison, FileHash, Meta};

/// The note every workbook's `About` sheet carries on what its numbers are, for results that
/// cover `area`.
pub(super) fn summary_note(area: &str) -> String {
    format!(
        "Every number is a summary over runs of a per-run aggregate: each run is added up to the {area} total (or to \
         a role, band or region) first, and the mean, standard deviation and percentiles are then taken over the \
         runs. So the 95th percentile of the {area} total is the 95th percentile of the run totals, and the \
         percentiles of the groups do not add up to those of the total. The gap is demand minus supply in FTE: \
         positive is a shortfall, and p_shortfall is the share of runs with one. Flows (leavers, joiners, ...) are \
         over the year to the date."
    )
}

/// A cell of an `About` sheet's value column.
pub(super) enum Value {
    Text(String),
    Number(f64),
}

/// A line of an `About` sheet: what, its value, and the SHA-256 of a file.
pub(super) struct AboutLine {
    pub(super) key: String,
    pub(super) value: Value,
    pub(super) sha256: Option<String>,
}

pub(super) fn text(key: &str, value: impl Into<String>) -> AboutLine {
    AboutLine { key: key.into(), value: Value::Text(value.into()), sha256: None }
}

pub(super) fn number(key: &str, value: f64) -> AboutLine {
    AboutLine { key: key.into(), value: Value::Number(value), sha256: None }
}

pub(super) fn file(key: &str, f: &FileHash) -> AboutLine {
    AboutLine { key: key.into(), value: Value::Text(f.path.clone()), sha256: Some(f.sha256.clone()) }
}

/// A seed as a number if Excel holds it exactly (below 2^53), else as text.
pub(super) fn seed(key: &str, seed: u64) -> AboutLine {
    if seed < 1 << 53 { number(key, seed as f64) } else { text(key, seed.to_string()) }
}

/// The lines describing one scenario as run.
pub(super) fn scenario_lines(meta: &Meta) -> Vec<AboutLine> {
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
    lines.extend(meta.files.iter().map(|f| file("File read", &f.file)));
    lines.push(file("Baseline", &meta.baseline));
    lines.extend([
        seed("Seed", meta.seed),
        number("Runs", meta.runs as f64),
        text("Mode", meta.mode.name()),
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

pub(super) fn results_about(meta: &Meta) -> Vec<AboutLine> {
    let mut lines = scenario_lines(meta);
    lines.push(text("Note", summary_note(area(meta))));
    lines
}

pub(super) fn comparison_about(c: &Comparison) -> Vec<AboutLine> {
    let first = c.scenarios.first();
    let mut lines = vec![
        text("Comparison", &c.name),
        text("Reference scenario", first.map(|m| m.scenario.clone()).unwrap_or_default()),
        text("Scenarios", c.scenarios.iter().map(|m| m.scenario.as_str()).collect::<Vec<_>>().join(", ")),
    ];
    if let Some(first) = first {
        lines.extend([seed("Seed", first.seed), number("Runs", first.runs as f64), text("Mode", first.mode.name())]);
    }
    lines.push(text("wfcast version", env!("CARGO_PKG_VERSION")));
    lines.push(text(
        "Note",
        format!(
            "Every scenario was run with the same seed and run indices (common random numbers): run i of each draws \
             the same numbers for every cell, route and parameter they share. The differences (diff_*) are each \
             scenario minus the reference, run by run, summarised over runs; p_gap_smaller is the share of runs in \
             which the scenario's gap is smaller than the reference's. {}",
            summary_note(&shared_area(&c.scenarios))
        ),
    ));
    for meta in &c.scenarios {
        lines.push(text("", ""));
        lines.extend(scenario_lines(meta));
    }
    lines
}

pub(super) fn about_sheet(st: &Styles, name: &str, lines: &[AboutLine]) -> Xr<Worksheet> {
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

/// Writes what was scaled (`meta.json`'s `scaling`) on an `About` sheet from `row` on: a
/// sentence, a table of the amounts (item, basis, own, here, factor, written, scaled) and what
/// applies to nothing; returns the row after it.
pub(super) fn scaling_table(ws: &mut Worksheet, st: &Styles, row: u32, meta: &Meta, s: &Scaling) -> Xr<u32> {
    let mut row = row;
    let (amount, ratio) = (Format::new().set_num_format("#,##0.00"), Format::new().set_num_format("0.0###"));
    ws.write_string_with_format(row, 0, "Scaled", &st.key)?;
    let what = if s.amounts.is_empty() {
        "it had no absolute amounts to scale: its rates hold as they are.".to_string()
    } else {
        "its absolute amounts were scaled by this baseline's share of the cells each covers (factor = here / own):"
            .to_string()
    };
    let sentence = format!(
        "This scenario was written for {} ({}); run here on {} ({}), {what}",
        s.own_area,
        s.own_baseline,
        area(meta),
        meta.baseline.path
    );
    ws.write_string_with_format(row, 1, sentence, &st.wrap)?;
    row += 1;
    if !s.amounts.is_empty() {
        let header = ["Amount", "Basis", "Own baseline", "Here", "Factor", "As written", "As run"];
        for (col, label) in header.iter().enumerate() {
            ws.write_string_with_format(row, col as u16, *label, &st.header)?;
        }
        row += 1;
        for a in &s.amounts {
            ws.write_string_with_format(row, 0, &a.item, &st.text)?;
            ws.write_string_with_format(row, 1, &a.basis, &st.wrap)?;
            put_number(ws, row, 2, Some(a.own), &amount)?;
            put_number(ws, row, 3, Some(a.here), &amount)?;
            put_number(ws, row, 4, Some(a.factor), &ratio)?;
            put_number(ws, row, 5, Some(a.written), &amount)?;
            put_number(ws, row, 6, Some(a.scaled), &amount)?;
            row += 1;
        }
    }
    for d in &s.dropped {
        ws.write_string_with_format(row, 0, "Applies to nothing", &st.key)?;
        ws.write_string_with_format(row, 1, d, &st.wrap)?;
        row += 1;
    }
    Ok(row)
}
