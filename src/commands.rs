//! The commands behind the CLI, with plain arguments: run, compare, validate, calibrate, backtest, simulate.
use crate::backtest::{self, Backtest, BacktestOptions, BacktestResults};
use crate::calibrate::{self, CalibrateOptions, Calibration};
use crate::chart;
use crate::compare;
use crate::engine::Mode;
use crate::error::{Error, Result};
use crate::export;
use crate::format::grouped;
use crate::history::History;
use crate::model::{self, Model};
use crate::report;
use crate::results::{Comparison, FileHash, Results};
use crate::runner::{self, RunOptions, RunResult};
use crate::scenario::{Scenario, sha256_hex};
use crate::simulate;
use crate::summary::{Level, Metric};
use crate::xlsx;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A scenario read and compiled, ready to run.
pub struct Prepared {
    /// The scenario.
    pub scenario: Scenario,
    /// Compiled against its baseline.
    pub model: Model,
    /// SHA-256 of the baseline file.
    pub baseline_sha256: String,
}

/// Reads a scenario, its baseline and pay table, and compiles them.
pub fn prepare(path: &Path) -> Result<Prepared> {
    let scenario = Scenario::load(path)?;
    let model = model::load(&scenario)?;
    let bytes = std::fs::read(&scenario.baseline).map_err(|e| Error::io(&scenario.baseline, e))?;
    Ok(Prepared { scenario, model, baseline_sha256: sha256_hex(&bytes) })
}

/// Checks scenario files without running them: every file is read and compiled against
/// its baseline. Returns one line per file; the first error stops.
pub fn validate(paths: &[PathBuf]) -> Result<Vec<String>> {
    paths
        .iter()
        .map(|p| {
            let prep = prepare(p)?;
            let m = &prep.model;
            let places = if m.grid.by_organisation() {
                format!("{} organisations in {} regions", m.grid.organisations.len(), m.grid.regions.len())
            } else {
                format!("{} regions", m.grid.regions.len())
            };
            Ok(format!(
                "{}: ok: `{}`, {} roles x 11 bands x {places}, {} steps of {} months, {} supply routes, {} parameters",
                p.display(),
                prep.scenario.name,
                m.grid.roles.len(),
                m.n_steps,
                m.step_months,
                m.route_names.len(),
                m.params.len() - 1
            ))
        })
        .collect()
}

/// Options of `wfcast run`.
#[derive(Clone, Debug)]
pub struct RunCommand {
    /// Scenario files.
    pub scenarios: Vec<PathBuf>,
    /// How to run them.
    pub options: RunOptions,
    /// Output root: results go to `out/<name>/`.
    pub out: PathBuf,
    /// Whether to show a progress bar (on a terminal, for runs that take more than a moment).
    pub progress: bool,
    /// Whether to write report.html too.
    pub report: bool,
    /// Whether to write the results as an Excel workbook too.
    pub xlsx: bool,
}

