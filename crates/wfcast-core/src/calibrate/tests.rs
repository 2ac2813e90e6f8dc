//! Tests of the calibration: estimates recovered from known rates, and the fragment.

use super::text::*;
use super::*;
use crate::baseline::{Baseline, BaselineRow, DEFAULT_REGION};
use crate::history::FlowRow;
use crate::model::Model;
use crate::sampling::{WfRng, binomial, key_hash, multinomial, poisson, prob_per_step, stream};
use crate::scenario::{Scenario, ScenarioFile, SupplyKind, merge};
use rand_distr::{Distribution, StandardNormal};
use std::path::Path;

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

fn row(role: &str, band: Band, region: &str, headcount: f64, establishment: Option<f64>) -> BaselineRow {
    BaselineRow {
        role: role.to_string(),
        band,
        region: region.to_string(),
        headcount,
        fte: headcount,
        establishment_fte: establishment,
    }
}

fn flow(date: Month, role: &str, band: Band, region: &str, kind: FlowKind, count: f64) -> FlowRow {
    FlowRow { date, role: role.to_string(), band, region: region.to_string(), kind, count }
}

/// Appends the fragment to a scenario header, parses it and compiles it against the
/// history's last snapshot.
fn compile(history: &History, calibration: &Calibration) -> Scenario {
    let text = format!(
        "name = \"calibrated\"\nbaseline = \"baseline.csv\"\nstart = \"{}\"\n{}",
        history.dates.last().unwrap(),
        calibration.to_toml()
    );
    let scenario = Scenario::from_toml(&text, Path::new("calibrated.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"));
    Model::compile(&scenario, history.snapshots.last().unwrap(), None).unwrap_or_else(|e| panic!("{e}\n{text}"));
    scenario
}

/// A workforce with known rates, to simulate a history from.
struct World {
    roles: Vec<String>,
    bands: Vec<Band>,
    regions: Vec<String>,
    /// Per cell (role, band, region), in that nesting order.
    attrition: Vec<f64>,
    progression: Vec<f64>,
    start: Vec<u64>,
    /// (from role, to role, annual probability), every band and region.
    transfers: Vec<(usize, usize, f64)>,
    intake: f64,
    entry: Vec<f64>,
}

impl World {
    fn cells(&self) -> usize {
        self.roles.len() * self.bands.len() * self.regions.len()
    }

    fn cell(&self, r: usize, b: usize, g: usize) -> usize {
        (r * self.bands.len() + b) * self.regions.len() + g
    }

    fn parts(&self, c: usize) -> (usize, usize, usize) {
        let g = c % self.regions.len();
        let b = (c / self.regions.len()) % self.bands.len();
        (c / (self.regions.len() * self.bands.len()), b, g)
    }

    fn key(&self, c: usize, by_region: bool) -> CellKey {
        let (r, b, g) = self.parts(c);
        CellKey { role: self.roles[r].clone(), band: self.bands[b], region: by_region.then(|| self.regions[g].clone()) }
    }

