//! Parameter distributions (a number, `{ mean, sd }`, `{ low, high }`), random streams and flow samplers.
//!
//! STUB: signatures are final; bodies are being completed.
use rand_distr::Distribution;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Deserialize;

/// The generator every draw takes: portable and the same on every platform.
pub type WfRng = Xoshiro256PlusPlus;

/// A parameter as written in a scenario file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ParamSpec {
    /// A plain number: fixed in every run.
    Fixed(f64),
    /// `{ mean, sd }`: the distribution of the parameter's family with this mean and sd.
    MeanSd {
        /// Mean of the distribution.
        mean: f64,
        /// Standard deviation of the distribution.
        sd: f64,
    },
    /// `{ low, high }`: the member of the family whose 5th and 95th percentiles are these.
    LowHigh {
        /// 5th percentile.
        low: f64,
        /// 95th percentile.
        high: f64,
    },
}

/// Which family of distributions a parameter belongs to (MODEL.md, 'Uncertainty').
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// A rate in [0, 1]: Beta.
    Probability,
    /// A non-negative amount (intakes, FTE additions): Gamma.
    Amount,
    /// A growth rate: Normal, draws clipped at -100%.
    Growth,
}

/// A resolved distribution, ready to draw from.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always this value.
    Fixed(f64),
    /// Beta(alpha, beta).
    Beta { alpha: f64, beta: f64 },
    /// Gamma(shape, scale).
    Gamma { shape: f64, scale: f64 },
    /// Normal(mean, sd), clipped below at -1.
    Normal { mean: f64, sd: f64 },
}

impl Dist {
    /// Turns what the user wrote into a distribution of `family`, or says what was expected.
    pub fn resolve(spec: &ParamSpec, family: Family) -> Result<Dist, String> {
        match (spec, family) {
            (ParamSpec::Fixed(x), _) => Ok(Dist::Fixed(*x)),
            (ParamSpec::MeanSd { mean, sd }, Family::Probability) => {
                let k = mean * (1.0 - mean) / (sd * sd) - 1.0;
                Ok(Dist::Beta { alpha: mean * k, beta: (1.0 - mean) * k })
            }
            (ParamSpec::MeanSd { mean, sd }, Family::Amount) => {
                Ok(Dist::Gamma { shape: mean * mean / (sd * sd), scale: sd * sd / mean })
            }
            (ParamSpec::MeanSd { mean, sd }, Family::Growth) => Ok(Dist::Normal { mean: *mean, sd: *sd }),
            (ParamSpec::LowHigh { low, high }, _) => {
                Ok(Dist::Normal { mean: (low + high) / 2.0, sd: (high - low) / (2.0 * 1.6448536269514722) })
            }
        }
    }

    /// The distribution's mean: the value deterministic mode uses.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(x) => x,
            Dist::Beta { alpha, beta } => alpha / (alpha + beta),
            Dist::Gamma { shape, scale } => shape * scale,
            Dist::Normal { mean, .. } => mean,
        }
    }

    /// The `p` quantile (temporary stub).
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            Dist::Fixed(x) => x,
            Dist::Beta { alpha, beta } => puruspe::invbetai(p, alpha, beta),
            Dist::Gamma { shape, scale } => puruspe::invgammp(p, shape) * scale,
            Dist::Normal { mean, sd } => {
                (mean + sd * std::f64::consts::SQRT_2 * puruspe::inverf(2.0 * p - 1.0)).max(-1.0)
            }
        }
    }

    /// One draw.
    pub fn sample(&self, rng: &mut WfRng) -> f64 {
        match *self {
            Dist::Fixed(x) => x,
            Dist::Beta { alpha, beta } => rand_distr::Beta::new(alpha, beta).unwrap().sample(rng),
            Dist::Gamma { shape, scale } => rand_distr::Gamma::new(shape, scale).unwrap().sample(rng),
            Dist::Normal { mean, sd } => rand_distr::Normal::new(mean, sd).unwrap().sample(rng).max(-1.0),
        }
    }
}

/// An annual probability as a probability per step of `step_months` months: `1 - (1 - p)^(s/12)`.
pub fn prob_per_step(p_annual: f64, step_months: u32) -> f64 {
    1.0 - (1.0 - p_annual).powf(step_months as f64 / 12.0)
}

/// An annual growth rate as a rate per step of `step_months` months: `(1 + g)^(s/12) - 1`.
pub fn growth_per_step(g_annual: f64, step_months: u32) -> f64 {
    (1.0 + g_annual).powf(step_months as f64 / 12.0) - 1.0
}

/// A stable 64-bit key for a list of names (FNV-1a, then mixed): the same on every platform.
pub fn key_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The generator of stream `key` in run `run` of seed `seed`. Streams are independent of
/// each other and of the order in which they are made.
pub fn stream(seed: u64, run: u64, key: u64) -> WfRng {
    use rand::SeedableRng;
    WfRng::seed_from_u64(seed ^ run.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ key.rotate_left(17))
}

/// `Binomial(n, p)`; `p` is clamped to [0, 1].
pub fn binomial(rng: &mut WfRng, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    rand_distr::Binomial::new(n, p).unwrap().sample(rng)
}

/// `Poisson(lambda)`.
pub fn poisson(rng: &mut WfRng, lambda: f64) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    rand_distr::Poisson::new(lambda).unwrap().sample(rng) as u64
}

/// One Multinomial draw of `n` over `probs` plus a last, implicit category holding
/// `1 - sum(probs)` (those who stay). Writes the counts of the named categories to `out`.
/// `probs` must sum to at most 1 (up to rounding).
pub fn multinomial(rng: &mut WfRng, n: u64, probs: &[f64], out: &mut [u64]) {
    let mut left = n;
    let mut mass = 1.0;
    for (p, o) in probs.iter().zip(out.iter_mut()) {
        let k = if mass > 0.0 { binomial(rng, left, p / mass) } else { 0 };
        *o = k;
        left -= k;
        mass -= p;
    }
}

/// One multivariate hypergeometric draw: keeps `keep` of the items counted in `counts`
/// (each item equally likely to be kept), writing the kept counts to `out`.
pub fn thin_to(rng: &mut WfRng, counts: &[u64], keep: u64, out: &mut [u64]) {
    let mut total: u64 = counts.iter().sum();
    let mut keep = keep.min(total);
    for (c, o) in counts.iter().zip(out.iter_mut()) {
        let k = if keep == 0 || *c == 0 {
            0
        } else if total == *c {
            keep
        } else {
            rand_distr::Hypergeometric::new(total, *c, keep).unwrap().sample(rng)
        };
        *o = k;
        total -= c;
        keep -= k;
    }
}
