//! The report of a comparison folder: the scenarios side by side, then each one's sections.
use super::*;

/// A scenario's own output folder inside a comparison folder: `<dir>/<name>`, or the
/// subfolder whose `meta.json` names it.
pub(super) fn scenario_subdir(dir: &Path, name: &str) -> Option<PathBuf> {
    let direct = dir.join(name);
    if direct.join("meta.json").is_file() {
        return Some(direct);
    }
    let read = std::fs::read_dir(dir).ok()?;
    read.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
        std::fs::read_to_string(p.join("meta.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Meta>(&t).ok())
            .is_some_and(|m| m.scenario == name)
    })
}

/// The comparison's rows of one series at one date, by scenario name.
pub(super) fn cmp_rows<'c>(
    c: &'c Comparison,
    level: &str,
    g: Group,
    metric: &str,
    date: &str,
) -> Vec<&'c ComparisonRow> {
    c.rows
        .iter()
        .filter(|r| {
            r.row.level == level
                && r.row.metric == metric
                && r.row.date == date
                && r.row.role.as_deref() == g.role
                && r.row.band.as_deref() == g.band
                && r.row.region.as_deref() == g.region
        })
        .collect()
}

pub(super) fn cmp_row<'c>(c: &'c Comparison, scenario: &str, metric: &str, date: &str) -> Option<&'c ComparisonRow> {
    cmp_rows(c, "total", TOTAL, metric, date).into_iter().find(|r| r.scenario == scenario)
}

/// A short name for a scenario in tables and sentences: its title up to the first colon
/// (`Grow our own` for `Grow our own: more graduates...`), or the whole title.
pub(super) fn short_title(m: &Meta) -> String {
    match m.title.split_once(':') {
        Some((head, _)) if !head.trim().is_empty() => head.trim().to_string(),
        _ => m.title.clone(),
    }
}

/// A difference in words: `2,300 FTE smaller` or `150 FTE larger`.
pub(super) fn more_less(x: f64, less: &str, more: &str) -> String {
    if x < 0.0 { format!("{} FTE {less}", fmt_int(-x)) } else { format!("{} FTE {more}", fmt_int(x)) }
}

/// What the comparison's sections share: the scenarios, the last date and the reference.
struct Cmp<'c> {
    c: &'c Comparison,
    names: Vec<&'c str>,
    first: Option<&'c Meta>,
    last: String,
    when: String,
    runs: u64,
    seed: u64,
    titles: Vec<String>,
    reference: String,
    others: &'c [Meta],
}

