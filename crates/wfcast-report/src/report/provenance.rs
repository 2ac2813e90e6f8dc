//! A scenario's provenance: the files it read, the results and how to reproduce them.
use super::default_levels;
use super::html::{FileRow, render, result_files};
use super::text::shell_word;
use super::view::View;
use crate::format::{fmt_seconds, typeset};
use std::fmt::Write as _;
use std::path::Path;
use wfcast_core::results::{FileKind, Meta};

/// The `wfcast run` command line that reproduces a run (with `--baseline` when the scenario ran
/// on another baseline than its own).
pub(super) fn reproduce_run(meta: &Meta) -> String {
    let mut cmd = format!("wfcast run {}", shell_word(&meta.file));
    if meta.scaling.is_some() {
        w!(cmd, " --baseline {}", shell_word(&meta.baseline.path));
    }
    if meta.is_deterministic() {
        cmd.push_str(" --deterministic");
    } else {
        w!(cmd, " --seed {} --runs {}", meta.seed, meta.runs);
    }
    if !meta.levels.is_empty() && !default_levels(&meta.levels) {
        w!(cmd, " --levels {}", meta.levels.join(","));
    }
    cmd
}

/// A scenario's provenance section.
#[derive(askama::Template)]
#[template(path = "provenance.html", config = "templates/askama.toml")]
struct Provenance<'a> {
    lvl: usize,
    idp: &'a str,
    meta: &'a Meta,
    runs: String,
    levels: String,
    wall_time: String,
    /// The files the run read.
    files: Vec<FileRow>,
    /// The results the report was made from.
    own: Vec<FileRow>,
    command: String,
}

/// A scenario's provenance section, rendered: the files the run read and those of `dir` the
/// report was made from, with their SHA-256, and the command that reproduces the run.
pub(super) fn provenance(v: &View, dir: &Path, lvl: usize, idp: &str) -> String {
    let meta = v.meta();
    let mut files: Vec<FileRow> = meta
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let kind = f.kind.unwrap_or(if i == 0 {
                FileKind::Scenario
            } else if meta.families_file() == Some(&f.file) {
                // meta.json written before files had a kind.
                FileKind::Families
            } else {
                FileKind::Parent
            });
            (f.file.path.clone(), kind.describe().to_string(), f.file.sha256.clone())
        })
        .collect();
    let mut what = "baseline extract".to_string();
    if v.illustrative() {
        what.push_str(" (the illustrative seed shipped with wfcast)");
    }
    files.push((meta.baseline.path.clone(), what, meta.baseline.sha256.clone()));
    let summary = if dir.join("summary.parquet").exists() { "summary.parquet" } else { "summary.csv" };
    render(&Provenance {
        lvl,
        idp,
        meta,
        runs: typeset(meta.runs as f64, 0),
        levels: meta.levels.join(", "),
        wall_time: fmt_seconds(meta.wall_time_seconds),
        files,
        own: result_files(dir, &["meta.json", summary, "scenario.toml"]),
        command: reproduce_run(meta),
    })
}
