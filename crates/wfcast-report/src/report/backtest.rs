//! The report of a backtest folder: how the forecast scored against what happened and
//! against two naive benchmarks.
use super::*;
use wfcast_core::backtest;

/// Draws a backtest's charts into `dir/charts` when that folder is missing; returns what was
/// done, as markup for the report (nothing when the folder was there).
pub(super) fn draw_missing_backtest_charts(results: &BacktestResults, dir: &Path) -> Option<String> {
    let charts = dir.join("charts");
    if charts.exists() {
        return None;
    }
    Some(match wfcast_io::export::write_folder(&charts, None, |tmp| chart::write_backtest_charts(results, tmp)) {
        Ok(_) => "The folder had no <code>charts</code>: this report drew them.".to_string(),
        Err(e) => {
            format!("The folder had no <code>charts</code>, and they could not be drawn: {}.", esc(&e.to_string()))
        }
    })
}

/// A MAPE as `2.1%`, or a dash.
pub(super) fn fmt_mape(x: f64) -> String {
    if x.is_finite() { format!("{}%", crate::format::typeset(x, 1)) } else { "–".into() }
}

/// A MASE as `0.85`, or a dash.
pub(super) fn fmt_mase(x: f64) -> String {
    if x.is_finite() { crate::format::typeset(x, 2) } else { "–".into() }
}

/// A backtest's tables, with what the report says about them.
pub(super) struct BacktestView<'a> {
    pub(super) r: &'a BacktestResults,
    /// The roles, in order.
    pub(super) roles: Vec<&'a str>,
    /// The held-out dates, in order.
    pub(super) held_out: Vec<backtest::Point>,
}

impl<'a> BacktestView<'a> {
    pub(super) fn new(r: &'a BacktestResults) -> BacktestView<'a> {
        let roles = r.series().into_iter().filter(|s| *s != backtest::TOTAL).collect();
        let mut held_out: Vec<backtest::Point> =
            r.points.iter().filter(|p| p.series == backtest::TOTAL).cloned().collect();
        held_out.sort_by_key(|p| p.date);
        BacktestView { r, roles, held_out }
    }

    pub(super) fn mape(&self, series: &str, m: Method) -> f64 {
        self.r.score(series, m).map_or(f64::NAN, |s| s.mape)
    }

    /// Whether wfcast's median had a lower MAPE than `other` on `series` (None when either is
    /// missing).
    pub(super) fn beats(&self, series: &str, other: Method) -> Option<bool> {
        let (a, b) = (self.mape(series, Method::Wfcast), self.mape(series, other));
        (a.is_finite() && b.is_finite()).then_some(a < b)
    }

    /// Whether wfcast's median beat both benchmarks on `series`.
    pub(super) fn beats_both(&self, series: &str) -> Option<bool> {
        Some(self.beats(series, Method::Naive)? && self.beats(series, Method::Trend)?)
    }

    /// The series' points, by date.
    pub(super) fn points(&self, series: &str) -> Vec<&'a backtest::Point> {
        let mut pts: Vec<&backtest::Point> = self.r.points.iter().filter(|p| p.series == series).collect();
        pts.sort_by_key(|p| p.date);
        pts
    }

    /// `3 held-out snapshots` and the words for the count.
    pub(super) fn dates_text(&self) -> String {
        let n = self.held_out.len();
        format!("{n} held-out snapshot{}", if n == 1 { "" } else { "s" })
    }
}

/// What wfcast did against the benchmarks on one series, in words, with the MAPEs.
pub(super) fn verdict(v: &BacktestView, series: &str, subject: &str) -> String {
    let (w, n, t) = (v.mape(series, Method::Wfcast), v.mape(series, Method::Naive), v.mape(series, Method::Trend));
    let mapes = format!(
        "a MAPE of {} against {} for no change and {} for the linear trend",
        fmt_mape(w),
        fmt_mape(n),
        fmt_mape(t)
    );
    match (v.beats(series, Method::Naive), v.beats(series, Method::Trend)) {
        (Some(true), Some(true)) => format!("{subject}, wfcast's median beat both benchmarks: {mapes}."),
        (Some(false), Some(false)) => format!("{subject}, wfcast's median beat neither benchmark: {mapes}."),
        (Some(true), Some(false)) => {
            format!("{subject}, wfcast's median beat no change but not the linear trend: {mapes}.")
        }
        (Some(false), Some(true)) => {
            format!("{subject}, wfcast's median beat the linear trend but not no change: {mapes}.")
        }
        _ => format!("{subject}, the methods could not all be scored (no MAPE where an actual was 0): {mapes}."),
    }
}

