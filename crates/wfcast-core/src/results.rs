//! A scenario's results as tables: the summary rows and what was run, in memory or read back
//! from an output folder (so `plot` and `report` work on folders written earlier).
use crate::engine::Mode;
use crate::grid::Families;
use crate::runner::RunResult;
use crate::scenario::{FamiliesSpec, Scenario, ScenarioFile};
use crate::summary::Layout;
use serde::{Deserialize, Serialize};

/// A file read for a run, with its SHA-256.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileHash {
    /// The path as given.
    pub path: String,
    /// SHA-256 in lower-case hex.
    pub sha256: String,
}

/// What a file read for a run is, in `meta.json`'s `files`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// The scenario file given.
    Scenario,
    /// A scenario file it extends (`extends`), directly or through another.
    Parent,
    /// The pay table (`cost.pay`).
    PayTable,
    /// The role families mapping (`families = "file.csv"`).
    Families,
}

impl FileKind {
    /// What the file is, in words, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Scenario => "scenario file",
            FileKind::Parent => "scenario file it extends",
            FileKind::PayTable => "pay table (cost.pay)",
            FileKind::Families => "role families mapping (families)",
        }
    }
}

/// A file a run read, with its SHA-256 and what it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileRead {
    /// The file and its hash.
    #[serde(flatten)]
    pub file: FileHash,
    /// What it is (absent in `meta.json` written before wfcast said).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FileKind>,
}

/// What was run: the contents of `meta.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Scenario name.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Scenario description.
    #[serde(default)]
    pub description: String,
    /// The scenario file given.
    pub file: String,
    /// SHA-256 of the scenario file.
    pub sha256: String,
    /// Every file the run read but the baseline, each with its SHA-256 and `kind`: the scenario
    /// file (`scenario`, first), each file it extends (`parent`), the role families mapping it
    /// names (`families`) and its pay table (`pay_table`), in the order they were read.
    /// Editing any of them changes its hash here.
    pub files: Vec<FileRead>,
    /// The baseline extract.
    pub baseline: FileHash,
    /// Seed.
    pub seed: u64,
    /// Number of runs.
    pub runs: u64,
    /// Stochastic or deterministic.
    pub mode: Mode,
    /// Baseline month.
    pub start: String,
    /// Last month.
    pub end: String,
    /// Months per step.
    pub step_months: u32,
    /// Reporting dates.
    pub report_dates: Vec<String>,
    /// Levels reported.
    pub levels: Vec<String>,
    /// Supply routes.
    #[serde(default)]
    pub routes: Vec<String>,
    /// The organisations, when the scenario ran by organisation (`by_organisation = true`):
    /// code, name and region of each, so the organisation levels (whose `region` column holds
    /// the code) can be read by region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<OrganisationMeta>,
    /// The area the baseline covers (an organisation's name and code, a few organisations, or
    /// the regions; `England` for all of it), named in chart titles, the report and workbooks.
    #[serde(default = "england")]
    pub area: String,
    /// What was scaled, when the scenario ran on another baseline than its own (`run
    /// --baseline`): each amount with its factor, and what applied to nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<crate::model::rebase::Scaling>,
    /// What the run did that a reader should know (names merged, amounts scaled or doubted),
    /// each a sentence; also on the terminal and in the report's caveats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// wfcast version that made the results.
    pub version: String,
    /// Wall time of the runs, in seconds.
    pub wall_time_seconds: f64,
}

/// The area of results written before areas were named: England.
fn england() -> String {
    crate::baseline::DEFAULT_REGION.to_string()
}

/// An organisation of a run by organisation, in `meta.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrganisationMeta {
    /// Organisation code (in the `region` column of the organisation levels).
    pub code: String,
    /// Organisation name.
    pub name: String,
    /// Its region.
    pub region: String,
}

/// One row of the summary table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Reporting date, `YYYY-MM`.
    pub date: String,
    /// Level of aggregation.
    pub level: String,
    /// Role, for levels that have one; the role family, for the `family` levels.
    pub role: Option<String>,
    /// Band, for levels that have one.
    pub band: Option<String>,
    /// Region, for levels that have one; the organisation's code, for the organisation levels.
    pub region: Option<String>,
    /// Metric name.
    pub metric: String,
    /// Mean over runs.
    pub mean: f64,
    /// Standard deviation over runs.
    pub sd: f64,
    /// Percentiles 5, 25, 50, 75, 95 over runs.
    pub p: [f64; 5],
    /// Share of runs with a shortfall (`gap_fte` only).
    pub p_shortfall: Option<f64>,
}