    /// Steps the world monthly in the engine's order (leavers, progression, transfers,
    /// joiners) for `years` years, with a snapshot and flow counts every 12 months.
    // Cell-index loops, as the engine's phases read.
    #[allow(clippy::needless_range_loop)]
    fn simulate(&self, seed: u64, years: usize) -> History {
        let mut rng: WfRng = stream(seed, 0, key_hash(&["simulated history"]));
        let n = self.cells();
        let monthly = |p: &[f64]| p.iter().map(|&p| prob_per_step(p, 1)).collect::<Vec<f64>>();
        let (a, u) = (monthly(&self.attrition), monthly(&self.progression));
        let moves: Vec<Vec<(usize, f64)>> = (0..self.roles.len())
            .map(|r| self.transfers.iter().filter(|t| t.0 == r).map(|t| (t.1, prob_per_step(t.2, 1))).collect())
            .collect();
        let entry_total: f64 = self.entry.iter().sum();
        let entry: Vec<f64> = self.entry.iter().map(|e| e / entry_total).collect();
        let mut h = self.start.clone();
        let first = month("2019-03");
        let mut dates = vec![first];
        let mut snapshots = vec![self.snapshot(first, &h)];
        let mut flows = Vec::new();
        for year in 1..=years {
            let date = Month(first.0 + 12 * year as i32);
            let mut leavers = vec![0u64; n];
            let mut progressed = vec![0u64; n];
            let mut joiners = vec![0u64; n];
            let mut moved: BTreeMap<(usize, usize), u64> = BTreeMap::new();
            for _ in 0..12 {
                for c in 0..n {
                    let l = binomial(&mut rng, h[c], a[c]);
                    h[c] -= l;
                    leavers[c] += l;
                }
                let up: Vec<u64> = (0..n).map(|c| binomial(&mut rng, h[c], u[c])).collect();
                for c in 0..n {
                    if up[c] > 0 {
                        let (r, b, g) = self.parts(c);
                        h[c] -= up[c];
                        h[self.cell(r, b + 1, g)] += up[c];
                        progressed[c] += up[c];
                    }
                }
                let mut arrivals = vec![0u64; n];
                for c in 0..n {
                    let (r, b, g) = self.parts(c);
                    if moves[r].is_empty() {
                        continue;
                    }
                    let probs: Vec<f64> = moves[r].iter().map(|m| m.1).collect();
                    let mut out = vec![0u64; probs.len()];
                    multinomial(&mut rng, h[c], &probs, &mut out);
                    for (i, &k) in out.iter().enumerate() {
                        h[c] -= k;
                        arrivals[self.cell(moves[r][i].0, b, g)] += k;
                        *moved.entry((c, moves[r][i].0)).or_default() += k;
                    }
                }
                let intake = poisson(&mut rng, self.intake / 12.0);
                let mut into = vec![0u64; n];
                multinomial(&mut rng, intake, &entry, &mut into);
                for c in 0..n {
                    h[c] += arrivals[c] + into[c];
                    joiners[c] += into[c];
                }
            }
            for c in 0..n {
                let (r, b, g) = self.parts(c);
                let (role, band, region) = (&self.roles[r], self.bands[b], &self.regions[g]);
                for (kind, count) in [
                    (FlowKind::Leavers, leavers[c]),
                    (FlowKind::Progressed, progressed[c]),
                    (FlowKind::Joiners, joiners[c]),
                ] {
                    if count > 0 {
                        flows.push(flow(date, role, band, region, kind, count as f64));
                    }
                }
            }
            for (&(c, to), &k) in &moved {
                if k > 0 {
                    let (r, b, g) = self.parts(c);
                    let kind = FlowKind::Transfer { to: self.roles[to].clone() };
                    flows.push(flow(date, &self.roles[r], self.bands[b], &self.regions[g], kind, k as f64));
                }
            }
            dates.push(date);
            snapshots.push(self.snapshot(date, &h));
        }
        History {
            path: PathBuf::from("history.csv"),
            flows_path: Some(PathBuf::from("flows.csv")),
            dates,
            snapshots,
            flows: Some(flows),
            warnings: Vec::new(),
        }
    }

    fn snapshot(&self, date: Month, h: &[u64]) -> Baseline {
        let rows = (0..self.cells())
            .map(|c| {
                let (r, b, g) = self.parts(c);
                row(&self.roles[r], self.bands[b], &self.regions[g], h[c] as f64, None)
            })
            .collect();
        let mut baseline = Baseline::from_rows(format!("snapshot {date}"), rows);
        baseline.has_region = self.regions.len() > 1;
        baseline.has_fte = false;
        baseline
    }
}

/// 12 roles x 6 bands (7 to 9) in one region: attrition 5%..20% and progression by
/// role and band main effects with cell-level noise on top, four transfer routes and
/// joiners into bands 7 and 8a.
fn national_world(seed: u64) -> World {
    let mut rng: WfRng = stream(seed, 0, key_hash(&["true rates"]));
    let roles: Vec<String> = (1..=12).map(|i| format!("Role {i:02}")).collect();
    let bands = vec![Band::B7, Band::B8a, Band::B8b, Band::B8c, Band::B8d, Band::B9];
    let regions = vec![DEFAULT_REGION.to_string()];
    let band_attrition = [1.25, 1.1, 1.0, 0.9, 0.85, 0.8];
    let band_progression = [1.3, 1.1, 1.0, 0.8, 0.6, 0.0];
    let (mut attrition, mut progression, mut start, mut entry) = (vec![], vec![], vec![], vec![]);
    for r in 0..roles.len() {
        let role_factor = 0.7 + 0.6 * r as f64 / 11.0;
        let role_progression = 1.2 - 0.4 * ((r * 5) % 12) as f64 / 11.0;
        for b in 0..bands.len() {
            let z: f64 = StandardNormal.sample(&mut rng);
            attrition.push((0.11 * role_factor * band_attrition[b] * (0.12 * z).exp()).clamp(0.05, 0.20));
            let z: f64 = StandardNormal.sample(&mut rng);
            progression.push(0.09 * role_progression * band_progression[b] * (0.12 * z).exp());
            start.push(90 + ((r * 37 + b * 53) % 70) as u64);
            entry.push(if b < 2 { 1.0 + (r % 3) as f64 } else { 0.0 });
        }
    }
    World {
        roles,
        bands,
        regions,
        attrition,
        progression,
        start,
        transfers: vec![(0, 1, 0.04), (2, 3, 0.03), (5, 4, 0.02), (7, 0, 0.05)],
        intake: 1400.0,
        entry,
    }
}

