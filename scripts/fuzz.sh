#!/usr/bin/env bash
# Runs each cargo-fuzz target and prints executions and crashes.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     exploring: for a time (default 60), from the
#                                            committed corpus and fuzz/new-corpus/<target>,
#                                            writing new inputs there (ignored by git;
#                                            merge the useful ones with `cargo fuzz cmin`)
#   scripts/fuzz.sh --runs N                 the gate (scripts/test.sh): the committed corpus
#                                            and N runs from a fixed seed, nothing written:
#                                            the same code gives the same verdict every time,
#                                            so a gate never fails on what luck found in code
#                                            a change did not touch (an unoptimised build, with
#                                            ASan and debug assertions, as when exploring)
# A crash input lands in fuzz/artifacts/<target>: copy it to
# fuzz/regressions/<target>, where tests/fuzz_corpus.rs replays it in every test run.
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP=1 enables them on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
# The gate builds unoptimised: on 2 cores its build takes half the time of an optimised one
# (73 s and 150 s) and its fixed number of runs a little over half a minute more (38 s and 5 s).
# Exploring runs for a time, so there the optimised build's speed pays.
if [ "${1:-}" = --runs ]; then
  budget=(-runs="${2:?--runs needs a number}" -seed=1)
  corpus=(fuzz/corpus)
  profile=--dev
else
  budget=(-max_total_time="${1:-60}")
  corpus=(fuzz/new-corpus fuzz/corpus)
  profile=--release
fi
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1
targets=(target_parse percent_encoding error_body response_mapping tokens_json)
cargo fuzz build "$profile" >/dev/null 2>&1 || { cargo fuzz build "$profile"; exit 1; }
total_crashes=0
printf '%-18s %12s %8s %8s\n' target executions exec/s crashes
for target in "${targets[@]}"; do
  log=$(mktemp)
  status=0
  dirs=()
  for root in "${corpus[@]}"; do mkdir -p "$root/$target"; dirs+=("$root/$target"); done
  # The first folder gets the new inputs: with --runs, a scratch one.
  [ "${1:-}" = --runs ] && dirs=("$(mktemp -d)" "${dirs[@]}")
  cargo fuzz run "$profile" "$target" "${dirs[@]}" -- "${budget[@]}" -max_len=1024 -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  crashes=0
  if [ "$status" -ne 0 ]; then
    crashes=1
    grep -E "ERROR|panicked|Test unit written" "$log" | head -n 5 >&2
  fi
  total_crashes=$((total_crashes + crashes))
  printf '%-18s %12s %8s %8s\n' "$target" "${runs:-?}" "${rate:-?}" "$crashes"
  rm -f "$log"
done
echo "fuzz: $((${#targets[@]} - total_crashes)) passed, $total_crashes failed"
[ "$total_crashes" -eq 0 ]
