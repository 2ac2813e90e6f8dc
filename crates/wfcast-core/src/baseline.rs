//! A baseline of staff in post: clean totals per (role, band, region) cell, and by
//! organisation. Reading one from an ESR extract is `wfcast_io::baseline`'s work.
use crate::band::Band;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The region every row belongs to when the baseline has no region column.
pub const DEFAULT_REGION: &str = "England";

/// FTE may exceed headcount by this much per head (rounding in the extract) before it is
/// refused.
pub const FTE_ROUNDING_PER_HEAD: f64 = 0.01;

/// Staff in post of one (role, band, region), summed over the extract's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineRow {
    /// Role name as written in the extract (trimmed).
    pub role: String,
    /// AfC band.
    pub band: Band,
    /// Region, or [`DEFAULT_REGION`].
    pub region: String,
    /// Headcount (a whole number).
    pub headcount: f64,
    /// FTE (equal to headcount where the extract has no FTE column).
    pub fte: f64,
    /// Funded establishment in FTE, where the extract has that column.
    pub establishment_fte: Option<f64>,
}

/// A baseline: one row per (role, band, region), sorted by role, band, region.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    /// The file it was read from.
    pub path: PathBuf,
    /// The cell totals.
    pub rows: Vec<BaselineRow>,
    /// Whether the extract had a region column.
    pub has_region: bool,
    /// Whether the extract had an FTE column.
    pub has_fte: bool,
    /// Whether the extract had an `establishment_fte` column.
    pub has_establishment: bool,
    /// The staff in post by organisation, when read by `wfcast_io::baseline::load_by_organisation` from
    /// an extract with an organisation column (for scenarios with `by_organisation = true`).
    pub organisations: Option<ByOrganisation>,
    /// What reading the extract changed or doubted (names merged, values refused as rows),
    /// each a sentence for the terminal, `meta.json` and the report's caveats.
    pub warnings: Vec<String>,
}

/// An organisation of a baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineOrganisation {
    /// Organisation code.
    pub code: String,
    /// Organisation name (the code when the extract has no name column).
    pub name: String,
    /// Its region ([`DEFAULT_REGION`] when the extract has no region column).
    pub region: String,
}

/// A baseline broken down by organisation.
#[derive(Clone, Debug, PartialEq)]
pub struct ByOrganisation {
    /// The organisations, sorted by code.
    pub organisations: Vec<BaselineOrganisation>,
    /// One row per (role, band, organisation), sorted so; the `region` field holds the
    /// organisation's code.
    pub rows: Vec<BaselineRow>,
    /// The first problem with the organisation column (a blank code, or an organisation with
    /// rows in two regions), as (place, message): an input error only when the breakdown is used.
    pub problem: Option<(String, String)>,
}

impl Baseline {
    /// Builds a baseline from rows already in memory (summing rows of the same cell).
    ///
    /// The rows come out sorted by role, band, region, as from `wfcast_io::baseline::load`.
    /// `has_region` and `has_fte` are set (change them afterwards if the rows were made
    /// up without those columns); `has_establishment` is set when any row carries an
    /// establishment.
    pub fn from_rows(path: impl Into<PathBuf>, rows: Vec<BaselineRow>) -> Baseline {
        let has_establishment = rows.iter().any(|r| r.establishment_fte.is_some());
        let mut cells: BTreeMap<(String, Band, String), Totals> = BTreeMap::new();
        for row in rows {
            cells.entry((row.role, row.band, row.region)).or_default().add(
                row.headcount,
                row.fte,
                row.establishment_fte,
            );
        }
        let rows = cells.into_iter().map(|((role, band, region), t)| t.into_row(role, band, region)).collect();
        Baseline {
            path: path.into(),
            has_region: true,
            has_fte: true,
            has_establishment,
            rows,
            organisations: None,
            warnings: Vec::new(),
        }
    }

    /// Total headcount over every cell.
    pub fn total_headcount(&self) -> f64 {
        self.rows.iter().map(|r| r.headcount).sum()
    }

    /// Total FTE over every cell.
    pub fn total_fte(&self) -> f64 {
        self.rows.iter().map(|r| r.fte).sum()
    }

    /// Total funded establishment in FTE, or `None` when the baseline has none.
    pub fn total_establishment_fte(&self) -> Option<f64> {
        self.has_establishment.then(|| self.rows.iter().filter_map(|r| r.establishment_fte).sum())
    }

    /// The distinct roles, in sorted order.
    pub fn roles(&self) -> Vec<&str> {
        let mut roles: Vec<&str> = self.rows.iter().map(|r| r.role.as_str()).collect();
        roles.sort_unstable();
        roles.dedup();
        roles
    }

    /// The distinct regions, in sorted order.
    pub fn regions(&self) -> Vec<&str> {
        let mut regions: Vec<&str> = self.rows.iter().map(|r| r.region.as_str()).collect();
        regions.sort_unstable();
        regions.dedup();
        regions
    }

    /// The row of one cell, if the baseline has it.
    pub fn get(&self, role: &str, band: Band, region: &str) -> Option<&BaselineRow> {
        self.rows
            .binary_search_by(|r| (r.role.as_str(), r.band, r.region.as_str()).cmp(&(role, band, region)))
            .ok()
            .map(|i| &self.rows[i])
    }
}

/// The sums of one cell.
#[derive(Default)]
struct Totals {
    headcount: f64,
    fte: f64,
    establishment_fte: Option<f64>,
}

impl Totals {
    fn add(&mut self, headcount: f64, fte: f64, establishment_fte: Option<f64>) {
        self.headcount += headcount;
        self.fte += fte;
        if let Some(e) = establishment_fte {
            *self.establishment_fte.get_or_insert(0.0) += e;
        }
    }

    fn into_row(self, role: String, band: Band, region: String) -> BaselineRow {
        BaselineRow {
            role,
            band,
            region,
            headcount: self.headcount,
            fte: self.fte,
            establishment_fte: self.establishment_fte,
        }
    }
}
