//! wfcast's integration tests, linked into one binary so that the suite builds and links once: the engine against MODEL.md, the command line end to end, bad inputs, charts, comparisons, reports and the shipped scenarios.

mod bad_inputs;
mod charts;
mod cli;
mod common;
mod compare;
mod families;
mod history;
mod layers;
mod model_semantics;
mod names;
mod organisations;
mod report;
mod scenarios;
mod toolkit;
