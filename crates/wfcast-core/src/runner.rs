//! Runs many runs of a model in parallel and collects their rows in run order.
use crate::engine::{Engine, Mode};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::scenario::Scenario;
use crate::summary::{Layout, Level, Metric, RunSet, Stats, Values, summarise};
use ndarray::Array2;
use rayon::prelude::*;

/// Runs the given run indices of `model` in parallel on the current rayon pool, each into
/// its own row of `width` numbers (zeros to start with) of a `runs.len() x width` array:
/// `run(engine, run, row)` runs one with an engine of this thread. `progress` is called once
/// per finished run, from any thread. The one parallel run loop: runs, comparisons and
/// backtests go through it.
pub fn run_rows<T: Clone + Default + Send + Sync>(
    model: &Model,
    runs: &[u64],
    width: usize,
    run: impl Fn(&mut Engine<'_>, u64, &mut [T]) -> Result<()> + Sync,
    progress: &(dyn Fn() + Sync),
) -> Result<Array2<T>> {
    let mut values = Array2::from_elem((runs.len(), width), T::default());
    let slice = values.as_slice_mut().expect("a new array is contiguous");
    slice.par_chunks_mut(width.max(1)).zip(runs.par_iter()).try_for_each_init(
        || Engine::new(model),
        |engine, (row, &index)| {
            run(engine, index, row)?;
            progress();
            Ok::<(), Error>(())
        },
    )?;
    Ok(values)
}

thread_local! {
    /// A run's row as the recorder fills it, before it is stored compactly.
    static ROW: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs the given run indices of `model` with `seed` in `mode` (any set of indices: run `i`
/// gives the same row whichever set it is computed in). `progress` is called once per
/// finished run, from any thread. Uses the current rayon pool. Stochastic rows are kept as
/// `f32` ([`Values`]).
pub fn run_set(
    model: &Model,
    layout: &Layout,
    seed: u64,
    mode: Mode,
    runs: &[u64],
    progress: &(dyn Fn() + Sync),
) -> Result<RunSet> {
    let width = layout.width();
    let values = match mode {
        Mode::Deterministic => Values::Exact(run_rows(
            model,
            runs,
            width,
            |engine, run, row| engine.run(seed, run, mode, &mut layout.recorder(row)),
            progress,
        )?),
        Mode::Stochastic => Values::Compact(run_rows(
            model,
            runs,
            width,
            |engine, run, compact: &mut [f32]| {
                ROW.with_borrow_mut(|row| {
                    row.clear();
                    row.resize(width, 0.0);
                    engine.run(seed, run, mode, &mut layout.recorder(row))?;
                    for (c, x) in compact.iter_mut().zip(row.iter()) {
                        *c = *x as f32;
                    }
                    Ok(())
                })
            },
            progress,
        )?),
    };
    let mut sorted: Vec<u64> = runs.to_vec();
    sorted.sort_unstable();
    let set = RunSet { runs: runs.to_vec(), values };
    if sorted != set.runs {
        // Keep run order canonical so that any split merges into the same bytes.
        return RunSet::merge(vec![set]);
    }
    Ok(set)
}

/// Runs `f` on a rayon pool of `threads` threads (the global pool when `None`).
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T> {
    match threads {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::Run(format!("cannot start {n} threads: {e}")))?;
            Ok(pool.install(f))
        }
    }
}

/// A scenario read and compiled, ready to run.
pub struct Prepared {
    /// The scenario.
    pub scenario: Scenario,
    /// Compiled against its baseline.
    pub model: Model,
    /// SHA-256 of the baseline file.
    pub baseline_sha256: String,
}

/// How to run a scenario: overrides of the scenario's own settings.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOptions {
    /// Number of runs (the scenario's `runs` when `None`; 1 in deterministic mode).
    pub runs: Option<u64>,
    /// Seed (the scenario's `seed` when `None`).
    pub seed: Option<u64>,
    /// Stochastic or deterministic.
    pub mode: Mode,
    /// Threads (all cores when `None`).
    pub threads: Option<usize>,
    /// Levels of aggregation to report.
    pub levels: Vec<Level>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { runs: None, seed: None, mode: Mode::Stochastic, threads: None, levels: Level::DEFAULT.to_vec() }
    }
}

impl RunOptions {
    /// The number of runs and the seed `scenario` runs with: `runs` and `seed` where given,
    /// else the scenario's own; one run in deterministic mode. The one place these defaults
    /// are resolved.
    pub fn plan(&self, scenario: &Scenario) -> RunPlan {
        let runs = match self.mode {
            Mode::Deterministic => 1,
            Mode::Stochastic => self.runs.unwrap_or(scenario.runs),
        };
        RunPlan { runs, seed: self.seed.unwrap_or(scenario.seed) }
    }

