//! The self-contained HTML report of a scenario or comparison folder (charts inlined as SVG).
//!
//! [`write_report`] reads an output folder and writes one `report.html` that opens with no
//! network and no JavaScript (a Content-Security-Policy forbids both): the CSS sits in a
//! `<style>` element and every chart's SVG markup is copied in. Everything said in words is
//! computed from the summary table (medians and 90% intervals over runs), and the
//! assumptions are read back from `scenario.toml`, the scenario as run.
//!
//! A scenario folder (from `wfcast run`) gives a scenario report; a folder with
//! `comparison.json` (from `wfcast compare`) gives a comparison report, with each
//! scenario's own sections read from its subfolder; a backtest folder (from `wfcast
//! backtest`, its `meta.json` of kind `backtest`) gives a backtest report: how the forecast
//! scored against the snapshots held out and against two naive benchmarks. Missing charts are reported as 'chart
//! not available' in place; the report is still written.
use crate::chart::{self, FAMILIES_CHART, GAP_BY_REGION_CHART, slug};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use wfcast_core::backtest::{self, ALL_ROLES, BacktestResults, Method};
use wfcast_core::band::Band;
use wfcast_core::error::{Error, Result};
use wfcast_core::grid::{DDAT_FAMILIES, DEFAULT_FAMILIES_FILE, UNMAPPED};
use wfcast_core::results::{Comparison, ComparisonRow, Meta, Results, Row};
use wfcast_core::sampling::ParamSpec;
use wfcast_core::scenario::{Names, ScenarioFile, SupplyKind, Target, sha256_hex};
use wfcast_core::summary::Level;

/// The report's stylesheet, embedded in a `<style>` element.
const CSS: &str = include_str!("report/report.css");

/// SHA-256 of the illustrative baseline extract shipped with wfcast
/// (`seeds/esr_informatics_2025.csv`): a report on it says that its numbers are illustrative.
pub const SHIPPED_SEED_SHA256: &str = "3579226369ff035d017b8ceaa3084a6656a9dec2a29e2b9dc9170b5cb93bab5f";

/// Whether a run's levels are the default ones (so the command that reproduces it needs no
/// `--levels`).
fn default_levels(levels: &[String]) -> bool {
    levels.iter().map(String::as_str).eq(Level::DEFAULT.iter().map(|l| l.name()))
}

/// Appends formatted text to a `String` (writing to a `String` cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Writes `report.html` into an output folder (a scenario's, a comparison's or a backtest's),
/// reading what it needs from the folder; returns the file written.
///
/// A backtest folder (its `meta.json` has `"kind": "backtest"`) whose `charts/` folder is
/// missing has its charts drawn first.
///
/// A folder with neither `meta.json` nor `comparison.json` is an input error naming it. The
/// file is written to a temporary file in the same folder and renamed into place, so a
/// reader never sees half a report.
pub fn write_report(dir: &Path) -> Result<PathBuf> {
    let html = if dir.join("comparison.json").is_file() {
        let comparison = wfcast_io::comparison::load(dir)?;
        comparison_html(&comparison, dir)
    } else if wfcast_io::backtest::is_backtest(dir) {
        let results = wfcast_io::backtest::load(dir)?;
        let note = draw_missing_backtest_charts(&results, dir);
        backtest_page(&results, dir, note.as_deref())
    } else if dir.join("meta.json").is_file() {
        let results = wfcast_io::results::load(dir)?;
        scenario_html(&results, dir)
    } else {
        let why = if dir.is_dir() {
            "not a wfcast output folder: it has no meta.json (written by `wfcast run`) or comparison.json \
             (written by `wfcast compare`)"
        } else {
            "no such folder: expected an output folder written by `wfcast run` or `wfcast compare`"
        };
        return Err(Error::input(dir, "", why));
    };
    let path = dir.join("report.html");
    wfcast_io::export::write_file(&path, html.as_bytes())?;
    Ok(path)
}

// ---------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------

/// Escapes text for HTML content and attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number rounded to a whole number, with thousands separators and a true minus sign:
/// `6,560`, `−1,204`. Not-a-number is a dash.
pub fn fmt_int(x: f64) -> String {
    crate::format::typeset(x, 0)
}

/// A number with at most `places` decimals (trailing zeros dropped) and thousands separators.
fn fmt_plain(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let text = format!("{:.*}", places, x.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f.trim_end_matches('0')),
        None => (text.as_str(), ""),
    };
    let sign = if x < 0.0 && (int != "0" || !frac.is_empty()) { "−" } else { "" };
    let int = crate::format::group_digits(int);
    if frac.is_empty() { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") }
}

/// A rate as a percentage with up to two decimals: `0.09` is `9%`, `0.0125` is `1.25%`.
pub fn fmt_pct(x: f64) -> String {
    format!("{}%", fmt_plain(x * 100.0, 2))
}

/// A share of runs as a whole percentage that never rounds to 0% or 100% unless exact:
/// `100%`, `>99%`, `47%`, `<1%`, `0%`.
pub fn fmt_share(p: f64) -> String {
    if !p.is_finite() {
        "–".into()
    } else if p >= 1.0 {
        "100%".into()
    } else if p > 0.99 {
        ">99%".into()
    } else if p <= 0.0 {
        "0%".into()
    } else if p < 0.01 {
        "<1%".into()
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

/// A share as a whole percentage: `0.254` is `25%` (below 1%, one decimal).
fn fmt_pct_whole(x: f64) -> String {
    if x.abs() < 0.01 { format!("{}%", fmt_plain(x * 100.0, 1)) } else { format!("{}%", fmt_int(x * 100.0)) }
}

/// An amount of money: `£2.96bn`, `£412.5m`, `£48,000`.
fn fmt_money(x: f64) -> String {
    let (sign, a) = if x < 0.0 { ("−", -x) } else { ("", x) };
    if a >= 1e9 {
        format!("{sign}£{:.2}bn", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}£{:.1}m", a / 1e6)
    } else {
        format!("{sign}£{}", fmt_int(a))
    }
}

/// A table cell of a median with its 90% interval below (`p` holds percentiles 5, 25, 50,
/// 75, 95), or a dash when there is no value.
fn interval_cell(p: Option<&[f64; 5]>, fmt: fn(f64) -> String) -> String {
    match p {
        Some(p) => format!("<td class=\"num\">{}<small>{} to {}</small></td>", fmt(p[2]), fmt(p[0]), fmt(p[4])),
        None => "<td class=\"num\">–</td>".into(),
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2030-03` as `March 2030` (other text as it is).
fn month_label(date: &str) -> String {
    date.split_once('-')
        .and_then(|(y, m)| Some((y, m.parse::<usize>().ok().filter(|m| (1..=12).contains(m))?)))
        .map(|(y, m)| format!("{} {y}", MONTHS[m - 1]))
        .unwrap_or_else(|| date.to_string())
}

/// A list in words: `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What a parameter measures, for writing its value.
#[derive(Clone, Copy)]
enum Unit {
    /// A probability or rate, written as a percentage.
    Pct,
    /// A count or amount, written as a number.
    Num,
}

/// A parameter as the user wrote it: `10%`, `mean 10%, sd 1.5%`, `90% interval 5% to 25%`.
fn fmt_spec(spec: &ParamSpec, unit: Unit) -> String {
    let f = |x: f64| match unit {
        Unit::Pct => fmt_pct(x),
        Unit::Num => fmt_plain(x, 2),
    };
    match spec {
        ParamSpec::Fixed(x) => f(*x),
        ParamSpec::MeanSd { mean, sd } => format!("mean {}, sd {}", f(*mean), f(*sd)),
        ParamSpec::LowHigh { low, high } => format!("90% interval {} to {}", f(*low), f(*high)),
    }
}

/// Seconds as `21.2 s` or `3 min 5 s`.
fn fmt_seconds(s: f64) -> String {
    if !s.is_finite() {
        "–".into()
    } else if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:.0} s", (s / 60.0).floor(), s % 60.0)
    }
}

/// A word for the shell: quoted when it holds anything but safe characters.
fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A selector in words: `role Data Science; bands 6, 7`, or `all` when empty.
fn fmt_selector(role: &Option<Names>, band: &Option<Names>, region: &Option<Names>, all: &str) -> String {
    let mut parts = Vec::new();
    for (one, many, names) in [("role", "roles", role), ("band", "bands", band), ("region", "regions", region)] {
        if let Some(Names(n)) = names
            && !n.is_empty()
        {
            parts.push(format!("{} {}", if n.len() == 1 { one } else { many }, n.join(", ")));
        }
    }
    if parts.is_empty() { all.to_string() } else { parts.join("; ") }
}

// ---------------------------------------------------------------------------------------
// Reading the summary
// ---------------------------------------------------------------------------------------

/// One group of a level: role, band and region (`None` where the level has none).
#[derive(Clone, Copy, Default)]
struct Group<'a> {
    role: Option<&'a str>,
    band: Option<&'a str>,
    region: Option<&'a str>,
}

const TOTAL: Group<'static> = Group { role: None, band: None, region: None };

fn key(level: &str, g: Group, metric: &str, date: &str) -> String {
    let o = |s: Option<&str>| s.unwrap_or("\u{1}").to_string();
    format!("{level}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{metric}\u{1f}{date}", o(g.role), o(g.band), o(g.region))
}

/// A scenario's summary rows, indexed, with what the report needs to say about them.
struct View<'a> {
    results: &'a Results,
    rows: HashMap<String, &'a Row>,
    /// Deterministic (one expected-value run: no intervals).
    det: bool,
    /// The first and last reporting dates.
    first: String,
    last: String,
    /// The scenario as run, parsed (None when scenario.toml is missing or unreadable).
    spec: Option<ScenarioFile>,
    /// Why `spec` is None.
    spec_error: String,
}

