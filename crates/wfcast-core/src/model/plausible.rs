//! Amounts checked against the cells they feed, on the compiled model (issue 9): a demand
//! change that would take demand below zero is refused, and an amount far out of scale with
//! its cells' baseline (an intake above half the staff in post where it enters, a demand
//! change above the demand of its cells) is warned about, since it is most often written for
//! another baseline or with a slipped digit.
//!
//! Every check works on the model's indices and the means of its parameters; cells that are
//! all empty at the baseline are left out of the warnings (a new role filling from nothing
//! is not implausible).

use super::compiler::error_at;
use super::{Model, Route};
use crate::band::Band;
use crate::error::Result;
use crate::scenario::{Origin, Scenario};
use std::collections::{BTreeMap, BTreeSet};

/// An intake above this share of the staff in post in its entry cells is warned about.
const INTAKE_SHARE: f64 = 0.5;

/// `model` with its amounts checked: refused where a demand change takes demand below zero,
/// with a warning for each implausible amount otherwise.
pub(super) fn checked(scenario: &Scenario, mut model: Model) -> Result<Model> {
    let d0 = baseline_demand(&model);
    refuse_negative_demand(scenario, &model, &d0)?;
    let mut warnings = intake_warnings(scenario, &model);
    warnings.extend(change_warnings(scenario, &model, &d0));
    model.warnings.extend(warnings);
    Ok(model)
}

/// Baseline demand per cell, as the engine computes it at the parameters' means: the
/// establishment where the baseline gives it, else `H0 * phi / (1 - vacancy rate)`.
pub(super) fn baseline_demand(m: &Model) -> Vec<f64> {
    (0..m.grid.len())
        .map(|c| match &m.establishment {
            Some(e) => e[c],
            None => m.h0[c] * m.phi[c] / (1.0 - m.params[m.vacancy[c]].dist.mean().min(1.0 - 1e-9)),
        })
        .collect()
}

/// How change `cells` is shared among its cells: in proportion to their baseline demand,
/// evenly when they have none (as the engine shares it).
fn change_weights(cells: &[usize], d0: &[f64]) -> Vec<f64> {
    let total: f64 = cells.iter().map(|&c| d0[c]).sum();
    cells.iter().map(|&c| if total > 0.0 { d0[c] / total } else { 1.0 / cells.len() as f64 }).collect()
}

/// The origin of demand change `i`, if it has one.
fn change_origin(scenario: &Scenario, i: usize) -> Option<&Origin> {
    scenario.spec.demand.as_ref().and_then(|d| d.change.get(i)).map(|ch| &ch.origin)
}

/// How an item is named in a warning: its key (`demand.change[0]`), or `what` without one.
fn item_name(origin: Option<&Origin>, what: &str) -> String {
    origin.filter(|o| !o.key.is_empty()).map_or_else(|| what.to_string(), |o| o.key.clone())
}

/// Refuses the first demand change (in scenario order) after which the demand of one of its
/// cells falls below zero at some step end, counting the earlier changes on that cell.
fn refuse_negative_demand(scenario: &Scenario, m: &Model, d0: &[f64]) -> Result<()> {
    // Per touched cell, what the changes so far add by the end of each step. Demand within a
    // millionth of an FTE of zero is zero (amounts are often written rounded).
    let mut added: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for (i, ch) in m.changes.iter().enumerate() {
        let amount = m.params[ch.amount].dist.mean();
        let before: BTreeMap<usize, Vec<f64>> = ch
            .cells
            .iter()
            .map(|&c| (c, added.get(&c).cloned().unwrap_or_else(|| vec![0.0; ch.share.len()])))
            .collect();
        let mut worst: Option<usize> = None;
        for (&c, w) in ch.cells.iter().zip(change_weights(&ch.cells, d0)) {
            let row = added.entry(c).or_insert_with(|| vec![0.0; ch.share.len()]);
            for (k, a) in row.iter_mut().enumerate() {
                *a += amount * w * ch.share[k];
                if d0[c] + *a < -1e-6 * d0[c].max(1.0) && worst.is_none_or(|j| k < j) {
                    worst = Some(k);
                }
            }
        }
        let Some(k) = worst else { continue };
        let baseline: f64 = ch.cells.iter().map(|&c| d0[c]).sum();
        let earlier: f64 = ch.cells.iter().map(|&c| before[&c][k]).sum();
        let with_earlier = if earlier.abs() > 1e-9 {
            format!(", {} FTE with the earlier changes on them by {}", amount_text(baseline + earlier), m.month_at(k))
        } else {
            String::new()
        };
        let origin = change_origin(scenario, i);
        return Err(error_at(
            &scenario.path,
            origin,
            "add_fte",
            format!(
                "a change of {} FTE would take demand below zero by {}: its cells ({}) have a baseline demand of {} FTE{with_earlier}; expected a change that leaves demand at 0 or more",
                amount_text(amount),
                m.month_at(k),
                cells_text(m, &ch.cells),
                amount_text(baseline),
            ),
        ));
    }
    Ok(())
}

