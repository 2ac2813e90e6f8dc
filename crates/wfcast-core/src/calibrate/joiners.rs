//! Joiners: vacancy-fill recruitment learnt from open vacancies, or a fixed intake.

use super::*;

/// A cell of the engine: (role, band, region).
pub(super) type RawCell = (String, Band, String);

/// A fixed intake straight into post from the joiners per cell over some periods (their
/// counts and years): `None` without joiners.
pub(super) fn intake_estimate(
    joined: &BTreeMap<CellKey, f64>,
    counts: &[f64],
    spans: &[f64],
) -> Option<JoinerEstimate> {
    let total: f64 = joined.values().sum();
    if total <= 0.0 {
        return None;
    }
    let span: f64 = spans.iter().sum();
    let per_period: Vec<f64> = counts.iter().zip(spans).map(|(n, y)| n / y).collect();
    let mean = total / span;
    let mut sd = total.sqrt() / span;
    if per_period.len() >= 2 {
        sd = sd.max(standard_error(&per_period));
    }
    let entries = joined
        .iter()
        .filter(|(_, j)| **j > 0.0)
        .map(|(c, &j)| EntryShare { cell: c.clone(), joiners: j, share: j / total })
        .collect();
    Some(JoinerEstimate { total, years: span, per_period, mean, sd, entries })
}

/// The standard error of the mean of `xs` (at least 2 of them).
pub(super) fn standard_error(xs: &[f64]) -> f64 {
    let p = xs.len() as f64;
    let avg = xs.iter().sum::<f64>() / p;
    let var = xs.iter().map(|x| (x - avg).powi(2)).sum::<f64>() / (p - 1.0);
    (var / p).sqrt()
}

/// Open vacancies in headcount per cell of a snapshot, as the engine counts them:
/// `floor(establishment_fte / phi - headcount)`, at least 0, with `phi` the cell's FTE per head
/// (the role's where the cell is empty, 1 where the role is). A cell without an establishment
/// has none.
pub(super) fn open_vacancies(snapshot: &Baseline) -> BTreeMap<RawCell, f64> {
    let mut roles: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for r in &snapshot.rows {
        let role = roles.entry(r.role.as_str()).or_default();
        role.0 += r.headcount;
        role.1 += r.fte;
    }
    snapshot
        .rows
        .iter()
        .map(|r| {
            let (heads, fte) = roles[r.role.as_str()];
            let phi = if r.headcount > 0.0 {
                r.fte / r.headcount
            } else if heads > 0.0 {
                fte / heads
            } else {
                1.0
            };
            // A hair of tolerance, so that a count that is whole up to rounding stays whole.
            let open = (r.establishment_fte.unwrap_or(0.0) / phi - r.headcount + 1e-9).floor();
            let open = if open.is_finite() && open > 0.0 { open } else { 0.0 };
            ((r.role.clone(), r.band, r.region.clone()), open)
        })
        .collect()
}

/// Vacancy-fill recruitment learnt from the periods with flows (and an establishment at both
/// snapshots), with the joiners into cells without open vacancies for a fixed intake.
pub(super) struct Recruitment {
    /// The estimate.
    pub(super) estimate: RecruitmentEstimate,
    /// Joiners per cell into cells with no open vacancy at either snapshot of their period.
    pub(super) other: BTreeMap<CellKey, f64>,
    /// Those joiners per period used.
    pub(super) other_per_period: Vec<f64>,
    /// The years of each period used.
    pub(super) period_years: Vec<f64>,
    /// The periods used.
    pub(super) periods: Vec<usize>,
}

