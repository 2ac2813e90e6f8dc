//! The command line: clap definitions, validated into the library's plain options.
use crate::commands::{BacktestCommand, CalibrateCommand, RunCommand, SimulateCommand};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use wfcast_core::Error;
use wfcast_core::backtest::BacktestOptions;
use wfcast_core::calibrate::CalibrateOptions;
use wfcast_core::engine::Mode;
use wfcast_core::paths;
use wfcast_core::runner::RunOptions;
use wfcast_core::scenario::Month;
use wfcast_core::summary::Level;
use wfcast_toolkit::{AggregateOptions, TemplateOptions};

/// Stochastic stock-and-flow forecasts of the NHS digital, data and technology workforce.
#[derive(Debug, Parser)]
#[command(name = "wfcast", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The default of `--levels`: the names of [`Level::DEFAULT`].
const DEFAULT_LEVELS: &str = "total,role,band,region,role_band,family";

/// Options that `run` and `compare` share.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Number of runs (default: the (first) scenario's `runs`).
    #[arg(long)]
    runs: Option<u64>,
    /// Seed (default: the (first) scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Levels of aggregation, comma-separated: total, role, band, region, role_band,
    /// role_region, role_band_region, family (the sum of each role family's roles: a DDaT
    /// Capability Framework family by default), family_band.
    #[arg(long, value_delimiter = ',', default_value = DEFAULT_LEVELS)]
    levels: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Also write a self-contained HTML report (report.html) into each output folder.
    #[arg(long)]
    report: bool,
    /// Also write the results as an Excel workbook (results.xlsx; comparison.xlsx for compare).
    #[arg(long)]
    xlsx: bool,
    /// Run the scenarios on this baseline (e.g. your organisation's ESR extract) instead of
    /// the one each names: rates hold as written, intakes, caps and demand changes are scaled
    /// to this baseline's share of the cells they cover, and meta.json says by how much.
    #[arg(long)]
    baseline: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios and write their results to OUT/<name>/.
    Run {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Run the expectation once instead of random runs.
        #[arg(long)]
        deterministic: bool,
        /// Options shared with `compare`.
        #[command(flatten)]
        args: RunArgs,
    },
    /// Run scenarios with common random numbers and compare each with the first.
    Compare {
        /// Scenario files (TOML); the first is the reference.
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<PathBuf>,
        /// Options shared with `run`.
        #[command(flatten)]
        args: RunArgs,
    },
    /// Draw (or redraw) the charts of an output folder written by `run` or `compare`.
    Plot {
        /// Output folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Write the self-contained HTML report of an output folder written by `run` or `compare`.
    Report {
        /// Output folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Check scenario files (and their baselines) without running them.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Check them on this baseline instead of the one each names, as `run --baseline`
        /// would run them.
        #[arg(long)]
        baseline: Option<PathBuf>,
    },
    /// Learn annual leaver, progression and transfer rates, joiners and demand growth, with
    /// their uncertainty, from ESR history, and write them as a scenario fragment.
    Calibrate {
        /// Snapshots of staff in post (CSV or Parquet with a date column).
        history: PathBuf,
        /// Flow counts per period (leavers, joiners, progressed, transfer); without them only
        /// net change can be estimated.
        #[arg(long)]
        flows: Option<PathBuf>,
        /// The scenario fragment to write (TOML).
        #[arg(long)]
        out: PathBuf,
        /// Calibrate per region too (default: per role and band, pooled over regions).
        #[arg(long)]
        by_region: bool,
    },
    /// Calibrate on history up to a date, forecast the rest, and score the forecast against
    /// what happened, beside no-change and linear-trend benchmarks.
    Backtest {
        /// Snapshots of staff in post (CSV or Parquet with a date column).
        history: PathBuf,
        /// Flow counts per period (needed: the model is built from them).
        #[arg(long)]
        flows: Option<PathBuf>,
        /// The last snapshot to learn from, `YYYY-MM`; later snapshots are held out.
        #[arg(long)]
        train_until: String,
        /// Number of runs of the forecast.
        #[arg(long, default_value_t = 1000)]
        runs: u64,
        /// Seed of the forecast.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Calibrate per region too.
        #[arg(long)]
        by_region: bool,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Output folder.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Also write a self-contained HTML report (report.html).
        #[arg(long)]
        report: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Write an organisation's CIO toolkit: a workbook (and the same as TOML) of its staff in
    /// post, demand in two futures to 2030 and planned supply, to fill in.
    Template {
        /// Organisation code (ODS code), e.g. RXX.
        org: String,
        /// An ESR extract to pre-fill staff in post from (the organisation's rows).
        #[arg(long)]
        baseline: Option<PathBuf>,
        /// Organisation name (default: the extract's).
        #[arg(long)]
        name: Option<String>,
        /// NHS England region (default: the extract's).
        #[arg(long)]
        region: Option<String>,
        /// The two futures' names, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "steady,accelerated")]
        futures: Vec<String>,
        /// Folder to write `<ORG>.xlsx` and `<ORG>.toml` into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Read filled CIO submissions (.xlsx or .toml, or folders of them) and write regional and
    /// national scenarios, one per future, that `run` and `compare` take.
    Aggregate {
        /// Submissions: files or folders.
        #[arg(required = true)]
        submissions: Vec<PathBuf>,
        /// The national scenario to write, e.g. output/national/national.toml (its baseline
        /// and one scenario per future are written beside it).
        #[arg(long)]
        out: PathBuf,
        /// Leave out (and list) invalid submissions instead of stopping at the first.
        #[arg(long)]
        skip_invalid: bool,
        /// A scenario fragment (e.g. from `wfcast calibrate`) whose attrition, progression and
        /// transfer rates the national scenarios use.
        #[arg(long)]
        rates: Option<PathBuf>,
    },
    /// Run one run of a scenario and write it as an ESR-shaped history (snapshots at its
    /// reporting dates, and the flows between them): synthetic data with known rates.
    Simulate {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Where to write the snapshots (CSV).
        #[arg(long)]
        snapshots: PathBuf,
        /// Where to write the flows (CSV).
        #[arg(long)]
        flows: PathBuf,
        /// Which run of the scenario.
        #[arg(long, default_value_t = 0)]
        run: u64,
        /// Seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
}

/// What `main` should do, with every argument checked.
pub enum Action {
    /// Run scenarios (and whether to be quiet).
    Run(RunCommand, bool),
    /// Compare scenarios (and whether to be quiet).
    Compare(RunCommand, bool),
    /// Draw charts of output folders.
    Plot(Vec<PathBuf>),
    /// Write reports of output folders.
    Report(Vec<PathBuf>),
    /// Validate files (on another baseline, if given).
    Validate(Vec<PathBuf>, Option<PathBuf>),
    /// Calibrate rates from history.
    Calibrate(CalibrateCommand),
    /// Backtest (and whether to be quiet).
    Backtest(BacktestCommand, bool),
    /// Write a simulated history.
    Simulate(SimulateCommand),
    /// Write an organisation's toolkit template into a folder.
    Template(TemplateOptions, PathBuf),
    /// Aggregate submissions into national scenarios.
    Aggregate(Vec<PathBuf>, AggregateOptions, PathBuf),
}

impl Action {
    /// The worker threads the command asked for (`--threads`; all cores when `None`): the
    /// whole command, its runs and the drawing of its outputs, keeps to them.
    pub fn threads(&self) -> Option<usize> {
        match self {
            Action::Run(cmd, _) | Action::Compare(cmd, _) => cmd.options.threads,
            Action::Backtest(cmd, _) => cmd.threads,
            _ => None,
        }
    }
}

fn bad(flag: &str, msg: String) -> Error {
    Error::input("", format!("--{flag}"), msg)
}

impl RunArgs {
    /// Checks the options and builds the command for `scenarios` in `mode`.
    fn into_command(self, scenarios: Vec<PathBuf>, mode: Mode) -> Result<(RunCommand, bool), Error> {
        let RunArgs { runs, seed, out, threads, levels, quiet, report, xlsx, baseline } = self;
        if runs == Some(0) {
            return Err(bad("runs", "0: expected at least 1".into()));
        }
        if threads == Some(0) {
            return Err(bad("threads", "0: expected at least 1".into()));
        }
        let levels = levels
            .iter()
            .map(|l| {
                Level::parse(l.trim()).ok_or_else(|| {
                    let all: Vec<&str> = Level::ALL.iter().map(|l| l.name()).collect();
                    bad("levels", format!("`{l}`: expected some of {}", all.join(", ")))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let options = RunOptions { runs, seed, mode, threads, levels };
        Ok((RunCommand { scenarios, baseline, options, out, progress: !quiet, report, xlsx }, quiet))
    }
}

/// Refuses an input file given on the command line (`what` it is, or the flag that gives it)
/// that does not exist: an input error with the path and the nearest file with one of
/// `extensions`.
fn input_file(what: &str, path: &Path, extensions: &[&str]) -> Result<(), Error> {
    match paths::missing_file(path, extensions) {
        Some(why) if what.starts_with("--") => Err(Error::input("", what, why)),
        Some(why) => Err(Error::input("", "", format!("{what} {why}"))),
        None => Ok(()),
    }
}

impl Command {
    /// Refuses input files and folders named on the command line that do not exist, each with
    /// the nearest one there is. (Scenario files are checked as they are read, by
    /// `Scenario::load`, in the same words.)
    fn check_inputs(&self) -> Result<(), Error> {
        match self {
            Command::Plot { dirs } | Command::Report { dirs } => {
                for dir in dirs {
                    if let Some(why) = paths::missing_folder(dir) {
                        return Err(Error::input("", "", format!("output folder {why}")));
                    }
                }
                Ok(())
            }
            Command::Calibrate { history, flows, .. } | Command::Backtest { history, flows, .. } => {
                input_file("history file", history, paths::TABLE)?;
                flows.iter().try_for_each(|f| input_file("--flows", f, paths::TABLE))
            }
            Command::Template { baseline: Some(b), .. }
            | Command::Validate { baseline: Some(b), .. }
            | Command::Run { args: RunArgs { baseline: Some(b), .. }, .. }
            | Command::Compare { args: RunArgs { baseline: Some(b), .. }, .. } => {
                input_file("--baseline", b, paths::TABLE)
            }
            Command::Aggregate { submissions, rates, .. } => {
                for s in submissions.iter().filter(|s| !s.is_dir()) {
                    input_file("submission", s, paths::SUBMISSION)?;
                }
                rates.iter().try_for_each(|r| input_file("--rates", r, paths::SCENARIO))
            }
            _ => Ok(()),
        }
    }
}

impl Cli {
    /// Checks the arguments and turns them into the library's options.
    pub fn into_action(self) -> Result<Action, Error> {
        self.command.check_inputs()?;
        match self.command {
            Command::Run { scenarios, deterministic, args } => {
                let mode = if deterministic { Mode::Deterministic } else { Mode::Stochastic };
                let (cmd, quiet) = args.into_command(scenarios, mode)?;
                Ok(Action::Run(cmd, quiet))
            }
            Command::Compare { scenarios, args } => {
                let (cmd, quiet) = args.into_command(scenarios, Mode::Stochastic)?;
                Ok(Action::Compare(cmd, quiet))
            }
            Command::Plot { dirs } => Ok(Action::Plot(dirs)),
            Command::Report { dirs } => Ok(Action::Report(dirs)),
            Command::Validate { files, baseline } => Ok(Action::Validate(files, baseline)),
            Command::Calibrate { history, flows, out, by_region } => {
                Ok(Action::Calibrate(CalibrateCommand { history, flows, out, options: CalibrateOptions { by_region } }))
            }
            Command::Backtest { history, flows, train_until, runs, seed, by_region, threads, out, report, quiet } => {
                let train_until = Month::parse(&train_until)
                    .ok_or_else(|| bad("train-until", format!("`{train_until}`: expected a month `YYYY-MM`")))?;
                if runs == 0 {
                    return Err(bad("runs", "0: expected at least 1".into()));
                }
                if threads == Some(0) {
                    return Err(bad("threads", "0: expected at least 1".into()));
                }
                let options = BacktestOptions { train_until, runs, seed, calibrate: CalibrateOptions { by_region } };
                Ok(Action::Backtest(BacktestCommand { history, flows, options, threads, out, report }, quiet))
            }
            Command::Template { org, baseline, name, region, futures, out } => {
                let futures: [String; 2] = futures.try_into().map_err(|f: Vec<String>| {
                    bad("futures", format!("`{}`: expected two names separated by a comma", f.join(",")))
                })?;
                Ok(Action::Template(TemplateOptions { org, name, region, baseline, futures }, out))
            }
            Command::Aggregate { submissions, out, skip_invalid, rates } => {
                Ok(Action::Aggregate(submissions, AggregateOptions { skip_invalid, rates }, out))
            }
            Command::Simulate { scenario, snapshots, flows, run, seed, force } => {
                Ok(Action::Simulate(SimulateCommand { scenario, run, seed, snapshots, flows, force }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_levels_are_the_librarys() {
        let names: Vec<&str> = Level::DEFAULT.iter().map(|l| l.name()).collect();
        assert_eq!(DEFAULT_LEVELS, names.join(","));
    }
}
