//! A scenario's results tables: by role, role family, band, region and organisation.
use super::html::{Cell, render};
use super::text::and_list;
use super::view::{Group, TOTAL, View};
use crate::format::{area, full_month_label, typeset};
use askama::Template;
use wfcast_core::band::Band;
use wfcast_core::grid::{DDAT_FAMILIES, DEFAULT_FAMILIES_FILE, UNMAPPED};
use wfcast_core::results::Row;

/// A row of a results table: its label, an extra class (`total`, `subtotal`) or none, and its
/// cells.
struct TableRow<C> {
    label: String,
    class: &'static str,
    cells: Vec<C>,
    /// The share of runs in shortfall (family table).
    share: String,
}

/// A table of the groups of one level at the last date.
#[derive(Template)]
#[template(path = "group_table.html", config = "templates/askama.toml")]
struct GroupTable<'a> {
    caption: &'a str,
    what: &'a str,
    det: bool,
    when: String,
    first: String,
    rows: Vec<TableRow<String>>,
}

/// A table of the groups of `level` at the last date, rendered.
fn group_table(v: &View, level: &str, what: &str, groups: &[(String, Group)], caption: &str) -> String {
    let last = &v.last;
    let row = |label: &str, level: &str, g: Group, class| {
        let num = |m: &str, d: &str| v.get(level, g, m, d).map(|r| typeset(v.mid(r), 0)).unwrap_or_else(|| "–".into());
        let mut cells = vec![
            num("fte", &v.first),
            num("headcount", last),
            num("fte", last),
            num("demand_fte", last),
            num("gap_fte", last),
        ];
        if !v.det {
            let gap = v.get(level, g, "gap_fte", last);
            cells.push(gap.map(|r| v.interval(r)).unwrap_or_else(|| "–".into()));
            cells.push(gap.map(|r| v.share(r)).unwrap_or_else(|| "–".into()));
        }
        TableRow { label: label.to_string(), class, cells, share: String::new() }
    };
    let mut rows: Vec<TableRow<String>> = groups.iter().map(|(label, g)| row(label, level, *g, "")).collect();
    rows.push(row(area(v.meta()), "total", TOTAL, "total"));
    render(&GroupTable {
        caption,
        what,
        det: v.det,
        when: full_month_label(last),
        first: full_month_label(&v.first),
        rows,
    })
}

/// Supply, demand and gap at the last date per organisation.
#[derive(Template)]
#[template(path = "organisation_table.html", config = "templates/askama.toml")]
struct OrganisationTable {
    det: bool,
    when: String,
    rows: Vec<TableRow<Cell>>,
}

/// Supply, demand and gap at the last date per organisation (with 90% intervals), grouped by
/// region (each region's own row closing its group), then the area's total, rendered. The organisation
/// levels hold the organisation's code in the `region` column; its name and region come from
/// meta.json.
fn organisation_table(v: &View) -> String {
    let last = &v.last;
    let row = |label: String, level: &str, g: Group, class| {
        let cells = ["fte", "demand_fte", "gap_fte"]
            .iter()
            .map(|metric| {
                let r = v.get(level, g, metric, last);
                if v.det {
                    Cell::plain(r.map(|r| typeset(v.mid(r), 0)).unwrap_or_else(|| "–".into()))
                } else {
                    Cell::interval(r.map(|r| &r.p), |x| typeset(x, 0))
                }
            })
            .collect();
        TableRow { label, class, cells, share: String::new() }
    };
    let orgs = &v.meta().organisations;
    let mut regions: Vec<&str> = Vec::new();
    for o in orgs {
        if !regions.contains(&o.region.as_str()) {
            regions.push(&o.region);
        }
    }
    regions.sort_unstable();
    let mut rows = Vec::new();
    for region in regions {
        for o in orgs.iter().filter(|o| o.region == region) {
            let label = if o.name == o.code { o.code.clone() } else { format!("{} ({})", o.name, o.code) };
            rows.push(row(label, "organisation", Group { role: None, band: None, region: Some(&o.code) }, ""));
        }
        let g = Group { role: None, band: None, region: Some(region) };
        rows.push(row(format!("{region} (region)"), "region", g, "subtotal"));
    }
    rows.push(row(area(v.meta()).to_string(), "total", TOTAL, "total"));
    render(&OrganisationTable { det: v.det, when: full_month_label(last), rows })
}

