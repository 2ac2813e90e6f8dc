//! The national supply routes: the organisations' routes of one name and kind summed into
//! one route (pipelines split by duration), written as the `[[supply]]` of the common scenario.
use std::collections::{BTreeMap, BTreeSet};
use wfcast_core::band::Band;
use wfcast_core::scenario::{Names, SupplyKind};

use crate::format::{one_line, plain, round_to};
use crate::submission::Submission;
use crate::toml_doc::{TomlWriter, float, inline, names, rows};

/// A pipeline summed over organisations: rows of one name (case aside) and duration.
struct Pipe {
    /// The name as the first organisation spelled it.
    name: String,
    starters: f64,
    /// Starters x completion, summed.
    completers: f64,
    /// Starters per organisation.
    orgs: BTreeMap<String, f64>,
    /// (completers, starters) per cell (role, band, region).
    entry: BTreeMap<(String, Band, String), (f64, f64)>,
}

/// A vacancy-fill route summed over organisations: rows of one name (case aside).
struct Fill {
    /// The name as the first organisation spelled it.
    name: String,
    /// The roles named (`None`: every role, as some row left it blank).
    roles: Option<BTreeSet<String>>,
    /// The bands named (`None`: every band).
    bands: Option<BTreeSet<Band>>,
    regions: BTreeSet<String>,
    /// Fill rates weighted by establishment, summed, and the weights.
    weighted: f64,
    weight: f64,
    /// Fill rates summed, and rows, for the plain mean when there is no establishment.
    plain: f64,
    rows: usize,
    orgs: BTreeSet<String>,
}

/// The pipelines (by lower-case name and duration) and vacancy-fill routes (by lower-case
/// name) of the submissions.
fn gather(subs: &[Submission]) -> (BTreeMap<(String, u32), Pipe>, BTreeMap<String, Fill>) {
    let mut pipes: BTreeMap<(String, u32), Pipe> = BTreeMap::new();
    let mut fills: BTreeMap<String, Fill> = BTreeMap::new();
    for s in subs {
        for r in &s.supply {
            let lower = r.route.to_lowercase();
            match r.kind {
                SupplyKind::Pipeline => {
                    let (Some(role), Some(band), Some(starters)) = (&r.role, r.band, r.starters_per_year) else {
                        continue;
                    };
                    let p = pipes.entry((lower, r.duration())).or_insert_with(|| Pipe {
                        name: r.route.clone(),
                        starters: 0.0,
                        completers: 0.0,
                        orgs: BTreeMap::new(),
                        entry: BTreeMap::new(),
                    });
                    p.starters += starters;
                    p.completers += starters * r.completion();
                    *p.orgs.entry(s.org_code.clone()).or_default() += starters;
                    let e = p.entry.entry((role.clone(), band, s.region.clone())).or_default();
                    e.0 += starters * r.completion();
                    e.1 += starters;
                }
                SupplyKind::VacancyFill => {
                    let f = fills.entry(lower).or_insert_with(|| Fill {
                        name: r.route.clone(),
                        roles: Some(BTreeSet::new()),
                        bands: Some(BTreeSet::new()),
                        regions: BTreeSet::new(),
                        weighted: 0.0,
                        weight: 0.0,
                        plain: 0.0,
                        rows: 0,
                        orgs: BTreeSet::new(),
                    });
                    match (&r.role, f.roles.as_mut()) {
                        (Some(role), Some(set)) => {
                            set.insert(role.clone());
                        }
                        (None, _) => f.roles = None,
                        _ => {}
                    }
                    match (r.band, f.bands.as_mut()) {
                        (Some(b), Some(set)) => {
                            set.insert(b);
                        }
                        (None, _) => f.bands = None,
                        _ => {}
                    }
                    f.regions.insert(s.region.clone());
                    let fill = r.fill_rate.unwrap_or(0.0);
                    let w: f64 = s
                        .staff
                        .iter()
                        .filter(|x| {
                            r.role.as_ref().is_none_or(|role| *role == x.role) && r.band.is_none_or(|b| b == x.band)
                        })
                        .map(|x| x.establishment_fte)
                        .sum();
                    f.weighted += w * fill;
                    f.weight += w;
                    f.plain += fill;
                    f.rows += 1;
                    f.orgs.insert(s.org_code.clone());
                }
            }
        }
    }
    (pipes, fills)
}

