//! Parameter distributions (a number, `{ mean, sd }`, `{ low, high }`), random streams and flow samplers.
//!
//! This module holds both layers of uncertainty of MODEL.md ('Uncertainty: two layers'):
//!
//! - **Parameter uncertainty.** A scenario writes a parameter as a plain number, as
//!   `{ mean, sd }` or as a 90% interval `{ low, high }` ([`ParamSpec`]). [`Dist::resolve`]
//!   turns that into a distribution of the parameter's [`Family`]: Beta for probabilities,
//!   Gamma for non-negative amounts, Normal (draws clipped at -100%) for growth rates. A
//!   `{ low, high }` Beta or Gamma is the member of the family whose 5th and 95th
//!   percentiles are exactly `low` and `high` (found numerically); for the Normal it is
//!   mean `(low + high) / 2`, sd `(high - low) / (2 * 1.6448536...)`.
//! - **Process noise.** [`binomial`], [`poisson`], [`multinomial`] and [`thin_to`] draw the
//!   flows of one step. They sit in the engine's hot loop, so they take fast paths for the
//!   trivial cases and never panic on valid (or slightly rounded) inputs.
//!
//! Every draw takes a [`WfRng`] made by [`stream`] from `(seed, run, key)`, where `key` is
//! a [`key_hash`] of names. Both are defined here bit for bit (FNV-1a, SplitMix64 and
//! Xoshiro256++ on `u64` arithmetic only), so the same seed gives the same numbers on every
//! platform, thread count and version of this crate.
use std::fmt;

use rand_distr::Distribution;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The generator every draw takes: portable and the same on every platform.
pub type WfRng = Xoshiro256PlusPlus;

/// The 95th percentile of the standard Normal: a `{ low, high }` interval spans
/// `2 * Z95` standard deviations of a Normal.
pub const Z95: f64 = 1.644_853_626_951_472_2;

// ---------------------------------------------------------------------------------------
// ParamSpec: what the user wrote
// ---------------------------------------------------------------------------------------

/// A parameter as written in a scenario file.
///
/// Deserialises (by hand, so that mistakes give clear messages) from a TOML integer or
/// float ([`ParamSpec::Fixed`]), or from a table with exactly the keys `{ mean, sd }` or
/// `{ low, high }` whose values are numbers (integers accepted). Any other key, a missing
/// key or a mix of the two forms is an error that names the key and says what was
/// expected. Serialises back to the same shapes.
#[derive(Clone, Debug, PartialEq, Serialize)]
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

/// What a parameter may look like, for error messages.
const EXPECTED_SPEC: &str = "a number, { mean, sd } or { low, high }";

impl<'de> Deserialize<'de> for ParamSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ParamSpecVisitor)
    }
}

/// Visitor behind `ParamSpec`'s `Deserialize`.
struct ParamSpecVisitor;

