//! The command line: clap definitions, validated into the library's plain options.
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use wfcast::Error;
use wfcast::commands::RunCommand;
use wfcast::engine::Mode;
use wfcast::runner::RunOptions;
use wfcast::summary::Level;

/// Stochastic stock-and-flow forecasts of the NHS digital, data and technology workforce.
#[derive(Debug, Parser)]
#[command(name = "wfcast", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

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
    /// role_region, role_band_region.
    #[arg(long, value_delimiter = ',', default_value = "total,role,band,region,role_band")]
    levels: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Also write a self-contained HTML report (report.html) into each output folder.
    #[arg(long)]
    report: bool,
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
    /// Validate files.
    Validate(Vec<PathBuf>),
}

fn bad(flag: &str, msg: String) -> Error {
    Error::input("", format!("--{flag}"), msg)
}

impl RunArgs {
    /// Checks the options and builds the command for `scenarios` in `mode`.
    fn into_command(self, scenarios: Vec<PathBuf>, mode: Mode) -> Result<(RunCommand, bool), Error> {
        let RunArgs { runs, seed, out, threads, levels, quiet, report } = self;
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
        Ok((RunCommand { scenarios, options, out, progress: !quiet, report }, quiet))
    }
}

impl Cli {
    /// Checks the arguments and turns them into the library's options.
    pub fn into_action(self) -> Result<Action, Error> {
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
            Command::Validate { files } => Ok(Action::Validate(files)),
        }
    }
}