impl<'a> View<'a> {
    fn new(results: &'a Results) -> View<'a> {
        let rows = results
            .rows
            .iter()
            .map(|r| {
                let g = Group { role: r.role.as_deref(), band: r.band.as_deref(), region: r.region.as_deref() };
                (key(&r.level, g, &r.metric, &r.date), r)
            })
            .collect();
        let meta = &results.meta;
        let mut dates: Vec<&str> = meta.report_dates.iter().map(String::as_str).collect();
        if dates.is_empty() {
            dates = results.rows.iter().map(|r| r.date.as_str()).collect();
            dates.sort();
            dates.dedup();
        }
        let (spec, spec_error) = if results.scenario_toml.trim().is_empty() {
            (None, "scenario.toml was not found in the output folder".to_string())
        } else {
            match toml::from_str::<ScenarioFile>(&results.scenario_toml) {
                Ok(s) => (Some(s), String::new()),
                Err(e) => (None, format!("scenario.toml could not be read: {}", e.message())),
            }
        };
        View {
            results,
            rows,
            det: meta.mode == "deterministic" || meta.runs <= 1,
            first: dates.first().map(|d| d.to_string()).unwrap_or_default(),
            last: dates.last().map(|d| d.to_string()).unwrap_or_default(),
            spec,
            spec_error,
        }
    }

    fn meta(&self) -> &'a Meta {
        &self.results.meta
    }

    fn dates(&self) -> Vec<String> {
        let mut d: Vec<String> = self.meta().report_dates.clone();
        if d.is_empty() {
            d = vec![self.first.clone(), self.last.clone()];
            d.dedup();
        }
        d
    }

    fn get(&self, level: &str, g: Group, metric: &str, date: &str) -> Option<&'a Row> {
        self.rows.get(&key(level, g, metric, date)).copied()
    }

    fn total(&self, metric: &str, date: &str) -> Option<&'a Row> {
        self.get("total", TOTAL, metric, date)
    }

    /// Groups of a level in the order they first appear.
    fn groups(&self, level: &str) -> Vec<Group<'a>> {
        let mut out: Vec<Group<'a>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in self.results.rows.iter().filter(|r| r.level == level && r.date == self.last) {
            let g = Group { role: r.role.as_deref(), band: r.band.as_deref(), region: r.region.as_deref() };
            if seen.insert((g.role, g.band, g.region)) {
                out.push(g);
            }
        }
        out
    }

    fn has_metric(&self, metric: &str) -> bool {
        self.total(metric, &self.last).is_some()
    }

    /// The median of a row (the value itself in a deterministic run).
    fn mid(&self, r: &Row) -> f64 {
        if self.det { r.mean } else { r.p[2] }
    }

    /// `a to b` (the 90% interval), or a dash in a deterministic run.
    fn interval(&self, r: &Row) -> String {
        if self.det { "–".into() } else { format!("{} to {}", fmt_int(r.p[0]), fmt_int(r.p[4])) }
    }

    /// The share of runs in shortfall, or a dash in a deterministic run.
    fn share(&self, r: &Row) -> String {
        match r.p_shortfall {
            Some(p) if !self.det => fmt_share(p),
            _ => "–".into(),
        }
    }

    /// Whether the baseline is the illustrative seed extract shipped with wfcast.
    fn illustrative(&self) -> bool {
        self.meta().baseline.sha256 == SHIPPED_SEED_SHA256
    }
}

/// `By March 2030 demand [for X] is D FTE and supply S FTE: a shortfall of G FTE (90%
/// interval a to b), seen in P of runs.`
fn gap_sentence(v: &View, level: &str, g: Group, subject: Option<&str>, date: &str) -> Option<String> {
    let (demand, supply, gap) =
        (v.get(level, g, "demand_fte", date)?, v.get(level, g, "fte", date)?, v.get(level, g, "gap_fte", date)?);
    let of = subject.map(|s| format!(" for {s}")).unwrap_or_default();
    let mut s = format!(
        "By {} demand{of} is {} FTE and supply {} FTE",
        month_label(date),
        fmt_int(v.mid(demand)),
        fmt_int(v.mid(supply))
    );
    let m = v.mid(gap);
    let runs = |p: Option<f64>| p.map(fmt_share).unwrap_or_else(|| "–".into());
    if v.det {
        if m >= 0.5 {
            w!(s, ": a shortfall of {} FTE (one expected-value run: no interval).", fmt_int(m));
        } else if m <= -0.5 {
            w!(s, ": a surplus of {} FTE (one expected-value run: no interval).", fmt_int(-m));
        } else {
            s.push_str(": supply meets demand (one expected-value run: no interval).");
        }
    } else if m >= 0.0 {
        w!(
            s,
            ": a shortfall of {} FTE (90% interval {} to {}), seen in {} of runs.",
            fmt_int(m),
            fmt_int(gap.p[0]),
            fmt_int(gap.p[4]),
            runs(gap.p_shortfall)
        );
    } else {
        w!(
            s,
            ": a surplus of {} FTE (the gap's 90% interval is {} to {}, negative meaning a surplus); a shortfall \
             in {} of runs.",
            fmt_int(-m),
            fmt_int(gap.p[0]),
            fmt_int(gap.p[4]),
            runs(gap.p_shortfall)
        );
    }
    Some(s)
}

// ---------------------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------------------

/// The position of the root `<svg` tag.
fn svg_start(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find("<svg") {
        let at = from + i;
        match text[at + 4..].chars().next() {
            Some(c) if c.is_whitespace() || c == '>' || c == '/' => return Some(at),
            _ => from = at + 4,
        }
    }
    None
}

/// The value of attribute `name` in a start tag.
fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut from = 0;
    while let Some(i) = tag[from..].find(name) {
        let at = from + i;
        let before_ok = tag[..at].chars().next_back().is_some_and(char::is_whitespace);
        let rest = &tag[at + name.len()..];
        let rest_trim = rest.trim_start();
        if before_ok && let Some(after_eq) = rest_trim.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let quote = after_eq.chars().next()?;
            if quote == '"' || quote == '\'' {
                let body = &after_eq[1..];
                return body.find(quote).map(|end| &body[..end]);
            }
        }
        from = at + name.len();
    }
    None
}

/// Removes every `<name ...>...</name>` element (and self-closed `<name/>`).
fn strip_element(text: &str, name: &str) -> String {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.to_ascii_lowercase().find(&open) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let tag_end = tail.find('>').map(|e| e + 1).unwrap_or(tail.len());
        rest = if tail[..tag_end].ends_with("/>") {
            &tail[tag_end..]
        } else {
            match tail.to_ascii_lowercase().find(&close) {
                Some(c) => &tail[c + close.len()..],
                None => "",
            }
        };
    }
    out.push_str(rest);
    out
}

/// Prefixes every `id` in an SVG (and the `url(#id)` and `href="#id"` that refer to it), so
/// that several inlined charts never share an id.
fn prefix_ids(svg: &str, prefix: &str) -> String {
    let mut ids: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(i) = svg[from..].find("id=\"") {
        let at = from + i;
        let before_ok = svg[..at].chars().next_back().is_some_and(char::is_whitespace);
        let body = &svg[at + 4..];
        if let Some(end) = body.find('"')
            && before_ok
            && !body[..end].is_empty()
        {
            ids.push(body[..end].to_string());
        }
        from = at + 4;
    }
    let mut out = svg.to_string();
    for id in ids {
        let new = format!("{prefix}{id}");
        out = out
            .replace(&format!(" id=\"{id}\""), &format!(" id=\"{new}\""))
            .replace(&format!("url(#{id})"), &format!("url(#{new})"))
            .replace(&format!("href=\"#{id}\""), &format!("href=\"#{new}\""));
    }
    out
}

