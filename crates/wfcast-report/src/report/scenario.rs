//! The report of one scenario: its headline, how to read it, and the page that holds its
//! sections.
use super::*;

pub(super) fn run_line(meta: &Meta) -> String {
    let det = meta.mode == "deterministic";
    format!(
        "{} · {} · {} to {}",
        if det {
            "one deterministic (expected-value) run".to_string()
        } else {
            format!("{} stochastic runs, seed {}", fmt_int(meta.runs as f64), meta.seed)
        },
        format_args!("wfcast {}", meta.version),
        month_label(&meta.start),
        month_label(&meta.end)
    )
}

/// The 'how to read the numbers' section.
pub(super) fn reading_guide(det: bool, runs: u64, lvl: usize, idp: &str) -> String {
    let mut s = h(lvl, &format!("{idp}reading"), "How to read the numbers");
    if det {
        s.push_str(
            "<p>This is a <strong>deterministic</strong> run: every assumption is at its mean and every flow at its \
             expected value. It shows one path and <strong>no uncertainty</strong>; run the scenario without \
             <code>--deterministic</code> to see how far the future could range.</p>\n",
        );
    } else {
        w!(
            s,
            "<p>The model simulated {} possible futures (<em>runs</em>). Each figure is the <strong>median</strong> of \
             the runs: half came out above it, half below. The <strong>90% interval</strong> runs from the 5th to the \
             95th percentile: 90 runs in 100 fell inside it. The runs differ because each uncertain assumption \
             (written below as a mean and sd, or as a 90% interval) is drawn afresh for every run, and because who \
             leaves, moves up, transfers and joins is random within a run.</p>\n",
            fmt_int(runs as f64)
        );
        s.push_str(
            "<p><strong>Gap</strong> is demand minus supply in <abbr title=\"full-time equivalent\">FTE</abbr>: a \
             positive gap is a shortfall (demand not met by staff in post), a negative gap a surplus. The \
             <strong>share of runs in shortfall</strong> is the share of runs whose gap was above zero. Medians do \
             not add up: the median gap is not exactly median demand minus median supply, and the roles' medians do \
             not sum to England's. Flows of joiners and leavers are averages over the runs, which do add up.</p>\n",
        );
        s.push_str(
            "<aside class=\"caution\" role=\"note\"><p><strong>What the intervals leave out.</strong> They cover only \
             the uncertainty the scenario describes. Assumptions written as single numbers are treated as known; \
             errors in the baseline extract, changes in policy, pay or the labour market that the scenario does not \
             describe, and the model's own simplifications are not in them. Read them as the least uncertainty \
             there is, not the most.</p>",
        );
        if runs < 200 {
            w!(
                s,
                "<p>With only {} runs, the ends of each interval rest on a handful of runs: rerun with more (for \
                 example <code>--runs 1000</code>) before quoting them.</p>",
                fmt_int(runs as f64)
            );
        }
        s.push_str("</aside>\n");
    }
    s
}

