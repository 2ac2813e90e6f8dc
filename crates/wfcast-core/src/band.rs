//! Agenda for Change pay bands: their order and the many spellings found in ESR extracts.
use std::fmt;

/// An Agenda for Change pay band, in pay order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Band {
    /// Band 2.
    B2,
    /// Band 3.
    B3,
    /// Band 4.
    B4,
    /// Band 5.
    B5,
    /// Band 6.
    B6,
    /// Band 7.
    B7,
    /// Band 8a.
    B8a,
    /// Band 8b.
    B8b,
    /// Band 8c.
    B8c,
    /// Band 8d.
    B8d,
    /// Band 9.
    B9,
}

/// The expected spellings, for error messages.
pub const BAND_HELP: &str = "an AfC band: 2, 3, 4, 5, 6, 7, 8a, 8b, 8c, 8d or 9 (spellings such as `Band 8a`, `8A`, `Band 8 - Range A` are accepted)";

impl Band {
    /// Every band, lowest first.
    pub const ALL: [Band; 11] = [
        Band::B2,
        Band::B3,
        Band::B4,
        Band::B5,
        Band::B6,
        Band::B7,
        Band::B8a,
        Band::B8b,
        Band::B8c,
        Band::B8d,
        Band::B9,
    ];
    /// How many bands there are.
    pub const COUNT: usize = 11;

    /// Position in pay order (band 2 is 0, band 9 is 10).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The band at position `i` in pay order.
    pub fn from_index(i: usize) -> Option<Band> {
        Band::ALL.get(i).copied()
    }

    /// The next band up, or `None` for band 9.
    pub fn next(self) -> Option<Band> {
        Band::from_index(self.index() + 1)
    }

    /// The short label used in outputs: `2` ... `7`, `8a` ... `8d`, `9`.
    pub fn label(self) -> &'static str {
        ["2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"][self.index()]
    }

    /// Reads a band label in any of the spellings found in ESR extracts:
    /// `5`, `Band 5`, `AfC Band 8a`, `8A`, `Band 8 - Range A`, `band_8a`.
    /// Returns `None` for anything that is not an AfC band.
    pub fn parse(text: &str) -> Option<Band> {
        let mut s: String = text.trim().to_ascii_lowercase();
        for prefix in ["agenda for change", "afc"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.trim_start().to_string();
            }
        }
        if let Some(rest) = s.strip_prefix("band") {
            s = rest.to_string();
        }
        // Drop separators and the word "range": "8 - range a" -> "8a".
        let s = s.replace("range", "");
        let s: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '_' | '.' | ':')).collect();
        let band = match s.as_str() {
            "2" => Band::B2,
            "3" => Band::B3,
            "4" => Band::B4,
            "5" => Band::B5,
            "6" => Band::B6,
            "7" => Band::B7,
            "8a" => Band::B8a,
            "8b" => Band::B8b,
            "8c" => Band::B8c,
            "8d" => Band::B8d,
            "9" => Band::B9,
            _ => return None,
        };
        Some(band)
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_spelling_in_domain_notes() {
        for (text, band) in [
            ("Band 5", Band::B5),
            ("5", Band::B5),
            ("Band 8a", Band::B8a),
            ("8A", Band::B8a),
            ("Band 8 - Range A", Band::B8a),
            ("AfC Band 8a", Band::B8a),
            ("band_8d", Band::B8d),
            (" 9 ", Band::B9),
            ("Band 2", Band::B2),
        ] {
            assert_eq!(Band::parse(text), Some(band), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_band() {
        for text in ["", "1", "10", "8e", "Band 12", "8", "nurse"] {
            assert_eq!(Band::parse(text), None, "{text}");
        }
    }

    #[test]
    fn labels_round_trip_in_order() {
        for (i, b) in Band::ALL.iter().enumerate() {
            assert_eq!(b.index(), i);
            assert_eq!(Band::parse(b.label()), Some(*b));
        }
        assert_eq!(Band::B8d.next(), Some(Band::B9));
        assert_eq!(Band::B9.next(), None);
    }
}