/// The headline: the verdict on the total and on the roles, and the total's scores.
pub(super) fn backtest_headline(v: &BacktestView) -> String {
    let r = v.r;
    let total = backtest::TOTAL;
    let end = month_label(&r.meta.end);
    let mut s = format!(
        "<section class=\"headline\" id=\"headline\" aria-labelledby=\"headline-h\">\n{}",
        h(2, "headline-h", &format!("Headline: forecasts from {} scored to {end}", month_label(&r.meta.train_until)))
    );
    s.push_str("<div class=\"kpis\">\n");
    for m in Method::ALL {
        let class = if m == Method::Wfcast { "" } else { " benchmark" };
        let score = r.score(total, m);
        let extra = match m {
            Method::Wfcast => "median of runs; MASE ",
            _ => "benchmark; MASE ",
        };
        let sub = format!("{extra}{}", score.map_or("–".into(), |s| fmt_mase(s.mase)));
        s.push_str(&kpi(class, &format!("MAPE on the total: {}", m.label()), &fmt_mape(v.mape(total, m)), "", &sub));
    }
    let cov = r.score(total, Method::Wfcast).and_then(|s| s.coverage_90);
    s.push_str(&kpi(
        "",
        "Actual inside the 90% interval",
        &cov.map_or("–".into(), fmt_pct_whole),
        "",
        &format!("of the {} on the total (nominal 90%)", v.dates_text()),
    ));
    s.push_str("</div>\n");
    let mut text = verdict(v, total, "On the total");
    let scored: Vec<(&str, Option<bool>)> = v.roles.iter().map(|role| (*role, v.beats_both(role))).collect();
    let won: Vec<String> = scored.iter().filter(|(_, b)| *b == Some(true)).map(|(r, _)| r.to_string()).collect();
    let lost: Vec<String> = scored.iter().filter(|(_, b)| *b != Some(true)).map(|(r, _)| r.to_string()).collect();
    let nr = scored.len();
    if nr > 0 {
        w!(text, " By role, it beat both benchmarks on {} of {nr} role{}", won.len(), if nr == 1 { "" } else { "s" });
        if won.is_empty() || lost.is_empty() {
            text.push('.');
        } else if won.len() <= lost.len() {
            w!(text, ": {}.", and_list(&won));
        } else {
            w!(text, "; not on {}.", and_list(&lost));
        }
        let all = r.score(ALL_ROLES, Method::Wfcast);
        if let Some(a) = all {
            w!(
                text,
                " Over all roles, its mean MAPE was {} (no change {}, linear trend {})",
                fmt_mape(a.mape),
                fmt_mape(v.mape(ALL_ROLES, Method::Naive)),
                fmt_mape(v.mape(ALL_ROLES, Method::Trend))
            );
            match a.coverage_90 {
                Some(c) => w!(
                    text,
                    ", and the actual fell inside the 90% interval at {} of the {} role-dates.",
                    fmt_pct_whole(c),
                    a.points
                ),
                None => text.push('.'),
            }
        }
    }
    w!(s, "<p class=\"reading\">{}</p>\n", esc(&text));
    s.push_str(
        "<p>MAPE is the mean absolute percentage error: lower is better. A benchmark is beaten when wfcast's MAPE \
         is lower than the benchmark's.</p>\n",
    );
    s.push_str("</section>\n");
    s
}

