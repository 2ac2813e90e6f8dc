//! A scenario's assumptions, read back from `scenario.toml` into one table, and what was scaled
//! when it ran on another baseline than its own.
use super::html::render;
use super::tables::{Source, families_source};
use super::text::{Unit, and_list, fmt_selector, fmt_spec};
use super::view::View;
use crate::format::{MONTH_NAMES, area, factor, fmt_pct, fmt_plain, full_month_label, typeset};
use std::fmt::Write as _;
use wfcast_core::model::rebase::Scaling;
use wfcast_core::sampling::ParamSpec;
use wfcast_core::scenario::{ScenarioFile, SupplyKind, Target};

/// A value in the assumptions table.
enum Value {
    /// Text.
    Text(String),
    /// A path, then text.
    Code(String, &'static str),
    /// A list of items.
    List(Vec<String>),
    /// Where the role families come from.
    Source(Source),
}

/// A line of a group of the assumptions table.
enum Line {
    /// A heading within the group (a supply route).
    Sub(String),
    /// An assumption: what it is, what it applies to, and its value.
    Item(String, String, Value),
}

/// A group of the assumptions table: a title, a note and its lines.
struct Part {
    title: String,
    note: &'static str,
    lines: Vec<Line>,
}

/// The rows of the assumptions table, grouped.
#[derive(Default)]
struct Assumptions {
    groups: Vec<Part>,
}

impl Assumptions {
    /// Starts a group.
    fn group(&mut self, title: &str, note: &'static str) {
        self.groups.push(Part { title: title.to_string(), note, lines: Vec::new() });
    }

    /// A line of the group begun last.
    fn line(&mut self, line: Line) {
        if let Some(g) = self.groups.last_mut() {
            g.lines.push(line);
        }
    }

    /// A heading within the group.
    fn sub(&mut self, title: &str) {
        self.line(Line::Sub(title.to_string()));
    }

    /// A row whose value is not plain text.
    fn row_value(&mut self, item: &str, applies: &str, value: Value) {
        self.line(Line::Item(item.to_string(), applies.to_string(), value));
    }

    /// A row.
    fn row(&mut self, item: &str, applies: &str, value: &str) {
        self.row_value(item, applies, Value::Text(value.to_string()));
    }
}

/// The assumptions section.
#[derive(askama::Template)]
#[template(path = "assumptions.html", config = "templates/askama.toml")]
struct Section<'a> {
    lvl: usize,
    idp: &'a str,
    /// Why the assumptions are not available.
    error: Option<&'a str>,
    title: &'a str,
    groups: Vec<Part>,
    /// What was scaled, when the scenario ran on another baseline than its own.
    scaling: Option<Scaled<'a>>,
}

/// What running a scenario on another baseline scaled (`meta.json`'s `scaling`), as shown.
struct Scaled<'a> {
    /// The area and file of the scenario's own baseline.
    own_area: &'a str,
    own_baseline: &'a str,
    /// The area and file of the baseline it ran on.
    area: &'a str,
    baseline: &'a str,
    /// Each amount: what it is, its basis, then own, here, factor, written and scaled.
    rows: Vec<(&'a str, &'a str, [String; 5])>,
    /// What applies to nothing on this baseline, each a sentence.
    dropped: &'a [String],
}

/// The amounts of `s`, formatted: a basis and amounts to two decimals, the factor to three
/// significant figures.
fn scaled<'a>(v: &View<'a>, s: &'a Scaling) -> Scaled<'a> {
    let meta = v.meta();
    let num = |x: f64| fmt_plain(x, 2);
    Scaled {
        own_area: &s.own_area,
        own_baseline: &s.own_baseline,
        area: area(meta),
        baseline: &meta.baseline.path,
        rows: s
            .amounts
            .iter()
            .map(|a| {
                (
                    a.item.as_str(),
                    a.basis.as_str(),
                    [num(a.own), num(a.here), factor(a.factor), num(a.written), num(a.scaled)],
                )
            })
            .collect(),
        dropped: &s.dropped,
    }
}

/// What an intervention changes, in words.
pub(super) fn target_name(t: Target) -> &'static str {
    match t {
        Target::Attrition => "attrition",
        Target::Progression => "progression",
        Target::Growth => "demand growth",
        Target::Intake => "intake",
        Target::Completion => "completion",
        Target::FillRate => "fill rate",
    }
}

