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