/// How to read the scores.
pub(super) fn backtest_guide(v: &BacktestView) -> String {
    let r = v.r;
    let train = month_label(&r.meta.train_until);
    let mut s = h(2, "reading", "How to read the scores");
    w!(
        s,
        "<p>wfcast learnt its rates (leaving, moving up, moving between roles, joining) from the snapshots up to \
         <strong>{train}</strong> only, then projected staff in post from the {train} snapshot, {} times, as if the \
         later snapshots were unknown. Those later snapshots, held out, are what it is scored against. Two naive \
         forecasts are scored beside it, as in forecasting competitions: <strong>no change</strong> (staff in post \
         stays as it was in {train}) and the <strong>linear trend</strong> (the straight line fitted to the \
         training snapshots, carried on). A model worth its complexity should beat both.</p>\n",
        fmt_int(r.meta.runs as f64)
    );
    s.push_str("<dl class=\"facts measures\">\n");
    s.push_str(
        "<dt>MAPE</dt><dd>Mean absolute percentage error of the forecast (wfcast's median) over the held-out \
         snapshots: how far off it was, on average, as a share of the actual staff in post. 0% is perfect; \
         lower is better.</dd>\n",
    );
    s.push_str(
        "<dt>MASE</dt><dd>Mean absolute scaled error: the average error in headcount divided by the average \
         change from one training snapshot to the next. Below 1, the forecast was off by less than a typical \
         year-to-year (snapshot-to-snapshot) change, so it beat a naive one-step forecast; above 1 it did \
         worse.</dd>\n",
    );
    s.push_str(
        "<dt>Coverage</dt><dd>How often the actual value fell inside wfcast's interval: the middle 50% of runs \
         (25th to 75th percentile) and 90% of runs (5th to 95th). Honest intervals cover near 50% and 90%; much \
         less means the model is over-confident, much more that it is too cautious. Only wfcast has \
         intervals.</dd>\n",
    );
    s.push_str("</dl>\n");
    let n = v.held_out.len();
    if n < 5 {
        w!(
            s,
            "<aside class=\"caution\" role=\"note\"><p><strong>Few points.</strong> Each series is scored on {} \
             only: one good or bad year moves its scores a lot, and a coverage figure can only be a multiple of \
             {}. Read them as a first check, not a verdict.</p></aside>\n",
            v.dates_text(),
            if n == 0 { "–".to_string() } else { fmt_pct_whole(1.0 / n as f64) }
        );
    }
    s
}

/// The scores table: series by method.
pub(super) fn scores_table(v: &BacktestView) -> String {
    let r = v.r;
    let mut s = h(2, "scores", "Scores by series and method");
    let mut series: Vec<&str> = r.series();
    for sc in &r.scores {
        if !series.contains(&sc.series.as_str()) {
            series.push(&sc.series);
        }
    }
    s.push_str("<div class=\"table-wrap\"><table class=\"scores\">\n");
    w!(
        s,
        "<caption>Scores over the {} to {}<span class=\"sub\">The lowest MAPE of each series is in bold. {} is \
         the mean of the roles' scores; its coverage is over every role and date.</span></caption>\n",
        esc(&v.dates_text()),
        esc(&month_label(&r.meta.end)),
        esc(ALL_ROLES)
    );
    s.push_str(
        "<thead><tr><th scope=\"col\">Series</th><th scope=\"col\">Method</th><th scope=\"col\" class=\"num\">MAPE</th>\
         <th scope=\"col\" class=\"num\">MASE</th><th scope=\"col\" class=\"num\">Inside 50% interval\
         <small>nominal 50%</small></th><th scope=\"col\" class=\"num\">Inside 90% interval<small>nominal 90%</small></th>\
         <th scope=\"col\" class=\"num\">Points</th></tr></thead>\n",
    );
    for name in series {
        let rows: Vec<&backtest::Score> = Method::ALL.iter().filter_map(|m| r.score(name, *m)).collect();
        if rows.is_empty() {
            continue;
        }
        let best = rows.iter().map(|sc| sc.mape).filter(|m| m.is_finite()).fold(f64::INFINITY, f64::min);
        let class = if name == ALL_ROLES { " class=\"total\"" } else { "" };
        w!(s, "<tbody{class}>\n");
        for (i, sc) in rows.iter().enumerate() {
            let row_class = if sc.method == Method::Wfcast { " class=\"model\"" } else { "" };
            w!(s, "<tr{row_class}>");
            if i == 0 {
                w!(s, "<th scope=\"rowgroup\" rowspan=\"{}\">{}</th>", rows.len(), esc(name));
            }
            let mape = fmt_mape(sc.mape);
            let mape = if sc.mape == best { format!("<strong>{mape}</strong>") } else { mape };
            let cov = |c: Option<f64>| c.map_or("–".to_string(), fmt_pct_whole);
            w!(
                s,
                "<td>{}</td><td class=\"num\">{mape}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                esc(sc.method.label()),
                fmt_mase(sc.mase),
                cov(sc.coverage_50),
                cov(sc.coverage_90),
                sc.points
            );
        }
        s.push_str("</tbody>\n");
    }
    s.push_str("</table></div>\n");
    s
}

