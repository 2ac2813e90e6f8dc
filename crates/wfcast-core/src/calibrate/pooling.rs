//! Pooling: the empirical-Bayes Beta-Binomial shrinkage of cells towards a main-effects
//! prior, with prior strengths by the method of moments.

use super::*;

/// Initial exposed to risk `E + k / 2`, at least `k`.
pub(super) fn exposed(k: f64, e: f64) -> f64 {
    (e + k / 2.0).max(k)
}

/// Mean and sd of Beta(a, b).
pub(super) fn beta_moments(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (a / s, (a * b / (s * s * (s + 1.0))).sqrt())
}

/// Method-of-moments intra-class correlation of a Beta-Binomial and the prior strength it
/// implies, bounded: `(rho, kappa)` from `(k, n, prior mean)` per group, where the prior
/// means were fitted with `fitted` parameters from the same groups.
///
/// The squared residuals of `g` groups (those with `n > 1`) are scaled by `g / (g - fitted)`
/// (when `g > fitted`), the usual degrees-of-freedom correction: fitted means sit closer to
/// the data than the true means do, which would otherwise understate the heterogeneity.
pub(super) fn moment_kappa(groups: impl Iterator<Item = (f64, f64, f64)>, fitted: usize) -> (f64, f64) {
    let (mut squares, mut binomial, mut den, mut g) = (0.0, 0.0, 0.0, 0usize);
    for (k, n, m) in groups {
        if n > 1.0 {
            let v = m * (1.0 - m);
            squares += (k - n * m).powi(2);
            binomial += n * v;
            den += n * (n - 1.0) * v;
            g += 1;
        }
    }
    let correction = if g > fitted { g as f64 / (g - fitted) as f64 } else { 1.0 };
    let rho = if den > 0.0 { ((squares * correction - binomial) / den).max(0.0) } else { 0.0 };
    let kappa = if rho > 0.0 { 1.0 / rho - 1.0 } else { KAPPA_MAX };
    (rho, kappa.clamp(KAPPA_MIN, KAPPA_MAX))
}

/// Pools the cells `(cell, events, exposure)` of one section (see the module doc).
pub(super) fn pool(
    section: &'static str,
    events_name: &'static str,
    cells: &[(CellKey, f64, f64)],
    by_region: bool,
) -> RateEstimates {
    let obs: Vec<(f64, f64)> = cells.iter().map(|(_, k, e)| (*k, exposed(*k, *e))).collect();
    let total_exposure: f64 = cells.iter().map(|c| c.2).sum();
    let big_k: f64 = obs.iter().map(|o| o.0).sum();
    let big_n: f64 = obs.iter().map(|o| o.1).sum();
    let (m0, sd0) = beta_moments(0.5 + big_k, 0.5 + big_n - big_k);

    type Label = fn(&CellKey) -> String;
    let mut labels: Vec<(&'static str, Label)> =
        vec![("role", |c| c.role.clone()), ("band", |c| c.band.label().to_string())];
    if by_region {
        labels.push(("region", |c| c.region.clone().unwrap_or_default()));
    }
    let mut dimensions = Vec::new();
    // Per cell: the product of factors and the sum of their relative variances.
    let mut factor = vec![1.0; cells.len()];
    let mut rel_var = vec![0.0; cells.len()];
    // Parameters of the main-effects model: the overall rate and each dimension's groups but one.
    let mut fitted = 1;
    for (name, label) in labels {
        let mut groups: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for ((c, _, _), (k, n)) in cells.iter().zip(&obs) {
            let g = groups.entry(label(c)).or_default();
            g.0 += k;
            g.1 += n;
        }
        let (rho, kappa) = moment_kappa(groups.values().map(|&(k, n)| (k, n, m0)), 1);
        fitted += groups.len().saturating_sub(1);
        let mut estimates: BTreeMap<String, GroupEstimate> = BTreeMap::new();
        for (g, &(k, n)) in &groups {
            let (mean, sd) = beta_moments(kappa * m0 + k, kappa * (1.0 - m0) + n - k);
            estimates.insert(
                g.clone(),
                GroupEstimate { name: g.clone(), events: k, exposed: n, mean, sd, factor: mean / m0 },
            );
        }
        for (i, (c, _, _)) in cells.iter().enumerate() {
            let g = &estimates[&label(c)];
            factor[i] *= g.factor;
            rel_var[i] += (g.sd / g.mean).powi(2);
        }
        let mut groups: Vec<GroupEstimate> = estimates.into_values().collect();
        if name == "band" {
            groups.sort_by_key(|g| Band::parse(&g.name));
        }
        dimensions.push(Dimension { name, rho, kappa, groups });
    }
    let prior: Vec<f64> = factor.iter().map(|f| (m0 * f).clamp(PRIOR_MEAN_MIN, PRIOR_MEAN_MAX)).collect();
    // Cells with events but no staff in post at the snapshots (exposure 0, `n = k`) say
    // nothing about heterogeneity: they are left out of the moments.
    let (rho, kappa) = moment_kappa(
        cells.iter().zip(&obs).zip(&prior).filter(|(((_, _, e), _), _)| *e > 0.0).map(|((_, &(k, n)), &m)| (k, n, m)),
        fitted,
    );
    let cells = cells
        .iter()
        .zip(&obs)
        .enumerate()
        .map(|(i, ((cell, _, e), &(k, n)))| {
            let m = prior[i];
            let v = m * (1.0 - m);
            let prior_var = v / (kappa + 1.0) + m * m * rel_var[i];
            let strength = (v / prior_var - 1.0).clamp(KAPPA_MIN, kappa);
            let (mean, sd) = beta_moments(strength * m + k, strength * (1.0 - m) + n - k);
            CellEstimate {
                cell: cell.clone(),
                events: k,
                exposure: *e,
                exposed: n,
                mean,
                sd,
                prior_mean: m,
                prior_strength: strength,
                weight: strength / (strength + n),
            }
        })
        .collect();
    RateEstimates {
        section,
        events_name,
        events: big_k,
        exposure: total_exposure,
        exposed: big_n,
        mean: m0,
        sd: sd0,
        dimensions,
        rho,
        kappa,
        cells,
    }
}
