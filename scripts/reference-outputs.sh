#!/usr/bin/env bash
# Writes the reference set of outputs of issue 8 with one wfcast binary, so that two builds
# (before and after a change that must not change behaviour) can be compared file by file:
#
#   scripts/reference-outputs.sh OLD_BINARY /tmp/ref-old
#   scripts/reference-outputs.sh target/release/wfcast /tmp/ref-new
#   scripts/compare-outputs.sh /tmp/ref-old /tmp/ref-new
#
# Runs the three shipped scenarios (seed 7, 200 runs, --report --xlsx), one deterministic run,
# compare, calibrate, backtest, template, aggregate and simulate on the shipped seeds. Outputs
# are written under relative names inside OUT, so that two folders can be compared.
set -euo pipefail
bin=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$2"
mkdir -p "$2"
cd "$2"
mkdir -p calibrate simulate
# Inputs are named through a link, so that paths written into outputs are the same whichever
# checkout the script runs from.
ln -s "$repo" in
repo=in
w() { "$bin" "$@" >>stdout.txt; }
for s in steady-state accelerated-digital grow-our-own; do
    w run "$repo/scenarios/$s.toml" --seed 7 --runs 200 --report --xlsx --quiet --out run
done
w run "$repo/scenarios/steady-state.toml" --deterministic --report --xlsx --quiet --out deterministic
w compare "$repo/scenarios/steady-state.toml" "$repo/scenarios/accelerated-digital.toml" \
    "$repo/scenarios/grow-our-own.toml" --seed 7 --runs 200 --report --xlsx --out compare
history=$repo/seeds/history/esr_history_2019_2025.csv
flows=$repo/seeds/history/esr_flows_2019_2025.csv
w calibrate "$history" --flows "$flows" --out calibrate/fragment.toml
w calibrate "$history" --flows "$flows" --by-region --out calibrate/by-region.toml
w calibrate "$history" --out calibrate/net-change.toml
w backtest "$history" --flows "$flows" --train-until 2022-03 --runs 200 --seed 3 --report --out backtest
w template 0AA --baseline "$repo/seeds/esr_informatics_2025.csv" --out template
w template RNEW --name "New Trust" --region London --out template
w aggregate "$repo/seeds/submissions" --out aggregate/national.toml --rates calibrate/fragment.toml
w simulate "$repo/seeds/history/truth.toml" --snapshots simulate/snapshots.csv --flows simulate/flows.csv
