#!/usr/bin/env bash
# Installs into a temporary prefix, sets only what scripts/install.sh says to set, then builds
# C and C++ programs against it with pkg-config and with CMake's find_package, dynamically and
# statically, and runs them and the installed tw-follow against the sandbox; `man tw-follow`,
# `man 3 tw_follow` and `man 3 twfollow` find the pages, and every function has one. Installs cmake and man-db (apt) if missing.
# Usage: tests/install/test_install.sh SANDBOX_BASE_URL
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
repo=$PWD
sandbox_url=$1
prefix=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$prefix" "$work"' EXIT
passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1" >&2; fi
}
install_missing cmake man-db:man

scripts/install.sh "$prefix" >"$work/install.txt"
# A user's shell: nothing set but what install.sh printed.
unset PKG_CONFIG_PATH CMAKE_PREFIX_PATH LD_LIBRARY_PATH MANPATH
eval "$(sed -n 's/^  export /export /p' "$work/install.txt")"
for variable in PKG_CONFIG_PATH CMAKE_PREFIX_PATH LD_LIBRARY_PATH PATH MANPATH; do
  check "install.sh says to set $variable for a non-system prefix" \
    grep -q "^  export $variable=\"$prefix" "$work/install.txt"
done
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
check "dynamic build follows" "$work/dynamic" "$sandbox_url"
check "static build follows" "$work/static" "$sandbox_url"
check "C++ build follows" "$work/cpp" "$sandbox_url"
check "installed tw-follow runs from its prefix (RUNPATH \$ORIGIN/../lib)" \
  env -u LD_LIBRARY_PATH TW_CONSUMER_KEY=sandbox-consumer-key TW_CONSUMER_SECRET=sandbox-consumer-secret \
  TW_ACCESS_TOKEN=1500000001-sandboxAccessToken1 TW_ACCESS_TOKEN_SECRET=sandbox-token-secret-1 \
  "$prefix/bin/tw-follow" --quiet --base-url "$sandbox_url" @twitterdev
check "tw-follow is on the PATH" test "$(command -v tw-follow)" = "$prefix/bin/tw-follow"
# cron: PATH=/usr/bin:/bin and HOME only (docs/install.md, "At run time"; docs/tokens.md's recipe).
cron() { (cd / && env -i HOME="$HOME" PATH=/usr/bin:/bin "$@"); }
check "under cron's environment, tw-follow by its absolute path follows" \
  cron TW_API_BASE="$sandbox_url" TW_CONSUMER_KEY=sandbox-consumer-key TW_CONSUMER_SECRET=sandbox-consumer-secret \
  TW_ACCESS_TOKEN=1500000001-sandboxAccessToken1 TW_ACCESS_TOKEN_SECRET=sandbox-token-secret-1 \
  "$prefix/bin/tw-follow" --quiet @twitterdev
check "under cron's environment, tw-follow by name is not found (exit 127)" \
  bash -c "cd / && env -i PATH=/usr/bin:/bin sh -c 'tw-follow --version' >/dev/null 2>&1; test \$? -eq 127"
# shellcheck disable=SC2046 # pkg-config output is meant to be split
cc "${flags[@]}" tests/c/test_follow.c $(pkg-config --cflags --libs twfollow) \
  -Wl,-rpath,"$(pkg-config --variable=libdir twfollow)" -o "$work/dynamic-rpath"
check "under cron's environment, a program built without an rpath does not find the library" \
  bash -c "! (cd / && env -i PATH=/usr/bin:/bin '$work/dynamic' '$sandbox_url') >/dev/null 2>&1"
check "under cron's environment, a program built with docs/install.md's rpath follows" \
  cron "$work/dynamic-rpath" "$sandbox_url"
check "man tw-follow finds the installed page" test "$(man -w tw-follow)" = "$prefix/share/man/man1/tw-follow.1"
check "man 3 tw_follow and man 3 twfollow find the installed pages" \
  test "$(man -w 3 tw_follow twfollow | paste -sd ' ' -)" = "$prefix/share/man/man3/tw_follow.3 $prefix/share/man/man3/twfollow.3"
every_function_has_a_page() {  # the functions the installed header declares, each with its page
  local name count=0
  for name in $(sed -n 's/^[a-z].*[ *]\(tw_[a-z0-9_]*\)(.*/\1/p' "$prefix/include/twfollow.h"); do
    [ -f "$prefix/share/man/man3/$name.3" ] || { echo "no man page for $name" >&2; return 1; }
    count=$((count + 1))
  done
  [ "$count" -gt 30 ]
}
check "every function of the installed header has its man 3 page" every_function_has_a_page
check "the licences are installed" test -s "$prefix/share/doc/twfollow/LICENSE-MIT" -a -s "$prefix/share/doc/twfollow/LICENSE-APACHE"

# CMake: find_package through CMAKE_PREFIX_PATH, shared, static and C++.
consumer="$repo/tests/install/cmake-consumer"
if cmake -S "$consumer" -B "$work/cmake" -DREPO="$repo" >"$work/cmake.log" 2>&1 &&
  cmake --build "$work/cmake" -j 2 >>"$work/cmake.log" 2>&1; then :; else cat "$work/cmake.log" >&2; fi
check "CMake, twfollow::twfollow: needs libtwfollow.so.0" \
  grep -q "Shared library: \[libtwfollow.so.0\]" <(readelf -d "$work/cmake/follow_shared")
check "CMake, twfollow::twfollow: follows" "$work/cmake/follow_shared" "$sandbox_url"
check "CMake, twfollow::twfollow_static: needs no libtwfollow" \
  bash -c "! readelf -d '$work/cmake/follow_static' | grep -q libtwfollow"
check "CMake, twfollow::twfollow_static: follows" "$work/cmake/follow_static" "$sandbox_url"
check "CMake, C++ wrapper: follows" "$work/cmake/client_cpp" "$sandbox_url"
check "CMake refuses the package for a wanted version 1.0 (same major version only)" \
  bash -c "! cmake -S '$consumer' -B '$work/cmake-1.0' -DREPO='$repo' -DTWFOLLOW_WANTED=1.0 >'$work/cmake-1.0.log' 2>&1 &&
    grep -q 'compatible with requested version \"1.0\"' '$work/cmake-1.0.log'"
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
