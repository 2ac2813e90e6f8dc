//! Per-run aggregates at reporting dates, and their summaries over runs (MODEL.md, 'What is reported').
//!
//! Each run is reduced, as it finishes, to one row of numbers: every metric of every group
//! of every requested level at every reporting date. Summaries are taken over those rows,
//! so the 95th percentile of a total is the 95th percentile of the run totals.
use crate::band::Band;
use crate::engine::{Recorder, Snapshot};
use crate::error::{Error, Result};
use crate::grid::Organisation;
use crate::model::Model;
use crate::scenario::Month;
use ndarray::{Array2, ArrayView1, Axis};
use std::fmt;

/// A level of aggregation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Everything (England, or all regions).
    Total,
    /// Per role.
    Role,
    /// Per band.
    Band,
    /// Per region.
    Region,
    /// Per role and band.
    RoleBand,
    /// Per role and region.
    RoleRegion,
    /// Per cell: role, band and region.
    RoleBandRegion,
    /// Per role family (a DDaT Capability Framework family by default): the sum of its roles.
    /// In outputs the family's name is in the `role` column.
    Family,
    /// Per role family and band.
    FamilyBand,
    /// Per organisation (only when the scenario has `by_organisation = true`). In outputs the
    /// organisation's code is in the `region` column.
    Organisation,
    /// Per role and organisation (only by organisation).
    RoleOrganisation,
}

/// What a level keeps of a cell's role: nothing, its family, or the role itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Roles {
    All,
    Family,
    Role,
}

impl Level {
    /// Every level.
    pub const ALL: [Level; 11] = [
        Level::Total,
        Level::Role,
        Level::Band,
        Level::Region,
        Level::RoleBand,
        Level::RoleRegion,
        Level::RoleBandRegion,
        Level::Family,
        Level::FamilyBand,
        Level::Organisation,
        Level::RoleOrganisation,
    ];
    /// The levels reported when none are asked for.
    pub const DEFAULT: [Level; 6] =
        [Level::Total, Level::Role, Level::Band, Level::Region, Level::RoleBand, Level::Family];

    /// The name used in outputs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Level::Total => "total",
            Level::Role => "role",
            Level::Band => "band",
            Level::Region => "region",
            Level::RoleBand => "role_band",
            Level::RoleRegion => "role_region",
            Level::RoleBandRegion => "role_band_region",
            Level::Family => "family",
            Level::FamilyBand => "family_band",
            Level::Organisation => "organisation",
            Level::RoleOrganisation => "role_organisation",
        }
    }

    /// Reads a level name.
    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == text)
    }

    /// What the level keeps of a cell: its role (or family), its band, its region, its
    /// organisation.
    fn keeps(self) -> (Roles, bool, bool, bool) {
        match self {
            Level::Total => (Roles::All, false, false, false),
            Level::Role => (Roles::Role, false, false, false),
            Level::Band => (Roles::All, true, false, false),
            Level::Region => (Roles::All, false, true, false),
            Level::RoleBand => (Roles::Role, true, false, false),
            Level::RoleRegion => (Roles::Role, false, true, false),
            Level::RoleBandRegion => (Roles::Role, true, true, false),
            Level::Family => (Roles::Family, false, false, false),
            Level::FamilyBand => (Roles::Family, true, false, false),
            Level::Organisation => (Roles::All, false, true, true),
            Level::RoleOrganisation => (Roles::Role, false, true, true),
        }
    }

    /// Whether the level's groups are organisations (it exists only by organisation).
    pub fn is_organisation(self) -> bool {
        self.keeps().3
    }

    /// Whether the level's groups are role families.
    pub fn is_family(self) -> bool {
        self.keeps().0 == Roles::Family
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A reported quantity of a cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Staff in post.
    Headcount,
    /// FTE in post.
    Fte,
    /// Demand in FTE.
    DemandFte,
    /// Demand minus FTE in post; positive is a shortfall.
    GapFte,
    /// Leavers over the year to the date: the 12 months to it, or since the start where that
    /// is nearer ([`Model::flow_window`]), as for every flow.
    Leavers,
    /// Entrants of every route over the year to the date.
    Joiners,
    /// Entrants of one route (its index in `Model::route_names`).
    JoinersOf(usize),
    /// Moves up a band (counted in the band left).
    Progressed,
    /// Moves to another role (counted in the role left).
    Transferred,
    /// FTE times pay plus on-costs.
    CostGbp,
}