    /// These options with `scenario`'s runs and seed fixed, so that other scenarios run with
    /// them too (a comparison runs every scenario as its first).
    pub fn pinned_to(&self, scenario: &Scenario) -> RunOptions {
        let plan = self.plan(scenario);
        RunOptions { runs: Some(plan.runs), seed: Some(plan.seed), ..self.clone() }
    }
}

/// The runs and seed of one scenario, resolved from [`RunOptions`] and the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunPlan {
    /// Number of runs.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
}

/// A scenario's results: its runs and their summaries.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// The scenario as run.
    pub scenario: Scenario,
    /// Where each number of a run's row lives.
    pub layout: Layout,
    /// The per-run aggregates.
    pub runs: RunSet,
    /// Summary of each series, in layout order.
    pub stats: Vec<Stats>,
    /// Stochastic or deterministic.
    pub mode: Mode,
    /// The seed used.
    pub seed: u64,
    /// SHA-256 of the baseline file.
    pub baseline_sha256: String,
    /// Wall time of the runs, in seconds.
    pub wall_seconds: f64,
    /// The model's warnings: what it ran but a reader should know.
    pub warnings: Vec<String>,
    /// The area the baseline covers, as outputs name it.
    pub area: String,
    /// What was scaled, when the scenario ran on another baseline than its own.
    pub scaling: Option<crate::model::rebase::Scaling>,
}

impl RunResult {
    /// Summary of `metric` of group `group` of `level` at date index `date`, if reported.
    pub fn stat(&self, date: usize, level: Level, metric: &Metric, group: usize) -> Option<&Stats> {
        self.layout.index(date, level, metric, group).map(|i| &self.stats[i])
    }
}

/// Runs `model` (compiled from `scenario`) as `opts` says.
pub fn run_scenario(
    scenario: &Scenario,
    model: &Model,
    baseline_sha256: String,
    opts: &RunOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<RunResult> {
    let started = std::time::Instant::now();
    let RunPlan { runs: n, seed } = opts.plan(scenario);
    // The England total is always computed: the terminal table and reports read it.
    let mut levels = vec![Level::Total];
    levels.extend(opts.levels.iter().copied());
    if let Some(l) = levels.iter().find(|l| l.is_organisation() && !model.grid.by_organisation()) {
        return Err(Error::input(
            "",
            "--levels",
            format!(
                "`{l}` needs the forecast by organisation: set `by_organisation = true` in {} (its baseline needs an organisation column)",
                scenario.path.display()
            ),
        ));
    }
    let layout = Layout::new(model, &levels);
    let indices: Vec<u64> = (0..n).collect();
    // One pool for the runs and their summaries.
    let (runs, stats) = with_threads(opts.threads, || {
        run_set(model, &layout, seed, opts.mode, &indices, progress).map(|runs| {
            let stats = summarise(&runs);
            (runs, stats)
        })
    })??;
    Ok(RunResult {
        scenario: scenario.clone(),
        layout,
        runs,
        stats,
        mode: opts.mode,
        seed,
        baseline_sha256,
        wall_seconds: started.elapsed().as_secs_f64(),
        warnings: model.warnings.clone(),
        area: model.area.clone(),
        scaling: model.scaling.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_plan_takes_what_the_options_give_and_the_scenario_the_rest() {
        let text = "name = \"s\"\nbaseline = \"b.csv\"\nstart = \"2025-03\"\nruns = 250\nseed = 9\n";
        let scenario = Scenario::from_toml(text, Path::new("s.toml")).unwrap();
        let own = RunOptions::default();
        assert_eq!(own.plan(&scenario), RunPlan { runs: 250, seed: 9 });
        let given = RunOptions { runs: Some(40), seed: Some(3), ..RunOptions::default() };
        assert_eq!(given.plan(&scenario), RunPlan { runs: 40, seed: 3 });
        let deterministic = RunOptions { mode: Mode::Deterministic, ..given.clone() };
        assert_eq!(deterministic.plan(&scenario), RunPlan { runs: 1, seed: 3 });
        let pinned = own.pinned_to(&scenario);
        let other = Scenario::from_toml(&text.replace("250", "10").replace("= 9", "= 1"), Path::new("o.toml")).unwrap();
        assert_eq!(pinned.plan(&other), RunPlan { runs: 250, seed: 9 });
    }
}