/// The markup of an SVG file, ready to inline: from the root `<svg` to its end (no XML
/// declaration, doctype or comments before it), no scripts, ids prefixed, a `viewBox` so
/// that it scales, and `role="img"`, `aria-label` and a `<title>` naming it.
pub fn inline_svg(text: &str, label: &str, id_prefix: &str) -> Option<String> {
    let start = svg_start(text)?;
    let end = text.rfind("</svg>")? + "</svg>".len();
    if end <= start {
        return None;
    }
    let body = prefix_ids(&strip_element(&text[start..end], "script"), id_prefix);
    let tag_end = body.find('>')?;
    let mut open = body[..tag_end].trim_end().to_string();
    if attr(&open, "viewBox").is_none() {
        let num = |n: &str| attr(&open, n).and_then(|v| v.trim().trim_end_matches("px").parse::<f64>().ok());
        if let (Some(w), Some(h)) = (num("width"), num("height")) {
            w!(open, " viewBox=\"0 0 {w} {h}\"");
        }
    }
    // Drop any role or aria-label the file had: ours describe the chart in the report.
    for name in ["role", "aria-label"] {
        if let Some(v) = attr(&open, name).map(str::to_string) {
            open = open.replacen(&format!(" {name}=\"{v}\""), "", 1);
        }
    }
    w!(open, " role=\"img\" aria-label=\"{}\" focusable=\"false\"", esc(label));
    Some(format!("{open}><title>{}</title>{}", esc(label), &body[tag_end + 1..]))
}

/// Numbers figures and makes ids unique within one report.
struct Figures {
    n: usize,
    /// How a missing chart is drawn, after 'charts/<file> was not found; ' (markup).
    redraw: &'static str,
}

/// How a scenario's or comparison's missing chart is drawn.
const REDRAW_PLOT: &str = "<code>wfcast plot</code> draws it";

impl Figures {
    /// A figure: the chart `charts/<file>` of `dir` inlined, or 'Chart not available'.
    fn figure(&mut self, dir: &Path, file: &str, title: &str, reading: &str, id_prefix: &str) -> String {
        self.n += 1;
        let n = self.n;
        let path = dir.join("charts").join(file);
        let label = format!("Figure {n}. {title}");
        let id = format!("{id_prefix}fig-{}", file.trim_end_matches(".svg"));
        let body = match std::fs::read_to_string(&path) {
            Ok(text) => match inline_svg(&text, &format!("{title}. {reading}"), &format!("{id}-")) {
                Some(svg) => svg,
                None => missing(&format!("charts/{file} is not an SVG chart")),
            },
            Err(_) => missing(&format!("charts/{file} was not found; {}", self.redraw)),
        };
        format!(
            "<figure class=\"chart\" id=\"{}\">\n{body}\n<figcaption><strong>{}</strong>{}</figcaption>\n</figure>\n",
            esc(&id),
            esc(&label),
            esc(reading)
        )
    }
}

fn missing(why: &str) -> String {
    format!("<div class=\"chart-missing\"><strong>Chart not available.</strong> {why}.</div>")
}

/// SVG charts in `dir/charts` that the report does not show by name (so none is left out).
fn other_charts(dir: &Path, shown: &[String]) -> Vec<String> {
    let Ok(read) = std::fs::read_dir(dir.join("charts")) else { return Vec::new() };
    let mut out: Vec<String> = read
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg") && !shown.contains(n))
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------
// HTML pieces
// ---------------------------------------------------------------------------------------

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"generator\" content=\"wfcast {}\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title)
    )
}

fn h(level: usize, id: &str, text: &str) -> String {
    let level = level.clamp(1, 6);
    format!("<h{level} id=\"{}\">{}</h{level}>\n", esc(id), esc(text))
}

fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>\n", esc(&p.split_whitespace().collect::<Vec<_>>().join(" "))))
        .collect()
}

fn illustrative_note() -> String {
    "<aside class=\"note\" role=\"note\"><p><strong>Illustrative data.</strong> The baseline is the made-up \
     extract shipped with wfcast (<code>seeds/esr_informatics_2025.csv</code>): it has the shape and rough \
     proportions of an ESR extract of the NHS digital, data and technology workforce, but its organisations \
     and headcounts are invented. Do not quote these numbers as facts about the NHS; run the scenario on your \
     own ESR extract to plan.</p></aside>\n"
        .to_string()
}