/// The assumptions section, rendered: the scenario as run, read back from `scenario.toml`.
pub(super) fn assumptions(v: &View, lvl: usize, idp: &str) -> String {
    let title = &v.meta().title;
    let scaling = v.meta().scaling.as_ref().map(|s| scaled(v, s));
    let Some(spec) = &v.spec else {
        return render(&Section { lvl, idp, error: Some(&v.spec_error), title, groups: Vec::new(), scaling });
    };
    let mut a = Assumptions::default();
    run_rows(&mut a, v, spec);
    rate_rows(&mut a, spec);
    supply_rows(&mut a, spec);
    demand_rows(&mut a, spec);
    intervention_rows(&mut a, spec);
    cost_rows(&mut a, spec);
    render(&Section { lvl, idp, error: None, title, groups: a.groups, scaling })
}

/// The run: baseline, projection, reporting dates, runs and seed, new roles and regions, families.
fn run_rows(a: &mut Assumptions, v: &View, spec: &ScenarioFile) {
    let meta = v.meta();
    a.group("The run", "");
    let baseline =
        spec.baseline.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| meta.baseline.path.clone());
    let after = if v.illustrative() { " (illustrative data shipped with wfcast)" } else { "" };
    let when = format!("end of {}", full_month_label(&meta.start));
    a.row_value("Baseline extract (staff in post)", &when, Value::Code(baseline, after));
    let step = match meta.step_months {
        1 => "monthly steps".to_string(),
        3 => "quarterly steps".to_string(),
        12 => "yearly steps".to_string(),
        n => format!("steps of {n} months"),
    };
    a.row(
        "Projection",
        "",
        &format!("{} to {}, in {step}", full_month_label(&meta.start), full_month_label(&meta.end)),
    );
    let dates: Vec<String> = v.dates().iter().skip(1).map(|d| full_month_label(d)).collect();
    a.row("Reporting dates", "", &and_list(&dates));
    let runs = if v.det {
        "one deterministic run: assumptions at their means, flows at their expected values".to_string()
    } else {
        let mut t = format!("{} stochastic runs, seed {}", typeset(meta.runs as f64, 0), meta.seed);
        let mut notes = Vec::new();
        if let Some(r) = spec.runs
            && r != meta.runs
        {
            notes.push(format!("the file sets {} runs", typeset(r as f64, 0)));
        }
        if let Some(sd) = spec.seed
            && sd != meta.seed
        {
            notes.push(format!("the file sets seed {sd}"));
        }
        if !notes.is_empty() {
            w!(t, " ({}; changed on the command line)", notes.join(", "));
        }
        t
    };
    a.row("Runs and seed", "", &runs);
    if let Some(r) = spec.new_roles.as_ref().filter(|r| !r.is_empty()) {
        a.row("New roles", "start empty", &r.join(", "));
    }
    if let Some(r) = spec.new_regions.as_ref().filter(|r| !r.is_empty()) {
        a.row("New regions", "start empty", &r.join(", "));
    }
    if spec.families.is_some() {
        a.row_value("Role families", "the family level, chart and table", Value::Source(families_source(v)));
    }
}

/// Attrition, progression and transfers between roles.
fn rate_rows(a: &mut Assumptions, spec: &ScenarioFile) {
    for (title, section, what) in [
        ("Attrition: leaving the NHS", &spec.attrition, "a year"),
        ("Progression: moving up one band", &spec.progression, "a year"),
    ] {
        a.group(title, "annual probability; a later rule wins for the cells it selects");
        match section {
            None => a.row("Not set", "all cells", "0%"),
            Some(sec) => {
                let d = sec.default.as_ref().map(|p| format!("{} {what}", fmt_spec(p, Unit::Pct)));
                a.row("Default", "cells no rule selects", &d.unwrap_or_else(|| "0% (not set)".into()));
                for (i, r) in sec.rule.iter().enumerate() {
                    a.row(
                        &format!("Rule {}", i + 1),
                        &fmt_selector(&r.role, &r.band, &r.region, "all cells"),
                        &format!("{} {what}", fmt_spec(&r.rate, Unit::Pct)),
                    );
                }
            }
        }
    }

    a.group("Transfers between roles", "annual probability of moving, same band and region");
    if spec.transfer.is_empty() {
        a.row("None", "", "no moves between roles");
    }
    for t in &spec.transfer {
        a.row(
            &format!("{} → {}", t.from, t.to),
            &fmt_selector(&None, &t.band, &t.region, "all bands and regions"),
            &format!("{} a year", fmt_spec(&t.rate, Unit::Pct)),
        );
    }
}