/// A warning for each pipeline route whose annual intake (its mean) into the entry cells
/// that have staff is above half of their staff in post.
fn intake_warnings(scenario: &Scenario, m: &Model) -> Vec<String> {
    m.routes
        .iter()
        .filter_map(|r: &Route| {
            let staffed: Vec<usize> = (0..r.entry_cells.len()).filter(|&i| m.h0[r.entry_cells[i]] > 0.0).collect();
            let staff: f64 = staffed.iter().map(|&i| m.h0[r.entry_cells[i]]).sum();
            let share: f64 = staffed.iter().map(|&i| r.entry_probs[i]).sum();
            let intake = m.params[r.intake].dist.mean();
            if staff == 0.0 || intake * share <= INTAKE_SHARE * staff {
                return None;
            }
            let origin = scenario.spec.supply.iter().find(|s| s.name == r.name).map(|s| &s.origin);
            let cells: Vec<usize> = staffed.iter().map(|&i| r.entry_cells[i]).collect();
            let part = if share < 1.0 - 1e-9 {
                format!(", {} of it into cells with staff,", amount_text(intake * share))
            } else {
                String::new()
            };
            Some(format!(
                "{} `{}`: an intake of {} a year{part} is more than half of the {} staff in post in its entry cells ({}): check it is meant for this baseline",
                item_name(origin, "supply route"),
                r.name,
                amount_text(intake),
                amount_text(staff),
                cells_text(m, &cells),
            ))
        })
        .collect()
}

/// A warning for each demand change whose amount (its mean, either way) is above the
/// baseline demand of its cells, where they have any.
fn change_warnings(scenario: &Scenario, m: &Model, d0: &[f64]) -> Vec<String> {
    m.changes
        .iter()
        .enumerate()
        .filter_map(|(i, ch)| {
            let amount = m.params[ch.amount].dist.mean();
            let demand: f64 = ch.cells.iter().map(|&c| d0[c]).sum();
            if demand <= 0.0 || amount.abs() <= demand {
                return None;
            }
            let (verb, size) = if amount < 0.0 { ("removes", -amount) } else { ("adds", amount) };
            Some(format!(
                "{}: a change that {verb} {} FTE is more than the baseline demand of its cells ({}), {} FTE: check it is meant for this baseline",
                item_name(change_origin(scenario, i), "a demand change"),
                amount_text(size),
                cells_text(m, &ch.cells),
                amount_text(demand),
            ))
        })
        .collect()
}

/// An amount for a sentence: whole where it is whole to a tenth, else to one decimal, with
/// thousands separated by commas (`8,000`, `787.3`, `-5,000`).
fn amount_text(x: f64) -> String {
    let tenths = (x.abs() * 10.0).round() as u64;
    let whole = (tenths / 10).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if x < 0.0 && tenths > 0 { "-" } else { "" };
    match tenths % 10 {
        0 => format!("{sign}{grouped}"),
        d => format!("{sign}{grouped}.{d}"),
    }
}

/// Cells for a sentence: each role with its bands (none when it has them all), then the
/// regions when not all of them (`Data Science band 5; Analyst bands 5, 6 in London`).
fn cells_text(m: &Model, cells: &[usize]) -> String {
    let g = &m.grid;
    let mut roles: Vec<(usize, BTreeSet<Band>)> = Vec::new();
    let mut regions: BTreeSet<usize> = BTreeSet::new();
    for &c in cells {
        let role = g.role_of(c);
        match roles.iter_mut().find(|(r, _)| *r == role) {
            Some((_, bands)) => {
                bands.insert(g.band_of(c));
            }
            None => roles.push((role, BTreeSet::from([g.band_of(c)]))),
        }
        regions.insert(g.region_of(c));
    }
    const SHOWN: usize = 4;
    let mut parts: Vec<String> = roles
        .iter()
        .take(SHOWN)
        .map(|(r, bands)| {
            let labels: Vec<&str> = bands.iter().map(|b| b.label()).collect();
            match labels.as_slice() {
                _ if bands.len() == Band::COUNT => g.roles[*r].clone(),
                [one] => format!("{} band {one}", g.roles[*r]),
                many => format!("{} bands {}", g.roles[*r], many.join(", ")),
            }
        })
        .collect();
    if roles.len() > SHOWN {
        parts.push(format!("and {} more roles", roles.len() - SHOWN));
    }
    let mut text = parts.join("; ");
    if regions.len() < g.regions.len() {
        let names: Vec<&str> = regions.iter().map(|&x| g.regions[x].as_str()).collect();
        text.push_str(&format!(" in {}", names.join(", ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::amount_text;

    #[test]
    fn amounts_read_as_a_person_writes_them() {
        assert_eq!(amount_text(124.0), "124");
        assert_eq!(amount_text(8000.0), "8,000");
        assert_eq!(amount_text(-5000.0), "-5,000");
        assert_eq!(amount_text(787.26), "787.3");
        assert_eq!(amount_text(1_234_567.04), "1,234,567");
        assert_eq!(amount_text(-0.01), "0");
    }
}