/// Estimates the annual fill probability of vacancy-fill recruitment (see the module doc), or
/// says why it cannot be.
pub(super) fn recruitment(
    history: &History,
    periods: &[usize],
    years: &[f64],
    joined_at: &[BTreeMap<RawCell, f64>],
    key: &dyn Fn(&str, Band, &str) -> CellKey,
) -> std::result::Result<Recruitment, String> {
    let snapshots = &history.snapshots;
    let used: Vec<usize> = periods
        .iter()
        .copied()
        .filter(|&t| snapshots[t - 1].has_establishment && snapshots[t].has_establishment)
        .collect();
    if used.is_empty() {
        return Err(if snapshots.iter().any(|s| s.has_establishment) {
            "no period with flow counts has an establishment_fte at both its snapshots, so open vacancies \
             cannot be counted"
                .to_string()
        } else {
            "the snapshots have no establishment_fte, so open vacancies cannot be counted".to_string()
        });
    }
    let vacancies: Vec<Option<BTreeMap<RawCell, f64>>> =
        snapshots.iter().map(|s| s.has_establishment.then(|| open_vacancies(s))).collect();
    let (mut joiners, mut vacancy_years, mut person_years, mut span) = (0.0, 0.0, 0.0, 0.0);
    let mut other: BTreeMap<CellKey, f64> = BTreeMap::new();
    let (mut other_per_period, mut period_years, mut per_period) = (Vec::new(), Vec::new(), Vec::new());
    for &t in &used {
        let (a, b) = (vacancies[t - 1].as_ref().expect("used"), vacancies[t].as_ref().expect("used"));
        let y = years[t - 1];
        // The trapezoid of the sums is the sum of the cells' trapezoids.
        let w = (a.values().sum::<f64>() + b.values().sum::<f64>()) / 2.0 * y;
        let heads = |s: &Baseline| s.total_headcount();
        person_years += (heads(&snapshots[t - 1]) + heads(&snapshots[t])) / 2.0 * y;
        let (mut j, mut o) = (0.0, 0.0);
        for (cell, &n) in &joined_at[t] {
            let open = |v: &BTreeMap<RawCell, f64>| v.get(cell).copied().unwrap_or(0.0) > 0.0;
            if open(a) || open(b) {
                j += n;
            } else {
                o += n;
                *other.entry(key(&cell.0, cell.1, &cell.2)).or_default() += n;
            }
        }
        if w > 0.0 {
            per_period.push(annual_fill(j, w));
        }
        (joiners, vacancy_years, span) = (joiners + j, vacancy_years + w, span + y);
        other_per_period.push(o);
        period_years.push(y);
    }
    if vacancy_years <= 0.0 || person_years <= 0.0 || vacancy_years < MIN_VACANCY_SHARE * person_years {
        return Err(format!(
            "open vacancies came to {} vacancy-years, {:.2}% of the {} person-years of staff in post \
             (under {}%): too few to learn a fill rate from",
            num(vacancy_years),
            if person_years > 0.0 { 100.0 * vacancy_years / person_years } else { 0.0 },
            num(person_years),
            MIN_VACANCY_SHARE * 100.0
        ));
    }
    if joiners <= 0.0 {
        return Err("no joiners went into cells with an open vacancy, so there is no fill rate to learn".to_string());
    }
    let months = 12.0 * vacancy_years;
    let monthly = (joiners / (months + joiners)).min(FILL_MONTHLY_MAX);
    let mean = 1.0 - (1.0 - monthly).powi(12);
    // Delta method on the Poisson sd of J: d monthly / dJ = 12 W / (12 W + J)^2, and
    // d annual / d monthly = 12 (1 - monthly)^11.
    let mut sd = joiners.sqrt() * months / (months + joiners).powi(2) * 12.0 * (1.0 - monthly).powi(11);
    if per_period.len() >= 2 {
        sd = sd.max(standard_error(&per_period));
    }
    let other_joiners = other.values().sum();
    Ok(Recruitment {
        estimate: RecruitmentEstimate {
            periods: used.iter().map(|&t| (history.dates[t - 1], history.dates[t])).collect(),
            years: span,
            joiners,
            vacancy_years,
            person_years,
            monthly,
            per_period,
            mean,
            sd,
            other_joiners,
        },
        other,
        other_per_period,
        period_years,
        periods: used,
    })
}

/// The annual fill probability from `j` joiners into `w` vacancy-years:
/// `1 - (1 - f_m)^12` with the monthly `f_m = J / (12 W + J)` (capped).
pub(super) fn annual_fill(j: f64, w: f64) -> f64 {
    let monthly = (j / (12.0 * w + j)).min(FILL_MONTHLY_MAX);
    1.0 - (1.0 - monthly).powi(12)
}

/// Joiners per cell, per period, and per period and engine cell.
pub(super) type Joined<'a> = (&'a BTreeMap<CellKey, f64>, &'a [f64], &'a [BTreeMap<RawCell, f64>]);

/// The joiners' routes (see the module doc): vacancy-fill recruitment where the snapshots'
/// establishment gives open vacancies to learn a fill rate from, with a fixed intake for the
/// joiners into cells that had none; a fixed intake of all joiners otherwise. `joined` is
/// the joiners per cell, per period, and per period and engine cell.
pub(super) fn estimate_joiners(
    history: &History,
    periods: &[usize],
    years: &[f64],
    (joined, joined_per_period, joined_at): Joined<'_>,
    key: &dyn Fn(&str, Band, &str) -> CellKey,
    calibration: &mut Calibration,
    notes: &mut Vec<String>,
) {
    let total: f64 = joined.values().sum();
    if total > 0.0 {
        match recruitment(history, periods, years, joined_at, key) {
            Ok(fill) => {
                if fill.periods.len() < periods.len() {
                    notes.push(format!(
                        "{} of {} periods with flow counts lack an establishment at one of their snapshots \
                         and were left out of the recruitment estimate",
                        periods.len() - fill.periods.len(),
                        periods.len()
                    ));
                }
                if !history.snapshots.last().expect("two snapshots").has_establishment {
                    notes.push(
                        "the last snapshot has no establishment_fte: a projection from it takes demand as \
                         staff in post FTE / (1 - vacancy_rate), so the vacancies that the recruitment fills \
                         are not those it was calibrated on"
                            .to_string(),
                    );
                }
                let r = &fill.estimate;
                let share = r.vacancy_years / r.person_years;
                let mut choice = format!(
                    "vacancy-fill recruitment: the snapshots have an establishment, and open vacancies came to \
                     {} vacancy-years, {:.1}% of the {} person-years of staff in post",
                    num(r.vacancy_years),
                    share * 100.0,
                    num(r.person_years)
                );
                if r.other_joiners > 0.0 {
                    let _ = write!(
                        choice,
                        "; of the {} joiners of those periods, {} went into cells with an open vacancy at \
                         either snapshot of their period (vacancy-fill) and {} into cells with none (a fixed \
                         intake, as no vacancy was there to fill)",
                        fmt_count(r.joiners + r.other_joiners),
                        fmt_count(r.joiners),
                        fmt_count(r.other_joiners)
                    );
                }
                calibration.joiners = intake_estimate(&fill.other, &fill.other_per_period, &fill.period_years);
                calibration.recruitment = Some(fill.estimate);
                calibration.joiners_choice = Some(choice);
            }
            Err(reason) => {
                let counts: Vec<f64> = periods.iter().map(|&t| joined_per_period[t]).collect();
                let spans: Vec<f64> = periods.iter().map(|&t| years[t - 1]).collect();
                calibration.joiners = intake_estimate(joined, &counts, &spans);
                calibration.joiners_choice = Some(format!("a fixed intake: {reason}"));
            }
        }
    } else {
        notes.push("no joiners were counted: no supply route was estimated".to_string());
    }
}