/// The reading of one series' chart: how it scored, and the last date.
pub(super) fn backtest_reading(v: &BacktestView, series: &str) -> String {
    let pts = v.points(series);
    if pts.is_empty() {
        return "This series has no held-out snapshots to score.".into();
    }
    let n = pts.len();
    let inside = |lo: usize, hi: usize| pts.iter().filter(|p| p.p[lo] <= p.actual && p.actual <= p.p[hi]).count();
    let mut t = verdict(v, series, &format!("Over the {}", v.dates_text()));
    w!(
        t,
        " The actual fell inside the 90% interval at {} of {n} dates and inside the 50% interval at {}.",
        inside(0, 4),
        inside(1, 3)
    );
    if let Some(last) = pts.last() {
        w!(
            t,
            " In {} staff in post was {} against a median forecast of {} (90% interval {} to {}); no change said {} \
             and the linear trend {}.",
            month_label(&last.date.to_string()),
            fmt_int(last.actual),
            fmt_int(last.p[2]),
            fmt_int(last.p[0]),
            fmt_int(last.p[4]),
            fmt_int(last.naive),
            fmt_int(last.trend)
        );
    }
    t
}

/// The charts: the total, then each role.
pub(super) fn backtest_charts(v: &BacktestView, dir: &Path, note: Option<&str>) -> String {
    let mut s = h(2, "charts", "Charts");
    if let Some(note) = note {
        w!(s, "<aside class=\"note\" role=\"note\"><p>{note}</p></aside>\n");
    }
    s.push_str(
        "<p>Each chart shows staff in post at every snapshot (filled dots: training; hollow dots: held out), \
         wfcast's forecast from the training date (its median line, and the middle 50% and 90% of runs shaded) \
         and the two benchmarks (dashed).</p>\n",
    );
    let mut figs = Figures { n: 0, backtest: true };
    let mut shown = Vec::new();
    let file = |series: &str| format!("{}.svg", chart::backtest_stem(series));
    let total = backtest::TOTAL;
    s.push_str(&figs.figure(
        dir,
        &file(total),
        "All staff: forecast against what happened",
        &backtest_reading(v, total),
        "",
    ));
    shown.push(file(total));
    if !v.roles.is_empty() {
        s.push_str(&h(3, "role-charts", "By role"));
        s.push_str("<div class=\"chart-grid\">\n");
        for role in &v.roles {
            let title = format!("{role}: forecast against what happened");
            s.push_str(&figs.figure(dir, &file(role), &title, &backtest_reading(v, role), ""));
            shown.push(file(role));
        }
        s.push_str("</div>\n");
    }
    let others = other_charts(dir, &shown);
    if !others.is_empty() {
        s.push_str(&h(3, "other-charts", "Other charts"));
        for f in others {
            let title = f.trim_end_matches(".svg").replace(['_', '-'], " ");
            s.push_str(&figs.figure(dir, &f, &title, "A further chart drawn for this backtest.", ""));
        }
    }
    s
}

/// A text file of the folder shown collapsed, or a sentence saying it is missing.
pub(super) fn collapsed_file(dir: &Path, name: &str, summary: &str) -> String {
    match std::fs::read_to_string(dir.join(name)) {
        Ok(text) => format!(
            "<details>\n<summary>{} (<code>{}</code>)</summary>\n<pre><code>{}</code></pre>\n</details>\n",
            esc(summary),
            esc(name),
            esc(text.trim_end())
        ),
        Err(_) => format!("<p><code>{}</code> was not found in the backtest's folder.</p>\n", esc(name)),
    }
}

/// The calibration (and scenario) the forecast ran with.
pub(super) fn backtest_calibration(r: &BacktestResults, dir: &Path) -> String {
    let mut s = h(2, "calibration", "Calibration used");
    w!(
        s,
        "<p>The rates wfcast learnt from the training snapshots (to {}), {}, with their uncertainty: the forecast \
         drew them afresh in every run. Open to read them.</p>\n",
        esc(&month_label(&r.meta.train_until)),
        if r.meta.by_region { "per role, band and region" } else { "per role and band, summed over regions" }
    );
    s.push_str(&collapsed_file(dir, "calibration.toml", "The calibration"));
    s.push_str(&collapsed_file(dir, "scenario.toml", "The scenario that was run"));
    s
}

/// The `wfcast backtest` command line that reproduces a backtest.
pub(super) fn reproduce_backtest(meta: &backtest::BacktestMeta) -> String {
    let mut cmd = format!("wfcast backtest {}", shell_word(&meta.history.path));
    if let Some(f) = &meta.flows {
        w!(cmd, " --flows {}", shell_word(&f.path));
    }
    w!(cmd, " --train-until {} --runs {} --seed {}", meta.train_until, meta.runs, meta.seed);
    if meta.by_region {
        cmd.push_str(" --by-region");
    }
    cmd
}

