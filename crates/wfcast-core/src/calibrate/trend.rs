//! Log-linear trends (net change of staff in post, demand growth): OLS of ln(value) on years.

use super::*;

/// The OLS trend of ln(value) on `ts` (years) over the points with a value above 0, or
/// `None` with fewer than 2 such points.
pub(super) fn trend(name: &str, ts: &[f64], values: &[f64]) -> Option<Trend> {
    let points: Vec<(f64, f64, f64)> =
        ts.iter().zip(values).filter(|(_, v)| **v > 0.0).map(|(&t, &v)| (t, v.ln(), v)).collect();
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let t_bar = points.iter().map(|p| p.0).sum::<f64>() / n;
    let y_bar = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - t_bar).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - t_bar) * (p.1 - y_bar)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let slope_se = (points.len() >= 3).then(|| {
        let ssr: f64 = points.iter().map(|p| (p.1 - y_bar - slope * (p.0 - t_bar)).powi(2)).sum();
        let se = (ssr / (n - 2.0) / sxx).sqrt();
        // An exact fit leaves rounding noise, not uncertainty.
        if se < 1e-12 { 0.0 } else { se }
    });
    Some(Trend {
        name: name.to_string(),
        dates: points.len(),
        first: points[0].2,
        last: points[points.len() - 1].2,
        slope,
        slope_se,
        mean: slope.exp_m1(),
        sd: slope_se.map(|se| slope.exp() * se),
    })
}
