//! Flows: their counts per cell and period, the exposure they are rates of, and the rates
//! learnt from them (attrition and progression pooled, transfers), with the joiners' routes.

use super::joiners::estimate_joiners;
use super::*;
use crate::history::FlowRow;

/// The flow counts of a history, per cell (and per period where needed).
struct FlowCounts {
    /// Whether each period (ending at snapshot `t`) has flow counts.
    with_flows: Vec<bool>,
    /// Leavers per cell.
    leavers: BTreeMap<CellKey, f64>,
    /// Progressions per cell (none from band 9).
    progressed: BTreeMap<CellKey, f64>,
    /// Transfers per (from role, to role).
    moves: BTreeMap<(String, String), f64>,
    /// Transfers out per cell.
    moves_by_cell: BTreeMap<CellKey, f64>,
    /// Joiners per cell.
    joined: BTreeMap<CellKey, f64>,
    /// Joiners per period.
    joined_per_period: Vec<f64>,
    /// Joiners per period per engine cell.
    joined_at: Vec<BTreeMap<RawCell, f64>>,
    /// Progressions from band 9 (ignored).
    from_band_9: f64,
}

/// Counts `flows` per cell and period. Fails on a flow outside the snapshots' span, a
/// transfer from a role to itself, or a flows file with no flow counts.
fn count_flows(history: &History, flows: &[FlowRow], key: &dyn Fn(&str, Band, &str) -> CellKey) -> Result<FlowCounts> {
    let dates = &history.dates;
    let flows_file = history.flows_path.clone().unwrap_or_else(|| history.path.clone());
    // The period of each flow: dates[t - 1] < D <= dates[t].
    let period_of = |d: Month| -> Result<usize> {
        if d <= dates[0] || d > *dates.last().expect("dates") {
            return Err(Error::input(
                &flows_file,
                format!("date {d}"),
                format!(
                    "a flow dated {d} is outside the snapshots' span: flows count what happened after \
                     the first snapshot ({}) up to the last ({})",
                    dates[0],
                    dates.last().expect("dates")
                ),
            ));
        }
        Ok(dates.partition_point(|&x| x < d))
    };
    let mut with_flows = vec![false; dates.len()];
    let mut leavers: BTreeMap<CellKey, f64> = BTreeMap::new();
    let mut progressed: BTreeMap<CellKey, f64> = BTreeMap::new();
    let mut moves: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut moves_by_cell: BTreeMap<CellKey, f64> = BTreeMap::new();
    let mut joined: BTreeMap<CellKey, f64> = BTreeMap::new();
    let mut joined_per_period = vec![0.0; dates.len()];
    // Joiners per period per (role, band, region): the cells the engine fills vacancies in.
    let mut joined_at: Vec<BTreeMap<RawCell, f64>> = vec![BTreeMap::new(); dates.len()];
    let mut from_band_9 = 0.0;
    for f in flows {
        let t = period_of(f.date)?;
        with_flows[t] = true;
        let cell = key(&f.role, f.band, &f.region);
        match &f.kind {
            FlowKind::Leavers => *leavers.entry(cell).or_default() += f.count,
            FlowKind::Progressed if f.band == Band::B9 => from_band_9 += f.count,
            FlowKind::Progressed => *progressed.entry(cell).or_default() += f.count,
            FlowKind::Transfer { to } => {
                if *to == f.role {
                    return Err(Error::input(
                        &flows_file,
                        format!("date {}", f.date),
                        format!("a transfer from `{}` to itself: a transfer moves to another role", f.role),
                    ));
                }
                *moves.entry((f.role.clone(), to.clone())).or_default() += f.count;
                *moves_by_cell.entry(cell).or_default() += f.count;
            }
            FlowKind::Joiners => {
                *joined.entry(cell).or_default() += f.count;
                joined_per_period[t] += f.count;
                *joined_at[t].entry((f.role.clone(), f.band, f.region.clone())).or_default() += f.count;
            }
        }
    }
    if !with_flows.iter().any(|&w| w) {
        return Err(Error::input(
            &flows_file,
            "",
            "the flows file has no flow counts: leave it out to calibrate net change only",
        ));
    }
    Ok(FlowCounts {
        with_flows,
        leavers,
        progressed,
        moves,
        moves_by_cell,
        joined,
        joined_per_period,
        joined_at,
        from_band_9,
    })
}