/// A scenario's results: what was run and its summary table.
#[derive(Clone, Debug, PartialEq)]
pub struct Results {
    /// What was run.
    pub meta: Meta,
    /// The scenario as run (merged with what it extends), as TOML: `scenario.toml`.
    pub scenario_toml: String,
    /// The summary, in date, level, metric, group order.
    pub rows: Vec<Row>,
}

impl Meta {
    /// Whether the results are the deterministic expectation (one run, no intervals).
    pub fn is_deterministic(&self) -> bool {
        self.mode == Mode::Deterministic
    }

    /// The metadata of a run.
    pub fn of(r: &RunResult) -> Meta {
        let s = &r.scenario;
        let files = files_read(s);
        Meta {
            scenario: s.name.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            file: s.path.display().to_string(),
            sha256: files.first().map(|f| f.file.sha256.clone()).unwrap_or_default(),
            files,
            baseline: FileHash { path: s.baseline.display().to_string(), sha256: r.baseline_sha256.clone() },
            seed: r.seed,
            runs: r.runs.runs.len() as u64,
            mode: r.mode,
            start: s.start.to_string(),
            end: s.end.to_string(),
            step_months: s.step.months(),
            report_dates: r.layout.dates.iter().map(|d| d.to_string()).collect(),
            levels: r.layout.levels().iter().map(|l| l.name().to_string()).collect(),
            routes: r.layout.routes.clone(),
            organisations: r
                .layout
                .organisations
                .iter()
                .map(|o| OrganisationMeta {
                    code: o.code.clone(),
                    name: o.name.clone(),
                    region: r.layout.regions[o.region].clone(),
                })
                .collect(),
            area: r.area.clone(),
            scaling: r.scaling.clone(),
            warnings: r.warnings.clone(),
            version: env!("CARGO_PKG_VERSION").into(),
            wall_time_seconds: r.wall_seconds,
        }
    }
}

impl Meta {
    /// The role families mapping file the run read, if it named one.
    pub fn families_file(&self) -> Option<&FileHash> {
        let by_kind = self.files.iter().find(|f| f.kind == Some(FileKind::Families));
        // meta.json written before files had a kind: the first CSV after the scenario was it.
        let old =
            || self.files.iter().skip(1).find(|f| f.kind.is_none() && f.file.path.to_lowercase().ends_with(".csv"));
        by_kind.or_else(old).map(|f| &f.file)
    }
}

/// The files `s` was read with (every one but the baseline), each with what it is: the one
/// place they are listed for `meta.json` (paths compared as the scenario resolved them).
fn files_read(s: &Scenario) -> Vec<FileRead> {
    let pay = s.spec.cost.as_ref().and_then(|c| c.pay.as_deref());
    let families = match &s.spec.families {
        Some(FamiliesSpec::File(p)) => Some(p.as_path()),
        _ => None,
    };
    s.files
        .iter()
        .enumerate()
        .map(|(i, (p, h))| {
            let kind = if i == 0 {
                FileKind::Scenario
            } else if pay == Some(p.as_path()) {
                FileKind::PayTable
            } else if families == Some(p.as_path()) {
                FileKind::Families
            } else {
                FileKind::Parent
            };
            FileRead { file: FileHash { path: p.display().to_string(), sha256: h.clone() }, kind: Some(kind) }
        })
        .collect()
}

/// The summary rows of a run held in memory, each with the column of `r.runs` (the series of
/// its layout) it summarises. Flows at the baseline date are left out: nothing has flowed yet.
pub fn rows_of(r: &RunResult) -> Vec<(usize, Row)> {
    let layout = &r.layout;
    let dates: Vec<String> = layout.dates.iter().map(|d| d.to_string()).collect();
    layout
        .series()
        .iter()
        .zip(&r.stats)
        .enumerate()
        .filter(|(_, (s, _))| !(s.flow && s.date == 0))
        .map(|(column, (s, st))| {
            let row = Row {
                date: dates[s.date].clone(),
                level: s.level.name().into(),
                role: s
                    .group
                    .role
                    .map(|i| layout.roles[i].clone())
                    .or_else(|| s.group.family.map(|f| layout.families[f].clone())),
                band: s.group.band.map(|b| b.label().into()),
                region: match s.group.organisation {
                    Some(o) => Some(layout.organisations[o].code.clone()),
                    None => s.group.region.map(|i| layout.regions[i].clone()),
                },
                metric: s.metric.clone(),
                mean: st.mean,
                sd: st.sd,
                p: st.p,
                p_shortfall: (s.metric == "gap_fte").then_some(st.above_zero),
            };
            (column, row)
        })
        .collect()
}

