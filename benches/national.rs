//! National-scale benchmark: the shipped steady-state scenario (20 roles x 11 bands x 7
//! regions, monthly steps 2025-03 to 2030-03) for 1,000 stochastic runs, against a reference
//! measured in the same run: the bare Binomial draws the engine must make.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use wfcast_core::engine::Mode;
use wfcast_core::runner::run_set;
use wfcast_core::sampling::{binomial, stream};
use wfcast_core::summary::{Layout, Level};
use wfcast_io::scenario::prepare;

const RUNS: u64 = 1000;

fn national(c: &mut Criterion) {
    let prep = prepare(Path::new("scenarios/steady-state.toml")).expect("shipped scenario");
    let model = &prep.model;
    let layout = Layout::new(model, &Level::DEFAULT);
    let cell_steps = (model.grid.len() * model.n_steps) as u64 * RUNS;
    let runs: Vec<u64> = (0..RUNS).collect();

    let mut group = c.benchmark_group("national");
    group.sample_size(10);
    group.throughput(Throughput::Elements(cell_steps));
    group.bench_function("stochastic_1000_runs", |b| {
        b.iter(|| run_set(model, &layout, 2025, Mode::Stochastic, black_box(&runs), &|| {}).unwrap())
    });
    group.bench_function("deterministic_x1000", |b| {
        let zeros = vec![0; RUNS as usize];
        b.iter(|| run_set(model, &layout, 2025, Mode::Deterministic, black_box(&zeros), &|| {}).unwrap())
    });
    // Reference: leavers and progression draws alone, one per occupied cell per step, on
    // the baseline stocks and one thread; the engine's cost per cell-step is read against it.
    let occupied: Vec<u64> = model.h0.iter().filter(|h| **h > 0.0).map(|h| *h as u64).collect();
    let steps = model.n_steps as u64;
    group.throughput(Throughput::Elements((model.grid.len() as u64) * steps * 20));
    group.bench_function("reference_binomials_20_runs_1_thread", |b| {
        b.iter(|| {
            let mut total = 0u64;
            for run in 0..20 {
                let mut rng = stream(1, run, 7);
                for _ in 0..steps {
                    for &h in &occupied {
                        total += binomial(&mut rng, h, 0.0087) + binomial(&mut rng, h, 0.004);
                    }
                }
            }
            black_box(total)
        })
    });
    group.finish();
}

criterion_group!(benches, national);
criterion_main!(benches);
