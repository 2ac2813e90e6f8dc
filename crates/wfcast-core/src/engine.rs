//! The engine: one run of the stock-and-flow model (MODEL.md, 'One step'), pure and reusable.
//!
//! An [`Engine`] holds scratch state sized to one [`Model`] and can run any run index any
//! number of times: run `i` of seed `s` always gives the same numbers, alone or among others.
//! It reads no files and prints nothing; results go to a [`Recorder`].
use crate::error::{Error, Result};
use crate::model::{Model, Scope};
use crate::sampling::{self, StepBinomial, WfRng, growth_per_step, key_hash, prob_per_step};
use rand::Rng;

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

/// The source of every flow: expectations, or draws from per-cell and per-route streams.
trait Draws {
    const STOCHASTIC: bool;
    fn binomial(&mut self, s: usize, n: f64, p: f64) -> f64;
    fn step_binomial(&mut self, s: usize, n: f64, b: &StepBinomial) -> f64;
    fn poisson(&mut self, s: usize, lambda: f64) -> f64;
    fn multinomial(&mut self, s: usize, n: f64, probs: &[f64], out: &mut [f64]);
    fn thin(&mut self, s: usize, counts: &[f64], keep: f64, out: &mut [f64]);
}

struct Expect;

impl Draws for Expect {
    const STOCHASTIC: bool = false;
    fn binomial(&mut self, _: usize, n: f64, p: f64) -> f64 {
        n * p.clamp(0.0, 1.0)
    }
    fn step_binomial(&mut self, _: usize, n: f64, b: &StepBinomial) -> f64 {
        n * b.p
    }
    fn poisson(&mut self, _: usize, lambda: f64) -> f64 {
        lambda.max(0.0)
    }
    fn multinomial(&mut self, _: usize, n: f64, probs: &[f64], out: &mut [f64]) {
        for (o, p) in out.iter_mut().zip(probs) {
            *o = n * p;
        }
    }
    fn thin(&mut self, _: usize, counts: &[f64], keep: f64, out: &mut [f64]) {
        let total: f64 = counts.iter().sum();
        let f = if total > keep { keep / total } else { 1.0 };
        for (o, c) in out.iter_mut().zip(counts) {
            *o = c * f;
        }
    }
}

struct Sample<'a> {
    rngs: &'a mut [WfRng],
    counts: Vec<u64>,
    out: Vec<u64>,
}

impl Draws for Sample<'_> {
    const STOCHASTIC: bool = true;
    fn binomial(&mut self, s: usize, n: f64, p: f64) -> f64 {
        sampling::binomial(&mut self.rngs[s], n as u64, p) as f64
    }
    fn step_binomial(&mut self, s: usize, n: f64, b: &StepBinomial) -> f64 {
        b.sample(&mut self.rngs[s], n as u64) as f64
    }
    fn poisson(&mut self, s: usize, lambda: f64) -> f64 {
        sampling::poisson(&mut self.rngs[s], lambda) as f64
    }
    fn multinomial(&mut self, s: usize, n: f64, probs: &[f64], out: &mut [f64]) {
        self.out.resize(probs.len(), 0);
        sampling::multinomial(&mut self.rngs[s], n as u64, probs, &mut self.out);
        for (o, k) in out.iter_mut().zip(&self.out) {
            *o = *k as f64;
        }
    }
    fn thin(&mut self, s: usize, counts: &[f64], keep: f64, out: &mut [f64]) {
        self.counts.clear();
        self.counts.extend(counts.iter().map(|c| *c as u64));
        self.out.resize(counts.len(), 0);
        sampling::thin_to(&mut self.rngs[s], &self.counts, keep as u64, &mut self.out);
        for (o, k) in out.iter_mut().zip(&self.out) {
            *o = *k as f64;
        }
    }
}

