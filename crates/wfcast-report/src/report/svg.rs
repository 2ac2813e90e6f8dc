//! Charts inlined as SVG: cleaning a chart file for inlining, and numbering the figures.
use super::html::render;
use super::text::esc;
use std::fmt::Write as _;
use std::path::Path;

/// The position of the root `<svg` tag.
pub(super) fn svg_start(text: &str) -> Option<usize> {
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
pub(super) fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
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
pub(super) fn strip_element(text: &str, name: &str) -> String {
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
pub(super) fn prefix_ids(svg: &str, prefix: &str) -> String {
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
pub(super) struct Figures {
    pub(super) n: usize,
    /// Whether a missing chart is redrawn by `wfcast report` (a backtest's) rather than by
    /// `wfcast plot`.
    pub(super) backtest: bool,
}

/// A figure: a chart inlined (or why it is not), its label and its reading.
#[derive(askama::Template)]
#[template(path = "figure.html", config = "templates/askama.toml")]
struct Figure<'a> {
    id: String,
    file: &'a str,
    /// The chart's markup, ready to inline.
    svg: Option<String>,
    /// Whether the file was there (but not an SVG chart) when `svg` is None.
    found: bool,
    backtest: bool,
    label: String,
    reading: &'a str,
}

impl Figures {
    /// A figure for a scenario's or a comparison's charts.
    pub(super) fn plot() -> Figures {
        Figures { n: 0, backtest: false }
    }

    /// A figure: the chart `charts/<file>` of a folder inlined, or 'Chart not available'.
    pub(super) fn figure(
        &mut self,
        charts: &ChartFiles,
        file: &str,
        title: &str,
        reading: &str,
        id_prefix: &str,
    ) -> String {
        self.n += 1;
        let id = format!("{id_prefix}fig-{}", file.trim_end_matches(".svg"));
        let text = charts.text(file);
        let svg = text.and_then(|t| inline_svg(t, &format!("{title}. {reading}"), &format!("{id}-")));
        let label = format!("Figure {}. {title}", self.n);
        let found = text.is_some();
        render(&Figure { id, file, svg, found, backtest: self.backtest, label, reading })
    }
}

/// The SVG charts of a folder's `charts/`, read once before its page is made: each file
/// ending in `.svg`, with its text (None when it could not be read as text).
pub(super) struct ChartFiles {
    files: std::collections::BTreeMap<String, Option<String>>,
}

impl ChartFiles {
    /// Reads the charts of `dir/charts` (none when there is no such folder).
    pub(super) fn read(dir: &Path) -> ChartFiles {
        let charts = dir.join("charts");
        let names = std::fs::read_dir(&charts).into_iter().flatten().filter_map(|e| e.ok());
        let files = names
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".svg"))
            .map(|n| {
                let text = std::fs::read_to_string(charts.join(&n)).ok();
                (n, text)
            })
            .collect();
        ChartFiles { files }
    }

    /// The text of a chart, if it was there.
    fn text(&self, file: &str) -> Option<&str> {
        self.files.get(file).and_then(|t| t.as_deref())
    }

    /// The charts the report does not show by name (so none is left out), by name.
    pub(super) fn others(&self, shown: &[String]) -> Vec<String> {
        self.files.keys().filter(|n| !shown.contains(n)).cloned().collect()
    }
}
