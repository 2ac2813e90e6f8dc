//! The report of a backtest folder: how the forecast scored against what happened and
//! against two naive benchmarks.
use super::html::{FileRow, Kpi, TocItem, page, render, result_files};
use super::svg::{ChartFiles, Figures};
use super::text::{and_list, shell_word};
use crate::chart;
use crate::format::{fmt_mase, fmt_pct_whole, full_month_label, mape, typeset};
use std::fmt::Write as _;
use std::path::Path;
use wfcast_core::backtest;
use wfcast_core::backtest::{ALL_ROLES, BacktestResults, Method};

/// What the report did about a backtest folder without charts.
pub(super) enum ChartsNote {
    /// It drew them.
    Drawn,
    /// They could not be drawn (why).
    Failed(String),
}

/// Draws a backtest's charts into `dir/charts` when that folder is missing; returns what was
/// done (nothing when the folder was there).
pub(super) fn draw_missing_backtest_charts(results: &BacktestResults, dir: &Path) -> Option<ChartsNote> {
    let charts = dir.join("charts");
    if charts.exists() {
        return None;
    }
    Some(match wfcast_io::export::write_folder(&charts, None, |tmp| chart::write_backtest_charts(results, tmp)) {
        Ok(_) => ChartsNote::Drawn,
        Err(e) => ChartsNote::Failed(e.to_string()),
    })
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
    /// Indexes a backtest's results.
    pub(super) fn new(r: &'a BacktestResults) -> BacktestView<'a> {
        let roles = r.series().into_iter().filter(|s| *s != backtest::TOTAL).collect();
        let mut held_out: Vec<backtest::Point> =
            r.points.iter().filter(|p| p.series == backtest::TOTAL).cloned().collect();
        held_out.sort_by_key(|p| p.date);
        BacktestView { r, roles, held_out }
    }

    /// The MAPE of a method on a series (not-a-number when it was not scored).
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
    let mapes = format!("a MAPE of {} against {} for no change and {} for the linear trend", mape(w), mape(n), mape(t));
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

/// The headline figures: each method's MAPE on the total, and wfcast's coverage.
fn headline_kpis(v: &BacktestView) -> Vec<Kpi> {
    let total = backtest::TOTAL;
    let mut kpis: Vec<Kpi> = Method::ALL
        .into_iter()
        .map(|m| {
            let extra = if m == Method::Wfcast { "median of runs; MASE " } else { "benchmark; MASE " };
            Kpi {
                class: if m == Method::Wfcast { "" } else { "benchmark" },
                label: format!("MAPE on the total: {}", m.label()),
                value: mape(v.mape(total, m)),
                unit: "",
                interval: format!("{extra}{}", v.r.score(total, m).map_or("–".into(), |s| fmt_mase(s.mase))),
            }
        })
        .collect();
    let cov = v.r.score(total, Method::Wfcast).and_then(|s| s.coverage_90);
    kpis.push(Kpi {
        class: "",
        label: "Actual inside the 90% interval".into(),
        value: cov.map_or("–".into(), fmt_pct_whole),
        unit: "",
        interval: format!("of the {} on the total (nominal 90%)", v.dates_text()),
    });
    kpis
}

/// The headline in words: the verdict on the total and on the roles.
fn headline_verdict(v: &BacktestView) -> String {
    let r = v.r;
    let mut text = verdict(v, backtest::TOTAL, "On the total");
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
        if let Some(a) = r.score(ALL_ROLES, Method::Wfcast) {
            w!(
                text,
                " Over all roles, its mean MAPE was {} (no change {}, linear trend {})",
                mape(a.mape),
                mape(v.mape(ALL_ROLES, Method::Naive)),
                mape(v.mape(ALL_ROLES, Method::Trend))
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
    text
}

/// The scores of one series, a row per method.
struct ScoreGroup {
    series: String,
    /// The mean over the roles.
    total: bool,
    rows: Vec<ScoreRow>,
}

/// The scores of one method on one series.
struct ScoreRow {
    /// wfcast's own row (not a benchmark's).
    model: bool,
    method: &'static str,
    mape: String,
    /// The lowest MAPE of the series.
    best: bool,
    /// MASE, coverage of the 50% and the 90% interval, and the number of points.
    cells: [String; 4],
}

/// The scores table: series by method.
fn score_groups(v: &BacktestView) -> Vec<ScoreGroup> {
    let r = v.r;
    let mut series: Vec<&str> = r.series();
    for sc in &r.scores {
        if !series.contains(&sc.series.as_str()) {
            series.push(&sc.series);
        }
    }
    let cov = |c: Option<f64>| c.map_or("–".to_string(), fmt_pct_whole);
    series
        .into_iter()
        .filter_map(|name| {
            let scores: Vec<&backtest::Score> = Method::ALL.iter().filter_map(|m| r.score(name, *m)).collect();
            let best = scores.iter().map(|sc| sc.mape).filter(|m| m.is_finite()).fold(f64::INFINITY, f64::min);
            let rows: Vec<ScoreRow> = scores
                .iter()
                .map(|sc| ScoreRow {
                    model: sc.method == Method::Wfcast,
                    method: sc.method.label(),
                    mape: mape(sc.mape),
                    best: sc.mape == best,
                    cells: [fmt_mase(sc.mase), cov(sc.coverage_50), cov(sc.coverage_90), sc.points.to_string()],
                })
                .collect();
            (!rows.is_empty()).then(|| ScoreGroup { series: name.to_string(), total: name == ALL_ROLES, rows })
        })
        .collect()
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
            full_month_label(&last.date.to_string()),
            typeset(last.actual, 0),
            typeset(last.p[2], 0),
            typeset(last.p[0], 0),
            typeset(last.p[4], 0),
            typeset(last.naive, 0),
            typeset(last.trend, 0)
        );
    }
    t
}

/// The figures: the total, each role, then any other chart of the folder (rendered).
fn backtest_figures(v: &BacktestView, files: &ChartFiles) -> (String, Vec<String>, Vec<String>) {
    let mut figs = Figures { n: 0, backtest: true };
    let file = |series: &str| format!("{}.svg", chart::backtest_stem(series));
    let total = backtest::TOTAL;
    let reading = backtest_reading(v, total);
    let total_chart = figs.figure(files, &file(total), "All staff: forecast against what happened", &reading, "");
    let mut shown = vec![file(total)];
    let roles = v
        .roles
        .iter()
        .map(|role| {
            shown.push(file(role));
            let title = format!("{role}: forecast against what happened");
            figs.figure(files, &file(role), &title, &backtest_reading(v, role), "")
        })
        .collect();
    let others = files
        .others(&shown)
        .iter()
        .map(|f| {
            let title = f.trim_end_matches(".svg").replace(['_', '-'], " ");
            figs.figure(files, f, &title, "A further chart drawn for this backtest.", "")
        })
        .collect();
    (total_chart, roles, others)
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

/// The report of a backtest folder (`dir` holds its `charts/`, `calibration.toml` and
/// `scenario.toml`), as a complete HTML page: whether wfcast beat the benchmarks, the scores,
/// the charts, the calibration used and the provenance.
pub fn backtest_html(results: &BacktestResults, dir: &Path) -> String {
    backtest_page(results, dir, None)
}

/// The body of a backtest's page.
#[derive(askama::Template)]
#[template(path = "backtest.html", config = "templates/askama.toml")]
struct BacktestPage<'a> {
    meta: &'a backtest::BacktestMeta,
    title: &'a str,
    runs: String,
    /// The last training date and the last date scored, in words.
    train: String,
    end: String,
    /// The held-out snapshots, in words.
    dates: String,
    toc: Vec<TocItem>,
    kpis: Vec<Kpi>,
    verdict: String,
    /// With fewer than 5 points: the step of a coverage figure.
    few: Option<String>,
    all_roles: &'static str,
    scores: Vec<ScoreGroup>,
    note: Option<&'a ChartsNote>,
    total_chart: String,
    role_charts: Vec<String>,
    other_charts: Vec<String>,
    /// The calibration and the scenario: file name, summary and text (None when missing).
    collapsed: Vec<(&'static str, &'static str, Option<String>)>,
    files: Vec<FileRow>,
    own: Vec<FileRow>,
    command: String,
}

/// [`backtest_html`] with a note on how the charts were found.
pub(super) fn backtest_page(r: &BacktestResults, dir: &Path, note: Option<&ChartsNote>) -> String {
    let v = BacktestView::new(r);
    let m = &r.meta;
    let (train, end) = (full_month_label(&m.train_until), full_month_label(&m.end));
    let title = format!("Backtest: trained to {train}, scored to {end}");
    let toc = [
        ("headline", "Headline"),
        ("reading", "How to read the scores"),
        ("scores", "Scores by series and method"),
        ("charts", "Charts"),
        ("calibration", "Calibration used"),
        ("provenance", "Provenance"),
    ];
    let n = v.held_out.len();
    let few = (n < 5).then(|| if n == 0 { "–".to_string() } else { fmt_pct_whole(1.0 / n as f64) });
    let (total_chart, role_charts, other_charts) = backtest_figures(&v, &ChartFiles::read(dir));
    let collapsed = [("calibration.toml", "The calibration"), ("scenario.toml", "The scenario that was run")]
        .into_iter()
        .map(|(name, summary)| {
            let text = std::fs::read_to_string(dir.join(name)).ok();
            (name, summary, text.map(|t| t.trim_end().to_string()))
        })
        .collect();
    let mut files = vec![(m.history.path.clone(), "snapshots of staff in post".to_string(), m.history.sha256.clone())];
    if let Some(f) = &m.flows {
        files.push((f.path.clone(), "flow counts".into(), f.sha256.clone()));
    }
    let body = render(&BacktestPage {
        meta: m,
        title: &title,
        runs: typeset(m.runs as f64, 0),
        train,
        end,
        dates: v.dates_text(),
        toc: toc.iter().map(|(id, text)| (id.to_string(), text.to_string())).collect(),
        kpis: headline_kpis(&v),
        verdict: headline_verdict(&v),
        few,
        all_roles: ALL_ROLES,
        scores: score_groups(&v),
        note,
        total_chart,
        role_charts,
        other_charts,
        collapsed,
        files,
        own: result_files(dir, &["meta.json", "backtest.csv", "scores.csv", "calibration.toml", "scenario.toml"]),
        command: reproduce_backtest(m),
    });
    page(&format!("{title} – wfcast report"), &body)
}