/// The headline box: England at the last date, and at each reporting date.
pub(super) fn headline(v: &View, lvl: usize, idp: &str) -> String {
    let last = &v.last;
    let mut s = format!(
        "<section class=\"headline\" id=\"{idp}headline\" aria-labelledby=\"{idp}headline-h\">\n{}",
        h(lvl, &format!("{idp}headline-h"), &format!("Headline: England at {}", month_label(last)))
    );
    let (sup, dem, gap) = (v.total("fte", last), v.total("demand_fte", last), v.total("gap_fte", last));
    let int = |r: Option<&Row>| match r {
        Some(r) if !v.det => format!("90% interval {}", v.interval(r)),
        Some(_) => "one expected-value run".into(),
        None => "not in the summary".into(),
    };
    let val = |r: Option<&Row>| r.map(|r| fmt_int(v.mid(r))).unwrap_or_else(|| "–".into());
    s.push_str("<div class=\"kpis\">\n");
    s.push_str(&kpi("", "Supply: staff in post", &val(sup), "FTE", &int(sup)));
    s.push_str(&kpi("", "Demand: posts needed", &val(dem), "FTE", &int(dem)));
    s.push_str(&kpi(" gap", "Gap: demand − supply", &val(gap), "FTE", &int(gap)));
    if !v.det {
        let share = gap.map(|g| v.share(g)).unwrap_or_else(|| "–".into());
        s.push_str(&kpi(
            " gap",
            "Runs in shortfall",
            &share,
            "",
            &format!("of {} runs had demand above supply", fmt_int(v.meta().runs as f64)),
        ));
    }
    s.push_str("</div>\n");
    if let Some(text) = gap_sentence(v, "total", TOTAL, None, last) {
        w!(s, "<p class=\"reading\">{}</p>\n", esc(&text));
    }
    // At each reporting date.
    s.push_str("<div class=\"table-wrap\"><table class=\"by-date\">\n");
    w!(
        s,
        "<caption>England at each reporting date<span class=\"sub\">FTE; {}</span></caption>\n",
        if v.det { "one expected-value run" } else { "median of runs, with the 90% interval below" }
    );
    s.push_str(
        "<thead><tr><th scope=\"col\">Date</th><th scope=\"col\" class=\"num\">Supply</th>\
         <th scope=\"col\" class=\"num\">Demand</th><th scope=\"col\" class=\"num\">Gap</th>",
    );
    if !v.det {
        s.push_str("<th scope=\"col\" class=\"num\">Runs in shortfall</th>");
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for (i, d) in v.dates().iter().enumerate() {
        let cell = |m: &str| match v.total(m, d) {
            Some(r) if v.det || i == 0 => format!("<td class=\"num\">{}</td>", fmt_int(v.mid(r))),
            Some(r) => {
                format!("<td class=\"num\">{}<small>{}</small></td>", fmt_int(v.mid(r)), esc(&v.interval(r)))
            }
            None => "<td class=\"num\">–</td>".into(),
        };
        let label = if i == 0 { format!("{} (baseline)", month_label(d)) } else { month_label(d) };
        w!(s, "<tr><th scope=\"row\">{}</th>{}{}{}", esc(&label), cell("fte"), cell("demand_fte"), cell("gap_fte"));
        if !v.det {
            let p = v.total("gap_fte", d).map(|g| v.share(g)).unwrap_or_else(|| "–".into());
            w!(s, "<td class=\"num\">{}</td>", esc(&p));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n</section>\n");
    s
}

/// The body sections of one scenario (headline, reading guide, charts, tables, assumptions,
/// provenance), with headings from level `lvl` and ids prefixed by `idp`.
pub(super) fn scenario_sections(
    v: &View,
    dir: &Path,
    figs: &mut Figures,
    lvl: usize,
    idp: &str,
    guide: bool,
) -> String {
    let mut s = headline(v, lvl, idp);
    if guide {
        s.push_str(&reading_guide(v.det, v.meta().runs, lvl, idp));
    }
    s.push_str(&charts(v, dir, figs, lvl, idp));
    s.push_str(&tables(v, lvl, idp));
    s.push_str(&assumptions(v, lvl, idp));
    s.push_str(&provenance(v, dir, lvl, idp));
    s
}

/// The report of one scenario folder (`dir` holds its `charts/`), as a complete HTML page.
pub fn scenario_html(results: &Results, dir: &Path) -> String {
    let v = View::new(results);
    let meta = &results.meta;
    let mut body = format!(
        "<header class=\"masthead\"><div class=\"inner\">\n<p class=\"kicker\">Workforce forecast · NHS digital, data \
         and technology</p>\n<h1>{}</h1>\n<p class=\"run\">Scenario <code>{}</code> · {}</p>\n</div></header>\n<main>\n",
        esc(&meta.title),
        esc(&meta.scenario),
        esc(&run_line(meta))
    );
    body.push_str("<div class=\"description\">\n");
    body.push_str(&paragraphs(&meta.description));
    body.push_str("</div>\n");
    if v.illustrative() {
        body.push_str(&illustrative_note());
    }
    body.push_str(&toc(&[
        ("headline".into(), "Headline".into()),
        ("reading".into(), "How to read the numbers".into()),
        ("charts".into(), "Charts".into()),
        ("tables".into(), "Results by role, family, band and region".into()),
        ("assumptions".into(), "Assumptions".into()),
        ("provenance".into(), "Provenance".into()),
    ]));
    let mut figs = Figures { n: 0, redraw: REDRAW_PLOT };
    body.push_str(&scenario_sections(&v, dir, &mut figs, 2, "", true));
    body.push_str("</main>\n");
    body.push_str(&footer());
    page(&format!("{} – wfcast report", meta.title), &body)
}
