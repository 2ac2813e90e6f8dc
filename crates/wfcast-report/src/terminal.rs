//! Tables printed on the terminal: a run's headline, a comparison, a backtest's scores.
use crate::format::{factor, grouped, share_or_dash, shared_area, whole};
use wfcast_core::backtest::{ALL_ROLES, BacktestResults, Method, TOTAL};
use wfcast_core::compare::SeriesKey;
use wfcast_core::engine::Mode;
use wfcast_core::results::Comparison;
use wfcast_core::runner::RunResult;
use wfcast_core::summary::{Level, Metric};

/// The totals of supply, demand and gap over the baseline's area at each reporting date, with
/// 90% intervals.
pub fn headline_table(result: &RunResult) -> String {
    let deterministic = result.mode == Mode::Deterministic;
    let mut out = format!(
        "{} ({}, {} run{}, seed {})\n",
        result.scenario.title,
        result.mode,
        result.runs.runs.len(),
        if result.runs.runs.len() == 1 { "" } else { "s" },
        result.seed
    );
    let head = if deterministic {
        format!("{:<8} {:>10} {:>10} {:>10}\n", "date", "supply FTE", "demand FTE", "gap FTE")
    } else {
        format!(
            "{:<8} {:>26} {:>26} {:>26} {:>11}\n",
            "date", "supply FTE (90% interval)", "demand FTE (90% interval)", "gap FTE (90% interval)", "P(shortfall)"
        )
    };
    out.push_str(&head);
    let cell = |date: usize, metric: Metric| -> String {
        match result.stat(date, Level::Total, &metric, 0) {
            None => "-".into(),
            Some(s) if deterministic => grouped(s.mean, 0),
            Some(s) => format!("{} ({} to {})", grouped(s.p[2], 0), grouped(s.p[0], 0), grouped(s.p[4], 0)),
        }
    };
    for (i, d) in result.layout.dates.iter().enumerate() {
        let (sup, dem, gap) = (cell(i, Metric::Fte), cell(i, Metric::DemandFte), cell(i, Metric::GapFte));
        if deterministic {
            out.push_str(&format!("{:<8} {sup:>10} {dem:>10} {gap:>10}\n", d.to_string()));
        } else {
            let p = result.stat(i, Level::Total, &Metric::GapFte, 0).map(|s| s.above_zero).unwrap_or(f64::NAN);
            out.push_str(&format!(
                "{:<8} {sup:>26} {dem:>26} {gap:>26} {:>11}\n",
                d.to_string(),
                format!("{:.0}%", p * 100.0)
            ));
        }
    }
    out
}

/// A Markdown table of the last reporting date's totals, scenario by scenario, headed by the
/// area the scenarios' baselines cover.
pub fn comparison_table(comparison: &Comparison) -> String {
    let Some(date) = comparison.last_date() else { return String::new() };
    let Some(reference) = comparison.scenarios.first() else { return String::new() };
    let deterministic = reference.is_deterministic();
    let runs = reference.runs;
    let area = shared_area(&comparison.scenarios);
    let mut out = if deterministic {
        format!("### {area} at {date}: deterministic (1 run, parameters at their means)\n\n")
    } else {
        format!(
            "### {area} at {date}: {runs} run{} per scenario, seed {}, common random numbers; median (5th to \
             95th percentile)\n\n",
            if runs == 1 { "" } else { "s" },
            reference.seed
        )
    };
    let first = md_cell(&reference.scenario);
    let mut header = String::from("|  |");
    let mut rule = String::from("|---|");
    for m in &comparison.scenarios {
        header.push_str(&format!(" {} |", md_cell(&m.scenario)));
        rule.push_str("---:|");
    }
    out.push_str(&header);
    out.push('\n');
    out.push_str(&rule);
    out.push('\n');
    let spread = |median: f64, low: f64, high: f64, signed: bool| {
        if deterministic {
            whole(median, signed)
        } else {
            format!("{} ({} to {})", whole(median, signed), whole(low, signed), whole(high, signed))
        }
    };
    let row_of =
        |i: usize, metric: &str| comparison.row(&comparison.scenarios[i].scenario, &SeriesKey::total(date, metric));
    let mut line = |label: String, cell: &dyn Fn(usize) -> String| {
        out.push_str(&format!("| {label} |"));
        for i in 0..comparison.scenarios.len() {
            out.push_str(&format!(" {} |", cell(i)));
        }
        out.push('\n');
    };
    for (label, metric) in [("Supply FTE", "fte"), ("Demand FTE", "demand_fte"), ("Gap FTE", "gap_fte")] {
        line(label.into(), &|i| match row_of(i, metric) {
            Some(r) if deterministic => whole(r.row.mean, false),
            Some(r) => spread(r.row.p[2], r.row.p[0], r.row.p[4], false),
            None => "-".into(),
        });
    }
    line("P(shortfall)".into(), &|i| share_or_dash(row_of(i, "gap_fte").and_then(|r| r.row.p_shortfall)));
    if comparison.scenarios.len() > 1 {
        line(format!("Gap FTE minus {first}"), &|i| match row_of(i, "gap_fte").and_then(|r| r.diff.as_ref()) {
            Some(d) => spread(d.p[2], d.p[0], d.p[4], true),
            None => "-".into(),
        });
        line(format!("P(gap smaller than {first})"), &|i| {
            share_or_dash(row_of(i, "gap_fte").and_then(|r| r.diff.as_ref()).and_then(|d| d.p_gap_smaller))
        });
    }
    out
}

