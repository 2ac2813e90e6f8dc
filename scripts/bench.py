#!/usr/bin/env python3
"""Measures wfcast's speed and memory side by side in one run, and prints the README's table.

    python3 scripts/bench.py [--old OLD_BINARY] [--skip-build] [--memory-runs 100,1000,10000]

Each comparison is made within this one run, because the machine's speed drifts and ratios
hold where absolute times do not:

- the engine (criterion, `benches/national.rs`): 1,000 stochastic runs of the shipped
  steady-state scenario on one thread, against the floor measured in the same benchmark (the
  same number of uniforms from the same generators: one per occupied cell per flow per step);
- the NumPy reference (`benches/reference_numpy.py`, MODEL.md's core phases vectorised as an
  analyst would) against `wfcast run` on one thread, whole process, with their means checked;
- `wfcast run scenarios/steady-state.toml` (1,000 runs, every chart) against OLD_BINARY (a
  build of an earlier commit), alternated three times each;
- the forecast by organisation (`benches/by-organisation.toml`, 28,820 cells), 1,000 runs on
  every core;
- time and peak memory (the process's maximum resident set) at 100, 1,000 and 10,000 runs.

The table goes to standard output and to `benches/results.md`.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "wfcast"


def timed(cmd, **kw):
    """Runs `cmd`; returns (wall seconds, peak resident memory in bytes)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}")
    return seconds, usage.ru_maxrss * 1024


def criterion(group, name):
    """Mean time (s) and elements of one criterion benchmark."""
    base = ROOT / "target" / "criterion" / group / name / "new"
    mean = json.loads((base / "estimates.json").read_text())["mean"]["point_estimate"] / 1e9
    elements = json.loads((base / "benchmark.json").read_text())["throughput"]["Elements"]
    return mean, elements


def run_cmd(binary, scenario, out, *extra):
    return [str(binary), "run", scenario, "--quiet", "--out", out, *extra]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", help="an earlier build of wfcast to compare whole runs against")
    ap.add_argument("--skip-build", action="store_true", help="use the built binary and the last criterion results")
    ap.add_argument("--memory-runs", default="100,1000,10000")
    args = ap.parse_args()
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True)
        subprocess.run(["cargo", "bench", "--locked", "--bench", "national"], cwd=ROOT, check=True)
    rows = []
    engine, cells = criterion("national", "stochastic_1000_runs_1_thread")
    floor, _ = criterion("national", "floor_1000_runs_1_thread")
    both, _ = criterion("national", "stochastic_1000_runs")
    org, org_cells = criterion("by_organisation", "stochastic_100_runs")
    rows.append(("Engine, 1,000 stochastic runs, 1 thread", f"{engine:.2f} s", f"{cells / engine / 1e6:.0f} M cell-steps/s per core"))
    rows.append(("Floor: the same uniforms from the same generators, 1 thread", f"{floor:.2f} s", f"engine / floor = {engine / floor:.1f}x"))
    rows.append(("Engine, 1,000 stochastic runs, all cores", f"{both:.2f} s", f"{cells / both / 1e6:.0f} M cell-steps/s"))
    rows.append(("Engine by organisation (28,820 cells), 100 runs, all cores", f"{org:.2f} s", f"{org_cells / org / 1e6:.0f} M cell-steps/s"))

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "benches/reference_numpy.py", "scenarios/steady-state.toml", "--runs", "1000", "--json"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        )
        np_total = time.perf_counter() - start
        one, _ = timed(run_cmd(BIN, "scenarios/steady-state.toml", f"{tmp}/one", "--threads", "1", "--runs", "1000"))
        rows.append(("NumPy reference, 1,000 runs, whole process", f"{np_total:.2f} s", ""))
        rows.append(("wfcast run, 1,000 runs, every chart, 1 thread", f"{one:.2f} s", f"{np_total / one:.1f}x the NumPy reference"))
        timed(run_cmd(BIN, "scenarios/steady-state.toml", f"{tmp}/det", "--deterministic", "--levels", "total"))
        check = subprocess.run(
            [sys.executable, "benches/reference_numpy.py", "scenarios/steady-state.toml", "--runs", "200",
             "--check", f"{tmp}/det/steady-state/summary.csv"],
            cwd=ROOT, capture_output=True, text=True,
        )
        rows.append(("NumPy means against wfcast's deterministic run", "", "agree within 1.5%" if check.returncode == 0 else "DISAGREE"))

        if args.old:
            new_t, old_t = [], []
            for i in range(3):
                old_t.append(timed(run_cmd(args.old, "scenarios/steady-state.toml", f"{tmp}/old{i}"))[0])
                new_t.append(timed(run_cmd(BIN, "scenarios/steady-state.toml", f"{tmp}/new{i}"))[0])
            o, n = statistics.median(old_t), statistics.median(new_t)
            rows.append(("wfcast run, 1,000 runs, every chart, all cores: earlier build", f"{o:.2f} s", ""))
            rows.append(("... this build", f"{n:.2f} s", f"{o / n:.1f}x faster"))

        t, mem = timed(run_cmd(BIN, "benches/by-organisation.toml", f"{tmp}/org", "--runs", "1000"))
        rows.append(("wfcast run by organisation, 1,000 runs, all cores", f"{t:.1f} s", f"peak {mem / 2**20:.0f} MiB"))
        for n in [int(x) for x in args.memory_runs.split(",")]:
            t, mem = timed(run_cmd(BIN, "scenarios/steady-state.toml", f"{tmp}/m{n}", "--runs", str(n)))
            rows.append((f"wfcast run, {n:,} runs, all cores", f"{t:.1f} s", f"peak {mem / 2**20:.0f} MiB, {t / n * 1000:.2f} ms per run"))

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({cpu}), `python3 scripts/bench.py`:", "",
             "| case | time | throughput or ratio |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "benches" / "results.md").write_text(text)


if __name__ == "__main__":
    main()