impl Metric {
    /// Whether it is a flow over the year to the date (the 12 months to it, or since the start;
    /// zero at the baseline).
    pub fn is_flow(&self) -> bool {
        matches!(
            self,
            Metric::Leavers | Metric::Joiners | Metric::JoinersOf(_) | Metric::Progressed | Metric::Transferred
        )
    }
}

/// A group of one level: the role (or family), band and region it covers (`None`: all).
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Role index.
    pub role: Option<usize>,
    /// Family index (into [`Layout::families`]), for the family levels.
    pub family: Option<usize>,
    /// Band.
    pub band: Option<Band>,
    /// Region index (for the organisation levels, the organisation's region).
    pub region: Option<usize>,
    /// Organisation index (into [`Layout::organisations`]), for the organisation levels.
    pub organisation: Option<usize>,
}

#[derive(Clone, Debug)]
struct LevelGroups {
    level: Level,
    group_of_cell: Vec<usize>,
    groups: Vec<Group>,
    /// A finer level (index into `levels`) whose groups sum to this level's, with the
    /// group of this level each of its groups falls in: summing from it is cheaper than
    /// summing from the cells.
    source: Option<(usize, Vec<usize>)>,
}

/// Where each number of a run's row lives: date x (level x metric x group, then dropouts).
#[derive(Clone, Debug)]
pub struct Layout {
    /// Reporting dates.
    pub dates: Vec<Month>,
    /// Cell metrics.
    pub metrics: Vec<Metric>,
    /// Route names (for `joiners:<route>` and `dropouts:<route>`).
    pub routes: Vec<String>,
    /// Role names.
    pub roles: Vec<String>,
    /// Region names.
    pub regions: Vec<String>,
    /// The organisations, when the grid is by organisation (see [`crate::grid::Grid::organisations`]).
    pub organisations: Vec<Organisation>,
    /// Role family names (see [`Model::families`]).
    pub families: Vec<String>,
    /// The family (index into `families`) of each role.
    pub family_of_role: Vec<usize>,
    levels: Vec<LevelGroups>,
    cost_per_fte: Option<[f64; Band::COUNT]>,
    bands_of_cells: Vec<Band>,
    /// Levels in the order they are summed: finer first.
    order: Vec<usize>,
    per_date: usize,
    total: Group,
}

/// One series of the layout: a metric of a group of a level at a date.
#[derive(Clone, Debug, PartialEq)]
pub struct Series<'a> {
    /// Date index.
    pub date: usize,
    /// Level.
    pub level: Level,
    /// The group.
    pub group: &'a Group,
    /// Metric name as written in outputs (`headcount`, `joiners:<route>`, `dropouts:<route>`, ...).
    pub metric: String,
    /// Whether it is a flow.
    pub flow: bool,
}