/// The national supply routes: a comment on how they were summed, then one `[[supply]]` per
/// route (a comment for each route left out).
pub(crate) fn national_supply(
    w: &mut TomlWriter,
    subs: &[Submission],
    roles: &BTreeSet<String>,
    regions: &BTreeSet<String>,
) {
    let (pipes, fills) = gather(subs);
    w.blank();
    if pipes.is_empty() && fills.is_empty() {
        w.comment("---- Supply: no submission plans a supply route.");
        return;
    }
    w.comment(
        "---- Supply: the organisations' routes, summed. Pipelines: intake = starters summed, completion =\n  \
         starters-weighted mean, entry shares = starters x completion of each organisation's cell (its\n  \
         region) as a fraction of the route's, intake spread evenly over the year. Vacancy-fill: one\n  \
         route per name, into the roles, bands and regions its organisations named, fill rate\n  \
         weighted by their establishment there.",
    );
    let mut durations: BTreeMap<String, usize> = BTreeMap::new();
    for (lower, _) in pipes.keys() {
        *durations.entry(lower.clone()).or_default() += 1;
    }
    for ((lower, duration), p) in &pipes {
        let name = if durations[lower] > 1 { format!("{} ({duration} months)", p.name) } else { p.name.clone() };
        pipeline(w, &name, *duration, p);
    }
    for f in fills.values() {
        vacancy_fill(w, f, roles, regions);
    }
}

/// One national pipeline, `name`d (with its duration when the name has several).
fn pipeline(w: &mut TomlWriter, name: &str, duration: u32, p: &Pipe) {
    w.blank();
    if p.starters <= 0.0 || (duration == 0 && p.completers <= 0.0) {
        w.comment(&format!("Route {}: no starters, left out.", one_line(name)));
        return;
    }
    let orgs: Vec<String> = p.orgs.iter().map(|(o, n)| format!("{o} {}", plain(round_to(*n, 2)))).collect();
    w.array_table("supply");
    w.comment(&format!("Starters a year by organisation: {}.", orgs.join(", ")));
    w.key("name", name);
    let use_completers = p.completers > 0.0;
    if duration == 0 {
        w.comment("Straight into post: intake = starters x completion.");
        w.key("intake", float(round_to(p.completers, 9)));
    } else {
        w.key("intake", float(round_to(p.starters, 9)));
        w.key("duration_months", i64::from(duration));
        w.key("completion", float(round_to(p.completers / p.starters, 9)));
    }
    let weight = |(completers, starters): &(f64, f64)| if use_completers { *completers } else { *starters };
    let total: f64 = p.entry.values().map(weight).filter(|w| *w > 0.0).sum();
    // Shares as fractions of the route's entrants: a scenario's shares are fractions that
    // sum to 1 or whole-number weights.
    let entry = p.entry.iter().filter_map(|((role, band, region), cell)| {
        let share = weight(cell) / total;
        (share > 0.0).then(|| {
            inline([
                ("role", role.as_str().into()),
                ("band", band.label().into()),
                ("region", region.as_str().into()),
                ("share", float(round_to(share, 9))),
            ])
        })
    });
    w.key("entry", rows(entry, &[]));
}

/// One national vacancy-fill route; `roles` and `regions` are those of the baseline.
fn vacancy_fill(w: &mut TomlWriter, f: &Fill, roles: &BTreeSet<String>, regions: &BTreeSet<String>) {
    let fill = if f.weight > 0.0 { f.weighted / f.weight } else { f.plain / f.rows as f64 };
    let role_names: Option<Vec<String>> =
        f.roles.as_ref().map(|set| set.iter().filter(|r| roles.contains(*r)).cloned().collect());
    w.blank();
    if role_names.as_ref().is_some_and(Vec::is_empty) {
        w.comment(&format!("Route {}: names only roles no organisation has, left out.", one_line(&f.name)));
        return;
    }
    w.array_table("supply");
    w.comment(&format!(
        "From {} organisations ({}); fill rate weighted by their establishment in the cells named.",
        f.orgs.len(),
        f.orgs.iter().cloned().collect::<Vec<_>>().join(", ")
    ));
    w.key("name", f.name.as_str());
    w.key("kind", "vacancy-fill");
    w.key("fill_rate", float(round_to(fill, 9)));
    if let Some(r) = role_names {
        w.key("role", names(&Names(r)));
    }
    if let Some(b) = &f.bands {
        w.key("band", names(&Names(b.iter().map(|b| b.label().to_string()).collect())));
    }
    if f.regions != *regions {
        w.key("region", names(&Names(f.regions.iter().cloned().collect())));
    }
}