/// Where a run's role families come from.
pub(super) enum Source {
    /// The scenario's own mapping file (its path).
    File(String),
    /// wfcast's illustrative mapping (the file it ships as).
    Builtin(&'static str),
    /// The scenario's own `families` table.
    Table,
}

/// Where a run's role families come from.
pub(super) fn families_source(v: &View) -> Source {
    if let Some(f) = v.meta().families_file() {
        Source::File(f.path.clone())
    } else if v.results.families_are_builtin() {
        Source::Builtin(DEFAULT_FAMILIES_FILE)
    } else {
        Source::Table
    }
}

/// The table of role families, with which roles each family sums and where the mapping comes
/// from.
#[derive(Template)]
#[template(path = "family_table.html", config = "templates/askama.toml")]
struct FamilyTable {
    det: bool,
    when: String,
    rows: Vec<TableRow<Cell>>,
    /// Each family with its roles in words (None when the folder does not record them).
    members: Option<Vec<(String, String)>>,
    source: Source,
    /// The framework's families no role is in, in words, and whether there is one.
    absent: Option<(String, bool)>,
    /// The roles in no family, in words, and whether there is one.
    unmapped: Option<(String, bool)>,
    unmapped_family: &'static str,
}

/// The table of role families at the last date, rendered: supply, demand and gap with their
/// intervals, then which roles each family sums, the roles no family holds and where the
/// mapping comes from.
fn family_table(v: &View, families: &[Group]) -> String {
    let last = &v.last;
    let value_cell = |r: Option<&Row>| match r {
        Some(r) if v.det => Cell::plain(typeset(v.mid(r), 0)),
        Some(r) => Cell { value: typeset(v.mid(r), 0), below: Some(v.interval(r)) },
        None => Cell::dash(),
    };
    let rows = families.iter().map(|g| (g.role.unwrap_or_default(), "family", *g, ""));
    let rows = rows
        .chain([(area(v.meta()), "total", TOTAL, "total")])
        .map(|(label, level, g, class)| TableRow {
            label: label.to_string(),
            class,
            cells: ["fte", "demand_fte", "gap_fte"].iter().map(|m| value_cell(v.get(level, g, m, last))).collect(),
            share: v.get(level, g, "gap_fte", last).map(|r| v.share(r)).unwrap_or_else(|| "–".into()),
        })
        .collect();
    let members = v.results.family_members();
    let listed = (!members.is_empty()).then(|| {
        families
            .iter()
            .filter_map(|g| {
                let family = g.role?;
                let (_, roles) = members.iter().find(|(f, _)| f == family)?;
                Some((family.to_string(), and_list(roles)))
            })
            .collect()
    });
    let present: Vec<&str> = families.iter().filter_map(|g| g.role).collect();
    let absent: Vec<String> = DDAT_FAMILIES.iter().filter(|f| !present.contains(f)).map(|f| f.to_string()).collect();
    let absent = (!absent.is_empty() && present.iter().any(|f| DDAT_FAMILIES.contains(f)))
        .then(|| (and_list(&absent), absent.len() == 1));
    let unmapped = members.iter().find(|(f, _)| f == UNMAPPED).map(|(_, roles)| (and_list(roles), roles.len() == 1));
    render(&FamilyTable {
        det: v.det,
        when: full_month_label(last),
        rows,
        members: listed,
        source: families_source(v),
        absent,
        unmapped,
        unmapped_family: UNMAPPED,
    })
}

/// The results tables: by role, role family, band and region, where the summary has them.
#[derive(Template)]
#[template(path = "tables.html", config = "templates/askama.toml")]
struct Tables<'a> {
    lvl: usize,
    idp: &'a str,
    /// The area the baseline covers.
    area: &'a str,
    /// Each table's heading id (after the prefix), heading and markup.
    parts: Vec<(&'static str, &'static str, String)>,
}

/// The results tables, rendered.
pub(super) fn tables(v: &View, lvl: usize, idp: &str) -> String {
    let mut parts = Vec::new();
    let roles = v.groups("role");
    if !roles.is_empty() {
        let mut by: Vec<(String, Group, f64)> = roles
            .iter()
            .map(|g| {
                let gap = v.get("role", *g, "gap_fte", &v.last).map(|r| v.mid(r)).unwrap_or(f64::NEG_INFINITY);
                (g.role.unwrap_or_default().to_string(), *g, gap)
            })
            .collect();
        by.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        let rows: Vec<(String, Group)> = by.into_iter().map(|(l, g, _)| (l, g)).collect();
        parts.push(("by-role", "By role", group_table(v, "role", "Role", &rows, "Roles, largest shortfall first")));
    }
    let bands = v.groups("band");
    if !bands.is_empty() {
        let mut rows: Vec<(String, Group)> =
            bands.iter().map(|g| (format!("Band {}", g.band.unwrap_or_default()), *g)).collect();
        rows.sort_by_key(|(_, g)| g.band.and_then(Band::parse).map(Band::index).unwrap_or(usize::MAX));
        parts.push(("by-band", "By Agenda for Change band", group_table(v, "band", "Band", &rows, "AfC bands")));
    }
    let families = v.groups("family");
    if !families.is_empty() {
        parts.push(("by-family", "By role family", family_table(v, &families)));
    }
    let regions = v.groups("region");
    if !regions.is_empty() {
        let rows: Vec<(String, Group)> =
            regions.iter().map(|g| (g.region.unwrap_or_default().to_string(), *g)).collect();
        parts.push(("by-region", "By region", group_table(v, "region", "Region", &rows, "NHS England regions")));
    }
    if !v.groups("organisation").is_empty() {
        parts.push(("by-organisation", "By organisation", organisation_table(v)));
    }
    render(&Tables { lvl, idp, area: area(v.meta()), parts })
}
