//! wfcast's renderers: numbers as people read them, charts (PNG and SVG), the HTML report and
//! Excel workbooks, each made from results already computed.
#![warn(missing_docs)]
pub mod chart;
pub mod folder;
pub mod format;
pub mod report;
pub mod terminal;
pub mod xlsx;
