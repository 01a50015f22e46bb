#!/usr/bin/env bash
# The teardown tests (issue 16, item 1): the library called from an atexit handler
# and from a pthread_key_create destructor, after the thread's Rust storage is gone.
# Builds both against target/debug/libtwfollow.so with the strict C flags and runs
# them under valgrind (the same binary, with its memory checked). Each must exit 0
# (134 would be the abort).
#   tests/c/run_teardown.sh SANDBOX_URL
# Needs cc and valgrind (scripts/lib.sh's ensure_tools installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
url=${1:?usage: tests/c/run_teardown.sh SANDBOX_URL}
cargo build --quiet --lib
mkdir -p build
for test in teardown_atexit teardown_thread_key; do
  cc "${CFLAGS_STRICT[@]}" -pthread "tests/c/$test.c" -Ltarget/debug -ltwfollow \
    -Wl,-rpath,"$PWD/target/debug" -o "build/$test"
  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "build/$test" "$url" | sed 's/^c teardown/c teardown under valgrind/'
done
