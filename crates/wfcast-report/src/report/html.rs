//! The pieces every page is built from: the page shell, headings, paragraphs, notes, contents,
//! headline figures, file tables and the footer.
use super::*;

pub(super) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"generator\" content=\"wfcast {}\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title)
    )
}

pub(super) fn h(level: usize, id: &str, text: &str) -> String {
    let level = level.clamp(1, 6);
    format!("<h{level} id=\"{}\">{}</h{level}>\n", esc(id), esc(text))
}

pub(super) fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>\n", esc(&p.split_whitespace().collect::<Vec<_>>().join(" "))))
        .collect()
}

pub(super) fn illustrative_note() -> String {
    "<aside class=\"note\" role=\"note\"><p><strong>Illustrative data.</strong> The baseline is the made-up \
     extract shipped with wfcast (<code>seeds/esr_informatics_2025.csv</code>): it has the shape and rough \
     proportions of an ESR extract of the NHS digital, data and technology workforce, but its organisations \
     and headcounts are invented. Do not quote these numbers as facts about the NHS; run the scenario on your \
     own ESR extract to plan.</p></aside>\n"
        .to_string()
}

/// One headline figure.
pub(super) fn kpi(class: &str, label: &str, value: &str, unit: &str, interval: &str) -> String {
    format!(
        "<div class=\"kpi{class}\"><p class=\"label\">{}</p><p class=\"value\">{}{}</p><p class=\"interval\">{}</p></div>\n",
        esc(label),
        esc(value),
        if unit.is_empty() { String::new() } else { format!(" <span class=\"unit\">{}</span>", esc(unit)) },
        esc(interval)
    )
}

pub(super) fn file_rows(rows: &[(String, String, String)]) -> String {
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

/// Files in `dir` the report was built from, with their SHA-256.
pub(super) fn result_files(dir: &Path, names: &[&str]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for name in names {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            out.push((name.to_string(), "in the report's folder".into(), sha256_hex(&bytes)));
        }
    }
    out
}

pub(super) fn toc(items: &[(String, String)]) -> String {
    let mut s = String::from("<nav class=\"toc\" aria-labelledby=\"toc-h\">\n<h2 id=\"toc-h\">Contents</h2>\n<ol>\n");
    for (id, text) in items {
        w!(s, "<li><a href=\"#{}\">{}</a></li>\n", esc(id), esc(text));
    }
    s.push_str("</ol>\n</nav>\n");
    s
}

pub(super) fn footer() -> String {
    format!(
        "<footer><p>Made by wfcast {}: stochastic stock-and-flow forecasts of the NHS digital, data and \
         technology workforce. This page needs no network and no scripts; it prints on A4.</p></footer>\n",
        env!("CARGO_PKG_VERSION")
    )
}
