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
# Exploring runs for a time, so there the optimised build's speed pays. Full debug info stays:
# with line tables only, the gate's build took 152 s of CPU instead of 157 s (3 %).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The first folder of the corpus gets the new inputs: with --runs, a scratch one.
if [ "${1:-}" = --runs ]; then
  budget=(-runs="${2:?--runs needs a number}" -seed=1)
  corpus=("$scratch/new" fuzz/corpus)
  profile=--dev
else
  budget=(-max_total_time="${1:-60}")
  corpus=(fuzz/new-corpus fuzz/corpus)
  profile=--release
fi
if ! command -v cargo-fuzz >/dev/null; then
  echo "installing cargo-fuzz into ${CARGO_HOME:-~/.cargo}/bin (cargo install --locked cargo-fuzz)"
  cargo install --locked cargo-fuzz
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz build "$profile" >/dev/null 2>&1 || { cargo fuzz build "$profile"; exit 1; }
mapfile -t targets < <(cargo fuzz list)
# run TARGET: one libFuzzer process, its output in $scratch/TARGET.log; $scratch/TARGET.failed if it failed.
run() {
  local dirs=() root
  for root in "${corpus[@]}"; do mkdir -p "$root/$1" && dirs+=("$root/$1"); done
  cargo fuzz run "$profile" "$1" "${dirs[@]}" -- "${budget[@]}" -max_len=1024 -print_final_stats=1 \
    >"$scratch/$1.log" 2>&1 || touch "$scratch/$1.failed"
}
# One process per core at a time (libFuzzer's runs from a seed are the same side by side).
for target in "${targets[@]}"; do
  run "$target" &
  [ "$(jobs -rp | wc -l)" -lt "$(nproc)" ] || wait -n
done
wait
failed=0
printf '%-18s %12s %8s %8s\n' target executions exec/s crashes
for target in "${targets[@]}"; do
  log="$scratch/$target.log"
  crashes=0
  [ ! -e "$scratch/$target.failed" ] || { crashes=1 && grep -E "ERROR|panicked|Test unit written" "$log" | head -n 5 >&2; }
  printf '%-18s %12s %8s %8s\n' "$target" "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)" \
    "$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)" "$crashes"
  failed=$((failed + crashes))
done
echo "fuzz: $((${#targets[@]} - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