/// A progress bar that appears only after half a second, and only on a terminal.
fn progress_bar(total: u64, enabled: bool) -> (ProgressBar, impl Fn() + Sync) {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} runs ({eta} left)")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let shown = AtomicBool::new(!enabled);
    let start = Instant::now();
    let b = bar.clone();
    let tick = move || {
        b.inc(1);
        if !shown.load(Ordering::Relaxed) && start.elapsed() > Duration::from_millis(500) {
            shown.store(true, Ordering::Relaxed);
            b.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    (bar, tick)
}

/// Runs each scenario, writes its outputs, and returns the results with their folders.
pub fn run(cmd: &RunCommand, mut on_done: impl FnMut(&RunResult, &Path)) -> Result<()> {
    // Read and check everything before running anything.
    let prepared: Vec<Prepared> = cmd.scenarios.iter().map(|p| prepare(p)).collect::<Result<_>>()?;
    for (i, a) in prepared.iter().enumerate() {
        if let Some(b) = prepared[..i].iter().find(|b| b.scenario.name == a.scenario.name) {
            return Err(Error::input(
                &a.scenario.path,
                "key name",
                format!(
                    "`{}` is also the name of {}: each scenario of a run needs its own name (its output folder)",
                    a.scenario.name,
                    b.scenario.path.display()
                ),
            ));
        }
    }
    for p in &prepared {
        let runs = match cmd.options.mode {
            Mode::Deterministic => 1,
            Mode::Stochastic => cmd.options.runs.unwrap_or(p.scenario.runs),
        };
        let (bar, tick) = progress_bar(runs, cmd.progress);
        bar.set_message(p.scenario.name.clone());
        let result = runner::run_scenario(&p.scenario, &p.model, p.baseline_sha256.clone(), &cmd.options, &tick)?;
        bar.finish_and_clear();
        let mut exporters = export::default_exporters();
        if cmd.xlsx {
            exporters.push(Box::new(xlsx::ResultsXlsx));
        }
        let dir = export::write_all(&Results::of(&result), &cmd.out, &exporters)?;
        if cmd.report {
            report::write_report(&dir)?;
        }
        on_done(&result, &dir);
    }
    Ok(())
}

/// Runs scenarios with common random numbers, writes the comparison folder, and returns it.
pub fn compare(cmd: &RunCommand, on_done: impl FnOnce(&Comparison, &Path)) -> Result<()> {
    let prepared: Vec<Prepared> = cmd.scenarios.iter().map(|p| prepare(p)).collect::<Result<_>>()?;
    let runs = cmd.options.runs.unwrap_or(prepared[0].scenario.runs) * prepared.len() as u64;
    let (bar, tick) = progress_bar(runs, cmd.progress);
    bar.set_message("compare");
    let (results, comparison) = compare::run_comparison(&prepared, &cmd.options, &tick)?;
    bar.finish_and_clear();
    let tables: Vec<Results> = results.iter().map(Results::of).collect();
    let dir = compare::write_comparison(&comparison, &tables, &cmd.out)?;
    if cmd.xlsx {
        xlsx::write_comparison_workbook(&comparison, &dir)?;
    }
    if cmd.report {
        report::write_report(&dir)?;
    }
    on_done(&comparison, &dir);
    Ok(())
}

/// Draws (or redraws) the charts of output folders, and the Excel workbook that embeds them
/// where there is one; returns the files written.
pub fn plot(dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for dir in dirs {
        // Read the results before writing, so that a folder that is not wfcast output
        // leaves nothing behind.
        let charts = dir.join("charts");
        let files = if backtest::is_backtest(dir) {
            let results = BacktestResults::load(dir)?;
            export::write_folder(&charts, None, |tmp| chart::write_backtest_charts(&results, tmp))?
        } else if dir.join("comparison.csv").exists() {
            let comparison = Comparison::load(dir)?;
            let files = export::write_folder(&charts, None, |tmp| chart::write_comparison_charts(&comparison, tmp))?;
            // A workbook embeds the charts: redraw it with them.
            if dir.join(xlsx::COMPARISON_XLSX).exists() {
                written.push(xlsx::write_comparison_workbook(&comparison, dir)?);
            }
            files
        } else {
            let results = Results::load(dir)?;
            let files = export::write_folder(&charts, None, |tmp| chart::write_scenario_charts(&results, tmp))?;
            if dir.join(xlsx::RESULTS_XLSX).exists() {
                written.push(xlsx::write_results_workbook(&results, dir)?);
            }
            files
        };
        written.extend(files.iter().filter_map(|f| f.file_name()).map(|n| charts.join(n)));
    }
    Ok(written)
}

/// Writes report.html into output folders; returns the files written.
pub fn report(dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    dirs.iter().map(|d| report::write_report(d)).collect()
}

/// Options of `wfcast calibrate`.
#[derive(Clone, Debug)]
pub struct CalibrateCommand {
    /// The snapshots file.
    pub history: PathBuf,
    /// The flows file, if any.
    pub flows: Option<PathBuf>,
    /// The scenario fragment to write.
    pub out: PathBuf,
    /// How to calibrate.
    pub options: CalibrateOptions,
}

/// The first line of every fragment `calibrate` writes: an existing file is replaced only if
/// it starts with it, so a user's own scenario is never overwritten.
pub const FRAGMENT_MARK: &str = "# Calibrated by `wfcast calibrate`";

/// Learns rates from history and writes them as a scenario fragment.
pub fn calibrate(cmd: &CalibrateCommand) -> Result<Calibration> {
    let history = History::load(&cmd.history, cmd.flows.as_deref())?;
    for input in std::iter::once(&cmd.history).chain(&cmd.flows) {
        if same_file(input, &cmd.out) {
            return Err(Error::input("", "--out", format!("{} is an input: not overwriting it", cmd.out.display())));
        }
    }
    if cmd.out.exists() {
        let head = std::fs::read(&cmd.out).map_err(|e| Error::io(&cmd.out, e))?;
        if !head.starts_with(FRAGMENT_MARK.as_bytes()) {
            return Err(Error::input(
                &cmd.out,
                "",
                "exists and was not written by `wfcast calibrate`: not replacing it; choose another --out",
            ));
        }
    }
    let calibration = calibrate::calibrate(&history, &cmd.options)?;
    let text = calibration.to_toml();
    debug_assert!(text.starts_with(FRAGMENT_MARK));
    export::write_file(&cmd.out, text.as_bytes())?;
    Ok(calibration)
}

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A file with its SHA-256, for `meta.json`.
fn file_hash(path: &Path) -> Result<FileHash> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(FileHash { path: path.display().to_string(), sha256: sha256_hex(&bytes) })
}

