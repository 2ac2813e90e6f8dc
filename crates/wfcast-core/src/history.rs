//! ESR history: snapshots of staff in post at dates, and optional flow counts per period.
//!
//! A history is what `wfcast calibrate` learns rates from and what `wfcast backtest` scores
//! forecasts against. Each snapshot is a [`Baseline`] (so the snapshot at a backtest's
//! training date is the projection's baseline as it is). Flows, where the extract has them,
//! are counts per period: a flow dated `2019-03` happened in the period that ends with the
//! snapshot of `2019-03` and starts with the snapshot before it.
//!
//! Reading and writing a history is `wfcast_io::history`'s work.
use crate::band::Band;
use crate::baseline::Baseline;
use crate::scenario::Month;
use std::path::PathBuf;

/// What kind of flow a flow count is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlowKind {
    /// Left the NHS, counted in the cell they left.
    Leavers,
    /// Joined the NHS, counted in the cell they joined.
    Joiners,
    /// Moved up one band, counted in the band they left.
    Progressed,
    /// Moved to another role (same band and region), counted in the cell they left.
    Transfer {
        /// The role they moved to.
        to: String,
    },
}

impl FlowKind {
    /// The name written in the `flow` column: `leavers`, `joiners`, `progressed`, `transfer`.
    pub fn name(&self) -> &'static str {
        match self {
            FlowKind::Leavers => "leavers",
            FlowKind::Joiners => "joiners",
            FlowKind::Progressed => "progressed",
            FlowKind::Transfer { .. } => "transfer",
        }
    }
}

/// The count of one flow in one cell over one period.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowRow {
    /// The month that ends the period (a snapshot date other than the first).
    pub date: Month,
    /// Role (of the cell the flow is counted in).
    pub role: String,
    /// AfC band.
    pub band: Band,
    /// Region, or [`crate::baseline::DEFAULT_REGION`].
    pub region: String,
    /// What flowed.
    pub kind: FlowKind,
    /// How many people (a whole number, 0 or more), summed over the extract's rows.
    pub count: f64,
}

/// Snapshots of staff in post at dates, with optional flow counts.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The snapshots file.
    pub path: PathBuf,
    /// The flows file, where one was given.
    pub flows_path: Option<PathBuf>,
    /// Snapshot dates, ascending and distinct; at least two.
    pub dates: Vec<Month>,
    /// The snapshot at each date (same order as `dates`): one row per cell, as a baseline.
    pub snapshots: Vec<Baseline>,
    /// Flow counts sorted by date, role, band, region, kind; `None` when no flows file was
    /// given (snapshots only: net change is all that can be known).
    pub flows: Option<Vec<FlowRow>>,
    /// What reading the files changed (names written in several spellings, merged), each a
    /// sentence: `calibrate` and `backtest` print them and keep them among their notes.
    pub warnings: Vec<String>,
}

impl History {
    /// The history up to and including `last`: the snapshots and flows dated `last` or
    /// before, or `None` when fewer than two snapshots are left.
    pub fn until(&self, last: Month) -> Option<History> {
        let n = self.dates.partition_point(|&d| d <= last);
        (n >= 2).then(|| History {
            path: self.path.clone(),
            flows_path: self.flows_path.clone(),
            dates: self.dates[..n].to_vec(),
            snapshots: self.snapshots[..n].to_vec(),
            flows: self.flows.as_ref().map(|f| f.iter().filter(|r| r.date <= last).cloned().collect()),
            warnings: self.warnings.clone(),
        })
    }
}