/// The supply routes: pipelines and recruitment into vacancies.
fn supply_rows(a: &mut Assumptions, spec: &ScenarioFile) {
    a.group("Supply routes", "");
    if spec.supply.is_empty() {
        a.row("None", "", "no supply routes: staff in post only leave");
    }
    for r in &spec.supply {
        match r.kind {
            SupplyKind::Pipeline => {
                let kind = if r.duration_months > 0 { "training route" } else { "direct entry into post" };
                a.sub(&format!("{} ({kind})", r.name));
                let months = match r.months.as_deref() {
                    Some(ms) if !ms.is_empty() => {
                        let names: Vec<String> = ms
                            .iter()
                            .map(|m| {
                                MONTH_NAMES
                                    .get((*m as usize).wrapping_sub(1))
                                    .map(|s| s.to_string())
                                    .unwrap_or(m.to_string())
                            })
                            .collect();
                        format!("starting in {}", and_list(&names))
                    }
                    _ => "spread evenly over the year".into(),
                };
                let intake = r.intake.as_ref().map(|p| format!("{} starters a year", fmt_spec(p, Unit::Num)));
                a.row("Intake", &months, &intake.unwrap_or_else(|| "none (not set)".into()));
                let training = if r.duration_months == 0 {
                    "none: straight into post".to_string()
                } else {
                    format!("{} months before entering post", r.duration_months)
                };
                a.row("Training", "", &training);
                let completion =
                    r.completion.as_ref().map(|p| fmt_spec(p, Unit::Pct)).unwrap_or_else(|| "100% (not set)".into());
                a.row("Completion", "share of trainees who enter post", &completion);
                let total: f64 = r.entry.iter().map(|e| e.share).sum();
                let items: Vec<String> = r
                    .entry
                    .iter()
                    .map(|e| {
                        let share = if total > 0.0 { e.share / total } else { 0.0 };
                        let region = e.region.as_deref().map(|x| format!(", {x}")).unwrap_or_default();
                        format!("{}, band {}{region}: {}", e.role, e.band.0.join("/"), fmt_pct(share))
                    })
                    .collect();
                let applies = if r.entry.iter().any(|e| e.region.is_none()) {
                    "share of entrants; with no region named, the baseline's regional mix"
                } else {
                    "share of entrants"
                };
                if items.is_empty() {
                    a.row("Entry posts", applies, "none");
                } else {
                    a.row_value("Entry posts", applies, Value::List(items));
                }
            }
            SupplyKind::VacancyFill => {
                a.sub(&format!("{} (recruitment into open vacancies)", r.name));
                let fill =
                    r.fill_rate.as_ref().map(|p| format!("{} of open vacancies filled a year", fmt_spec(p, Unit::Pct)));
                a.row(
                    "Fill rate",
                    &fmt_selector(&r.role, &r.band, &r.region, "all cells"),
                    &fill.unwrap_or_else(|| "0% (not set)".into()),
                );
                let cap = r.max_per_year.map(|c| format!("at most {} hires a year", fmt_plain(c, 2)));
                a.row("Cap", "", &cap.unwrap_or_else(|| "no cap".into()));
            }
        }
    }
}

