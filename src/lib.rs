//! wfcast: stochastic stock-and-flow forecasts of the NHS digital, data and technology workforce.
#![warn(missing_docs)]
pub mod backtest;
pub mod band;
pub mod baseline;
pub mod calibrate;
pub mod chart;
pub mod commands;
pub mod compare;
pub mod engine;
pub mod error;
pub mod export;
pub mod format;
pub mod grid;
pub mod history;
pub mod model;
pub mod pay;
pub mod report;
pub mod results;
pub mod runner;
pub mod sampling;
pub mod scenario;
pub mod simulate;
pub mod summary;
pub mod table;
pub mod toolkit;
pub mod xlsx;

pub use error::{Error, Result};
