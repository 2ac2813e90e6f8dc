//! A scenario run on another baseline than its own (MODEL.md, 'Scaling a scenario to another
//! baseline'): its rates hold as they are, its absolute amounts are scaled by the new
//! baseline's share of the cells each covers, and what names a role or region the new
//! baseline lacks applies to nothing.
use serde::{Deserialize, Serialize};

/// What running a scenario on another baseline changed: `meta.json`'s `scaling`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    /// The scenario's own baseline, whose amounts these were.
    pub own_baseline: String,
    /// The area the scenario's own baseline covers.
    pub own_area: String,
    /// Each absolute amount scaled, in scenario order.
    pub amounts: Vec<ScaledAmount>,
    /// What applies to nothing on this baseline (it names a role or region the baseline
    /// lacks), each as a sentence.
    pub dropped: Vec<String>,
}

/// One absolute amount of a scenario, scaled to another baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScaledAmount {
    /// What it is: `supply graduates: intake`, `supply agency: max_per_year`,
    /// `demand.change[2]: add_fte`.
    pub item: String,
    /// What the ratio is taken over: `headcount of its entry cells`, `headcount of the cells it
    /// hires into`, `baseline demand (FTE) of its cells`.
    pub basis: String,
    /// That basis in the scenario's own baseline.
    pub own: f64,
    /// That basis in this baseline.
    pub here: f64,
    /// The factor the amount was multiplied by (`here / own`).
    pub factor: f64,
    /// The amount as written (its mean).
    pub written: f64,
    /// The amount as run (its mean).
    pub scaled: f64,
}

use super::steps::Steps;
use super::{Model, Op, Scope};
use crate::baseline::Baseline;
use crate::error::Result;
use crate::names::fold;
use crate::pay::PayTable;
use crate::scenario::{Names, Scenario, ScenarioFile};

impl Model {
    /// Compiles `scenario` against `here`, a baseline other than its own (`own`, the one it
    /// names), as MODEL.md's 'Scaling a scenario to another baseline' says: rates as written;
    /// each intake, cap and demand change scaled by `here`'s share of the cells it covers
    /// (an intake, an intervention that adds to or sets one, and the trainees `in_training`, by
    /// the headcount of its entry cells; a cap by the headcount of the cells it hires into; a demand change by the
    /// baseline demand of its cells); a rule, route or change that names a role or region
    /// `here` lacks but `own` has applies to nothing and is listed in the warnings. A name that
    /// neither baseline knows stays an error, with its suggestion. [`Model::scaling`] records
    /// every factor.
    pub fn compile_on(scenario: &Scenario, here: &Baseline, own: &Baseline, pay: Option<&PayTable>) -> Result<Model> {
        let known_here = Known::of(here, &scenario.spec);
        let known_own = Known::of(own, &scenario.spec);
        let here_name = here.path.display().to_string();
        // Against its own baseline first, so that a name neither knows is refused with the
        // suggestion of the baseline it was written for.
        let (for_own, _, own_changes) = adapt(scenario, &known_own, &known_here, "");
        let own_model = Model::compile_unchecked(&for_own, own, pay)?;
        let (for_here, dropped, here_changes) = adapt(scenario, &known_here, &known_own, &here_name);
        let mut model = Model::compile_unchecked(&for_here, here, pay)?;
        let amounts = scale(&mut model, &own_model, &here_changes, &own_changes, &scenario.spec, scenario.report_month);
        model.warnings.extend(dropped.iter().cloned());
        model.scaling =
            Some(Scaling { own_baseline: own.path.display().to_string(), own_area: own_model.area, amounts, dropped });
        // The amounts as they will run are the ones to check.
        super::plausible::checked(&for_here, model)
    }
}

/// The role and region names a baseline knows, with the scenario's new ones, folded.
struct Known {
    /// Roles.
    roles: Vec<String>,
    /// Regions.
    regions: Vec<String>,
}

impl Known {
    fn of(baseline: &Baseline, spec: &ScenarioFile) -> Known {
        let mut roles: Vec<String> = baseline.roles().into_iter().map(fold).collect();
        roles.extend(spec.new_roles.iter().flatten().map(|r| fold(r)));
        let mut regions: Vec<String> = baseline.regions().into_iter().map(fold).collect();
        regions.extend(spec.new_regions.iter().flatten().map(|r| fold(r)));
        Known { roles, regions }
    }
}

/// Which list a name is looked up in.
#[derive(Clone, Copy)]
enum Kind {
    Role,
    Region,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::Region => "region",
        }
    }
}