/// The report of a comparison folder, as a complete HTML page: the scenarios side by side,
/// the comparison charts, then each scenario's own sections (read from its subfolder of
/// `dir`).
pub fn comparison_html(c: &Comparison, dir: &Path) -> String {
    let names: Vec<&str> = c.scenarios.iter().map(|m| m.scenario.as_str()).collect();
    let first = c.scenarios.first();
    let last = first
        .and_then(|m| m.report_dates.last().cloned())
        .or_else(|| c.rows.iter().map(|r| r.row.date.clone()).max())
        .unwrap_or_default();
    let when = month_label(&last);
    let runs = first.map(|m| m.runs).unwrap_or(0);
    let seed = first.map(|m| m.seed).unwrap_or(0);
    let titles: Vec<String> = c.scenarios.iter().map(short_title).collect();
    let title = format!("Comparing scenarios: {}", and_list(&titles));
    let reference = titles.first().cloned().unwrap_or_default();
    let others = &c.scenarios[c.scenarios.len().min(1)..];
    let x = Cmp { c, names, first, last, when, runs, seed, titles, reference, others };
    let (first, runs, seed, when, titles) = (x.first, x.runs, x.seed, x.when.as_str(), &x.titles);
    // Each scenario's own results, from its subfolder.
    let subs: Vec<(Meta, Option<(Results, PathBuf)>)> = c
        .scenarios
        .iter()
        .map(|m| {
            let loaded =
                scenario_subdir(dir, &m.scenario).and_then(|d| wfcast_io::results::load(&d).ok().map(|r| (r, d)));
            (m.clone(), loaded)
        })
        .collect();
    let illustrative = c.scenarios.iter().any(|m| m.baseline.sha256 == SHIPPED_SEED_SHA256);
    let mut body = format!(
        "<header class=\"masthead\"><div class=\"inner\">\n<p class=\"kicker\">Workforce forecast · scenario \
         comparison</p>\n<h1>{}</h1>\n<p class=\"run\">{} scenarios · {} runs each with common random numbers, seed \
         {} · to {}</p>\n</div></header>\n<main>\n",
        esc(&title),
        c.scenarios.len(),
        fmt_int(runs as f64),
        seed,
        esc(when)
    );
    w!(
        body,
        "<p>Every scenario was run with the same seed and run numbers, so where two scenarios share an assumption \
         they share its random draws: differences between them come from what the scenarios change, not from \
         chance. The first scenario, <strong>{}</strong>, is the reference; differences are each scenario minus \
         the reference, run by run.</p>\n",
        esc(titles.first().map(String::as_str).unwrap_or(""))
    );
    body.push_str("<ol class=\"scenarios\">\n");
    for m in &c.scenarios {
        w!(
            body,
            "<li><strong>{}</strong> (<code>{}</code>): {}</li>\n",
            esc(&short_title(m)),
            esc(&m.scenario),
            esc(&m.title)
        );
    }
    body.push_str("</ol>\n");
    if illustrative {
        body.push_str(&illustrative_note());
    }
    let det = first.is_some_and(|m| m.mode == "deterministic");
    let mut toc_items = vec![
        ("reading".to_string(), "How to read the numbers".to_string()),
        ("headline".to_string(), "Headline: the scenarios side by side".to_string()),
        ("differences".to_string(), "Differences from the reference".to_string()),
        ("compare-charts".to_string(), "Comparison charts".to_string()),
    ];
    for (i, m) in c.scenarios.iter().enumerate() {
        toc_items.push((format!("s{}-{}", i + 1, slug(&m.scenario)), format!("Scenario {}: {}", i + 1, m.title)));
    }
    toc_items.push(("provenance".into(), "Provenance".into()));
    body.push_str(&toc(&toc_items));
    body.push_str(&reading_guide(det, runs, 2, ""));

    body.push_str(&headline_tables(&x));
    body.push_str(&differences(&x));
    let mut figs = Figures::plot();
    body.push_str(&comparison_charts(&x, dir, &mut figs));
    // Each scenario in its own section.
    for (i, (m, loaded)) in subs.iter().enumerate() {
        let idp = format!("s{}-{}", i + 1, slug(&m.scenario));
        w!(body, "<section class=\"scenario\" aria-labelledby=\"{}\">\n", esc(&idp));
        body.push_str(&h(2, &idp, &format!("Scenario {}: {}", i + 1, m.title)));
        for p in paragraphs(&m.description) {
            w!(body, "<p>{}</p>\n", esc(&p));
        }
        match loaded {
            Some((results, sub)) => {
                let v = View::new(results);
                body.push_str(&scenario_sections(&v, sub, &mut figs, 3, &format!("{idp}-"), false));
            }
            None => w!(
                body,
                "<p>This scenario's own results were not found in <code>{}</code>: its assumptions and charts are not \
                 available.</p>\n",
                esc(&dir.join(&m.scenario).display().to_string())
            ),
        }
        body.push_str("</section>\n");
    }

    body.push_str(&comparison_provenance(&x, dir));
    body.push_str("</main>\n");
    page(&format!("{title} – wfcast report"), &body)
}

