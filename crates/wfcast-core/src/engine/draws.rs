//! The source of every flow: expectations ([`Expect`]) or draws from per-cell and per-route
//! streams ([`Sample`]), behind one trait so that the step is written once.
use crate::sampling::{self, CachedBinomial, TabledBinomial, WfRng};

/// The per-step rates of leaving and progression (phases 1 and 2) shared by every cell that
/// has them in a step: a class of cells, so that the draws' tables serve them all.
#[derive(Clone, Debug)]
pub(super) struct CellRates {
    /// Probability of leaving this step.
    pub a: f64,
    /// Probability of moving up a band this step (0 at band 9).
    pub up: f64,
    /// Stochastic runs: anyone leaving or moving up, `1 - (1 - a)(1 - up)`.
    pub any: TabledBinomial,
    /// Stochastic runs: of those, the share who leave, `a / (1 - (1 - a)(1 - up))`.
    pub leave: TabledBinomial,
}

impl CellRates {
    /// The rates of cells that leave with `a` and move up with `up` per step.
    pub fn new(a: f64, up: f64) -> CellRates {
        let mut r = CellRates { a, up, any: TabledBinomial::new(0.0), leave: TabledBinomial::new(0.0) };
        r.set(a, up);
        r
    }

    /// Sets the rates to `a` and `up`, keeping the tables' memory.
    pub fn set(&mut self, a: f64, up: f64) {
        let any = a + up - a * up;
        self.a = a;
        self.up = up;
        self.any.set(any);
        self.leave.set(if any > 0.0 { a / any } else { 1.0 });
    }
}

/// The transfers out of one cell: every link's probability per step and, for stochastic
/// runs, the chance that anyone moves at all.
#[derive(Clone, Copy, Debug)]
pub(super) struct TransferRates {
    /// Anyone moving to another role this step: the sum of the links' probabilities.
    pub any: CachedBinomial,
}

/// The flows of a step, as expectations or as draws. `i` is the stream of a cell (its index
/// among the cells that can hold staff) or of a route.
pub(super) trait Draws {
    /// Whether flows are random (stocks are then whole numbers).
    const STOCHASTIC: bool;
    /// Leavers and then movers up a band (from those who stay) of a cell of `h` staff.
    fn leave_and_progress(&mut self, i: usize, h: f64, r: &mut CellRates) -> (f64, f64);
    /// Movers along each link out of a cell of `h` staff, whose probabilities per step are
    /// `probs` (summing to `t.any`), written to `out`.
    fn transfers(&mut self, i: usize, h: f64, t: &mut TransferRates, probs: &[f64], out: &mut [f64]);
    /// `Binomial(n, b.p)` with a table of `P(X = 0)`.
    fn tabled_binomial(&mut self, i: usize, n: f64, b: &mut TabledBinomial) -> f64;
    /// `Binomial(n, p)`.
    fn binomial(&mut self, i: usize, n: f64, p: f64) -> f64;
    /// `Poisson(lambda)`.
    fn poisson(&mut self, i: usize, lambda: f64) -> f64;
    /// `Multinomial(n, probs)`, the rest staying.
    fn multinomial(&mut self, i: usize, n: f64, probs: &[f64], out: &mut [f64]);
    /// Keeps `keep` of `counts`, each equally likely to be kept.
    fn thin(&mut self, i: usize, counts: &[f64], keep: f64, out: &mut [f64]);
}

/// Every flow at its expectation (deterministic mode).
pub(super) struct Expect;

