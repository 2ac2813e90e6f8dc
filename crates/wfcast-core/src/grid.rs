//! The dense grid of cells (role x band x region), name look-ups that refuse typos, and the
//! families roles are grouped in (the DDaT Capability Framework's, by default).
use crate::band::Band;
use crate::error::{Error, Result};
use crate::names::fold;
use std::collections::HashMap;
use std::path::Path;

/// An organisation of a grid broken down by organisation (`by_organisation = true`).
#[derive(Clone, Debug, PartialEq)]
pub struct Organisation {
    /// Organisation code, as in the baseline (`RXX`).
    pub code: String,
    /// Organisation name for display (the code when the baseline has no name column).
    pub name: String,
    /// Index of its region in [`Grid::regions`].
    pub region: usize,
}

/// Every role x every band x every location, numbered so that the next band up of cell `c`
/// is `c + locations()`. A location is a region, or, when the grid is broken down by
/// organisation, an organisation (each in one region).
///
/// Names are looked up by the one rule of [`crate::names`] (case and spacing aside), through
/// maps built once by [`Grid::new`]: the role and region lists are not changed after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Role names, in baseline order then `new_roles`.
    pub roles: Vec<String>,
    /// Region names, in baseline order then `new_regions`.
    pub regions: Vec<String>,
    /// The organisations, in baseline order, when the grid is by organisation; empty otherwise.
    pub organisations: Vec<Organisation>,
    /// The index of each role by its name as written and by its folded name.
    role_keys: HashMap<String, usize>,
    /// The index of each region by its name as written and by its folded name.
    region_keys: HashMap<String, usize>,
}

/// The index of each of `names` by the name as written and by its folded name (the first,
/// should two fold alike), so that a name written as in the grid is found without folding.
fn keys(names: &[String]) -> HashMap<String, usize> {
    let mut keys = HashMap::with_capacity(2 * names.len());
    for (i, name) in names.iter().enumerate() {
        keys.entry(name.clone()).or_insert(i);
    }
    for (i, name) in names.iter().enumerate() {
        keys.entry(fold(name)).or_insert(i);
    }
    keys
}

/// The index of `name` in a map made by [`keys`].
fn find(keys: &HashMap<String, usize>, name: &str) -> Option<usize> {
    keys.get(name).or_else(|| keys.get(&fold(name))).copied()
}

impl Grid {
    /// A grid of roles x bands x regions.
    pub fn new(roles: Vec<String>, regions: Vec<String>) -> Grid {
        let (role_keys, region_keys) = (keys(&roles), keys(&regions));
        Grid { roles, regions, organisations: Vec::new(), role_keys, region_keys }
    }

    /// Whether the locations are organisations.
    pub fn by_organisation(&self) -> bool {
        !self.organisations.is_empty()
    }

    /// Number of locations: organisations when by organisation, else regions.
    pub fn locations(&self) -> usize {
        if self.by_organisation() { self.organisations.len() } else { self.regions.len() }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.roles.len() * Band::COUNT * self.locations()
    }

    /// Whether the grid has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Index of the cell (role, band, location), all given by index (a location is a region,
    /// or an organisation when the grid is by organisation).
    pub fn cell(&self, role: usize, band: Band, location: usize) -> usize {
        (role * Band::COUNT + band.index()) * self.locations() + location
    }

    /// Role index of cell `c`.
    pub fn role_of(&self, c: usize) -> usize {
        c / (Band::COUNT * self.locations())
    }

    /// Band of cell `c`.
    pub fn band_of(&self, c: usize) -> Band {
        Band::ALL[(c / self.locations()) % Band::COUNT]
    }

    /// Location index of cell `c` (its region, or its organisation when by organisation).
    pub fn location_of(&self, c: usize) -> usize {
        c % self.locations()
    }

    /// Region index of cell `c` (the region of its organisation when by organisation).
    pub fn region_of(&self, c: usize) -> usize {
        let x = self.location_of(c);
        if self.by_organisation() { self.organisations[x].region } else { x }
    }

    /// Organisation index of cell `c`, when the grid is by organisation.
    pub fn organisation_of(&self, c: usize) -> Option<usize> {
        self.by_organisation().then(|| self.location_of(c))
    }

    /// The cell one band up from `c` (same role and location), or `None` at band 9.
    pub fn next_band(&self, c: usize) -> Option<usize> {
        self.band_of(c).next().map(|_| c + self.locations())
    }

    /// Index of the role called `name` (case and spacing aside: see [`crate::names`]).
    pub fn role_index(&self, name: &str) -> Option<usize> {
        find(&self.role_keys, name)
    }