/// The share of cells whose truth is within 2 posterior sds and within the 90% interval.
fn coverage(world: &World, rates: &RateEstimates, truth: &[f64]) -> (f64, f64, usize) {
    let (mut within_2sd, mut within_90, mut count) = (0, 0, 0);
    for (c, &p) in truth.iter().enumerate() {
        let key = world.key(c, false);
        let Some(e) = rates.cells.iter().find(|e| e.cell == key) else {
            assert_eq!(key.band, Band::B9, "no estimate for {key:?}");
            continue;
        };
        count += 1;
        let z = (e.mean - p).abs() / e.sd;
        within_2sd += (z <= 2.0) as usize;
        within_90 += (z <= 1.645) as usize;
    }
    (within_2sd as f64 / count as f64, within_90 as f64 / count as f64, count)
}

#[test]
fn known_rates_are_recovered_with_honest_uncertainty() {
    // Five simulated histories of 72 cells each: 360 attrition and 300 progression rates.
    let (mut a2, mut a90, mut na, mut p2, mut p90, mut np) = (0.0, 0.0, 0, 0.0, 0.0, 0);
    let mut report = String::new();
    for seed in 1..=5 {
        let world = national_world(seed);
        let history = world.simulate(100 + seed, 6);
        let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
        let attrition = cal.attrition.as_ref().unwrap();
        let progression = cal.progression.as_ref().unwrap();
        let (a, b, n) = coverage(&world, attrition, &world.attrition);
        (a2, a90, na) = (a2 + a * n as f64, a90 + b * n as f64, na + n);
        let _ = writeln!(report, "seed {seed}: attrition within 2 sd {a:.3}, in 90% interval {b:.3}");
        let (a, b, n) = coverage(&world, progression, &world.progression);
        (p2, p90, np) = (p2 + a * n as f64, p90 + b * n as f64, np + n);
        let _ = writeln!(report, "seed {seed}: progression within 2 sd {a:.3}, in 90% interval {b:.3}");
        assert_eq!((attrition.cells.len(), progression.cells.len()), (72, 60), "no progression from band 9");
        for (from, to, p) in &world.transfers {
            let (from, to) = (&world.roles[*from], &world.roles[*to]);
            let t = cal.transfers.iter().find(|t| (&t.from, &t.to) == (from, to)).unwrap();
            assert!((t.mean - p).abs() <= 3.0 * t.sd, "{t:?}");
            assert!((t.mean - p).abs() <= 0.2 * p, "{t:?}");
        }
        assert_eq!(cal.transfers.len(), world.transfers.len(), "only pairs with moves");
        let joiners = cal.joiners.as_ref().unwrap();
        assert!((joiners.mean - world.intake).abs() <= 3.0 * joiners.sd, "{joiners:?}");
        assert!((joiners.mean - world.intake).abs() <= 0.05 * world.intake, "{joiners:?}");
        assert_eq!(joiners.entries.len(), 24, "bands 7 and 8a of every role");
        assert!((joiners.entries.iter().map(|e| e.share).sum::<f64>() - 1.0).abs() < 1e-12);
        if seed == 1 {
            // The fragment runs and carries every cell.
            let scenario = compile(&history, &cal);
            assert_eq!(scenario.spec.attrition.as_ref().unwrap().rule.len(), 72);
            assert_eq!(scenario.spec.progression.as_ref().unwrap().rule.len(), 60);
            assert_eq!(scenario.spec.transfer.len(), 4);
            assert_eq!(scenario.spec.supply[0].name, JOINERS_ROUTE);
        }
    }
    let (a2, a90, p2, p90) = (a2 / na as f64, a90 / na as f64, p2 / np as f64, p90 / np as f64);
    let _ = writeln!(report, "all: attrition {a2:.3} {a90:.3}, progression {p2:.3} {p90:.3}");
    assert!(a2 >= 0.85 && p2 >= 0.85, "{report}");
    assert!((0.80..=0.98).contains(&a90) && (0.80..=0.98).contains(&p90), "{report}");
    println!("{report}");
}

