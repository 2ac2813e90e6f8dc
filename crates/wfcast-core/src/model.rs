//! A scenario compiled against its baseline: dense per-cell parameter indices, checked names.
//!
//! Compiling is where every role, band and region named in a scenario is checked against
//! the grid, every parameter is resolved to a distribution, and dates become step numbers.
//! The engine then works on plain indices and never sees a name.
use crate::band::{BAND_HELP, Band};
use crate::baseline::Baseline;
use crate::error::{Error, Result};
use crate::grid::{Grid, Organisation, unknown_name};
use crate::pay::PayTable;
use crate::sampling::{Dist, Family, ParamSpec, key_hash};
use crate::scenario::{Month, Names, Origin, Scenario, Selector, SupplyKind, Target};
use std::collections::BTreeMap;

/// One parameter of the scenario: drawn once per run and shared by every cell it covers.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Stable key: the stream its draw comes from, shared by scenarios that share it.
    pub key: String,
    /// Its distribution.
    pub dist: Dist,
}

/// How an intervention changes its parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `value * x`.
    Multiply,
    /// `value + x`.
    Add,
    /// `x`.
    Set,
}

impl Op {
    /// The parameter `base` changed by `x`, phased in by `frac` (0: unchanged, 1: in full).
    pub fn apply(self, base: f64, x: f64, frac: f64) -> f64 {
        match self {
            Op::Multiply => base * (1.0 + (x - 1.0) * frac),
            Op::Add => base + x * frac,
            Op::Set => base + (x - base) * frac,
        }
    }
}

/// A pipeline supply route.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Its name.
    pub name: String,
    /// Index of its output series (`joiners:<name>`).
    pub out: usize,
    /// Annual intake parameter.
    pub intake: usize,
    /// Share of the annual intake taken in at step k (index 0 unused).
    pub intake_share: Vec<f64>,
    /// Steps from intake to entering post (0: straight into post).
    pub delay: usize,
    /// Completion probability parameter (pipelines only).
    pub completion: usize,
    /// Entry cells.
    pub entry_cells: Vec<usize>,
    /// Entry probabilities (sum to 1).
    pub entry_probs: Vec<f64>,
    /// Stream key.
    pub key: u64,
}

/// A vacancy-fill recruitment route.
#[derive(Clone, Debug, PartialEq)]
pub struct FillRoute {
    /// Its name.
    pub name: String,
    /// Index of its output series (`joiners:<name>`).
    pub out: usize,
    /// Annual fill probability parameter.
    pub fill: usize,
    /// The cells it recruits into.
    pub cells: Vec<usize>,
    /// Most hires in one step, if capped.
    pub cap_per_step: Option<f64>,
    /// Stream key.
    pub key: u64,
}

/// A dated addition to demand.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Cells that share it in proportion to their baseline demand.
    pub cells: Vec<usize>,
    /// FTE added in full.
    pub amount: usize,
    /// Share of the amount added by the end of step k, counting only what falls after the
    /// baseline (index 0 is 0).
    pub share: Vec<f64>,
}

/// What an intervention changes, resolved to indices.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// Attrition of these cells.
    Attrition(Vec<usize>),
    /// Progression of these cells.
    Progression(Vec<usize>),
    /// Demand growth of these cells.
    Growth(Vec<usize>),
    /// Intake of pipeline route i.
    Intake(usize),
    /// Completion of pipeline route i.
    Completion(usize),
    /// Fill rate of vacancy-fill route i.
    FillRate(usize),
}

/// A dated change of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Intervention {
    /// What it changes.
    pub scope: Scope,
    /// How.
    pub op: Op,
    /// Parameter holding the amount.
    pub value: usize,
    /// How much of it is in force during step k (index 0 is 0).
    pub frac: Vec<f64>,
}