    /// Index of the region called `name` (case and spacing aside: see [`crate::names`]).
    pub fn region_index(&self, name: &str) -> Option<usize> {
        find(&self.region_keys, name)
    }
}

/// The known name closest to `name`, if any is close enough to be a likely typo.
pub fn nearest<'a>(name: &str, known: impl IntoIterator<Item = &'a String>) -> Option<&'a str> {
    let folded = fold(name);
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(&folded, &fold(k)), k))
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

/// The family of the roles a mapping does not name.
pub const UNMAPPED: &str = "Unmapped";

/// The role families shipped with wfcast (`seeds/ddat_families.csv`): an illustrative mapping,
/// made by the project, of NHS informatics roles onto the eight families of the GDS DDaT
/// Capability Framework, plus `Other (not DDaT)` for roles outside it (see `seeds/README.md`).
pub const DEFAULT_FAMILIES_CSV: &str = include_str!("../../../seeds/ddat_families.csv");

/// Where the shipped mapping lives in the source tree, for messages and reports.
pub const DEFAULT_FAMILIES_FILE: &str = "seeds/ddat_families.csv";

/// The eight families of the GDS DDaT Capability Framework, in its order.
pub const DDAT_FAMILIES: [&str; 8] = [
    "Architecture",
    "Chief digital and data",
    "Data",
    "IT operations",
    "Product and delivery",
    "Quality assurance testing",
    "Software development",
    "User-centred design",
];

/// Which family each role belongs to: `(role, family)` pairs in the order given, each role once
/// (compared by the one rule of [`crate::names`]: case and spacing aside). Roles the pairs do not name are in
/// [`UNMAPPED`]; pairs naming roles the model does not have are ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct Families {
    /// `(role, family)` pairs, in the order given.
    pub pairs: Vec<(String, String)>,
}

/// The families of a model's roles.
#[derive(Clone, Debug, PartialEq)]
pub struct FamilyAssignment {
    /// Family names, each with at least one role: the framework's ([`DDAT_FAMILIES`]) in its
    /// order, then other families in the order of their first role, then [`UNMAPPED`] when
    /// some role is in no family.
    pub names: Vec<String>,
    /// The family (index into `names`) of each role.
    pub of_role: Vec<usize>,
}

/// The fields of one CSV line (RFC 4180 quoting: `"a, b"` and `""` for a quote inside quotes),
/// or `None` when a quote is left open.
fn csv_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields.into_iter().map(|f| f.trim().to_string()).collect())
}

impl Families {
    /// The shipped mapping ([`DEFAULT_FAMILIES_CSV`]).
    pub fn builtin() -> Families {
        Families::parse_csv(DEFAULT_FAMILIES_CSV, Path::new(DEFAULT_FAMILIES_FILE))
            .expect("the shipped role families parse (tested)")
    }