/// Options of `wfcast backtest`.
#[derive(Clone, Debug)]
pub struct BacktestCommand {
    /// The snapshots file.
    pub history: PathBuf,
    /// The flows file.
    pub flows: Option<PathBuf>,
    /// What to run.
    pub options: BacktestOptions,
    /// Worker threads (all cores when `None`); results do not depend on it.
    pub threads: Option<usize>,
    /// Output root: the backtest goes to `out/backtest-<history>-<date>/`.
    pub out: PathBuf,
    /// Whether to write report.html too.
    pub report: bool,
}

/// Calibrates on the history up to the training date, forecasts the rest, scores it and
/// writes the backtest folder; returns the backtest and its folder.
pub fn backtest(cmd: &BacktestCommand) -> Result<(Backtest, PathBuf)> {
    let history = History::load(&cmd.history, cmd.flows.as_deref())?;
    let files = (file_hash(&cmd.history)?, cmd.flows.as_deref().map(file_hash).transpose()?);
    let bt = runner::with_threads(cmd.threads, || backtest::backtest(&history, files, &cmd.options))??;
    let dir = backtest::write_backtest(&bt, &cmd.history, &cmd.out)?;
    if cmd.report {
        report::write_report(&dir)?;
    }
    Ok((bt, dir))
}

/// Options of `wfcast simulate`.
#[derive(Clone, Debug)]
pub struct SimulateCommand {
    /// The scenario to run once.
    pub scenario: PathBuf,
    /// Which run.
    pub run: u64,
    /// Seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Where to write the snapshots.
    pub snapshots: PathBuf,
    /// Where to write the flows.
    pub flows: PathBuf,
    /// Whether existing files may be replaced.
    pub force: bool,
}

/// Runs one run of a scenario and writes it as an ESR-shaped history (snapshots and flows).
pub fn simulate(cmd: &SimulateCommand) -> Result<History> {
    let prep = prepare(&cmd.scenario)?;
    for (flag, path) in [("--snapshots", &cmd.snapshots), ("--flows", &cmd.flows)] {
        let input =
            prep.scenario.files.iter().map(|(p, _)| p).chain([&prep.scenario.baseline]).any(|p| same_file(p, path));
        if input {
            return Err(Error::input(
                "",
                flag,
                format!("{} is an input of the scenario: not overwriting it", path.display()),
            ));
        }
        if path.exists() && !cmd.force {
            return Err(Error::input("", flag, format!("{} exists: not replacing it without --force", path.display())));
        }
    }
    if same_file(&cmd.snapshots, &cmd.flows) || cmd.snapshots == cmd.flows {
        return Err(Error::input("", "--flows", "must be another file than --snapshots"));
    }
    let seed = cmd.seed.unwrap_or(prep.scenario.seed);
    let mut history = simulate::simulate_history(&prep.model, seed, cmd.run, &cmd.snapshots)?;
    history.flows_path = Some(cmd.flows.clone());
    history.write_csv(&cmd.snapshots, Some(&cmd.flows))?;
    Ok(history)
}

/// The England totals of supply, demand and gap at each reporting date, with 90% intervals.
pub fn headline_table(result: &RunResult) -> String {
    let deterministic = result.mode == Mode::Deterministic;
    let mut out = format!(
        "{} ({}, {} run{}, seed {})\n",
        result.scenario.title,
        if deterministic { "deterministic" } else { "stochastic" },
        result.runs.runs.len(),
        if result.runs.runs.len() == 1 { "" } else { "s" },
        result.seed
    );
    let head = if deterministic {
        format!("{:<8} {:>10} {:>10} {:>10}\n", "date", "supply FTE", "demand FTE", "gap FTE")
    } else {
        format!(
            "{:<8} {:>26} {:>26} {:>26} {:>11}\n",
            "date", "supply FTE (90% interval)", "demand FTE (90% interval)", "gap FTE (90% interval)", "P(shortfall)"
        )
    };
    out.push_str(&head);
    let cell = |date: usize, metric: Metric| -> String {
        match result.stat(date, Level::Total, &metric, 0) {
            None => "-".into(),
            Some(s) if deterministic => grouped(s.mean, 0),
            Some(s) => format!("{} ({} to {})", grouped(s.p[2], 0), grouped(s.p[0], 0), grouped(s.p[4], 0)),
        }
    };
    for (i, d) in result.layout.dates.iter().enumerate() {
        let (sup, dem, gap) = (cell(i, Metric::Fte), cell(i, Metric::DemandFte), cell(i, Metric::GapFte));
        if deterministic {
            out.push_str(&format!("{:<8} {sup:>10} {dem:>10} {gap:>10}\n", d.to_string()));
        } else {
            let p = result.stat(i, Level::Total, &Metric::GapFte, 0).map(|s| s.above_zero).unwrap_or(f64::NAN);
            out.push_str(&format!(
                "{:<8} {sup:>26} {dem:>26} {gap:>26} {:>11}\n",
                d.to_string(),
                format!("{:.0}%", p * 100.0)
            ));
        }
    }
    out
}