/// A scenario compiled against its baseline: what the engine runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The cells.
    pub grid: Grid,
    /// Baseline month.
    pub start: Month,
    /// Months per step.
    pub step_months: u32,
    /// Number of steps.
    pub n_steps: usize,
    /// Steps at whose end results are reported, ascending; 0 is the baseline.
    pub report_steps: Vec<usize>,
    /// Staff in post at the baseline, per cell.
    pub h0: Vec<f64>,
    /// FTE per head, per cell.
    pub phi: Vec<f64>,
    /// Baseline establishment in FTE, where the baseline gives it.
    pub establishment: Option<Vec<f64>>,
    /// Every parameter; index 0 is the fixed zero.
    pub params: Vec<Param>,
    /// Attrition parameter per cell.
    pub attrition: Vec<usize>,
    /// Progression parameter per cell (the zero parameter at band 9).
    pub progression: Vec<usize>,
    /// Cells with transfers out, ascending.
    pub transfer_from: Vec<usize>,
    /// For `transfer_from[i]`, its links are `transfer_links[transfer_start[i]..transfer_start[i + 1]]`.
    pub transfer_start: Vec<usize>,
    /// (destination cell, rate parameter) of each transfer link.
    pub transfer_links: Vec<(usize, usize)>,
    /// Pipeline routes.
    pub routes: Vec<Route>,
    /// Vacancy-fill routes.
    pub fills: Vec<FillRoute>,
    /// Names of all supply routes, in scenario order (the `joiners:<name>` series).
    pub route_names: Vec<String>,
    /// Vacancy-rate parameter per cell.
    pub vacancy: Vec<usize>,
    /// Demand-growth parameter per cell.
    pub growth: Vec<usize>,
    /// Dated demand changes.
    pub changes: Vec<Change>,
    /// Interventions, in scenario order.
    pub interventions: Vec<Intervention>,
    /// Pay plus on-costs per FTE per band, where pay is given.
    pub cost_per_fte: Option<[f64; Band::COUNT]>,
    /// Stream key of each cell.
    pub cell_keys: Vec<u64>,
    /// Role families (the scenario's mapping, else the shipped DDaT one), each with at least one
    /// role: the DDaT framework's in its order, then others in the order of their first role,
    /// then `Unmapped` when some role is in none.
    pub families: Vec<String>,
    /// The family (index into `families`) of each role.
    pub family_of_role: Vec<usize>,
}

/// The zero parameter's index.
pub const ZERO: usize = 0;

struct Compiler<'a> {
    scenario: &'a Scenario,
    grid: Grid,
    params: Vec<Param>,
}

fn names_text(n: &Option<Names>) -> String {
    n.as_ref().map(|n| n.0.join(",")).unwrap_or_default()
}

fn selector_key(s: &Selector) -> String {
    format!("role={};band={};region={}", names_text(&s.role), names_text(&s.band), names_text(&s.region))
}

impl<'a> Compiler<'a> {
    fn err(&self, origin: Option<&Origin>, key: &str, msg: impl Into<String>) -> Error {
        match origin {
            Some(o) if !o.key.is_empty() => Error::input(&o.file, format!("key {}.{key}", o.key), msg),
            Some(o) => Error::input(&o.file, format!("key {key}"), msg),
            None => Error::input(&self.scenario.path, format!("key {key}"), msg),
        }
    }

    fn param(
        &mut self,
        key: String,
        spec: &ParamSpec,
        family: Family,
        origin: Option<&Origin>,
        at: &str,
    ) -> Result<usize> {
        let dist = Dist::resolve(spec, family).map_err(|m| self.err(origin, at, m))?;
        self.params.push(Param { key, dist });
        Ok(self.params.len() - 1)
    }

    fn role(&self, name: &str, origin: Option<&Origin>, at: &str) -> Result<usize> {
        self.grid.role_index(name).ok_or_else(|| self.err(origin, at, unknown_name("role", name, &self.grid.roles)))
    }

    fn region(&self, name: &str, origin: Option<&Origin>, at: &str) -> Result<usize> {
        self.grid
            .region_index(name)
            .ok_or_else(|| self.err(origin, at, unknown_name("region", name, &self.grid.regions)))
    }

    fn band(&self, name: &str, origin: Option<&Origin>, at: &str) -> Result<Band> {
        Band::parse(name).ok_or_else(|| self.err(origin, at, format!("`{name}` is not {BAND_HELP}")))
    }

