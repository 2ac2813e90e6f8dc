//! The `wfcast` binary: parse the command line, call the library, map errors to exit codes.
mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;
use wfcast_toolkit as toolkit;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = cli.into_action().and_then(|action| {
        let threads = action.threads();
        wfcast_core::runner::with_threads(threads, move || act(action))?
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Carries out `action`, printing what it made.
fn act(action: cli::Action) -> wfcast_core::error::Result<()> {
    match action {
        cli::Action::Run(cmd, quiet) => commands::run(&cmd, |result, dir| {
            if !quiet {
                println!("{}", wfcast_report::terminal::headline_table(result));
                wfcast_report::terminal::scaling_line(result).inspect(|line| println!("{line}"));
                println!("results: {}\n", dir.display());
            }
        }),
        cli::Action::Compare(cmd, quiet) => commands::compare(&cmd, |comparison, dir| {
            if !quiet {
                println!("{}", wfcast_report::terminal::comparison_table(comparison));
                println!("results: {}\n", dir.display());
            }
        }),
        cli::Action::Plot(dirs) => commands::plot(&dirs).map(|files| {
            for f in files {
                println!("{}", f.display());
            }
        }),
        cli::Action::Report(dirs) => commands::report(&dirs).map(|files| {
            for f in files {
                println!("{}", f.display());
            }
        }),
        cli::Action::Validate(files, baseline) => commands::validate(&files, baseline.as_deref()).map(|lines| {
            for line in lines {
                println!("{line}");
            }
        }),
        cli::Action::Calibrate(cmd) => commands::calibrate(&cmd).map(|calibration| {
            println!("{}", calibration.summary());
            println!("written: {}", cmd.out.display());
        }),
        cli::Action::Backtest(cmd, quiet) => commands::backtest(&cmd).map(|(bt, dir)| {
            if !quiet {
                println!("{}", wfcast_report::terminal::scores_table(&bt.results));
                println!("results: {}", dir.display());
            }
        }),
        cli::Action::Template(options, out) => toolkit::write_template(&options, &out).map(|files| {
            for f in files {
                println!("{}", f.display());
            }
        }),
        cli::Action::Aggregate(paths, options, out) => toolkit::aggregate(&paths, &options, &out).map(|report| {
            println!("{}", report.summary());
        }),
        cli::Action::Simulate(cmd) => commands::simulate(&cmd).map(|history| {
            println!(
                "{} snapshots ({} to {}) written to {} and {}",
                history.dates.len(),
                history.dates[0],
                history.dates[history.dates.len() - 1],
                cmd.snapshots.display(),
                cmd.flows.display()
            );
        }),
    }
}
