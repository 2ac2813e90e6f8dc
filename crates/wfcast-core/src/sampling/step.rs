//! Per-step rates: annual probabilities and growth rates as rates per step of the grid.

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