/// What adapting a scenario to one baseline removes: the names it lacks that the other
/// baseline has (a name neither has stays, for compiling to refuse with its suggestion).
struct Narrow<'a> {
    here: &'a Known,
    other: &'a Known,
}

impl Narrow<'_> {
    /// Whether `name` is one to drop: the other baseline has it, this one does not.
    fn lacks(&self, kind: Kind, name: &str) -> bool {
        let f = fold(name);
        let (here, other) = match kind {
            Kind::Role => (&self.here.roles, &self.other.roles),
            Kind::Region => (&self.here.regions, &self.other.regions),
        };
        !here.contains(&f) && other.contains(&f)
    }

    /// Drops the names of a selector this baseline lacks; `Err` with the names dropped when
    /// none is left (the item then applies to nothing).
    fn names(&self, kind: Kind, names: &mut Option<Names>) -> std::result::Result<(), Vec<String>> {
        let Some(list) = names.as_mut() else { return Ok(()) };
        let (gone, kept): (Vec<String>, Vec<String>) = list.0.drain(..).partition(|n| self.lacks(kind, n));
        list.0 = kept;
        if list.0.is_empty() && !gone.is_empty() { Err(gone) } else { Ok(()) }
    }

    /// Drops the names of a role and a region selector; `Err` naming what is missing when the
    /// item applies to nothing.
    fn selector(&self, role: &mut Option<Names>, region: &mut Option<Names>) -> std::result::Result<(), String> {
        self.names(Kind::Role, role).map_err(|g| missing(Kind::Role, &g))?;
        self.names(Kind::Region, region).map_err(|g| missing(Kind::Region, &g))
    }
}

/// `role Clinical Systems` or `regions London and North West`, for a sentence.
fn missing(kind: Kind, names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let word = if names.len() == 1 { kind.word().to_string() } else { format!("{}s", kind.word()) };
    format!("{word} {}", crate::names::and_list(&quoted))
}

/// `scenario` as it applies to the baseline `here` knows: what names only roles or regions
/// that `other` has is taken out. Returns it, a sentence for each item taken out (naming
/// `here_name`), and the index in the scenario of each demand change kept.
fn adapt(scenario: &Scenario, here: &Known, other: &Known, here_name: &str) -> (Scenario, Vec<String>, Vec<usize>) {
    let n = Narrow { here, other };
    let mut out = scenario.clone();
    let spec = &mut out.spec;
    let mut dropped = Vec::new();
    let mut note = |origin: &crate::scenario::Origin, what: String| {
        let item = if origin.key.is_empty() { "an item".to_string() } else { origin.key.clone() };
        // Name the file only when it is not the scenario's own (a parent it extends).
        let file = if origin.file == scenario.path { String::new() } else { format!(" of {}", origin.file.display()) };
        dropped.push(format!("{item}{file} applies to nothing here: {here_name} has no {what}"));
    };
    for section in [spec.attrition.as_mut(), spec.progression.as_mut()].into_iter().flatten() {
        section.rule.retain_mut(|r| n.selector(&mut r.role, &mut r.region).map_err(|w| note(&r.origin, w)).is_ok());
    }
    spec.transfer.retain_mut(|t| {
        let gone: Vec<String> = [&t.from, &t.to].into_iter().filter(|r| n.lacks(Kind::Role, r)).cloned().collect();
        let kept = if gone.is_empty() { Ok(()) } else { Err(missing(Kind::Role, &gone)) };
        kept.and_then(|()| n.names(Kind::Region, &mut t.region).map_err(|g| missing(Kind::Region, &g)))
            .map_err(|w| note(&t.origin, w))
            .is_ok()
    });
    let mut routes_gone = Vec::new();
    spec.supply.retain_mut(|s| {
        let mut gone = Vec::new();
        let written: f64 = s.entry.iter().map(|e| e.share).sum();
        s.entry.retain(|e| {
            let lacks = n.lacks(Kind::Role, &e.role) || e.region.as_ref().is_some_and(|r| n.lacks(Kind::Region, r));
            if lacks {
                gone.push(e.role.clone());
            }
            !lacks
        });
        let left: f64 = s.entry.iter().map(|e| e.share).sum();
        if !gone.is_empty() && left > 0.0 && s.entry.iter().any(|e| e.share.fract() != 0.0) {
            // Fractions that summed to 1 share the entrants of the entries left.
            s.entry.iter_mut().for_each(|e| e.share *= written / left);
        }
        let kept = if !gone.is_empty() && s.entry.is_empty() {
            Err(format!("entry cells: its entries name only roles or regions it lacks ({})", gone.join(", ")))
        } else {
            n.selector(&mut s.role, &mut s.region)
        };
        let keep = kept.map_err(|w| note(&s.origin, w)).is_ok();
        if !keep {
            routes_gone.push(s.name.clone());
        }
        keep
    });
    spec.intervention.retain_mut(|iv| {
        let kept = match &iv.route {
            Some(route) if routes_gone.contains(route) => Err(format!("route: `{route}` applies to nothing here")),
            _ => n.selector(&mut iv.role, &mut iv.region),
        };
        kept.map_err(|w| note(&iv.origin, w)).is_ok()
    });
    let mut changes_kept = Vec::new();
    if let Some(d) = spec.demand.as_mut() {
        d.rule.retain_mut(|r| n.selector(&mut r.role, &mut r.region).map_err(|w| note(&r.origin, w)).is_ok());
        let mut i = 0;
        d.change.retain_mut(|c| {
            let keep = n.selector(&mut c.role, &mut c.region).map_err(|w| note(&c.origin, w)).is_ok();
            if keep {
                changes_kept.push(i);
            }
            i += 1;
            keep
        });
    }
    (out, dropped, changes_kept)
}

