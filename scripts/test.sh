#!/usr/bin/env bash
# Runs every test. On a fresh machine it first installs what is missing
# (C compilers and python3-venv from apt, pinned Python packages into .venv).
#   1. cargo fmt --check, cargo clippy -D warnings
#   2. cargo test: unit tests (signer vectors, targets, error mapping), integration
#      tests through the C ABI against the sandbox, the header-drift check
#   3. the header compiled alone as C99 and as C++11, strict warnings
#   4. tests/c/test_follow.c (C99, -Wall -Wextra -Wpedantic -Werror) against the sandbox
#   5. pytest: oauthlib verifies the library's signatures independently
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_tools
ensure_venv
log=$(mktemp)

echo "== rustfmt, clippy"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings

echo "== cargo test"
cargo test 2>&1 | tee "$log"

echo "== C and C++ tests"
cargo build --quiet --lib --examples   # cargo test builds neither the .so nor the .a
mkdir -p build
cc "${CFLAGS_STRICT[@]}" -c tests/c/header_alone.c -o build/header_alone.o
c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -c tests/c/header_alone.cpp -o build/header_alone_cpp.o
echo "header compiles alone as C99 and C++11"
cc "${CFLAGS_STRICT[@]}" tests/c/test_follow.c -Ltarget/debug -ltwfollow \
  -Wl,-rpath,"$PWD/target/debug" -o build/test_follow
cc "${CFLAGS_STRICT[@]}" tests/c/test_follow.c target/debug/libtwfollow.a $(native_static_libs) \
  -o build/test_follow_static
start_sandbox target/debug/examples/sandbox
build/test_follow "$SANDBOX_URL" | tee -a "$log"
build/test_follow_static "$SANDBOX_URL" | tee -a "$log"

echo "== pytest (oauthlib)"
TWFOLLOW_LIB="$PWD/target/debug/libtwfollow.so" .venv/bin/python -m pytest -q tests/python 2>&1 | tee -a "$log"

passed=$(grep -oE '([0-9]+) passed' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(grep -oE '([0-9]+) failed' "$log" | awk '{s+=$1} END {print s+0}')
rm -f "$log"
echo "all suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
