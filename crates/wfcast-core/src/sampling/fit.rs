//! Fitting `{ low, high }`: the Beta or Gamma whose 5th and 95th percentiles are `low`
//! and `high`.

use super::Z95;
use super::special::{beta_cdf, beta_quantile, gamma_quantile, logistic, solve_monotone};

/// How closely a fitted 5th / 95th percentile must match `low` / `high` (absolute).
const FIT_TOLERANCE: f64 = 1e-9;

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
pub(super) fn fit_beta(low: f64, high: f64) -> Result<(f64, f64), String> {
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
pub(super) fn fit_gamma(low: f64, high: f64) -> Result<(f64, f64), String> {
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

/// A number for an error message: up to 6 significant digits, no trailing zeros.
pub(super) fn num(x: f64) -> String {
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
