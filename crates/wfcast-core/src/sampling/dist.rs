//! Families of distributions and resolved distributions ([`Family`], [`Dist`]): what a
//! parameter the user wrote turns into, and the draws from it.

use rand_distr::Distribution;

use super::fit::{fit_beta, fit_gamma, num};
use super::spec::ParamSpec;
use super::special::{beta_quantile, gamma_quantile, normal_quantile};
use super::{WfRng, Z95};

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
    /// This distribution of an amount multiplied by `factor` (>= 0): a fixed value times it,
    /// a Gamma with its scale times it (so its mean and sd too), a Normal with its mean and sd
    /// times it. A Beta (a probability) is not an amount and stays as it is.
    pub fn scaled(&self, factor: f64) -> Dist {
        match *self {
            Dist::Fixed(x) => Dist::Fixed(x * factor),
            Dist::Gamma { shape, scale } if factor > 0.0 => Dist::Gamma { shape, scale: scale * factor },
            Dist::Gamma { .. } => Dist::Fixed(0.0),
            Dist::Normal { mean, sd } if factor > 0.0 => Dist::Normal { mean: mean * factor, sd: sd * factor },
            Dist::Normal { .. } => Dist::Fixed(0.0),
            Dist::Beta { .. } => self.clone(),
        }
    }

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
