#!/usr/bin/env bash
# Installs into a temporary prefix, then builds C and C++ programs against it
# using only pkg-config, dynamically and statically, and runs them against the sandbox.
# Usage: tests/install/test_install.sh SANDBOX_BASE_URL
set -euo pipefail
cd "$(dirname "$0")/../.."
sandbox_url=$1
prefix=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$prefix" "$work"' EXIT
passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1" >&2; fi
}

scripts/install.sh "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=(-std=c99 -Wall -Wextra -Wpedantic -Werror)

# shellcheck disable=SC2046 # pkg-config output is meant to be split
cc "${flags[@]}" tests/c/test_follow.c $(pkg-config --cflags --libs twfollow) -o "$work/dynamic"
# shellcheck disable=SC2046
cc "${flags[@]}" tests/c/test_follow.c $(pkg-config --cflags --libs twfollow-static) -o "$work/static"
# shellcheck disable=SC2046
c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror bindings/c/tests/test_client.cpp \
  $(pkg-config --cflags --libs twfollow) -o "$work/cpp"

check "the shared library has SONAME libtwfollow.so.0" \
  grep -q "Library soname: \[libtwfollow.so.0\]" <(readelf -d "$prefix/lib/libtwfollow.so.0.1.0")
check "the dynamic program needs libtwfollow.so.0" \
  grep -q "Shared library: \[libtwfollow.so.0\]" <(readelf -d "$work/dynamic")
check "the static program needs no libtwfollow" \
  bash -c "! readelf -d '$work/static' | grep -q libtwfollow"
check "dynamic build follows" env LD_LIBRARY_PATH="$prefix/lib" "$work/dynamic" "$sandbox_url"
check "static build follows" "$work/static" "$sandbox_url"
check "C++ build follows" env LD_LIBRARY_PATH="$prefix/lib" "$work/cpp" "$sandbox_url"
check "installed tw-follow runs from its prefix (RUNPATH \$ORIGIN/../lib)" \
  env TW_CONSUMER_KEY=sandbox-consumer-key TW_CONSUMER_SECRET=sandbox-consumer-secret \
  TW_ACCESS_TOKEN=1500000001-sandboxAccessToken1 TW_ACCESS_TOKEN_SECRET=sandbox-token-secret-1 \
  "$prefix/bin/tw-follow" --quiet --base-url "$sandbox_url" @twitterdev
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