/// What a factor is taken over: its text, its value here and in the scenario's own baseline,
/// and their ratio.
struct Basis {
    text: String,
    here: f64,
    own: f64,
    factor: f64,
}

/// Scales `model`'s amounts by the ratio of its baseline to `own`'s over the cells each
/// covers, and returns what it did. `here_changes` and `own_changes` give the scenario index
/// of each model's demand changes.
fn scale(
    model: &mut Model,
    own: &Model,
    here_changes: &[usize],
    own_changes: &[usize],
    spec: &ScenarioFile,
    report_month: u32,
) -> Vec<ScaledAmount> {
    let total = |m: &Model| m.h0.iter().sum::<f64>();
    let (all_here, all_own) = (total(model), total(own));
    // The factor over some cells; where the cells are empty in the scenario's own baseline,
    // the ratio of all staff.
    let ratio = |text: &str, here: f64, own: f64| -> Basis {
        if own > 0.0 {
            Basis { text: text.to_string(), here, own, factor: here / own }
        } else {
            let factor = if all_own > 0.0 { all_here / all_own } else { 1.0 };
            let text = "headcount of all staff (its cells are empty in the scenario's own baseline)".to_string();
            Basis { text, here: all_here, own: all_own, factor }
        }
    };
    let mut amounts = Vec::new();
    let record = |model: &mut Model, item: String, basis: Basis, param: usize| {
        let written = model.params[param].dist.mean();
        model.params[param].dist = model.params[param].dist.scaled(basis.factor);
        let scaled = model.params[param].dist.mean();
        ScaledAmount {
            item,
            basis: basis.text,
            own: basis.own,
            here: basis.here,
            factor: basis.factor,
            written,
            scaled,
        }
    };
    let sum = |m: &Model, cells: &[usize]| cells.iter().map(|&c| m.h0[c]).sum::<f64>();
    let mut route_factor = vec![1.0; model.routes.len()];
    for (r, factor) in route_factor.iter_mut().enumerate() {
        let route = &model.routes[r];
        let Some(o) = own.routes.iter().find(|o| o.name == route.name) else { continue };
        let basis = ratio("headcount of its entry cells", sum(model, &route.entry_cells), sum(own, &o.entry_cells));
        *factor = basis.factor;
        if let Some(n) = route.in_training {
            // Trainees on the baseline date are a count of people too.
            let (item, f) = (format!("supply `{}`: in_training", route.name), basis.factor);
            let (own, here) = (basis.own, basis.here);
            amounts.push(ScaledAmount {
                item,
                basis: basis.text.clone(),
                own,
                here,
                factor: f,
                written: n,
                scaled: n * f,
            });
            model.routes[r].in_training = Some(n * f);
        }
        let (item, param) = (format!("supply `{}`: intake", model.routes[r].name), model.routes[r].intake);
        amounts.push(record(model, item, basis, param));
    }
    for iv in 0..model.interventions.len() {
        let (Scope::Intake(r), op) = (&model.interventions[iv].scope, model.interventions[iv].op) else { continue };
        if op == Op::Multiply {
            continue;
        }
        let r = *r;
        let item = format!(
            "intervention on the intake of `{}`: {}",
            model.routes[r].name,
            if op == Op::Add { "add" } else { "set" }
        );
        let f = route_factor[r];
        let basis = Basis { text: "the factor of its route's intake".into(), here: f, own: 1.0, factor: f };
        let done = record(model, item, basis, model.interventions[iv].value);
        amounts.push(done);
    }
    for f in 0..model.fills.len() {
        let Some(o) = own.fills.iter().find(|o| o.name == model.fills[f].name) else { continue };
        let (Some(cap), Some(_)) = (model.fills[f].cap_per_step, o.cap_per_step) else { continue };
        let Basis { text: basis, here, own: there, factor } =
            ratio("headcount of the cells it hires into", sum(model, &model.fills[f].cells), sum(own, &o.cells));
        let per_year = 12.0 / model.step_months as f64;
        let steps = Steps { start: model.start, step_months: model.step_months, n_steps: model.n_steps };
        let (per_step, budgets) = steps.cap(report_month, cap * per_year * factor);
        (model.fills[f].cap_per_step, model.fills[f].cap_budget) = (Some(per_step), budgets);
        amounts.push(ScaledAmount {
            item: format!("supply `{}`: max_per_year", model.fills[f].name),
            basis,
            own: there,
            here,
            factor,
            written: cap * per_year,
            scaled: cap * factor * per_year,
        });
    }
    let (d_here, d_own) = (super::plausible::baseline_demand(model), super::plausible::baseline_demand(own));
    let demand = |d: &[f64], cells: &[usize]| cells.iter().map(|&c| d[c]).sum::<f64>();
    for (i, &index) in here_changes.iter().enumerate() {
        let Some(j) = own_changes.iter().position(|&k| k == index) else { continue };
        let basis = ratio(
            "baseline demand (FTE) of its cells",
            demand(&d_here, &model.changes[i].cells),
            demand(&d_own, &own.changes[j].cells),
        );
        let key = spec.demand.as_ref().map(|d| d.change[index].origin.key.clone()).unwrap_or_default();
        let done = record(model, format!("{key}: add_fte"), basis, model.changes[i].amount);
        amounts.push(done);
    }
    amounts
}

