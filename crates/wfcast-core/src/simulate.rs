//! Simulated ESR history: one stochastic run of a scenario written as snapshots and flow counts.
//!
//! A history made from known rates is what calibration is tested against (does it give the
//! rates back?), and it is how the project's illustrative history in `seeds/` was made.
//! Snapshots are taken at the scenario's reporting dates (every `report_month` and the end);
//! the flows of each period are the run's leavers, progressions, transfers (per destination
//! role) and joiners (every supply route together) since the snapshot before.
use crate::baseline::{Baseline, BaselineRow, DEFAULT_REGION};
use crate::engine::{Engine, Mode, Recorder, Snapshot, StepFlows};
use crate::error::Result;
use crate::history::{FlowKind, FlowRow, History};
use crate::model::Model;
use std::path::PathBuf;

/// Runs run `run` of `seed` of `model` (stochastically, so every count is a whole number) and
/// returns it as a history; `path` is recorded as the history's file.
pub fn simulate_history(model: &Model, seed: u64, run: u64, path: impl Into<PathBuf>) -> Result<History> {
    let path = path.into();
    let mut recorder = HistoryRecorder::new(model);
    Engine::new(model).run(seed, run, Mode::Stochastic, &mut recorder)?;
    let has_region = !(model.grid.regions.len() == 1 && model.grid.regions[0] == DEFAULT_REGION);
    let snapshots = recorder
        .snapshots
        .into_iter()
        .map(|rows| {
            let mut b = Baseline::from_rows(path.clone(), rows);
            b.has_region = has_region;
            b.has_establishment = true;
            b
        })
        .collect();
    let mut flows = recorder.flows;
    flows.sort_by(|a, b| {
        (a.date, &a.role, a.band, &a.region, &a.kind).cmp(&(b.date, &b.role, b.band, &b.region, &b.kind))
    });
    Ok(History {
        path,
        flows_path: None,
        dates: model.report_dates(),
        snapshots,
        flows: Some(flows),
        warnings: Vec::new(),
    })
}

/// `x` to two decimal places, as ESR reports FTE.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Collects snapshots at reporting dates and the flows between them.
struct HistoryRecorder<'m> {
    model: &'m Model,
    snapshots: Vec<Vec<BaselineRow>>,
    flows: Vec<FlowRow>,
    /// Movers along each transfer link since the last snapshot.
    moved: Vec<f64>,
    /// Leavers, progressions and joiners per cell since the last snapshot (a history's flows
    /// are those between its snapshots, where a report's may reach back 12 months).
    since: [Vec<f64>; 3],
}

impl<'m> HistoryRecorder<'m> {
    fn new(model: &'m Model) -> Self {
        HistoryRecorder {
            model,
            snapshots: Vec::new(),
            flows: Vec::new(),
            moved: vec![0.0; model.transfer_links.len()],
            since: std::array::from_fn(|_| vec![0.0; model.grid.len()]),
        }
    }
}

