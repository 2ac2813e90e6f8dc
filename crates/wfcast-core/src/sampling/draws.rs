//! Flow samplers (the engine's hot loop): [`binomial`], [`StepBinomial`], [`poisson`],
//! [`multinomial`] and [`thin_to`].

use rand_distr::Distribution;

use super::WfRng;

/// `Binomial(n, p)`; `p` is clamped to [0, 1] (a NaN counts as 0).
///
/// `n == 0`, `p <= 0` and `p >= 1` return at once without touching `rng`. Otherwise this
/// is rand_distr's `Binomial` (BINV inversion when `n * min(p, 1 - p) < 10`, BTPE
/// otherwise); its constructor is cheap (one `powf`, or a `sqrt`), so one is built per
/// draw.
#[inline]
pub fn binomial(rng: &mut WfRng, n: u64, p: f64) -> u64 {
    if n == 0 || p.is_nan() || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    match rand_distr::Binomial::new(n, p) {
        Ok(d) => d.sample(rng),
        Err(_) => 0, // unreachable: 0 < p < 1
    }
}

/// `Binomial(n, p)` for a probability used for many draws with different `n` (a cell's
/// leaving rate, step after step). It draws exactly as [`binomial`] does in distribution, but
/// keeps `ln(1 - p)` so that the inversion method (Kachitvichyanukul and Schmeiser's BINV,
/// which rand_distr uses when `n p < 10`) needs an `exp` instead of a `powf` per draw; larger
/// `n p` go to rand_distr's BTPE.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepBinomial {
    /// The probability as given, clamped to [0, 1].
    pub p: f64,
    /// `min(p, 1 - p)`: BINV draws the rarer outcome.
    small: f64,
    /// `ln(1 - small)`.
    ln_q: f64,
    /// `small / (1 - small)`.
    odds: f64,
}

impl StepBinomial {
    /// Prepares draws with probability `p` (clamped to [0, 1]; NaN is 0).
    pub fn new(p: f64) -> StepBinomial {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        let small = p.min(1.0 - p);
        StepBinomial { p, small, ln_q: (-small).ln_1p(), odds: small / (1.0 - small) }
    }

    /// One draw of `Binomial(n, p)`.
    #[inline]
    pub fn sample(&self, rng: &mut WfRng, n: u64) -> u64 {
        match self.trivial(rng, n) {
            Some(x) => x,
            None => self.invert(rng, n, &self.head(n)),
        }
    }

    /// The draws that need no inversion: `n == 0`, `p` of 0 or 1, and `n p >= 10` (BTPE).
    #[inline]
    fn trivial(&self, rng: &mut WfRng, n: u64) -> Option<u64> {
        if n == 0 || self.p <= 0.0 {
            Some(0)
        } else if self.p >= 1.0 {
            Some(n)
        } else if n as f64 * self.small >= 10.0 {
            Some(binomial(rng, n, self.p))
        } else {
            None
        }
    }

    /// The first terms of the distribution of the rarer outcome in `n` draws.
    fn head(&self, n: u64) -> Head {
        let a = (n as f64 + 1.0) * self.odds;
        let mut r = (n as f64 * self.ln_q).exp();
        let mut cdf = [r; Head::LEN];
        for x in 1..Head::LEN {
            // Past `n` the factor is zero but for rounding: never let a term go negative.
            r = (r * (a / x as f64 - self.odds)).max(0.0);
            cdf[x] = cdf[x - 1] + r;
        }
        Head { cdf, last: r }
    }

    /// BINV (Kachitvichyanukul and Schmeiser, as in rand_distr): the smallest `x` whose
    /// cumulative probability reaches a uniform, read from `head` for the first terms and
    /// walked term by term beyond them. A walk past 110 (over 30 standard deviations when
    /// `n p < 10`) restarts, as in rand_distr.
    #[inline]
    fn invert(&self, rng: &mut WfRng, n: u64, head: &Head) -> u64 {
        let x = 'draw: loop {
            let u: f64 = rand::RngExt::random(rng);
            // The terms below the uniform, counted without a branch: the cdf only grows.
            let below: usize = head.cdf.iter().map(|c| usize::from(u > *c)).sum();
            if below < Head::LEN {
                break below as u64;
            }
            let a = (n as f64 + 1.0) * self.odds;
            let mut u = u - head.cdf[Head::LEN - 1];
            let mut r = head.last;
            let mut x = Head::LEN as u64 - 1;
            loop {
                x += 1;
                if x > 110 {
                    continue 'draw;
                }
                r = (r * (a / x as f64 - self.odds)).max(0.0);
                if u <= r {
                    break 'draw x;
                }
                u -= r;
            }
        };
        let x = x.min(n);
        if self.p > 0.5 { n - x } else { x }
    }
}

