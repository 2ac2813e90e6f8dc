//! Numbers and names as the fragment's comments and the terminal summary write them.

use super::*;

/// A number with about 4 significant figures, as a TOML float.
pub(super) fn num(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return "0.0".to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-4..9).contains(&magnitude) {
        return format!("{x:.3e}");
    }
    let decimals = (3 - magnitude).max(1) as usize;
    let s = format!("{x:.decimals$}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') { format!("{s}0") } else { s.to_string() }
}

/// A count for a comment: whole numbers without decimals.
pub(super) fn fmt_count(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{x:.0}") } else { format!("{x:.1}") }
}

/// `text` broken into lines of at most `width` characters (where spaces allow), the lines
/// after the first starting with `prefix`.
pub(super) fn wrap(text: &str, prefix: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            out.push_str(prefix);
            line = prefix.len();
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}

/// A name as it may appear in a comment (no line breaks or other control characters).
pub(super) fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A signed percentage: `+5.00%`.
pub(super) fn pct(x: f64) -> String {
    format!("{:+.2}%", x * 100.0)
}

/// Dates as a short list: all of them up to 8, else the first two, `...` and the last.
pub(super) fn date_list(dates: &[Month]) -> String {
    if dates.len() <= 8 {
        dates.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
    } else {
        format!("{}, {}, ..., {}", dates[0], dates[1], dates[dates.len() - 1])
    }
}

impl CellKey {
    /// The cell for people: `role / band / region`.
    pub(super) fn label(&self) -> String {
        match &self.region {
            Some(region) => format!("{} / band {} / {}", clean(&self.role), self.band, clean(region)),
            None => format!("{} / band {}", clean(&self.role), self.band),
        }
    }
}

impl Calibration {
    /// A short plain-text summary for the terminal.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "History: {} dates ({})", self.dates.len(), date_list(&self.dates));
        if let Some(r) = &self.attrition {
            let years: f64 = self.flow_periods.iter().map(|(a, b)| (b.0 - a.0) as f64 / 12.0).sum();
            let _ = writeln!(out, "Flows: {} periods, {years:.2} years", self.flow_periods.len());
            for r in [Some(r), self.progression.as_ref()].into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "{:<12} overall {} (sd {}) from {} {} / {} person-years; {} cells, {} pooled",
                    r.section,
                    num(r.mean),
                    num(r.sd),
                    fmt_count(r.events),
                    r.events_name,
                    num(r.exposure),
                    r.cells.len(),
                    r.pooled()
                );
            }
            let pairs = if self.transfers.len() == 1 { "pair" } else { "pairs" };
            let _ = writeln!(out, "{:<12} {} {pairs} of roles with moves", "transfers", self.transfers.len());
            if let Some(r) = &self.recruitment {
                let _ = writeln!(
                    out,
                    "{:<12} vacancy-fill: annual fill probability {} (sd {}) from {} joiners / {} vacancy-years",
                    "recruitment",
                    num(r.mean),
                    num(r.sd),
                    fmt_count(r.joiners),
                    num(r.vacancy_years)
                );
            }
            match &self.joiners {
                Some(j) => {
                    let _ = writeln!(
                        out,
                        "{:<12} fixed intake: {} per year (sd {}) into {} cells",
                        "joiners",
                        num(j.mean),
                        num(j.sd),
                        j.entries.len()
                    );
                }
                None if self.recruitment.is_some() => {}
                None => {
                    let _ = writeln!(out, "{:<12} none counted", "joiners");
                }
            }
            if let Some(choice) = &self.joiners_choice {
                let _ = writeln!(out, "Joiners are {}.", clean(choice));
            }
        } else {
            out.push_str(
                "Net change only: no flow counts were given, so leaver, progression and transfer rates \
                 cannot be estimated; supply --flows to estimate them.\n",
            );
        }
        out.push_str("Net annual change of staff in post:\n");
        for t in &self.net_change {
            let _ = writeln!(out, "  {}: {}", clean(&t.name), trend_text(t, "staff"));
        }
        match &self.demand {
            Some(d) => {
                let _ = writeln!(out, "Demand growth: total {}", trend_text(&d.total, "FTE"));
                for t in &d.roles {
                    let _ = writeln!(out, "  {}: {}", clean(&t.name), trend_text(t, "FTE"));
                }
            }
            None => out.push_str("Demand growth: not estimated (no establishment_fte in the history)\n"),
        }
        for note in &self.notes {
            let _ = writeln!(out, "Note: {}", clean(note));
        }
        out
    }
}

/// A trend for people: `+5.00%/yr (sd 0.12%), 1000 -> 1276 staff over 6 dates`.
pub(super) fn trend_text(t: &Trend, unit: &str) -> String {
    let sd = match t.sd {
        Some(sd) if sd * 100.0 >= 0.01 => format!("sd {:.2}%", sd * 100.0),
        Some(sd) if sd > 0.0 => format!("sd {}%", num(sd * 100.0)),
        Some(_) => "sd 0: an exact fit".to_string(),
        None => "sd unknown: 2 dates".to_string(),
    };
    let amount = |x: f64| if x.fract() == 0.0 { fmt_count(x) } else { format!("{x:.1}") };
    format!("{}/yr ({sd}), {} -> {} {unit} over {} dates", pct(t.mean), amount(t.first), amount(t.last), t.dates)
}
