//! A scenario's summary rows, indexed, and the sentences read from them.
use super::SHIPPED_SEED_SHA256;
use crate::format::{fmt_share, full_month_label, typeset};
use std::collections::HashMap;
use std::fmt::Write as _;
use wfcast_core::results::{Meta, Results, Row};
use wfcast_core::scenario::ScenarioFile;

/// One group of a level: role, band and region (`None` where the level has none).
#[derive(Clone, Copy, Default)]
pub(super) struct Group<'a> {
    pub(super) role: Option<&'a str>,
    pub(super) band: Option<&'a str>,
    pub(super) region: Option<&'a str>,
}

/// The total of the baseline's area (no role, band or region).
pub(super) const TOTAL: Group<'static> = Group { role: None, band: None, region: None };

/// The index key of a row: level, group, metric and date, as typed fields rather than one
/// formatted string.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct RowKey<'a> {
    level: &'a str,
    role: Option<&'a str>,
    band: Option<&'a str>,
    region: Option<&'a str>,
    metric: &'a str,
    date: &'a str,
}

/// The key of the row of `metric` for group `g` of `level` at `date`.
pub(super) fn key<'a>(level: &'a str, g: Group<'a>, metric: &'a str, date: &'a str) -> RowKey<'a> {
    RowKey { level, role: g.role, band: g.band, region: g.region, metric, date }
}

/// A scenario's summary rows, indexed, with what the report needs to say about them.
pub(super) struct View<'a> {
    pub(super) results: &'a Results,
    pub(super) rows: HashMap<RowKey<'a>, &'a Row>,
    /// Deterministic (one expected-value run: no intervals).
    pub(super) det: bool,
    /// The first and last reporting dates.
    pub(super) first: String,
    pub(super) last: String,
    /// The scenario as run, parsed (None when scenario.toml is missing or unreadable).
    pub(super) spec: Option<ScenarioFile>,
    /// Why `spec` is None.
    pub(super) spec_error: String,
}

impl<'a> View<'a> {
    /// Indexes a scenario's summary rows and reads back its scenario.
    pub(super) fn new(results: &'a Results) -> View<'a> {
        let rows = results
            .rows
            .iter()
            .map(|r| {
                let g = Group { role: r.role.as_deref(), band: r.band.as_deref(), region: r.region.as_deref() };
                (key(&r.level, g, &r.metric, &r.date), r)
            })
            .collect();
        let meta = &results.meta;
        let mut dates: Vec<&str> = meta.report_dates.iter().map(String::as_str).collect();
        if dates.is_empty() {
            dates = results.rows.iter().map(|r| r.date.as_str()).collect();
            dates.sort();
            dates.dedup();
        }
        let (spec, spec_error) = if results.scenario_toml.trim().is_empty() {
            (None, "scenario.toml was not found in the output folder".to_string())
        } else {
            match toml::from_str::<ScenarioFile>(&results.scenario_toml) {
                Ok(s) => (Some(s), String::new()),
                Err(e) => (None, format!("scenario.toml could not be read: {}", e.message())),
            }
        };
        View {
            results,
            rows,
            det: meta.is_deterministic() || meta.runs <= 1,
            first: dates.first().map(|d| d.to_string()).unwrap_or_default(),
            last: dates.last().map(|d| d.to_string()).unwrap_or_default(),
            spec,
            spec_error,
        }
    }

    /// The run's meta.json.
    pub(super) fn meta(&self) -> &'a Meta {
        &self.results.meta
    }

    /// The reporting dates (the first and last dates when none is recorded).
    pub(super) fn dates(&self) -> Vec<String> {
        let mut d: Vec<String> = self.meta().report_dates.clone();
        if d.is_empty() {
            d = vec![self.first.clone(), self.last.clone()];
            d.dedup();
        }
        d
    }

