//! Numbers as people read them in tables, charts and reports: digits grouped in thousands.

/// Groups the digits of a whole number in threes with commas: `1234567` -> `1,234,567`.
pub fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `x` with `decimals` decimals and thousands separated by commas: `45,000`, `-1,250.5`.
/// A value that rounds to zero has no sign; not-a-number is `-`.
pub fn grouped(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    // Whole numbers round half away from zero, as people expect (1,234.5 -> 1,235).
    let v = if decimals == 0 { x.abs().round() } else { x.abs() };
    let text = format!("{:.*}", decimals, v);
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = group_digits(int);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    let zero = text.chars().all(|c| c == '0' || c == '.');
    if x < 0.0 && !zero { format!("-{out}") } else { out }
}

/// As [`grouped`], with a `+` on positive values: for differences.
pub fn signed(x: f64, decimals: usize) -> String {
    let s = grouped(x, decimals);
    if x.is_finite() && !s.starts_with('-') && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{s}")
    } else {
        s
    }
}

/// As [`grouped`], typeset for charts and reports: a true minus sign (U+2212), and an en
/// dash for not-a-number.
pub fn typeset(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "\u{2013}".into();
    }
    grouped(x, decimals).replacen('-', "\u{2212}", 1)
}

// ---------------------------------------------------------------------------------------
// The HTML report's numbers and dates (moved from report.rs): typeset to be read, with a true
// minus sign, and an en dash where there is no value.
// ---------------------------------------------------------------------------------------

/// A number with at most `places` decimals (trailing zeros dropped) and thousands separators.
pub fn fmt_plain(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let text = format!("{:.*}", places, x.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f.trim_end_matches('0')),
        None => (text.as_str(), ""),
    };
    let sign = if x < 0.0 && (int != "0" || !frac.is_empty()) { "−" } else { "" };
    let int = group_digits(int);
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
pub fn fmt_pct_whole(x: f64) -> String {
    if x.abs() < 0.01 { format!("{}%", fmt_plain(x * 100.0, 1)) } else { format!("{}%", typeset(x * 100.0, 0)) }
}

/// An amount of money: `£2.96bn`, `£412.5m`, `£48,000`.
pub fn fmt_money(x: f64) -> String {
    let (sign, a) = if x < 0.0 { ("−", -x) } else { ("", x) };
    if a >= 1e9 {
        format!("{sign}£{:.2}bn", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}£{:.1}m", a / 1e6)
    } else {
        format!("{sign}£{}", typeset(a, 0))
    }
}

/// The months' names, January first.
pub const MONTH_NAMES: [&str; 12] = [
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
pub fn full_month_label(date: &str) -> String {
    date.split_once('-')
        .and_then(|(y, m)| Some((y, m.parse::<usize>().ok().filter(|m| (1..=12).contains(m))?)))
        .map(|(y, m)| format!("{} {y}", MONTH_NAMES[m - 1]))
        .unwrap_or_else(|| date.to_string())
}

/// Seconds as `21.2 s` or `3 min 5 s`.
pub fn fmt_seconds(s: f64) -> String {
    if !s.is_finite() {
        "–".into()
    } else if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:.0} s", (s / 60.0).floor(), s % 60.0)
    }
}

/// A MAPE as `2.1%`, or a dash.
pub fn fmt_mape(x: f64) -> String {
    if x.is_finite() { format!("{}%", typeset(x, 1)) } else { "–".into() }
}

/// A MASE as `0.85`, or a dash.
pub fn fmt_mase(x: f64) -> String {
    if x.is_finite() { typeset(x, 2) } else { "–".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_signs_and_rounds() {
        assert_eq!(grouped(1234567.4, 0), "1,234,567");
        assert_eq!(grouped(-1250.55, 1), "-1,250.5");
        assert_eq!(grouped(-0.2, 0), "0");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(1234.5, 0), "1,235");
        assert_eq!(grouped(f64::NAN, 0), "-");
        assert_eq!(signed(2227.0, 0), "+2,227");
        assert_eq!(signed(-3.0, 0), "-3");
        assert_eq!(signed(0.1, 0), "0");
        assert_eq!(typeset(-1204.0, 0), "\u{2212}1,204");
        assert_eq!(typeset(f64::INFINITY, 0), "\u{2013}");
    }
}
