//! The engine: one run of the stock-and-flow model (MODEL.md, 'One step'), pure and reusable.
//!
//! An [`Engine`] holds scratch state sized to one [`Model`] and can run any run index any
//! number of times: run `i` of seed `s` always gives the same numbers, alone or among others.
//! It reads no files and prints nothing; results go to a [`Recorder`].
use crate::error::{Error, Result};
use crate::model::{Model, Scope};
use crate::sampling::{self, CachedBinomial, TabledBinomial, WfRng, growth_per_step, key_hash, prob_per_step};
use draws::{CellRates, Draws, Expect, Sample, TransferRates};
use plan::CellPlan;
use rand::Rng;

mod draws;
mod plan;

/// Stochastic runs (random draws) or the deterministic expectation; `stochastic` or
/// `deterministic` in `meta.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Parameters at their means, every flow at its expectation; numbers are real.
    Deterministic,
    /// Parameters drawn once per run, every flow a random draw; stocks are whole numbers.
    Stochastic,
}

impl Mode {
    /// The mode's name, as in `meta.json`: `stochastic` or `deterministic`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Deterministic => "deterministic",
            Mode::Stochastic => "stochastic",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the engine reports at a reporting date, per cell: stocks at the date, and flows over
/// the 12 months to it, or since the start where that is nearer ([`Model::flow_window`]).
#[derive(Debug)]
pub struct Snapshot<'a> {
    /// Staff in post.
    pub headcount: &'a [f64],
    /// FTE per head.
    pub phi: &'a [f64],
    /// Demand in FTE.
    pub demand: &'a [f64],
    /// Leavers.
    pub leavers: &'a [f64],
    /// Moves up a band, counted in the band they left.
    pub progressed: &'a [f64],
    /// Moves to another role, counted in the role they left.
    pub transferred: &'a [f64],
    /// Entrants of each supply route (in `Model::route_names` order), per cell.
    pub joiners: &'a [Vec<f64>],
    /// Trainees of each supply route who did not complete.
    pub dropouts: &'a [f64],
    /// The cells that may have anything to report, ascending: every other cell is zero in
    /// every field.
    pub cells: &'a [usize],
}

/// The flows of one step, per cell.
#[derive(Clone, Debug, Default)]
pub struct StepFlows {
    /// Leavers.
    pub leavers: Vec<f64>,
    /// Progressed out of the cell.
    pub prog_out: Vec<f64>,
    /// Progressed into the cell.
    pub prog_in: Vec<f64>,
    /// Transferred out of the cell.
    pub trans_out: Vec<f64>,
    /// Transferred into the cell.
    pub trans_in: Vec<f64>,
    /// Entrants from pipeline routes.
    pub entrants: Vec<f64>,
    /// Hires from vacancy-fill routes.
    pub hires: Vec<f64>,
    /// Movers along each transfer link, in `Model::transfer_links` order (the link's from
    /// cell is given by `Model::transfer_from` and `Model::transfer_start`).
    pub transfers: Vec<f64>,
}