/// The headline tables: England at the last date and the gap at each date, one column per scenario.
fn headline_tables(x: &Cmp) -> String {
    let c = x.c;
    let names = &x.names;
    let first = x.first;
    let last = x.last.as_str();
    let when = x.when.as_str();
    let mut body = String::new();
    // Headline table: one column per scenario.
    body.push_str(&h(2, "headline", &format!("Headline: England at {when}, scenario by scenario")));
    body.push_str(
        "<p>Medians of the runs, with 90% intervals below; gap is demand minus supply (positive is a shortfall).</p>\n",
    );
    let head = |first_col: &str| {
        let mut t = format!("<thead><tr><th scope=\"col\">{}</th>", esc(first_col));
        for m in &c.scenarios {
            w!(t, "<th scope=\"col\" class=\"num\">{}</th>", esc(&short_title(m)));
        }
        t.push_str("</tr></thead>\n");
        t
    };
    let mut t = String::from("<div class=\"table-wrap\"><table class=\"compare\">\n");
    w!(t, "<caption>England at {}</caption>\n{}<tbody>\n", esc(when), head("FTE"));
    for (label, metric) in [("Supply", "fte"), ("Demand", "demand_fte"), ("Gap", "gap_fte")] {
        w!(t, "<tr><th scope=\"row\">{label}</th>");
        for n in names {
            t.push_str(&interval_cell(cmp_row(c, n, metric, last).map(|r| &r.row.p), fmt_int))
        }
        t.push_str("</tr>\n");
    }
    t.push_str("<tr><th scope=\"row\">Runs in shortfall</th>");
    for n in names {
        let p = cmp_row(c, n, "gap_fte", last).and_then(|r| r.row.p_shortfall).map(fmt_share);
        w!(t, "<td class=\"num\">{}</td>", esc(&p.unwrap_or_else(|| "–".into())));
    }
    t.push_str("</tr>\n");
    if names.iter().any(|n| cmp_row(c, n, "cost_gbp", last).is_some()) {
        t.push_str("<tr><th scope=\"row\">Pay bill a year</th>");
        for n in names {
            t.push_str(&interval_cell(cmp_row(c, n, "cost_gbp", last).map(|r| &r.row.p), fmt_money))
        }
        t.push_str("</tr>\n");
    }
    t.push_str("</tbody></table></div>\n");
    body.push_str(&t);

    // The gap at each date.
    let dates: Vec<String> = first.map(|m| m.report_dates.clone()).unwrap_or_default();
    if !dates.is_empty() {
        let mut t = String::from("<div class=\"table-wrap\"><table class=\"compare\">\n");
        w!(
            t,
            "<caption>England gap at each reporting date<span class=\"sub\">FTE; median, 90% interval below</span></caption>\n{}<tbody>\n",
            head("Date")
        );
        for d in &dates {
            w!(t, "<tr><th scope=\"row\">{}</th>", esc(&month_label(d)));
            for n in names {
                t.push_str(&interval_cell(cmp_row(c, n, "gap_fte", d).map(|r| &r.row.p), fmt_int))
            }
            t.push_str("</tr>\n");
        }
        t.push_str("</tbody></table></div>\n");
        body.push_str(&t);
    }

    body
}

/// Each scenario minus the reference, run by run.
fn differences(x: &Cmp) -> String {
    let c = x.c;
    let last = x.last.as_str();
    let when = x.when.as_str();
    let reference = x.reference.as_str();
    let others = x.others;
    let mut body = String::new();
    // Differences from the first.
    body.push_str(&h(2, "differences", &format!("Differences from {reference}")));
    w!(
        body,
        "<p>Each scenario minus <strong>{}</strong>, run by run: the median difference, its 90% interval, and the \
         share of runs in which the scenario's gap is smaller than the reference's. A negative gap difference is a \
         smaller shortfall.</p>\n",
        esc(reference)
    );
    if others.is_empty() {
        body.push_str("<p>There is only one scenario: nothing to compare.</p>\n");
    } else {
        let mut t = String::from("<div class=\"table-wrap\"><table class=\"compare\">\n");
        w!(
            t,
            "<caption>Difference from {} at {}<span class=\"sub\">FTE; median difference, 90% interval below</span></caption>\n<thead><tr><th scope=\"col\">Difference</th>",
            esc(reference),
            esc(when)
        );
        for m in others {
            w!(t, "<th scope=\"col\" class=\"num\">{}</th>", esc(&short_title(m)));
        }
        t.push_str("</tr></thead>\n<tbody>\n");
        for (label, metric) in [("Supply", "fte"), ("Demand", "demand_fte"), ("Gap", "gap_fte")] {
            w!(t, "<tr><th scope=\"row\">{label}</th>");
            for m in others {
                t.push_str(&interval_cell(
                    cmp_row(c, &m.scenario, metric, last).and_then(|r| r.diff.as_ref()).map(|d| &d.p),
                    fmt_int,
                ))
            }
            t.push_str("</tr>\n");
        }
        t.push_str("<tr><th scope=\"row\">Runs with a smaller gap</th>");
        for m in others {
            let p = cmp_row(c, &m.scenario, "gap_fte", last)
                .and_then(|r| r.diff.as_ref())
                .and_then(|d| d.p_gap_smaller)
                .map(fmt_share);
            w!(t, "<td class=\"num\">{}</td>", esc(&p.unwrap_or_else(|| "–".into())));
        }
        t.push_str("</tr>\n</tbody></table></div>\n");
        body.push_str(&t);
    }

    body
}

