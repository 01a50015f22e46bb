# Shared by the scripts and the test drivers. Source it; do not run it.

# apt_install PACKAGE...: installs with apt (through sudo when not root), and says so.
apt_install() {
  local sudo=sudo
  [ "$(id -u)" != 0 ] || sudo=""
  echo "installing: $* (apt)" >&2
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "$@" >/dev/null
}

# install_missing PACKAGE[:COMMAND]...: apt_install the packages whose command (by default the
# package's own name) is not on PATH.
install_missing() {
  local package missing=()
  for package in "$@"; do command -v "${package#*:}" >/dev/null || missing+=("${package%%:*}"); done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# Installs what a fresh Debian machine lacks for the build and the tests. The Redis store's tests
# start their own redis-server (tests/store_redis.rs, test_store_redis.py), look at its keys with
# redis-cli and mint the CA and certificate of a TLS one with openssl (tests/support/redis_server.rs).
ensure_tools() {
  install_missing gcc:cc g++:c++ python3 pkg-config valgrind redis-server redis-tools:redis-cli openssl
  python3 -c "import venv, ensurepip" 2>/dev/null || apt_install python3-venv
  command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)" >&2; exit 1; }
}

# ensure_venv [VENV REQUIREMENTS]: VENV (default .venv) with the pinned packages of REQUIREMENTS
# (default tests/requirements.txt), made again whenever that file changes.
ensure_venv() {
  local venv=${1:-.venv} requirements=${2:-tests/requirements.txt}
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$venv/requirements.stamp"; then
    echo "installing into $venv: $(sed '/^#/d' "$requirements" | paste -sd ' ' -)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.stamp"
  fi
}

# on_exit COMMAND: runs COMMAND (shell text) when the script exits, after those given before.
on_exit() {
  exit_commands="${exit_commands:-}$1; "
  # shellcheck disable=SC2064 # expanded now, on purpose
  trap "$exit_commands" EXIT
}

# start_sandbox BINARY [ARGS...]: runs the sandbox in the background, sets
# SANDBOX_URL from its first line and SANDBOX_PID, and stops it when the script exits.
start_sandbox() {
  local log
  log=$(mktemp)
  "$@" >"$log" 2>"${SANDBOX_LOG:-/dev/null}" &
  SANDBOX_PID=$!
  on_exit "kill $SANDBOX_PID 2>/dev/null || true"
  for _ in $(seq 100); do [ -s "$log" ] && break; sleep 0.05; done
  SANDBOX_URL=$(head -n 1 "$log")
  rm -f "$log"
  [ -n "$SANDBOX_URL" ] || { echo "the sandbox did not start" >&2; exit 1; }
}

# The sandbox's built-in account 1 (see sandbox/src/lib.rs).
sandbox_credentials() {
  export TW_CONSUMER_KEY=sandbox-consumer-key TW_CONSUMER_SECRET=sandbox-consumer-secret
  export TW_ACCESS_TOKEN=1500000001-sandboxAccessToken1 TW_ACCESS_TOKEN_SECRET=sandbox-token-secret-1
  export TW_API_BASE="$SANDBOX_URL"
}

CFLAGS_STRICT=(-std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude)
. scripts/packaging.sh # TW_FOLLOW_SOURCES

# build_release: the library and the sandbox in release, and build/tw-follow-release linked to
# that library (scripts/demo.sh, scripts/bench.sh).
build_release() {
  cargo build --release --quiet --workspace --lib --bins
  mkdir -p build
  cc "${CFLAGS_STRICT[@]}" -O2 "${TW_FOLLOW_SOURCES[@]}" -Ltarget/release -ltwfollow \
    -Wl,-rpath,"$PWD/target/release" -o build/tw-follow-release
}

# native_static_libs CARGO_RUSTC_COMMAND... [-- RUSTC_ARGS...]: runs the command (a `cargo rustc`
# that builds the static library) and prints the system libraries that library needs, as rustc
# names them while it links it; on failure, cargo's output.
native_static_libs() {
  local output libs
  output=$("$@" --print native-static-libs 2>&1) || { printf '%s\n' "$output" >&2; return 1; }
  libs=$(sed -n 's/.*native-static-libs: //p' <<<"$output" | tail -n 1)
  [ -n "$libs" ] || { echo "rustc did not name the static library's native libraries" >&2; return 1; }
  echo "$libs"
}
