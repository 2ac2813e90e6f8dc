//! Text as the report writes it: escaping, numbers, dates, lists, parameters and selectors.
use super::*;

/// Escapes text for HTML content and attribute values (`&`, `<`, `>`, `"`, `'`), as the
/// templates do: for the attributes of a chart inlined.
pub fn esc(text: &str) -> String {
    askama::filters::escape(text, super::html::Escape).map(|e| e.to_string()).unwrap_or_default()
}

/// A number rounded to a whole number, with thousands separators and a true minus sign:
/// `6,560`, `−1,204`. Not-a-number is a dash.
pub fn fmt_int(x: f64) -> String {
    crate::format::typeset(x, 0)
}

/// A number with at most `places` decimals (trailing zeros dropped) and thousands separators.
pub(super) fn fmt_plain(x: f64, places: usize) -> String {
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
pub(super) fn fmt_pct_whole(x: f64) -> String {
    if x.abs() < 0.01 { format!("{}%", fmt_plain(x * 100.0, 1)) } else { format!("{}%", fmt_int(x * 100.0)) }
}

/// An amount of money: `£2.96bn`, `£412.5m`, `£48,000`.
pub(super) fn fmt_money(x: f64) -> String {
    let (sign, a) = if x < 0.0 { ("−", -x) } else { ("", x) };
    if a >= 1e9 {
        format!("{sign}£{:.2}bn", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}£{:.1}m", a / 1e6)
    } else {
        format!("{sign}£{}", fmt_int(a))
    }
}

pub(super) const MONTHS: [&str; 12] = [
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
pub(super) fn month_label(date: &str) -> String {
    date.split_once('-')
        .and_then(|(y, m)| Some((y, m.parse::<usize>().ok().filter(|m| (1..=12).contains(m))?)))
        .map(|(y, m)| format!("{} {y}", MONTHS[m - 1]))
        .unwrap_or_else(|| date.to_string())
}

/// A list in words: `a`, `a and b`, `a, b and c`.
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

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

/// Seconds as `21.2 s` or `3 min 5 s`.
pub(super) fn fmt_seconds(s: f64) -> String {
    if !s.is_finite() {
        "–".into()
    } else if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:.0} s", (s / 60.0).floor(), s % 60.0)
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
