//! Root finding and special functions: Brent's method, the Normal quantile, the Beta and
//! Gamma CDFs and their inverses, evaluated here because puruspe's cannot be trusted for
//! the shapes that narrow intervals need.

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
pub(super) fn solve_monotone(
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
pub(super) fn normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * puruspe::inverfc(2.0 * p)
}

/// `1 / (1 + exp(-t))`, the logistic function.
pub(super) fn logistic(t: f64) -> f64 {
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
pub(super) fn ln_gamma(x: f64) -> f64 {
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
pub(super) fn beta_cdf(a: f64, b: f64, x: f64, y: f64) -> f64 {
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
pub(super) fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
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
pub(super) fn gamma_cdf_parts(a: f64, x: f64) -> (f64, f64, f64) {
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
pub(super) fn gamma_p(a: f64, x: f64) -> f64 {
    gamma_cdf_parts(a, x).0
}

/// The `p`-quantile of Gamma(shape a, scale 1), `0 < p < 1`: [`gamma_quantile_exact`]
/// up to shape 1e6; above (where the series needs thousands of terms) Wilson and
/// Hilferty's cube-root Normal approximation, whose error there is below 1e-5 sd even at
/// `p = 2^-54` (relative error below 1e-9).
pub(super) fn gamma_quantile(p: f64, a: f64) -> f64 {
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
pub(super) fn gamma_quantile_exact(p: f64, a: f64) -> f64 {
    let c = 1.0 - 1.0 / (9.0 * a) + normal_quantile(p) / (3.0 * a.sqrt());
    let v0 = if a >= 1.0 && c > 0.0 { a.ln() + 3.0 * c.ln() } else { (p.ln() + ln_gamma(a + 1.0)) / a };
    let v = invert_cdf(|v| gamma_cdf_parts(a, v.exp()), p, v0.clamp(-700.0, 700.0), (-700.0, 700.0));
    match v {
        Some(v) => v.exp(),
        None if p < 0.5 => 0.0,
        None => f64::INFINITY,
    }
}