/// Most scaled amounts the line after a run names one by one.
const MOST_SCALED_NAMED: usize = 3;

/// The line after a run whose scenario ran on another baseline than its own: the area it was
/// scaled to and from, the amounts with their factors (the first few) and how many rules apply to
/// nothing: `scaled to Ockby Hospitals NHS Trust (RXX) from England: 2 amounts (supply graduates:
/// intake x0.0213, ...)`; `None` when nothing was scaled.
pub fn scaling_line(result: &RunResult) -> Option<String> {
    let s = result.scaling.as_ref()?;
    let n = s.amounts.len();
    let mut line =
        format!("scaled to {} from {}: {n} amount{}", result.area, s.own_area, if n == 1 { "" } else { "s" });
    if n > 0 {
        let mut named: Vec<String> =
            s.amounts.iter().take(MOST_SCALED_NAMED).map(|a| format!("{} x{}", a.item, factor(a.factor))).collect();
        if n > MOST_SCALED_NAMED {
            named.push(format!("and {} more", n - MOST_SCALED_NAMED));
        }
        line.push_str(&format!(" ({})", named.join(", ")));
    }
    if !s.dropped.is_empty() {
        let k = s.dropped.len();
        line.push_str(&format!(
            "; {k} rule{} appl{} to nothing here",
            if k == 1 { "" } else { "s" },
            if k == 1 { "ies" } else { "y" }
        ));
    }
    Some(line)
}

/// The scores of the total and of all roles together, as a terminal table, and how many
/// roles the model beat both benchmarks on.
pub fn scores_table(results: &BacktestResults) -> String {
    let num = |v: f64, d: usize| if v.is_finite() { format!("{v:.d$}") } else { "-".to_string() };
    let mut out = format!(
        "Backtest from {} to {}: forecasts of staff in post against what happened\n\n| series | method | MAPE | MASE | in 50% interval | in 90% interval |\n|---|---|---:|---:|---:|---:|\n",
        results.meta.train_until, results.meta.end
    );
    for series in [TOTAL, ALL_ROLES] {
        for method in Method::ALL {
            if let Some(s) = results.score(series, method) {
                out += &format!(
                    "| {series} | {} | {}% | {} | {} | {} |\n",
                    method.label(),
                    num(s.mape, 1),
                    num(s.mase, 2),
                    share_or_dash(s.coverage_50),
                    share_or_dash(s.coverage_90)
                );
            }
        }
    }
    let roles: Vec<&str> = results.series().into_iter().filter(|s| *s != TOTAL).collect();
    let beaten = roles
        .iter()
        .filter(|r| {
            let mape = |m| results.score(r, m).map_or(f64::NAN, |s| s.mape);
            mape(Method::Wfcast) < mape(Method::Naive) && mape(Method::Wfcast) < mape(Method::Trend)
        })
        .count();
    out += &format!("\nwfcast's median beat both benchmarks (by MAPE) on {beaten} of {} roles.", roles.len());
    out
}

/// A table cell: `|`, which would end the cell, escaped.
fn md_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::tests::{TRUST, trust_scaling};
    use wfcast_core::compare::run_comparison;
    use wfcast_core::runner::{RunOptions, run_scenario};

    const BODY: &str = "end = \"2027-03\"\nstep = \"year\"\n[attrition]\ndefault = 0.1\n";

    fn prepared(name: &str) -> wfcast_core::runner::Prepared {
        let rows = vec![wfcast_testkit::staff("Analyst", "5", "London", 40.0, 1.0)];
        wfcast_testkit::prepared(name, BODY, "", rows)
    }

    fn options() -> RunOptions {
        RunOptions { runs: Some(5), threads: Some(1), seed: Some(3), ..Default::default() }
    }

    #[test]
    fn a_scaled_run_says_to_what_and_by_how_much_in_one_line() {
        let p = prepared("trust");
        let mut result = run_scenario(&p.scenario, &p.model, p.baseline_sha256.clone(), &options(), &|| {}).unwrap();
        assert_eq!(scaling_line(&result), None);
        result.area = TRUST.into();
        result.scaling = Some(trust_scaling());
        assert_eq!(
            scaling_line(&result).unwrap(),
            format!(
                "scaled to {TRUST} from England: 2 amounts (supply graduates: intake x0.0213, supply recruitment: \
                 max_per_year x0.025); 1 rule applies to nothing here"
            )
        );
    }

    #[test]
    fn a_comparison_table_is_headed_by_its_area_or_each_when_they_differ() {
        let (_, mut c) = run_comparison(&[prepared("a"), prepared("b")], &options(), &|| {}).unwrap();
        assert!(
            comparison_table(&c).starts_with("### London at 2027-03: 5 runs per scenario"),
            "{}",
            comparison_table(&c)
        );
        c.scenarios.iter_mut().for_each(|m| m.area = TRUST.into());
        assert!(comparison_table(&c).starts_with(&format!("### {TRUST} at 2027-03: 5 runs")));
        c.scenarios[1].area = "England".into();
        let table = comparison_table(&c);
        assert!(
            table.starts_with(&format!("### {TRUST} / England (the scenarios' areas differ) at 2027-03")),
            "{table}"
        );
    }
}
