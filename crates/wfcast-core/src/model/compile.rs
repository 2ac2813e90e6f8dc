//! [`Model::compile`]: a scenario checked against its baseline and turned into the model's
//! dense per-cell parameter indices, one named step at a time. The steps run in the order of
//! the scenario's sections, so that parameters are numbered, and errors found, as before.

use super::compiler::{Compiler, fte_per_head, selector_key};
use super::steps::Steps;
use super::{Change, FillRoute, Intervention, Model, Op, Param, Route, Scope, ZERO};
use crate::band::Band;
use crate::baseline::{Baseline, ByOrganisation};
use crate::error::{Error, Result};
use crate::grid::{Grid, Organisation, unknown_name};
use crate::names::{self, Spellings};
use crate::pay::PayTable;
use crate::sampling::{Dist, Family, ParamSpec, key_hash};
use crate::scenario::{Month, Origin, Scenario, ScenarioFile, Selector, Supply, SupplyKind, Target};
use std::collections::BTreeMap;

/// Staff in post, FTE and establishment (where the baseline gives it) per cell.
struct Stocks {
    /// Staff in post.
    h0: Vec<f64>,
    /// FTE.
    fte: Vec<f64>,
    /// Establishment FTE.
    est: Option<Vec<f64>>,
}

/// Transfers as the engine holds them: the cells with transfers out, where the links of each
/// start, and the links (destination cell, rate parameter).
type Transfers = (Vec<usize>, Vec<usize>, Vec<(usize, usize)>);

/// Supply as the engine holds it: pipeline routes, vacancy-fill routes, every route's name.
type Routes = (Vec<Route>, Vec<FillRoute>, Vec<String>);

/// Demand as the engine holds it: vacancy-rate and growth parameters per cell, and the
/// dated changes.
type Demand = (Vec<usize>, Vec<usize>, Vec<Change>);

impl Model {
    /// Compiles `scenario` against `baseline` (and the pay table, when the scenario has one),
    /// its amounts checked for plausibility (`plausible`).
    pub fn compile(scenario: &Scenario, baseline: &Baseline, pay: Option<&PayTable>) -> Result<Model> {
        super::plausible::checked(scenario, Model::compile_unchecked(scenario, baseline, pay)?)
    }

    /// [`Model::compile`] without the plausibility checks of its amounts, for a caller that
    /// changes them first (`rebase`).
    pub(super) fn compile_unchecked(scenario: &Scenario, baseline: &Baseline, pay: Option<&PayTable>) -> Result<Model> {
        let spec = &scenario.spec;
        let by_org = spec.by_organisation.unwrap_or(false);
        let (grid, org_rows) = grid(scenario, baseline)?;
        let n = grid.len();
        let mut c = Compiler {
            scenario,
            grid,
            params: vec![Param { key: "zero".into(), dist: Dist::Fixed(0.0) }],
            warnings: baseline.warnings.clone(),
        };
        let Stocks { h0, fte, est } = stocks(&c.grid, baseline, org_rows, by_org);
        let phi = fte_per_head(&c.grid, &h0, &fte);
        let step_months = scenario.step.months();
        let n_steps = ((scenario.end.0 - scenario.start.0) / step_months as i32) as usize;
        let steps = Steps { start: scenario.start, step_months, n_steps };
        let report_steps = steps.report_steps(scenario.report_month);
        let year_begins = steps.year_begins(scenario.report_month);

        let (attrition, progression) = c.rates(spec)?;
        let (transfer_from, transfer_start, transfer_links) = c.transfers(spec)?;
        let (routes, mut fills, route_names) = c.supply(spec, &h0, &steps)?;
        let (vacancy, growth, changes) = c.demand(spec, &steps)?;
        // Demand is zero, and stays zero, in a cell with no baseline staff, no establishment
        // and no dated change: vacancy-fill need not visit it.
        let mut may_demand: Vec<bool> = (0..n).map(|cell| h0[cell] > 0.0).collect();
        if let Some(e) = &est {
            e.iter().enumerate().filter(|(_, v)| **v > 0.0).for_each(|(cell, _)| may_demand[cell] = true);
        }
        changes.iter().flat_map(|ch| &ch.cells).for_each(|&cell| may_demand[cell] = true);
        for f in &mut fills {
            f.cells.retain(|&cell| may_demand[cell]);
        }
        let interventions = c.interventions(spec, &steps, &routes, &fills, &route_names)?;

        let grid = c.grid;
        let families = scenario.families.assign(&grid.roles);
        Ok(Model {
            cost_per_fte: pay.map(|p| cost_per_fte(p, spec)),
            cell_keys: cell_keys(&grid),
            grid,
            start: scenario.start,
            step_months,
            n_steps,
            report_steps,
            year_begins,
            h0,
            phi,
            establishment: est,
            params: c.params,
            attrition,
            progression,
            transfer_from,
            transfer_start,
            transfer_links,
            routes,
            fills,
            route_names,
            vacancy,
            growth,
            changes,
            interventions,
            families: families.names,
            family_of_role: families.of_role,
            warnings: c.warnings,
            area: crate::area::area_of(baseline),
            scaling: None,
        })
    }
}