/// Where a run's results go.
pub trait Recorder {
    /// Called at each reporting date (`date` indexes `Model::report_steps`).
    fn record(&mut self, date: usize, snapshot: &Snapshot<'_>);

    /// Called after every step with the stock after it and the step's flows.
    fn observe_step(&mut self, _step: usize, _headcount: &[f64], _flows: &StepFlows) {}
}

/// Scratch state for running one model; make one per thread and reuse it.
pub struct Engine<'m> {
    model: &'m Model,
    plan: CellPlan,
    values: Vec<f64>,
    /// Each parameter's value as a probability per step, and as a growth rate per step.
    per_step: Vec<(f64, f64)>,
    rngs: Vec<WfRng>,
    h: Vec<f64>,
    attr: Vec<f64>,
    prog: Vec<f64>,
    growth: Vec<f64>,
    /// Annual rates in force in a step, after interventions (scratch of `set_rates`).
    attr_k: Vec<f64>,
    prog_k: Vec<f64>,
    growth_k: Vec<f64>,
    /// Leaving and progression per step, per class of cells that share them.
    rates: Vec<CellRates>,
    /// The class (index into `rates`) of each active cell.
    rate_class: Vec<u32>,
    /// Scratch of `set_rates`: the class of each pair of rates.
    classes: std::collections::HashMap<(u64, u64), u32>,
    growth_s: Vec<f64>,
    trans_s: Vec<f64>,
    trans_any: Vec<TransferRates>,
    intake: Vec<f64>,
    completion: Vec<f64>,
    /// Per vacancy-fill route, its fill probability per step.
    fill_s: Vec<TabledBinomial>,
    rings: Vec<Vec<f64>>,
    d0: Vec<f64>,
    gfac: Vec<f64>,
    demand: Vec<f64>,
    change_w: Vec<Vec<f64>>,
    /// Hires of each vacancy-fill route so far in the reporting year (stochastic runs).
    hired_year: Vec<f64>,
    flows: StepFlows,
    /// Flows summed over reporting windows: the window of reporting date `j` in bank `j % 2`
    /// (the windows of `j` and `j + 2` never overlap; those of `j` and `j + 1` may).
    banks: [Bank; 2],
    /// The banks each step's flows go to (index 0 unused).
    step_banks: Vec<[bool; 2]>,
    buf: Vec<f64>,
    buf2: Vec<f64>,
    rates_change: Vec<bool>,
}

/// Flows summed over one reporting window, per cell (per route for joiners and dropouts).
struct Bank {
    leavers: Vec<f64>,
    prog: Vec<f64>,
    trans: Vec<f64>,
    joiners: Vec<Vec<f64>>,
    dropouts: Vec<f64>,
}

impl Bank {
    fn new(cells: usize, routes: usize) -> Bank {
        Bank {
            leavers: vec![0.0; cells],
            prog: vec![0.0; cells],
            trans: vec![0.0; cells],
            joiners: vec![vec![0.0; cells]; routes],
            dropouts: vec![0.0; routes],
        }
    }

    fn clear(&mut self) {
        self.leavers.fill(0.0);
        self.prog.fill(0.0);
        self.trans.fill(0.0);
        self.joiners.iter_mut().for_each(|j| j.fill(0.0));
        self.dropouts.fill(0.0);
    }

    /// Adds the flows of one step of the cells `active` (no other cell has any), after it.
    fn add_step(&mut self, f: &StepFlows, active: &[usize]) {
        for &c in active {
            self.leavers[c] += f.leavers[c];
            self.prog[c] += f.prog_out[c];
            self.trans[c] += f.trans_out[c];
        }
    }
}

/// A uniform draw in (0, 1) from the stream of parameter `key`.
fn param_uniform(seed: u64, run: u64, key: &str) -> f64 {
    let mut rng = sampling::stream(seed, run, key_hash(&["param", key]));
    ((rng.next_u64() >> 12) as f64 + 0.5) / (1u64 << 52) as f64
}

