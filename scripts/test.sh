#!/usr/bin/env bash
# Runs every test (what CI runs, through .ci/run), or only the stages named:
#   scripts/test.sh [STAGE...]     stages: fmt rust c install python snippets dist fuzz
#   fmt       cargo fmt --check, cargo clippy -D warnings; mypy --strict and ruff on the
#             Python package (pinned in tests/requirements.txt)
#   rust      cargo nextest run (cargo test when cargo-nextest is missing): unit tests (signer
#             vectors, targets, error mapping), integration tests through the C ABI against the
#             sandbox, the header-drift check, the fuzz corpus replay (tests/fuzz_corpus.rs);
#             freed memory also in release, where a stale copy of the HMAC midstates once showed
#             up that the debug build did not show (in install's target directory, which it
#             fills with the release dependencies install.sh reuses)
#   c         the header compiled alone as C99 and as C++11, strict warnings; C tests (C99,
#             -Wall -Wextra -Wpedantic -Werror): under valgrind, under ASan+UBSan+LSan (with a
#             canary proving the sanitizer is linked); the C++ wrapper's test; calls at host
#             shutdown (atexit, thread-key destructor) under valgrind
#   install   install into a temporary prefix; build with pkg-config only, shared and static
#             (the static library's one run of the C tests)
#   python    pytest: the Python package (installed with pip, tw-follow inside), the C tool
#             tw-follow built with ASan+UBSan (a smoke set of its runs under valgrind), and
#             oauthlib verifying the library's signatures independently
#   snippets  every code block of README.md and docs/*.md compiled or run against the
#             sandbox (tests/snippets), and the runner's own tests
#   dist      scripts/dist.sh: the glibc 2.17 tarball (symbols checked, pkg-config and CMake
#             builds from the unpacked prefix, man pages) and the manylinux wheel (auditwheel),
#             pip install from a fresh clone; the .deb packages (lintian, installed into /usr,
#             used, removed) and the .rpm packages (rpm -qlp, --requires) (tests/dist/test_dist.sh)
#   fuzz      cargo-fuzz: each target over the committed corpus and FUZZ_RUNS runs
#             (default 20000) from a fixed seed: deterministic (scripts/fuzz.sh explores)
# A stage that needs the built libraries, tw-follow or the sandbox builds or starts them. With
# any of c, install, python or snippets in the run, the dist and fuzz stages' builds start in the
# background when the first of those does (see background_builds), and those stages wait for them.
#
# What it installs when missing (and says so when it does):
#   - with apt (sudo when not root): gcc, g++, python3, pkg-config, valgrind, python3-venv,
#     redis-server (the Redis store's tests start their own, on a loopback port), redis-tools
#     (its redis-cli: the tests look at the server's keys with it), openssl
#     (mints the certificates of a TLS redis-server)
#   - .venv in the checkout, with the pinned packages of tests/requirements.txt
#   - install and dist stages: cmake and man-db (apt); dist also groff-base, git, lintian, rpm, cpio and dpkg-dev
#     (apt), ziglang, cargo-zigbuild and auditwheel (pip, into target/dist/venv; see scripts/dist.sh)
#   - fuzz stage: cargo-fuzz, by `cargo install --locked cargo-fuzz`, into your cargo
#     bin directory (${CARGO_HOME:-~/.cargo}/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# dist after python: the fresh clone's pip install reuses the dependencies the python stage's compiled.
all_stages=(fmt rust c install python snippets dist fuzz)
usage="usage: scripts/test.sh [STAGE...]   (no stage: all of them, in this order)
stages: ${all_stages[*]}"
for stage in "$@"; do
  case " ${all_stages[*]} " in *" $stage "*) continue ;; esac
  case $stage in -h | --help) echo "$usage" && exit 0 ;; esac
  printf "scripts/test.sh: unknown stage '%s'\n%s\n" "$stage" "$usage" >&2
  exit 64
done
[ $# -gt 0 ] || set -- "${all_stages[@]}"
stages=("$@")
running() { [[ " ${stages[*]} " == *" $1 "* ]]; } # running STAGE: STAGE is in this run

echo "scripts/test.sh: stages: ${stages[*]}"
echo "scripts/test.sh: installs what is missing: gcc g++ python3 pkg-config valgrind python3-venv redis-server redis-tools openssl (apt); .venv (tests/requirements.txt)$(
  running fuzz && echo "; cargo-fuzz (cargo install, into ${CARGO_HOME:-~/.cargo}/bin)")"
ensure_tools
ensure_venv
log=$(mktemp)
debug_lib=(-Ltarget/debug -ltwfollow -Wl,-rpath,"$PWD/target/debug")
sanitize=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)

# once STEP: runs the function STEP the first time a stage needs what it makes, and never again.
declare -A done_steps
once() {
  [ -z "${done_steps[$1]:-}" ] || return 0
  "$1"
  done_steps[$1]=1
}

