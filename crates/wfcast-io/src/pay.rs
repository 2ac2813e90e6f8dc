//! Reading the pay table (annual pay per AfC band) from CSV.
use polars::prelude::*;
use std::path::Path;
use wfcast_core::band::{BAND_HELP, Band};
use wfcast_core::error::{Error, Result};
use wfcast_core::paths;
use wfcast_core::pay::PayTable;

/// Reads a CSV with columns `band,entry,top` (one row per band, all 11 bands).
pub fn load(path: &Path) -> Result<PayTable> {
    let bad = |at: String, msg: String| Error::input(path, at, msg);
    if let Some(why) = paths::missing_file(path, paths::CSV) {
        return Err(Error::input("", "", format!("pay table {why}")));
    }
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|r| r.finish())
        .map_err(|e| bad(String::new(), format!("cannot read as CSV: {e}")))?;
    let col = |name: &str| -> Result<Vec<Option<String>>> {
        let c = df
            .columns()
            .iter()
            .find(|c| c.name().trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| bad(format!("column {name}"), "missing: expected columns band,entry,top".into()))?;
        Ok(c.str().map_err(|e| bad(String::new(), e.to_string()))?.iter().map(|v| v.map(str::to_string)).collect())
    };
    let (band, entry, top) = (col("band")?, col("entry")?, col("top")?);
    let mut seen = [None; Band::COUNT];
    for i in 0..df.height() {
        let line = format!("line {}", i + 2);
        let text = band[i].clone().unwrap_or_default();
        let b = Band::parse(&text).ok_or_else(|| bad(line.clone(), format!("`{text}` is not {BAND_HELP}")))?;
        let num = |v: &Option<String>, what: &str| -> Result<f64> {
            let t = v.clone().unwrap_or_default();
            t.trim()
                .replace(',', "")
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| bad(line.clone(), format!("{what} `{t}`: expected a yearly pay in GBP")))
        };
        seen[b.index()] = Some((num(&entry[i], "entry")?, num(&top[i], "top")?));
    }
    let mut bands = [(0.0, 0.0); Band::COUNT];
    for b in Band::ALL {
        bands[b.index()] = seen[b.index()].ok_or_else(|| bad(String::new(), format!("no row for band {b}")))?;
    }
    Ok(PayTable { bands })
}