/// The grid: the baseline's roles and regions, then the scenario's new ones, and by
/// organisation the baseline's organisations (returned with their rows).
fn grid<'b>(scenario: &Scenario, baseline: &'b Baseline) -> Result<(Grid, Option<&'b ByOrganisation>)> {
    let spec = &scenario.spec;
    let scen_path = scenario.path.as_path();
    let by_org = spec.by_organisation.unwrap_or(false);
    let org_rows = if by_org {
        let Some(orgs) = &baseline.organisations else {
            return Err(Error::input(
                &baseline.path,
                "",
                format!(
                    "has no organisation column (`org code`, `organisation code`, `org_code` or `organisation`), which `by_organisation = true` in {} needs: add one, or leave out the key by_organisation",
                    scen_path.display()
                ),
            ));
        };
        if let Some((at, message)) = &orgs.problem {
            return Err(Error::input(&baseline.path, at.as_str(), message.as_str()));
        }
        if spec.new_regions.as_ref().is_some_and(|r| !r.is_empty()) {
            return Err(Error::input(
                scen_path,
                "key new_regions",
                "a new region has no organisations: expected no `new_regions` with `by_organisation = true`",
            ));
        }
        Some(orgs)
    } else {
        None
    };
    // Names are one name when they fold alike (`names`): the baseline reader has merged their
    // spellings already, so this only keeps a baseline made in memory from having two.
    let (mut roles, mut regions) = (Spellings::new(), Spellings::new());
    for row in &baseline.rows {
        roles.add(&row.role);
        regions.add(&row.region);
    }
    let mut roles: Vec<String> = roles.names().map(str::to_string).collect();
    let mut regions: Vec<String> = regions.names().map(str::to_string).collect();
    for (key, list, new) in
        [("new_roles", &mut roles, &spec.new_roles), ("new_regions", &mut regions, &spec.new_regions)]
    {
        for name in new.iter().flatten() {
            if let Some(known) = list.iter().find(|n| names::same(n, name)) {
                let also = if known == name { String::new() } else { format!(" (as `{known}`)") };
                return Err(Error::input(
                    scen_path,
                    format!("key {key}"),
                    format!("`{name}` is already in the baseline{also}"),
                ));
            }
            list.push(name.clone());
        }
    }
    if roles.is_empty() {
        return Err(Error::input(&baseline.path, "", "the baseline has no staff in post"));
    }
    let mut grid = Grid::new(roles, regions);
    if let Some(orgs) = org_rows {
        grid.organisations = orgs
            .organisations
            .iter()
            .map(|o| Organisation {
                code: o.code.clone(),
                name: o.name.clone(),
                region: grid.region_index(&o.region).expect("region from baseline"),
            })
            .collect();
    }
    Ok((grid, org_rows))
}

