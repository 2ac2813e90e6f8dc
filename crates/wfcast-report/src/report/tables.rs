//! A scenario's results tables: by role, role family, band, region and organisation.
use super::*;

/// A table of the groups of `level` at the last date.
pub(super) fn group_table(v: &View, level: &str, what: &str, groups: &[(String, Group)], caption: &str) -> String {
    let last = &v.last;
    let mut s = String::from("<div class=\"table-wrap\"><table class=\"groups\">\n");
    w!(
        s,
        "<caption>{}<span class=\"sub\">At {}, {}, beside the baseline FTE of {}.</span></caption>\n",
        esc(caption),
        month_label(last),
        if v.det { "one expected-value run" } else { "medians of runs" },
        month_label(&v.first)
    );
    w!(
        s,
        "<thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">Baseline FTE {}</th>\
         <th scope=\"col\" class=\"num\">Headcount</th><th scope=\"col\" class=\"num\">FTE</th>\
         <th scope=\"col\" class=\"num\">Demand FTE</th><th scope=\"col\" class=\"num\">Gap FTE</th>",
        esc(what),
        esc(&month_label(&v.first))
    );
    if !v.det {
        s.push_str(
            "<th scope=\"col\" class=\"num\">Gap 90% interval</th><th scope=\"col\" class=\"num\">Runs in shortfall</th>",
        );
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    let mut row = |label: &str, level: &str, g: Group, class: &str| {
        let num = |m: &str, d: &str| v.get(level, g, m, d).map(|r| fmt_int(v.mid(r))).unwrap_or_else(|| "–".into());
        w!(
            s,
            "<tr{class}><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td>",
            esc(label),
            num("fte", &v.first),
            num("headcount", last),
            num("fte", last),
            num("demand_fte", last),
            num("gap_fte", last)
        );
        if !v.det {
            let gap = v.get(level, g, "gap_fte", last);
            w!(
                s,
                "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                gap.map(|r| v.interval(r)).unwrap_or_else(|| "–".into()),
                esc(&gap.map(|r| v.share(r)).unwrap_or_else(|| "–".into()))
            );
        }
        s.push_str("</tr>\n");
    };
    for (label, g) in groups {
        row(label, level, *g, "");
    }
    row("England", "total", TOTAL, " class=\"total\"");
    s.push_str("</tbody></table></div>\n");
    s
}

/// Supply, demand and gap at the last date per organisation (with 90% intervals), grouped by
/// region (each region's own row closing its group), then England. The organisation levels
/// hold the organisation's code in the `region` column; its name and region come from meta.json.
pub(super) fn organisation_table(v: &View) -> String {
    let last = &v.last;
    let mut s = String::from("<div class=\"table-wrap\"><table class=\"groups\">\n");
    w!(
        s,
        "<caption>Organisations by region<span class=\"sub\">At {}, {}.</span></caption>\n",
        month_label(last),
        if v.det { "one expected-value run" } else { "medians of runs, with 90% intervals" }
    );
    s.push_str(
        "<thead><tr><th scope=\"col\">Organisation</th><th scope=\"col\" class=\"num\">Supply FTE</th>\
         <th scope=\"col\" class=\"num\">Demand FTE</th><th scope=\"col\" class=\"num\">Gap FTE</th></tr></thead>\n<tbody>\n",
    );
    let mut row = |label: &str, level: &str, g: Group, class: &str| {
        w!(s, "<tr{class}><th scope=\"row\">{}</th>", esc(label));
        for metric in ["fte", "demand_fte", "gap_fte"] {
            let r = v.get(level, g, metric, last);
            if v.det {
                w!(s, "<td class=\"num\">{}</td>", r.map(|r| fmt_int(v.mid(r))).unwrap_or_else(|| "–".into()));
            } else {
                s.push_str(&interval_cell(r.map(|r| &r.p), fmt_int));
            }
        }
        s.push_str("</tr>\n");
    };
    let orgs = &v.meta().organisations;
    let mut regions: Vec<&str> = Vec::new();
    for o in orgs {
        if !regions.contains(&o.region.as_str()) {
            regions.push(&o.region);
        }
    }
    regions.sort_unstable();
    for region in regions {
        for o in orgs.iter().filter(|o| o.region == region) {
            let label = if o.name == o.code { o.code.clone() } else { format!("{} ({})", o.name, o.code) };
            row(&label, "organisation", Group { role: None, band: None, region: Some(&o.code) }, "");
        }
        let g = Group { role: None, band: None, region: Some(region) };
        row(&format!("{region} (region)"), "region", g, " class=\"subtotal\"");
    }
    row("England", "total", TOTAL, " class=\"total\"");
    s.push_str("</tbody></table></div>\n");
    s
}

/// Where a run's role families come from, in words (markup).
pub(super) fn families_source(v: &View) -> String {
    if let Some(f) = v.meta().files.iter().skip(1).find(|f| f.path.to_lowercase().ends_with(".csv")) {
        format!("the scenario's own mapping, <code>{}</code>", esc(&f.path))
    } else if v.results.families_are_builtin() {
        format!(
            "wfcast's illustrative mapping of roles onto the families of the GDS DDaT Capability Framework \
             (<code>{DEFAULT_FAMILIES_FILE}</code>), the project's own judgement, as no published mapping of NHS roles \
             to the framework was found"
        )
    } else {
        "the scenario's own mapping (its <code>families</code> table)".into()
    }
}

/// `1,234<small>1,100 to 1,400</small>`: a median with its 90% interval below (the value alone
/// in a deterministic run).
pub(super) fn value_cell(v: &View, r: Option<&Row>) -> String {
    match r {
        Some(r) if v.det => format!("<td class=\"num\">{}</td>", fmt_int(v.mid(r))),
        Some(r) => format!("<td class=\"num\">{}<small>{}</small></td>", fmt_int(v.mid(r)), esc(&v.interval(r))),
        None => "<td class=\"num\">–</td>".into(),
    }
}

/// The table of role families at the last date: supply, demand and gap with their intervals,
/// then which roles each family sums, the roles no family holds and where the mapping comes from.
pub(super) fn family_table(v: &View, families: &[Group]) -> String {
    let last = &v.last;
    let mut s = String::from("<div class=\"table-wrap\"><table class=\"groups families\">\n");
    w!(
        s,
        "<caption>Role families<span class=\"sub\">At {}, FTE; {}. Each family is the sum of its roles in every \
         run.</span></caption>\n",
        month_label(last),
        if v.det { "one expected-value run" } else { "median of runs, with the 90% interval below" }
    );
    s.push_str(
        "<thead><tr><th scope=\"col\">Family</th><th scope=\"col\" class=\"num\">Supply FTE</th>\
         <th scope=\"col\" class=\"num\">Demand FTE</th><th scope=\"col\" class=\"num\">Gap FTE</th>",
    );
    if !v.det {
        s.push_str("<th scope=\"col\" class=\"num\">Runs in shortfall</th>");
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    let rows = families.iter().map(|g| (g.role.unwrap_or_default(), "family", *g, ""));
    for (label, level, g, class) in rows.chain([("England", "total", TOTAL, " class=\"total\"")]) {
        w!(s, "<tr{class}><th scope=\"row\">{}</th>", esc(label));
        for metric in ["fte", "demand_fte", "gap_fte"] {
            s.push_str(&value_cell(v, v.get(level, g, metric, last)));
        }
        if !v.det {
            let share = v.get(level, g, "gap_fte", last).map(|r| v.share(r)).unwrap_or_else(|| "–".into());
            w!(s, "<td class=\"num\">{}</td>", esc(&share));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");

    let members = v.results.family_members();
    if members.is_empty() {
        s.push_str(
            "<p>Which roles each family sums is not recorded in this folder (its <code>scenario.toml</code> has no \
             <code>families</code> table).</p>\n",
        );
    } else {
        let list: Vec<String> = families
            .iter()
            .filter_map(|g| {
                let family = g.role?;
                let (_, roles) = members.iter().find(|(f, _)| f == family)?;
                Some(format!("<strong>{}</strong>: {}", esc(family), esc(&and_list(roles))))
            })
            .collect();
        w!(s, "<p class=\"family-members\">Which roles are in which family: {}.</p>\n", list.join("; "));
    }
    let mut notes = format!("<p>The families follow {}.", families_source(v));
    let present: Vec<&str> = families.iter().filter_map(|g| g.role).collect();
    let absent: Vec<String> = DDAT_FAMILIES.iter().filter(|f| !present.contains(f)).map(|f| f.to_string()).collect();
    if !absent.is_empty() && present.iter().any(|f| DDAT_FAMILIES.contains(f)) {
        w!(
            notes,
            " No role of this scenario is in the framework's {} {}, so {} no row.",
            esc(&and_list(&absent)),
            if absent.len() == 1 { "family" } else { "families" },
            if absent.len() == 1 { "it has" } else { "they have" }
        );
    }
    if !v.det {
        notes.push_str(" Medians do not add up: a family's median is not the sum of its roles' medians.");
    }
    notes.push_str("</p>\n");
    s.push_str(&notes);
    if let Some((_, roles)) = members.iter().find(|(f, _)| f == UNMAPPED) {
        w!(
            s,
            "<aside class=\"note\" role=\"note\"><p><strong>Roles in no family.</strong> {} {} not in the mapping, so \
             {} counted in the family <em>{UNMAPPED}</em>. To place {}, add {} to a mapping file of \
             <code>role,family</code> and name it in the scenario with <code>families = \"mapping.csv\"</code>.</p></aside>\n",
            esc(&and_list(roles)),
            if roles.len() == 1 { "is" } else { "are" },
            if roles.len() == 1 { "it is" } else { "they are" },
            if roles.len() == 1 { "it" } else { "them" },
            if roles.len() == 1 { "it" } else { "them" },
        );
    }
    s
}

/// The results tables: by role, role family, band and region, where the summary has them.
pub(super) fn tables(v: &View, lvl: usize, idp: &str) -> String {
    let mut s = h(lvl, &format!("{idp}tables"), "Results by role, family, band and region");
    let mut any = false;
    let roles = v.groups("role");
    if !roles.is_empty() {
        any = true;
        let mut by: Vec<(String, Group, f64)> = roles
            .iter()
            .map(|g| {
                let gap = v.get("role", *g, "gap_fte", &v.last).map(|r| v.mid(r)).unwrap_or(f64::NEG_INFINITY);
                (g.role.unwrap_or_default().to_string(), *g, gap)
            })
            .collect();
        by.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        let rows: Vec<(String, Group)> = by.into_iter().map(|(l, g, _)| (l, g)).collect();
        s.push_str(&h(lvl + 1, &format!("{idp}by-role"), "By role"));
        s.push_str(&group_table(v, "role", "Role", &rows, "Roles, largest shortfall first"));
    }
    let bands = v.groups("band");
    if !bands.is_empty() {
        any = true;
        let mut rows: Vec<(String, Group)> =
            bands.iter().map(|g| (format!("Band {}", g.band.unwrap_or_default()), *g)).collect();
        rows.sort_by_key(|(_, g)| g.band.and_then(Band::parse).map(Band::index).unwrap_or(usize::MAX));
        s.push_str(&h(lvl + 1, &format!("{idp}by-band"), "By Agenda for Change band"));
        s.push_str(&group_table(v, "band", "Band", &rows, "AfC bands"));
    }
    let families = v.groups("family");
    if !families.is_empty() {
        any = true;
        s.push_str(&h(lvl + 1, &format!("{idp}by-family"), "By role family"));
        s.push_str(&family_table(v, &families));
    }
    let regions = v.groups("region");
    if !regions.is_empty() {
        any = true;
        let rows: Vec<(String, Group)> =
            regions.iter().map(|g| (g.region.unwrap_or_default().to_string(), *g)).collect();
        s.push_str(&h(lvl + 1, &format!("{idp}by-region"), "By region"));
        s.push_str(&group_table(v, "region", "Region", &rows, "NHS England regions"));
    }
    if !v.groups("organisation").is_empty() {
        any = true;
        s.push_str(&h(lvl + 1, &format!("{idp}by-organisation"), "By organisation"));
        s.push_str(&organisation_table(v));
    }
    if !any {
        s.push_str("<p>The summary has England totals only (run with <code>--levels</code> to add roles, bands and regions).</p>\n");
    }
    s
}
