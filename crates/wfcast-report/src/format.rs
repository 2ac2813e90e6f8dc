//! Numbers as people read them in tables, charts and reports: digits grouped in thousands,
//! shares of runs, dates as months and financial years, run counts, scenario titles and the
//! area a run's baseline covers.
use wfcast_core::results::Meta;
use wfcast_core::scenario::Month;

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
// Dates, shares, run counts and titles: the charts', workbooks' and terminal tables' own.

/// The months' short names, January first.
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `YYYY-MM` as (year, month), read as [`Month::parse`] reads it; `None` for other text.
pub fn parse_month(date: &str) -> Option<(i32, u32)> {
    Month::parse(date).map(|m| (m.year(), m.month()))
}

/// A date as month and year (`2025-03` is `Mar 2025`): how the baseline is labelled, since it
/// is a position at one date rather than a year's results. Text that is not `YYYY-MM` is
/// returned as it is.
pub fn month_label(date: &str) -> String {
    match parse_month(date) {
        Some((year, month)) => format!("{} {year}", MONTHS[month as usize - 1]),
        None => date.to_string(),
    }
}

/// The label of a reporting date on a time axis. A date in March is the end of a financial
/// year (April to March) and is labelled with that year: `2026-03` is `2025/26`. Other months
/// are labelled as month and year (`2030-09` is `Sep 2030`); text that is not `YYYY-MM` is
/// returned as it is.
pub fn financial_year_label(date: &str) -> String {
    match parse_month(date) {
        Some((year, 3)) => format!("{}/{:02}", year - 1, year.rem_euclid(100)),
        Some(_) => month_label(date),
        None => date.to_string(),
    }
}

/// As [`typeset`], and empty for not-a-number: the numbers written on charts.
pub fn thousands(x: f64, decimals: usize) -> String {
    if x.is_finite() { typeset(x, decimals) } else { String::new() }
}

/// A whole number with thousands separators: `-12,345`; with `signed`, positive numbers get a
/// `+`.
pub fn whole(x: f64, signed: bool) -> String {
    if signed { self::signed(x, 0) } else { grouped(x, 0) }
}

/// A share as a whole percentage, `-` when there is none or it is not a number: `47%`.
pub fn share_or_dash(p: Option<f64>) -> String {
    match p {
        Some(p) if p.is_finite() => format!("{:.0}%", p * 100.0),
        _ => "-".into(),
    }
}

/// A signed share as a whole percentage with a true minus sign: `12%`, `0%`, `−3%`.
pub fn percent(v: f64) -> String {
    let r = (v * 100.0).round();
    if r == 0.0 {
        "0%".into()
    } else if r < 0.0 {
        format!("−{}%", -r)
    } else {
        format!("{r}%")
    }
}

/// A mean absolute percentage error (already in percent) with one decimal: `2.1%`; an en dash
/// when it is not a number.
pub fn mape(x: f64) -> String {
    if x.is_finite() { format!("{}%", typeset(x, 1)) } else { "–".into() }
}

/// A number of runs: `1 run`, `1,000 runs`.
pub fn runs(n: u64) -> String {
    format!("{} run{}", grouped(n as f64, 0), if n == 1 { "" } else { "s" })
}

/// The title of a scenario as shown: its title, else its name.
pub fn display_title(meta: &Meta) -> &str {
    if meta.title.trim().is_empty() { &meta.scenario } else { &meta.title }
}

/// The area a run's baseline covers, as every output names it (`meta.json`'s `area`: `England`,
/// `London and North West`, `Ockby Hospitals NHS Trust (RXX)`); `England` when it is blank.
pub fn area(meta: &Meta) -> &str {
    let a = meta.area.trim();
    if a.is_empty() { wfcast_core::baseline::DEFAULT_REGION } else { a }
}

/// The area of scenarios shown together (a comparison): their area when they share one, else
/// each distinct area in order, with a note that they differ:
/// `Ockby Hospitals NHS Trust (RXX) / England (the scenarios' areas differ)`.
pub fn shared_area(scenarios: &[Meta]) -> String {
    let mut distinct: Vec<&str> = Vec::new();
    for m in scenarios {
        if !distinct.contains(&area(m)) {
            distinct.push(area(m));
        }
    }
    match distinct.as_slice() {
        [] => wfcast_core::baseline::DEFAULT_REGION.to_string(),
        [one] => one.to_string(),
        many => format!("{} (the scenarios' areas differ)", many.join(" / ")),
    }
}

/// A factor (a ratio, never negative) to three significant figures, trailing zeros dropped:
/// `0.0213`, `0.5`, `1`, `12.3`, `1,234`.
pub fn factor(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return fmt_plain(x, 0);
    }
    let magnitude = x.abs().log10().floor() as i32;
    fmt_plain(x, (2 - magnitude).clamp(0, 12) as usize)
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

pub use wfcast_core::scenario::MONTH_NAMES;

/// `2030-03` as `March 2030` (other text as it is).
pub fn full_month_label(date: &str) -> String {
    match parse_month(date) {
        Some((year, month)) => format!("{} {year}", MONTH_NAMES[month as usize - 1]),
        None => date.to_string(),
    }
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

    #[test]
    fn factors_have_three_significant_figures() {
        assert_eq!(factor(0.021_34), "0.0213");
        assert_eq!(factor(0.5), "0.5");
        assert_eq!(factor(1.0), "1");
        assert_eq!(factor(12.345), "12.3");
        assert_eq!(factor(1234.4), "1,234");
        assert_eq!(factor(0.0), "0");
    }

    #[test]
    fn numbers_get_thousands_separators_and_signs() {
        assert_eq!(whole(0.0, false), "0");
        assert_eq!(whole(999.4, false), "999");
        assert_eq!(whole(1234.5, false), "1,235");
        assert_eq!(whole(-1_234_567.0, false), "-1,234,567");
        assert_eq!(whole(1_234_567.0, true), "+1,234,567");
        assert_eq!(whole(-0.2, true), "0");
        assert_eq!(whole(f64::NAN, false), "-");
    }
}
