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

/// Years since the first snapshot, per snapshot date.
fn years_since_first(dates: &[Month]) -> Vec<f64> {
    dates.iter().map(|d| (d.0 - dates[0].0) as f64 / 12.0).collect()
}

/// The net change of staff in post per role (always estimated).
pub(super) fn net_change(history: &History, calibration: &mut Calibration, notes: &mut Vec<String>) {
    let dates = &history.dates;
    let t_of = years_since_first(dates);
    let mut role_heads: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for (t, snapshot) in history.snapshots.iter().enumerate() {
        for row in &snapshot.rows {
            role_heads.entry(row.role.as_str()).or_insert_with(|| vec![0.0; dates.len()])[t] += row.headcount;
        }
    }
    for (role, h) in &role_heads {
        match trend(role, &t_of, h) {
            Some(tr) => calibration.net_change.push(tr),
            None => notes.push(format!("net change of `{role}` not estimated: staff in post at fewer than 2 dates")),
        }
    }
}

/// Demand growth from the establishment, where the snapshots have one at two dates or more.
pub(super) fn demand_growth(history: &History, calibration: &mut Calibration, notes: &mut Vec<String>) {
    let dates = &history.dates;
    let t_of = years_since_first(dates);
    let with_est: Vec<usize> = (0..dates.len()).filter(|&t| history.snapshots[t].has_establishment).collect();
    if with_est.len() >= 2 {
        let ts: Vec<f64> = with_est.iter().map(|&t| t_of[t]).collect();
        let mut role_est: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        let mut total = vec![0.0; with_est.len()];
        for (i, &t) in with_est.iter().enumerate() {
            for row in &history.snapshots[t].rows {
                let e = row.establishment_fte.unwrap_or(0.0);
                role_est.entry(row.role.as_str()).or_insert_with(|| vec![0.0; with_est.len()])[i] += e;
                total[i] += e;
            }
        }
        if let Some(total) = trend("total", &ts, &total) {
            let mut roles = Vec::new();
            for (role, e) in &role_est {
                match trend(role, &ts, e) {
                    Some(tr) => roles.push(tr),
                    None => notes.push(format!(
                        "demand growth of `{role}` not estimated: an establishment above 0 at fewer than 2 dates"
                    )),
                }
            }
            calibration.demand = Some(DemandEstimate { total, roles });
        }
    } else if !with_est.is_empty() {
        notes.push("demand growth not estimated: only one snapshot has an establishment".to_string());
    }
}
