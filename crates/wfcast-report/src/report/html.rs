//! The pieces every page is built from: askama's escaper for the report, the page shell, and
//! the values the templates show (paragraphs, headline figures, number cells, file tables).
use super::CSS;
use askama::Template;
use std::path::Path;
use wfcast_core::scenario::sha256_hex;

/// The escaper of every template (see `templates/askama.toml`): `&`, `<`, `>`, `"` and `'`
/// as `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`, the entities the report has always
/// written (askama's own escaper writes numeric ones).
#[derive(Clone, Copy)]
pub struct Escape;

impl askama::filters::Escaper for Escape {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, text: &str) -> std::fmt::Result {
        let mut from = 0;
        for (i, c) in text.char_indices() {
            let entity = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => continue,
            };
            dest.write_str(&text[from..i])?;
            dest.write_str(entity)?;
            from = i + 1;
        }
        dest.write_str(&text[from..])
    }
}

/// Renders a template to a `String` (writing to a `String` cannot fail, and the templates
/// call no filter that can).
pub(super) fn render(t: &impl Template) -> String {
    t.render().expect("a report template renders")
}

/// The page shell: head, stylesheet, body (markup already rendered) and footer.
#[derive(Template)]
#[template(path = "page.html", config = "templates/askama.toml")]
struct Page<'a> {
    title: &'a str,
    css: &'a str,
    version: &'a str,
    body: &'a str,
}

/// A complete HTML page of `body` (rendered markup), with its footer.
pub(super) fn page(title: &str, body: &str) -> String {
    // askama drops a template's last line break; a text file ends with one.
    render(&Page { title, css: CSS, version: env!("CARGO_PKG_VERSION"), body }) + "\n"
}

/// The paragraphs of a text (separated by blank lines), each on one line.
pub(super) fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// One headline figure: a label, a value with its unit, and the interval below.
pub(super) struct Kpi {
    /// An extra class (`gap`, `benchmark`) or nothing.
    pub(super) class: &'static str,
    pub(super) label: String,
    pub(super) value: String,
    pub(super) unit: &'static str,
    pub(super) interval: String,
}

/// A table cell of a number, with what is written below it (its 90% interval) if anything.
pub(super) struct Cell {
    pub(super) value: String,
    pub(super) below: Option<String>,
}

impl Cell {
    /// A cell of a value alone.
    pub(super) fn plain(value: String) -> Cell {
        Cell { value, below: None }
    }

    /// A cell of a median with its 90% interval below (`p` holds percentiles 5, 25, 50, 75,
    /// 95), or a dash when there is no value.
    pub(super) fn interval(p: Option<&[f64; 5]>, fmt: fn(f64) -> String) -> Cell {
        match p {
            Some(p) => Cell { value: fmt(p[2]), below: Some(format!("{} to {}", fmt(p[0]), fmt(p[4]))) },
            None => Cell::dash(),
        }
    }

    /// A cell with no value.
    pub(super) fn dash() -> Cell {
        Cell::plain("–".into())
    }
}

/// A file the report names: its path, what it is and its SHA-256.
pub(super) type FileRow = (String, String, String);

/// Files in `dir` the report was built from, with their SHA-256.
pub(super) fn result_files(dir: &Path, names: &[&str]) -> Vec<FileRow> {
    let mut out = Vec::new();
    for name in names {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            out.push((name.to_string(), "in the report's folder".into(), sha256_hex(&bytes)));
        }
    }
    out
}

/// An entry of the contents: the id of a heading and its text.
pub(super) type TocItem = (String, String);