/// Staff in post, FTE and establishment per cell of `grid`.
fn stocks(grid: &Grid, baseline: &Baseline, org_rows: Option<&ByOrganisation>, by_org: bool) -> Stocks {
    let n = grid.len();
    // Stocks and FTE per head.
    let mut h0 = vec![0.0; n];
    let mut fte = vec![0.0; n];
    let mut est = baseline.has_establishment.then(|| vec![0.0; n]);
    // By organisation, each row's `region` field holds its organisation's code.
    let cell_rows = org_rows.map_or(&baseline.rows, |o| &o.rows);
    let org_index: BTreeMap<&str, usize> =
        grid.organisations.iter().enumerate().map(|(i, o)| (o.code.as_str(), i)).collect();
    for row in cell_rows {
        let location = if by_org {
            org_index[row.region.as_str()]
        } else {
            grid.region_index(&row.region).expect("region from baseline")
        };
        let cell = grid.cell(grid.role_index(&row.role).expect("role from baseline"), row.band, location);
        h0[cell] += row.headcount;
        fte[cell] += row.fte;
        if let (Some(e), Some(v)) = (est.as_mut(), row.establishment_fte) {
            e[cell] += v;
        }
    }
    Stocks { h0, fte, est }
}

/// Pay plus on-costs per FTE per band.
fn cost_per_fte(p: &PayTable, spec: &ScenarioFile) -> [f64; Band::COUNT] {
    let on_cost = spec.cost.as_ref().and_then(|c| c.on_cost).unwrap_or(0.0);
    let mut out = [0.0; Band::COUNT];
    for b in Band::ALL {
        out[b.index()] = p.midpoint(b) * (1.0 + on_cost);
    }
    out
}

/// The stream key of each cell.
fn cell_keys(grid: &Grid) -> Vec<u64> {
    (0..grid.len())
        .map(|cell| {
            let (role, band, region) =
                (&grid.roles[grid.role_of(cell)], grid.band_of(cell).label(), &grid.regions[grid.region_of(cell)]);
            match grid.organisation_of(cell) {
                None => key_hash(&["cell", role, band, region]),
                Some(o) => key_hash(&["cell", role, band, region, &grid.organisations[o].code]),
            }
        })
        .collect()
}

