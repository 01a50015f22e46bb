#!/usr/bin/env bash
# The main job: build the library, start the local sandbox API, follow a user
# through the C tool tw-follow and through the Python package, once more through
# API v2, show one refusal, stop the sandbox.
#   scripts/demo.sh [TARGET]     (default @twitterdev)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_tools

echo "== building (release)"
cargo build --release --quiet --workspace --lib --bins
mkdir -p build
cc "${CFLAGS_STRICT[@]}" bindings/c/tw-follow.c -Ltarget/release -ltwfollow \
  -Wl,-rpath,"$PWD/target/release" -o build/tw-follow-release

start_sandbox target/release/sandbox
sandbox_credentials
echo "== sandbox listening at $SANDBOX_URL (credentials in TW_* variables)"

target=${1:-@twitterdev}
echo
echo "== C: build/tw-follow-release $target"
build/tw-follow-release "$target"

echo
echo "== Python: python3 -m twfollow --notify $target"
TWFOLLOW_LIB="$PWD/target/release/libtwfollow.so" PYTHONPATH=bindings/python \
  python3 -m twfollow --notify "$target"

echo
echo "== API v2 (a name is looked up, then followed by id): build/tw-follow-release --api-version 2 $target"
build/tw-follow-release --api-version 2 "$target"

echo
echo "== a refusal: pending_pat is a protected account with a request already pending"
status=0
build/tw-follow-release pending_pat || status=$?
echo "(tw-follow exited with $status: 1 means the API refused this follow)"