fn run_line(meta: &Meta) -> String {
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
fn reading_guide(det: bool, runs: u64, lvl: usize, idp: &str) -> String {
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

/// One headline figure.
fn kpi(class: &str, label: &str, value: &str, unit: &str, interval: &str) -> String {
    format!(
        "<div class=\"kpi{class}\"><p class=\"label\">{}</p><p class=\"value\">{}{}</p><p class=\"interval\">{}</p></div>\n",
        esc(label),
        esc(value),
        if unit.is_empty() { String::new() } else { format!(" <span class=\"unit\">{}</span>", esc(unit)) },
        esc(interval)
    )
}

/// The headline box: England at the last date, and at each reporting date.
fn headline(v: &View, lvl: usize, idp: &str) -> String {
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

/// A table of the groups of `level` at the last date.
fn group_table(v: &View, level: &str, what: &str, groups: &[(String, Group)], caption: &str) -> String {
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
fn organisation_table(v: &View) -> String {
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
fn families_source(v: &View) -> String {
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
fn value_cell(v: &View, r: Option<&Row>) -> String {
    match r {
        Some(r) if v.det => format!("<td class=\"num\">{}</td>", fmt_int(v.mid(r))),
        Some(r) => format!("<td class=\"num\">{}<small>{}</small></td>", fmt_int(v.mid(r)), esc(&v.interval(r))),
        None => "<td class=\"num\">–</td>".into(),
    }
}

/// The table of role families at the last date: supply, demand and gap with their intervals,
/// then which roles each family sums, the roles no family holds and where the mapping comes from.
fn family_table(v: &View, families: &[Group]) -> String {
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
fn tables(v: &View, lvl: usize, idp: &str) -> String {
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

/// The charts of a scenario folder, each with its reading.
fn charts(v: &View, dir: &Path, figs: &mut Figures, lvl: usize, idp: &str) -> String {
    let last = &v.last;
    let when = month_label(last);
    let mut shown: Vec<String> = Vec::new();
    let mut s = h(lvl, &format!("{idp}charts"), "Charts");
    let mut fig = |s: &mut String, file: String, title: &str, reading: String| {
        s.push_str(&figs.figure(dir, &file, title, &reading, idp));
        shown.push(file);
    };
    let na = || "The numbers for this chart are not in the summary.".to_string();

    fig(
        &mut s,
        "supply_demand_total.svg".into(),
        "England: supply and demand",
        gap_sentence(v, "total", TOTAL, None, last).unwrap_or_else(na),
    );

    // The gap over time.
    let gap_reading = match (v.total("gap_fte", &v.first), v.total("gap_fte", last)) {
        (Some(a), Some(b)) if v.det => format!(
            "The England gap goes from {} FTE in {} to {} FTE by {when} (positive is a shortfall).",
            fmt_int(v.mid(a)),
            month_label(&v.first),
            fmt_int(v.mid(b))
        ),
        (Some(a), Some(b)) => {
            let peak = v
                .dates()
                .iter()
                .filter_map(|d| v.total("gap_fte", d).map(|r| (d.clone(), v.mid(r))))
                .max_by(|x, y| x.1.total_cmp(&y.1));
            let mut t = format!(
                "The England gap goes from {} FTE in {} to {} FTE by {when} (90% interval {}); a shortfall in {} of runs \
                 by then.",
                fmt_int(v.mid(a)),
                month_label(&v.first),
                fmt_int(v.mid(b)),
                v.interval(b),
                v.share(b)
            );
            if let Some((d, g)) = peak
                && d != *last
                && g > v.mid(b)
            {
                w!(t, " It is widest in {}, at {} FTE.", month_label(&d), fmt_int(g));
            }
            t
        }
        _ => na(),
    };
    fig(&mut s, "gap_total.svg".into(), "England: the gap between demand and supply", gap_reading);

    // Heatmap: the role-band cells whose gap is the largest share of their demand.
    let mut cells: Vec<(String, f64, f64, Option<f64>)> = v
        .results
        .rows
        .iter()
        .filter(|r| r.level == "role_band" && r.metric == "gap_fte" && r.date == *last)
        .filter_map(|r| {
            let g = Group { role: r.role.as_deref(), band: r.band.as_deref(), region: r.region.as_deref() };
            let demand = v.get("role_band", g, "demand_fte", last).map(|d| v.mid(d)).filter(|d| *d > 0.0)?;
            let name = format!("{} band {}", r.role.as_deref().unwrap_or("?"), r.band.as_deref().unwrap_or("?"));
            Some((name, v.mid(r) / demand, v.mid(r), r.p_shortfall))
        })
        .filter(|c| c.1 > 0.0)
        .collect();
    cells.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.total_cmp(&a.2)).then_with(|| a.0.cmp(&b.0)));
    let has_cells = v.results.rows.iter().any(|r| r.level == "role_band");
    let heat = if !has_cells {
        "The summary has no role x band results (run with --levels including role_band).".to_string()
    } else if cells.is_empty() {
        format!("By {when} no role-band cell has a shortfall.")
    } else {
        let top: Vec<String> = cells
            .iter()
            .take(3)
            .map(|(name, share, gap, p)| {
                let mut t = format!("{name} ({} of demand, {} FTE", fmt_pct_whole(*share), fmt_int(*gap));
                if let Some(p) = p.filter(|_| !v.det) {
                    w!(t, "; short in {} of runs", fmt_share(p));
                }
                t.push(')');
                t
            })
            .collect();
        let mut t = format!("By {when} the shortfall is the largest share of demand in {}.", and_list(&top));
        if let Some((name, share, gap, _)) = cells.iter().max_by(|a, b| a.2.total_cmp(&b.2))
            && !cells.iter().take(3).any(|c| c.0 == *name)
        {
            w!(t, " The largest in FTE is {name}: {} FTE, {} of its demand.", fmt_int(*gap), fmt_pct_whole(*share));
        }
        t
    };
    fig(&mut s, "gap_heatmap.svg".into(), "Shortfall by role and band", heat);

    // The gap by region at the last date.
    let mut regions: Vec<&Row> =
        v.groups("region").into_iter().filter_map(|g| v.get("region", g, "gap_fte", last)).collect();
    if !regions.is_empty() {
        regions.sort_by(|a, b| v.mid(b).total_cmp(&v.mid(a)));
        let top = regions[0];
        let mut t = format!(
            "By {when} the gap is largest in {}: {} FTE",
            top.region.as_deref().unwrap_or_default(),
            fmt_int(v.mid(top))
        );
        if !v.det {
            w!(t, " (90% interval {})", v.interval(top));
        }
        let low = regions[regions.len() - 1];
        if regions.len() > 1 {
            w!(t, "; smallest in {}: {} FTE", low.region.as_deref().unwrap_or_default(), fmt_int(v.mid(low)));
        }
        t.push('.');
        fig(&mut s, format!("{GAP_BY_REGION_CHART}.svg"), "The gap by region", t);
    }

    // Flows in the last year (means of runs, as the chart shows them: means add up).
    let flows = match (v.total("leavers", last), v.total("joiners", last)) {
        (Some(l), Some(j)) => {
            let largest = v
                .meta()
                .routes
                .iter()
                .filter_map(|r| v.total(&format!("joiners:{r}"), last).map(|row| (r.clone(), row.mean)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let mut t = format!(
                "In the year to {when}, {}{} people join and {} leave the NHS",
                if v.det { "" } else { "on average " },
                fmt_int(j.mean),
                fmt_int(l.mean)
            );
            if !v.det {
                w!(t, " (90% intervals {} and {})", v.interval(j), v.interval(l));
            }
            match largest {
                Some((name, n)) => {
                    w!(t, "; the largest route is {name}, with {} joiners.", fmt_int(n));
                }
                None => t.push('.'),
            }
            t
        }
        _ => na(),
    };
    fig(&mut s, "flows.svg".into(), "Joiners by route and leavers", flows);

    if v.has_metric("cost_gbp") {
        let cost = match (v.total("cost_gbp", &v.first), v.total("cost_gbp", last)) {
            (Some(a), Some(b)) => {
                let mut t = format!(
                    "The annual pay bill of staff in post, with on-costs, is {} by {when}",
                    fmt_money(v.mid(b))
                );
                if !v.det {
                    w!(t, " (90% interval {} to {})", fmt_money(b.p[0]), fmt_money(b.p[4]));
                }
                w!(
                    t,
                    ", against {} in {}, at the pay table's rates (no pay rises).",
                    fmt_money(v.mid(a)),
                    month_label(&v.first)
                );
                t
            }
            _ => na(),
        };
        fig(&mut s, "cost.svg".into(), "Pay bill of staff in post", cost);
    }

    let families = v.groups("family");
    if !families.is_empty() {
        let mut gaps: Vec<(String, f64, Option<f64>, Option<&Row>)> = families
            .iter()
            .filter_map(|g| {
                let gap = v.get("family", *g, "gap_fte", last)?;
                let demand = v.get("family", *g, "demand_fte", last).map(|d| v.mid(d)).filter(|d| *d > 0.0);
                Some((g.role.unwrap_or_default().to_string(), v.mid(gap), demand, Some(gap)))
            })
            .collect();
        gaps.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let short: Vec<String> = gaps
            .iter()
            .filter(|g| g.1 >= 0.5)
            .take(3)
            .map(|(family, gap, demand, row)| {
                let mut t = format!("{family} ({} FTE", fmt_int(*gap));
                if let (Some(r), false) = (row, v.det) {
                    w!(t, ", 90% interval {}", v.interval(r));
                }
                if let Some(d) = demand {
                    w!(t, "; {} of its demand", fmt_pct_whole(gap / d));
                }
                t.push(')');
                t
            })
            .collect();
        let reading = if gaps.is_empty() {
            na()
        } else if short.is_empty() {
            format!("By {when} no role family has a shortfall.")
        } else {
            format!(
                "By {when} the largest shortfall{} in {}. Each panel has its own scale; the table of role families \
                 lists the roles in each.",
                if short.len() == 1 { " is" } else { "s are" },
                and_list(&short)
            )
        };
        fig(&mut s, format!("{FAMILIES_CHART}.svg"), "Supply and demand by role family", reading);
    }

    let roles = v.results.roles();
    if !roles.is_empty() {
        s.push_str(&h(lvl + 1, &format!("{idp}role-charts"), "Supply and demand by role"));
        s.push_str("<div class=\"chart-grid\">\n");
        for role in &roles {
            let g = Group { role: Some(role), ..TOTAL };
            let reading = gap_sentence(v, "role", g, Some(role), last).unwrap_or_else(na);
            fig(&mut s, format!("supply_demand_{}.svg", slug(role)), &format!("{role}: supply and demand"), reading);
        }
        s.push_str("</div>\n");
    }
    let others = other_charts(dir, &shown);
    if !others.is_empty() {
        s.push_str(&h(lvl + 1, &format!("{idp}other-charts"), "Other charts"));
        for file in others {
            let title = file.trim_end_matches(".svg").replace(['_', '-'], " ");
            s.push_str(&figs.figure(dir, &file, &title, "A further chart drawn for this scenario.", idp));
        }
    }
    s
}

// ---------------------------------------------------------------------------------------
// Assumptions
// ---------------------------------------------------------------------------------------

/// Rows of the assumptions table, grouped.
struct Assumptions {
    html: String,
}

impl Assumptions {
    fn group(&mut self, title: &str, note: &str) {
        if !self.html.is_empty() {
            self.html.push_str("</tbody>\n");
        }
        w!(self.html, "<tbody>\n<tr><th scope=\"rowgroup\" colspan=\"3\" class=\"group\">{}", esc(title));
        if !note.is_empty() {
            w!(self.html, "<span class=\"sub\">{}</span>", esc(note));
        }
        self.html.push_str("</th></tr>\n");
    }

    fn sub(&mut self, title: &str) {
        w!(self.html, "<tr><th scope=\"rowgroup\" colspan=\"3\" class=\"route\">{}</th></tr>\n", esc(title));
    }

    /// A row; `value_html` is already markup.
    fn row_html(&mut self, item: &str, applies: &str, value_html: &str) {
        w!(self.html, "<tr><td>{}</td><td>{}</td><td>{value_html}</td></tr>\n", esc(item), esc(applies));
    }

    fn row(&mut self, item: &str, applies: &str, value: &str) {
        self.row_html(item, applies, &esc(value));
    }
}

fn target_name(t: Target) -> &'static str {
    match t {
        Target::Attrition => "attrition",
        Target::Progression => "progression",
        Target::Growth => "demand growth",
        Target::Intake => "intake",
        Target::Completion => "completion",
        Target::FillRate => "fill rate",
    }
}

fn assumptions(v: &View, lvl: usize, idp: &str) -> String {
    let mut s = h(lvl, &format!("{idp}assumptions"), "Assumptions");
    let meta = v.meta();
    let Some(spec) = &v.spec else {
        w!(s, "<p>The assumptions are not available: {}.</p>\n", esc(&v.spec_error));
        return s;
    };
    s.push_str(
        "<p>Read back from <code>scenario.toml</code>, the scenario as run (merged with any file it extends). \
         Rates are annual. A value written as a mean and sd, or as a 90% interval, is uncertain: it is drawn afresh \
         in every run. A single number is fixed in every run.</p>\n",
    );
    let mut a = Assumptions { html: String::new() };

    a.group("The run", "");
    let baseline =
        spec.baseline.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| meta.baseline.path.clone());
    let mut bl = format!("<code>{}</code>", esc(&baseline));
    if v.illustrative() {
        bl.push_str(" (illustrative data shipped with wfcast)");
    }
    a.row_html("Baseline extract (staff in post)", &format!("end of {}", month_label(&meta.start)), &bl);
    let step = match meta.step_months {
        1 => "monthly steps".to_string(),
        3 => "quarterly steps".to_string(),
        12 => "yearly steps".to_string(),
        n => format!("steps of {n} months"),
    };
    a.row("Projection", "", &format!("{} to {}, in {step}", month_label(&meta.start), month_label(&meta.end)));
    let dates: Vec<String> = v.dates().iter().skip(1).map(|d| month_label(d)).collect();
    a.row("Reporting dates", "", &and_list(&dates));
    let runs = if v.det {
        "one deterministic run: assumptions at their means, flows at their expected values".to_string()
    } else {
        let mut t = format!("{} stochastic runs, seed {}", fmt_int(meta.runs as f64), meta.seed);
        let mut notes = Vec::new();
        if let Some(r) = spec.runs
            && r != meta.runs
        {
            notes.push(format!("the file sets {} runs", fmt_int(r as f64)));
        }
        if let Some(sd) = spec.seed
            && sd != meta.seed
        {
            notes.push(format!("the file sets seed {sd}"));
        }
        if !notes.is_empty() {
            w!(t, " ({}; changed on the command line)", notes.join(", "));
        }
        t
    };
    a.row("Runs and seed", "", &runs);
    if let Some(r) = spec.new_roles.as_ref().filter(|r| !r.is_empty()) {
        a.row("New roles", "start empty", &r.join(", "));
    }
    if let Some(r) = spec.new_regions.as_ref().filter(|r| !r.is_empty()) {
        a.row("New regions", "start empty", &r.join(", "));
    }
    if spec.families.is_some() {
        a.row_html("Role families", "the family level, chart and table", &families_source(v));
    }

    for (title, section, what) in [
        ("Attrition: leaving the NHS", &spec.attrition, "a year"),
        ("Progression: moving up one band", &spec.progression, "a year"),
    ] {
        a.group(title, "annual probability; a later rule wins for the cells it selects");
        match section {
            None => a.row("Not set", "all cells", "0%"),
            Some(sec) => {
                let d = sec.default.as_ref().map(|p| format!("{} {what}", fmt_spec(p, Unit::Pct)));
                a.row("Default", "cells no rule selects", &d.unwrap_or_else(|| "0% (not set)".into()));
                for (i, r) in sec.rule.iter().enumerate() {
                    a.row(
                        &format!("Rule {}", i + 1),
                        &fmt_selector(&r.role, &r.band, &r.region, "all cells"),
                        &format!("{} {what}", fmt_spec(&r.rate, Unit::Pct)),
                    );
                }
            }
        }
    }

    a.group("Transfers between roles", "annual probability of moving, same band and region");
    if spec.transfer.is_empty() {
        a.row("None", "", "no moves between roles");
    }
    for t in &spec.transfer {
        a.row(
            &format!("{} → {}", t.from, t.to),
            &fmt_selector(&None, &t.band, &t.region, "all bands and regions"),
            &format!("{} a year", fmt_spec(&t.rate, Unit::Pct)),
        );
    }

    a.group("Supply routes", "");
    if spec.supply.is_empty() {
        a.row("None", "", "no supply routes: staff in post only leave");
    }
    for r in &spec.supply {
        match r.kind {
            SupplyKind::Pipeline => {
                let kind = if r.duration_months > 0 { "training route" } else { "direct entry into post" };
                a.sub(&format!("{} ({kind})", r.name));
                let months = match r.months.as_deref() {
                    Some(ms) if !ms.is_empty() => {
                        let names: Vec<String> = ms
                            .iter()
                            .map(|m| {
                                MONTHS
                                    .get((*m as usize).wrapping_sub(1))
                                    .map(|s| s.to_string())
                                    .unwrap_or(m.to_string())
                            })
                            .collect();
                        format!("starting in {}", and_list(&names))
                    }
                    _ => "spread evenly over the year".into(),
                };
                let intake = r.intake.as_ref().map(|p| format!("{} starters a year", fmt_spec(p, Unit::Num)));
                a.row("Intake", &months, &intake.unwrap_or_else(|| "none (not set)".into()));
                let training = if r.duration_months == 0 {
                    "none: straight into post".to_string()
                } else {
                    format!("{} months before entering post", r.duration_months)
                };
                a.row("Training", "", &training);
                let completion =
                    r.completion.as_ref().map(|p| fmt_spec(p, Unit::Pct)).unwrap_or_else(|| "100% (not set)".into());
                a.row("Completion", "share of trainees who enter post", &completion);
                let total: f64 = r.entry.iter().map(|e| e.share).sum();
                let items: Vec<String> = r
                    .entry
                    .iter()
                    .map(|e| {
                        let share = if total > 0.0 { e.share / total } else { 0.0 };
                        let region = e.region.as_deref().map(|x| format!(", {x}")).unwrap_or_default();
                        format!(
                            "<li>{}, band {}{}: {}</li>",
                            esc(&e.role),
                            esc(&e.band.0.join("/")),
                            esc(&region),
                            esc(&fmt_pct(share))
                        )
                    })
                    .collect();
                let applies = if r.entry.iter().any(|e| e.region.is_none()) {
                    "share of entrants; with no region named, the baseline's regional mix"
                } else {
                    "share of entrants"
                };
                if items.is_empty() {
                    a.row("Entry posts", applies, "none");
                } else {
                    a.row_html("Entry posts", applies, &format!("<ul>{}</ul>", items.concat()));
                }
            }
            SupplyKind::VacancyFill => {
                a.sub(&format!("{} (recruitment into open vacancies)", r.name));
                let fill =
                    r.fill_rate.as_ref().map(|p| format!("{} of open vacancies filled a year", fmt_spec(p, Unit::Pct)));
                a.row(
                    "Fill rate",
                    &fmt_selector(&r.role, &r.band, &r.region, "all cells"),
                    &fill.unwrap_or_else(|| "0% (not set)".into()),
                );
                let cap = r.max_per_year.map(|c| format!("at most {} hires a year", fmt_plain(c, 2)));
                a.row("Cap", "", &cap.unwrap_or_else(|| "no cap".into()));
            }
        }
    }

    a.group("Demand: the posts the service needs (FTE)", "a later rule wins for the cells and fields it sets");
    match &spec.demand {
        None => a.row("Not set", "all cells", "demand stays at staff in post: no vacancies, no growth"),
        Some(d) => {
            let vr = d.vacancy_rate.as_ref().map(|p| fmt_spec(p, Unit::Pct)).unwrap_or_else(|| "0% (not set)".into());
            a.row(
                "Vacancy rate at the baseline",
                "cells no rule sets; demand = staff FTE / (1 − rate), unless the baseline gives establishment",
                &vr,
            );
            let gr = d
                .growth
                .as_ref()
                .map(|p| format!("{} a year", fmt_spec(p, Unit::Pct)))
                .unwrap_or_else(|| "0% (not set)".into());
            a.row("Growth", "cells no rule sets", &gr);
            for (i, r) in d.rule.iter().enumerate() {
                let mut parts = Vec::new();
                if let Some(g) = &r.growth {
                    parts.push(format!("growth {} a year", fmt_spec(g, Unit::Pct)));
                }
                if let Some(vr) = &r.vacancy_rate {
                    parts.push(format!("vacancy rate {}", fmt_spec(vr, Unit::Pct)));
                }
                a.row(
                    &format!("Rule {}", i + 1),
                    &fmt_selector(&r.role, &r.band, &r.region, "all cells"),
                    &parts.join("; "),
                );
            }
            for (i, c) in d.change.iter().enumerate() {
                let to = c.to.as_deref().unwrap_or(&c.from);
                let span = if to == c.from {
                    format!("in {}", month_label(&c.from))
                } else {
                    format!("spread over {} to {}", month_label(&c.from), month_label(to))
                };
                let amount = match &c.add_fte {
                    ParamSpec::Fixed(x) if *x < 0.0 => format!("{} FTE removed", fmt_plain(-x, 2)),
                    p => format!("{} FTE added", fmt_spec(p, Unit::Num)),
                };
                a.row(
                    &format!("Change {}", i + 1),
                    &fmt_selector(&c.role, &c.band, &c.region, "all cells"),
                    &format!("{amount}, {span}"),
                );
            }
        }
    }

    a.group("Interventions", "changes to a parameter from a date on");
    if spec.intervention.is_empty() {
        a.row("None", "", "no interventions");
    }
    for (i, iv) in spec.intervention.iter().enumerate() {
        let name = iv.name.clone().unwrap_or_else(|| format!("Intervention {}", i + 1));
        let target = target_name(iv.target);
        let applies = match (&iv.route, iv.target) {
            (Some(route), _) => format!("{target} of {route}"),
            (None, _) => format!("{target} of {}", fmt_selector(&iv.role, &iv.band, &iv.region, "all cells")),
        };
        let unit = if iv.target == Target::Intake { Unit::Num } else { Unit::Pct };
        let per_year = if iv.target == Target::Intake { " a year" } else { "" };
        let mut changes = Vec::new();
        if let Some(m) = &iv.multiply {
            changes.push(match m {
                ParamSpec::Fixed(x) => format!("× {}", fmt_plain(*x, 4)),
                p => format!("× ({})", fmt_spec(p, Unit::Num)),
            });
        }
        if let Some(p) = &iv.add {
            let what = if iv.target == Target::Intake { "" } else { " (added to the rate)" };
            changes.push(format!("add {}{per_year}{what}", fmt_spec(p, unit)));
        }
        if let Some(p) = &iv.set {
            changes.push(format!("set to {}{per_year}", fmt_spec(p, unit)));
        }
        let mut value = format!("{} from {}", changes.join(", "), month_label(&iv.from));
        if iv.ramp_months > 0 {
            w!(value, ", phased in over {} months", iv.ramp_months);
        }
        a.row(&name, &applies, &value);
    }

    a.group("Cost", "");
    match &spec.cost {
        None => a.row("Not set", "", "no pay table: costs are not reported"),
        Some(c) => {
            let pay =
                c.pay.as_ref().map(|p| format!("<code>{}</code> (band midpoints)", esc(&p.display().to_string())));
            a.row_html("Pay table", "annual pay by band", &pay.unwrap_or_else(|| "not set".into()));
            a.row("Employer on-costs", "share of pay", &fmt_pct(c.on_cost.unwrap_or(0.0)));
        }
    }

    w!(
        s,
        "<div class=\"table-wrap\"><table class=\"assumptions\">\n<caption>Assumptions of {}</caption>\n\
         <thead><tr><th scope=\"col\">Assumption</th><th scope=\"col\">Applies to</th><th scope=\"col\">Value</th></tr></thead>\n\
         {}</tbody></table></div>\n",
        esc(&meta.title),
        a.html
    );
    s
}

// ---------------------------------------------------------------------------------------
// Provenance
// ---------------------------------------------------------------------------------------

fn file_rows(rows: &[(String, String, String)]) -> String {
    let mut s = String::from(
        "<div class=\"table-wrap\"><table class=\"files\">\n<thead><tr><th scope=\"col\">File</th>\
         <th scope=\"col\">What it is</th><th scope=\"col\">SHA-256</th></tr></thead>\n<tbody>\n",
    );
    for (path, what, sha) in rows {
        w!(s, "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n", esc(path), esc(what), esc(sha));
    }
    s.push_str("</tbody></table></div>\n");
    s
}

/// The `wfcast run` command line that reproduces a run.
fn reproduce_run(meta: &Meta) -> String {
    let mut cmd = format!("wfcast run {}", shell_word(&meta.file));
    if meta.mode == "deterministic" {
        cmd.push_str(" --deterministic");
    } else {
        w!(cmd, " --seed {} --runs {}", meta.seed, meta.runs);
    }
    if !meta.levels.is_empty() && !default_levels(&meta.levels) {
        w!(cmd, " --levels {}", meta.levels.join(","));
    }
    cmd
}

/// Files in `dir` the report was built from, with their SHA-256.
fn result_files(dir: &Path, names: &[&str]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for name in names {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            out.push((name.to_string(), "in the report's folder".into(), sha256_hex(&bytes)));
        }
    }
    out
}

fn provenance(v: &View, dir: &Path, lvl: usize, idp: &str) -> String {
    let meta = v.meta();
    let mut s = h(lvl, &format!("{idp}provenance"), "Provenance: how to reproduce these numbers");
    w!(
        s,
        "<dl class=\"facts\">\n<dt>Scenario</dt><dd><code>{}</code> ({})</dd>\n<dt>Made by</dt><dd>wfcast {}</dd>\n\
         <dt>Mode</dt><dd>{}</dd>\n<dt>Seed</dt><dd>{}</dd>\n<dt>Runs</dt><dd>{}</dd>\n\
         <dt>Levels</dt><dd>{}</dd>\n<dt>Wall time of the runs</dt><dd>{}</dd>\n</dl>\n",
        esc(&meta.scenario),
        esc(&meta.title),
        esc(&meta.version),
        esc(&meta.mode),
        meta.seed,
        fmt_int(meta.runs as f64),
        esc(&meta.levels.join(", ")),
        fmt_seconds(meta.wall_time_seconds)
    );
    let mut files: Vec<(String, String, String)> = meta
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let what = if i == 0 {
                "scenario file"
            } else if f.path.to_lowercase().ends_with(".csv") {
                "role families mapping (`families`)"
            } else {
                "scenario file it extends"
            };
            (f.path.clone(), what.to_string(), f.sha256.clone())
        })
        .collect();
    let mut what = "baseline extract".to_string();
    if v.illustrative() {
        what.push_str(" (the illustrative seed shipped with wfcast)");
    }
    files.push((meta.baseline.path.clone(), what, meta.baseline.sha256.clone()));
    s.push_str("<p>Every file the run read, with its SHA-256 (paths as given to wfcast, relative to the folder it ran in):</p>\n");
    s.push_str(&file_rows(&files));
    let parquet = dir.join("summary.parquet").exists();
    let summary = if parquet { "summary.parquet" } else { "summary.csv" };
    let own = result_files(dir, &["meta.json", summary, "scenario.toml"]);
    if !own.is_empty() {
        s.push_str("<p>The results this report was made from:</p>\n");
        s.push_str(&file_rows(&own));
    }
    w!(
        s,
        "<p>To reproduce the results, from the folder the run was made in, with wfcast {}:</p>\n<p><code>{}</code></p>\n\
         <p>The same scenario files, baseline, seed and number of runs give the same numbers on any machine and \
         any number of threads.</p>\n",
        esc(&meta.version),
        esc(&reproduce_run(meta))
    );
    s
}

// ---------------------------------------------------------------------------------------
// Scenario report
// ---------------------------------------------------------------------------------------

/// The body sections of one scenario (headline, reading guide, charts, tables, assumptions,
/// provenance), with headings from level `lvl` and ids prefixed by `idp`.
fn scenario_sections(v: &View, dir: &Path, figs: &mut Figures, lvl: usize, idp: &str, guide: bool) -> String {
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

fn toc(items: &[(String, String)]) -> String {
    let mut s = String::from("<nav class=\"toc\" aria-labelledby=\"toc-h\">\n<h2 id=\"toc-h\">Contents</h2>\n<ol>\n");
    for (id, text) in items {
        w!(s, "<li><a href=\"#{}\">{}</a></li>\n", esc(id), esc(text));
    }
    s.push_str("</ol>\n</nav>\n");
    s
}

fn footer() -> String {
    format!(
        "<footer><p>Made by wfcast {}: stochastic stock-and-flow forecasts of the NHS digital, data and \
         technology workforce. This page needs no network and no scripts; it prints on A4.</p></footer>\n",
        env!("CARGO_PKG_VERSION")
    )
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

// ---------------------------------------------------------------------------------------
// Comparison report
// ---------------------------------------------------------------------------------------

/// A scenario's own output folder inside a comparison folder: `<dir>/<name>`, or the
/// subfolder whose `meta.json` names it.
fn scenario_subdir(dir: &Path, name: &str) -> Option<PathBuf> {
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
fn cmp_rows<'c>(c: &'c Comparison, level: &str, g: Group, metric: &str, date: &str) -> Vec<&'c ComparisonRow> {
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

fn cmp_row<'c>(c: &'c Comparison, scenario: &str, metric: &str, date: &str) -> Option<&'c ComparisonRow> {
    cmp_rows(c, "total", TOTAL, metric, date).into_iter().find(|r| r.scenario == scenario)
}

/// A short name for a scenario in tables and sentences: its title up to the first colon
/// (`Grow our own` for `Grow our own: more graduates...`), or the whole title.
fn short_title(m: &Meta) -> String {
    match m.title.split_once(':') {
        Some((head, _)) if !head.trim().is_empty() => head.trim().to_string(),
        _ => m.title.clone(),
    }
}

/// A difference in words: `2,300 FTE smaller` or `150 FTE larger`.
fn more_less(x: f64, less: &str, more: &str) -> String {
    if x < 0.0 { format!("{} FTE {less}", fmt_int(-x)) } else { format!("{} FTE {more}", fmt_int(x)) }
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
        esc(&when)
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
    w!(t, "<caption>England at {}</caption>\n{}<tbody>\n", esc(&when), head("FTE"));
    for (label, metric) in [("Supply", "fte"), ("Demand", "demand_fte"), ("Gap", "gap_fte")] {
        w!(t, "<tr><th scope=\"row\">{label}</th>");
        for n in &names {
            t.push_str(&interval_cell(cmp_row(c, n, metric, &last).map(|r| &r.row.p), fmt_int))
        }
        t.push_str("</tr>\n");
    }
    t.push_str("<tr><th scope=\"row\">Runs in shortfall</th>");
    for n in &names {
        let p = cmp_row(c, n, "gap_fte", &last).and_then(|r| r.row.p_shortfall).map(fmt_share);
        w!(t, "<td class=\"num\">{}</td>", esc(&p.unwrap_or_else(|| "–".into())));
    }
    t.push_str("</tr>\n");
    if names.iter().any(|n| cmp_row(c, n, "cost_gbp", &last).is_some()) {
        t.push_str("<tr><th scope=\"row\">Pay bill a year</th>");
        for n in &names {
            t.push_str(&interval_cell(cmp_row(c, n, "cost_gbp", &last).map(|r| &r.row.p), fmt_money))
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
            for n in &names {
                t.push_str(&interval_cell(cmp_row(c, n, "gap_fte", d).map(|r| &r.row.p), fmt_int))
            }
            t.push_str("</tr>\n");
        }
        t.push_str("</tbody></table></div>\n");
        body.push_str(&t);
    }

    // Differences from the first.
    let reference = titles.first().cloned().unwrap_or_default();
    body.push_str(&h(2, "differences", &format!("Differences from {reference}")));
    w!(
        body,
        "<p>Each scenario minus <strong>{}</strong>, run by run: the median difference, its 90% interval, and the \
         share of runs in which the scenario's gap is smaller than the reference's. A negative gap difference is a \
         smaller shortfall.</p>\n",
        esc(&reference)
    );
    let others = &c.scenarios[c.scenarios.len().min(1)..];
    if others.is_empty() {
        body.push_str("<p>There is only one scenario: nothing to compare.</p>\n");
    } else {
        let mut t = String::from("<div class=\"table-wrap\"><table class=\"compare\">\n");
        w!(
            t,
            "<caption>Difference from {} at {}<span class=\"sub\">FTE; median difference, 90% interval below</span></caption>\n<thead><tr><th scope=\"col\">Difference</th>",
            esc(&reference),
            esc(&when)
        );
        for m in others {
            w!(t, "<th scope=\"col\" class=\"num\">{}</th>", esc(&short_title(m)));
        }
        t.push_str("</tr></thead>\n<tbody>\n");
        for (label, metric) in [("Supply", "fte"), ("Demand", "demand_fte"), ("Gap", "gap_fte")] {
            w!(t, "<tr><th scope=\"row\">{label}</th>");
            for m in others {
                t.push_str(&interval_cell(
                    cmp_row(c, &m.scenario, metric, &last).and_then(|r| r.diff.as_ref()).map(|d| &d.p),
                    fmt_int,
                ))
            }
            t.push_str("</tr>\n");
        }
        t.push_str("<tr><th scope=\"row\">Runs with a smaller gap</th>");
        for m in others {
            let p = cmp_row(c, &m.scenario, "gap_fte", &last)
                .and_then(|r| r.diff.as_ref())
                .and_then(|d| d.p_gap_smaller)
                .map(fmt_share);
            w!(t, "<td class=\"num\">{}</td>", esc(&p.unwrap_or_else(|| "–".into())));
        }
        t.push_str("</tr>\n</tbody></table></div>\n");
        body.push_str(&t);
    }

    // Comparison charts.
    body.push_str(&h(2, "compare-charts", "Comparison charts"));
    let mut figs = Figures { n: 0, redraw: REDRAW_PLOT };
    let gaps: Vec<String> = c
        .scenarios
        .iter()
        .filter_map(|m| {
            cmp_row(c, &m.scenario, "gap_fte", &last).map(|r| {
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
        if let Some(r) = cmp_row(c, &m.scenario, "gap_fte", &last)
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

    // Each scenario in its own section.
    for (i, (m, loaded)) in subs.iter().enumerate() {
        let idp = format!("s{}-{}", i + 1, slug(&m.scenario));
        w!(body, "<section class=\"scenario\" aria-labelledby=\"{}\">\n", esc(&idp));
        body.push_str(&h(2, &idp, &format!("Scenario {}: {}", i + 1, m.title)));
        body.push_str(&paragraphs(&m.description));
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
    body.push_str("</main>\n");
    body.push_str(&footer());
    page(&format!("{title} – wfcast report"), &body)
}

// ---------------------------------------------------------------------------------------
// Backtest report
// ---------------------------------------------------------------------------------------

/// How a backtest's missing chart is drawn.
const REDRAW_BACKTEST: &str =
    "remove the <code>charts</code> folder and run <code>wfcast report</code> again to draw the charts";

/// Draws a backtest's charts into `dir/charts` when that folder is missing; returns what was
/// done, as markup for the report (nothing when the folder was there).
fn draw_missing_backtest_charts(results: &BacktestResults, dir: &Path) -> Option<String> {
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
fn fmt_mape(x: f64) -> String {
    if x.is_finite() { format!("{}%", crate::format::typeset(x, 1)) } else { "–".into() }
}

/// A MASE as `0.85`, or a dash.
fn fmt_mase(x: f64) -> String {
    if x.is_finite() { crate::format::typeset(x, 2) } else { "–".into() }
}

/// A backtest's tables, with what the report says about them.
struct BacktestView<'a> {
    r: &'a BacktestResults,
    /// The roles, in order.
    roles: Vec<&'a str>,
    /// The held-out dates, in order.
    held_out: Vec<backtest::Point>,
}

impl<'a> BacktestView<'a> {
    fn new(r: &'a BacktestResults) -> BacktestView<'a> {
        let roles = r.series().into_iter().filter(|s| *s != backtest::TOTAL).collect();
        let mut held_out: Vec<backtest::Point> =
            r.points.iter().filter(|p| p.series == backtest::TOTAL).cloned().collect();
        held_out.sort_by_key(|p| p.date);
        BacktestView { r, roles, held_out }
    }

    fn mape(&self, series: &str, m: Method) -> f64 {
        self.r.score(series, m).map_or(f64::NAN, |s| s.mape)
    }

    /// Whether wfcast's median had a lower MAPE than `other` on `series` (None when either is
    /// missing).
    fn beats(&self, series: &str, other: Method) -> Option<bool> {
        let (a, b) = (self.mape(series, Method::Wfcast), self.mape(series, other));
        (a.is_finite() && b.is_finite()).then_some(a < b)
    }

    /// Whether wfcast's median beat both benchmarks on `series`.
    fn beats_both(&self, series: &str) -> Option<bool> {
        Some(self.beats(series, Method::Naive)? && self.beats(series, Method::Trend)?)
    }

    /// The series' points, by date.
    fn points(&self, series: &str) -> Vec<&'a backtest::Point> {
        let mut pts: Vec<&backtest::Point> = self.r.points.iter().filter(|p| p.series == series).collect();
        pts.sort_by_key(|p| p.date);
        pts
    }

    /// `3 held-out snapshots` and the words for the count.
    fn dates_text(&self) -> String {
        let n = self.held_out.len();
        format!("{n} held-out snapshot{}", if n == 1 { "" } else { "s" })
    }
}

/// What wfcast did against the benchmarks on one series, in words, with the MAPEs.
fn verdict(v: &BacktestView, series: &str, subject: &str) -> String {
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
fn backtest_headline(v: &BacktestView) -> String {
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
fn backtest_guide(v: &BacktestView) -> String {
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
fn scores_table(v: &BacktestView) -> String {
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
fn backtest_reading(v: &BacktestView, series: &str) -> String {
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
fn backtest_charts(v: &BacktestView, dir: &Path, note: Option<&str>) -> String {
    let mut s = h(2, "charts", "Charts");
    if let Some(note) = note {
        w!(s, "<aside class=\"note\" role=\"note\"><p>{note}</p></aside>\n");
    }
    s.push_str(
        "<p>Each chart shows staff in post at every snapshot (filled dots: training; hollow dots: held out), \
         wfcast's forecast from the training date (its median line, and the middle 50% and 90% of runs shaded) \
         and the two benchmarks (dashed).</p>\n",
    );
    let mut figs = Figures { n: 0, redraw: REDRAW_BACKTEST };
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
fn collapsed_file(dir: &Path, name: &str, summary: &str) -> String {
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
fn backtest_calibration(r: &BacktestResults, dir: &Path) -> String {
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
fn reproduce_backtest(meta: &backtest::BacktestMeta) -> String {
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

fn backtest_provenance(r: &BacktestResults, dir: &Path) -> String {
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
fn backtest_page(r: &BacktestResults, dir: &Path, note: Option<&str>) -> String {
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
    body.push_str(&footer());
    page(&format!("{title} – wfcast report"), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_signed() {
        assert_eq!(fmt_int(6560.457), "6,560");
        assert_eq!(fmt_int(-1204.4), "−1,204");
        assert_eq!(fmt_int(999.5), "1,000");
        assert_eq!(fmt_int(1234567.0), "1,234,567");
        assert_eq!(fmt_int(0.2), "0");
        assert_eq!(fmt_pct(0.09), "9%");
        assert_eq!(fmt_pct(0.0125), "1.25%");
        assert_eq!(fmt_pct(0.07), "7%");
        assert_eq!(fmt_pct(-0.005), "−0.5%");
        assert_eq!(fmt_plain(8000.0, 2), "8,000");
        assert_eq!(fmt_share(1.0), "100%");
        assert_eq!(fmt_share(0.995), ">99%");
        assert_eq!(fmt_share(0.004), "<1%");
        assert_eq!(fmt_share(0.0), "0%");
        assert_eq!(fmt_money(2_956_962_898.0), "£2.96bn");
        assert_eq!(month_label("2030-03"), "March 2030");
    }

    #[test]
    fn specs_read_as_written() {
        assert_eq!(fmt_spec(&ParamSpec::Fixed(0.1), Unit::Pct), "10%");
        assert_eq!(fmt_spec(&ParamSpec::MeanSd { mean: 0.1, sd: 0.015 }, Unit::Pct), "mean 10%, sd 1.5%");
        assert_eq!(fmt_spec(&ParamSpec::LowHigh { low: 0.05, high: 0.25 }, Unit::Pct), "90% interval 5% to 25%");
        assert_eq!(fmt_spec(&ParamSpec::MeanSd { mean: 250.0, sd: 25.0 }, Unit::Num), "mean 250, sd 25");
    }

    #[test]
    fn escaping_covers_the_five_characters() {
        assert_eq!(
            esc(r#"<a href="x">Tom & 'Jo'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn svg_is_cleaned_for_inlining() {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n\
                    <svg width=\"800\" height=\"600\" xmlns=\"http://www.w3.org/2000/svg\"><defs><clipPath id=\"c1\">\
                    <rect width=\"1\" height=\"1\"/></clipPath></defs><script>alert(1)</script>\
                    <g clip-path=\"url(#c1)\"><text>A & B</text></g></svg>\n";
        let svg = inline_svg(text, "Gap <total>", "f1-").unwrap();
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(!svg.contains("<?xml") && !svg.contains("DOCTYPE") && !svg.contains("script"), "{svg}");
        assert!(svg.contains("viewBox=\"0 0 800 600\""), "{svg}");
        assert!(svg.contains("id=\"f1-c1\"") && svg.contains("url(#f1-c1)"), "{svg}");
        assert!(svg.contains("aria-label=\"Gap &lt;total&gt;\"") && svg.contains("<title>Gap &lt;total&gt;</title>"));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(inline_svg("not an svg", "x", "p"), None);
        // An svg with a viewBox keeps it.
        let kept = inline_svg("<svg viewBox=\"0 0 10 5\" width=\"10\"></svg>", "x", "p").unwrap();
        assert_eq!(kept.matches("viewBox").count(), 1, "{kept}");
    }

    #[test]
    fn the_shipped_seed_hash_is_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seeds/esr_informatics_2025.csv");
        if let Ok(bytes) = std::fs::read(&path) {
            assert_eq!(sha256_hex(&bytes), SHIPPED_SEED_SHA256, "update SHIPPED_SEED_SHA256 for {}", path.display());
        }
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("scenarios/a.toml"), "scenarios/a.toml");
        assert_eq!(shell_word("my file.toml"), "'my file.toml'");
        assert_eq!(shell_word("it's.toml"), r"'it'\''s.toml'");
    }

    /// Every element opened is closed, in order (void elements and self-closed tags aside).
    fn assert_balanced(html: &str) {
        const VOID: [&str; 6] = ["meta", "br", "img", "input", "link", "hr"];
        let mut stack: Vec<String> = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            let end = rest[i..].find('>').map(|e| i + e).expect("a tag that is not closed");
            let tag = &rest[i + 1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('!') || tag.starts_with('?') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().unwrap_or_else(|| panic!("</{name}> closes nothing"));
                assert_eq!(open, name.trim(), "<{open}> closed by </{name}>");
                continue;
            }
            let name: String = tag.chars().take_while(|c| !c.is_whitespace() && *c != '/').collect();
            if name == "style" {
                // Raw text: the stylesheet's comments may mention tags.
                rest = &rest[rest.find("</style>").expect("</style>") + "</style>".len()..];
            } else if !tag.ends_with('/') && !VOID.contains(&name.to_ascii_lowercase().as_str()) {
                stack.push(name);
            }
        }
        assert!(stack.is_empty(), "left open: {stack:?}");
    }

    /// A backtest folder as `wfcast backtest` writes it, without its charts.
    fn backtest_folder(name: &str) -> (PathBuf, BacktestResults) {
        use polars::prelude::{CsvWriter, SerWriter};
        let dir = std::env::temp_dir().join(format!("wfcast-report-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let results = crate::chart::tests::synthetic_backtest();
        for (file, mut df) in [
            ("backtest.csv", wfcast_io::backtest::frame(&results).unwrap()),
            ("scores.csv", wfcast_io::backtest::scores_frame(&results).unwrap()),
        ] {
            let f = std::fs::File::create(dir.join(file)).unwrap();
            CsvWriter::new(f).include_header(true).finish(&mut df).unwrap();
        }
        std::fs::write(dir.join("meta.json"), serde_json::to_string_pretty(&results.meta).unwrap()).unwrap();
        std::fs::write(dir.join("calibration.toml"), "[attrition]\ndefault = { mean = 0.1, sd = 0.01 } # <learnt>\n")
            .unwrap();
        std::fs::write(dir.join("scenario.toml"), "name = \"backtest\"\n").unwrap();
        (dir, results)
    }

    #[test]
    fn a_backtest_folder_gets_a_backtest_report_with_its_charts_drawn() {
        let (dir, _) = backtest_folder("backtest");
        let path = write_report(&dir).unwrap();
        assert_eq!(path, dir.join("report.html"));
        let html = std::fs::read_to_string(&path).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Content-Security-Policy"));
        assert!(!html.to_ascii_lowercase().contains("<script"));
        assert_balanced(&html);
        assert_eq!(html.matches("<h1").count(), 1);
        // The headline, in words.
        assert!(html.contains("On the total, wfcast&#39;s median beat both benchmarks: a MAPE of 1.5% against 5.2% for no change and 2.4% for the linear trend."), "{html}");
        assert!(html.contains("By role, it beat both benchmarks on 1 of 2 roles: Data &amp; Analytics."), "{html}");
        // The scores table: every series and method, with coverage against the nominal.
        let table = &html[html.find("<table class=\"scores\">").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        for series in [wfcast_core::backtest::TOTAL, "Data &amp; Analytics", "Software Engineering", ALL_ROLES] {
            assert!(table.contains(&format!("rowspan=\"3\">{series}</th>")), "{series}: {table}");
        }
        for m in Method::ALL {
            assert_eq!(table.matches(&format!("<td>{}</td>", esc(m.label()))).count(), 4, "{}", m.label());
        }
        assert!(table.contains("nominal 50%") && table.contains("nominal 90%"));
        assert!(table.contains("<strong>1.5%</strong>") && table.contains("<td class=\"num\">67%</td>"), "{table}");
        assert!(table.contains("<td class=\"num\">0.75</td>"), "MASE: {table}");
        // The charts were drawn (the folder had none) and inlined, total first.
        assert!(dir.join("charts/backtest_total.svg").is_file());
        assert!(html.contains("this report drew them"));
        let total = html.find("id=\"fig-backtest_total\"").expect("the total's chart");
        let role = html.find("id=\"fig-backtest_data-analytics\"").expect("a role's chart");
        assert!(html.find("id=\"fig-backtest_software-engineering\"").is_some());
        assert!(total < role);
        assert_eq!(html.matches("<figure").count(), 3);
        assert_eq!(html.matches("<svg ").count(), 3);
        assert!(!html.contains("Chart not available"));
        assert!(html.contains("inside the 90% interval at 3 of 3 dates"), "{html}");
        // The explanation, the calibration collapsed, and the provenance.
        for words in ["Mean absolute percentage error", "Mean absolute scaled error", "should beat both"] {
            assert!(html.contains(words), "{words}");
        }
        assert!(html.contains("<details>") && html.contains("# &lt;learnt&gt;"), "calibration.toml not shown");
        assert!(html.contains(&"ab".repeat(32)) && html.contains(&"cd".repeat(32)));
        assert!(html.contains(
            "wfcast backtest data/history.csv --flows data/flows.csv --train-until 2021-03 --runs 500 --seed 11"
        ));
        // A second report leaves the charts as they are.
        let again = std::fs::read_to_string(write_report(&dir).unwrap()).unwrap();
        assert!(!again.contains("this report drew them"));
        if std::env::var_os("WFCAST_KEEP_REPORT").is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        } else {
            eprintln!("report kept in {}", dir.display());
        }
    }

    #[test]
    fn a_backtest_report_without_charts_says_so() {
        let (dir, results) = backtest_folder("backtest-bare");
        let html = backtest_html(&results, &dir);
        assert_balanced(&html);
        assert_eq!(html.matches("Chart not available").count(), 3);
        assert!(html.contains("charts/backtest_total.svg was not found"));
        std::fs::remove_file(dir.join("calibration.toml")).unwrap();
        assert!(backtest_html(&results, &dir).contains("<code>calibration.toml</code> was not found"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn backtest_verdicts_name_what_was_beaten() {
        let mut results = crate::chart::tests::synthetic_backtest();
        let v = BacktestView::new(&results);
        assert_eq!(v.beats_both("Software Engineering"), Some(false));
        assert!(verdict(&v, "Software Engineering", "X").contains("beat no change but not the linear trend"));
        for s in results.scores.iter_mut().filter(|s| s.method == Method::Wfcast) {
            s.mape = 9.0;
        }
        let v = BacktestView::new(&results);
        assert!(verdict(&v, wfcast_core::backtest::TOTAL, "On the total").contains("beat neither benchmark"));
        let html = backtest_html(&results, Path::new("/nonexistent"));
        assert!(html.contains("it beat both benchmarks on 0 of 2 roles."), "{html}");
    }
}