    /// The row of one group, metric and date.
    pub(super) fn get(&self, level: &str, g: Group, metric: &str, date: &str) -> Option<&'a Row> {
        self.rows.get(&key(level, g, metric, date)).copied()
    }

    /// The row of the area's total of one metric and date.
    pub(super) fn total(&self, metric: &str, date: &str) -> Option<&'a Row> {
        self.get("total", TOTAL, metric, date)
    }

    /// Groups of a level in the order they first appear.
    pub(super) fn groups(&self, level: &str) -> Vec<Group<'a>> {
        let mut out: Vec<Group<'a>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in self.results.rows.iter().filter(|r| r.level == level && r.date == self.last) {
            let g = Group { role: r.role.as_deref(), band: r.band.as_deref(), region: r.region.as_deref() };
            if seen.insert((g.role, g.band, g.region)) {
                out.push(g);
            }
        }
        out
    }

    /// Whether the summary has a metric for the area's total at the last date.
    pub(super) fn has_metric(&self, metric: &str) -> bool {
        self.total(metric, &self.last).is_some()
    }

    /// The median of a row (the value itself in a deterministic run).
    pub(super) fn mid(&self, r: &Row) -> f64 {
        if self.det { r.mean } else { r.p[2] }
    }

    /// `a to b` (the 90% interval), or a dash in a deterministic run.
    pub(super) fn interval(&self, r: &Row) -> String {
        if self.det { "–".into() } else { format!("{} to {}", typeset(r.p[0], 0), typeset(r.p[4], 0)) }
    }

    /// The share of runs in shortfall, or a dash in a deterministic run.
    pub(super) fn share(&self, r: &Row) -> String {
        match r.p_shortfall {
            Some(p) if !self.det => fmt_share(p),
            _ => "–".into(),
        }
    }

    /// Whether the baseline is the illustrative seed extract shipped with wfcast.
    pub(super) fn illustrative(&self) -> bool {
        self.meta().baseline.sha256 == SHIPPED_SEED_SHA256
    }
}

/// `By March 2030 demand [for X] is D FTE and supply S FTE: a shortfall of G FTE (90%
/// interval a to b), seen in P of runs.`
pub(super) fn gap_sentence(v: &View, level: &str, g: Group, subject: Option<&str>, date: &str) -> Option<String> {
    let (demand, supply, gap) =
        (v.get(level, g, "demand_fte", date)?, v.get(level, g, "fte", date)?, v.get(level, g, "gap_fte", date)?);
    let of = subject.map(|s| format!(" for {s}")).unwrap_or_default();
    let mut s = format!(
        "By {} demand{of} is {} FTE and supply {} FTE",
        full_month_label(date),
        typeset(v.mid(demand), 0),
        typeset(v.mid(supply), 0)
    );
    let m = v.mid(gap);
    let runs = |p: Option<f64>| p.map(fmt_share).unwrap_or_else(|| "–".into());
    if v.det {
        if m >= 0.5 {
            w!(s, ": a shortfall of {} FTE (one expected-value run: no interval).", typeset(m, 0));
        } else if m <= -0.5 {
            w!(s, ": a surplus of {} FTE (one expected-value run: no interval).", typeset(-m, 0));
        } else {
            s.push_str(": supply meets demand (one expected-value run: no interval).");
        }
    } else if m >= 0.0 {
        w!(
            s,
            ": a shortfall of {} FTE (90% interval {} to {}), seen in {} of runs.",
            typeset(m, 0),
            typeset(gap.p[0], 0),
            typeset(gap.p[4], 0),
            runs(gap.p_shortfall)
        );
    } else {
        w!(
            s,
            ": a surplus of {} FTE (the gap's 90% interval is {} to {}, negative meaning a surplus); a shortfall \
             in {} of runs.",
            typeset(-m, 0),
            typeset(gap.p[0], 0),
            typeset(gap.p[4], 0),
            runs(gap.p_shortfall)
        );
    }
    Some(s)
}