#[cfg(test)]
mod tests {
    use crate::band::Band;
    use crate::baseline::{Baseline, BaselineRow};
    use crate::model::Model;
    use crate::scenario::Scenario;
    use std::path::Path;

    fn staff(role: &str, band: Band, region: &str, headcount: f64) -> BaselineRow {
        BaselineRow {
            role: role.into(),
            band,
            region: region.into(),
            headcount,
            fte: headcount,
            establishment_fte: None,
        }
    }

    /// The scenario's own baseline: 250 staff in two regions.
    fn own() -> Baseline {
        Baseline::from_rows(
            "england.csv",
            vec![
                staff("Analyst", Band::B5, "London", 100.0),
                staff("Analyst", Band::B5, "North", 100.0),
                staff("Engineer", Band::B6, "London", 50.0),
            ],
        )
    }

    /// A trust's: 55 staff in the North, with a role the national one lacks.
    fn trust() -> Baseline {
        Baseline::from_rows(
            "trust.csv",
            vec![
                staff("Analyst", Band::B5, "North", 40.0),
                staff("Engineer", Band::B6, "North", 10.0),
                staff("Lead", Band::B7, "North", 5.0),
            ],
        )
    }

    const BODY: &str = r#"
[attrition]
default = 0.1

[[attrition.rule]]
region = "London"
rate = 0.3

[[attrition.rule]]
role = "Lead"
rate = 0.2

[[supply]]
name = "grads"
intake = { mean = 60, sd = 6 }
entry = [{ role = "Analyst", band = "5", share = 1 }]

[[supply]]
name = "hire"
kind = "vacancy-fill"
fill_rate = 0.5
max_per_year = 25
role = "Analyst"

[[intervention]]
from = "2027-04"
target = "intake"
route = "grads"
set = 90

[[demand.change]]
role = "Analyst"
from = "2025-04"
to = "2026-03"
add_fte = 50
"#;

    fn scenario(body: &str) -> Scenario {
        let text = format!("name = \"s\"\nbaseline = \"england.csv\"\nstart = \"2025-03\"\n{body}");
        Scenario::from_toml(&text, Path::new("s.toml")).unwrap()
    }