/// The first terms of a Binomial's distribution (of its rarer outcome) for one `n`: what an
/// inversion needs for nearly every draw, so that it needs neither `exp` nor a division.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Head {
    /// `P(X <= x)` for `x` below `LEN` (NaN: not computed).
    cdf: [f64; Head::LEN],
    /// `P(X = LEN - 1)`.
    last: f64,
}

impl Head {
    const LEN: usize = 4;
    const NONE: Head = Head { cdf: [f64::NAN; Head::LEN], last: f64::NAN };
}

/// A [`StepBinomial`] that remembers the first terms of its distribution for the last `n` it
/// drew with: a cell's stock rarely changes from one step to the next, so most draws take one
/// uniform and a comparison or two.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CachedBinomial {
    /// The prepared probability.
    b: StepBinomial,
    /// The `n` that `head` is for (`u64::MAX`: none yet).
    n: u64,
    head: Head,
}

impl CachedBinomial {
    /// Prepares draws with probability `p` (clamped to [0, 1]; NaN is 0).
    pub fn new(p: f64) -> CachedBinomial {
        CachedBinomial { b: StepBinomial::new(p), n: u64::MAX, head: Head::NONE }
    }

    /// The probability, clamped to [0, 1].
    #[inline]
    pub fn p(&self) -> f64 {
        self.b.p
    }

    /// One draw of `Binomial(n, p)`.
    #[inline]
    pub fn sample(&mut self, rng: &mut WfRng, n: u64) -> u64 {
        if let Some(x) = self.b.trivial(rng, n) {
            return x;
        }
        if self.n != n {
            self.n = n;
            self.head = self.b.head(n);
        }
        self.b.invert(rng, n, &self.head)
    }
}

/// A [`StepBinomial`] used for many draws with different `n` at once (a vacancy-fill route's
/// fill probability over its cells' open posts): the first terms of its distribution are kept
/// for every `n` met, up to where the draw leaves inversion.
#[derive(Clone, Debug, PartialEq)]
pub struct TabledBinomial {
    /// The prepared probability.
    b: StepBinomial,
    /// The first terms for each `n` (NaN until first needed).
    heads: Vec<Head>,
}

impl TabledBinomial {
    /// The longest table kept: beyond it every draw computes its own terms.
    const MOST: usize = 1024;

    /// Prepares draws with probability `p` (clamped to [0, 1]; NaN is 0).
    pub fn new(p: f64) -> TabledBinomial {
        let mut t = TabledBinomial { b: StepBinomial::new(0.0), heads: Vec::new() };
        t.set(p);
        t
    }

    /// Prepares draws with probability `p` instead, keeping the table's memory.
    pub fn set(&mut self, p: f64) {
        self.b = StepBinomial::new(p);
        let small = self.b.small;
        let len = if small > 0.0 { ((10.0 / small).ceil() as usize).min(Self::MOST) } else { 0 };
        self.heads.clear();
        self.heads.resize(len, Head::NONE);
    }

    /// The probability, clamped to [0, 1].
    #[inline]
    pub fn p(&self) -> f64 {
        self.b.p
    }

    /// One draw of `Binomial(n, p)`.
    #[inline]
    pub fn sample(&mut self, rng: &mut WfRng, n: u64) -> u64 {
        if let Some(x) = self.b.trivial(rng, n) {
            return x;
        }
        match self.heads.get_mut(n as usize) {
            Some(head) => {
                if head.cdf[0].is_nan() {
                    *head = self.b.head(n);
                }
                let head = *head;
                self.b.invert(rng, n, &head)
            }
            None => self.b.invert(rng, n, &self.b.head(n)),
        }
    }
}

/// `Poisson(lambda)`. `lambda <= 0` (or NaN) gives 0 without touching `rng`; a `lambda`
/// beyond rand_distr's `Poisson::MAX_LAMBDA` (about 1.8e19) gives `lambda` saturated to
/// `u64`.
#[inline]
pub fn poisson(rng: &mut WfRng, lambda: f64) -> u64 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    match rand_distr::Poisson::new(lambda) {
        Ok(d) => {
            let x: f64 = d.sample(rng);
            x as u64
        }
        Err(_) => lambda as u64,
    }
}

/// One Multinomial draw of `n` over `probs` plus a last, implicit category holding
/// `1 - sum(probs)` (those who stay). Writes the counts of the named categories to `out`.
/// `probs` must sum to at most 1 (up to rounding).
///
/// Draws category by category a Binomial of those still unassigned with the conditional
/// probability `p_i / (1 - p_1 - ... - p_{i-1})`, clamped into [0, 1], so a sum a little
/// above 1 just leaves nobody to stay. Negative (or NaN) probabilities count as 0. Stops
/// drawing once everyone is assigned. `out` should be as long as `probs`; entries of
/// `out` beyond `probs` are set to 0.
pub fn multinomial(rng: &mut WfRng, n: u64, probs: &[f64], out: &mut [u64]) {
    let m = probs.len().min(out.len());
    let mut left = n;
    let mut mass = 1.0;
    let mut i = 0;
    while i < m && left > 0 {
        let p = if probs[i] > 0.0 { probs[i] } else { 0.0 };
        let k = if p == 0.0 {
            0
        } else if p >= mass {
            left
        } else {
            binomial(rng, left, p / mass)
        };
        out[i] = k;
        left -= k;
        mass -= p;
        i += 1;
    }
    out[i..].fill(0);
}