    /// Reads a mapping from CSV text (`path` names it in errors): a header with a `role` column
    /// (or `job role`) and a `family` column (or `role family`, `ddat family`), in any order and
    /// any case, other columns ignored; then one row per role. A byte-order mark, Windows line
    /// endings, blank lines and quoted fields are accepted. A role listed twice with two
    /// families, an empty role or family, or a file without rows is an input error naming the
    /// line and the value.
    pub fn parse_csv(text: &str, path: &Path) -> Result<Families> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty());
        let expected = "expected a header `role,family`, then one row per role";
        let Some((head_no, head)) = lines.next() else {
            return Err(Error::input(path, "", format!("empty: {expected}")));
        };
        let at = |n: usize| format!("line {n}");
        let names = csv_fields(head)
            .ok_or_else(|| Error::input(path, at(head_no), format!("unterminated quote in `{head}`")))?;
        let column = |aliases: &[&str]| names.iter().position(|n| aliases.contains(&fold(n).as_str()));
        let (Some(role_col), Some(family_col)) =
            (column(&["role", "job role"]), column(&["family", "role family", "ddat family"]))
        else {
            let missing = if column(&["role", "job role"]).is_none() { "role" } else { "family" };
            return Err(Error::input(
                path,
                at(head_no),
                format!("header `{head}` has no `{missing}` column: {expected}"),
            ));
        };
        let mut families = Families { pairs: Vec::new() };
        let mut first_line: HashMap<String, usize> = HashMap::new();
        for (n, line) in lines {
            let fields =
                csv_fields(line).ok_or_else(|| Error::input(path, at(n), format!("unterminated quote in `{line}`")))?;
            if fields.len() <= role_col.max(family_col) {
                return Err(Error::input(
                    path,
                    at(n),
                    format!("`{line}` has {} field(s): expected a role and its family", fields.len()),
                ));
            }
            let (role, family) = (&fields[role_col], &fields[family_col]);
            if role.is_empty() {
                return Err(Error::input(path, at(n), format!("`{line}` has an empty role: expected a role name")));
            }
            families.add(role, family).map_err(|(earlier, msg)| {
                let on = earlier.map(|i| format!(" on line {}", first_line[&fold(&families.pairs[i].0)]));
                Error::input(path, at(n), msg.replace("{on}", &on.unwrap_or_default()))
            })?;
            first_line.entry(fold(role)).or_insert(n);
        }
        if families.pairs.is_empty() {
            return Err(Error::input(path, "", format!("no roles: {expected}")));
        }
        Ok(families)
    }

    /// A mapping from `(role, family)` pairs written in the scenario `file` (its `families`
    /// table), checked as [`Families::parse_csv`] checks rows.
    pub fn from_table(pairs: &[(String, String)], file: &Path) -> Result<Families> {
        let mut families = Families { pairs: Vec::new() };
        for (role, family) in pairs {
            families.add(role, family).map_err(|(earlier, msg)| {
                let on = earlier.map(|i| format!(" for `{}`", families.pairs[i].0));
                Error::input(file, format!("key families.\"{role}\""), msg.replace("{on}", &on.unwrap_or_default()))
            })?;
        }
        Ok(families)
    }

    /// Adds a pair; on error, the index of the earlier pair it clashes with and a message in
    /// which `{on}` stands for where that pair was given.
    fn add(&mut self, role: &str, family: &str) -> std::result::Result<(), (Option<usize>, String)> {
        let (role, family) = (role.trim(), family.trim());
        if family.is_empty() {
            return Err((None, format!("role `{role}` has an empty family: expected a family name such as `Data`")));
        }
        match self.pairs.iter().position(|(r, _)| fold(r) == fold(role)) {
            Some(i) if self.pairs[i].1 != family => Err((
                Some(i),
                format!(
                    "role `{role}` is in family `{family}` here but in `{}`{{on}}: expected one family per role",
                    self.pairs[i].1
                ),
            )),
            Some(_) => Ok(()),
            None => {
                self.pairs.push((role.to_string(), family.to_string()));
                Ok(())
            }
        }
    }

    /// The family of each of `roles`: a role matches a pair of the same name (case and spacing
    /// aside, as [`crate::names::same`] compares); a role no pair names is in [`UNMAPPED`].
    pub fn assign(&self, roles: &[String]) -> FamilyAssignment {
        let by_role: HashMap<String, &str> = self.pairs.iter().map(|(r, f)| (fold(r), f.as_str())).collect();
        let family_of: Vec<&str> = roles.iter().map(|r| by_role.get(&fold(r)).copied().unwrap_or(UNMAPPED)).collect();
        // The framework's families in its order, then others in the order of their first role,
        // so that the order never depends on how the mapping is written.
        let mut names: Vec<String> =
            DDAT_FAMILIES.iter().filter(|f| family_of.contains(f)).map(|f| f.to_string()).collect();
        for f in &family_of {
            if *f != UNMAPPED && !names.iter().any(|n| n == f) {
                names.push(f.to_string());
            }
        }
        if family_of.contains(&UNMAPPED) {
            names.push(UNMAPPED.to_string());
        }
        let of_role = family_of.iter().map(|f| names.iter().position(|n| n == f).expect("named above")).collect();
        FamilyAssignment { names, of_role }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid::new(vec!["A".into(), "B".into(), "C".into()], vec!["X".into(), "Y".into()])
    }

    #[test]
    fn cells_by_organisation_know_their_region() {
        let mut g = grid();
        let org = |code: &str, region| Organisation { code: code.into(), name: code.into(), region };
        g.organisations = vec![org("O1", 1), org("O2", 0), org("O3", 1)];
        assert_eq!(g.len(), 3 * 11 * 3);
        for c in 0..g.len() {
            let (r, b, o) = (g.role_of(c), g.band_of(c), g.location_of(c));
            assert_eq!(g.cell(r, b, o), c);
            assert_eq!(g.organisation_of(c), Some(o));
            assert_eq!(g.region_of(c), g.organisations[o].region);
            if let Some(n) = g.next_band(c) {
                assert_eq!((g.role_of(n), g.band_of(n), g.location_of(n)), (r, b.next().unwrap(), o));
            }
        }
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
    fn look_ups_match_names_by_case_and_spacing_aside() {
        let g = Grid::new(vec!["Data Science".into(), "data".into()], vec!["London".into(), "North West".into()]);
        assert_eq!(g.role_index("Data Science"), Some(0));
        assert_eq!(g.role_index(" DATA  science "), Some(0));
        assert_eq!(g.role_index("Data"), Some(1));
        assert_eq!(g.role_index("DataScience"), None);
        assert_eq!(g.region_index("north\twest"), Some(1));
        assert_eq!(g.region_index("London "), Some(0));
        assert_eq!(g.region_index("Leeds"), None);
        // Should two names fold alike, each is found as written and other spellings find the first.
        let twice = Grid::new(vec!["A b".into(), "a B".into()], vec!["X".into()]);
        assert_eq!(
            (twice.role_index("A b"), twice.role_index("a B"), twice.role_index("a b")),
            (Some(0), Some(1), Some(0))
        );
    }

    #[test]
    fn suggests_the_nearest_name() {
        let known = vec!["Data Science".to_string(), "Clinical Systems".to_string()];
        assert_eq!(nearest("Data Sciense", &known), Some("Data Science"));
        assert_eq!(nearest("Zebra", &known), None);
        assert!(unknown_name("role", "Data Sciense", &known).contains("did you mean `Data Science`"));
    }

    #[test]
    fn the_shipped_families_map_every_seed_role_onto_known_families() {
        let f = Families::builtin();
        let seed =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds/esr_informatics_2025.csv"))
                .expect("the shipped seed");
        let mut roles: Vec<String> = seed.lines().skip(1).map(|l| l.split(',').nth(4).unwrap().to_string()).collect();
        roles.sort();
        roles.dedup();
        assert_eq!(roles.len(), 20);
        let a = f.assign(&roles);
        assert!(!a.names.iter().any(|n| n == UNMAPPED), "{:?}", a.names);
        for (_, family) in &f.pairs {
            assert!(DDAT_FAMILIES.contains(&family.as_str()) || family == "Other (not DDaT)", "{family}");
        }
        // Every framework family has at least one row, in the framework's order.
        let mut order: Vec<&str> = Vec::new();
        for (_, family) in &f.pairs {
            if !order.contains(&family.as_str()) {
                order.push(family);
            }
        }
        assert_eq!(order[..8], DDAT_FAMILIES);
    }

    #[test]
    fn families_come_in_framework_then_role_order_with_unmapped_last() {
        let f = Families::parse_csv(
            "\u{feff}Family,Note,Job Role\r\nData,x,\"Analyst, senior\"\r\n\r\nOps,,Desk\r\nData,,desk \r\nData,,Gone\r\n",
            Path::new("f.csv"),
        );
        let err = f.unwrap_err().to_string();
        assert!(err.contains("f.csv: line 5") && err.contains("`desk`") && err.contains("on line 4"), "{err}");
        let f = Families::parse_csv(
            "role,family\nDesk,Ops\nTeam,Z\n\"Analyst, senior\",Data\nGone,Architecture\n",
            Path::new("f.csv"),
        )
        .unwrap();
        let roles: Vec<String> = ["Team", "Analyst, senior", "New", " DESK"].iter().map(|s| s.to_string()).collect();
        let a = f.assign(&roles);
        assert_eq!(a.names, ["Data", "Z", "Ops", UNMAPPED]);
        assert_eq!(a.of_role, [1, 0, 3, 2]);
    }

    #[test]
    fn bad_family_files_name_the_line_and_the_value() {
        let err = |text: &str| Families::parse_csv(text, Path::new("m.csv")).unwrap_err().to_string();
        assert!(err("").contains("empty"));
        assert!(err("role,group\nA,B\n").contains("line 1: header `role,group` has no `family` column"));
        assert!(err("role,family\n").contains("no roles"));
        let e = err("role,family\nA,Data\nB\n");
        assert!(e.contains("line 3") && e.contains("`B` has 1 field(s)"), "{e}");
        let e = err("role,family\nA,\n");
        assert!(e.contains("line 2") && e.contains("role `A` has an empty family"), "{e}");
        let e = err("role,family\n\"A,Data\n");
        assert!(e.contains("line 2") && e.contains("unterminated quote"), "{e}");
        // The same role twice with the same family is harmless.
        assert_eq!(Families::parse_csv("role,family\nA,D\na,D\n", Path::new("m.csv")).unwrap().pairs.len(), 1);
        let e = Families::from_table(&[("A".into(), "D".into()), ("a".into(), "E".into())], Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.toml: key families.\"a\"") && e.contains("but in `D` for `A`"), "{e}");
    }
}