impl Recorder for HistoryRecorder<'_> {
    fn record(&mut self, date: usize, s: &Snapshot<'_>) {
        let m = self.model;
        let g = &m.grid;
        let month = m.month_at(m.report_steps[date]);
        let names = |c: usize| (g.roles[g.role_of(c)].clone(), g.band_of(c), g.regions[g.region_of(c)].clone());
        let mut rows = Vec::new();
        for c in 0..g.len() {
            if s.headcount[c] > 0.0 || s.demand[c] > 0.0 {
                let (role, band, region) = names(c);
                rows.push(BaselineRow {
                    role,
                    band,
                    region,
                    headcount: s.headcount[c],
                    fte: cents(s.headcount[c] * s.phi[c]),
                    establishment_fte: Some(cents(s.demand[c])),
                });
            }
        }
        self.snapshots.push(rows);
        if date == 0 {
            return;
        }
        let mut push = |c: usize, kind: FlowKind, count: f64| {
            if count > 0.0 {
                let (role, band, region) = names(c);
                self.flows.push(FlowRow { date: month, role, band, region, kind, count });
            }
        };
        let [leavers, progressed, joiners] = &self.since;
        for c in 0..g.len() {
            push(c, FlowKind::Leavers, leavers[c]);
            push(c, FlowKind::Progressed, progressed[c]);
            push(c, FlowKind::Joiners, joiners[c]);
        }
        for (i, &from) in m.transfer_from.iter().enumerate() {
            for j in m.transfer_start[i]..m.transfer_start[i + 1] {
                let to = g.roles[g.role_of(m.transfer_links[j].0)].clone();
                push(from, FlowKind::Transfer { to }, self.moved[j]);
            }
        }
        self.moved.fill(0.0);
        self.since.iter_mut().for_each(|v| v.fill(0.0));
    }

    fn observe_step(&mut self, _step: usize, _headcount: &[f64], flows: &StepFlows) {
        for (total, &moved) in self.moved.iter_mut().zip(&flows.transfers) {
            *total += moved;
        }
        let [leavers, progressed, joiners] = &mut self.since;
        for c in 0..leavers.len() {
            leavers[c] += flows.leavers[c];
            progressed[c] += flows.prog_out[c];
            joiners[c] += flows.entrants[c] + flows.hires[c];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::band::Band;
    use crate::scenario::Scenario;
    use std::path::Path;

    fn model() -> Model {
        let rows = ["A", "B"]
            .iter()
            .flat_map(|role| {
                [Band::B5, Band::B6].map(|band| BaselineRow {
                    role: role.to_string(),
                    band,
                    region: DEFAULT_REGION.to_string(),
                    headcount: 400.0,
                    fte: 380.0,
                    establishment_fte: None,
                })
            })
            .collect();
        let mut baseline = Baseline::from_rows("staff.csv", rows);
        baseline.has_region = false;
        let scenario = Scenario::from_toml(
            r#"
name = "truth"
baseline = "staff.csv"
start = "2019-03"
end = "2022-03"
[attrition]
default = 0.1
[progression]
default = 0.05
[[transfer]]
from = "A"
to = "B"
rate = 0.03
[[supply]]
name = "Hires"
intake = 120
entry = [ { role = "A", band = "5" } ]
[demand]
vacancy_rate = 0.1
growth = 0.04
"#,
            Path::new("truth.toml"),
        )
        .unwrap();
        Model::compile(&scenario, &baseline, None).unwrap()
    }

    #[test]
    fn flows_between_snapshots_account_for_every_change_of_stock() {
        let m = model();
        let h = simulate_history(&m, 7, 0, "history.csv").unwrap();
        let dates: Vec<String> = h.dates.iter().map(|d| d.to_string()).collect();
        assert_eq!(dates, ["2019-03", "2020-03", "2021-03", "2022-03"]);
        let flows = h.flows.as_ref().unwrap();
        let hc = |i: usize, role: &str, band: Band| {
            h.snapshots[i].get(role, band, DEFAULT_REGION).map_or(0.0, |r| r.headcount)
        };
        let flow = |i: usize, role: &str, band: Band, kind: &FlowKind| -> f64 {
            flows
                .iter()
                .filter(|f| f.date == h.dates[i] && f.role == role && f.band == band && &f.kind == kind)
                .map(|f| f.count)
                .sum()
        };
        let to_b = FlowKind::Transfer { to: "B".into() };
        for i in 1..h.dates.len() {
            for role in ["A", "B"] {
                for band in [Band::B5, Band::B6, Band::B7] {
                    let below = band.index().checked_sub(1).map(|b| Band::ALL[b]);
                    let prog_in = below.map_or(0.0, |b| flow(i, role, b, &FlowKind::Progressed));
                    let trans_in = if role == "B" { flow(i, "A", band, &to_b) } else { 0.0 };
                    let expected = hc(i - 1, role, band)
                        - flow(i, role, band, &FlowKind::Leavers)
                        - flow(i, role, band, &FlowKind::Progressed)
                        - flow(i, role, band, &to_b)
                        + prog_in
                        + trans_in
                        + flow(i, role, band, &FlowKind::Joiners);
                    assert_eq!(hc(i, role, band), expected, "{role} band {band} at {}", h.dates[i]);
                }
            }
            // Some of every flow happened.
            for kind in [FlowKind::Leavers, FlowKind::Progressed, FlowKind::Joiners, to_b.clone()] {
                assert!(flow(i, "A", Band::B5, &kind) > 0.0, "{kind:?} at {}", h.dates[i]);
            }
        }
        // Establishment is demand: 400 * 0.95 / 0.9 per cell, growing 4% a year.
        let est = h.snapshots[3].get("A", Band::B5, DEFAULT_REGION).unwrap().establishment_fte.unwrap();
        assert!((est - 380.0 / 0.9 * 1.04f64.powi(3)).abs() <= 0.005, "{est}");
    }

    #[test]
    fn the_same_seed_and_run_give_the_same_history() {
        let m = model();
        assert_eq!(simulate_history(&m, 7, 3, "h.csv").unwrap(), simulate_history(&m, 7, 3, "h.csv").unwrap());
        assert_ne!(simulate_history(&m, 7, 3, "h.csv").unwrap(), simulate_history(&m, 7, 4, "h.csv").unwrap());
    }
}