/// One multivariate hypergeometric draw: keeps `keep` of the items counted in `counts`
/// (each item equally likely to be kept), writing the kept counts to `out`.
///
/// Keeps everything when `keep` is at least the total. Otherwise picks the kept (or the
/// dropped, whichever are fewer) items uniformly without replacement with rand's index
/// sampling and counts them per category, so `out` sums to exactly `keep` and
/// `out[i] <= counts[i]`. `out` should be as long as `counts`; only the first
/// `min(counts.len(), out.len())` categories take part, and entries of `out` beyond them
/// are set to 0.
pub fn thin_to(rng: &mut WfRng, counts: &[u64], keep: u64, out: &mut [u64]) {
    let m = counts.len().min(out.len());
    let counts = &counts[..m];
    let total: u64 = counts.iter().sum();
    out[m..].fill(0);
    if keep >= total {
        out[..m].copy_from_slice(counts);
        return;
    }
    // Pick the smaller of the kept and the dropped items uniformly without replacement
    // (rand's index sampling), then count them per category: the cost grows with the
    // number of items picked, not with the number of categories.
    let drop = keep > total / 2;
    let picked = if drop { total - keep } else { keep };
    let mut idx: Vec<usize> = rand::seq::index::sample(rng, total as usize, picked as usize).into_vec();
    idx.sort_unstable();
    let mut hits = idx.iter().peekable();
    let mut end = 0usize;
    for (o, &c) in out[..m].iter_mut().zip(counts) {
        end += c as usize;
        let mut k = 0u64;
        while hits.next_if(|&&i| i < end).is_some() {
            k += 1;
        }
        *o = if drop { c - k } else { k };
    }
}

#[cfg(test)]
mod step_binomial_tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn step_binomial_has_the_binomial_mean_and_variance() {
        let mut rng = WfRng::seed_from_u64(9);
        for (n, p) in [(1000u64, 0.0087), (40, 0.02), (5, 0.9), (300, 0.5), (12, 0.995), (2000, 0.3), (1, 0.4)] {
            let b = StepBinomial::new(p);
            let draws = 200_000;
            let xs: Vec<f64> = (0..draws).map(|_| b.sample(&mut rng, n) as f64).collect();
            let mean = xs.iter().sum::<f64>() / draws as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (draws - 1) as f64;
            let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
            assert!((mean - m).abs() < 4.0 * (v / draws as f64).sqrt(), "n {n} p {p}: mean {mean} vs {m}");
            let se_var = v * (2.0 / (draws - 1) as f64).sqrt() * 2.0;
            assert!((var - v).abs() < 4.0 * se_var, "n {n} p {p}: variance {var} vs {v}");
            assert!(xs.iter().all(|x| *x >= 0.0 && *x <= n as f64));
        }
    }

    #[test]
    fn cached_and_tabled_binomials_draw_as_the_step_binomial_does() {
        // The same generator state gives the same draw, whatever was drawn before.
        for p in [0.0087, 0.11, 0.5, 0.93, 0.999] {
            let b = StepBinomial::new(p);
            let mut cached = CachedBinomial::new(p);
            let mut tabled = TabledBinomial::new(p);
            let mut rng = WfRng::seed_from_u64(11);
            for i in 0..20_000u64 {
                let n = (i * 7919) % 60 + (i % 3) * 500;
                let (mut r1, mut r2, mut r3) = (rng.clone(), rng.clone(), rng.clone());
                let x = b.sample(&mut r1, n);
                assert_eq!(cached.sample(&mut r2, n), x, "p {p} n {n}");
                assert_eq!(tabled.sample(&mut r3, n), x, "p {p} n {n}");
                assert!(x <= n);
                rng = r1;
            }
        }
    }

    #[test]
    fn step_binomial_edges() {
        let mut rng = WfRng::seed_from_u64(1);
        assert_eq!(StepBinomial::new(0.0).sample(&mut rng, 50), 0);
        assert_eq!(StepBinomial::new(1.0).sample(&mut rng, 50), 50);
        assert_eq!(StepBinomial::new(f64::NAN).sample(&mut rng, 50), 0);
        assert_eq!(StepBinomial::new(1.2).sample(&mut rng, 7), 7);
        assert_eq!(StepBinomial::new(0.3).sample(&mut rng, 0), 0);
    }
}