/// Every role of a layout with its family, family by family in the layout's order.
pub fn family_pairs(layout: &Layout) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(layout.roles.len());
    for (f, family) in layout.families.iter().enumerate() {
        for (role, _) in layout.roles.iter().zip(&layout.family_of_role).filter(|(_, of)| **of == f) {
            out.push((role.clone(), family.clone()));
        }
    }
    out
}

impl Results {
    /// The results of a run held in memory.
    pub fn of(r: &RunResult) -> Results {
        let rows = rows_of(r).into_iter().map(|(_, row)| row).collect();
        // The families as run, written out: the folder says which roles each family summed,
        // whatever mapping file (or none) the scenario named.
        let mut spec = r.scenario.spec.clone();
        spec.families = Some(FamiliesSpec::Table(family_pairs(&r.layout)));
        let scenario_toml = toml::to_string(&spec).unwrap_or_else(|e| format!("# not available: {e}\n"));
        Results { meta: Meta::of(r), scenario_toml, rows }
    }

    /// The rows of `metric` for one group (`None` selectors match rows without that column),
    /// in date order.
    pub fn series(
        &self,
        level: &str,
        role: Option<&str>,
        band: Option<&str>,
        region: Option<&str>,
        metric: &str,
    ) -> Vec<&Row> {
        self.rows
            .iter()
            .filter(|r| {
                r.level == level
                    && r.metric == metric
                    && r.role.as_deref() == role
                    && r.band.as_deref() == band
                    && r.region.as_deref() == region
            })
            .collect()
    }

    /// The England (all-regions) total of `metric`, in date order.
    pub fn total(&self, metric: &str) -> Vec<&Row> {
        self.series("total", None, None, None, metric)
    }

    /// Roles that appear in the table, in order of first appearance.
    pub fn roles(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self.rows.iter().filter(|r| r.level == "role") {
            if let Some(role) = &r.role
                && !out.contains(role)
            {
                out.push(role.clone());
            }
        }
        out
    }

    /// Role families that appear in the table (level `family`), in order of first appearance.
    pub fn families(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self.rows.iter().filter(|r| r.level == "family") {
            if let Some(family) = &r.role
                && !out.contains(family)
            {
                out.push(family.clone());
            }
        }
        out
    }

    /// The roles of each family as run, family by family (read from
    /// `scenario.toml`, which records them as a `[families]` table); empty when the folder does
    /// not record them (made before families, or without scenario.toml).
    pub fn family_members(&self) -> Vec<(String, Vec<String>)> {
        let Ok(spec) = toml::from_str::<ScenarioFile>(&self.scenario_toml) else { return Vec::new() };
        let Some(FamiliesSpec::Table(pairs)) = spec.families else { return Vec::new() };
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for (role, family) in pairs {
            match out.iter_mut().find(|(f, _)| *f == family) {
                Some((_, roles)) => roles.push(role),
                None => out.push((family, vec![role])),
            }
        }
        out
    }

    /// Whether the families as run are those of the mapping shipped with wfcast (every role in
    /// the family the shipped mapping gives it, or `Unmapped` where it gives none); `false` when
    /// the folder does not record them.
    pub fn families_are_builtin(&self) -> bool {
        let members = self.family_members();
        let roles: Vec<String> = members.iter().flat_map(|(_, r)| r.iter().cloned()).collect();
        let builtin = Families::builtin().assign(&roles);
        !members.is_empty()
            && roles.iter().enumerate().all(|(i, role)| {
                let family = &members.iter().find(|(_, r)| r.contains(role)).expect("listed").0;
                builtin.names[builtin.of_role[i]] == *family
            })
    }
}

/// The distribution over runs of a scenario's per-run difference from the first scenario of
/// a comparison (this scenario minus the first, run by run, with common random numbers).
#[derive(Clone, Debug, PartialEq)]
pub struct Diff {
    /// Mean difference.
    pub mean: f64,
    /// Percentiles 5, 25, 50, 75, 95 of the difference.
    pub p: [f64; 5],
    /// For `gap_fte`: the share of runs in which this scenario's gap is smaller than the first's.
    pub p_gap_smaller: Option<f64>,
}

/// One row of `comparison.csv`: one scenario's summary of a series, and its difference from
/// the first scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonRow {
    /// Scenario name.
    pub scenario: String,
    /// The scenario's own summary row.
    pub row: Row,
    /// Difference from the first scenario (`None` for the first scenario itself).
    pub diff: Option<Diff>,
}

/// A comparison of scenarios run with common random numbers: `comparison.csv` plus what was run.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Folder name: `compare-<name>-<name>...`.
    pub name: String,
    /// What was run, per scenario, in the order given (the first is the reference).
    pub scenarios: Vec<Meta>,
    /// Rows of every series the scenarios share, for every scenario.
    pub rows: Vec<ComparisonRow>,
}