build_native() {
  echo "-- building the library, the sandbox and tw-follow (debug)"
  # cargo test builds neither the .so, the .a nor the sandbox binary.
  cargo build --quiet --workspace --lib --bins
  mkdir -p build
  cc "${CFLAGS_STRICT[@]}" "${TW_FOLLOW_SOURCES[@]}" "${debug_lib[@]}" -o build/tw-follow
}

sandbox() {
  once build_native
  start_sandbox target/debug/sandbox
}

python_package() {
  once build_native
  # The build backend (setuptools-rust) compiles the library; the debug profile reuses
  # what `cargo build` left in target/.
  SETUPTOOLS_RUST_CARGO_PROFILE=dev .venv/bin/pip install -q --no-build-isolation \
    --disable-pip-version-check --force-reinstall --no-deps ./bindings/python
}

# The two slowest builds run in the background from the first stage after rust on, at the lowest
# priority: the stages between mostly keep one core busy (valgrind, pytest, cc), and they take
# the other. The dist stage's is scripts/dist.sh (the glibc 2.17 build, the wheel, the tarball
# and the packages), the fuzz stage's the whole gate (its build and its runs: the same verdict
# whenever they run). Each stage then waits for its own and tests what it made.
declare -A background_pid background_start
background_builds() {
  running c || running install || running python || running snippets || return 0
  if running dist; then
    once python_package # its pip install builds in bindings/python/build, which dist.sh empties
    install_missing rpm:rpmbuild dpkg-dev:dpkg-shlibdeps # apt now, not beside another stage's
    background dist scripts/dist.sh
  fi
  ! running fuzz || background fuzz scripts/fuzz.sh --runs "${FUZZ_RUNS:-20000}"
}
# background NAME COMMAND...: at the lowest priority, in a process group of its own (setsid),
# stopped whole if this run ends first; its output in build/NAME.log.
background() {
  mkdir -p build
  setsid nice -n 19 "${@:2}" </dev/null >"build/$1.log" 2>&1 &
  background_pid[$1]=$!
  background_start[$1]=$EPOCHSECONDS
  on_exit "kill -- -$! 2>/dev/null || true"
}
# waited NAME: true once NAME's background run ended well (its output in build/NAME.log), false
# if none was started; if it failed, shows its output and ends the run.
waited() {
  [ -n "${background_pid[$1]:-}" ] || return 1
  wait "${background_pid[$1]}" || { cat "build/$1.log" >&2; exit 1; }
  echo "-- $1 ran in the background for $(($(stat -c %Y "build/$1.log") - background_start[$1])) s"
}

stage_fmt() {
  echo "== rustfmt, clippy"
  cargo fmt --all --check
  cargo clippy --quiet --workspace --all-targets -- -D warnings
  echo "== mypy --strict, ruff check and ruff format (bindings/python/twfollow)"
  (cd bindings/python && ../../.venv/bin/mypy && ../../.venv/bin/ruff check --quiet twfollow &&
    ../../.venv/bin/ruff format --check --quiet twfollow)
}

stage_rust() {
  # cargo-nextest runs the test binaries side by side (cargo test runs one at a time), each test
  # in a process of its own; .config/nextest.toml starts the slowest first.
  if command -v cargo-nextest >/dev/null; then
    echo "== cargo nextest run"
    cargo nextest run --workspace --no-fail-fast 2>&1 | tee -a "$log"
  else
    echo "== cargo test (cargo-nextest is not installed: the binaries run one at a time)"
    cargo test --workspace 2>&1 | tee -a "$log"
  fi
  # Optimised code moves key state around differently (a stale copy of the HMAC midstates in the
  # config block showed up only here): check freed memory in release too. In install's target
  # directory, whose release dependencies it builds (or reuses) for scripts/install.sh.
  echo "== freed memory in release"
  # Each test in a process of its own, as nextest runs them: the scan sees every free of the
  # process, and a block another test's thread frees late must not land in this one's window.
  local release=(env CARGO_TARGET_DIR="$PWD/target/install" cargo test --release --test freed_memory)
  "${release[@]}" --no-run 2>&1 | tee -a "$log"
  local names
  names=$("${release[@]}" -- --list --format terse 2>/dev/null | sed -n 's/: test$//p')
  [ -n "$names" ] || { echo "freed_memory lists no test" >&2; exit 1; }
  for name in $names; do
    "${release[@]}" -- --exact "$name" 2>&1 | tee -a "$log"
  done
}

