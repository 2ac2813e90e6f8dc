//! wfcast's tables and output folders: baselines, histories and pay tables read through
//! polars (CSV or Parquet) with errors that name the file, line and column; output folders
//! written whole and read back into the core's typed values.
#![warn(missing_docs)]
pub mod backtest;
pub mod baseline;
pub mod comparison;
pub mod export;
pub mod history;
pub mod pay;
pub mod results;
pub mod scenario;
pub mod table;