/// Learns from `flows` the attrition, progression and transfer rates and the joiners'
/// routes of `calibration` (see the module doc), with notes on what was left out.
pub(super) fn estimate_flows(
    history: &History,
    flows: &[FlowRow],
    heads: &BTreeMap<CellKey, Vec<f64>>,
    years: &[f64],
    key: &dyn Fn(&str, Band, &str) -> CellKey,
    calibration: &mut Calibration,
    notes: &mut Vec<String>,
) -> Result<()> {
    let dates = &history.dates;
    let by_region = calibration.by_region;
    let FlowCounts {
        with_flows,
        leavers,
        progressed,
        moves,
        moves_by_cell,
        joined,
        joined_per_period,
        joined_at,
        from_band_9,
    } = count_flows(history, flows, key)?;
    if from_band_9 > 0.0 {
        notes.push(format!(
            "{} progressions from band 9 were ignored: the model has no band above 9",
            fmt_count(from_band_9)
        ));
    }
    let periods: Vec<usize> = (1..dates.len()).filter(|&t| with_flows[t]).collect();
    calibration.flow_periods = periods.iter().map(|&t| (dates[t - 1], dates[t])).collect();
    let skipped = dates.len() - 1 - periods.len();
    if skipped > 0 {
        notes.push(format!(
            "{skipped} of {} periods have no flow counts and were left out of the exposure",
            dates.len() - 1
        ));
    }
    // Exposure per cell over the periods with flows.
    let exposure_of = |h: &[f64]| -> f64 { periods.iter().map(|&t| (h[t - 1] + h[t]) / 2.0 * years[t - 1]).sum() };
    let mut exposure: BTreeMap<CellKey, f64> = heads.iter().map(|(c, h)| (c.clone(), exposure_of(h))).collect();
    for c in leavers.keys().chain(progressed.keys()).chain(moves_by_cell.keys()) {
        exposure.entry(c.clone()).or_insert(0.0);
    }

    let get = |m: &BTreeMap<CellKey, f64>, c: &CellKey| m.get(c).copied().unwrap_or(0.0);
    let unexposed = exposure
        .iter()
        .filter(|(c, e)| **e == 0.0 && get(&leavers, c) + get(&progressed, c) + get(&moves_by_cell, c) > 0.0)
        .count();
    if unexposed > 0 {
        notes.push(format!(
            "{unexposed} cells have leavers, progressions or transfers but no staff in post at the snapshots \
             of the periods with flows: their exposed to risk is taken as their events, and their rates \
             come mostly from the prior"
        ));
    }
    let attrition: Vec<(CellKey, f64, f64)> = exposure.iter().map(|(c, &e)| (c.clone(), get(&leavers, c), e)).collect();
    let progression: Vec<(CellKey, f64, f64)> = exposure
        .iter()
        .filter(|(c, _)| c.band != Band::B9)
        .map(|(c, &e)| (c.clone(), get(&progressed, c), e))
        .collect();
    calibration.attrition = Some(pool("attrition", "leavers", &attrition, by_region));
    if !progression.is_empty() {
        calibration.progression = Some(pool("progression", "progressed", &progression, by_region));
    }

    calibration.transfers = transfers(&moves, &exposure);
    estimate_joiners(history, &periods, years, (&joined, &joined_per_period, &joined_at), key, calibration, notes);
    Ok(())
}

/// Transfers: per (from, to), over every cell of the from role (Jeffreys posterior).
fn transfers(moves: &BTreeMap<(String, String), f64>, exposure: &BTreeMap<CellKey, f64>) -> Vec<TransferEstimate> {
    let mut out = Vec::new();
    let mut role_exposure: BTreeMap<&str, f64> = BTreeMap::new();
    for (c, &e) in exposure {
        *role_exposure.entry(c.role.as_str()).or_default() += e;
    }
    for ((from, to), &k) in moves {
        if k <= 0.0 {
            continue;
        }
        let e = role_exposure.get(from.as_str()).copied().unwrap_or(0.0);
        let n = exposed(k, e);
        let (mean, sd) = beta_moments(0.5 + k, 0.5 + n - k);
        out.push(TransferEstimate { from: from.clone(), to: to.clone(), events: k, exposure: e, exposed: n, mean, sd });
    }

    out
}