impl Draws for Expect {
    const STOCHASTIC: bool = false;
    fn leave_and_progress(&mut self, _: usize, h: f64, r: &mut CellRates) -> (f64, f64) {
        let l = h * r.a;
        let rest = h - l;
        (l, if rest > 0.0 && r.up > 0.0 { rest * r.up } else { 0.0 })
    }
    fn transfers(&mut self, _: usize, h: f64, _: &mut TransferRates, probs: &[f64], out: &mut [f64]) {
        for (o, p) in out.iter_mut().zip(probs) {
            *o = h * p;
        }
    }
    fn tabled_binomial(&mut self, _: usize, n: f64, b: &mut TabledBinomial) -> f64 {
        n * b.p()
    }
    fn binomial(&mut self, _: usize, n: f64, p: f64) -> f64 {
        n * p.clamp(0.0, 1.0)
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

/// Every flow a draw from its stream (stochastic runs).
pub(super) struct Sample<'a> {
    /// The streams: cells, then vacancy-fill cells, then routes, then vacancy-fill routes.
    pub rngs: &'a mut [WfRng],
    pub counts: Vec<u64>,
    pub out: Vec<u64>,
}

impl Draws for Sample<'_> {
    const STOCHASTIC: bool = true;
    /// One draw of everyone who leaves or moves up (one uniform when nobody does, as in most
    /// cells and steps), then who of them leaves: together exactly the two Binomials of
    /// MODEL.md (leavers from the stock, then movers up from those who stayed).
    #[inline]
    fn leave_and_progress(&mut self, i: usize, h: f64, r: &mut CellRates) -> (f64, f64) {
        let rng = &mut self.rngs[i];
        let moved = r.any.sample(rng, h as u64);
        if moved == 0 {
            return (0.0, 0.0);
        }
        let left = r.leave.sample(rng, moved);
        (left as f64, (moved - left) as f64)
    }
    /// One draw of everyone who moves, then (with more than one link) who goes where: together
    /// exactly the Multinomial over the links and staying.
    #[inline]
    fn transfers(&mut self, i: usize, h: f64, t: &mut TransferRates, probs: &[f64], out: &mut [f64]) {
        let rng = &mut self.rngs[i];
        let mut left = t.any.sample(rng, h as u64);
        out.fill(0.0);
        if left == 0 {
            return;
        }
        let mut mass = t.any.p();
        let last = probs.len() - 1;
        for (j, (o, &p)) in out.iter_mut().zip(probs).enumerate() {
            let k = if j == last { left } else { sampling::binomial(rng, left, p / mass) };
            *o = k as f64;
            left -= k;
            mass -= p;
            if left == 0 {
                break;
            }
        }
    }
    #[inline]
    fn tabled_binomial(&mut self, i: usize, n: f64, b: &mut TabledBinomial) -> f64 {
        b.sample(&mut self.rngs[i], n as u64) as f64
    }
    fn binomial(&mut self, i: usize, n: f64, p: f64) -> f64 {
        sampling::binomial(&mut self.rngs[i], n as u64, p) as f64
    }
    fn poisson(&mut self, i: usize, lambda: f64) -> f64 {
        sampling::poisson(&mut self.rngs[i], lambda) as f64
    }
    fn multinomial(&mut self, i: usize, n: f64, probs: &[f64], out: &mut [f64]) {
        self.out.resize(probs.len(), 0);
        sampling::multinomial(&mut self.rngs[i], n as u64, probs, &mut self.out);
        for (o, k) in out.iter_mut().zip(&self.out) {
            *o = *k as f64;
        }
    }
    fn thin(&mut self, i: usize, counts: &[f64], keep: f64, out: &mut [f64]) {
        self.counts.clear();
        self.counts.extend(counts.iter().map(|c| *c as u64));
        self.out.resize(counts.len(), 0);
        sampling::thin_to(&mut self.rngs[i], &self.counts, keep as u64, &mut self.out);
        for (o, k) in out.iter_mut().zip(&self.out) {
            *o = *k as f64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Mean and variance of `xs`.
    fn moments(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        (mean, xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0))
    }

    #[test]
    fn one_draw_of_who_moves_gives_the_two_binomials_of_leaving_then_moving_up() {
        // L ~ Bin(h, a), U ~ Bin(h - L, up): E L = h a, E U = h (1 - a) up, and their
        // variances and covariance are those of a Multinomial.
        let mut rng = WfRng::seed_from_u64(3);
        for (h, a, up) in [(40.0, 0.0087, 0.004), (3.0, 0.2, 0.1), (900.0, 0.03, 0.0), (25.0, 0.0, 0.05)] {
            let mut rates = CellRates::new(a, up);
            let mut draws = Sample { rngs: std::slice::from_mut(&mut rng), counts: Vec::new(), out: Vec::new() };
            let n = 200_000;
            let (ls, us): (Vec<f64>, Vec<f64>) = (0..n).map(|_| draws.leave_and_progress(0, h, &mut rates)).unzip();
            let (pl, pu) = (a, (1.0 - a) * up);
            let (ml, vl) = moments(&ls);
            let (mu, vu) = moments(&us);
            let cov = ls.iter().zip(&us).map(|(l, u)| (l - ml) * (u - mu)).sum::<f64>() / (n - 1) as f64;
            let se = |v: f64| (v / n as f64).sqrt().max(1e-12);
            assert!((ml - h * pl).abs() < 4.0 * se(h * pl * (1.0 - pl)), "{h} {a} {up}: leavers {ml}");
            assert!((mu - h * pu).abs() < 4.0 * se(h * pu * (1.0 - pu)), "{h} {a} {up}: up {mu}");
            assert!((vl - h * pl * (1.0 - pl)).abs() < 0.03 * h * pl * (1.0 - pl) + 1e-9, "{h} {a} {up}: var {vl}");
            assert!((vu - h * pu * (1.0 - pu)).abs() < 0.03 * h * pu * (1.0 - pu) + 1e-9, "{h} {a} {up}: var {vu}");
            let se_cov = (vl * vu / n as f64).sqrt().max(1e-12);
            assert!((cov + h * pl * pu).abs() < 4.0 * se_cov, "{h} {a} {up}: cov {cov} vs {}", -h * pl * pu);
            assert!(ls.iter().zip(&us).all(|(l, u)| l + u <= h));
        }
    }

    #[test]
    fn transfers_split_everyone_who_moves_as_the_multinomial_does() {
        let mut rng = WfRng::seed_from_u64(5);
        let probs = [0.01, 0.03, 0.002];
        let mut t = TransferRates { any: CachedBinomial::new(probs.iter().sum()) };
        let mut draws = Sample { rngs: std::slice::from_mut(&mut rng), counts: Vec::new(), out: Vec::new() };
        let (h, n) = (120.0, 100_000);
        let mut sums = [0.0; 3];
        let mut out = [0.0; 3];
        for _ in 0..n {
            draws.transfers(0, h, &mut t, &probs, &mut out);
            assert!(out.iter().sum::<f64>() <= h);
            sums.iter_mut().zip(&out).for_each(|(s, o)| *s += o);
        }
        for (s, p) in sums.iter().zip(probs) {
            let (mean, se) = (s / n as f64, (h * p * (1.0 - p) / n as f64).sqrt());
            assert!((mean - h * p).abs() < 4.0 * se, "link {p}: {mean} vs {}", h * p);
        }
    }

    #[test]
    fn expectations_are_the_flows_of_the_deterministic_model() {
        let mut rates = CellRates::new(0.1, 0.05);
        let (l, u) = Expect.leave_and_progress(0, 50.0, &mut rates);
        assert_eq!((l, u), (5.0, 45.0 * 0.05));
        let mut out = [0.0; 2];
        Expect.transfers(0, 10.0, &mut TransferRates { any: CachedBinomial::new(0.3) }, &[0.1, 0.2], &mut out);
        assert_eq!(out, [1.0, 2.0]);
    }
}