/// Scratch state for running one model; make one per thread and reuse it.
pub struct Engine<'m> {
    model: &'m Model,
    values: Vec<f64>,
    rngs: Vec<WfRng>,
    h: Vec<f64>,
    attr: Vec<f64>,
    prog: Vec<f64>,
    growth: Vec<f64>,
    attr_s: Vec<StepBinomial>,
    prog_s: Vec<StepBinomial>,
    growth_s: Vec<f64>,
    trans_s: Vec<f64>,
    intake: Vec<f64>,
    completion: Vec<f64>,
    fill_s: Vec<StepBinomial>,
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

    /// Adds the flows of one step, after it.
    fn add_step(&mut self, f: &StepFlows) {
        for (acc, x) in
            [(&mut self.leavers, &f.leavers), (&mut self.prog, &f.prog_out), (&mut self.trans, &f.trans_out)]
        {
            for (a, v) in acc.iter_mut().zip(x) {
                *a += v;
            }
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
        Engine {
            model,
            values: vec![0.0; model.params.len()],
            rngs: Vec::new(),
            h: z(),
            attr: z(),
            prog: z(),
            growth: z(),
            attr_s: vec![StepBinomial::new(0.0); n],
            prog_s: vec![StepBinomial::new(0.0); n],
            growth_s: z(),
            trans_s: vec![0.0; model.transfer_links.len()],
            intake: vec![0.0; model.routes.len()],
            completion: vec![0.0; model.routes.len()],
            fill_s: vec![StepBinomial::new(0.0); model.fills.len()],
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
                let n = m.grid.len();
                self.rngs.clear();
                self.rngs.extend(m.cell_keys.iter().map(|&k| sampling::stream(seed, run, k)));
                self.rngs.extend(
                    m.cell_keys.iter().map(|&k| sampling::stream(seed, run, k.rotate_left(29) ^ 0x6869_7265_7374_7265)),
                );
                self.rngs.extend(m.routes.iter().map(|r| sampling::stream(seed, run, r.key)));
                self.rngs.extend(m.fills.iter().map(|r| sampling::stream(seed, run, r.key)));
                debug_assert_eq!(self.rngs.len(), 2 * n + m.routes.len() + m.fills.len());
                let mut rngs = std::mem::take(&mut self.rngs);
                let mut draws = Sample { rngs: &mut rngs, counts: Vec::new(), out: Vec::new() };
                let result = self.simulate(&mut draws, run, recorder);
                self.rngs = rngs;
                result
            }
        }
    }

    fn reset(&mut self) {
        let m = self.model;
        let v = &self.values;
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
        let n = m.grid.len();
        for (r, route) in m.routes.iter().enumerate() {
            let ring = &mut self.rings[r];
            let s = 2 * n + r;
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
    /// converted from annual to per-step.
    fn set_rates(&mut self, k: usize, run: u64) -> Result<()> {
        let m = self.model;
        let v = &self.values;
        let s = m.step_months;
        let mut attr = self.attr.clone();
        let mut prog = self.prog.clone();
        let mut growth = self.growth.clone();
        let mut intake: Vec<f64> = m.routes.iter().map(|r| v[r.intake]).collect();
        let mut completion: Vec<f64> = m.routes.iter().map(|r| v[r.completion]).collect();
        let mut fill: Vec<f64> = m.fills.iter().map(|r| v[r.fill]).collect();
        for iv in &m.interventions {
            let frac = iv.frac[k];
            if frac == 0.0 {
                continue;
            }
            let x = v[iv.value];
            let apply = |target: &mut f64| *target = iv.op.apply(*target, x, frac);
            match &iv.scope {
                Scope::Attrition(cells) => cells.iter().for_each(|&c| apply(&mut attr[c])),
                Scope::Progression(cells) => cells.iter().for_each(|&c| apply(&mut prog[c])),
                Scope::Growth(cells) => cells.iter().for_each(|&c| apply(&mut growth[c])),
                Scope::Intake(r) => apply(&mut intake[*r]),
                Scope::Completion(r) => apply(&mut completion[*r]),
                Scope::FillRate(r) => apply(&mut fill[*r]),
            }
        }
        for c in 0..m.grid.len() {
            self.attr_s[c] = StepBinomial::new(prob_per_step(attr[c].clamp(0.0, 1.0), s));
            let up = if m.grid.next_band(c).is_some() { prob_per_step(prog[c].clamp(0.0, 1.0), s) } else { 0.0 };
            self.prog_s[c] = StepBinomial::new(up);
            self.growth_s[c] = growth_per_step(growth[c].max(-1.0), s);
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
            for j in links {
                self.trans_s[j] = prob_per_step(v[m.transfer_links[j].1].clamp(0.0, 1.0), s);
            }
        }
        for (r, x) in intake.iter().enumerate() {
            self.intake[r] = x.max(0.0);
            self.completion[r] = completion[r].clamp(0.0, 1.0);
        }
        for (r, f) in fill.iter().enumerate() {
            self.fill_s[r] = StepBinomial::new(prob_per_step(f.clamp(0.0, 1.0), s));
        }
        Ok(())
    }

    fn compute_demand(&mut self, k: usize) {
        let m = self.model;
        for c in 0..m.grid.len() {
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
            },
        );
        bank.clear();
    }

    /// Phase 6 of step `k`: vacancy-fill hires into open posts, capped, counted in the banks
    /// `on`.
    fn vacancy_fill<D: Draws>(&mut self, d: &mut D, k: usize, on: [bool; 2]) {
        let m = self.model;
        let n = m.grid.len();
        let f = &mut self.flows;
        f.hires.fill(0.0);
        for (r, route) in m.fills.iter().enumerate() {
            self.buf.clear();
            for &c in &route.cells {
                // Whole open posts: truncation is the floor for positive values, and a
                // conversion is one instruction where `floor` is a library call.
                let wanted = self.demand[c] / m.phi[c] - self.h[c];
                let open = if wanted >= 1.0 && wanted.is_finite() { (wanted as u64) as f64 } else { 0.0 };
                self.buf.push(if open > 0.0 { d.step_binomial(n + c, open, &self.fill_s[r]) } else { 0.0 });
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
                    d.thin(2 * n + m.routes.len() + r, &self.buf, budget, &mut self.buf2);
                    std::mem::swap(&mut self.buf, &mut self.buf2);
                    self.hired_year[r] += budget;
                } else {
                    self.hired_year[r] += wanted;
                }
            }
            for (&c, &hired) in route.cells.iter().zip(&self.buf) {
                self.h[c] += hired;
                f.hires[c] += hired;
            }
            for (bank, _) in self.banks.iter_mut().zip(on).filter(|(_, on)| *on) {
                let joined = &mut bank.joiners[route.out];
                for (&c, &hired) in route.cells.iter().zip(&self.buf) {
                    joined[c] += hired;
                }
            }
        }
    }

    fn simulate<D: Draws>(&mut self, d: &mut D, run: u64, recorder: &mut dyn Recorder) -> Result<()> {
        let m = self.model;
        let n = m.grid.len();
        let nr = m.grid.locations();
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
            let f = &mut self.flows;
            // 1. Leavers.
            for c in 0..n {
                let l = if self.h[c] > 0.0 { d.step_binomial(c, self.h[c], &self.attr_s[c]) } else { 0.0 };
                self.h[c] -= l;
                f.leavers[c] = l;
            }
            // 2. Progression, all cells from the stock after leavers, then applied together.
            for c in 0..n {
                f.prog_out[c] = if self.h[c] > 0.0 && self.prog_s[c].p > 0.0 {
                    d.step_binomial(c, self.h[c], &self.prog_s[c])
                } else {
                    0.0
                };
                f.prog_in[c] = 0.0;
            }
            for c in 0..n {
                let u = f.prog_out[c];
                if u > 0.0 {
                    self.h[c] -= u;
                    self.h[c + nr] += u;
                    f.prog_in[c + nr] += u;
                }
            }
            // 3. Transfers: one Multinomial per cell on the stock after progression.
            f.trans_out.fill(0.0);
            f.trans_in.fill(0.0);
            for (i, &from) in m.transfer_from.iter().enumerate() {
                let links = m.transfer_start[i]..m.transfer_start[i + 1];
                if self.h[from] > 0.0 {
                    d.multinomial(from, self.h[from], &self.trans_s[links.clone()], &mut f.transfers[links]);
                } else {
                    f.transfers[links].fill(0.0);
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
            // 4. Supply routes.
            f.entrants.fill(0.0);
            for (r, route) in m.routes.iter().enumerate() {
                let s = 2 * n + r;
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
                        f.entrants[c] += e;
                    }
                    for (bank, _) in self.banks.iter_mut().zip(on).filter(|(_, on)| *on) {
                        let joined = &mut bank.joiners[route.out];
                        for (&c, &e) in route.entry_cells.iter().zip(&self.buf) {
                            joined[c] += e;
                        }
                    }
                }
            }
            // 5. Demand.
            let _ = f;
            for c in 0..n {
                self.gfac[c] *= 1.0 + self.growth_s[c];
            }
            let reporting = m.report_steps.get(next_report) == Some(&k);
            if reporting || !m.fills.is_empty() {
                self.compute_demand(k);
            }
            // 6. Vacancy-fill recruitment.
            self.vacancy_fill(d, k, on);
            let f = &self.flows;
            for (bank, _) in self.banks.iter_mut().zip(on).filter(|(_, on)| *on) {
                bank.add_step(f);
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