impl<'de> Visitor<'de> for ParamSpecVisitor {
    type Value = ParamSpec;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(EXPECTED_SPEC)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ParamSpec, E> {
        Ok(ParamSpec::Fixed(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ParamSpec, E> {
        Ok(ParamSpec::Fixed(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ParamSpec, E> {
        Ok(ParamSpec::Fixed(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParamSpec, A::Error> {
        // Slots in the order mean, sd, low, high.
        const KEYS: [&str; 4] = ["mean", "sd", "low", "high"];
        let mut values: [Option<f64>; 4] = [None; 4];
        while let Some(key) = map.next_key::<String>()? {
            let Some(i) = KEYS.iter().position(|k| *k == key) else {
                return Err(de::Error::custom(format!("unknown key `{key}`: expected {EXPECTED_SPEC}")));
            };
            if values[i].is_some() {
                return Err(de::Error::custom(format!("duplicate key `{key}`: expected {EXPECTED_SPEC}")));
            }
            // A key of the other form already seen: `{ mean, low }` and the like.
            let other = if i < 2 { 2..4 } else { 0..2 };
            if let Some(j) = other.into_iter().find(|&j| values[j].is_some()) {
                return Err(de::Error::custom(format!(
                    "key `{key}` cannot be combined with `{}`: expected {EXPECTED_SPEC}",
                    KEYS[j]
                )));
            }
            values[i] = Some(map.next_value_seed(NumberFor(KEYS[i]))?);
        }
        match values {
            [Some(mean), Some(sd), None, None] => Ok(ParamSpec::MeanSd { mean, sd }),
            [None, None, Some(low), Some(high)] => Ok(ParamSpec::LowHigh { low, high }),
            [None, None, None, None] => Err(de::Error::custom(format!("empty table: expected {EXPECTED_SPEC}"))),
            [Some(_), None, ..] => {
                Err(de::Error::custom("missing key `sd`: expected { mean, sd } (or a number, or { low, high })"))
            }
            [None, Some(_), ..] => {
                Err(de::Error::custom("missing key `mean`: expected { mean, sd } (or a number, or { low, high })"))
            }
            [_, _, Some(_), None] => {
                Err(de::Error::custom("missing key `high`: expected { low, high } (or a number, or { mean, sd })"))
            }
            [_, _, None, Some(_)] => {
                Err(de::Error::custom("missing key `low`: expected { low, high } (or a number, or { mean, sd })"))
            }
            // Mixed forms were rejected while reading.
            _ => Err(de::Error::custom(format!("expected {EXPECTED_SPEC}"))),
        }
    }
}

/// Deserialises one number (integer or float) of a parameter table; the key names it in
/// error messages.
struct NumberFor(&'static str);

impl<'de> DeserializeSeed<'de> for NumberFor {
    type Value = f64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NumberFor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a number for `{}`", self.0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
}

// ---------------------------------------------------------------------------------------
// Families and resolved distributions
// ---------------------------------------------------------------------------------------

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
    Beta {
        /// First shape parameter, > 0.
        alpha: f64,
        /// Second shape parameter, > 0.
        beta: f64,
    },
    /// Gamma(shape, scale).
    Gamma {
        /// Shape, > 0.
        shape: f64,
        /// Scale, > 0 (the mean is `shape * scale`).
        scale: f64,
    },
    /// Normal(mean, sd), clipped below at -1.
    Normal {
        /// Mean before clipping.
        mean: f64,
        /// Standard deviation before clipping, > 0.
        sd: f64,
    },
}

/// A number for an error message: up to 6 significant digits, no trailing zeros.
fn num(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let short = format!("{x}");
    if short.len() <= 10 {
        return short;
    }
    let digits = (5 - x.abs().log10().floor() as i32).clamp(0, 17) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Checks that every value the user wrote is a finite number.
fn check_finite(spec: &ParamSpec) -> Result<(), String> {
    let named = match *spec {
        ParamSpec::Fixed(x) => [("value", x), ("value", x)],
        ParamSpec::MeanSd { mean, sd } => [("mean", mean), ("sd", sd)],
        ParamSpec::LowHigh { low, high } => [("low", low), ("high", high)],
    };
    for (name, x) in named {
        if !x.is_finite() {
            return Err(format!("expected a finite number for the {name}, got {x}"));
        }
    }
    Ok(())
}

impl Dist {
    /// Turns what the user wrote into a distribution of `family`, or says what was expected.
    ///
    /// - [`Family::Probability`]: a number in [0, 1]; `{ mean, sd }` with `0 < mean < 1`,
    ///   `sd > 0` and `sd^2 < mean * (1 - mean)` gives the Beta with that mean and sd;
    ///   `{ low, high }` with `0 < low < high < 1` gives the Beta whose 5th and 95th
    ///   percentiles are `low` and `high`.
    /// - [`Family::Amount`]: a number `>= 0`; `{ mean, sd }` with `mean > 0`, `sd > 0` gives
    ///   Gamma(shape `mean^2 / sd^2`, scale `sd^2 / mean`); `{ low, high }` with
    ///   `0 < low < high` gives the Gamma whose 5th and 95th percentiles are `low`, `high`.
    /// - [`Family::Growth`]: a number `>= -1`; `{ mean, sd }` with `sd > 0` gives
    ///   Normal(mean, sd); `{ low, high }` with `low < high` gives the Normal with mean
    ///   `(low + high) / 2` and sd `(high - low) / (2 * 1.6448536...)`.
    ///
    /// `{ mean, sd = 0 }` is accepted in every family and resolves to `Fixed(mean)`, under
    /// the rules for a plain number. Errors are plain English without the location (the
    /// caller prefixes the file and key path).
    pub fn resolve(spec: &ParamSpec, family: Family) -> Result<Dist, String> {
        check_finite(spec)?;
        match (spec.clone(), family) {
            (ParamSpec::MeanSd { mean, sd: 0.0 }, _) => Dist::resolve(&ParamSpec::Fixed(mean), family),
            (ParamSpec::MeanSd { sd, .. }, _) if sd < 0.0 => {
                Err(format!("expected a positive sd (or 0 for a fixed value), got {}", num(sd)))
            }

            (ParamSpec::Fixed(x), Family::Probability) => {
                if (0.0..=1.0).contains(&x) {
                    Ok(Dist::Fixed(x))
                } else {
                    Err(format!("expected a probability between 0 and 1, got {}", num(x)))
                }
            }
            (ParamSpec::MeanSd { mean, sd }, Family::Probability) => {
                if !(mean > 0.0 && mean < 1.0) {
                    return Err(format!(
                        "expected the mean of a probability to be strictly between 0 and 1, got {}",
                        num(mean)
                    ));
                }
                let var_max = mean * (1.0 - mean);
                let k = var_max / (sd * sd) - 1.0;
                if k <= 1e-12 {
                    return Err(format!(
                        "the sd {} is too large for a probability with mean {}: \
                         it must be less than {} (the square root of mean * (1 - mean))",
                        num(sd),
                        num(mean),
                        num(var_max.sqrt())
                    ));
                }
                Ok(Dist::Beta { alpha: mean * k, beta: (1.0 - mean) * k })
            }
            (ParamSpec::LowHigh { low, high }, Family::Probability) => {
                if !(0.0 < low && low < high && high < 1.0) {
                    return Err(format!(
                        "expected 0 < low < high < 1 for a probability, got low = {}, high = {}",
                        num(low),
                        num(high)
                    ));
                }
                let (alpha, beta) = fit_beta(low, high)?;
                Ok(Dist::Beta { alpha, beta })
            }

            (ParamSpec::Fixed(x), Family::Amount) => {
                if x >= 0.0 {
                    Ok(Dist::Fixed(x))
                } else {
                    Err(format!("expected an amount of at least 0, got {}", num(x)))
                }
            }
            (ParamSpec::MeanSd { mean, sd }, Family::Amount) => {
                if mean <= 0.0 {
                    return Err(format!("expected the mean of an amount to be greater than 0, got {}", num(mean)));
                }
                Ok(Dist::Gamma { shape: (mean / sd) * (mean / sd), scale: sd * (sd / mean) })
            }
            (ParamSpec::LowHigh { low, high }, Family::Amount) => {
                if !(0.0 < low && low < high) {
                    return Err(format!(
                        "expected 0 < low < high for an amount, got low = {}, high = {}",
                        num(low),
                        num(high)
                    ));
                }
                let (shape, scale) = fit_gamma(low, high)?;
                Ok(Dist::Gamma { shape, scale })
            }

            (ParamSpec::Fixed(x), Family::Growth) => {
                if x >= -1.0 {
                    Ok(Dist::Fixed(x))
                } else {
                    Err(format!("expected a growth rate of at least -1 (-100%), got {}", num(x)))
                }
            }
            (ParamSpec::MeanSd { mean, sd }, Family::Growth) => Ok(Dist::Normal { mean, sd }),
            (ParamSpec::LowHigh { low, high }, Family::Growth) => {
                if low >= high {
                    return Err(format!(
                        "expected low < high for a growth rate, got low = {}, high = {}",
                        num(low),
                        num(high)
                    ));
                }
                Ok(Dist::Normal { mean: 0.5 * (low + high), sd: (high - low) / (2.0 * Z95) })
            }
        }
    }

    /// The distribution's mean: the value deterministic mode uses.
    ///
    /// For [`Dist::Normal`] this is the mean before clipping at -1, which is what
    /// deterministic mode uses; the two differ only when the Normal has visible mass
    /// below -100%.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(x) => x,
            Dist::Beta { alpha, beta } => alpha / (alpha + beta),
            Dist::Gamma { shape, scale } => shape * scale,
            Dist::Normal { mean, .. } => mean,
        }
    }

    /// The distribution's standard deviation (0 for [`Dist::Fixed`]; for
    /// [`Dist::Normal`], the sd before clipping).
    pub fn sd(&self) -> f64 {
        match *self {
            Dist::Fixed(_) => 0.0,
            Dist::Beta { alpha, beta } => {
                let s = alpha + beta;
                (alpha * beta / (s * s * (s + 1.0))).sqrt()
            }
            Dist::Gamma { shape, scale } => shape.sqrt() * scale,
            Dist::Normal { sd, .. } => sd,
        }
    }

    /// The `p`-quantile (`0 <= p <= 1`), for inversion draws, tests and reports: Beta and
    /// Gamma by inverting their CDFs (the regularised incomplete beta and lower incomplete
    /// gamma functions, evaluated in this module to about 1e-14, inverted by safeguarded
    /// Newton steps: about 1 to 10 microseconds a call), Normal through puruspe's inverse
    /// error function (clipped at -1, like the draws). `p <= 0` gives the lower end of the
    /// support, `p >= 1` the upper end for the Beta and, for the unbounded Gamma and
    /// Normal, the (finite) quantile at the largest double below 1.
    pub fn quantile(&self, p: f64) -> f64 {
        if p.is_nan() {
            return f64::NAN;
        }
        // The unbounded families stay finite: `p >= 1` is read as the largest double
        // below 1 (a uniform made as `(k + 0.5) / 2^53` can round to exactly 1).
        const P_TOP: f64 = 1.0 - f64::EPSILON / 2.0;
        match *self {
            Dist::Fixed(x) => x,
            Dist::Beta { alpha, beta } => {
                if p <= 0.0 {
                    0.0
                } else if p >= 1.0 {
                    1.0
                } else {
                    beta_quantile(p, alpha, beta)
                }
            }
            Dist::Gamma { shape, scale } => {
                if p <= 0.0 {
                    0.0
                } else {
                    gamma_quantile(p.min(P_TOP), shape) * scale
                }
            }
            Dist::Normal { mean, sd } => {
                if p <= 0.0 {
                    -1.0
                } else {
                    (mean + sd * normal_quantile(p.min(P_TOP))).max(-1.0)
                }
            }
        }
    }

    /// One draw. Normal draws below -1 (growth below -100%) are clipped to -1; Beta
    /// draws are kept in [0, 1]. A distribution with invalid parameters (which
    /// [`Dist::resolve`] never makes) gives its mean.
    pub fn sample(&self, rng: &mut WfRng) -> f64 {
        match *self {
            Dist::Fixed(x) => x,
            Dist::Beta { alpha, beta } => match rand_distr::Beta::new(alpha, beta) {
                Ok(d) => {
                    let x: f64 = d.sample(rng);
                    if x.is_nan() { self.mean() } else { x.clamp(0.0, 1.0) }
                }
                Err(_) => self.mean(),
            },
            Dist::Gamma { shape, scale } => match rand_distr::Gamma::new(shape, scale) {
                Ok(d) => d.sample(rng),
                Err(_) => self.mean(),
            },
            Dist::Normal { mean, sd } => match rand_distr::Normal::new(mean, sd) {
                Ok(d) => d.sample(rng).max(-1.0),
                Err(_) => mean.max(-1.0),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------
// Root finding
// ---------------------------------------------------------------------------------------

/// How closely a fitted 5th / 95th percentile must match `low` / `high` (absolute).
const FIT_TOLERANCE: f64 = 1e-9;

/// Brent's method: a root of `f` in the bracket `[a, b]`, where `fa = f(a)` and
/// `fb = f(b)` have opposite signs (or one is zero). Stops when the bracket is narrower
/// than about `xtol` or `f` is exactly zero.
fn brent(mut f: impl FnMut(f64) -> f64, mut a: f64, mut b: f64, mut fa: f64, mut fb: f64, xtol: f64) -> f64 {
    let mut c = b;
    let mut fc = fb;
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol || fb == 0.0 {
            return b;
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            // Inverse quadratic interpolation, or the secant when only two points.
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            let min1 = 3.0 * xm * q - (tol * q).abs();
            let min2 = (e * q).abs();
            if 2.0 * p < min1.min(min2) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(xm) };
        fb = f(b);
    }
    b
}

/// A root of a monotone `f` (increasing when `increasing`) in `[lo, hi]`: brackets it by
/// stepping from `x0` (steps doubling from `step`), then runs [`brent`]. `None` when `f`
/// does not change sign in `[lo, hi]`.
fn solve_monotone(
    mut f: impl FnMut(f64) -> f64,
    increasing: bool,
    x0: f64,
    step: f64,
    (lo, hi): (f64, f64),
    xtol: f64,
) -> Option<f64> {
    let x0 = x0.clamp(lo, hi);
    let f0 = f(x0);
    if f0 == 0.0 {
        return Some(x0);
    }
    if f0.is_nan() {
        return None;
    }
    // Walk towards the root.
    let dir = if (f0 < 0.0) == increasing { 1.0 } else { -1.0 };
    let (mut a, mut fa) = (x0, f0);
    let mut h = step;
    loop {
        if (dir > 0.0 && a >= hi) || (dir < 0.0 && a <= lo) {
            return None;
        }
        let b = (a + dir * h).clamp(lo, hi);
        let fb = f(b);
        if fb.is_nan() {
            return None;
        }
        if fb == 0.0 {
            return Some(b);
        }
        if (fb > 0.0) != (fa > 0.0) {
            return Some(brent(&mut f, a, b, fa, fb, xtol));
        }
        a = b;
        fa = fb;
        h *= 2.0;
    }
}

/// The `p`-quantile of the standard Normal, `-sqrt(2) erfc^-1(2p)` (puruspe), precise in
/// the lower tail too.
fn normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * puruspe::inverfc(2.0 * p)
}

/// `1 / (1 + exp(-t))`, the logistic function.
fn logistic(t: f64) -> f64 {
    1.0 / (1.0 + (-t).exp())
}

// ---------------------------------------------------------------------------------------
// Special functions: the Beta and Gamma CDFs and their inverses
// ---------------------------------------------------------------------------------------
//
// puruspe 0.4.4 cannot be trusted for the shapes that narrow intervals need: its `betai`
// returns 0 or -0 near the mean once both shapes exceed 3000 (I_0.49(3001, 3001) gives 0,
// the truth is 0.0606), its continued-fraction switch at (a+1)/(a+2b) instead of
// (a+1)/(a+b+2) leaves it unconverged in the tails (I_0.09(2999, 21339) gives 1, the truth
// is 7.3e-67), `gammp(101.0, 95.0)` is NaN and so `invgammp(0.05, 101.0)` panics ("Bad
// args in gammp"), and its `ln_gamma` is good to about 1e-10 only. So the CDFs are
// evaluated here: the continued fraction and series of Numerical Recipes (sections 6.2
// and 6.4) with the prefactors written through the Stirling series (as in TOMS 708),
// accurate to about 1e-14 over the range that matters. They are inverted by safeguarded
// Newton steps (Brent as the fallback); very large shapes, where the series get long
// and the distributions are all but Normal, use Wilson-Hilferty (Gamma) and
// Cornish-Fisher (Beta). puruspe supplies the inverse error function.

/// `ln(sqrt(2 pi))`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
/// Most iterations of a series or continued fraction; they need about `sqrt(shape)`.
const SPECIAL_MAX_ITER: usize = 1_000_000;
/// Guard against division by zero in the modified Lentz algorithm.
const LENTZ_TINY: f64 = 1e-300;

/// `ln Gamma(x) - ((x - 1/2) ln x - x + ln sqrt(2 pi))` for `x >= 10`, by the Stirling
/// series (error below 1e-15).
fn stirling_delta(x: f64) -> f64 {
    let r = 1.0 / x;
    let r2 = r * r;
    r * (1.0 / 12.0
        - r2 * (1.0 / 360.0
            - r2 * (1.0 / 1260.0 - r2 * (1.0 / 1680.0 - r2 * (1.0 / 1188.0 - r2 * (691.0 / 360_360.0))))))
}

/// `ln Gamma(x)` for `x > 0`, to about 1e-15: Stirling's series, after shifting `x` up
/// to at least 10 with `Gamma(x) = Gamma(x + n) / (x (x + 1) ... (x + n - 1))`.
fn ln_gamma(x: f64) -> f64 {
    if x >= 10.0 {
        return (x - 0.5) * x.ln() - x + LN_SQRT_2PI + stirling_delta(x);
    }
    let mut z = x;
    let mut prod = 1.0;
    while z < 10.0 {
        prod *= z;
        z += 1.0;
    }
    ln_gamma(z) - prod.ln()
}

/// `ln B(a, b)`, without cancellation when one shape is large.
fn ln_beta(a: f64, b: f64) -> f64 {
    let (small, big) = if a < b { (a, b) } else { (b, a) };
    if big >= 10.0 {
        // ln Gamma(small + big) - ln Gamma(big), through the Stirling series.
        let s = small + big;
        let ratio =
            (big - 0.5) * (small / big).ln_1p() + small * (s.ln() - 1.0) + stirling_delta(s) - stirling_delta(big);
        ln_gamma(small) - ratio
    } else {
        ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
    }
}

/// `ln(x^a y^b / B(a, b))` with `y = 1 - x`; for large shapes written as
/// `a ln(x / x0) + b ln(y / y0) + ...` around the mean `x0` (TOMS 708's `brcomp`).
fn ln_beta_front(a: f64, b: f64, x: f64, y: f64) -> f64 {
    if a >= 10.0 && b >= 10.0 {
        let s = a + b;
        let (x0, y0) = (a / s, b / s);
        a * ((x - x0) / x0).ln_1p() + b * ((y - y0) / y0).ln_1p() + 0.5 * (a / s * b).ln() - LN_SQRT_2PI
            + stirling_delta(s)
            - stirling_delta(a)
            - stirling_delta(b)
    } else {
        let ln_x = if y < 0.5 { (-y).ln_1p() } else { x.ln() };
        let ln_y = if x < 0.5 { (-x).ln_1p() } else { y.ln() };
        a * ln_x + b * ln_y - ln_beta(a, b)
    }
}

/// The continued fraction of the incomplete beta function (Numerical Recipes `betacf`,
/// modified Lentz); NaN if it does not converge.
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let guard = |v: f64| if v.abs() < LENTZ_TINY { LENTZ_TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=SPECIAL_MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= 2.0 * f64::EPSILON {
            return h;
        }
    }
    f64::NAN
}

/// The CDF of Beta(a, b) at `x` as `(F, 1 - F, dF/dt)`, where `t = logit(x)` (so
/// `dF/dt = x^a y^b / B(a, b)`). Below about the mean `F` is computed directly and
/// `1 - F` from it, above it the other way round, so whichever is small keeps its
/// relative precision; `y = 1 - x` is passed separately so that points near 1 keep
/// theirs.
fn beta_cdf_parts(a: f64, b: f64, x: f64, y: f64) -> (f64, f64, f64) {
    if x <= 0.0 {
        return (0.0, 1.0, 0.0);
    }
    if y <= 0.0 {
        return (1.0, 0.0, 0.0);
    }
    let front = ln_beta_front(a, b, x, y).exp();
    if x * (a + b + 2.0) < a + 1.0 {
        let f = front * beta_cf(a, b, x) / a;
        (f, 1.0 - f, front)
    } else {
        let q = front * beta_cf(b, a, y) / b;
        (1.0 - q, q, front)
    }
}

/// `I_x(a, b)`, the CDF of Beta(a, b) at `x`, with `y = 1 - x`.
fn beta_cdf(a: f64, b: f64, x: f64, y: f64) -> f64 {
    beta_cdf_parts(a, b, x, y).0
}

/// Solves `F(v) = p` (`0 < p < 1`) for a continuous CDF `F` of a variable `v` on
/// `range`, where `parts(v)` gives `(F, 1 - F, dF/dv)`.
///
/// Newton's method on `ln F = ln p` below the median and on `ln(1 - F) = ln(1 - p)`
/// above it (nearly linear in the tails, so a few steps from a rough start suffice),
/// with steps of at most 3, kept inside the bracket learnt from the signs so far; a
/// Brent solve when Newton does not settle in 40 steps.
fn invert_cdf(mut parts: impl FnMut(f64) -> (f64, f64, f64), p: f64, v0: f64, (lo, hi): (f64, f64)) -> Option<f64> {
    const MAX_STEP: f64 = 3.0;
    let lower = p < 0.5;
    let target = if lower { p.ln() } else { (1.0 - p).ln() };
    // g rises with v and is zero at the answer; also returns dg/dv.
    let mut g = |v: f64| {
        let (f, q, d) = parts(v);
        if f.is_nan() || q.is_nan() {
            return (f64::NAN, f64::NAN);
        }
        // Rounding can push the one computed as 1 - the other just below 0: read as 0.
        let (f, q) = (f.max(0.0), q.max(0.0));
        if lower { (f.ln() - target, d / f) } else { (target - q.ln(), d / q) }
    };
    let (mut a, mut b) = (lo, hi);
    let (mut a_seen, mut b_seen) = (false, false);
    let mut v = v0.clamp(lo, hi);
    for _ in 0..40 {
        let (gv, dg) = g(v);
        if gv.is_nan() {
            break;
        }
        if gv == 0.0 {
            return Some(v);
        }
        if gv < 0.0 {
            (a, a_seen) = (v, true);
        } else {
            (b, b_seen) = (v, true);
        }
        let step = gv / dg;
        let tol = 1e-14 * v.abs().max(1.0);
        // Newton converges quadratically: after a step this small the error of `v - step`
        // is far below rounding, so it needs no further evaluation.
        if step.abs() <= 1e-9 * v.abs().max(1.0) {
            return Some(v - step);
        }
        let newton = v - step.clamp(-MAX_STEP, MAX_STEP);
        let next = if step.is_finite() && newton >= a && newton <= b {
            newton
        } else if a_seen && b_seen {
            0.5 * (a + b)
        } else if gv < 0.0 {
            (v + MAX_STEP).min(hi)
        } else {
            (v - MAX_STEP).max(lo)
        };
        if (a_seen && b_seen && b - a <= tol) || next == v {
            return Some(next);
        }
        v = next;
    }
    solve_monotone(|v| g(v).0, true, v0.clamp(lo, hi), 1.0, (lo, hi), 1e-13)
}

/// The `p`-quantile of Beta(a, b), `0 < p < 1`, solved on the logit of `x` so that
/// quantiles near 0 or 1 keep their relative precision. Starts from the Normal
/// approximation on the logit scale. When both shapes exceed 1e9 (a Beta narrower than
/// the rounding of its CDF) it is the Cornish-Fisher expansion with the skewness term,
/// whose error there is below 1e-8 sd.
fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    let s = a + b;
    let (m, sd) = (a / s, (a * b / (s * s * (s + 1.0))).sqrt());
    let z = normal_quantile(p);
    if a.min(b) >= 1e9 {
        let skew = 2.0 * (b - a) * (s + 1.0).sqrt() / ((s + 2.0) * a.sqrt() * b.sqrt());
        return (m + sd * (z + skew * (z * z - 1.0) / 6.0)).clamp(0.0, 1.0);
    }
    let t0 = (a / b).ln() + z * sd / (m * (1.0 - m));
    let t = invert_cdf(|t| beta_cdf_parts(a, b, logistic(t), logistic(-t)), p, t0, (-700.0, 700.0));
    match t {
        Some(t) => logistic(t),
        None if p < 0.5 => 0.0,
        None => 1.0,
    }
}

/// `ln(x^a e^-x / Gamma(a))`, for large `a` written around `x = a`.
fn ln_gamma_front(a: f64, x: f64) -> f64 {
    if a >= 10.0 {
        let u = (x - a) / a;
        a * (u.ln_1p() - u) + 0.5 * a.ln() - LN_SQRT_2PI - stirling_delta(a)
    } else {
        a * x.ln() - x - ln_gamma(a)
    }
}

/// The CDF of Gamma(shape a, scale 1) at `x` as `(P, 1 - P, dP/dv)`, where `v = ln x`
/// (so `dP/dv = x^a e^-x / Gamma(a)`): `P` by the series below `a + 1`, `1 - P` by the
/// continued fraction above (Numerical Recipes `gser`, `gcf`), so whichever is small
/// keeps its relative precision; NaN if they do not converge.
fn gamma_cdf_parts(a: f64, x: f64) -> (f64, f64, f64) {
    if x <= 0.0 {
        return (0.0, 1.0, 0.0);
    }
    if x.is_infinite() {
        return (1.0, 0.0, 0.0);
    }
    let front = ln_gamma_front(a, x).exp();
    if x < a + 1.0 {
        let mut ap = a;
        let mut del = 1.0 / a;
        let mut sum = del;
        for _ in 0..SPECIAL_MAX_ITER {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * f64::EPSILON {
                let p = sum * front;
                return (p, 1.0 - p, front);
            }
        }
    } else {
        let guard = |v: f64| if v.abs() < LENTZ_TINY { LENTZ_TINY } else { v };
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / LENTZ_TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=SPECIAL_MAX_ITER {
            let i = i as f64;
            let an = -i * (i - a);
            b += 2.0;
            d = 1.0 / guard(an * d + b);
            c = guard(b + an / c);
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() <= 2.0 * f64::EPSILON {
                let q = front * h;
                return (1.0 - q, q, front);
            }
        }
    }
    (f64::NAN, f64::NAN, front)
}

/// `P(a, x)`, the CDF of Gamma(shape a, scale 1) at `x`.
#[cfg(test)]
fn gamma_p(a: f64, x: f64) -> f64 {
    gamma_cdf_parts(a, x).0
}

/// The `p`-quantile of Gamma(shape a, scale 1), `0 < p < 1`: [`gamma_quantile_exact`]
/// up to shape 1e6; above (where the series needs thousands of terms) Wilson and
/// Hilferty's cube-root Normal approximation, whose error there is below 1e-5 sd even at
/// `p = 2^-54` (relative error below 1e-9).
fn gamma_quantile(p: f64, a: f64) -> f64 {
    if a >= 1e6 {
        let c = 1.0 - 1.0 / (9.0 * a) + normal_quantile(p) / (3.0 * a.sqrt());
        a * c * c * c
    } else {
        gamma_quantile_exact(p, a)
    }
}

/// The `p`-quantile of Gamma(shape a, scale 1), `0 < p < 1`, by inverting the CDF on
/// `ln x`. Starts from Wilson and Hilferty's approximation, or for small shapes from
/// `(p Gamma(a + 1))^(1/a)`, the small-`x` approximation.
fn gamma_quantile_exact(p: f64, a: f64) -> f64 {
    let c = 1.0 - 1.0 / (9.0 * a) + normal_quantile(p) / (3.0 * a.sqrt());
    let v0 = if a >= 1.0 && c > 0.0 { a.ln() + 3.0 * c.ln() } else { (p.ln() + ln_gamma(a + 1.0)) / a };
    let v = invert_cdf(|v| gamma_cdf_parts(a, v.exp()), p, v0.clamp(-700.0, 700.0), (-700.0, 700.0));
    match v {
        Some(v) => v.exp(),
        None if p < 0.5 => 0.0,
        None => f64::INFINITY,
    }
}

// ---------------------------------------------------------------------------------------
// Fitting { low, high } for the Beta and the Gamma
// ---------------------------------------------------------------------------------------

/// The Beta whose 5th and 95th percentiles are `low` and `high` (`0 < low < high < 1`),
/// as `(alpha, beta)`.
///
/// The Beta is parametrised by its concentration `k = alpha + beta` and the logit `t` of
/// its mean. For a given `k`, the CDF at `low` falls strictly as `t` rises, so one `t`
/// puts exactly 5% below `low` (inner solve); along that curve the CDF at `high` rises
/// strictly with `k`, from 5% (two spikes at 0 and 1) to 100% (a spike at `low`), so one
/// `k` puts exactly 95% below `high` (outer solve). Both are bracketed Brent solves, on
/// `t` and on `ln k` (`k` up to 1e10, which covers intervals down to a few parts in
/// 100,000 of the mean).
fn fit_beta(low: f64, high: f64) -> Result<(f64, f64), String> {
    let fail = || {
        format!(
            "could not find a Beta distribution with 5th percentile {} and 95th percentile {} \
             (the interval is too narrow to fit); give {{ mean, sd }} or a plain number instead",
            num(low),
            num(high)
        )
    };
    let shapes = |t: f64, k: f64| (k * logistic(t), k * logistic(-t));
    let (low_c, high_c) = (1.0 - low, 1.0 - high);
    // Start from the Beta with the interval's midpoint as mean and a Normal-like sd.
    let m0 = 0.5 * (low + high);
    let s0 = (high - low) / (2.0 * Z95);
    let k0 = (m0 * (1.0 - m0) / (s0 * s0) - 1.0).clamp(1e-3, 1e9);
    // The logit of the mean that puts 5% below `low`, for concentration `k`.
    let inner = |k: f64, t_start: f64| -> Option<f64> {
        solve_monotone(
            |t| {
                let (a, b) = shapes(t, k);
                beta_cdf(a, b, low, low_c) - 0.05
            },
            false,
            t_start,
            0.5,
            (-60.0, 60.0),
            1e-14,
        )
    };
    let mut t_warm = (m0 / (1.0 - m0)).ln();
    let u = solve_monotone(
        |u: f64| {
            let k = u.exp();
            match inner(k, t_warm) {
                Some(t) => {
                    t_warm = t;
                    let (a, b) = shapes(t, k);
                    beta_cdf(a, b, high, high_c) - 0.95
                }
                None => f64::NAN,
            }
        },
        true,
        k0.ln(),
        1.0,
        (-25.0, 1e10f64.ln()),
        1e-14,
    )
    .ok_or_else(fail)?;
    let k = u.exp();
    let t = inner(k, t_warm).ok_or_else(fail)?;
    let (alpha, beta) = shapes(t, k);
    let q05 = beta_quantile(0.05, alpha, beta);
    let q95 = beta_quantile(0.95, alpha, beta);
    if (q05 - low).abs() <= FIT_TOLERANCE && (q95 - high).abs() <= FIT_TOLERANCE {
        Ok((alpha, beta))
    } else {
        Err(fail())
    }
}

/// The Gamma whose 5th and 95th percentiles are `low` and `high` (`0 < low < high`), as
/// `(shape, scale)`.
///
/// The ratio of the 95th to the 5th percentile does not depend on the scale and falls
/// strictly with the shape (from infinity to 1), so a bracketed Brent solve on the log of
/// the shape (between 0.01 and 1e10) matches `high / low`; the scale then puts the 5th
/// percentile at `low`.
fn fit_gamma(low: f64, high: f64) -> Result<(f64, f64), String> {
    let fail = || {
        format!(
            "could not find a Gamma distribution with 5th percentile {} and 95th percentile {} \
             (high / low must be between about 1.00004 and 1e127); \
             give {{ mean, sd }} or a plain number instead",
            num(low),
            num(high)
        )
    };
    let log_ratio = (high / low).ln();
    if !(log_ratio > 0.0 && log_ratio.is_finite()) {
        return Err(fail());
    }
    // Lognormal-like first guess: ln(high / low) ~ 2 * Z95 / sqrt(shape).
    let s0 = (2.0 * Z95 / log_ratio).powi(2).clamp(0.01, 1e10);
    let v = solve_monotone(
        |v: f64| {
            let s = v.exp();
            let q05 = gamma_quantile(0.05, s);
            let q95 = gamma_quantile(0.95, s);
            if q05 > 0.0 { (q95 / q05).ln() - log_ratio } else { f64::MAX }
        },
        false,
        s0.ln(),
        1.0,
        (0.01f64.ln(), 1e10f64.ln()),
        1e-14,
    )
    .ok_or_else(fail)?;
    let shape = v.exp();
    let scale = low / gamma_quantile(0.05, shape);
    let q95 = gamma_quantile(0.95, shape) * scale;
    if scale.is_finite() && scale > 0.0 && (q95 - high).abs() <= FIT_TOLERANCE * high.max(1.0) {
        Ok((shape, scale))
    } else {
        Err(fail())
    }
}

// ---------------------------------------------------------------------------------------
// Per-step rates
// ---------------------------------------------------------------------------------------

/// An annual probability as a probability per step of `step_months` months: `1 - (1 - p)^(s/12)`.
///
/// Computed as `-expm1((s/12) * ln_1p(-p))` for accuracy with small `p`; a yearly step
/// returns `p` itself, and `p` is clamped into [0, 1] against rounding.
pub fn prob_per_step(p_annual: f64, step_months: u32) -> f64 {
    let p = p_annual.clamp(0.0, 1.0);
    if step_months == 12 {
        return p;
    }
    -((step_months as f64 / 12.0) * (-p).ln_1p()).exp_m1()
}

/// An annual growth rate as a rate per step of `step_months` months: `(1 + g)^(s/12) - 1`.
///
/// Computed as `expm1((s/12) * ln_1p(g))`; a yearly step returns `g` itself, and `g` is
/// clamped below at -1.
pub fn growth_per_step(g_annual: f64, step_months: u32) -> f64 {
    let g = g_annual.max(-1.0);
    if step_months == 12 {
        return g;
    }
    ((step_months as f64 / 12.0) * g.ln_1p()).exp_m1()
}

// ---------------------------------------------------------------------------------------
// Keys and streams
// ---------------------------------------------------------------------------------------

/// The golden-ratio increment of SplitMix64.
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function (Stafford's Mix13): a bijection of `u64` in which every
/// input bit affects every output bit.
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// MurmurHash3's 64-bit finaliser `fmix64`: a bijection of `u64` with full avalanche.
#[inline]
fn fmix64(mut z: u64) -> u64 {
    z ^= z >> 33;
    z = z.wrapping_mul(0xff51_afd7_ed55_8ccd);
    z ^= z >> 33;
    z = z.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    z ^ (z >> 33)
}

/// A stable 64-bit key for a list of names (FNV-1a, then mixed): the same on every platform.
///
/// Each name is hashed byte by byte with FNV-1a and followed by the byte `0xff` (which
/// never occurs in UTF-8), so `["ab"]` and `["a", "b"]` differ; the result goes through
/// MurmurHash3's `fmix64` finaliser so that similar names give unrelated keys. The
/// definition is fixed: changing it changes every stream.
pub fn key_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fmix64(h)
}

/// The generator of stream `key` in run `run` of seed `seed`. Streams are independent of
/// each other and of the order in which they are made.
///
/// `seed`, `run` and `key` are absorbed in turn by a SplitMix64-style mix
/// (`h = mix64((h + golden) ^ x)`, a bijection in each argument, so no two `(seed, run)`
/// pairs share a state the way a plain xor would let them); four SplitMix64 outputs from
/// `h` then make the 256-bit Xoshiro256++ state, little-endian. Everything is `u64`
/// arithmetic defined here, so the streams are portable across platforms and stable
/// across versions of this crate and of `rand_xoshiro` (a test pins a value).
pub fn stream(seed: u64, run: u64, key: u64) -> WfRng {
    use rand::SeedableRng;
    let absorb = |h: u64, x: u64| mix64(h.wrapping_add(GOLDEN_GAMMA) ^ x);
    let mut h = absorb(absorb(absorb(0x5746_4341_5354_0001, seed), run), key);
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_exact_mut(8) {
        h = h.wrapping_add(GOLDEN_GAMMA);
        chunk.copy_from_slice(&mix64(h).to_le_bytes());
    }
    WfRng::from_seed(bytes)
}

// ---------------------------------------------------------------------------------------
// Flow samplers (hot loop)
// ---------------------------------------------------------------------------------------

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
        if n == 0 || self.p <= 0.0 {
            return 0;
        }
        if self.p >= 1.0 {
            return n;
        }
        if n as f64 * self.small >= 10.0 {
            return binomial(rng, n, self.p);
        }
        // BINV: walk the probability mass function from 0 until the uniform is used up.
        // A walk past 110 (over 30 standard deviations when n p < 10) restarts, as in rand_distr.
        let start = (n as f64 * self.ln_q).exp();
        let a = (n as f64 + 1.0) * self.odds;
        let x = 'draw: loop {
            let mut r = start;
            let mut u: f64 = rand::RngExt::random(rng);
            let mut x = 0u64;
            while u > r {
                u -= r;
                x += 1;
                if x > 110 {
                    continue 'draw;
                }
                r *= a / x as f64 - self.odds;
            }
            break x;
        };
        if self.p > 0.5 { n - x } else { x }
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
    fn step_binomial_edges() {
        let mut rng = WfRng::seed_from_u64(1);
        assert_eq!(StepBinomial::new(0.0).sample(&mut rng, 50), 0);
        assert_eq!(StepBinomial::new(1.0).sample(&mut rng, 50), 50);
        assert_eq!(StepBinomial::new(f64::NAN).sample(&mut rng, 50), 0);
        assert_eq!(StepBinomial::new(1.2).sample(&mut rng, 7), 7);
        assert_eq!(StepBinomial::new(0.3).sample(&mut rng, 0), 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[derive(Debug, Deserialize)]
    struct Holder {
        x: ParamSpec,
    }

    fn parse(src: &str) -> Result<ParamSpec, String> {
        toml::from_str::<Holder>(src).map(|h| h.x).map_err(|e| e.to_string())
    }

    // --- deserialisation -------------------------------------------------------------

    #[test]
    fn parses_numbers_as_fixed() {
        assert_eq!(parse("x = 124").unwrap(), ParamSpec::Fixed(124.0));
        assert_eq!(parse("x = -3").unwrap(), ParamSpec::Fixed(-3.0));
        assert_eq!(parse("x = 0.125").unwrap(), ParamSpec::Fixed(0.125));
    }

    #[test]
    fn parses_tables_with_ints_accepted() {
        assert_eq!(parse("x = { mean = 0.1, sd = 0.02 }").unwrap(), ParamSpec::MeanSd { mean: 0.1, sd: 0.02 });
        assert_eq!(parse("x = { sd = 5, mean = 100 }").unwrap(), ParamSpec::MeanSd { mean: 100.0, sd: 5.0 });
        assert_eq!(parse("x = { low = 80, high = 120.5 }").unwrap(), ParamSpec::LowHigh { low: 80.0, high: 120.5 });
        assert_eq!(parse("[x]\nlow = 0.01\nhigh = 0.02\n").unwrap(), ParamSpec::LowHigh { low: 0.01, high: 0.02 });
    }

    #[test]
    fn unknown_key_is_named() {
        let e = parse("x = { mean = 0.1, sdev = 0.2 }").unwrap_err();
        assert!(e.contains("unknown key `sdev`: expected a number, { mean, sd } or { low, high }"), "{e}");
    }

    #[test]
    fn missing_and_mixed_keys_are_named() {
        let e = parse("x = { mean = 0.1 }").unwrap_err();
        assert!(e.contains("missing key `sd`") && e.contains("{ mean, sd }"), "{e}");
        let e = parse("x = { sd = 0.1 }").unwrap_err();
        assert!(e.contains("missing key `mean`"), "{e}");
        let e = parse("x = { low = 0.1 }").unwrap_err();
        assert!(e.contains("missing key `high`") && e.contains("{ low, high }"), "{e}");
        let e = parse("x = { high = 0.1 }").unwrap_err();
        assert!(e.contains("missing key `low`"), "{e}");
        // The order in which toml hands over the keys is its own: accept either.
        let e = parse("x = { mean = 0.1, high = 0.2 }").unwrap_err();
        assert!(
            e.contains("key `high` cannot be combined with `mean`")
                || e.contains("key `mean` cannot be combined with `high`"),
            "{e}"
        );
        assert!(e.contains("{ mean, sd } or { low, high }"), "{e}");
        let e = parse("x = { low = 0.1, high = 0.2, sd = 0.3 }").unwrap_err();
        assert!(e.contains("cannot be combined with"), "{e}");
        let e = parse("x = {}").unwrap_err();
        assert!(e.contains("empty table: expected a number, { mean, sd } or { low, high }"), "{e}");
    }

    #[test]
    fn wrong_types_say_what_was_expected() {
        let e = parse("x = \"0.1\"").unwrap_err();
        assert!(e.contains("expected a number, { mean, sd } or { low, high }"), "{e}");
        let e = parse("x = true").unwrap_err();
        assert!(e.contains("expected a number, { mean, sd } or { low, high }"), "{e}");
        let e = parse("x = { mean = \"a\", sd = 1 }").unwrap_err();
        assert!(e.contains("a number for `mean`"), "{e}");
        let e = parse("x = { low = 1, high = [2] }").unwrap_err();
        assert!(e.contains("a number for `high`"), "{e}");
    }

    #[test]
    fn serialises_to_the_same_shapes() {
        #[derive(Serialize)]
        struct Out {
            a: ParamSpec,
            b: ParamSpec,
            c: ParamSpec,
        }
        let out = Out {
            a: ParamSpec::Fixed(2.5),
            b: ParamSpec::MeanSd { mean: 0.1, sd: 0.02 },
            c: ParamSpec::LowHigh { low: 1.0, high: 3.0 },
        };
        let s = toml::to_string(&out).unwrap();
        #[derive(Deserialize)]
        struct In {
            a: ParamSpec,
            b: ParamSpec,
            c: ParamSpec,
        }
        let back: In = toml::from_str(&s).unwrap();
        assert_eq!((back.a, back.b, back.c), (out.a, out.b, out.c));
    }

    // --- resolving ----------------------------------------------------------------------

    fn lh(low: f64, high: f64) -> ParamSpec {
        ParamSpec::LowHigh { low, high }
    }

    fn ms(mean: f64, sd: f64) -> ParamSpec {
        ParamSpec::MeanSd { mean, sd }
    }

    fn err(spec: ParamSpec, family: Family) -> String {
        Dist::resolve(&spec, family).unwrap_err()
    }

    #[test]
    fn invalid_probabilities_say_what_was_expected() {
        use Family::Probability as P;
        assert!(err(ParamSpec::Fixed(1.2), P).contains("between 0 and 1, got 1.2"));
        assert!(err(ParamSpec::Fixed(-0.1), P).contains("between 0 and 1"));
        assert!(err(ms(1.0, 0.1), P).contains("strictly between 0 and 1, got 1"));
        assert!(err(ms(0.0, 0.1), P).contains("strictly between 0 and 1"));
        assert!(err(ms(0.5, -0.1), P).contains("expected a positive sd"));
        let e = err(ms(0.1, 0.3), P);
        assert!(e.contains("too large for a probability with mean 0.1"), "{e}");
        assert!(e.contains("less than 0.3"), "{e}");
        let e = err(ms(0.2, 0.5), P);
        assert!(e.contains("less than 0.4"), "{e}");
        for (l, h) in [(0.0, 0.5), (0.5, 0.4), (0.3, 0.3), (0.2, 1.0), (-0.1, 0.5)] {
            let e = err(lh(l, h), P);
            assert!(e.contains("expected 0 < low < high < 1"), "{e}");
        }
        let e = err(ParamSpec::Fixed(f64::NAN), P);
        assert!(e.contains("expected a finite number"), "{e}");
        let e = err(ms(0.1, f64::INFINITY), P);
        assert!(e.contains("finite number for the sd"), "{e}");
    }

    #[test]
    fn invalid_amounts_say_what_was_expected() {
        use Family::Amount as A;
        assert!(err(ParamSpec::Fixed(-1.0), A).contains("amount of at least 0, got -1"));
        assert!(err(ms(0.0, 1.0), A).contains("greater than 0, got 0"));
        assert!(err(ms(-5.0, 1.0), A).contains("greater than 0"));
        assert!(err(ms(5.0, -1.0), A).contains("expected a positive sd"));
        for (l, h) in [(0.0, 1.0), (2.0, 1.0), (1.0, 1.0), (-1.0, 1.0)] {
            assert!(err(lh(l, h), A).contains("expected 0 < low < high for an amount"));
        }
    }

    #[test]
    fn invalid_growth_says_what_was_expected() {
        use Family::Growth as G;
        let e = err(ParamSpec::Fixed(-1.5), G);
        assert!(e.contains("at least -1 (-100%), got -1.5"), "{e}");
        assert!(err(ms(0.02, -0.01), G).contains("expected a positive sd"));
        assert!(err(lh(0.03, 0.01), G).contains("expected low < high for a growth rate"));
        assert!(err(lh(0.01, 0.01), G).contains("expected low < high"));
    }

    #[test]
    fn valid_fixed_values_and_zero_sd() {
        assert_eq!(Dist::resolve(&ParamSpec::Fixed(0.0), Family::Probability), Ok(Dist::Fixed(0.0)));
        assert_eq!(Dist::resolve(&ParamSpec::Fixed(1.0), Family::Probability), Ok(Dist::Fixed(1.0)));
        assert_eq!(Dist::resolve(&ParamSpec::Fixed(124.0), Family::Amount), Ok(Dist::Fixed(124.0)));
        assert_eq!(Dist::resolve(&ParamSpec::Fixed(-1.0), Family::Growth), Ok(Dist::Fixed(-1.0)));
        assert_eq!(Dist::resolve(&ms(0.3, 0.0), Family::Probability), Ok(Dist::Fixed(0.3)));
        assert_eq!(Dist::resolve(&ms(40.0, 0.0), Family::Amount), Ok(Dist::Fixed(40.0)));
        assert_eq!(Dist::resolve(&ms(0.02, 0.0), Family::Growth), Ok(Dist::Fixed(0.02)));
        assert!(Dist::resolve(&ms(1.5, 0.0), Family::Probability).is_err());
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn mean_sd_fits_reproduce_mean_and_sd() {
        let cases = [
            (Family::Probability, 0.1, 0.02),
            (Family::Probability, 0.5, 0.2),
            (Family::Probability, 0.97, 0.01),
            (Family::Amount, 120.0, 15.0),
            (Family::Amount, 2.0, 5.0),
            (Family::Growth, 0.03, 0.01),
            (Family::Growth, -0.2, 0.1),
        ];
        for (family, mean, sd) in cases {
            let d = Dist::resolve(&ms(mean, sd), family).unwrap();
            assert!(close(d.mean(), mean, 1e-12 * mean.abs().max(1.0)), "{d:?}");
            assert!(close(d.sd(), sd, 1e-12 * sd.max(1.0)), "{d:?}");
        }
        // The Beta for a probability has the textbook parameters.
        let d = Dist::resolve(&ms(0.2, 0.1), Family::Probability).unwrap();
        let Dist::Beta { alpha, beta } = d else { panic!("{d:?}") };
        assert!(close(alpha, 0.2 * 15.0, 1e-12) && close(beta, 0.8 * 15.0, 1e-12));
        let d = Dist::resolve(&ms(100.0, 20.0), Family::Amount).unwrap();
        let Dist::Gamma { shape, scale } = d else { panic!("{d:?}") };
        assert!(close(shape, 25.0, 1e-12) && close(scale, 4.0, 1e-12));
    }

    fn check_percentiles(d: &Dist, low: f64, high: f64) {
        let (q05, q95) = (d.quantile(0.05), d.quantile(0.95));
        assert!(close(q05, low, 1e-8), "{d:?}: q05 {q05} vs {low}");
        assert!(close(q95, high, 1e-8), "{d:?}: q95 {q95} vs {high}");
        // And relative to the size of the numbers.
        assert!(close(q05 / low, 1.0, 1e-7), "{d:?}: q05 {q05} vs {low}");
        assert!(close(q95 / high, 1.0, 1e-7), "{d:?}: q95 {q95} vs {high}");
    }

    #[test]
    fn beta_low_high_hits_the_percentiles() {
        let cases = [
            (0.09, 0.11),
            (0.01, 0.6),
            (0.001, 0.02),
            (0.2, 0.8),
            (0.05, 0.95),
            (0.49, 0.51),
            (0.9, 0.999),
            (0.3, 0.31),
            (0.0001, 0.9999),
            (1e-6, 1e-4),
            (0.6, 0.99),
        ];
        for (low, high) in cases {
            let d = Dist::resolve(&lh(low, high), Family::Probability).unwrap();
            assert!(matches!(d, Dist::Beta { .. }), "{d:?}");
            check_percentiles(&d, low, high);
            // Through the CDF as well.
            let Dist::Beta { alpha, beta } = d else { unreachable!() };
            assert!(close(beta_cdf(alpha, beta, low, 1.0 - low), 0.05, 1e-9), "{d:?}");
            assert!(close(beta_cdf(alpha, beta, high, 1.0 - high), 0.95, 1e-9), "{d:?}");
        }
    }

    #[test]
    fn low_high_fits_match_independent_references() {
        // Parameters whose percentiles were checked by quadrature in mpmath (40 digits):
        // CDFs 0.05 and 0.95 to within 1e-14.
        let d = Dist::resolve(&lh(0.09, 0.11), Family::Probability).unwrap();
        let Dist::Beta { alpha, beta } = d else { panic!("{d:?}") };
        assert!(rel_close(alpha, 242.382_665_910_188_34, 1e-9), "{d:?}");
        assert!(rel_close(beta, 2_185.994_526_977_893, 1e-9), "{d:?}");
        let d = Dist::resolve(&lh(0.001, 0.02), Family::Probability).unwrap();
        let Dist::Beta { alpha, beta } = d else { panic!("{d:?}") };
        assert!(rel_close(alpha, 1.575_228_340_920_760_4, 1e-9), "{d:?}");
        assert!(rel_close(beta, 199.537_329_323_036_63, 1e-9), "{d:?}");
        let d = Dist::resolve(&lh(95.0, 105.0), Family::Amount).unwrap();
        let Dist::Gamma { shape, scale } = d else { panic!("{d:?}") };
        assert!(rel_close(shape, 1_080.841_254_588_763_6, 1e-9), "{d:?}");
        assert!(rel_close(scale, 0.092_471_887_614_419_81, 1e-9), "{d:?}");
        let d = Dist::resolve(&lh(0.5, 400.0), Family::Amount).unwrap();
        let Dist::Gamma { shape, scale } = d else { panic!("{d:?}") };
        assert!(rel_close(shape, 0.518_391_910_943_889_7, 1e-9), "{d:?}");
        assert!(rel_close(scale, 203.471_462_868_328_6, 1e-9), "{d:?}");
    }

    #[test]
    fn low_high_limits_give_clear_errors() {
        // Narrower than the fits reach.
        let e = err(lh(1.0, 1.000_001), Family::Amount);
        assert!(e.contains("could not find a Gamma") && e.contains("high / low"), "{e}");
        let e = err(lh(0.5, 0.500_000_01), Family::Probability);
        assert!(e.contains("could not find a Beta") && e.contains("{ mean, sd }"), "{e}");
    }

    #[test]
    fn beta_low_high_is_symmetric_and_mean_is_not_the_midpoint() {
        let d = Dist::resolve(&lh(0.2, 0.8), Family::Probability).unwrap();
        let Dist::Beta { alpha, beta } = d else { panic!() };
        assert!(close(alpha, beta, 1e-9 * alpha), "{d:?}");
        let d = Dist::resolve(&lh(0.001, 0.02), Family::Probability).unwrap();
        // Right-skewed: the mean is below the midpoint 0.0105.
        assert!(d.mean() < 0.0105 && d.mean() > 0.001, "{d:?}");
    }

    #[test]
    fn gamma_low_high_hits_the_percentiles() {
        let cases = [
            (95.0, 105.0),
            (1.0, 10.0),
            (0.5, 400.0),
            (100.0, 10000.0),
            (1e-3, 1e3),
            (200.0, 300.0),
            (4.0, 4.01),
            (0.2, 0.3),
        ];
        for (low, high) in cases {
            let d = Dist::resolve(&lh(low, high), Family::Amount).unwrap();
            assert!(matches!(d, Dist::Gamma { .. }), "{d:?}");
            check_percentiles(&d, low, high);
            let Dist::Gamma { shape, scale } = d else { unreachable!() };
            assert!(close(gamma_p(shape, low / scale), 0.05, 1e-9), "{d:?}");
            assert!(close(gamma_p(shape, high / scale), 0.95, 1e-9), "{d:?}");
        }
    }

    #[test]
    fn normal_low_high_is_the_symmetric_interval() {
        let d = Dist::resolve(&lh(-0.01, 0.05), Family::Growth).unwrap();
        let Dist::Normal { mean, sd } = d else { panic!("{d:?}") };
        assert!(close(mean, 0.02, 1e-15) && close(sd, 0.06 / (2.0 * 1.6448536269514722), 1e-15));
        check_percentiles(&d, -0.01, 0.05);
        assert!(close(d.quantile(0.5), 0.02, 1e-12));
    }

    #[test]
    fn quantiles_match_reference_values() {
        // Reference values from mpmath (40 digits).
        let b = Dist::Beta { alpha: 2.0, beta: 5.0 };
        assert!(close(b.quantile(0.05), 0.062_849_891_708_354_38, 1e-14), "{}", b.quantile(0.05));
        let g = Dist::Gamma { shape: 3.0, scale: 2.0 };
        assert!(close(g.quantile(0.95), 12.591_587_243_743_979, 1e-12), "{}", g.quantile(0.95));
        let n = Dist::Normal { mean: 1.0, sd: 2.0 };
        assert!(close(n.quantile(0.975), 1.0 + 2.0 * 1.959_963_984_540_054, 1e-12));
        // Far from the clipping at -1.
        let std = Dist::Normal { mean: 10.0, sd: 1.0 };
        let z = |p: f64| std.quantile(p) - 10.0;
        assert!(close(z(1e-10), -6.361_340_902_404_056, 1e-12), "{}", z(1e-10));
        assert!(close(z(0.5 / (1u64 << 53) as f64), -8.292_361_075_813_596, 1e-11));
        // p = 1 is read as 1 - 2^-53.
        assert!(close(z(1.0), 8.209_536_151_601_387, 1e-11), "{}", z(1.0));
        let clipped = Dist::Normal { mean: -0.9, sd: 1.0 };
        assert_eq!(clipped.quantile(0.05), -1.0);
        assert_eq!(Dist::Fixed(3.0).quantile(0.3), 3.0);
    }

    fn rel_close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs()
    }

    #[test]
    #[allow(clippy::excessive_precision)] // mpmath's digits, as printed
    fn special_functions_match_mpmath() {
        // ln Gamma.
        for (x, want) in [
            (1.0f64, 0.0f64),
            (1.5, -0.120_782_237_635_245_222_3),
            (10.25, 13.368_023_671_476_046_3),
            (0.001, 6.907_178_885_383_853_68),
            (100.5, 361.435_540_467_777_621_6),
            (1e6, 12_815_504.569_147_611_66),
        ] {
            let tol = 1e-14 * want.abs().max(1.0);
            assert!(close(ln_gamma(x), want, tol), "ln_gamma({x}) = {}", ln_gamma(x));
        }
        // Beta CDF, including the shapes where puruspe 0.4.4 fails.
        for (a, b, x, want) in [
            (2999.0, 21339.0, 0.09, 7.297_354_285_343_337_9e-67),
            (3001.0, 21339.0, 0.125, 0.791_253_887_829_642_78),
            (3001.0, 3001.0, 0.49, 0.060_625_747_321_100_307),
            (3001.0, 3001.0, 0.51, 0.939_374_252_678_899_69),
            (2.0, 5.0, 0.3, 0.579_825),
            (0.5, 0.25, 0.1, 0.123_787_456_009_936_614),
            (30.5, 200.25, 0.15, 0.793_237_373_940_066_077),
            (1e-3, 2.0, 1e-100, 0.795_122_562_959_005_784),
            // One small and one large shape (the {0.001, 0.02} fit, checked by quadrature).
            (1.575_228_340_920_760_4, 199.537_329_323_036_63, 0.001, 0.05),
        ] {
            let got = beta_cdf(a, b, x, 1.0 - x);
            // Relative: the first value is 16 sds into the tail.
            assert!(rel_close(got, want, 1e-11), "I_{x}({a}, {b}) = {got:e}, want {want:e}");
        }
        // Gamma CDF, including shapes above puruspe's quadrature switch at 100.
        for (a, x, want) in [
            (0.3, 0.01, 0.279_240_996_359_014_846),
            (3.0, 2.0, 0.323_323_583_816_936_541),
            (101.0, 95.0, 0.282_331_573_305_472_973),
            (1087.0, 1000.0, 0.003_441_114_172_943_770_95),
            (1087.0, 1100.0, 0.656_467_442_195_699_894),
            (1e6, 998_355.0, 0.049_926_211_863_660_543),
            (1e6, 1_001_645.0, 0.949_956_515_005_060_727),
            (1e-2, 1e-50, 0.318_032_328_776_226_117),
            (0.5, 5.0, 0.998_434_597_741_997_45),
        ] {
            let got = gamma_p(a, x);
            assert!(rel_close(got, want, 1e-12), "P({a}, {x}) = {got}, want {want}");
        }
        // The upper tail keeps its relative precision.
        let q = gamma_cdf_parts(2.5, 40.0).1;
        assert!(rel_close(q, 8.391_825_114_831_610_6e-16, 1e-11), "{q:e}");
        // Inverses invert.
        for (a, b) in [(0.05, 1.0), (0.3, 0.7), (2.0, 5.0), (5000.0, 5000.0), (1e5, 3.0)] {
            for p in [1e-6, 0.05, 0.5, 0.95, 0.999_999] {
                let x = beta_quantile(p, a, b);
                let got = beta_cdf(a, b, x, 1.0 - x);
                assert!(close(got, p, 1e-11), "Beta({a}, {b}) at p = {p}: x = {x}, F = {got}");
            }
        }
        for a in [0.05, 0.5, 3.0, 101.0, 1e4, 1e8] {
            for p in [1e-6, 0.05, 0.5, 0.95, 0.999_999] {
                let x = gamma_quantile(p, a);
                let got = gamma_p(a, x);
                assert!(close(got, p, 1e-11), "Gamma({a}) at p = {p}: x = {x}, F = {got}");
            }
        }
    }

    #[test]
    fn quantiles_at_extreme_uniforms_are_finite_and_monotone() {
        // The engine draws parameters by inversion from uniforms in [2^-54, 1 - 2^-54].
        let u_min = 0.5 / (1u64 << 53) as f64;
        let us = [
            u_min,
            1e-12,
            1e-6,
            0.01,
            0.05,
            0.3,
            0.5,
            0.7,
            0.95,
            0.99,
            1.0 - 1e-6,
            1.0, // (k + 0.5) / 2^53 rounds to exactly 1.0 for the largest k
        ];
        let dists = [
            Dist::Beta { alpha: 242.38, beta: 2185.99 },
            Dist::Beta { alpha: 0.26, beta: 0.26 },
            Dist::Beta { alpha: 0.05, beta: 3.0 },
            Dist::Beta { alpha: 3381.5, beta: 3381.5 },
            Dist::Gamma { shape: 1080.8, scale: 0.09 },
            Dist::Gamma { shape: 0.05, scale: 10.0 },
            Dist::Gamma { shape: 25.0, scale: 4.0 },
            Dist::Normal { mean: 0.02, sd: 0.01 },
            Dist::Normal { mean: -0.5, sd: 0.5 },
        ];
        for d in &dists {
            let qs: Vec<f64> = us.iter().map(|&u| d.quantile(u)).collect();
            assert!(qs.iter().all(|q| q.is_finite()), "{d:?}: {qs:?}");
            assert!(qs.windows(2).all(|w| w[0] <= w[1]), "{d:?}: {qs:?}");
            match d {
                Dist::Beta { .. } => assert!(qs.iter().all(|q| (0.0..=1.0).contains(q)), "{qs:?}"),
                Dist::Gamma { .. } => assert!(qs.iter().all(|&q| q >= 0.0), "{qs:?}"),
                _ => assert!(qs.iter().all(|&q| q >= -1.0), "{qs:?}"),
            }
        }
    }

    #[test]
    fn inversion_draws_have_the_right_mean() {
        // The engine's way of drawing a parameter: quantile of a uniform.
        let n = 20_000;
        let dists = [
            Dist::resolve(&lh(0.09, 0.11), Family::Probability).unwrap(),
            Dist::resolve(&lh(0.01, 0.6), Family::Probability).unwrap(),
            Dist::resolve(&lh(0.5, 400.0), Family::Amount).unwrap(),
            Dist::resolve(&ms(0.03, 0.2), Family::Growth).unwrap(),
        ];
        for (i, d) in dists.iter().enumerate() {
            let mut rng = stream(100 + i as u64, 0, 0);
            let m =
                (0..n).map(|_| d.quantile(((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64)).sum::<f64>()
                    / n as f64;
            let se = d.sd() / (n as f64).sqrt();
            assert!((m - d.mean()).abs() < 4.0 * se, "{d:?}: {m} vs {} (se {se})", d.mean());
        }
    }

    #[test]
    fn quantiles_of_very_large_shapes() {
        // { mean, sd } with a tiny sd gives huge shapes: the approximations take over and
        // agree with the exact inversion where they meet.
        let u_min = 0.5 / (1u64 << 53) as f64;
        for p in [u_min, 1e-6, 0.05, 0.5, 0.95, 1.0 - 1e-6] {
            let (a, exact) = (1e6, gamma_quantile_exact(p, 1e6));
            let approx = gamma_quantile(p, a);
            assert!(
                close(approx, exact, 1e-5 * a.sqrt()),
                "{p}: {approx} {exact} ({:e} sd)",
                (approx - exact) / a.sqrt()
            );
            let (below, above) = (beta_quantile(p, 999_999_999.0, 2e9), beta_quantile(p, 1e9, 2e9));
            let sd = Dist::Beta { alpha: 1e9, beta: 2e9 }.sd();
            assert!(close(below, above, 1e-3 * sd), "{p}: {below} {above} ({:e} sd)", (below - above) / sd);
        }
        let d = Dist::resolve(&ms(1000.0, 0.001), Family::Amount).unwrap();
        assert!(close(d.quantile(0.05), 1000.0 - 0.001 * Z95, 1e-9), "{}", d.quantile(0.05));
        let d = Dist::resolve(&ms(0.3, 1e-7), Family::Probability).unwrap();
        assert!(close(d.quantile(0.95), 0.3 + 1e-7 * Z95, 1e-12), "{}", d.quantile(0.95));
    }

    // --- drawing parameters -------------------------------------------------------------

    fn sample_mean(d: &Dist, n: usize, seed: u64) -> f64 {
        let mut rng = stream(seed, 0, key_hash(&["test"]));
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_for_each_family() {
        let n = 200_000;
        let dists = [
            Dist::resolve(&lh(0.09, 0.11), Family::Probability).unwrap(),
            Dist::resolve(&lh(0.001, 0.02), Family::Probability).unwrap(),
            Dist::resolve(&ms(0.3, 0.2), Family::Probability).unwrap(),
            Dist::resolve(&lh(0.5, 400.0), Family::Amount).unwrap(),
            Dist::resolve(&ms(120.0, 15.0), Family::Amount).unwrap(),
            Dist::resolve(&lh(-0.01, 0.05), Family::Growth).unwrap(),
            Dist::resolve(&ms(0.03, 0.2), Family::Growth).unwrap(),
        ];
        for (i, d) in dists.iter().enumerate() {
            let m = sample_mean(d, n, i as u64);
            let se = d.sd() / (n as f64).sqrt();
            assert!((m - d.mean()).abs() < 4.0 * se, "{d:?}: {m} vs {} (se {se})", d.mean());
        }
    }

    #[test]
    fn growth_draws_are_clipped_at_minus_one() {
        let d = Dist::Normal { mean: -0.9, sd: 0.5 };
        let mut rng = stream(7, 0, 0);
        let draws: Vec<f64> = (0..10_000).map(|_| d.sample(&mut rng)).collect();
        assert!(draws.iter().all(|&x| x >= -1.0));
        assert!(draws.iter().filter(|&&x| x == -1.0).count() > 3000);
    }

    #[test]
    fn beta_draws_stay_in_the_unit_interval() {
        let d = Dist::Beta { alpha: 0.01, beta: 0.02 };
        let mut rng = stream(8, 0, 0);
        assert!((0..10_000).map(|_| d.sample(&mut rng)).all(|x| (0.0..=1.0).contains(&x)));
    }

    // --- per-step rates -------------------------------------------------------------

    #[test]
    fn per_step_rates() {
        assert_eq!(prob_per_step(0.1, 12), 0.1);
        assert!(close(prob_per_step(0.1, 3), 1.0 - 0.9f64.powf(0.25), 1e-15));
        assert!(close(prob_per_step(0.19, 6), 0.1, 1e-15));
        assert_eq!(prob_per_step(1.0, 1), 1.0);
        assert_eq!(prob_per_step(1.0 + 1e-15, 1), 1.0);
        assert_eq!(prob_per_step(0.0, 1), 0.0);
        assert_eq!(growth_per_step(0.05, 12), 0.05);
        assert!(close(growth_per_step(0.21, 6), 0.1, 1e-15));
        assert_eq!(growth_per_step(-1.0, 3), -1.0);
    }

    // --- keys and streams -------------------------------------------------------------

    #[test]
    fn key_hash_is_pinned_and_separates_names() {
        assert_eq!(key_hash(&["a"]), 0x3aec_69d2_86fb_d39b);
        assert_ne!(key_hash(&["ab"]), key_hash(&["a", "b"]));
        assert_ne!(key_hash(&["a", "b"]), key_hash(&["b", "a"]));
        // Similar names give unrelated keys: about half the bits differ.
        let names = ["band5", "band6", "band7", "role-a", "role-b"];
        for w in names.windows(2) {
            let d = (key_hash(&[w[0]]) ^ key_hash(&[w[1]])).count_ones();
            assert!((16..=48).contains(&d), "{w:?}: {d} bits differ");
        }
    }

    #[test]
    fn stream_is_pinned() {
        let mut rng = stream(1, 2, key_hash(&["a"]));
        assert_eq!(rng.next_u64(), 0xd0f2_f6d2_e74f_26a5);
    }

    #[test]
    fn streams_differ_where_xor_would_collide() {
        let first = |s, r, k| stream(s, r, k).next_u64();
        // Pairs that a plain xor of the inputs would merge.
        assert_ne!(first(1, 0, 5), first(0, 1, 5));
        assert_ne!(first(3, 3, 5), first(0, 0, 5));
        assert_ne!(first(1, 2, 3), first(3, 2, 1));
        assert_ne!(first(1, 2, 3), first(1, 3, 2));
        // The same inputs give the same stream, however many others were made.
        let _ = first(9, 9, 9);
        assert_eq!(first(1, 2, 3), first(1, 2, 3));
    }

    // --- flow samplers --------------------------------------------------------------

    fn moments(xs: &[u64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let m = xs.iter().map(|&x| x as f64).sum::<f64>() / n;
        let v = xs.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / (n - 1.0);
        (m, v)
    }

    #[test]
    fn binomial_moments() {
        for (n, p, seed) in [(1000u64, 0.01, 1u64), (5, 0.9, 2), (200, 0.5, 3), (40, 0.3, 4)] {
            let mut rng = stream(seed, 0, key_hash(&["binomial"]));
            let draws = 200_000usize;
            let xs: Vec<u64> = (0..draws).map(|_| binomial(&mut rng, n, p)).collect();
            assert!(xs.iter().all(|&x| x <= n));
            let (m, v) = moments(&xs);
            let (mu, var) = (n as f64 * p, n as f64 * p * (1.0 - p));
            // Standard errors of the sample mean and variance.
            let se_m = (var / draws as f64).sqrt();
            let mu4 = var * (1.0 + 3.0 * (n as f64 - 2.0) * p * (1.0 - p)); // 4th central moment
            let se_v = ((mu4 - var * var) / draws as f64).sqrt();
            assert!((m - mu).abs() < 4.0 * se_m, "({n}, {p}): mean {m} vs {mu}");
            assert!((v - var).abs() < 4.0 * se_v, "({n}, {p}): var {v} vs {var}");
        }
    }

    #[test]
    fn binomial_edge_cases_do_not_panic() {
        let mut rng = stream(1, 1, 1);
        let before = rng.clone();
        assert_eq!(binomial(&mut rng, 0, 0.5), 0);
        assert_eq!(binomial(&mut rng, 10, 0.0), 0);
        assert_eq!(binomial(&mut rng, 10, -1e-17), 0);
        assert_eq!(binomial(&mut rng, 10, 1.0), 10);
        assert_eq!(binomial(&mut rng, 10, 1.0 + 1e-15), 10);
        assert_eq!(binomial(&mut rng, 10, f64::NAN), 0);
        assert_eq!(rng, before, "fast paths draw nothing");
        assert!(binomial(&mut rng, u64::MAX / 4, 1e-30) < 10);
        assert!(binomial(&mut rng, 10, 1e-300) <= 10);
    }

    #[test]
    fn poisson_moments_and_edge_cases() {
        let mut rng = stream(5, 0, 0);
        assert_eq!(poisson(&mut rng, 0.0), 0);
        assert_eq!(poisson(&mut rng, -1.0), 0);
        assert_eq!(poisson(&mut rng, f64::NAN), 0);
        assert_eq!(poisson(&mut rng, f64::INFINITY), u64::MAX);
        for lambda in [0.3, 3.5, 50.0, 1e4] {
            let draws = 100_000usize;
            let xs: Vec<u64> = (0..draws).map(|_| poisson(&mut rng, lambda)).collect();
            let (m, v) = moments(&xs);
            let se_m = (lambda / draws as f64).sqrt();
            let se_v = ((lambda + 2.0 * lambda * lambda) / draws as f64).sqrt();
            assert!((m - lambda).abs() < 4.0 * se_m, "{lambda}: mean {m}");
            assert!((v - lambda).abs() < 4.0 * se_v, "{lambda}: var {v}");
        }
    }

    #[test]
    fn multinomial_counts_and_means() {
        let probs = [0.1, 0.25, 0.0, 0.05];
        let n = 40u64;
        let draws = 100_000usize;
        let mut rng = stream(11, 0, 0);
        let mut sums = [0f64; 4];
        let mut out = [0u64; 4];
        let mut stay_sum = 0.0;
        for _ in 0..draws {
            multinomial(&mut rng, n, &probs, &mut out);
            let moved: u64 = out.iter().sum();
            assert!(moved <= n);
            assert_eq!(out[2], 0);
            stay_sum += (n - moved) as f64;
            for (s, &o) in sums.iter_mut().zip(&out) {
                *s += o as f64;
            }
        }
        let stay_p = 1.0 - probs.iter().sum::<f64>();
        for (i, &p) in probs.iter().chain([stay_p].iter()).enumerate() {
            let mean = if i < 4 { sums[i] } else { stay_sum } / draws as f64;
            let expect = n as f64 * p;
            let se = (n as f64 * p * (1.0 - p) / draws as f64).sqrt();
            assert!((mean - expect).abs() < 4.0 * se + 1e-12, "category {i}: {mean} vs {expect}");
        }
    }

    #[test]
    fn multinomial_edge_cases() {
        let mut rng = stream(12, 0, 0);
        let mut out = [9u64; 3];
        multinomial(&mut rng, 0, &[0.2, 0.3, 0.1], &mut out);
        assert_eq!(out, [0, 0, 0]);
        // Probabilities summing to a little over 1: nobody stays, nothing panics.
        let probs = [0.7, 0.2, 0.1 + 1e-15];
        for _ in 0..1000 {
            multinomial(&mut rng, 50, &probs, &mut out);
            assert_eq!(out.iter().sum::<u64>(), 50);
        }
        // Exactly one category taking everyone.
        multinomial(&mut rng, 17, &[0.0, 1.0, 0.0], &mut out);
        assert_eq!(out, [0, 17, 0]);
        // Negative rounding noise counts as zero.
        multinomial(&mut rng, 17, &[-1e-18, 0.5, 0.5], &mut out);
        assert_eq!(out[0], 0);
        assert_eq!(out[1] + out[2], 17);
        // No categories at all.
        multinomial(&mut rng, 17, &[], &mut []);
    }

    #[test]
    fn thin_to_keeps_exactly_keep() {
        let mut rng = stream(13, 0, 0);
        let counts = [5u64, 0, 120, 3, 1000, 1];
        let total: u64 = counts.iter().sum();
        let mut out = [0u64; 6];
        let mut sums = [0f64; 6];
        let draws = 20_000usize;
        for i in 0..draws {
            let keep = (i as u64 * 37) % (total + 50);
            thin_to(&mut rng, &counts, keep, &mut out);
            assert_eq!(out.iter().sum::<u64>(), keep.min(total));
            assert!(out.iter().zip(&counts).all(|(o, c)| o <= c), "{out:?}");
            if keep >= total {
                assert_eq!(out, counts);
            }
        }
        // Each item equally likely to be kept: means proportional to counts.
        let keep = 300u64;
        for _ in 0..draws {
            thin_to(&mut rng, &counts, keep, &mut out);
            for (s, &o) in sums.iter_mut().zip(&out) {
                *s += o as f64;
            }
        }
        let (nn, kk) = (total as f64, keep as f64);
        for (i, &c) in counts.iter().enumerate() {
            let c = c as f64;
            let mean = sums[i] / draws as f64;
            let expect = kk * c / nn;
            let var = kk * (c / nn) * (1.0 - c / nn) * (nn - kk) / (nn - 1.0);
            let se = (var / draws as f64).sqrt();
            assert!((mean - expect).abs() < 4.0 * se + 1e-12, "category {i}: {mean} vs {expect}");
        }
    }

    #[test]
    fn thin_to_edge_cases() {
        let mut rng = stream(14, 0, 0);
        let mut out = [7u64; 3];
        thin_to(&mut rng, &[0, 0, 0], 5, &mut out);
        assert_eq!(out, [0, 0, 0]);
        thin_to(&mut rng, &[4, 5, 6], 0, &mut out);
        assert_eq!(out, [0, 0, 0]);
        thin_to(&mut rng, &[0, 9, 0], 4, &mut out);
        assert_eq!(out, [0, 4, 0]);
        // Large populations.
        let counts = [3_000_000u64, 2, 7_000_000];
        thin_to(&mut rng, &counts, 9_999_990, &mut out);
        assert_eq!(out.iter().sum::<u64>(), 9_999_990);
        assert!(out.iter().zip(&counts).all(|(o, c)| o <= c));
        thin_to(&mut rng, &counts, 3, &mut out);
        assert_eq!(out.iter().sum::<u64>(), 3);
    }
}