    #[test]
    fn amounts_scale_by_the_share_of_the_cells_they_cover() {
        let m = Model::compile_on(&scenario(BODY), &trust(), &own(), None).unwrap();
        let mean = |p: usize| m.params[p].dist.mean();
        // Intake: entry cells Analyst band 5 hold 200 nationally and 40 here.
        assert!((mean(m.routes[0].intake) - 60.0 * 40.0 / 200.0).abs() < 1e-9);
        // Its sd scales too (a Gamma's scale times the factor).
        let sd = |d: &crate::sampling::Dist| match *d {
            crate::sampling::Dist::Gamma { shape, scale } => shape.sqrt() * scale,
            _ => panic!("expected a Gamma"),
        };
        assert!((sd(&m.params[m.routes[0].intake].dist) - 6.0 * 0.2).abs() < 1e-9);
        // The intervention setting the intake is an intake too.
        assert!((mean(m.interventions[0].value) - 90.0 * 0.2).abs() < 1e-9);
        // The cap: the Analyst cells it hires into hold 200 and 40 (monthly steps).
        assert!((m.fills[0].cap_per_step.unwrap() * 12.0 - 25.0 * 0.2).abs() < 1e-9);
        // The demand change: baseline demand of Analyst cells (no vacancy rate) 200 and 40 FTE.
        assert!((mean(m.changes[0].amount) - 50.0 * 0.2).abs() < 1e-9);
        let s = m.scaling.as_ref().unwrap();
        assert_eq!(s.own_baseline, "england.csv");
        let items: Vec<(&str, f64, f64, f64)> =
            s.amounts.iter().map(|a| (a.item.as_str(), a.own, a.here, (a.written * 1e9).round() / 1e9)).collect();
        assert_eq!(
            items,
            [
                ("supply `grads`: intake", 200.0, 40.0, 60.0),
                ("intervention on the intake of `grads`: set", 1.0, 0.2, 90.0),
                ("supply `hire`: max_per_year", 200.0, 40.0, 25.0),
                ("demand.change[0]: add_fte", 200.0, 40.0, 50.0),
            ]
        );
        // Rates are not amounts: as written.
        let lead = m.grid.cell(m.grid.role_index("Lead").unwrap(), Band::B7, 0);
        assert!((mean(m.attrition[lead]) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn a_rule_naming_a_region_the_baseline_lacks_applies_to_nothing_and_is_listed() {
        let m = Model::compile_on(&scenario(BODY), &trust(), &own(), None).unwrap();
        let s = m.scaling.as_ref().unwrap();
        assert_eq!(s.dropped.len(), 1, "{:?}", s.dropped);
        assert!(s.dropped[0].starts_with("attrition.rule[0] applies to nothing"), "{}", s.dropped[0]);
        assert!(s.dropped[0].contains("trust.csv has no region `London`"), "{}", s.dropped[0]);
        assert!(m.warnings.contains(&s.dropped[0]));
        // Every cell here has the default attrition, except the Lead's own rule.
        let analyst = m.grid.cell(m.grid.role_index("Analyst").unwrap(), Band::B5, 0);
        assert!((m.params[m.attrition[analyst]].dist.mean() - 0.1).abs() < 1e-12);
    }

    #[test]
    fn a_name_neither_baseline_knows_stays_an_error_with_its_suggestion() {
        let body = BODY.replace("role = \"Lead\"", "role = \"Analyts\"");
        let e = Model::compile_on(&scenario(&body), &trust(), &own(), None).unwrap_err().to_string();
        assert!(e.contains("Analyts") && e.contains("Analyst"), "{e}");
    }

    #[test]
    fn a_route_whose_entries_the_baseline_lacks_goes_with_its_interventions() {
        let body = BODY.replace(
            "entry = [{ role = \"Analyst\", band = \"5\", share = 1 }]",
            "entry = [{ role = \"Analyst\", band = \"5\", region = \"London\" }]",
        );
        let m = Model::compile_on(&scenario(&body), &trust(), &own(), None).unwrap();
        assert!(m.routes.is_empty() && m.interventions.is_empty());
        let dropped = &m.scaling.as_ref().unwrap().dropped;
        assert_eq!(dropped.len(), 3, "{dropped:?}");
        assert!(dropped[1].starts_with("supply[0]") && dropped[2].starts_with("intervention[0]"), "{dropped:?}");
    }

    #[test]
    fn entries_left_share_the_entrants_when_others_apply_to_nothing() {
        let body = BODY.replace(
            "entry = [{ role = \"Analyst\", band = \"5\", share = 1 }]",
            "entry = [{ role = \"Analyst\", band = \"5\", region = \"London\", share = 0.6 }, \
             { role = \"Analyst\", band = \"5\", region = \"North\", share = 0.4 }]",
        );
        let m = Model::compile_on(&scenario(&body), &trust(), &own(), None).unwrap();
        assert_eq!(m.routes[0].entry_probs, [1.0]);
        // Its entry cells: London and North band 5 nationally (200), North here (40).
        assert!((m.params[m.routes[0].intake].dist.mean() - 60.0 * 0.2).abs() < 1e-9);
    }
}
