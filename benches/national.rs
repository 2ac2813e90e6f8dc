//! Engine benchmarks on the shipped steady-state scenario (20 roles x 11 bands x 7 regions,
//! monthly steps 2025-03 to 2030-03), each beside what it is read against in the same run:
//! 1,000 stochastic runs on one thread against the floor (the same number of uniforms from
//! the same generators: one per occupied cell per flow per step), on all threads, the
//! deterministic run, and the forecast by organisation (28,820 cells).
//! Throughput is in cell-steps (cells of the dense grid x steps x runs).
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::RngExt;
use std::hint::black_box;
use std::path::Path;
use wfcast_core::engine::Mode;
use wfcast_core::model::{Model, ZERO};
use wfcast_core::runner::{run_set, with_threads};
use wfcast_core::sampling::stream;
use wfcast_core::summary::{Layout, Level};
use wfcast_io::scenario::prepare;

const RUNS: u64 = 1000;

/// For each cell occupied at the baseline, its stream key and the number of flows it draws
/// each step: leavers, progression (below band 9, where a rate is set), transfers out (where
/// it has any) and each vacancy-fill route that recruits into it.
fn flows_per_cell(model: &Model) -> Vec<(u64, u32)> {
    (0..model.grid.len())
        .filter(|&c| model.h0[c] > 0.0)
        .map(|c| {
            let progression = model.grid.next_band(c).is_some() && model.progression[c] != ZERO;
            let transfers = model.transfer_from.contains(&c);
            let fills = model.fills.iter().filter(|r| r.cells.contains(&c)).count() as u32;
            (model.cell_keys[c], 1 + progression as u32 + transfers as u32 + fills)
        })
        .collect()
}

/// The floor: per run, one stream per occupied cell and one uniform per flow per step.
fn floor(cells: &[(u64, u32)], steps: usize, runs: u64) -> f64 {
    let mut total = 0.0;
    for run in 0..runs {
        let mut rngs: Vec<_> = cells.iter().map(|(key, _)| stream(2025, run, *key)).collect();
        for _ in 0..steps {
            for (rng, (_, flows)) in rngs.iter_mut().zip(cells) {
                for _ in 0..*flows {
                    total += rng.random::<f64>();
                }
            }
        }
    }
    total
}

fn national(c: &mut Criterion) {
    let prep = prepare(Path::new("scenarios/steady-state.toml")).expect("shipped scenario");
    let model = &prep.model;
    let layout = Layout::new(model, &Level::DEFAULT);
    let cell_steps = (model.grid.len() * model.n_steps) as u64 * RUNS;
    let runs: Vec<u64> = (0..RUNS).collect();
    let cells = flows_per_cell(model);

    let mut group = c.benchmark_group("national");
    group.sample_size(10);
    group.throughput(Throughput::Elements(cell_steps));
    group.bench_function("stochastic_1000_runs_1_thread", |b| {
        b.iter(|| {
            with_threads(Some(1), || run_set(model, &layout, 2025, Mode::Stochastic, black_box(&runs), &|| {}))
                .unwrap()
                .unwrap()
        })
    });
    group.bench_function("floor_1000_runs_1_thread", |b| b.iter(|| floor(black_box(&cells), model.n_steps, RUNS)));
    group.bench_function("stochastic_1000_runs", |b| {
        b.iter(|| run_set(model, &layout, 2025, Mode::Stochastic, black_box(&runs), &|| {}).unwrap())
    });
    group.bench_function("deterministic_x1000", |b| {
        let zeros = vec![0; RUNS as usize];
        b.iter(|| run_set(model, &layout, 2025, Mode::Deterministic, black_box(&zeros), &|| {}).unwrap())
    });
    group.finish();

    let prep = prepare(Path::new("benches/by-organisation.toml")).expect("benchmark scenario");
    let model = &prep.model;
    let layout = Layout::new(model, &Level::DEFAULT);
    let runs: Vec<u64> = (0..100).collect();
    let mut group = c.benchmark_group("by_organisation");
    group.sample_size(10);
    group.throughput(Throughput::Elements((model.grid.len() * model.n_steps) as u64 * 100));
    group.bench_function("stochastic_100_runs", |b| {
        b.iter(|| run_set(model, &layout, 2025, Mode::Stochastic, black_box(&runs), &|| {}).unwrap())
    });
    group.finish();
}

criterion_group!(benches, national);
criterion_main!(benches);