impl Layout {
    /// The layout of `model`'s results at `levels` (in the order given; duplicates removed).
    pub fn new(model: &Model, levels: &[Level]) -> Layout {
        let g = &model.grid;
        let mut metrics =
            vec![Metric::Headcount, Metric::Fte, Metric::DemandFte, Metric::GapFte, Metric::Leavers, Metric::Joiners];
        metrics.extend((0..model.route_names.len()).map(Metric::JoinersOf));
        metrics.extend([Metric::Progressed, Metric::Transferred]);
        if model.cost_per_fte.is_some() {
            metrics.push(Metric::CostGbp);
        }
        let mut seen = Vec::new();
        let levels: Vec<LevelGroups> = levels
            .iter()
            .filter(|l| {
                let new = !seen.contains(*l);
                seen.push(**l);
                new
            })
            .map(|&level| level_groups(model, level))
            .collect();
        let mut levels = levels;
        let mut order: Vec<usize> = (0..levels.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(levels[i].groups.len()));
        for (k, &i) in order.iter().enumerate() {
            let finer = order[..k]
                .iter()
                .rev()
                .copied()
                .find(|&j| refines(levels[j].level, levels[i].level) && levels[j].groups.len() < g.len());
            if let Some(j) = finer {
                let map = levels[j]
                    .groups
                    .iter()
                    .map(|grp| group_in(&levels[i].groups, grp, &model.family_of_role))
                    .collect();
                levels[i].source = Some((j, map));
            }
        }
        let per_date = levels.iter().map(|l| l.groups.len()).sum::<usize>() * metrics.len() + model.route_names.len();
        Layout {
            dates: model.report_dates(),
            metrics,
            routes: model.route_names.clone(),
            roles: g.roles.clone(),
            regions: g.regions.clone(),
            organisations: g.organisations.clone(),
            families: model.families.clone(),
            family_of_role: model.family_of_role.clone(),
            levels,
            cost_per_fte: model.cost_per_fte,
            bands_of_cells: (0..g.len()).map(|c| g.band_of(c)).collect(),
            order,
            per_date,
            total: Group { role: None, family: None, band: None, region: None, organisation: None },
        }
    }

    /// Numbers in one run's row.
    pub fn width(&self) -> usize {
        self.per_date * self.dates.len()
    }

    /// The levels, in order.
    pub fn levels(&self) -> Vec<Level> {
        self.levels.iter().map(|l| l.level).collect()
    }

    /// Name of a metric in outputs.
    pub fn metric_name(&self, m: &Metric) -> String {
        match m {
            Metric::Headcount => "headcount".into(),
            Metric::Fte => "fte".into(),
            Metric::DemandFte => "demand_fte".into(),
            Metric::GapFte => "gap_fte".into(),
            Metric::Leavers => "leavers".into(),
            Metric::Joiners => "joiners".into(),
            Metric::JoinersOf(r) => format!("joiners:{}", self.routes[*r]),
            Metric::Progressed => "progressed".into(),
            Metric::Transferred => "transferred".into(),
            Metric::CostGbp => "cost_gbp".into(),
        }
    }

    /// Every series, in row order.
    pub fn series(&self) -> Vec<Series<'_>> {
        let mut out = Vec::with_capacity(self.width());
        let total = &self.total;
        for date in 0..self.dates.len() {
            for lg in &self.levels {
                for m in &self.metrics {
                    let name = self.metric_name(m);
                    for group in &lg.groups {
                        out.push(Series { date, level: lg.level, group, metric: name.clone(), flow: m.is_flow() });
                    }
                }
            }
            for r in &self.routes {
                out.push(Series {
                    date,
                    level: Level::Total,
                    group: total,
                    metric: format!("dropouts:{r}"),
                    flow: true,
                });
            }
        }
        out
    }

    /// Index in the row of `metric` for group `group` of `level` at date `date`, if reported.
    pub fn index(&self, date: usize, level: Level, metric: &Metric, group: usize) -> Option<usize> {
        let mut off = date * self.per_date;
        for lg in &self.levels {
            let block = lg.groups.len();
            if lg.level == level {
                let mi = self.metrics.iter().position(|m| m == metric)?;
                return (group < block).then_some(off + mi * block + group);
            }
            off += block * self.metrics.len();
        }
        None
    }

    /// The groups of `level`, if reported.
    pub fn groups(&self, level: Level) -> Option<&[Group]> {
        self.levels.iter().find(|l| l.level == level).map(|l| l.groups.as_slice())
    }

    /// A recorder that writes one run's results into `row` (of length [`Layout::width`]).
    pub fn recorder<'a>(&'a self, row: &'a mut [f64]) -> RowRecorder<'a> {
        RowRecorder { layout: self, row, cell: Vec::new() }
    }
}

