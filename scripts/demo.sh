#!/usr/bin/env bash
# The main job: build the library, start the local sandbox API, follow a user
# through the C API and print the user JSON, then show one refusal.
#   scripts/demo.sh [TARGET]     (default @twitterdev)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_tools

echo "== building (release)"
cargo build --release --quiet --lib --example sandbox
mkdir -p build
cc "${CFLAGS_STRICT[@]}" examples/follow.c -Ltarget/release -ltwfollow \
  -Wl,-rpath,"$PWD/target/release" -o build/follow

start_sandbox target/release/examples/sandbox
sandbox_credentials
echo "== sandbox listening at $SANDBOX_URL"

target=${1:-@twitterdev}
echo "== following $target through the C API (examples/follow.c)"
build/follow "$target"

echo "== a refusal: pending_pat is protected and already has a pending request"
build/follow pending_pat || echo "(exit status $?, as expected)"
