//! wfcast's engine: scenarios, the model compiled from a baseline held in memory, random
//! streams, runs, summaries, comparison with common random numbers, calibration and backtest.
//!
//! This crate reads no tables and draws nothing: it depends on no polars, plotters, Excel
//! crate or clap (Cargo enforces it; see ARCHITECTURE.md).
#![warn(missing_docs)]
pub mod area;
pub mod backtest;
pub mod band;
pub mod baseline;
pub mod calibrate;
pub mod compare;
pub mod engine;
pub mod error;
pub mod grid;
pub mod history;
pub mod model;
pub mod names;
pub mod paths;
pub mod pay;
pub mod results;
pub mod runner;
pub mod sampling;
pub mod scenario;
pub mod simulate;
pub mod summary;

pub use error::{Error, Result};