/// Writes one run's results into its row of numbers.
pub struct RowRecorder<'a> {
    layout: &'a Layout,
    row: &'a mut [f64],
    cell: Vec<f64>,
}

impl Recorder for RowRecorder<'_> {
    fn record(&mut self, date: usize, s: &Snapshot<'_>) {
        let l = self.layout;
        let row = &mut self.row[date * l.per_date..(date + 1) * l.per_date];
        row.fill(0.0);
        let nm = l.metrics.len();
        // Offset of each level's block of metric 0; metric m's block follows at m * groups.
        let mut offsets = Vec::with_capacity(l.levels.len());
        let mut off = 0;
        for lg in &l.levels {
            offsets.push(off);
            off += lg.groups.len() * nm;
        }
        // Only the cells that may hold anything: the others add nothing to any group.
        let cells = s.cells;
        for (mi, m) in l.metrics.iter().enumerate() {
            self.cell.clear();
            let each = cells.iter().copied();
            match m {
                Metric::Headcount => self.cell.extend(each.map(|c| s.headcount[c])),
                Metric::Fte => self.cell.extend(each.map(|c| s.headcount[c] * s.phi[c])),
                Metric::DemandFte => self.cell.extend(each.map(|c| s.demand[c])),
                Metric::GapFte => self.cell.extend(each.map(|c| s.demand[c] - s.headcount[c] * s.phi[c])),
                Metric::Leavers => self.cell.extend(each.map(|c| s.leavers[c])),
                Metric::Joiners => self.cell.extend(each.map(|c| s.joiners.iter().map(|j| j[c]).sum::<f64>())),
                Metric::JoinersOf(r) => self.cell.extend(each.map(|c| s.joiners[*r][c])),
                Metric::Progressed => self.cell.extend(each.map(|c| s.progressed[c])),
                Metric::Transferred => self.cell.extend(each.map(|c| s.transferred[c])),
                Metric::CostGbp => {
                    let pay = l.cost_per_fte.expect("cost metric only with pay");
                    self.cell.extend(each.map(|c| s.headcount[c] * s.phi[c] * pay[l.bands_of_cells[c].index()]))
                }
            }
            for &li in &l.order {
                let lg = &l.levels[li];
                let at = offsets[li] + mi * lg.groups.len();
                match &lg.source {
                    None => {
                        let out = &mut row[at..at + lg.groups.len()];
                        for (&c, v) in cells.iter().zip(&self.cell) {
                            out[lg.group_of_cell[c]] += v;
                        }
                    }
                    Some((src, map)) => {
                        let from = offsets[*src] + mi * l.levels[*src].groups.len();
                        let (head, tail) = row.split_at_mut(at.max(from));
                        let (src_block, out) = if from < at {
                            (&head[from..from + map.len()], &mut tail[..lg.groups.len()])
                        } else {
                            (&tail[..map.len()], &mut head[at..at + lg.groups.len()])
                        };
                        for (v, &g) in src_block.iter().zip(map) {
                            out[g] += v;
                        }
                    }
                }
            }
        }
        row[off..off + s.dropouts.len()].copy_from_slice(s.dropouts);
    }
}

/// The groups of `level` and the group of each cell. Groups come in the order of the cells
/// they first hold, except family groups, which come in the order of the model's families
/// (then by band).
fn level_groups(model: &Model, level: Level) -> LevelGroups {
    let g = &model.grid;
    let (kr, kb, kx, ko) = level.keeps();
    let group_of = |c: usize| Group {
        role: (kr == Roles::Role).then(|| g.role_of(c)),
        family: (kr == Roles::Family).then(|| model.family_of_role[g.role_of(c)]),
        band: kb.then(|| g.band_of(c)),
        region: kx.then(|| g.region_of(c)),
        organisation: if ko { g.organisation_of(c) } else { None },
    };
    let mut groups: Vec<Group> = Vec::new();
    for c in 0..g.len() {
        let grp = group_of(c);
        if !groups.contains(&grp) {
            groups.push(grp);
        }
    }
    if kr == Roles::Family {
        groups.sort_by_key(|grp| (grp.family, grp.band.map(Band::index)));
    }
    let group_of_cell = (0..g.len())
        .map(|c| {
            let grp = group_of(c);
            groups.iter().position(|x| *x == grp).expect("every cell's group is listed")
        })
        .collect();
    LevelGroups { level, group_of_cell, groups, source: None }
}