    /// Role, band and region masks of a selector.
    fn masks(&self, sel: &Selector, origin: Option<&Origin>) -> Result<(Vec<bool>, [bool; Band::COUNT], Vec<bool>)> {
        let mut roles = vec![sel.role.is_none(); self.grid.roles.len()];
        for n in sel.role.iter().flat_map(|n| &n.0) {
            roles[self.role(n, origin, "role")?] = true;
        }
        let mut bands = [sel.band.is_none(); Band::COUNT];
        for n in sel.band.iter().flat_map(|n| &n.0) {
            bands[self.band(n, origin, "band")?.index()] = true;
        }
        let mut regions = vec![sel.region.is_none(); self.grid.regions.len()];
        for n in sel.region.iter().flat_map(|n| &n.0) {
            regions[self.region(n, origin, "region")?] = true;
        }
        Ok((roles, bands, regions))
    }

    fn cells(&self, sel: &Selector, origin: Option<&Origin>) -> Result<Vec<usize>> {
        let (roles, bands, regions) = self.masks(sel, origin)?;
        Ok((0..self.grid.len())
            .filter(|&c| {
                roles[self.grid.role_of(c)] && bands[self.grid.band_of(c).index()] && regions[self.grid.region_of(c)]
            })
            .collect())
    }

    fn month(&self, text: &str, origin: Option<&Origin>, at: &str) -> Result<Month> {
        Month::parse(text).ok_or_else(|| self.err(origin, at, format!("`{text}` is not a month: expected `YYYY-MM`")))
    }
}

