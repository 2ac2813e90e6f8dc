//! Annual pay per AfC band (entry and top of band), for the `cost_gbp` metric.
//! Reading one from CSV is `wfcast_io::pay`'s work.
use crate::band::Band;

/// Pay per band: `entry` and `top` of the band, in GBP a year.
#[derive(Clone, Debug, PartialEq)]
pub struct PayTable {
    /// (entry, top) per band, in band order.
    pub bands: [(f64, f64); Band::COUNT],
}

impl PayTable {
    /// Midpoint of the band's pay range: the average pay assumed for a post in the band.
    pub fn midpoint(&self, band: Band) -> f64 {
        let (entry, top) = self.bands[band.index()];
        (entry + top) / 2.0
    }
}