/// Whether every group of `fine` lies inside one group of `coarse` (a role lies in its family).
fn refines(fine: Level, coarse: Level) -> bool {
    let (fr, fb, fx, fo) = fine.keeps();
    let (cr, cb, cx, co) = coarse.keeps();
    fine != coarse && fr >= cr && (fb || !cb) && (fx || !cx) && (fo || !co)
}

/// The index in `groups` of the group that contains `fine`.
fn group_in(groups: &[Group], fine: &Group, family_of_role: &[usize]) -> usize {
    let fine_family = fine.family.or(fine.role.map(|r| family_of_role[r]));
    groups
        .iter()
        .position(|g| {
            g.role.is_none_or(|r| fine.role == Some(r))
                && g.family.is_none_or(|f| fine_family == Some(f))
                && g.band.is_none_or(|b| fine.band == Some(b))
                && g.region.is_none_or(|x| fine.region == Some(x))
                && g.organisation.is_none_or(|o| fine.organisation == Some(o))
        })
        .expect("a finer level's group lies in a coarser level's group")
}

/// One number per run and series. Deterministic runs keep `f64`; stochastic runs keep `f32`,
/// which holds every count exactly (stocks and flows are whole numbers below 2^24) and FTE,
/// demand and money to seven significant figures, far inside their uncertainty, so that
/// 10,000 runs of a national forecast fit in half the memory.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// `f64`, as computed.
    Exact(Array2<f64>),
    /// `f32`.
    Compact(Array2<f32>),
}

impl Values {
    /// Numbers per run.
    pub fn width(&self) -> usize {
        match self {
            Values::Exact(v) => v.ncols(),
            Values::Compact(v) => v.ncols(),
        }
    }

    /// Number of runs.
    pub fn len(&self) -> usize {
        match self {
            Values::Exact(v) => v.nrows(),
            Values::Compact(v) => v.nrows(),
        }
    }

    /// Whether there are no runs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of series `i` in the `r`-th run held.
    pub fn get(&self, r: usize, i: usize) -> f64 {
        match self {
            Values::Exact(v) => v[[r, i]],
            Values::Compact(v) => v[[r, i]] as f64,
        }
    }

    /// The values of series `i`, in run order.
    pub fn column(&self, i: usize) -> Vec<f64> {
        match self {
            Values::Exact(v) => v.column(i).to_vec(),
            Values::Compact(v) => v.column(i).iter().map(|x| *x as f64).collect(),
        }
    }

    /// The `r`-th run's row.
    pub fn row(&self, r: usize) -> Vec<f64> {
        match self {
            Values::Exact(v) => v.row(r).to_vec(),
            Values::Compact(v) => v.row(r).iter().map(|x| *x as f64).collect(),
        }
    }
}

/// The rows of `sets` in the order `order` gives (set, row), stacked.
fn stack<T: Copy + num_zero::Zero>(arrays: &[&Array2<T>], order: &[(usize, usize)], width: usize) -> Result<Array2<T>> {
    let views: Vec<ArrayView1<T>> = order.iter().map(|&(s, r)| arrays[s].row(r)).collect();
    if views.is_empty() {
        return Ok(Array2::from_elem((0, width), T::ZERO));
    }
    ndarray::stack(Axis(0), &views).map_err(|e| Error::Run(format!("merging runs: {e}")))
}

mod num_zero {
    /// The zero of a stored number type.
    pub trait Zero {
        const ZERO: Self;
    }
    impl Zero for f64 {
        const ZERO: f64 = 0.0;
    }
    impl Zero for f32 {
        const ZERO: f32 = 0.0;
    }
}