#[test]
fn exposure_is_the_actuarial_initial_exposed_to_risk() {
    // 10 000 staff, 1 000 leave over a year and nobody joins: 10% a year, where
    // leavers / person-years would say 10.5%.
    let dates = vec![month("2020-03"), month("2021-03")];
    let snapshots = vec![
        Baseline::from_rows("a", vec![row("A", Band::B5, "England", 10_000.0, None)]),
        Baseline::from_rows("b", vec![row("A", Band::B5, "England", 9_000.0, None)]),
    ];
    let flows = vec![flow(dates[1], "A", Band::B5, "England", FlowKind::Leavers, 1000.0)];
    let history = History {
        path: "h.csv".into(),
        flows_path: Some("f.csv".into()),
        dates,
        snapshots,
        flows: Some(flows),
        warnings: Vec::new(),
    };
    let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
    let cell = &cal.attrition.as_ref().unwrap().cells[0];
    assert_eq!((cell.events, cell.exposure, cell.exposed), (1000.0, 9500.0, 10_000.0));
    assert!((cell.mean - 0.1).abs() < 1e-3, "{cell:?}");
    assert!(cell.sd > 0.0 && cell.sd < 0.005, "{cell:?}");
    compile(&history, &cal);
}

/// Two roles x two bands x four regions of about 200 staff with 9%..11% leavers a year,
/// except one cell of 3 staff with no leavers. The second role's name needs escaping.
fn regional_history() -> History {
    let roles = ["Analyst", "Data \"Ops\" \\ Eng"];
    let regions = ["London", "Midlands", "North East", "South West"];
    let dates = vec![month("2021-03"), month("2022-03"), month("2023-03")];
    let mut snapshots = Vec::new();
    let mut flows = Vec::new();
    for (t, &date) in dates.iter().enumerate() {
        let mut rows = Vec::new();
        for (r, role) in roles.iter().enumerate() {
            for (b, band) in [Band::B5, Band::B6].into_iter().enumerate() {
                for (g, region) in regions.iter().enumerate() {
                    let small = r == 0 && b == 0 && g == 2;
                    let heads = if small { 3.0 } else { 200.0 + (r * 7 + b * 3 + g * 5 + t * 2) as f64 };
                    rows.push(row(role, band, region, heads, Some(heads * 1.1)));
                    if t > 0 && !small {
                        let leavers = 18.0 + ((r + 2 * b + 3 * g + t) % 5) as f64;
                        flows.push(flow(date, role, band, region, FlowKind::Leavers, leavers));
                        flows.push(flow(date, role, band, region, FlowKind::Joiners, leavers + 2.0));
                        if b == 0 {
                            flows.push(flow(date, role, band, region, FlowKind::Progressed, 12.0 + g as f64));
                        }
                    }
                }
            }
        }
        snapshots.push(Baseline::from_rows(format!("snapshot {date}"), rows));
    }
    let transfer = FlowKind::Transfer { to: roles[1].to_string() };
    flows.push(flow(dates[2], roles[0], Band::B6, "London", transfer, 4.0));
    History {
        path: "regional.csv".into(),
        flows_path: Some("regional-flows.csv".into()),
        dates,
        snapshots,
        flows: Some(flows),
        warnings: Vec::new(),
    }
}

#[test]
fn a_small_cell_without_leavers_is_pooled_towards_its_role_and_band() {
    let history = regional_history();
    let cal = calibrate(&history, &CalibrateOptions { by_region: true }).unwrap();
    let attrition = cal.attrition.as_ref().unwrap();
    let key = CellKey { role: "Analyst".into(), band: Band::B5, region: Some("North East".into()) };
    let small = attrition.cells.iter().find(|c| c.cell == key).unwrap();
    assert_eq!(small.events, 0.0);
    assert_eq!(small.exposure, 6.0);
    // The rate of the same role and band in the other regions.
    let (k, n) = attrition
        .cells
        .iter()
        .filter(|c| c.cell.role == "Analyst" && c.cell.band == Band::B5 && c.cell != key)
        .fold((0.0, 0.0), |(k, n), c| (k + c.events, n + c.exposed));
    let neighbours = k / n;
    assert!(small.mean > 0.0, "{small:?}");
    assert!((small.mean - neighbours).abs() < 0.2 * neighbours, "{small:?} vs {neighbours}");
    assert!(small.weight > 0.5, "{small:?}");
    assert!(small.pooled());
    let toml = cal.to_toml();
    let line = toml.lines().find(|l| l.contains("band = \"5\", region = \"North East\"")).unwrap();
    assert!(line.contains("rate = { mean = 0.0") && line.contains("pooled") && line.contains("towards"), "{line}");
    let pooled = format!("# Pooled (weight above 0.2): attrition {} of 16 cells", attrition.pooled());
    assert!(toml.contains(&pooled), "{toml}");

    // Without regions, the small cell is summed into its role and band.
    let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
    assert_eq!(cal.attrition.as_ref().unwrap().cells.len(), 4);
    compile(&history, &cal);
}