/// Demand: vacancy rate, growth, rules and changes.
fn demand_rows(a: &mut Assumptions, spec: &ScenarioFile) {
    a.group("Demand: the posts the service needs (FTE)", "a later rule wins for the cells and fields it sets");
    match &spec.demand {
        None => a.row("Not set", "all cells", "demand stays at staff in post: no vacancies, no growth"),
        Some(d) => {
            let vr = d.vacancy_rate.as_ref().map(|p| fmt_spec(p, Unit::Pct)).unwrap_or_else(|| "0% (not set)".into());
            a.row(
                "Vacancy rate at the baseline",
                "cells no rule sets; demand = staff FTE / (1 − rate), unless the baseline gives establishment",
                &vr,
            );
            let gr = d
                .growth
                .as_ref()
                .map(|p| format!("{} a year", fmt_spec(p, Unit::Pct)))
                .unwrap_or_else(|| "0% (not set)".into());
            a.row("Growth", "cells no rule sets", &gr);
            for (i, r) in d.rule.iter().enumerate() {
                let mut parts = Vec::new();
                if let Some(g) = &r.growth {
                    parts.push(format!("growth {} a year", fmt_spec(g, Unit::Pct)));
                }
                if let Some(vr) = &r.vacancy_rate {
                    parts.push(format!("vacancy rate {}", fmt_spec(vr, Unit::Pct)));
                }
                a.row(
                    &format!("Rule {}", i + 1),
                    &fmt_selector(&r.role, &r.band, &r.region, "all cells"),
                    &parts.join("; "),
                );
            }
            for (i, c) in d.change.iter().enumerate() {
                let to = c.to.as_deref().unwrap_or(&c.from);
                let span = if to == c.from {
                    format!("in {}", full_month_label(&c.from))
                } else {
                    format!("spread over {} to {}", full_month_label(&c.from), full_month_label(to))
                };
                let amount = match &c.add_fte {
                    ParamSpec::Fixed(x) if *x < 0.0 => format!("{} FTE removed", fmt_plain(-x, 2)),
                    p => format!("{} FTE added", fmt_spec(p, Unit::Num)),
                };
                a.row(
                    &format!("Change {}", i + 1),
                    &fmt_selector(&c.role, &c.band, &c.region, "all cells"),
                    &format!("{amount}, {span}"),
                );
            }
        }
    }
}

/// Interventions: changes to a parameter from a date on.
fn intervention_rows(a: &mut Assumptions, spec: &ScenarioFile) {
    a.group("Interventions", "changes to a parameter from a date on");
    if spec.intervention.is_empty() {
        a.row("None", "", "no interventions");
    }
    for (i, iv) in spec.intervention.iter().enumerate() {
        let name = iv.name.clone().unwrap_or_else(|| format!("Intervention {}", i + 1));
        let target = target_name(iv.target);
        let applies = match (&iv.route, iv.target) {
            (Some(route), _) => format!("{target} of {route}"),
            (None, _) => format!("{target} of {}", fmt_selector(&iv.role, &iv.band, &iv.region, "all cells")),
        };
        let unit = if iv.target == Target::Intake { Unit::Num } else { Unit::Pct };
        let per_year = if iv.target == Target::Intake { " a year" } else { "" };
        let mut changes = Vec::new();
        if let Some(m) = &iv.multiply {
            changes.push(match m {
                ParamSpec::Fixed(x) => format!("× {}", fmt_plain(*x, 4)),
                p => format!("× ({})", fmt_spec(p, Unit::Num)),
            });
        }
        if let Some(p) = &iv.add {
            let what = if iv.target == Target::Intake { "" } else { " (added to the rate)" };
            changes.push(format!("add {}{per_year}{what}", fmt_spec(p, unit)));
        }
        if let Some(p) = &iv.set {
            changes.push(format!("set to {}{per_year}", fmt_spec(p, unit)));
        }
        let mut value = format!("{} from {}", changes.join(", "), full_month_label(&iv.from));
        if iv.ramp_months > 0 {
            w!(value, ", phased in over {} months", iv.ramp_months);
        }
        a.row(&name, &applies, &value);
    }
}

/// Cost: the pay table and on-costs.
fn cost_rows(a: &mut Assumptions, spec: &ScenarioFile) {
    a.group("Cost", "");
    match &spec.cost {
        None => a.row("Not set", "", "no pay table: costs are not reported"),
        Some(c) => {
            let pay = match &c.pay {
                Some(p) => Value::Code(p.display().to_string(), " (band midpoints)"),
                None => Value::Text("not set".into()),
            };
            a.row_value("Pay table", "annual pay by band", pay);
            a.row("Employer on-costs", "share of pay", &fmt_pct(c.on_cost.unwrap_or(0.0)));
        }
    }
}
