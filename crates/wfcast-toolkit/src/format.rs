//! Small formatting helpers: rounding, plain numbers and one-line text.

/// `x` rounded to `decimals` decimals (never `-0`).
pub(crate) fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    let r = (x * f).round() / f;
    if r == 0.0 { 0.0 } else { r }
}

/// A number for CSV and comments: shortest form, no exponent.
pub(crate) fn plain(x: f64) -> String {
    format!("{}", round_to(x, 9))
}

/// `s` with control characters (newlines, tabs) as spaces, for one line of a comment or message.
pub(crate) fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}
