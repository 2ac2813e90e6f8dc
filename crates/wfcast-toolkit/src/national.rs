//! The national scenario files aggregate writes: the common scenario (baseline, rates,
//! supply, flat demand) and one per future (its demand as dated changes), under one header.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use wfcast_core::band::Band;
use wfcast_core::error::Result;

use crate::aggregate::{AGGREGATE_MARKER, AggregateOptions, Baseline, LeftOut};
use crate::format::{float, one_line, plain, quote, round_to};
use crate::rates::{DEFAULT_RATES, rates_from_fragment};
use crate::submission::Submission;
use crate::supply::national_supply;
use crate::{BASELINE_MONTH, REGIONS};

/// Demand per cell (role, band, region): [2025 (establishment), 2026, ..., 2030].
pub(crate) type Cells = BTreeMap<(String, Band, String), [f64; 6]>;

/// The comment header shared by the files: the organisations included, per region, and
/// those left out.
pub(crate) fn header(subs: &[Submission], left_out: &[LeftOut]) -> String {
    let mut header = String::new();
    let _ = writeln!(header, "# Organisations included: {}", subs.len());
    let mut by_region: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in subs {
        by_region.entry(s.region.as_str()).or_default().push(s.org_code.as_str());
    }
    for region in REGIONS {
        match by_region.get(region) {
            Some(codes) => {
                let _ = writeln!(header, "#   {region} ({}): {}", codes.len(), codes.join(", "));
            }
            None => {
                let _ = writeln!(header, "#   {region} (0)");
            }
        }
    }
    if left_out.is_empty() {
        let _ = writeln!(header, "# Left out: none.");
    } else {
        let _ = writeln!(header, "# Left out ({} invalid submissions, skipped as asked):", left_out.len());
        for l in left_out {
            let _ = writeln!(header, "#   {}", one_line(&l.error));
        }
    }
    header
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
    // Rates.
    let rates_text = match &options.rates {
        Some(path) => rates_from_fragment(path, &roles, &regions)?,
        None => DEFAULT_RATES.to_string(),
    };
    let supply_text = national_supply(subs, &roles, &regions);

    let total_hc: f64 = base.values().map(|v| v[0]).sum();
    let total_est: f64 = base.values().map(|v| v[2]).sum();
    let mut common = String::new();
    let _ =
        writeln!(common, "{AGGREGATE_MARKER} (wfcast {}): the common national scenario.", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(
        common,
        "# Run one future with `wfcast run {stem}-{}.toml`; compare them with\n# `wfcast compare {stem}-{}.toml {stem}-{}.toml`.",
        futures[0], futures[0], futures[1]
    );
    common.push_str(header);
    let _ = writeln!(
        common,
        "# Baseline: {csv_name}, one row per organisation, role and band: {} staff in post, {} FTE of\n\
         #   establishment (the organisations' Establishment FTE), the demand at 31 March 2025.",
        plain(total_hc),
        plain(round_to(total_est, 2))
    );
    let _ = writeln!(
        common,
        "# Demand: flat at the establishment here; each future's file adds the path the CIOs wrote.\n"
    );
    let _ = writeln!(common, "name = {}", quote(stem));
    let _ =
        writeln!(common, "title = {}", quote(&format!("National: common assumptions ({} organisations)", subs.len())));
    let _ = writeln!(
        common,
        "description = {}",
        quote(&format!(
            "Built by wfcast aggregate from {} CIO toolkit submissions: staff in post and establishment at 31 March 2025, \
             planned supply routes summed over organisations, and the rates below. Demand is held at the establishment; \
             the scenarios {stem}-{} and {stem}-{} add each future's demand.",
            subs.len(),
            futures[0],
            futures[1]
        ))
    );
    let _ = writeln!(common, "baseline = {}", quote(csv_name));
    let _ = writeln!(
        common,
        "start = {}\nend = \"2030-03\"\nstep = \"month\"\nruns = 1000\nseed = 2025",
        quote(BASELINE_MONTH)
    );
    common.push('\n');
    common.push_str(&rates_text);
    common.push_str(&supply_text);
    common.push_str(
        "\n[demand]\n# Demand is the establishment, held flat: no growth, no vacancy-rate assumption.\ngrowth = 0.0\n",
    );
    Ok(common)
}

/// The scenario of one future: its demand as one change per cell and year.
pub(crate) fn future_scenario(stem: &str, future: &str, n: usize, header: &str, cells: &Cells) -> String {
    let mut totals = [0.0; 6];
    for v in cells.values() {
        for k in 0..6 {
            totals[k] += v[k];
        }
    }
    let mut text = String::new();
    let _ = writeln!(text, "{AGGREGATE_MARKER} (wfcast {}): the future `{future}`.", env!("CARGO_PKG_VERSION"));
    text.push_str(header);
    let path: Vec<String> = (0..6).map(|k| format!("{} {}", 2025 + k, plain(round_to(totals[k], 1)))).collect();
    let _ = writeln!(
        text,
        "# Demand (FTE) at 31 March, summed over the organisations' Demand sheets: {}.\n\
         # One change per role, band, region and year: the increase of the summed demand over the\n\
         #   year to 31 March, ramped evenly over its months; with no growth, a run's demand at each\n\
         #   31 March is exactly the organisations' sum.\n",
        path.join(", ")
    );
    let _ = writeln!(text, "extends = {}", quote(&format!("{stem}.toml")));
    let _ = writeln!(text, "name = {}", quote(&format!("{stem}-{future}")));
    let _ = writeln!(text, "title = {}", quote(&format!("National: {future} ({} organisations)", n)));
    let _ = writeln!(
        text,
        "description = {}",
        quote(&format!(
            "The future `{future}` as the CIOs of {} organisations described it: demand grows from {} FTE at 31 March 2025 to {} FTE at 31 March 2030.",
            n,
            plain(round_to(totals[0], 0)),
            plain(round_to(totals[5], 0))
        ))
    );
    text.push_str("\n[demand]\ngrowth = 0.0\nchange = [\n");
    for ((role, band, region), v) in cells {
        for k in 1..6 {
            let delta = round_to(v[k] - v[k - 1], 9);
            if delta == 0.0 {
                continue;
            }
            let y = 2025 + k as i32;
            let _ = writeln!(
                text,
                "  {{ role = {}, band = {}, region = {}, from = \"{}-04\", to = \"{y}-03\", add_fte = {} }},",
                quote(role),
                quote(band.label()),
                quote(region),
                y - 1,
                float(delta)
            );
        }
    }
    text.push_str("]\n");
    text
}
