//! What an aggregation takes (its options) and gives back (its report), with the national
//! baseline's cells: shared by `aggregate` and the national scenarios it writes.
use std::collections::BTreeMap;
use std::path::PathBuf;
use wfcast_core::band::Band;

/// The first line of every scenario file [`aggregate`](crate::aggregate()) writes; a file without it is never
/// replaced.
pub const AGGREGATE_MARKER: &str = "# Written by `wfcast aggregate`";

/// The national baseline: headcount, FTE and establishment per organisation, role and band.
pub(crate) type Baseline = BTreeMap<(String, String, Band), [f64; 3]>;

/// How [`aggregate`](crate::aggregate()) treats invalid submissions and where its rates come from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AggregateOptions {
    /// Leave out invalid submissions (reporting each with its error) instead of failing.
    /// Invalid: unreadable, failing any check of [`read_submission`](crate::read_submission), naming futures other
    /// than the first valid submission's, or giving a route another kind than an earlier
    /// submission did. Two submissions with the same organisation code fail either way.
    pub skip_invalid: bool,
    /// A scenario fragment (e.g. from `wfcast calibrate`) whose `[attrition]`,
    /// `[progression]` and `[[transfer]]` the national scenario takes (rules naming roles or
    /// regions no submission has are left out); its supply and demand are not taken: the
    /// submissions give those. Without it, national defaults (written into the scenario):
    /// attrition 10% a year, progression 5% a year and 2.5% at bands 7 and 8a.
    pub rates: Option<PathBuf>,
}

/// A submission [`aggregate`](crate::aggregate()) included.
#[derive(Clone, Debug, PartialEq)]
pub struct Included {
    /// Its file.
    pub path: PathBuf,
    /// Organisation code.
    pub org_code: String,
    /// Organisation name.
    pub org_name: String,
    /// Region.
    pub region: String,
}

/// A submission [`aggregate`](crate::aggregate()) left out (with [`AggregateOptions::skip_invalid`]).
#[derive(Clone, Debug, PartialEq)]
pub struct LeftOut {
    /// Its file.
    pub path: PathBuf,
    /// Why: the error message (which names the file, place and value).
    pub error: String,
}

/// What [`aggregate`](crate::aggregate()) did.
#[derive(Clone, Debug, PartialEq)]
pub struct AggregateReport {
    /// The submissions included, in the order read.
    pub included: Vec<Included>,
    /// The submissions left out, with their errors.
    pub left_out: Vec<LeftOut>,
    /// The futures (as the first valid submission names them).
    pub futures: [String; 2],
    /// The files written: the baseline CSV, the common scenario, then one scenario per future.
    pub written: Vec<PathBuf>,
}

impl AggregateReport {
    /// What was aggregated, from which regions, what was left out and why, and the files
    /// written, for the terminal.
    pub fn summary(&self) -> String {
        let mut regions: BTreeMap<&str, usize> = BTreeMap::new();
        for i in &self.included {
            *regions.entry(i.region.as_str()).or_default() += 1;
        }
        let per_region: Vec<String> = regions.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let mut out = format!("Aggregated {} organisations ({}).\n", self.included.len(), per_region.join(", "));
        if !self.left_out.is_empty() {
            out += &format!("Left out {} invalid submissions:\n", self.left_out.len());
            for l in &self.left_out {
                out += &format!("  {}: {}\n", l.path.display(), l.error);
            }
        }
        out += &format!("Futures: {} and {}. Written:\n", self.futures[0], self.futures[1]);
        for w in &self.written {
            out += &format!("  {}\n", w.display());
        }
        out.trim_end().to_string()
    }
}
