#!/usr/bin/env bash
# Runs every test. On a fresh machine it first installs what is missing
# (compilers, pkg-config, valgrind, python3-venv from apt; pinned Python packages into .venv).
#   1. cargo fmt --check, cargo clippy -D warnings
#   2. cargo test: unit tests (signer vectors, targets, error mapping), integration
#      tests through the C ABI against the sandbox, the header-drift check
#   3. the header compiled alone as C99 and as C++11, strict warnings
#   4. C tests (C99, -Wall -Wextra -Wpedantic -Werror): shared, static, under valgrind,
#      under ASan+UBSan (with a canary proving the sanitizer is linked); the C++ wrapper's test
#   5. install into a temporary prefix; build with pkg-config only, shared and static
#   6. pytest: the Python package (installed with pip), the C tool tw-follow under
#      valgrind, and oauthlib verifying the library's signatures independently
#   7. cargo-fuzz: each target for FUZZ_SECONDS (default 15); the committed corpus is
#      also replayed by cargo test (tests/fuzz_corpus.rs)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_tools
ensure_venv
log=$(mktemp)

echo "== rustfmt, clippy"
cargo fmt --check
cargo clippy --quiet --workspace --all-targets -- -D warnings

echo "== cargo test"
cargo test --workspace 2>&1 | tee "$log"

echo "== C and C++"
cargo build --quiet --workspace --lib --bins --examples   # cargo test builds neither the .so, the .a nor the sandbox binary
mkdir -p build
debug_lib=(-Ltarget/debug -ltwfollow -Wl,-rpath,"$PWD/target/debug")
cc "${CFLAGS_STRICT[@]}" -c tests/c/header_alone.c -o build/header_alone.o
c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -c tests/c/header_alone.cpp -o build/header_alone_cpp.o
echo "header compiles alone as C99 and C++11"
cc "${CFLAGS_STRICT[@]}" tests/c/test_follow.c "${debug_lib[@]}" -o build/test_follow
# shellcheck disable=SC2046 # the library list is meant to be split
cc "${CFLAGS_STRICT[@]}" tests/c/test_follow.c target/debug/libtwfollow.a $(native_static_libs) \
  -o build/test_follow_static
cc "${CFLAGS_STRICT[@]}" bindings/c/tw-follow.c "${debug_lib[@]}" -o build/tw-follow
c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -Ibindings/c bindings/c/tests/test_client.cpp \
  "${debug_lib[@]}" -o build/test_client_cpp
start_sandbox target/debug/sandbox
build/test_follow "$SANDBOX_URL" | tee -a "$log"
build/test_follow_static "$SANDBOX_URL" | tee -a "$log"
valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
  build/test_follow "$SANDBOX_URL" | sed 's/^c:/c under valgrind:/' | tee -a "$log"
build/test_client_cpp "$SANDBOX_URL" | tee -a "$log"

echo "== C tests under AddressSanitizer + UndefinedBehaviorSanitizer"
sanitize=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
cc "${CFLAGS_STRICT[@]}" "${sanitize[@]}" tests/c/sanitizer_canary.c -o build/sanitizer_canary
if build/sanitizer_canary 2>build/sanitizer_canary.err || ! grep -q "AddressSanitizer: heap-buffer-overflow" build/sanitizer_canary.err; then
  echo "the sanitizer is not active: its canary overflow went unreported" >&2
  exit 1
fi
echo "sanitizer canary: overflow reported, so ASan is linked"
cc "${CFLAGS_STRICT[@]}" "${sanitize[@]}" tests/c/test_follow.c "${debug_lib[@]}" -o build/test_follow_sanitized
build/test_follow_sanitized "$SANDBOX_URL" | sed 's/^c:/c under ASan+UBSan:/' | tee -a "$log"

echo "== install (pkg-config, shared and static)"
tests/install/test_install.sh "$SANDBOX_URL" | tee -a "$log"

echo "== Python package, C tool (under valgrind), oauthlib"
# The build backend (setuptools-rust) compiles the library; the debug profile reuses what
# `cargo build` left in target/.
SETUPTOOLS_RUST_CARGO_PROFILE=dev .venv/bin/pip install -q --no-build-isolation \
  --disable-pip-version-check --force-reinstall --no-deps ./bindings/python
sandbox_credentials
(cd /tmp && "$OLDPWD/.venv/bin/python" - <<'PY') | tee -a "$log"
# A new user's three lines, with the library the package ships (no TWFOLLOW_LIB).
import os, twfollow
with twfollow.Client.from_env() as client:
    assert client.follow("@twitterdev")["id"] == 2244994945
print("pip-installed package follows with its bundled library: 1 passed, 0 failed")
PY
TWFOLLOW_LIB="$PWD/target/debug/libtwfollow.so" TWFOLLOW_SANDBOX="$PWD/target/debug/sandbox" \
  TW_FOLLOW_BIN="$PWD/build/tw-follow" TWFOLLOW_VALGRIND=1 \
  .venv/bin/python -m pytest -q 2>&1 | tee -a "$log"

echo "== distribution: glibc 2.17 tarball and manylinux wheel (scripts/dist.sh), pkg-config, CMake, man page, pip from a fresh clone"
tests/dist/test_dist.sh | tee -a "$log"

echo "== fuzzing (${FUZZ_SECONDS:-15} s per target; scripts/fuzz.sh 60 for the full run)"
scripts/fuzz.sh "${FUZZ_SECONDS:-15}" | tee -a "$log"

passed=$(grep -oE '([0-9]+) passed' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(grep -oE '([0-9]+) failed' "$log" | awk '{s+=$1} END {print s+0}')
rm -f "$log"
echo "all suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
