//! Text as the report writes it: escaping, lists, parameters, selectors and shell words.
use crate::format::{fmt_pct, fmt_plain};
use wfcast_core::sampling::ParamSpec;
use wfcast_core::scenario::Names;

/// Escapes text for HTML content and attribute values (`&`, `<`, `>`, `"`, `'`), as the
/// templates do: for the attributes of a chart inlined.
pub fn esc(text: &str) -> String {
    askama::filters::escape(text, super::html::Escape).map(|e| e.to_string()).unwrap_or_default()
}

pub(super) use wfcast_core::names::and_list;

/// What a parameter measures, for writing its value.
#[derive(Clone, Copy)]
pub(super) enum Unit {
    /// A probability or rate, written as a percentage.
    Pct,
    /// A count or amount, written as a number.
    Num,
}

/// A parameter as the user wrote it: `10%`, `mean 10%, sd 1.5%`, `90% interval 5% to 25%`.
pub(super) fn fmt_spec(spec: &ParamSpec, unit: Unit) -> String {
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

/// A word for the shell: quoted when it holds anything but safe characters.
pub(super) fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A selector in words: `role Data Science; bands 6, 7`, or `all` when empty.
pub(super) fn fmt_selector(role: &Option<Names>, band: &Option<Names>, region: &Option<Names>, all: &str) -> String {
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
