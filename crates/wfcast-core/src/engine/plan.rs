//! Which cells a run must visit: those that can ever hold staff, found once per model, so
//! that a step costs what its occupied cells cost and not what the dense grid costs.
use crate::model::{Model, ZERO};

/// The cells a run visits and where each cell's streams live.
#[derive(Clone, Debug)]
pub(super) struct CellPlan {
    /// Cells that can hold staff at some step, ascending: occupied at the baseline, entered by
    /// a supply or vacancy-fill route, or reached from those by progression or a transfer.
    pub active: Vec<usize>,
    /// For each transfer source (`Model::transfer_from`), its index in `active`, if it is there.
    pub transfer_slot: Vec<Option<usize>>,
    /// Cells that send or receive transfers (their flows are reset each step).
    pub transfer_cells: Vec<usize>,
    /// Cells any vacancy-fill route recruits into, ascending (their own streams follow the
    /// cells' streams, in this order).
    pub fill_cells: Vec<usize>,
    /// Cells that can have demand: staff or an establishment at the baseline, or a demand
    /// change. Every other cell's demand is zero at every step.
    pub demand_cells: Vec<usize>,
    /// Cells that may have anything to report (`active` and `demand_cells`), ascending.
    pub reported: Vec<usize>,
    /// For each vacancy-fill route, the cells it can ever hire into (those with demand: staff or
    /// an establishment at the baseline, or a demand change), each with its stream (an index
    /// into the streams). Other cells never have an open post.
    pub fill_slots: Vec<Vec<(usize, usize)>>,
}

impl CellPlan {
    /// The plan of `model`.
    pub fn new(model: &Model) -> CellPlan {
        let n = model.grid.len();
        let mut reach = vec![false; n];
        for (c, h) in model.h0.iter().enumerate() {
            reach[c] = *h > 0.0;
        }
        for route in &model.routes {
            route.entry_cells.iter().for_each(|&c| reach[c] = true);
        }
        for route in &model.fills {
            route.cells.iter().for_each(|&c| reach[c] = true);
        }
        // Close under progression and transfers: cells are in role-major, band-minor order and
        // progression goes up a band, so one pass up the grid per round of transfers suffices.
        let mut links_from: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, &from) in model.transfer_from.iter().enumerate() {
            for j in model.transfer_start[i]..model.transfer_start[i + 1] {
                links_from[from].push(model.transfer_links[j].0);
            }
        }
        loop {
            let mut grew = false;
            for c in 0..n {
                if !reach[c] {
                    continue;
                }
                if model.progression[c] != ZERO
                    && let Some(up) = model.grid.next_band(c)
                    && !reach[up]
                {
                    reach[up] = true;
                    grew = true;
                }
                for &to in &links_from[c] {
                    if !reach[to] {
                        reach[to] = true;
                        grew = true;
                    }
                }
            }
            if !grew {
                break;
            }
        }
        let active: Vec<usize> = (0..n).filter(|&c| reach[c]).collect();
        let mut slot = vec![usize::MAX; n];
        for (i, &c) in active.iter().enumerate() {
            slot[c] = i;
        }
        let transfer_slot = model.transfer_from.iter().map(|&c| (slot[c] != usize::MAX).then_some(slot[c])).collect();
        let mut transfer_cells: Vec<usize> = model.transfer_from.clone();
        transfer_cells.extend(model.transfer_links.iter().map(|l| l.0));
        transfer_cells.sort_unstable();
        transfer_cells.dedup();
        let mut fill_cells: Vec<usize> = model.fills.iter().flat_map(|r| r.cells.iter().copied()).collect();
        fill_cells.sort_unstable();
        fill_cells.dedup();
        let mut demand = vec![false; n];
        for c in 0..n {
            demand[c] = match &model.establishment {
                Some(e) => e[c] > 0.0,
                None => model.h0[c] > 0.0,
            };
        }
        for change in &model.changes {
            change.cells.iter().for_each(|&c| demand[c] = true);
        }
        let fill_slots = model
            .fills
            .iter()
            .map(|r| {
                r.cells
                    .iter()
                    .filter(|&&c| demand[c])
                    .map(|&c| (c, active.len() + fill_cells.binary_search(&c).expect("a fill cell is listed")))
                    .collect()
            })
            .collect();
        let demand_cells: Vec<usize> = (0..n).filter(|&c| demand[c]).collect();
        let reported = (0..n).filter(|&c| demand[c] || reach[c]).collect();
        CellPlan { active, transfer_slot, transfer_cells, fill_cells, fill_slots, demand_cells, reported }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::band::Band;
    use crate::baseline::{Baseline, BaselineRow};
    use crate::scenario::Scenario;
    use std::path::Path;

    #[test]
    fn the_plan_visits_occupied_cells_and_what_they_reach_and_nothing_else() {
        let text = "name = \"t\"\nbaseline = \"b.csv\"\nstart = \"2025-03\"\n\
                    [progression]\ndefault = 0.1\n[[progression.rule]]\nband = \"7\"\nrate = 0\n\
                    [[transfer]]\nfrom = \"A\"\nto = \"B\"\nrate = 0.05\n";
        let scenario = Scenario::from_toml(text, Path::new("t.toml")).unwrap();
        let row = |role: &str, band: &str, region: &str| BaselineRow {
            role: role.into(),
            band: Band::parse(band).unwrap(),
            region: region.into(),
            headcount: 4.0,
            fte: 4.0,
            establishment_fte: None,
        };
        let rows = vec![row("A", "5", "North"), row("B", "8a", "South"), row("C", "3", "North")];
        let model = Model::compile(&scenario, &Baseline::from_rows("b.csv", rows), None).unwrap();
        let g = &model.grid;
        let name = |c: usize| format!("{} {} {}", g.roles[g.role_of(c)], g.band_of(c), g.regions[g.region_of(c)]);
        let plan = CellPlan::new(&model);
        let active: Vec<String> = plan.active.iter().map(|&c| name(c)).collect();
        // Up the bands from each occupied cell (a rate of 0 is still a rate: it may be drawn
        // otherwise, so band 7 does not stop the climb), and A's moves to B at A's bands.
        let bands = |from: usize| Band::ALL[from..].iter().map(|b| b.label().to_string()).collect::<Vec<_>>();
        let mut expected = vec![];
        for (role, region, from) in [("A", "North", 3), ("B", "North", 3), ("B", "South", 6), ("C", "North", 1)] {
            expected.extend(bands(from).into_iter().map(|b| format!("{role} {b} {region}")));
        }
        let mut sorted = active.clone();
        sorted.sort();
        expected.sort();
        assert_eq!(sorted, expected);
        assert!(plan.active.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(plan.demand_cells.len(), 3);
    }
}