pub(super) fn backtest_provenance(r: &BacktestResults, dir: &Path) -> String {
    let m = &r.meta;
    let mut s = h(2, "provenance", "Provenance: how to reproduce these numbers");
    w!(
        s,
        "<dl class=\"facts\">\n<dt>History</dt><dd><code>{}</code></dd>\n<dt>Flows</dt><dd>{}</dd>\n\
         <dt>Trained to</dt><dd>{} (<code>{}</code>)</dd>\n<dt>Scored to</dt><dd>{} (<code>{}</code>)</dd>\n\
         <dt>Runs</dt><dd>{}</dd>\n<dt>Seed</dt><dd>{}</dd>\n<dt>By region</dt><dd>{}</dd>\n\
         <dt>Made by</dt><dd>wfcast {}</dd>\n</dl>\n",
        esc(&m.history.path),
        m.flows.as_ref().map_or("none".to_string(), |f| format!("<code>{}</code>", esc(&f.path))),
        esc(&month_label(&m.train_until)),
        esc(&m.train_until),
        esc(&month_label(&m.end)),
        esc(&m.end),
        fmt_int(m.runs as f64),
        m.seed,
        if m.by_region { "yes: rates calibrated per region" } else { "no: rates summed over regions" },
        esc(&m.version)
    );
    let mut files = vec![(m.history.path.clone(), "snapshots of staff in post".to_string(), m.history.sha256.clone())];
    if let Some(f) = &m.flows {
        files.push((f.path.clone(), "flow counts".into(), f.sha256.clone()));
    }
    s.push_str("<p>The files the backtest read, with their SHA-256 (paths as given to wfcast):</p>\n");
    s.push_str(&file_rows(&files));
    let own = result_files(dir, &["meta.json", "backtest.csv", "scores.csv", "calibration.toml", "scenario.toml"]);
    if !own.is_empty() {
        s.push_str("<p>The results this report was made from:</p>\n");
        s.push_str(&file_rows(&own));
    }
    w!(
        s,
        "<p>To reproduce the backtest, from the folder it was made in, with wfcast {}:</p>\n<p><code>{}</code></p>\n",
        esc(&m.version),
        esc(&reproduce_backtest(m))
    );
    s
}

/// The report of a backtest folder (`dir` holds its `charts/`, `calibration.toml` and
/// `scenario.toml`), as a complete HTML page: whether wfcast beat the benchmarks, the scores,
/// the charts, the calibration used and the provenance.
pub fn backtest_html(results: &BacktestResults, dir: &Path) -> String {
    backtest_page(results, dir, None)
}

/// [`backtest_html`] with a note (markup) on how the charts were found.
pub(super) fn backtest_page(r: &BacktestResults, dir: &Path, note: Option<&str>) -> String {
    let v = BacktestView::new(r);
    let m = &r.meta;
    let (train, end) = (month_label(&m.train_until), month_label(&m.end));
    let title = format!("Backtest: trained to {train}, scored to {end}");
    let mut body = format!(
        "<header class=\"masthead\"><div class=\"inner\">\n<p class=\"kicker\">Workforce forecast · backtest</p>\n\
         <h1>{}</h1>\n<p class=\"run\">History <code>{}</code> · {} stochastic runs, seed {} · wfcast {}</p>\n\
         </div></header>\n<main>\n",
        esc(&title),
        esc(&m.history.path),
        fmt_int(m.runs as f64),
        m.seed,
        esc(&m.version)
    );
    w!(
        body,
        "<p>How well would wfcast have forecast staff in post? Calibrated on the snapshots to {}, it forecast the \
         {} that followed, to {}; this report scores those forecasts against what happened, beside two naive \
         benchmarks.</p>\n",
        esc(&train),
        esc(&v.dates_text()),
        esc(&end)
    );
    body.push_str(&toc(&[
        ("headline".into(), "Headline".into()),
        ("reading".into(), "How to read the scores".into()),
        ("scores".into(), "Scores by series and method".into()),
        ("charts".into(), "Charts".into()),
        ("calibration".into(), "Calibration used".into()),
        ("provenance".into(), "Provenance".into()),
    ]));
    body.push_str(&backtest_headline(&v));
    body.push_str(&backtest_guide(&v));
    body.push_str(&scores_table(&v));
    body.push_str(&backtest_charts(&v, dir, note));
    body.push_str(&backtest_calibration(r, dir));
    body.push_str(&backtest_provenance(r, dir));
    body.push_str("</main>\n");
    page(&format!("{title} – wfcast report"), &body)
}