#[test]
fn the_fragment_parses_and_compiles_with_regions_and_escaped_names() {
    let history = regional_history();
    let cal = calibrate(&history, &CalibrateOptions { by_region: true }).unwrap();
    let scenario = compile(&history, &cal);
    let spec = &scenario.spec;
    assert_eq!(spec.attrition.as_ref().unwrap().rule.len(), 16);
    // Progression: bands 5 and 6; band 6 had none and gets a small pooled rate.
    let progression = spec.progression.as_ref().unwrap();
    assert_eq!(progression.rule.len(), 16);
    let transfer = &spec.transfer[0];
    assert_eq!((transfer.from.as_str(), transfer.to.as_str()), ("Analyst", "Data \"Ops\" \\ Eng"));
    // The establishment, 10% above staff in post, leaves vacancies open: joiners are
    // recruitment, and every joiner went into a cell with open vacancies.
    assert_eq!(spec.supply.len(), 1, "{:?}", spec.supply);
    assert_eq!((spec.supply[0].name.as_str(), spec.supply[0].kind), (RECRUITMENT_ROUTE, SupplyKind::VacancyFill));
    assert!(spec.demand.as_ref().unwrap().growth.is_some());
    // Every parameter resolves as written (compile checked), and rules are sorted.
    let rules = &spec.attrition.as_ref().unwrap().rule;
    let keys: Vec<_> = rules.iter().map(|r| (r.role.clone().unwrap().0, r.band.clone().unwrap().0)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    // Without an establishment: a fixed intake into the cells joined, each with its region.
    let history = with_establishment(regional_history(), |_| None);
    let cal = calibrate(&history, &CalibrateOptions { by_region: true }).unwrap();
    let scenario = compile(&history, &cal);
    let supply = &scenario.spec.supply;
    assert_eq!(supply.len(), 1);
    assert_eq!((supply[0].name.as_str(), supply[0].kind), (JOINERS_ROUTE, SupplyKind::Pipeline));
    assert_eq!(supply[0].entry.len(), 15);
    assert!(supply[0].entry.iter().all(|e| e.region.is_some()));
}

/// `history` with the establishment of each snapshot row replaced by `establishment(row)`.
fn with_establishment(mut history: History, establishment: impl Fn(&BaselineRow) -> Option<f64>) -> History {
    for s in &mut history.snapshots {
        let rows = s.rows.iter().map(|r| BaselineRow { establishment_fte: establishment(r), ..r.clone() }).collect();
        let has_region = s.has_region;
        *s = Baseline::from_rows(s.path.clone(), rows);
        s.has_region = has_region;
    }
    history
}

#[test]
fn joiners_are_a_fixed_intake_without_establishment_or_open_vacancies() {
    // No establishment column: the national world's histories.
    let history = national_world(1).simulate(101, 3);
    let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
    assert!(cal.recruitment.is_none());
    let choice = cal.joiners_choice.as_deref().unwrap();
    assert!(choice.starts_with("a fixed intake") && choice.contains("no establishment_fte"), "{choice}");
    assert!(cal.to_toml().contains("# ---- Joiners: a fixed intake: the snapshots have no establishment_fte"));
    assert!(cal.summary().contains("fixed intake: ") && cal.summary().contains("Joiners are a fixed intake"));
    let scenario = compile(&history, &cal);
    assert_eq!(scenario.spec.supply.len(), 1);
    assert_eq!(scenario.spec.supply[0].name, JOINERS_ROUTE);

    // An establishment a hair above staff in post: under one open post per cell, which is
    // none, so too few vacancy-years to learn a fill rate from.
    let history = with_establishment(regional_history(), |r| Some(r.fte * 1.004));
    let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
    assert!(cal.recruitment.is_none());
    let choice = cal.joiners_choice.as_deref().unwrap();
    assert!(choice.contains("0.0 vacancy-years, 0.00% of the") && choice.contains("too few"), "{choice}");
    let joiners = cal.joiners.as_ref().unwrap();
    assert_eq!(
        joiners.total,
        history.flows.as_ref().unwrap().iter().filter(|f| f.kind == FlowKind::Joiners).map(|f| f.count).sum::<f64>()
    );
    assert!(cal.demand.is_some());
    let scenario = compile(&history, &cal);
    assert_eq!(scenario.spec.supply[0].name, JOINERS_ROUTE);
}

/// A scenario whose recruitment is vacancy-fill at `fill` a year: two roles x bands 5 to 7
/// x two regions with 10% of the establishment vacant and demand growing 3% a year, and an
/// over-established role (its staff in post 25% above its establishment, and growing) that
/// only a fixed intake of 100 a year joins.
fn vacancy_fill_truth(fill: f64) -> Model {
    let mut rows = Vec::new();
    for (r, role) in ["Analysts", "Engineers"].iter().enumerate() {
        for (b, band) in [Band::B5, Band::B6, Band::B7].into_iter().enumerate() {
            for (g, region) in ["North", "South"].iter().enumerate() {
                let heads = (150 + 40 * r + 60 * b + 25 * g) as f64;
                let fte = heads * 0.92;
                rows.push(BaselineRow { fte, ..row(role, band, region, heads, Some(fte / 0.9)) });
            }
        }
    }
    for region in ["North", "South"] {
        rows.push(BaselineRow { fte: 190.0, ..row("Surplus", Band::B5, region, 200.0, Some(150.0)) });
    }
    let baseline = Baseline::from_rows("truth.csv", rows);
    let text = format!(
        r#"
name = "truth"
baseline = "truth.csv"
start = "2019-03"
end = "2025-03"
step = "month"
[attrition]
default = 0.12
[progression]
default = 0.06
[[supply]]
name = "Surplus scheme"
intake = 100
entry = [ {{ role = "Surplus", band = "5" }} ]
[[supply]]
name = "Recruitment"
kind = "vacancy-fill"
fill_rate = {fill}
[demand]
growth = 0.03
"#
    );
    let scenario = Scenario::from_toml(&text, Path::new("truth.toml")).unwrap();
    Model::compile(&scenario, &baseline, None).unwrap()
}

#[test]
fn a_known_fill_rate_is_recovered_from_a_simulated_history() {
    let mut report = String::new();
    for (fill, seed) in [(0.7, 1), (0.7, 2), (0.4, 3), (0.9, 4)] {
        let model = vacancy_fill_truth(fill);
        let history = crate::simulate::simulate_history(&model, seed, 0, "history.csv").unwrap();
        assert_eq!(history.dates.len(), 7);
        let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
        let r = cal.recruitment.as_ref().unwrap_or_else(|| panic!("{:?}", cal.joiners_choice));
        let _ = writeln!(
            report,
            "fill {fill} seed {seed}: {:.4} (sd {:.4}), per period {:?}, other joiners {}",
            r.mean, r.sd, r.per_period, r.other_joiners
        );
        assert!((r.mean - fill).abs() <= 0.05 * fill, "{report}");
        assert!((r.mean - fill).abs() <= 3.0 * r.sd, "{report}");
        assert!(r.sd > 0.0 && r.sd < 0.05, "{report}");
        // The fixed intake went to the over-established role, whose cells never had an
        // open vacancy: it is a fixed intake again, of about 100 a year.
        let joiners = cal.joiners.as_ref().unwrap();
        assert!(joiners.entries.iter().all(|e| e.cell.role == "Surplus"), "{:?}", joiners.entries);
        assert!((joiners.mean - 100.0).abs() <= 3.0 * joiners.sd, "{joiners:?}");
        assert_eq!(r.other_joiners, joiners.total);
        let choice = cal.joiners_choice.as_deref().unwrap();
        assert!(choice.starts_with("vacancy-fill recruitment") && choice.contains("a fixed intake"), "{choice}");
        if seed == 1 {
            let toml = cal.to_toml();
            assert!(toml.contains("# ---- Joiners: vacancy-fill recruitment"), "{toml}");
            assert!(cal.summary().contains("recruitment  vacancy-fill: annual fill probability"));
            let scenario = compile(&history, &cal);
            let supply = &scenario.spec.supply;
            assert_eq!(supply.len(), 2);
            assert_eq!((supply[0].name.as_str(), supply[0].kind), (RECRUITMENT_ROUTE, SupplyKind::VacancyFill));
            match &supply[0].fill_rate {
                Some(spec @ ParamSpec::MeanSd { mean, .. }) => {
                    assert!((mean - r.mean).abs() < 1e-3);
                    assert!(Dist::resolve(spec, Family::Probability).is_ok());
                }
                other => panic!("{other:?}"),
            }
            assert_eq!((supply[1].name.as_str(), supply[1].kind), (JOINERS_ROUTE, SupplyKind::Pipeline));
        }
    }
    println!("{report}");
}

/// Staff in post of role A growing 5% a year, B flat, at `n` yearly dates.
fn snapshots_only(n: usize, establishment: impl Fn(&str, usize) -> Option<f64>) -> History {
    let dates: Vec<Month> = (0..n).map(|t| Month(month("2018-03").0 + 12 * t as i32)).collect();
    let snapshots = (0..n)
        .map(|t| {
            let a = (1000.0 * 1.05f64.powi(t as i32)).round();
            let rows = vec![
                row("A", Band::B5, DEFAULT_REGION, (a * 0.6).round(), establishment("A", t).map(|e| e * 0.6)),
                row("A", Band::B6, DEFAULT_REGION, a - (a * 0.6).round(), establishment("A", t).map(|e| e * 0.4)),
                row("B", Band::B7, DEFAULT_REGION, 500.0 + (t % 2) as f64, establishment("B", t)),
            ];
            Baseline::from_rows(format!("snapshot {t}"), rows)
        })
        .collect();
    History { path: "snapshots.csv".into(), flows_path: None, dates, snapshots, flows: None, warnings: Vec::new() }
}

#[test]
fn snapshots_only_give_net_change_and_no_rates() {
    let history = snapshots_only(6, |_, _| None);
    let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
    assert!(cal.attrition.is_none() && cal.progression.is_none() && cal.joiners.is_none());
    let a = cal.net_change.iter().find(|t| t.name == "A").unwrap();
    assert!((a.mean - 0.05).abs() < 0.002, "{a:?}");
    assert!(a.sd.unwrap() < 0.002, "{a:?}");
    let toml = cal.to_toml();
    for absent in ["[attrition]", "[progression]", "[[transfer]]", "[[supply]]", "[demand]"] {
        assert!(!toml.contains(absent), "{absent} in\n{toml}");
    }
    assert!(toml.contains("# ---- Net change only: no flow counts were given, so leaver, progression and"));
    assert!(toml.contains("supply --flows to estimate them"));
    assert!(toml.contains("#   A: +5.0"), "{toml}");
    assert!(toml.contains("Demand growth was not estimated: the history has no establishment_fte column"));
    assert!(cal.summary().contains("Net change only"));
    compile(&history, &cal);

    // Two dates: one change, sd unknown.
    let cal = calibrate(&snapshots_only(2, |_, _| None), &CalibrateOptions::default()).unwrap();
    let a = cal.net_change.iter().find(|t| t.name == "A").unwrap();
    assert!((a.mean - 0.05).abs() < 1e-9 && a.sd.is_none(), "{a:?}");
    assert!(cal.to_toml().contains("sd unknown"));
}

#[test]
fn demand_growth_is_recovered_from_the_establishment() {
    let wobble = [0.0, 0.004, -0.003, 0.002, -0.004, 0.001];
    let est = |role: &str, t: usize| {
        Some(match role {
            "A" => 1100.0 * 1.04f64.powi(t as i32) * (1.0 + wobble[t]),
            _ => 520.0,
        })
    };
    let history = snapshots_only(6, est);
    let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
    let demand = cal.demand.as_ref().unwrap();
    let a = demand.roles.iter().find(|t| t.name == "A").unwrap();
    assert!((a.mean - 0.04).abs() < 0.005, "{a:?}");
    let sd = a.sd.unwrap();
    assert!(sd > 0.0 && sd < 0.003, "{a:?}");
    let b = demand.roles.iter().find(|t| t.name == "B").unwrap();
    assert!(b.mean.abs() < 1e-12);
    let scenario = compile(&history, &cal);
    let d = scenario.spec.demand.as_ref().unwrap();
    assert!(matches!(d.growth, Some(ParamSpec::MeanSd { .. })));
    match &d.rule[0].growth {
        Some(ParamSpec::MeanSd { mean, sd }) => assert!((mean - 0.04).abs() < 0.005 && *sd > 0.0),
        other => panic!("{other:?}"),
    }
    // B's establishment is flat: sd 0, written as a plain number.
    assert_eq!(d.rule[1].growth, Some(ParamSpec::Fixed(0.0)));

    // Two dates: the one change as a plain number, sd unknown.
    let history = snapshots_only(2, est);
    let cal = calibrate(&history, &CalibrateOptions::default()).unwrap();
    let scenario = compile(&history, &cal);
    match &scenario.spec.demand.as_ref().unwrap().rule[0].growth {
        Some(ParamSpec::Fixed(g)) => assert!((g - (1.04 * (1.0 + wobble[1]) - 1.0)).abs() < 1e-6, "{g}"),
        other => panic!("{other:?}"),
    }
    assert!(cal.to_toml().contains("sd unknown: 2 dates"));
}

#[test]
fn flows_outside_the_snapshots_are_refused() {
    let mut history = regional_history();
    let flows = history.flows.as_mut().unwrap();
    flows.push(flow(month("2021-03"), "Analyst", Band::B5, "London", FlowKind::Leavers, 1.0));
    let err = calibrate(&history, &CalibrateOptions::default()).unwrap_err().to_string();
    assert!(err.contains("regional-flows.csv") && err.contains("2021-03") && err.contains("outside"), "{err}");
}

#[test]
fn events_without_staff_and_roles_gone_by_the_last_snapshot() {
    let mut history = regional_history();
    let date = history.dates[1];
    // Someone joined and left band 7 between two snapshots.
    let flows = history.flows.as_mut().unwrap();
    flows.push(flow(date, "Analyst", Band::B7, "London", FlowKind::Leavers, 1.0));
    // A role that had staff at the first snapshot only.
    history.snapshots[0] = Baseline::from_rows(
        "first",
        [history.snapshots[0].rows.clone(), vec![row("Old", Band::B5, "London", 10.0, Some(10.0))]].concat(),
    );
    flows.push(flow(date, "Old", Band::B5, "London", FlowKind::Leavers, 10.0));
    let cal = calibrate(&history, &CalibrateOptions { by_region: true }).unwrap();
    let attrition = cal.attrition.as_ref().unwrap();
    let lone = attrition.cells.iter().find(|c| c.cell.band == Band::B7).unwrap();
    assert_eq!((lone.exposure, lone.exposed), (0.0, 1.0));
    assert!(lone.mean < 0.2 && lone.weight > 0.9, "{lone:?}");
    assert!(cal.notes.iter().any(|n| n.contains("no staff in post")), "{:?}", cal.notes);
    let toml = cal.to_toml();
    assert!(toml.contains("not in the last snapshot (Old / band 5 / London)"), "{toml}");
    let scenario = compile(&history, &cal);
    assert_eq!(scenario.spec.attrition.as_ref().unwrap().rule.len(), 17);
}

#[test]
fn numbers_are_written_in_four_figures_as_toml_floats() {
    assert_eq!(num(0.0971234), "0.09712");
    assert_eq!(num(0.5), "0.5");
    assert_eq!(num(1234.56), "1234.6");
    assert_eq!(num(12.0), "12.0");
    assert_eq!(num(0.000012345), "1.234e-5");
    assert_eq!(num(-0.0213), "-0.0213");
    for name in ["a \"b\" \\ c\n", "Business Intelligence & Analysis", "it's"] {
        let v: toml::Value = toml::from_str(&format!("x = {}", toml_edit::Value::from(name))).unwrap();
        assert_eq!(v["x"].as_str(), Some(name));
    }
    for s in ["0.09712", "1234.6", "1.234e-5", "12.0"] {
        let v: toml::Value = toml::from_str(&format!("x = {s}")).unwrap();
        assert!(v["x"].is_float(), "{s}");
    }
}

#[test]
fn the_fragment_is_the_calibrated_scenario_written_out() {
    let grow = |_: &str, t: usize| Some(100.0 * 1.03f64.powi(t as i32));
    let cases = [
        (regional_history(), true),
        (regional_history(), false),
        (with_establishment(regional_history(), |_| None), true),
        (snapshots_only(6, |_, _| None), false),
        (snapshots_only(6, grow), false),
    ];
    for (history, by_region) in cases {
        let cal = calibrate(&history, &CalibrateOptions { by_region }).unwrap();
        let start = history.dates.last().unwrap().to_string();
        let text =
            format!("name = \"calibrated\"\nbaseline = \"baseline.csv\"\nstart = \"{start}\"\n{}", cal.to_toml());
        let path = Path::new("calibrated.toml");
        let parsed = Scenario::from_toml(&text, path).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let head = ScenarioFile {
            name: Some("calibrated".into()),
            baseline: Some("baseline.csv".into()),
            start: Some(start),
            ..ScenarioFile::default()
        };
        let built = Scenario::from_spec(merge(head, cal.scenario()), path, parsed.files.clone()).unwrap();
        assert_eq!(parsed, built, "{text}");
    }
}