impl Model {
    /// Compiles `scenario` against `baseline` (and the pay table, when the scenario has one).
    pub fn compile(scenario: &Scenario, baseline: &Baseline, pay: Option<&PayTable>) -> Result<Model> {
        let spec = &scenario.spec;
        let scen_path = scenario.path.as_path();
        // The grid: baseline roles and regions, then the declared new ones.
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
        let mut roles: Vec<String> = Vec::new();
        let mut regions: Vec<String> = Vec::new();
        for row in &baseline.rows {
            if !roles.contains(&row.role) {
                roles.push(row.role.clone());
            }
            if !regions.contains(&row.region) {
                regions.push(row.region.clone());
            }
        }
        for (key, list, new) in
            [("new_roles", &mut roles, &spec.new_roles), ("new_regions", &mut regions, &spec.new_regions)]
        {
            for name in new.iter().flatten() {
                if list.contains(name) {
                    return Err(Error::input(
                        scen_path,
                        format!("key {key}"),
                        format!("`{name}` is already in the baseline"),
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
        let n = grid.len();
        let mut c = Compiler { scenario, grid, params: vec![Param { key: "zero".into(), dist: Dist::Fixed(0.0) }] };

        // Stocks and FTE per head.
        let mut h0 = vec![0.0; n];
        let mut fte = vec![0.0; n];
        let mut est = baseline.has_establishment.then(|| vec![0.0; n]);
        // By organisation, each row's `region` field holds its organisation's code.
        let cell_rows = org_rows.map_or(&baseline.rows, |o| &o.rows);
        let org_index: BTreeMap<&str, usize> =
            c.grid.organisations.iter().enumerate().map(|(i, o)| (o.code.as_str(), i)).collect();
        for row in cell_rows {
            let location = if by_org {
                org_index[row.region.as_str()]
            } else {
                c.grid.region_index(&row.region).expect("region from baseline")
            };
            let cell = c.grid.cell(c.grid.role_index(&row.role).expect("role from baseline"), row.band, location);
            h0[cell] += row.headcount;
            fte[cell] += row.fte;
            if let (Some(e), Some(v)) = (est.as_mut(), row.establishment_fte) {
                e[cell] += v;
            }
        }
        let phi = fte_per_head(&c.grid, &h0, &fte);

        // Stepping and reporting.
        let step_months = scenario.step.months();
        let n_steps = ((scenario.end.0 - scenario.start.0) / step_months as i32) as usize;
        let end_of = |k: usize| Month(scenario.start.0 + (k as i32) * step_months as i32);
        let mut report_steps = vec![0];
        for k in 1..=n_steps {
            if end_of(k).month() == scenario.report_month || k == n_steps {
                report_steps.push(k);
            }
        }

        // Attrition and progression.
        let attrition = c.rate_section(spec.attrition.as_ref(), "attrition")?;
        let mut progression = c.rate_section(spec.progression.as_ref(), "progression")?;
        for (cell, p) in progression.iter_mut().enumerate() {
            if c.grid.band_of(cell) == Band::B9 {
                *p = ZERO;
            }
        }

        // Transfers: a later transfer with the same from and to replaces an earlier one.
        let mut links: BTreeMap<(usize, usize), (usize, f64, &Origin)> = BTreeMap::new();
        for t in &spec.transfer {
            let o = Some(&t.origin);
            let from = c.role(&t.from, o, "from")?;
            let to = c.role(&t.to, o, "to")?;
            if from == to {
                return Err(c.err(o, "to", format!("`{}` moves to itself", t.to)));
            }
            let sel = Selector { role: None, band: t.band.clone(), region: t.region.clone() };
            let key = format!("transfer|{}|{}|{}", t.from, t.to, selector_key(&sel));
            let p = c.param(key, &t.rate, Family::Probability, o, "rate")?;
            let mean = c.params[p].dist.mean();
            for cell in c.cells(&sel, o)? {
                if c.grid.role_of(cell) != from {
                    continue;
                }
                let dest = c.grid.cell(to, c.grid.band_of(cell), c.grid.location_of(cell));
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
                let g = &c.grid;
                let origin = links[&(from, transfer_links[transfer_start[i + 1] - 1].0)].2;
                return Err(c.err(
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

        // Supply routes.
        let mut routes = Vec::new();
        let mut fills = Vec::new();
        let mut route_names: Vec<String> = Vec::new();
        for s in &spec.supply {
            let o = Some(&s.origin);
            if route_names.contains(&s.name) {
                return Err(c.err(o, "name", format!("a second route called `{}`: route names must differ", s.name)));
            }
            let out = route_names.len();
            route_names.push(s.name.clone());
            let key = key_hash(&["supply", &s.name]);
            let pipeline_only = [
                ("intake", s.intake.is_some()),
                ("months", s.months.is_some()),
                ("duration_months", s.duration_months > 0),
                ("completion", s.completion.is_some()),
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
                        return Err(c.err(o, k, "only a `kind = \"vacancy-fill\"` route takes this key"));
                    }
                    let intake_spec =
                        s.intake.as_ref().ok_or_else(|| c.err(o, "intake", "missing: starters per year"))?;
                    let intake =
                        c.param(format!("supply|{}|intake", s.name), intake_spec, Family::Amount, o, "intake")?;
                    let completion = match &s.completion {
                        Some(spec) => c.param(
                            format!("supply|{}|completion", s.name),
                            spec,
                            Family::Probability,
                            o,
                            "completion",
                        )?,
                        None => c.param(
                            format!("supply|{}|completion", s.name),
                            &ParamSpec::Fixed(1.0),
                            Family::Probability,
                            o,
                            "completion",
                        )?,
                    };
                    let mut month_w = [0.0; 12];
                    match &s.months {
                        Some(ms) if !ms.is_empty() => {
                            for &m in ms {
                                if !(1..=12).contains(&m) {
                                    return Err(c.err(
                                        o,
                                        "months",
                                        format!("{m} is not a calendar month: expected 1 to 12"),
                                    ));
                                }
                                month_w[m as usize - 1] += 1.0 / ms.len() as f64;
                            }
                        }
                        Some(_) => return Err(c.err(o, "months", "empty: list intake months, or leave the key out")),
                        None => month_w = [1.0 / 12.0; 12],
                    }
                    let mut intake_share = vec![0.0; n_steps + 1];
                    for (k, share) in intake_share.iter_mut().enumerate().skip(1) {
                        let first = end_of(k - 1).0 + 1;
                        *share = (first..=end_of(k).0).map(|m| month_w[Month(m).month() as usize - 1]).sum();
                    }
                    let delay = (s.duration_months as usize).div_ceil(step_months as usize);
                    if s.entry.is_empty() {
                        return Err(c.err(
                            o,
                            "entry",
                            "missing: the cells entrants join, e.g. [ { role = \"...\", band = \"6\", share = 1 } ]",
                        ));
                    }
                    let (entry_cells, entry_probs) = c.entries(s, &h0)?;
                    routes.push(Route {
                        name: s.name.clone(),
                        out,
                        intake,
                        intake_share,
                        delay,
                        completion,
                        entry_cells,
                        entry_probs,
                        key,
                    });
                }
                SupplyKind::VacancyFill => {
                    if let Some((k, _)) = pipeline_only.iter().find(|(_, set)| *set) {
                        return Err(c.err(o, k, "a `vacancy-fill` route does not take this key"));
                    }
                    let fill_spec = s.fill_rate.as_ref().ok_or_else(|| {
                        c.err(o, "fill_rate", "missing: annual probability that an open vacancy is filled")
                    })?;
                    let fill = c.param(
                        format!("supply|{}|fill_rate", s.name),
                        fill_spec,
                        Family::Probability,
                        o,
                        "fill_rate",
                    )?;
                    let cells = c.cells(&s.selector(), o)?;
                    let cap_per_step = match s.max_per_year {
                        Some(m) if m.is_finite() && m >= 0.0 => Some(m * step_months as f64 / 12.0),
                        Some(m) => {
                            return Err(c.err(
                                o,
                                "max_per_year",
                                format!("{m}: expected a number of hires, 0 or more"),
                            ));
                        }
                        None => None,
                    };
                    fills.push(FillRoute { name: s.name.clone(), out, fill, cells, cap_per_step, key });
                }
            }
        }

        // Demand.
        let demand = spec.demand.clone().unwrap_or_default();
        let vac_default = match &demand.vacancy_rate {
            Some(v) => {
                c.param("demand.vacancy_rate|default".into(), v, Family::Probability, None, "demand.vacancy_rate")?
            }
            None => ZERO,
        };
        let growth_default = match &demand.growth {
            Some(g) => c.param("demand.growth|default".into(), g, Family::Growth, None, "demand.growth")?,
            None => ZERO,
        };
        let mut vacancy = vec![vac_default; n];
        let mut growth = vec![growth_default; n];
        for r in &demand.rule {
            let o = Some(&r.origin);
            if r.growth.is_none() && r.vacancy_rate.is_none() {
                return Err(c.err(o, "growth", "a demand rule sets `growth`, `vacancy_rate` or both"));
            }
            let cells = c.cells(&r.selector(), o)?;
            let sk = selector_key(&r.selector());
            if let Some(g) = &r.growth {
                let p = c.param(format!("demand.growth|{sk}"), g, Family::Growth, o, "growth")?;
                cells.iter().for_each(|&cell| growth[cell] = p);
            }
            if let Some(v) = &r.vacancy_rate {
                let p = c.param(format!("demand.vacancy_rate|{sk}"), v, Family::Probability, o, "vacancy_rate")?;
                cells.iter().for_each(|&cell| vacancy[cell] = p);
            }
        }
        for &p in vacancy.iter() {
            if c.params[p].dist.mean() >= 1.0 {
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
            let from = c.month(&ch.from, o, "from")?;
            let to = match &ch.to {
                Some(t) => c.month(t, o, "to")?,
                None => from,
            };
            if to < from {
                return Err(c.err(o, "to", format!("{to} is before `from` {from}")));
            }
            let key = format!("demand.change|{}|{from}|{to}", selector_key(&ch.selector()));
            let amount = match ch.add_fte {
                ParamSpec::Fixed(x) if x.is_finite() => {
                    c.params.push(Param { key, dist: Dist::Fixed(x) });
                    c.params.len() - 1
                }
                _ => c.param(key, &ch.add_fte, Family::Amount, o, "add_fte")?,
            };
            let cells = c.cells(&ch.selector(), o)?;
            if cells.is_empty() {
                return Err(c.err(o, "role", "selects no cells"));
            }
            let done = |t: Month| ((t.0 - from.0 + 1) as f64 / (to.0 - from.0 + 1) as f64).clamp(0.0, 1.0);
            let base = done(scenario.start);
            let share = (0..=n_steps).map(|k| done(end_of(k)) - base).collect();
            changes.push(Change { cells, amount, share });
        }

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

        // Interventions.
        let mut interventions = Vec::new();
        for (i, iv) in spec.intervention.iter().enumerate() {
            let o = Some(&iv.origin);
            let from = c.month(&iv.from, o, "from")?;
            let ops: Vec<(Op, &ParamSpec)> = [(Op::Multiply, &iv.multiply), (Op::Add, &iv.add), (Op::Set, &iv.set)]
                .into_iter()
                .filter_map(|(op, v)| v.as_ref().map(|v| (op, v)))
                .collect();
            let (op, value_spec) = match ops.as_slice() {
                [one] => *one,
                _ => return Err(c.err(o, "multiply", "give exactly one of `multiply`, `add` or `set`")),
            };
            let cell_target = matches!(iv.target, Target::Attrition | Target::Progression | Target::Growth);
            let sel = iv.selector();
            let scope = if cell_target {
                if iv.route.is_some() {
                    return Err(c.err(o, "route", "only intake, completion and fill_rate interventions name a route"));
                }
                let cells = c.cells(&sel, o)?;
                match iv.target {
                    Target::Attrition => Scope::Attrition(cells),
                    Target::Progression => Scope::Progression(cells),
                    _ => Scope::Growth(cells),
                }
            } else {
                if sel != Selector::default() {
                    return Err(c.err(
                        o,
                        "role",
                        "an intervention on a supply route takes `route`, not role, band or region",
                    ));
                }
                let name =
                    iv.route.as_deref().ok_or_else(|| c.err(o, "route", "missing: the supply route it changes"))?;
                let find_pipe = routes.iter().position(|r| r.name == name);
                let find_fill = fills.iter().position(|r| r.name == name);
                match (iv.target, find_pipe, find_fill) {
                    (Target::Intake, Some(r), _) => Scope::Intake(r),
                    (Target::Completion, Some(r), _) => Scope::Completion(r),
                    (Target::FillRate, _, Some(r)) => Scope::FillRate(r),
                    (_, None, None) => return Err(c.err(o, "route", unknown_name("supply route", name, &route_names))),
                    _ => return Err(c.err(o, "target", format!("route `{name}` is not of the kind this target needs (intake and completion: pipeline; fill_rate: vacancy-fill)"))),
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
            let value = c.param(format!("intervention|{name}|{at}"), value_spec, family, o, at)?;
            let ramp = iv.ramp_months as f64;
            let frac = (0..=n_steps)
                .map(|k| {
                    if k == 0 {
                        return 0.0;
                    }
                    let first = end_of(k - 1).0 + 1;
                    if first < from.0 {
                        0.0
                    } else if ramp == 0.0 {
                        1.0
                    } else {
                        ((end_of(k).0 - from.0 + 1) as f64 / ramp).min(1.0)
                    }
                })
                .collect();
            interventions.push(Intervention { scope, op, value, frac });
        }

        let cost_per_fte = pay.map(|p| {
            let on_cost = spec.cost.as_ref().and_then(|c| c.on_cost).unwrap_or(0.0);
            let mut out = [0.0; Band::COUNT];
            for b in Band::ALL {
                out[b.index()] = p.midpoint(b) * (1.0 + on_cost);
            }
            out
        });
        let grid = c.grid;
        let families = scenario.families.assign(&grid.roles);
        let cell_keys = (0..n)
            .map(|cell| {
                let (role, band, region) =
                    (&grid.roles[grid.role_of(cell)], grid.band_of(cell).label(), &grid.regions[grid.region_of(cell)]);
                match grid.organisation_of(cell) {
                    None => key_hash(&["cell", role, band, region]),
                    Some(o) => key_hash(&["cell", role, band, region, &grid.organisations[o].code]),
                }
            })
            .collect();
        Ok(Model {
            grid,
            start: scenario.start,
            step_months,
            n_steps,
            report_steps,
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
            cost_per_fte,
            cell_keys,
            families: families.names,
            family_of_role: families.of_role,
        })
    }

    /// The month at the end of step `k`.
    pub fn month_at(&self, k: usize) -> Month {
        Month(self.start.0 + (k as i32) * self.step_months as i32)
    }

    /// The reporting dates.
    pub fn report_dates(&self) -> Vec<Month> {
        self.report_steps.iter().map(|&k| self.month_at(k)).collect()
    }
}

impl Compiler<'_> {
    fn rate_section(&mut self, section: Option<&crate::scenario::RateSection>, name: &str) -> Result<Vec<usize>> {
        let n = self.grid.len();
        let Some(section) = section else { return Ok(vec![ZERO; n]) };
        let default = match &section.default {
            Some(d) => {
                self.param(format!("{name}|default"), d, Family::Probability, None, &format!("{name}.default"))?
            }
            None => ZERO,
        };
        let mut out = vec![default; n];
        for r in &section.rule {
            let o = Some(&r.origin);
            let p =
                self.param(format!("{name}|{}", selector_key(&r.selector())), &r.rate, Family::Probability, o, "rate")?;
            let cells = self.cells(&r.selector(), o)?;
            cells.iter().for_each(|&cell| out[cell] = p);
        }
        Ok(out)
    }

    fn entries(&self, s: &crate::scenario::Supply, h0: &[f64]) -> Result<(Vec<usize>, Vec<f64>)> {
        let o = Some(&s.origin);
        let g = &self.grid;
        let mut weights: BTreeMap<usize, f64> = BTreeMap::new();
        for (i, e) in s.entry.iter().enumerate() {
            let at = |k: &str| format!("entry[{i}].{k}");
            let role = self.role(&e.role, o, &at("role"))?;
            let band = match e.band.0.as_slice() {
                [one] => self.band(one, o, &at("band"))?,
                _ => return Err(self.err(o, &at("band"), "expected one band per entry")),
            };
            if !(e.share.is_finite() && e.share > 0.0) {
                return Err(self.err(o, &at("share"), format!("{}: expected a share above 0", e.share)));
            }
            let region = match &e.region {
                Some(r) => Some(self.region(r, o, &at("region"))?),
                None => None,
            };
            match region {
                Some(region) if !g.by_organisation() => {
                    *weights.entry(g.cell(role, band, region)).or_default() += e.share;
                }
                _ => {
                    // Follow the baseline's mix over the locations (regions, or the
                    // organisations of the entry's region, if any) of the role and band,
                    // then of the role, then of all staff; evenly when all are empty.
                    let nl = g.locations();
                    let here = |x: usize| region.is_none_or(|r| g.organisations[x].region == r);
                    let mix = |f: &dyn Fn(usize) -> bool| -> Vec<f64> {
                        (0..nl)
                            .map(|x| {
                                if !here(x) {
                                    return 0.0;
                                }
                                (0..g.len()).filter(|&c| g.location_of(c) == x && f(c)).map(|c| h0[c]).sum()
                            })
                            .collect()
                    };
                    let mut shares = mix(&|c| g.role_of(c) == role && g.band_of(c) == band);
                    if shares.iter().sum::<f64>() == 0.0 {
                        shares = mix(&|c| g.role_of(c) == role);
                    }
                    if shares.iter().sum::<f64>() == 0.0 {
                        shares = mix(&|_| true);
                    }
                    if shares.iter().sum::<f64>() == 0.0 {
                        shares = (0..nl).map(|x| if here(x) { 1.0 } else { 0.0 }).collect();
                    }
                    let total: f64 = shares.iter().sum();
                    for (x, w) in shares.iter().enumerate() {
                        if *w > 0.0 {
                            *weights.entry(g.cell(role, band, x)).or_default() += e.share * w / total;
                        }
                    }
                }
            }
        }
        let total: f64 = weights.values().sum();
        Ok((weights.keys().copied().collect(), weights.values().map(|w| w / total).collect()))
    }
}

/// FTE per head: the baseline's where a cell has staff, else the role's average over its
/// other cells, else 1.
fn fte_per_head(grid: &Grid, h0: &[f64], fte: &[f64]) -> Vec<f64> {
    let nroles = grid.roles.len();
    let mut role_h = vec![0.0; nroles];
    let mut role_f = vec![0.0; nroles];
    for c in 0..grid.len() {
        role_h[grid.role_of(c)] += h0[c];
        role_f[grid.role_of(c)] += fte[c];
    }
    (0..grid.len())
        .map(|c| {
            let r = grid.role_of(c);
            if h0[c] > 0.0 {
                fte[c] / h0[c]
            } else if role_h[r] > 0.0 {
                role_f[r] / role_h[r]
            } else {
                1.0
            }
        })
        .collect()
}
