//! A run's output folder read back into [`Results`], and the summary table as a polars frame;
//! [`Columns`], the typed columns of any table wfcast wrote, read back.
use polars::prelude::*;
use std::path::Path;
use wfcast_core::error::{Error, Result};
use wfcast_core::results::{Meta, Results, Row};

/// Typed columns of a table wfcast wrote, read back: a missing column, or one that cannot be
/// read as text or numbers, is an input error naming the file and saying which table it
/// should have been.
pub struct Columns<'a> {
    path: &'a Path,
    df: &'a DataFrame,
    what: &'a str,
}

impl<'a> Columns<'a> {
    /// The columns of `df`, read from `path`, which should be wfcast's `what` (e.g. `summary table`).
    pub fn new(path: &'a Path, df: &'a DataFrame, what: &'a str) -> Self {
        Columns { path, df, what }
    }

    fn column(&self, name: &str, dtype: &DataType) -> Result<Column> {
        self.df
            .column(name)
            .and_then(|c| c.cast(dtype))
            .map_err(|e| Error::input(self.path, "", format!("not a wfcast {}: {e}", self.what)))
    }

    /// Column `name` as text (blank cells are `None`).
    pub fn text(&self, name: &str) -> Result<Vec<Option<String>>> {
        let c = self.column(name, &DataType::String)?;
        Ok(c.str().expect("cast to text").iter().map(|v| v.map(str::to_string)).collect())
    }

    /// Column `name` as numbers (blank cells are `None`).
    pub fn num(&self, name: &str) -> Result<Vec<Option<f64>>> {
        let c = self.column(name, &DataType::Float64)?;
        Ok(c.f64().expect("cast to f64").iter().collect())
    }
}

/// Reads `meta.json` and `summary.parquet` (or `summary.csv`) from an output folder.
pub fn load(dir: &Path) -> Result<Results> {
    let meta_path = dir.join("meta.json");
    if !meta_path.is_file() {
        return Err(Error::input(dir, "", "not a wfcast output folder: it has no meta.json (written by `wfcast run`)"));
    }
    let text = std::fs::read_to_string(&meta_path).map_err(|e| Error::io(&meta_path, e))?;
    let meta: Meta = serde_json::from_str(&text)
        .map_err(|e| Error::input(&meta_path, format!("line {}", e.line()), format!("not wfcast metadata: {e}")))?;
    let parquet = dir.join("summary.parquet");
    let csv = dir.join("summary.csv");
    let (path, df) = if parquet.exists() {
        let file = std::fs::File::open(&parquet).map_err(|e| Error::io(&parquet, e))?;
        (parquet.clone(), ParquetReader::new(file).finish())
    } else {
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(csv.clone()))
            .and_then(|r| r.finish());
        (csv.clone(), df)
    };
    let df = df.map_err(|e| Error::input(&path, "", format!("cannot read the summary table: {e}")))?;
    let table = Columns::new(&path, &df, "summary table");
    let (date, level, role, band, region, metric) = (
        table.text("date")?,
        table.text("level")?,
        table.text("role")?,
        table.text("band")?,
        table.text("region")?,
        table.text("metric")?,
    );
    let nums: Vec<Vec<Option<f64>>> = ["mean", "sd", "p05", "p25", "p50", "p75", "p95", "p_shortfall"]
        .iter()
        .map(|n| table.num(n))
        .collect::<Result<_>>()?;
    let rows = (0..df.height())
        .map(|i| {
            let v = |k: usize| nums[k][i].unwrap_or(f64::NAN);
            Row {
                date: date[i].clone().unwrap_or_default(),
                level: level[i].clone().unwrap_or_default(),
                role: role[i].clone(),
                band: band[i].clone(),
                region: region[i].clone(),
                metric: metric[i].clone().unwrap_or_default(),
                mean: v(0),
                sd: v(1),
                p: [v(2), v(3), v(4), v(5), v(6)],
                p_shortfall: nums[7][i],
            }
        })
        .collect();
    let scenario_path = dir.join("scenario.toml");
    let scenario_toml = std::fs::read_to_string(&scenario_path).unwrap_or_default();
    Ok(Results { meta, scenario_toml, rows })
}

/// The summary table as a polars frame, with the columns of `summary.csv`.
pub fn frame(results: &Results) -> Result<DataFrame> {
    let rows = &results.rows;
    let text = |f: &dyn Fn(&Row) -> Option<&str>| rows.iter().map(f).collect::<Vec<Option<&str>>>();
    let mut columns = vec![
        Column::new("scenario".into(), vec![results.meta.scenario.as_str(); rows.len()]),
        Column::new("date".into(), text(&|r| Some(&r.date))),
        Column::new("level".into(), text(&|r| Some(&r.level))),
        Column::new("role".into(), text(&|r| r.role.as_deref())),
        Column::new("band".into(), text(&|r| r.band.as_deref())),
        Column::new("region".into(), text(&|r| r.region.as_deref())),
        Column::new("metric".into(), text(&|r| Some(&r.metric))),
        Column::new("mean".into(), rows.iter().map(|r| r.mean).collect::<Vec<_>>()),
        Column::new("sd".into(), rows.iter().map(|r| r.sd).collect::<Vec<_>>()),
    ];
    for (k, name) in ["p05", "p25", "p50", "p75", "p95"].iter().enumerate() {
        columns.push(Column::new((*name).into(), rows.iter().map(|r| r.p[k]).collect::<Vec<_>>()));
    }
    columns.push(Column::new("p_shortfall".into(), rows.iter().map(|r| r.p_shortfall).collect::<Vec<_>>()));
    DataFrame::new(rows.len(), columns).map_err(|e| Error::Run(format!("building the summary table: {e}")))
}