/// The runs computed so far: run indices and their rows. Sets of runs computed apart
/// (shards) merge exactly into the set computed at once.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSet {
    /// Run indices, ascending.
    pub runs: Vec<u64>,
    /// One row per run (in the order of `runs`), one column per series of the layout.
    pub values: Values,
}

impl RunSet {
    /// Merges sets of runs of the same scenario and layout, in run order.
    pub fn merge(sets: Vec<RunSet>) -> Result<RunSet> {
        let width = sets.first().map(|s| s.width()).unwrap_or(0);
        let mut order: Vec<(u64, usize, usize)> = Vec::new();
        for (k, s) in sets.iter().enumerate() {
            if s.width() != width {
                return Err(Error::Run("cannot merge runs of different layouts".into()));
            }
            order.extend(s.runs.iter().enumerate().map(|(r, &run)| (run, k, r)));
        }
        order.sort_by_key(|r| r.0);
        if let Some(w) = order.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::Run(format!("run {} appears twice", w[0].0)));
        }
        let at: Vec<(usize, usize)> = order.iter().map(|r| (r.1, r.2)).collect();
        let exact: Option<Vec<&Array2<f64>>> =
            sets.iter().map(|s| if let Values::Exact(v) = &s.values { Some(v) } else { None }).collect();
        let compact: Option<Vec<&Array2<f32>>> =
            sets.iter().map(|s| if let Values::Compact(v) = &s.values { Some(v) } else { None }).collect();
        let values = match (exact, compact) {
            (Some(v), _) => Values::Exact(stack(&v, &at, width)?),
            (_, Some(v)) => Values::Compact(stack(&v, &at, width)?),
            _ => return Err(Error::Run("cannot merge deterministic and stochastic runs".into())),
        };
        Ok(RunSet { runs: order.iter().map(|r| r.0).collect(), values })
    }

    /// Numbers per run.
    pub fn width(&self) -> usize {
        self.values.width()
    }

    /// The values of series `i` across runs, in run order.
    pub fn column(&self, i: usize) -> Vec<f64> {
        self.values.column(i)
    }
}

/// Summary statistics of one series over runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// Mean.
    pub mean: f64,
    /// Standard deviation (n - 1 denominator; 0 for one run).
    pub sd: f64,
    /// Percentiles 5, 25, 50, 75, 95 (linear interpolation between order statistics).
    pub p: [f64; 5],
    /// Share of runs above zero (the share with a shortfall, for `gap_fte`).
    pub above_zero: f64,
}

/// The `q` quantile of sorted values (linear interpolation, as R's type 7 and numpy's default).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The `qs` quantiles (ascending) of `values`, as [`quantile_sorted`] gives them, by selection
/// rather than a full sort: each quantile's order statistics are selected from what lies
/// above the previous one's.
fn percentiles<const N: usize>(values: &[f64], qs: [f64; N]) -> [f64; N] {
    let mut v = values.to_vec();
    let n = v.len();
    let mut from = 0;
    qs.map(|q| {
        let h = (n - 1) as f64 * q;
        let lo = (h.floor() as usize).max(from);
        let (_, x, above) = v[from..].select_nth_unstable_by(lo - from, f64::total_cmp);
        let low = *x;
        let high = if lo + 1 < n { above.iter().copied().min_by(f64::total_cmp).unwrap_or(low) } else { low };
        from = lo;
        low + (h - lo as f64) * (high - low)
    })
}

impl Stats {
    /// Statistics of `values` (one per run, in run order).
    pub fn of(values: &[f64]) -> Stats {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = if values.len() > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        let p = percentiles(values, [0.05, 0.25, 0.5, 0.75, 0.95]);
        let above_zero = values.iter().filter(|v| **v > 1e-9).count() as f64 / n;
        Stats { mean, sd, p, above_zero }
    }
}

