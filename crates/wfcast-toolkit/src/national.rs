//! The national scenario files aggregate writes, built with toml_edit: the common scenario
//! (baseline, rates, supply, flat demand) and one per future (its demand as dated changes),
//! under one header.
use std::collections::{BTreeMap, BTreeSet};
use toml_edit::Value;
use wfcast_core::band::Band;
use wfcast_core::error::Result;

use crate::aggregation::{AGGREGATE_MARKER, AggregateOptions, Baseline, LeftOut};
use crate::format::{one_line, plain, round_to};
use crate::rates::{default_rates, rates_from_fragment};
use crate::submission::Submission;
use crate::supply::national_supply;
use crate::toml_doc::{TomlWriter, float, inline, rows};
use crate::{BASELINE_MONTH, REGIONS};

/// Demand per cell (role, band, region): [2025 (establishment), 2026, ..., 2030].
pub(crate) type Cells = BTreeMap<(String, Band, String), [f64; 6]>;

/// The comment header shared by the files (its lines, without `# `): the organisations
/// included, per region, and those left out.
pub(crate) fn header(subs: &[Submission], left_out: &[LeftOut]) -> String {
    let mut lines = vec![format!("Organisations included: {}", subs.len())];
    let mut by_region: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in subs {
        by_region.entry(s.region.as_str()).or_default().push(s.org_code.as_str());
    }
    for region in REGIONS {
        match by_region.get(region) {
            Some(codes) => lines.push(format!("  {region} ({}): {}", codes.len(), codes.join(", "))),
            None => lines.push(format!("  {region} (0)")),
        }
    }
    if left_out.is_empty() {
        lines.push("Left out: none.".to_string());
    } else {
        lines.push(format!("Left out ({} invalid submissions, skipped as asked):", left_out.len()));
        lines.extend(left_out.iter().map(|l| format!("  {}", one_line(&l.error))));
    }
    lines.join("\n")
}

/// The first line of a file aggregate writes: the marker, then what the file is.
fn marker(what: &str) -> String {
    format!("{} (wfcast {}): {what}", AGGREGATE_MARKER.trim_start_matches("# "), env!("CARGO_PKG_VERSION"))
}

/// The common national scenario.
pub(crate) fn common_scenario(
    stem: &str,
    futures: &[String; 2],
    subs: &[Submission],
    base: &Baseline,
    header: &str,
    csv_name: &str,
    options: &AggregateOptions,
) -> Result<String> {
    let roles: BTreeSet<String> = base.keys().map(|k| k.1.clone()).collect();
    let regions: BTreeSet<String> = subs.iter().map(|s| s.region.clone()).collect();
    let total_hc: f64 = base.values().map(|v| v[0]).sum();
    let total_est: f64 = base.values().map(|v| v[2]).sum();
    let mut w = TomlWriter::new();
    w.comment(&marker("the common national scenario."));
    w.comment(&format!(
        "Run one future with `wfcast run {stem}-{}.toml`; compare them with\n`wfcast compare {stem}-{}.toml {stem}-{}.toml`.",
        futures[0], futures[0], futures[1]
    ));
    w.comment(header);
    w.comment(&format!(
        "Baseline: {csv_name}, one row per organisation, role and band: {} staff in post, {} FTE of\n  \
         establishment (the organisations' Establishment FTE), the demand at 31 March 2025.",
        plain(total_hc),
        plain(round_to(total_est, 2))
    ));
    w.comment("Demand: flat at the establishment here; each future's file adds the path the CIOs wrote.");
    w.blank();
    w.key("name", stem);
    w.key("title", format!("National: common assumptions ({} organisations)", subs.len()));
    w.key(
        "description",
        format!(
            "Built by wfcast aggregate from {} CIO toolkit submissions: staff in post and establishment at 31 March 2025, \
             planned supply routes summed over organisations, and the rates below. Demand is held at the establishment; \
             the scenarios {stem}-{} and {stem}-{} add each future's demand.",
            subs.len(),
            futures[0],
            futures[1]
        ),
    );
    w.key("baseline", csv_name);
    w.key("start", BASELINE_MONTH);
    w.key("end", "2030-03");
    w.key("step", "month");
    w.key("runs", 1000_i64);
    w.key("seed", 2025_i64);
    w.blank();
    match &options.rates {
        Some(path) => rates_from_fragment(&mut w, path, &roles, &regions)?,
        None => default_rates(&mut w),
    }
    national_supply(&mut w, subs, &roles, &regions);
    w.blank();
    w.table("demand");
    w.comment("Demand is the establishment, held flat: no growth, no vacancy-rate assumption.");
    w.key("growth", 0.0);
    Ok(w.finish())
}

/// The scenario of one future: its demand as one change per cell and year.
pub(crate) fn future_scenario(stem: &str, future: &str, n: usize, header: &str, cells: &Cells) -> String {
    let mut totals = [0.0; 6];
    for v in cells.values() {
        for k in 0..6 {
            totals[k] += v[k];
        }
    }
    let mut w = TomlWriter::new();
    w.comment(&marker(&format!("the future `{future}`.")));
    w.comment(header);
    let path: Vec<String> = (0..6).map(|k| format!("{} {}", 2025 + k, plain(round_to(totals[k], 1)))).collect();
    w.comment(&format!(
        "Demand (FTE) at 31 March, summed over the organisations' Demand sheets: {}.\n\
         One change per role, band, region and year: the increase of the summed demand over the\n  \
         year to 31 March, ramped evenly over its months; with no growth, a run's demand at each\n  \
         31 March is exactly the organisations' sum.",
        path.join(", ")
    ));
    w.blank();
    w.key("extends", format!("{stem}.toml"));
    w.key("name", format!("{stem}-{future}"));
    w.key("title", format!("National: {future} ({n} organisations)"));
    w.key(
        "description",
        format!(
            "The future `{future}` as the CIOs of {n} organisations described it: demand grows from {} FTE at 31 March 2025 to {} FTE at 31 March 2030.",
            plain(round_to(totals[0], 0)),
            plain(round_to(totals[5], 0))
        ),
    );
    w.blank();
    w.table("demand");
    w.key("growth", 0.0);
    let mut changes: Vec<Value> = Vec::new();
    for ((role, band, region), v) in cells {
        for k in 1..6 {
            let delta = round_to(v[k] - v[k - 1], 9);
            if delta == 0.0 {
                continue;
            }
            let y = 2025 + k as i32;
            changes.push(inline([
                ("role", role.as_str().into()),
                ("band", band.label().into()),
                ("region", region.as_str().into()),
                ("from", format!("{}-04", y - 1).into()),
                ("to", format!("{y}-03").into()),
                ("add_fte", float(delta)),
            ]));
        }
    }
    w.key("change", rows(changes, &[]));
    w.finish()
}