/// The comparison charts, each with its reading.
fn comparison_charts(x: &Cmp, dir: &Path, figs: &mut Figures) -> String {
    let c = x.c;
    let last = x.last.as_str();
    let when = x.when.as_str();
    let reference = x.reference.as_str();
    let others = x.others;
    let mut body = String::new();
    // Comparison charts.
    body.push_str(&h(2, "compare-charts", "Comparison charts"));
    let gaps: Vec<String> = c
        .scenarios
        .iter()
        .filter_map(|m| {
            cmp_row(c, &m.scenario, "gap_fte", last).map(|r| {
                format!(
                    "{} FTE under {} (90% interval {} to {})",
                    fmt_int(r.row.p[2]),
                    short_title(m),
                    fmt_int(r.row.p[0]),
                    fmt_int(r.row.p[4])
                )
            })
        })
        .collect();
    let gap_reading = if gaps.is_empty() {
        "The England gap is not in the comparison table.".to_string()
    } else {
        format!("By {when} the England gap is {}.", and_list(&gaps))
    };
    body.push_str(&figs.figure(dir, "compare_gap.svg", "England gap under each scenario", &gap_reading, ""));

    // By role: where each scenario moves the gap most.
    let mut role_bits = Vec::new();
    for m in others {
        let best = c
            .rows
            .iter()
            .filter(|r| {
                r.scenario == m.scenario && r.row.level == "role" && r.row.metric == "gap_fte" && r.row.date == last
            })
            .filter_map(|r| r.diff.as_ref().map(|d| (r.row.role.clone().unwrap_or_default(), d)))
            .max_by(|a, b| a.1.p[2].abs().total_cmp(&b.1.p[2].abs()));
        if let Some((role, d)) = best {
            role_bits.push(format!(
                "{} changes the gap most for {role}: {} (90% interval {} to {})",
                short_title(m),
                more_less(d.p[2], "smaller", "larger"),
                fmt_int(d.p[0]),
                fmt_int(d.p[4])
            ));
        }
    }
    let role_reading = if role_bits.is_empty() {
        format!("The gap by role at {when}, scenario by scenario.")
    } else {
        format!("Against {reference}, by {when}: {}.", role_bits.join("; "))
    };
    body.push_str(&figs.figure(dir, "compare_gap_by_role.svg", "Gap by role under each scenario", &role_reading, ""));

    let mut diff_bits = Vec::new();
    for m in others {
        if let Some(r) = cmp_row(c, &m.scenario, "gap_fte", last)
            && let Some(d) = &r.diff
        {
            let mut t = format!(
                "{} has a gap {} than {reference} (90% interval of the difference {} to {})",
                short_title(m),
                more_less(d.p[2], "smaller", "larger"),
                fmt_int(d.p[0]),
                fmt_int(d.p[4])
            );
            if let Some(p) = d.p_gap_smaller {
                w!(t, ", and a smaller gap in {} of runs", fmt_share(p));
            }
            diff_bits.push(t);
        }
    }
    let diff_reading = if diff_bits.is_empty() {
        "The run-by-run differences are not in the comparison table.".to_string()
    } else {
        format!("By {when}, {}.", diff_bits.join("; "))
    };
    body.push_str(&figs.figure(
        dir,
        "compare_difference.svg",
        &format!("Difference in the England gap from {reference}"),
        &diff_reading,
        "",
    ));
    let shown: Vec<String> = ["compare_gap.svg", "compare_gap_by_role.svg", "compare_difference.svg"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for file in other_charts(dir, &shown) {
        let t = file.trim_end_matches(".svg").replace(['_', '-'], " ");
        body.push_str(&figs.figure(dir, &file, &t, "A further chart drawn for this comparison.", ""));
    }

    body
}

/// How to reproduce the comparison.
fn comparison_provenance(x: &Cmp, dir: &Path) -> String {
    let c = x.c;
    let first = x.first;
    let runs = x.runs;
    let seed = x.seed;
    let mut body = String::new();
    // Provenance of the comparison.
    body.push_str(&h(2, "provenance", "Provenance of the comparison"));
    let files: Vec<String> = c.scenarios.iter().map(|m| shell_word(&m.file)).collect();
    let mut cmd = format!("wfcast compare {} --seed {seed} --runs {runs}", files.join(" "));
    if let Some(m) = first
        && !m.levels.is_empty()
        && !default_levels(&m.levels)
    {
        w!(cmd, " --levels {}", m.levels.join(","));
    }
    w!(
        body,
        "<p>Comparison <code>{}</code>, made by wfcast {}. Each scenario's files and their SHA-256 are listed in its \
         own provenance section above. To reproduce, from the folder the comparison was made in:</p>\n<p><code>{}</code></p>\n",
        esc(&c.name),
        esc(first.map(|m| m.version.as_str()).unwrap_or(env!("CARGO_PKG_VERSION"))),
        esc(&cmd)
    );
    let own = result_files(dir, &["comparison.json", "comparison.csv"]);
    if !own.is_empty() {
        body.push_str(&file_rows(&own));
    }

    body
}
