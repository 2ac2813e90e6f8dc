//! wfcast's integration tests, linked into one binary so that the suite builds and links once: the engine against MODEL.md, the command line end to end, bad inputs, charts, comparisons, reports and the shipped scenarios.

mod bad_inputs;
mod charts;
mod cli;
mod common;
mod compare;
mod draws;
mod families;
mod files;
mod history;
mod layers;
mod model_semantics;
mod names;
mod organisations;
mod pipelines;
mod rebase;
mod report;
mod reporting_dates;
mod scenarios;
mod toolkit;