impl Compiler<'_> {
    /// Attrition and progression parameters per cell (none from band 9).
    fn rates(&mut self, spec: &ScenarioFile) -> Result<(Vec<usize>, Vec<usize>)> {
        let attrition = self.rate_section(spec.attrition.as_ref(), "attrition")?;
        let mut progression = self.rate_section(spec.progression.as_ref(), "progression")?;
        for (cell, p) in progression.iter_mut().enumerate() {
            if self.grid.band_of(cell) == Band::B9 {
                *p = ZERO;
            }
        }
        Ok((attrition, progression))
    }

    /// Transfers: a later transfer with the same from and to replaces an earlier one; the
    /// rates out of a cell may not sum above 1.
    fn transfers(&mut self, spec: &ScenarioFile) -> Result<Transfers> {
        let mut links: BTreeMap<(usize, usize), (usize, f64, &Origin)> = BTreeMap::new();
        for t in &spec.transfer {
            let o = Some(&t.origin);
            let from = self.role(&t.from, o, "from")?;
            let to = self.role(&t.to, o, "to")?;
            if from == to {
                return Err(self.err(o, "to", format!("`{}` moves to itself", t.to)));
            }
            let sel = Selector { role: None, band: t.band.clone(), region: t.region.clone() };
            let key = format!("transfer|{}|{}|{}", t.from, t.to, selector_key(&sel));
            let p = self.param(key, &t.rate, Family::Probability, o, "rate")?;
            let mean = self.params[p].dist.mean();
            for cell in self.cells(&sel, o)? {
                if self.grid.role_of(cell) != from {
                    continue;
                }
                let dest = self.grid.cell(to, self.grid.band_of(cell), self.grid.location_of(cell));
                links.insert((cell, dest), (p, mean, &t.origin));
            }
        }
        let (mut transfer_from, mut transfer_start, mut transfer_links) = (Vec::new(), Vec::new(), Vec::new());
        for (&(from, to), &(p, _, _)) in &links {
            if transfer_from.last() != Some(&from) {
                transfer_from.push(from);
                transfer_start.push(transfer_links.len());
            }
            transfer_links.push((to, p));
        }
        transfer_start.push(transfer_links.len());
        for (i, &from) in transfer_from.iter().enumerate() {
            let total: f64 =
                (transfer_start[i]..transfer_start[i + 1]).map(|j| links[&(from, transfer_links[j].0)].1).sum();
            if total > 1.0 + 1e-12 {
                let g = &self.grid;
                let origin = links[&(from, transfer_links[transfer_start[i + 1] - 1].0)].2;
                return Err(self.err(
                    Some(origin),
                    "rate",
                    format!(
                        "transfer rates out of {} band {} in {} sum to {total:.4}: expected at most 1",
                        g.roles[g.role_of(from)],
                        g.band_of(from),
                        g.regions[g.region_of(from)]
                    ),
                ));
            }
        }
        Ok((transfer_from, transfer_start, transfer_links))
    }

    /// The supply routes, in scenario order; route names must differ, and each kind takes
    /// only its own keys.
    fn supply(&mut self, spec: &ScenarioFile, h0: &[f64], steps: &Steps) -> Result<Routes> {
        let mut routes = Vec::new();
        let mut fills = Vec::new();
        let mut route_names: Vec<String> = Vec::new();
        for s in &spec.supply {
            let o = Some(&s.origin);
            if route_names.contains(&s.name) {
                return Err(self.err(
                    o,
                    "name",
                    format!("a second route called `{}`: route names must differ", s.name),
                ));
            }
            let out = route_names.len();
            route_names.push(s.name.clone());
            let key = key_hash(&["supply", &s.name]);
            let pipeline_only = [
                ("intake", s.intake.is_some()),
                ("months", s.months.is_some()),
                ("duration_months", s.duration_months > 0),
                ("completion", s.completion.is_some()),
                ("in_training", s.in_training.is_some()),
                ("entry", !s.entry.is_empty()),
            ];
            let fill_only = [
                ("fill_rate", s.fill_rate.is_some()),
                ("max_per_year", s.max_per_year.is_some()),
                ("role", s.role.is_some()),
                ("band", s.band.is_some()),
                ("region", s.region.is_some()),
            ];
            match s.kind {
                SupplyKind::Pipeline => {
                    if let Some((k, _)) = fill_only.iter().find(|(_, set)| *set) {
                        return Err(self.err(o, k, "only a `kind = \"vacancy-fill\"` route takes this key"));
                    }
                    routes.push(self.pipeline(s, out, key, h0, steps)?);
                }
                SupplyKind::VacancyFill => {
                    if let Some((k, _)) = pipeline_only.iter().find(|(_, set)| *set) {
                        return Err(self.err(o, k, "a `vacancy-fill` route does not take this key"));
                    }
                    fills.push(self.vacancy_fill(s, out, key, steps)?);
                }
            }
        }
        Ok((routes, fills, route_names))
    }

    /// A pipeline route (output series `out`, stream `key`): its intake, completion, intake
    /// months and training delay, its entry cells, and who is in training at the baseline.
    fn pipeline(&mut self, s: &Supply, out: usize, key: u64, h0: &[f64], steps: &Steps) -> Result<Route> {
        let o = Some(&s.origin);
        let intake_spec = s.intake.as_ref().ok_or_else(|| self.err(o, "intake", "missing: starters per year"))?;
        let intake = self.param(format!("supply|{}|intake", s.name), intake_spec, Family::Amount, o, "intake")?;
        if s.duration_months == 0 {
            for (k, set) in [("completion", s.completion.is_some()), ("in_training", s.in_training.is_some())] {
                if set {
                    return Err(self.err(
                        o,
                        k,
                        format!("a route with duration_months = 0 sends its intake straight into post, so {k} does not apply: give duration_months, or leave out {k}"),
                    ));
                }
            }
        }
        let completion = match &s.completion {
            Some(spec) => {
                self.param(format!("supply|{}|completion", s.name), spec, Family::Probability, o, "completion")?
            }
            None => self.param(
                format!("supply|{}|completion", s.name),
                &ParamSpec::Fixed(1.0),
                Family::Probability,
                o,
                "completion",
            )?,
        };
        let month_w = self.intake_months(s)?;
        let intake_share =
            (0..=steps.n_steps).map(|k| if k == 0 { 0.0 } else { steps.intake_share(&month_w, k as i64) }).collect();
        let delay = (s.duration_months as usize).div_ceil(steps.step_months as usize);
        // The cohort of pre-start step k (1 - delay ..= 0) enters post at step k + delay, so it
        // waits in that step's slot of the ring: k mod delay.
        let mut baseline_share = vec![0.0; delay];
        for k in 1 - delay as i64..=0 {
            baseline_share[k.rem_euclid(delay as i64) as usize] = steps.intake_share(&month_w, k);
        }
        let in_training = self.in_training(s, &baseline_share, steps)?;
        if s.entry.is_empty() {
            return Err(self.err(
                o,
                "entry",
                "missing: the cells entrants join, e.g. [ { role = \"...\", band = \"6\", share = 1 } ]",
            ));
        }
        let (entry_cells, entry_probs) = self.entries(s, h0)?;
        Ok(Route {
            name: s.name.clone(),
            out,
            intake,
            intake_share,
            delay,
            completion,
            baseline_share,
            in_training,
            intake_at_start: self.intake_at_start(&s.name),
            entry_cells,
            entry_probs,
            key,
        })
    }

    /// The weight of each calendar month (January first) in a route's annual intake: its
    /// `months` evenly, or every month evenly when it lists none.
    fn intake_months(&self, s: &Supply) -> Result<[f64; 12]> {
        let o = Some(&s.origin);
        let mut month_w = [0.0; 12];
        match &s.months {
            Some(ms) if !ms.is_empty() => {
                for &m in ms {
                    if !(1..=12).contains(&m) {
                        return Err(self.err(o, "months", format!("{m} is not a calendar month: expected 1 to 12")));
                    }
                    month_w[m as usize - 1] += 1.0 / ms.len() as f64;
                }
            }
            Some(_) => return Err(self.err(o, "months", "empty: list intake months, or leave the key out")),
            None => month_w = [1.0 / 12.0; 12],
        }
        Ok(month_w)
    }

    /// A pipeline's `in_training`, checked: a number of trainees, 0 or more, which the steady
    /// state's cohorts (`baseline_share`) can hold.
    fn in_training(&self, s: &Supply, baseline_share: &[f64], steps: &Steps) -> Result<Option<f64>> {
        let o = Some(&s.origin);
        let Some(n) = s.in_training else { return Ok(None) };
        if !n.is_finite() || n < 0.0 {
            return Err(self.err(o, "in_training", format!("{n}: expected a number of trainees, 0 or more")));
        }
        if n > 0.0 && baseline_share.iter().sum::<f64>() <= 0.0 {
            let first = steps.end_at(-(baseline_share.len() as i64)).0 + 1;
            return Err(self.err(
                o,
                "in_training",
                format!(
                    "{n}: none of the months {} to {} before the start is an intake month of the route, so nobody taken in then is still in training: give in_training = 0, or check months and duration_months",
                    Month(first),
                    steps.start
                ),
            ));
        }
        Ok(Some(n))
    }

    /// The interventions on the intake of route `name` already in force at the baseline (from
    /// on or before `start`), with the share of each in force then: they set the intake of the
    /// steady state. Indices are into the interventions as compiled, one per
    /// `[[intervention]]` in scenario order.
    fn intake_at_start(&self, name: &str) -> Vec<(usize, f64)> {
        let start = self.scenario.start;
        let mut out = Vec::new();
        for (i, iv) in self.scenario.spec.intervention.iter().enumerate() {
            if iv.target != Target::Intake || iv.route.as_deref() != Some(name) {
                continue;
            }
            let Some(from) = Month::parse(&iv.from) else { continue };
            if from > start {
                continue;
            }
            let frac = if iv.ramp_months == 0 {
                1.0
            } else {
                ((start.0 - from.0 + 1) as f64 / iv.ramp_months as f64).min(1.0)
            };
            out.push((i, frac));
        }
        out
    }

    /// A vacancy-fill route (output series `out`, stream `key`): its fill rate, the cells it
    /// recruits into and its cap: per step in deterministic mode, and in stochastic runs a
    /// whole budget that grows over each reporting year.
    fn vacancy_fill(&mut self, s: &Supply, out: usize, key: u64, steps: &Steps) -> Result<FillRoute> {
        let o = Some(&s.origin);
        let fill_spec = s
            .fill_rate
            .as_ref()
            .ok_or_else(|| self.err(o, "fill_rate", "missing: annual probability that an open vacancy is filled"))?;
        let fill =
            self.param(format!("supply|{}|fill_rate", s.name), fill_spec, Family::Probability, o, "fill_rate")?;
        let cells = self.cells(&s.selector(), o)?;
        let (cap_per_step, cap_budget) = match s.max_per_year {
            Some(m) if m.is_finite() && m >= 0.0 => {
                let (per_step, budgets) = steps.cap(self.scenario.report_month, m);
                (Some(per_step), budgets)
            }
            Some(m) => {
                return Err(self.err(o, "max_per_year", format!("{m}: expected a number of hires, 0 or more")));
            }
            None => (None, Vec::new()),
        };
        Ok(FillRoute { name: s.name.clone(), out, fill, cells, cap_per_step, cap_budget, key })
    }

    /// Demand: the vacancy-rate and growth parameters per cell, and the dated changes.
    fn demand(&mut self, spec: &ScenarioFile, steps: &Steps) -> Result<Demand> {
        let n = self.grid.len();
        let scen_path = self.scenario.path.as_path();
        let demand = spec.demand.clone().unwrap_or_default();
        let vac_default = match &demand.vacancy_rate {
            Some(v) => {
                self.param("demand.vacancy_rate|default".into(), v, Family::Probability, None, "demand.vacancy_rate")?
            }
            None => ZERO,
        };
        let growth_default = match &demand.growth {
            Some(g) => self.growth("demand.growth|default".into(), g, None, "demand.growth")?,
            None => ZERO,
        };
        let mut vacancy = vec![vac_default; n];
        let mut growth = vec![growth_default; n];
        for r in &demand.rule {
            let o = Some(&r.origin);
            if r.growth.is_none() && r.vacancy_rate.is_none() {
                return Err(self.err(o, "growth", "a demand rule sets `growth`, `vacancy_rate` or both"));
            }
            let cells = self.cells(&r.selector(), o)?;
            let sk = selector_key(&r.selector());
            if let Some(g) = &r.growth {
                let p = self.growth(format!("demand.growth|{sk}"), g, o, "growth")?;
                cells.iter().for_each(|&cell| growth[cell] = p);
            }
            if let Some(v) = &r.vacancy_rate {
                let p = self.param(format!("demand.vacancy_rate|{sk}"), v, Family::Probability, o, "vacancy_rate")?;
                cells.iter().for_each(|&cell| vacancy[cell] = p);
            }
        }
        for &p in vacancy.iter() {
            if self.params[p].dist.mean() >= 1.0 {
                return Err(Error::input(
                    scen_path,
                    "key demand.vacancy_rate",
                    "a vacancy rate of 1 leaves no staff in post: expected below 1",
                ));
            }
        }
        let mut changes = Vec::new();
        for ch in &demand.change {
            let o = Some(&ch.origin);
            let from = self.month(&ch.from, o, "from")?;
            let to = match &ch.to {
                Some(t) => self.month(t, o, "to")?,
                None => from,
            };
            if to < from {
                return Err(self.err(o, "to", format!("{to} is before `from` {from}")));
            }
            let key = format!("demand.change|{}|{from}|{to}", selector_key(&ch.selector()));
            let amount = match ch.add_fte {
                ParamSpec::Fixed(x) if x.is_finite() => {
                    let key = self.own_key(key);
                    self.params.push(Param { key, dist: Dist::Fixed(x) });
                    self.params.len() - 1
                }
                _ => self.param(key, &ch.add_fte, Family::Amount, o, "add_fte")?,
            };
            let cells = self.cells(&ch.selector(), o)?;
            if cells.is_empty() {
                return Err(self.err(o, "role", "selects no cells"));
            }
            let done = |t: Month| ((t.0 - from.0 + 1) as f64 / (to.0 - from.0 + 1) as f64).clamp(0.0, 1.0);
            let base = done(self.scenario.start);
            let share = (0..=steps.n_steps).map(|k| done(steps.end_of(k)) - base).collect();
            changes.push(Change { cells, amount, share });
        }
        Ok((vacancy, growth, changes))
    }

    /// The interventions, in scenario order, with the share of their change in each step.
    fn interventions(
        &mut self,
        spec: &ScenarioFile,
        steps: &Steps,
        routes: &[Route],
        fills: &[FillRoute],
        route_names: &[String],
    ) -> Result<Vec<Intervention>> {
        let mut interventions = Vec::new();
        for (i, iv) in spec.intervention.iter().enumerate() {
            let o = Some(&iv.origin);
            let from = self.month(&iv.from, o, "from")?;
            let ops: Vec<(Op, &ParamSpec)> = [(Op::Multiply, &iv.multiply), (Op::Add, &iv.add), (Op::Set, &iv.set)]
                .into_iter()
                .filter_map(|(op, v)| v.as_ref().map(|v| (op, v)))
                .collect();
            let (op, value_spec) = match ops.as_slice() {
                [one] => *one,
                _ => return Err(self.err(o, "multiply", "give exactly one of `multiply`, `add` or `set`")),
            };
            let cell_target = matches!(iv.target, Target::Attrition | Target::Progression | Target::Growth);
            let sel = iv.selector();
            let scope = if cell_target {
                if iv.route.is_some() {
                    return Err(self.err(
                        o,
                        "route",
                        "only intake, completion and fill_rate interventions name a route",
                    ));
                }
                let cells = self.cells(&sel, o)?;
                match iv.target {
                    Target::Attrition => Scope::Attrition(cells),
                    Target::Progression => Scope::Progression(cells),
                    _ => Scope::Growth(cells),
                }
            } else {
                if sel != Selector::default() {
                    return Err(self.err(
                        o,
                        "role",
                        "an intervention on a supply route takes `route`, not role, band or region",
                    ));
                }
                let name =
                    iv.route.as_deref().ok_or_else(|| self.err(o, "route", "missing: the supply route it changes"))?;
                let find_pipe = routes.iter().position(|r| r.name == name);
                let find_fill = fills.iter().position(|r| r.name == name);
                match (iv.target, find_pipe, find_fill) {
                        (Target::Intake, Some(r), _) => Scope::Intake(r),
                        (Target::Completion, Some(r), _) => Scope::Completion(r),
                        (Target::FillRate, _, Some(r)) => Scope::FillRate(r),
                        (_, None, None) => return Err(self.err(o, "route", unknown_name("supply route", name, route_names))),
                        _ => return Err(self.err(o, "target", format!("route `{name}` is not of the kind this target needs (intake and completion: pipeline; fill_rate: vacancy-fill)"))),
                    }
            };
            let family = match (op, iv.target) {
                (Op::Multiply, _) => Family::Amount,
                (Op::Add, _) | (Op::Set, Target::Growth) => Family::Growth,
                (Op::Set, Target::Intake) => Family::Amount,
                (Op::Set, _) => Family::Probability,
            };
            let at = match op {
                Op::Multiply => "multiply",
                Op::Add => "add",
                Op::Set => "set",
            };
            let name = iv.name.clone().unwrap_or_else(|| format!("{i}"));
            let key = format!("intervention|{name}|{at}");
            let value = if matches!((op, iv.target), (Op::Set, Target::Growth)) {
                self.growth(key, value_spec, o, at)?
            } else {
                self.param(key, value_spec, family, o, at)?
            };
            let ramp = iv.ramp_months as f64;
            let frac = (0..=steps.n_steps)
                .map(|k| {
                    if k == 0 {
                        return 0.0;
                    }
                    let first = steps.end_of(k - 1).0 + 1;
                    if first < from.0 {
                        0.0
                    } else if ramp == 0.0 {
                        1.0
                    } else {
                        ((steps.end_of(k).0 - from.0 + 1) as f64 / ramp).min(1.0)
                    }
                })
                .collect();
            interventions.push(Intervention { scope, op, value, frac });
        }
        Ok(interventions)
    }
}