impl<'m> Engine<'m> {
    /// Scratch state for `model`.
    pub fn new(model: &'m Model) -> Engine<'m> {
        let n = model.grid.len();
        let nr = model.route_names.len();
        let z = || vec![0.0; n];
        let rates_change = (0..=model.n_steps)
            .map(|k| k == 1 || model.interventions.iter().any(|iv| k > 0 && iv.frac[k] != iv.frac[k - 1]))
            .collect();
        let mut step_banks = vec![[false; 2]; model.n_steps + 1];
        for date in 1..model.report_steps.len() {
            for k in model.flow_window(date) {
                step_banks[k][date % 2] = true;
            }
        }
        let plan = CellPlan::new(model);
        let none = CachedBinomial::new(0.0);
        Engine {
            model,
            values: vec![0.0; model.params.len()],
            per_step: vec![(0.0, 0.0); model.params.len()],
            rngs: Vec::new(),
            h: z(),
            attr: z(),
            prog: z(),
            growth: z(),
            attr_k: z(),
            prog_k: z(),
            growth_k: z(),
            rates: Vec::new(),
            rate_class: vec![0; plan.active.len()],
            classes: std::collections::HashMap::new(),
            growth_s: z(),
            trans_s: vec![0.0; model.transfer_links.len()],
            trans_any: vec![TransferRates { any: none }; model.transfer_from.len()],
            intake: vec![0.0; model.routes.len()],
            completion: vec![0.0; model.routes.len()],
            fill_s: vec![TabledBinomial::new(0.0); model.fills.len()],
            rings: model.routes.iter().map(|r| vec![0.0; r.delay]).collect(),
            d0: z(),
            gfac: z(),
            demand: z(),
            change_w: model.changes.iter().map(|c| vec![0.0; c.cells.len()]).collect(),
            hired_year: vec![0.0; model.fills.len()],
            flows: StepFlows {
                leavers: z(),
                prog_out: z(),
                prog_in: z(),
                trans_out: z(),
                trans_in: z(),
                entrants: z(),
                hires: z(),
                transfers: vec![0.0; model.transfer_links.len()],
            },
            banks: [Bank::new(n, nr), Bank::new(n, nr)],
            step_banks,
            buf: Vec::new(),
            buf2: Vec::new(),
            rates_change,
            plan,
        }
    }

    /// The parameter values of run `run` of `seed` (their means in deterministic mode), in
    /// `Model::params` order. Each parameter is drawn by inversion from a uniform of its own
    /// stream, so scenarios that share a parameter share its draw.
    pub fn draw_params(model: &Model, seed: u64, run: u64, mode: Mode) -> Vec<f64> {
        model
            .params
            .iter()
            .map(|p| match mode {
                Mode::Deterministic => p.dist.mean(),
                Mode::Stochastic => p.dist.quantile(param_uniform(seed, run, &p.key)),
            })
            .collect()
    }

    /// Runs run `run` of `seed` in `mode`, sending results to `recorder`.
    pub fn run(&mut self, seed: u64, run: u64, mode: Mode, recorder: &mut dyn Recorder) -> Result<()> {
        self.values = Engine::draw_params(self.model, seed, run, mode);
        match mode {
            Mode::Deterministic => self.simulate(&mut Expect, run, recorder),
            Mode::Stochastic => {
                let m = self.model;
                let p = &self.plan;
                // Each cell's streams are keyed by the cell, whichever cells are visited.
                self.rngs.clear();
                self.rngs.extend(p.active.iter().map(|&c| sampling::stream(seed, run, m.cell_keys[c])));
                self.rngs.extend(
                    p.fill_cells
                        .iter()
                        .map(|&c| sampling::stream(seed, run, m.cell_keys[c].rotate_left(29) ^ 0x6869_7265_7374_7265)),
                );
                self.rngs.extend(m.routes.iter().map(|r| sampling::stream(seed, run, r.key)));
                self.rngs.extend(m.fills.iter().map(|r| sampling::stream(seed, run, r.key)));
                let mut rngs = std::mem::take(&mut self.rngs);
                let mut draws = Sample { rngs: &mut rngs, counts: Vec::new(), out: Vec::new() };
                let result = self.simulate(&mut draws, run, recorder);
                self.rngs = rngs;
                result
            }
        }
    }

    /// The stream of route `r`.
    fn route_stream(&self, r: usize) -> usize {
        self.plan.active.len() + self.plan.fill_cells.len() + r
    }

    /// The stream of vacancy-fill route `r` (for its cap).
    fn fill_stream(&self, r: usize) -> usize {
        self.route_stream(self.model.routes.len()) + r
    }

    fn reset(&mut self) {
        let m = self.model;
        let v = &self.values;
        let s = m.step_months;
        for (x, &value) in self.per_step.iter_mut().zip(v) {
            *x = (prob_per_step(value.clamp(0.0, 1.0), s), growth_per_step(value.max(-1.0), s));
        }
        self.h.copy_from_slice(&m.h0);
        for c in 0..m.grid.len() {
            self.attr[c] = v[m.attrition[c]];
            self.prog[c] = v[m.progression[c]];
            self.growth[c] = v[m.growth[c]];
            self.d0[c] = match &m.establishment {
                Some(e) => e[c],
                None => m.h0[c] * m.phi[c] / (1.0 - v[m.vacancy[c]].min(1.0 - 1e-9)),
            };
            self.gfac[c] = 1.0;
        }
        for (w, ch) in self.change_w.iter_mut().zip(&m.changes) {
            let total: f64 = ch.cells.iter().map(|&c| self.d0[c]).sum();
            for (wi, &c) in w.iter_mut().zip(&ch.cells) {
                *wi = if total > 0.0 { self.d0[c] / total } else { 1.0 / ch.cells.len() as f64 };
            }
        }
        self.hired_year.fill(0.0);
        self.banks.iter_mut().for_each(Bank::clear);
    }

    /// Fills each pipeline with the trainees in training at the baseline: the steady state
    /// (each pre-start step's cohort, its intake at the rates in force at the start, a Poisson
    /// draw in stochastic runs) or the route's `in_training`, shared over the same cohorts
    /// (one Multinomial draw). Draws come from the route's own stream.
    fn fill_pipelines<D: Draws>(&mut self, d: &mut D) {
        let m = self.model;
        let v = &self.values;
        for (r, route) in m.routes.iter().enumerate() {
            let s = self.route_stream(r);
            let ring = &mut self.rings[r];
            match route.in_training {
                None => {
                    let mut intake = v[route.intake];
                    for &(i, frac) in &route.intake_at_start {
                        let iv = &m.interventions[i];
                        debug_assert_eq!(iv.scope, Scope::Intake(r));
                        intake = iv.op.apply(intake, v[iv.value], frac);
                    }
                    let intake = intake.max(0.0);
                    for (cohort, share) in ring.iter_mut().zip(&route.baseline_share) {
                        *cohort = if *share > 0.0 { d.poisson(s, intake * share) } else { 0.0 };
                    }
                }
                Some(trainees) => {
                    let total: f64 = route.baseline_share.iter().sum();
                    let trainees = if D::STOCHASTIC { trainees.round() } else { trainees };
                    if trainees > 0.0 && total > 0.0 {
                        self.buf.clear();
                        self.buf.extend(route.baseline_share.iter().map(|x| x / total));
                        d.multinomial(s, trainees, &self.buf, ring);
                    } else {
                        ring.fill(0.0);
                    }
                }
            }
        }
    }

    /// Sets the rates in force during step `k`: base draws changed by interventions, then
    /// converted from annual to per-step (from each parameter's conversion, made once per run,
    /// where no intervention changed a cell's rate).
    #[inline(never)]
    fn set_rates(&mut self, k: usize, run: u64) -> Result<()> {
        let m = self.model;
        let v = &self.values;
        let s = m.step_months;
        self.attr_k.copy_from_slice(&self.attr);
        self.prog_k.copy_from_slice(&self.prog);
        self.growth_k.copy_from_slice(&self.growth);
        for (r, route) in m.routes.iter().enumerate() {
            self.intake[r] = v[route.intake];
            self.completion[r] = v[route.completion];
        }
        self.buf.clear();
        self.buf.extend(m.fills.iter().map(|r| v[r.fill]));
        for iv in &m.interventions {
            let frac = iv.frac[k];
            if frac == 0.0 {
                continue;
            }
            let x = v[iv.value];
            let apply = |target: &mut f64| *target = iv.op.apply(*target, x, frac);
            match &iv.scope {
                Scope::Attrition(cells) => cells.iter().for_each(|&c| apply(&mut self.attr_k[c])),
                Scope::Progression(cells) => cells.iter().for_each(|&c| apply(&mut self.prog_k[c])),
                Scope::Growth(cells) => cells.iter().for_each(|&c| apply(&mut self.growth_k[c])),
                Scope::Intake(r) => apply(&mut self.intake[*r]),
                Scope::Completion(r) => apply(&mut self.completion[*r]),
                Scope::FillRate(r) => apply(&mut self.buf[*r]),
            }
        }
        let per_step = &self.per_step;
        let prob = |x: f64, param: usize| {
            if x == v[param] { per_step[param].0 } else { prob_per_step(x.clamp(0.0, 1.0), s) }
        };
        self.classes.clear();
        let mut used = 0;
        for (i, &c) in self.plan.active.iter().enumerate() {
            let a = prob(self.attr_k[c], m.attrition[c]);
            let up = if m.grid.next_band(c).is_some() { prob(self.prog_k[c], m.progression[c]) } else { 0.0 };
            let class = *self.classes.entry((a.to_bits(), up.to_bits())).or_insert_with(|| {
                if used == self.rates.len() {
                    self.rates.push(CellRates::new(a, up));
                } else {
                    self.rates[used].set(a, up);
                }
                used += 1;
                used as u32 - 1
            });
            self.rate_class[i] = class;
        }
        for c in 0..m.grid.len() {
            let (x, param) = (self.growth_k[c], m.growth[c]);
            self.growth_s[c] = if x == v[param] { per_step[param].1 } else { growth_per_step(x.max(-1.0), s) };
        }
        for (i, &from) in m.transfer_from.iter().enumerate() {
            let links = m.transfer_start[i]..m.transfer_start[i + 1];
            let total: f64 = links.clone().map(|j| v[m.transfer_links[j].1]).sum();
            if total > 1.0 + 1e-12 {
                let g = &m.grid;
                return Err(Error::Run(format!(
                    "run {run}: the drawn transfer rates out of {} band {} in {} sum to {total:.4}; they must sum to at most 1 in every run (narrow their distributions)",
                    g.roles[g.role_of(from)],
                    g.band_of(from),
                    g.regions[g.region_of(from)]
                )));
            }
            for j in links.clone() {
                self.trans_s[j] = per_step[m.transfer_links[j].1].0;
            }
            self.trans_any[i] = TransferRates { any: CachedBinomial::new(self.trans_s[links].iter().sum()) };
        }
        for r in 0..m.routes.len() {
            self.intake[r] = self.intake[r].max(0.0);
            self.completion[r] = self.completion[r].clamp(0.0, 1.0);
        }
        for (r, f) in self.buf.iter().enumerate() {
            self.fill_s[r] = TabledBinomial::new(prob_per_step(f.clamp(0.0, 1.0), s));
        }
        Ok(())
    }

    #[inline(never)]
    /// Demand at the end of step `k` (MODEL.md, phase 5) of the cells that can have any.
    fn compute_demand(&mut self, k: usize) {
        let m = self.model;
        for &c in &self.plan.demand_cells {
            self.demand[c] = self.d0[c] * self.gfac[c];
        }
        for (ch, w) in m.changes.iter().zip(&self.change_w) {
            let add = self.values[ch.amount] * ch.share[k];
            if add != 0.0 {
                for (&c, wi) in ch.cells.iter().zip(w) {
                    self.demand[c] += add * wi;
                }
            }
        }
    }

    /// Reports reporting date `date` with the flows of its window, and empties its bank for
    /// the window of `date + 2`.
    #[inline(never)]
    fn emit(&mut self, date: usize, recorder: &mut dyn Recorder) {
        let bank = &mut self.banks[date % 2];
        recorder.record(
            date,
            &Snapshot {
                headcount: &self.h,
                phi: &self.model.phi,
                demand: &self.demand,
                leavers: &bank.leavers,
                progressed: &bank.prog,
                transferred: &bank.trans,
                joiners: &bank.joiners,
                dropouts: &bank.dropouts,
                cells: &self.plan.reported,
            },
        );
        bank.clear();
    }

    /// Phases 1 and 2 of a step: leavers, then progression from the stock after them, applied
    /// together.
    #[inline(never)]
    fn leave_and_progress<D: Draws>(&mut self, d: &mut D) {
        let m = self.model;
        let nr = m.grid.locations();
        let f = &mut self.flows;
        for (i, &c) in self.plan.active.iter().enumerate() {
            let h = self.h[c];
            let (l, u) = if h > 0.0 {
                d.leave_and_progress(i, h, &mut self.rates[self.rate_class[i] as usize])
            } else {
                (0.0, 0.0)
            };
            self.h[c] = h - l;
            f.leavers[c] = l;
            f.prog_out[c] = u;
            f.prog_in[c] = 0.0;
        }
        for &c in &self.plan.active {
            let u = f.prog_out[c];
            if u > 0.0 {
                self.h[c] -= u;
                self.h[c + nr] += u;
                f.prog_in[c + nr] += u;
            }
        }
    }

    /// Phase 3: transfers, one Multinomial per cell on the stock after progression, applied
    /// together.
    #[inline(never)]
    fn transfer<D: Draws>(&mut self, d: &mut D) {
        let m = self.model;
        let f = &mut self.flows;
        for &c in &self.plan.transfer_cells {
            f.trans_out[c] = 0.0;
            f.trans_in[c] = 0.0;
        }
        for (i, &from) in m.transfer_from.iter().enumerate() {
            let links = m.transfer_start[i]..m.transfer_start[i + 1];
            let out = &mut f.transfers[links.clone()];
            match self.plan.transfer_slot[i] {
                Some(slot) if self.h[from] > 0.0 => {
                    d.transfers(slot, self.h[from], &mut self.trans_any[i], &self.trans_s[links], out)
                }
                _ => out.fill(0.0),
            }
        }
        for (i, &from) in m.transfer_from.iter().enumerate() {
            for j in m.transfer_start[i]..m.transfer_start[i + 1] {
                let (to, moved) = (m.transfer_links[j].0, f.transfers[j]);
                self.h[from] -= moved;
                self.h[to] += moved;
                f.trans_out[from] += moved;
                f.trans_in[to] += moved;
            }
        }
    }

    /// Phase 4 of step `k`: intakes, pipelines and entrants, counted in the banks `on`.
    #[inline(never)]
    fn supply<D: Draws>(&mut self, d: &mut D, k: usize, on: [bool; 2]) {
        let m = self.model;
        for route in &m.routes {
            for &c in &route.entry_cells {
                self.flows.entrants[c] = 0.0;
            }
        }
        for (r, route) in m.routes.iter().enumerate() {
            let s = self.route_stream(r);
            let taken = d.poisson(s, self.intake[r] * route.intake_share[k]);
            let entering = if route.delay == 0 {
                taken
            } else {
                let slot = k % route.delay;
                let finishing = std::mem::replace(&mut self.rings[r][slot], taken);
                let completed = d.binomial(s, finishing, self.completion[r]);
                for (bank, _) in self.banks.iter_mut().zip(on).filter(|(_, on)| *on) {
                    bank.dropouts[route.out] += finishing - completed;
                }
                completed
            };
            if entering > 0.0 {
                self.buf.resize(route.entry_cells.len(), 0.0);
                d.multinomial(s, entering, &route.entry_probs, &mut self.buf);
                for (&c, &e) in route.entry_cells.iter().zip(&self.buf) {
                    self.h[c] += e;
                    self.flows.entrants[c] += e;
                }
                for (bank, _) in self.banks.iter_mut().zip(on).filter(|(_, on)| *on) {
                    let joined = &mut bank.joiners[route.out];
                    for (&c, &e) in route.entry_cells.iter().zip(&self.buf) {
                        joined[c] += e;
                    }
                }
            }
        }
    }

    /// Phase 6 of step `k`: vacancy-fill hires into open posts, capped, counted in the banks
    /// `on`.
    #[inline(never)]
    fn vacancy_fill<D: Draws>(&mut self, d: &mut D, k: usize, on: [bool; 2]) {
        let m = self.model;
        for &c in &self.plan.fill_cells {
            self.flows.hires[c] = 0.0;
        }
        for (r, route) in m.fills.iter().enumerate() {
            let cells = &self.plan.fill_slots[r];
            self.buf.clear();
            let b = &mut self.fill_s[r];
            for &(c, s) in cells {
                // Whole open posts: truncation is the floor for positive values, and a
                // conversion is one instruction where `floor` is a library call.
                let wanted = self.demand[c] / m.phi[c] - self.h[c];
                let open = if wanted >= 1.0 && wanted.is_finite() { (wanted as u64) as f64 } else { 0.0 };
                self.buf.push(if open > 0.0 { d.tabled_binomial(s, open, b) } else { 0.0 });
            }
            if let Some(cap) = route.cap_per_step {
                // Deterministic: the real cap of one step. Stochastic: what is left of the
                // reporting year's whole budget so far, so no year's hires pass the cap.
                let budget = if D::STOCHASTIC {
                    if m.year_begins[k] {
                        self.hired_year[r] = 0.0;
                    }
                    route.cap_budget[k] - self.hired_year[r]
                } else {
                    cap
                };
                let wanted: f64 = self.buf.iter().sum();
                if wanted > budget {
                    self.buf2.resize(self.buf.len(), 0.0);
                    d.thin(self.fill_stream(r), &self.buf, budget, &mut self.buf2);
                    std::mem::swap(&mut self.buf, &mut self.buf2);
                    self.hired_year[r] += budget;
                } else {
                    self.hired_year[r] += wanted;
                }
            }
            let [b0, b1] = &mut self.banks;
            let (j0, j1) = (&mut b0.joiners[route.out], &mut b1.joiners[route.out]);
            for (&(c, _), &hired) in cells.iter().zip(&self.buf) {
                self.h[c] += hired;
                self.flows.hires[c] += hired;
                if on[0] {
                    j0[c] += hired;
                }
                if on[1] {
                    j1[c] += hired;
                }
            }
        }
    }

    fn simulate<D: Draws>(&mut self, d: &mut D, run: u64, recorder: &mut dyn Recorder) -> Result<()> {
        let m = self.model;
        self.reset();
        self.fill_pipelines(d);
        self.compute_demand(0);
        self.emit(0, recorder);
        let mut next_report = 1;
        for k in 1..=m.n_steps {
            if self.rates_change[k] {
                self.set_rates(k, run)?;
            }
            let on = self.step_banks[k];
            // 1 and 2. Leavers, progression.
            self.leave_and_progress(d);
            // 3. Transfers.
            self.transfer(d);
            // 4. Supply routes.
            self.supply(d, k, on);
            // 5. Demand.
            for &c in &self.plan.demand_cells {
                self.gfac[c] *= 1.0 + self.growth_s[c];
            }
            let reporting = m.report_steps.get(next_report) == Some(&k);
            if reporting || !m.fills.is_empty() {
                self.compute_demand(k);
            }
            // 6. Vacancy-fill recruitment.
            self.vacancy_fill(d, k, on);
            for (bank, _) in self.banks.iter_mut().zip(on).filter(|(_, on)| *on) {
                bank.add_step(&self.flows, &self.plan.active);
            }
            recorder.observe_step(k, &self.h, &self.flows);
            if reporting {
                self.emit(next_report, recorder);
                next_report += 1;
            }
        }
        Ok(())
    }
}