stage_c() {
  echo "== C and C++"
  once sandbox
  cc "${CFLAGS_STRICT[@]}" -c tests/c/header_alone.c -o build/header_alone.o
  c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -c tests/c/header_alone.cpp -o build/header_alone_cpp.o
  echo "header compiles alone as C99 and C++11"
  # Each run proves what the others cannot: valgrind checks the library's own (uninstrumented)
  # code for bad reads, writes and leaks; ASan+UBSan checks the C side, and its LeakSanitizer
  # the leaks again. The static library is linked and run by the install stage (pkg-config).
  cc "${CFLAGS_STRICT[@]}" tests/c/test_follow.c "${debug_lib[@]}" -o build/test_follow
  c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -Ibindings/c bindings/c/tests/test_client.cpp \
    "${debug_lib[@]}" -o build/test_client_cpp
  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    build/test_follow "$SANDBOX_URL" | sed 's/^c:/c under valgrind:/' | tee -a "$log"
  build/test_client_cpp "$SANDBOX_URL" | tee -a "$log"
  # Calls from an atexit handler and a thread-key destructor (host shutdown), under valgrind.
  tests/c/run_teardown.sh "$SANDBOX_URL" | tee -a "$log"
  # A program's own tw_follow_ex does not catch the library's tw_follow.
  cc "${CFLAGS_STRICT[@]}" tests/c/own_tw_follow_ex.c "${debug_lib[@]}" -o build/own_tw_follow_ex
  build/own_tw_follow_ex | tee -a "$log"

  echo "== C tests under AddressSanitizer + UndefinedBehaviorSanitizer (and LeakSanitizer)"
  cc "${CFLAGS_STRICT[@]}" "${sanitize[@]}" tests/c/sanitizer_canary.c -o build/sanitizer_canary
  if build/sanitizer_canary 2>build/sanitizer_canary.err || ! grep -q "AddressSanitizer: heap-buffer-overflow" build/sanitizer_canary.err; then
    echo "the sanitizer is not active: its canary overflow went unreported" >&2
    exit 1
  fi
  echo "sanitizer canary: overflow reported, so ASan is linked"
  cc "${CFLAGS_STRICT[@]}" "${sanitize[@]}" tests/c/test_follow.c "${debug_lib[@]}" -o build/test_follow_sanitized
  ASAN_OPTIONS=detect_leaks=1 build/test_follow_sanitized "$SANDBOX_URL" | sed 's/^c:/c under ASan+UBSan:/' | tee -a "$log"
}

stage_install() {
  echo "== install (pkg-config, shared and static)"
  once sandbox
  tests/install/test_install.sh "$SANDBOX_URL" | tee -a "$log"
}

stage_python() {
  echo "== Python package, C tool (ASan+UBSan; a smoke set under valgrind), oauthlib"
  once sandbox
  # Every test runs this build; a smoke set (test_under_valgrind.py) runs the plain one under valgrind.
  cc "${CFLAGS_STRICT[@]}" "${sanitize[@]}" "${TW_FOLLOW_SOURCES[@]}" "${debug_lib[@]}" -o build/tw-follow-sanitized
  once python_package
  # The package following with the library it ships, as a new user does: README.md's example,
  # which the snippets stage runs.
  TWFOLLOW_LIB="$PWD/target/debug/libtwfollow.so" TWFOLLOW_SANDBOX="$PWD/target/debug/sandbox" \
    TW_FOLLOW_BIN="$PWD/build/tw-follow-sanitized" TWFOLLOW_VALGRIND=1 TW_FOLLOW_VALGRIND_BIN="$PWD/build/tw-follow" \
    .venv/bin/python -m pytest -q 2>&1 | tee -a "$log"
}

stage_snippets() {
  echo "== code blocks of README.md and docs/ (compiled or run against the sandbox)"
  once build_native
  once python_package
  .venv/bin/python tests/snippets/run_snippets.py | tee -a "$log"
  .venv/bin/python -m pytest -q tests/snippets 2>&1 | tee -a "$log"
}

stage_dist() {
  echo "== distribution: glibc 2.17 tarball and manylinux wheel (scripts/dist.sh), pkg-config, CMake, man page, pip from a fresh clone"
  local built=()
  ! waited dist || built=(--built) # else test_dist.sh runs scripts/dist.sh itself
  tests/dist/test_dist.sh "${built[@]}" | tee -a "$log"
}

stage_fuzz() {
  echo "== fuzzing (the corpus and ${FUZZ_RUNS:-20000} seeded runs per target; scripts/fuzz.sh 60 explores)"
  if waited fuzz; then
    tee -a "$log" <build/fuzz.log
  else
    scripts/fuzz.sh --runs "${FUZZ_RUNS:-20000}" | tee -a "$log"
  fi
}

# Each stage's wall time, on its own line as it ends and all together at the end.
times=()
for stage in "${stages[@]}"; do
  case $stage in fmt | rust) ;; *) once background_builds ;; esac
  started=$SECONDS
  "stage_$stage"
  times+=("$stage $((SECONDS - started))s")
  echo "-- stage $stage: $((SECONDS - started)) s"
done
printf -v joined '%s, ' "${times[@]}"
echo "stage times: ${joined%, } (total ${SECONDS} s)"

# `|| true`: a stage without counts (fmt alone) is not a failure of grep's.
counts=$({ grep -oE '[0-9]+ (passed|failed)' "$log" || true; } |
  awk '{n[$2] += $1} END {printf "%d passed, %d failed", n["passed"], n["failed"]}')
rm -f "$log"
scope="stages ${stages[*]}"
[ "${stages[*]}" != "${all_stages[*]}" ] || scope="all suites"
echo "$scope: $counts"
[[ $counts == *" 0 failed" ]]
