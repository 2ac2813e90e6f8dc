//! The dense grid of cells (role x band x region) and name look-ups that refuse typos.
use crate::band::Band;

/// Every role x every band x every region, numbered so that the next band up of cell `c`
/// is `c + regions.len()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Role names, in baseline order then `new_roles`.
    pub roles: Vec<String>,
    /// Region names, in baseline order then `new_regions`.
    pub regions: Vec<String>,
}

impl Grid {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.roles.len() * Band::COUNT * self.regions.len()
    }

    /// Whether the grid has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Index of the cell (role, band, region), all given by index.
    pub fn cell(&self, role: usize, band: Band, region: usize) -> usize {
        (role * Band::COUNT + band.index()) * self.regions.len() + region
    }

    /// Role index of cell `c`.
    pub fn role_of(&self, c: usize) -> usize {
        c / (Band::COUNT * self.regions.len())
    }

    /// Band of cell `c`.
    pub fn band_of(&self, c: usize) -> Band {
        Band::ALL[(c / self.regions.len()) % Band::COUNT]
    }

    /// Region index of cell `c`.
    pub fn region_of(&self, c: usize) -> usize {
        c % self.regions.len()
    }

    /// The cell one band up from `c` (same role and region), or `None` at band 9.
    pub fn next_band(&self, c: usize) -> Option<usize> {
        self.band_of(c).next().map(|_| c + self.regions.len())
    }

    /// Index of the role called `name`.
    pub fn role_index(&self, name: &str) -> Option<usize> {
        self.roles.iter().position(|r| r == name)
    }

    /// Index of the region called `name`.
    pub fn region_index(&self, name: &str) -> Option<usize> {
        self.regions.iter().position(|r| r == name)
    }
}

/// The known name closest to `name`, if any is close enough to be a likely typo.
pub fn nearest<'a>(name: &str, known: impl IntoIterator<Item = &'a String>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(&lower, &k.to_lowercase()), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.as_str())
}

/// An error message for an unknown `kind` (role, region) called `name`, with the nearest
/// known name when there is one.
pub fn unknown_name<'a>(kind: &str, name: &str, known: impl IntoIterator<Item = &'a String> + Clone) -> String {
    match nearest(name, known.clone()) {
        Some(n) => format!("unknown {kind} `{name}` (did you mean `{n}`?)"),
        None => {
            let list: Vec<&str> = known.into_iter().map(String::as_str).collect();
            format!("unknown {kind} `{name}`: expected one of {}", list.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid { roles: vec!["A".into(), "B".into(), "C".into()], regions: vec!["X".into(), "Y".into()] }
    }

    #[test]
    fn cells_decompose_and_step_up_a_band() {
        let g = grid();
        assert_eq!(g.len(), 3 * 11 * 2);
        for c in 0..g.len() {
            let (r, b, x) = (g.role_of(c), g.band_of(c), g.region_of(c));
            assert_eq!(g.cell(r, b, x), c);
            match g.next_band(c) {
                Some(n) => {
                    assert_eq!(g.band_of(n), b.next().unwrap());
                    assert_eq!((g.role_of(n), g.region_of(n)), (r, x));
                }
                None => assert_eq!(b, Band::B9),
            }
        }
    }

    #[test]
    fn suggests_the_nearest_name() {
        let known = vec!["Data Science".to_string(), "Clinical Systems".to_string()];
        assert_eq!(nearest("Data Sciense", &known), Some("Data Science"));
        assert_eq!(nearest("Zebra", &known), None);
        assert!(unknown_name("role", "Data Sciense", &known).contains("did you mean `Data Science`"));
    }
}
