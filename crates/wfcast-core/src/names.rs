//! When two names are the same name: the one rule for role, region and organisation names in
//! every file and command, and the spelling kept when a file writes one name several ways.
//!
//! Two names are the same when they are equal after trimming, folding runs of white space to
//! one space and case-folding (Unicode lower case): `Data Science`, `DATA SCIENCE` and
//! ` Data  science ` are one role. [`fold`] gives the form names are compared in; [`Spellings`]
//! tallies the spellings a file uses and keeps the most common one.
use std::collections::HashMap;

/// A name tidied: trimmed, with each run of white space inside it folded to one space. Case
/// is kept (the toolkit writes names so).
pub fn tidy(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The form in which names are compared: [`tidy`], then lower case. Two names are the same
/// name exactly when their folds are equal.
pub fn fold(name: &str) -> String {
    tidy(name).to_lowercase()
}

/// Whether `a` and `b` are the same name (equal [`fold`]s).
pub fn same(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

/// One name as a file writes it: its spellings in the order met, each with its rows.
#[derive(Clone, Debug, PartialEq)]
struct Group {
    /// `(spelling, rows)`, in the order first met.
    spellings: Vec<(String, usize)>,
    /// Whether the first spelling is kept whatever the counts (a name another file decided).
    fixed: bool,
}

impl Group {
    /// The spelling kept: the first when fixed, else the one with most rows (the first met
    /// among equals).
    fn kept(&self) -> usize {
        if self.fixed {
            return 0;
        }
        let mut best = 0;
        for (i, (_, rows)) in self.spellings.iter().enumerate() {
            if *rows > self.spellings[best].1 {
                best = i;
            }
        }
        best
    }
}

/// The spellings of the names met in one file (or column), tallied by rows, with the spelling
/// kept for each name: the most common (by rows; a tie goes to the first met), or the
/// spelling [`Spellings::known`] was given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spellings {
    /// The group of each folded name.
    index: HashMap<String, usize>,
    /// The names, in the order first met.
    groups: Vec<Group>,
}

impl Spellings {
    /// An empty tally.
    pub fn new() -> Spellings {
        Spellings::default()
    }

    /// A tally whose names are already decided (by another file): each of `names` is kept as
    /// written, whatever spellings of it are met later, and [`Spellings::kept`] of any other
    /// name is `None` until it is added.
    pub fn known<'a>(names: impl IntoIterator<Item = &'a str>) -> Spellings {
        let mut s = Spellings::new();
        for name in names {
            if !s.index.contains_key(&fold(name)) {
                s.index.insert(fold(name), s.groups.len());
                s.groups.push(Group { spellings: vec![(name.to_string(), 0)], fixed: true });
            }
        }
        s
    }

    /// Counts one row spelling a name `spelling`.
    pub fn add(&mut self, spelling: &str) {
        self.add_rows(spelling, 1);
    }

    /// Counts `rows` rows spelling a name `spelling`.
    pub fn add_rows(&mut self, spelling: &str, rows: usize) {
        let key = fold(spelling);
        let g = match self.index.get(&key) {
            Some(&g) => g,
            None => {
                self.index.insert(key, self.groups.len());
                self.groups.push(Group { spellings: Vec::new(), fixed: false });
                self.groups.len() - 1
            }
        };
        let spellings = &mut self.groups[g].spellings;
        match spellings.iter_mut().find(|(s, _)| s == spelling) {
            Some((_, n)) => *n += rows,
            None => spellings.push((spelling.to_string(), rows)),
        }
    }

    /// The spelling kept for the name `name` is the same as, or `None` when none was met.
    pub fn kept(&self, name: &str) -> Option<&str> {
        let group = &self.groups[*self.index.get(&fold(name))?];
        Some(group.spellings[group.kept()].0.as_str())
    }

    /// The spelling kept for each name, in the order the names were first met.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().map(|g| g.spellings[g.kept()].0.as_str())
    }

    /// Whether some name was met in two spellings or more (or in a spelling other than the
    /// one it was known by).
    pub fn merged(&self) -> bool {
        self.groups.iter().any(|g| g.spellings.len() > 1)
    }

    /// One sentence per name met in more than one spelling, in the order first met: `role
    /// `Data Science` is also written `DATA SCIENCE` (2 rows) and `data science` (1 row) in
    /// staff.csv: merged as `Data Science``. `kind` is what the names are (`role`), `place`
    /// where they were met (`staff.csv`).
    pub fn merges(&self, kind: &str, place: &str) -> Vec<String> {
        let mut out = Vec::new();
        for g in self.groups.iter().filter(|g| g.spellings.len() > 1) {
            let k = g.kept();
            let kept = &g.spellings[k].0;
            let others: Vec<String> = g
                .spellings
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != k)
                .map(|(_, (s, n))| format!("`{s}` ({n} {})", if *n == 1 { "row" } else { "rows" }))
                .collect();
            let list = and_list(&others);
            out.push(format!("{kind} `{kept}` is also written {list} in {place}: merged as `{kept}`"));
        }
        out
    }
}

/// Names in words: `a`, `a and b`, `a, b and c` (nothing for none).
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", rest.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_same_after_trimming_folding_spaces_and_case() {
        assert_eq!(fold("  Data \t Science\u{a0}"), "data science");
        assert_eq!(tidy("  Data \t Science "), "Data Science");
        assert!(same("Data Science", "DATA  SCIENCE "));
        assert!(same("Élan Vital", "élan vital"));
        assert!(!same("Data Science", "DataScience"));
        assert!(!same("Data Science", "Data Sciences"));
        assert_eq!(fold(""), "");
    }

    #[test]
    fn the_most_common_spelling_is_kept_and_a_tie_goes_to_the_first_met() {
        let mut s = Spellings::new();
        for name in ["DATA SCIENCE", "Data Science", "London", "Data Science", "data  science", "london"] {
            s.add(name);
        }
        s.add("DATA SCIENCE");
        s.add("Data Science");
        assert_eq!(s.kept("data science"), Some("Data Science"));
        assert_eq!(s.kept(" LONDON "), Some("London"));
        assert_eq!(s.kept("Leeds"), None);
        assert_eq!(s.names().collect::<Vec<_>>(), ["Data Science", "London"]);
        assert!(s.merged());
        assert_eq!(
            s.merges("name", "f.csv"),
            [
                "name `Data Science` is also written `DATA SCIENCE` (2 rows) and `data  science` (1 row) in f.csv: merged as `Data Science`",
                "name `London` is also written `london` (1 row) in f.csv: merged as `London`",
            ]
        );
        let mut one = Spellings::new();
        one.add_rows("A", 2);
        one.add("A");
        assert!(!one.merged());
        assert!(one.merges("role", "x").is_empty());
    }

    #[test]
    fn known_names_keep_their_spelling() {
        let mut s = Spellings::known(["Data Science", "data science", "London"]);
        assert_eq!(s.names().count(), 2);
        assert!(!s.merged());
        s.add_rows("DATA SCIENCE", 5);
        assert_eq!(s.kept("data science"), Some("Data Science"));
        assert_eq!(s.kept("Leeds"), None);
        assert_eq!(
            s.merges("role", "flows.csv"),
            ["role `Data Science` is also written `DATA SCIENCE` (5 rows) in flows.csv: merged as `Data Science`"]
        );
    }
}