/// Summaries of every series of a run set.
pub fn summarise(runs: &RunSet) -> Vec<Stats> {
    use rayon::prelude::*;
    (0..runs.width()).into_par_iter().map(|i| Stats::of(&runs.column(i))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::{Baseline, BaselineRow};
    use crate::scenario::Scenario;
    use std::path::Path;

    #[test]
    fn percentiles_by_selection_are_those_of_the_sorted_values() {
        let mut x = 0x9e37_79b9_u64;
        for n in [1usize, 2, 3, 7, 20, 101, 1000] {
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((x >> 40) % 50) as f64
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let qs = [0.05, 0.25, 0.5, 0.75, 0.95];
            assert_eq!(percentiles(&values, qs), qs.map(|q| quantile_sorted(&sorted, q)), "n = {n}");
        }
    }

    #[test]
    fn level_names_read_back_and_families_sit_between_total_and_roles() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.name()), Some(l));
        }
        assert!(Level::DEFAULT.contains(&Level::Family) && !Level::DEFAULT.contains(&Level::FamilyBand));
        assert!(refines(Level::Role, Level::Family) && refines(Level::Family, Level::Total));
        assert!(refines(Level::RoleBand, Level::FamilyBand) && refines(Level::FamilyBand, Level::Band));
        assert!(refines(Level::RoleBandRegion, Level::FamilyBand));
        assert!(!refines(Level::Family, Level::Role) && !refines(Level::Family, Level::Band));
        assert!(!refines(Level::FamilyBand, Level::RoleBand) && !refines(Level::RoleRegion, Level::FamilyBand));
        assert!(Level::Family.is_family() && Level::FamilyBand.is_family() && !Level::Role.is_family());
    }

    #[test]
    fn families_are_summed_from_the_role_level() {
        let text = "name = \"t\"\nbaseline = \"b.csv\"\nstart = \"2025-03\"\n\
                    [families]\nC = \"Second\"\nA = \"First\"\nB = \"Second\"\n";
        let scenario = Scenario::from_toml(text, Path::new("t.toml")).unwrap();
        let row = |role: &str, band: &str| BaselineRow {
            role: role.into(),
            band: Band::parse(band).unwrap(),
            region: "X".into(),
            headcount: 10.0,
            fte: 10.0,
            establishment_fte: None,
        };
        let rows = vec![row("A", "5"), row("B", "6"), row("C", "7"), row("D", "5")];
        let model = Model::compile(&scenario, &Baseline::from_rows("b.csv", rows), None).unwrap();
        assert_eq!(model.families, ["First", "Second", "Unmapped"]);
        let layout = Layout::new(&model, &[Level::Total, Level::Family, Level::Role, Level::FamilyBand]);
        let at = |l: Level| layout.levels.iter().position(|x| x.level == l).unwrap();
        let family = &layout.levels[at(Level::Family)];
        assert_eq!(
            family.source.as_ref().map(|(src, map)| (*src, map.clone())),
            Some((at(Level::Role), vec![0, 1, 1, 2]))
        );
        let fb = layout.groups(Level::FamilyBand).unwrap();
        let keys: Vec<(Option<usize>, Option<&str>)> =
            fb.iter().map(|g| (g.family, g.band.map(|b| b.label()))).collect();
        assert_eq!(keys.len(), 3 * Band::COUNT);
        assert_eq!(keys[..2], [(Some(0), Some("2")), (Some(0), Some("3"))]);
        let mut row = vec![0.0; layout.width()];
        let engine_row = |layout: &Layout, row: &mut Vec<f64>| {
            let mut engine = crate::engine::Engine::new(&model);
            engine.run(1, 0, crate::engine::Mode::Deterministic, &mut layout.recorder(row)).unwrap();
        };
        engine_row(&layout, &mut row);
        let heads = |l: Level, g: usize| row[layout.index(0, l, &Metric::Headcount, g).unwrap()];
        assert_eq!([heads(Level::Family, 0), heads(Level::Family, 1), heads(Level::Family, 2)], [10.0, 20.0, 10.0]);
        assert_eq!(heads(Level::Total, 0), 40.0);
    }
}
