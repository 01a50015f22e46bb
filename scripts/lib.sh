# Shared by scripts/demo.sh and scripts/test.sh. Source it; do not run it.

# Installs what a fresh Debian machine lacks for the build and the tests.
ensure_tools() {
  local missing=()
  command -v cc >/dev/null || missing+=(gcc)
  command -v c++ >/dev/null || missing+=(g++)
  command -v python3 >/dev/null || missing+=(python3)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  command -v valgrind >/dev/null || missing+=(valgrind)
  python3 -c "import venv, ensurepip" 2>/dev/null || missing+=(python3-venv)
  # The Redis store's tests start their own redis-server (tests/store_redis.rs, test_store_redis.py).
  command -v redis-server >/dev/null || missing+=(redis-server)
  # ... and mint the CA and certificate of a TLS one (tests/support/redis_server.rs).
  command -v openssl >/dev/null || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)" >&2; exit 1; }
}

# Creates .venv with the pinned test packages, once per change of tests/requirements.txt.
ensure_venv() {
  if [ ! -x .venv/bin/python ] || ! cmp -s tests/requirements.txt .venv/requirements.stamp; then
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r tests/requirements.txt
    cp tests/requirements.txt .venv/requirements.stamp
  fi
}

# start_sandbox BINARY [ARGS...]: runs the sandbox in the background, sets
# SANDBOX_URL from its first line and SANDBOX_PID, and stops it when the script exits.
start_sandbox() {
  local log
  log=$(mktemp)
  "$@" >"$log" 2>"${SANDBOX_LOG:-/dev/null}" &
  SANDBOX_PID=$!
  trap 'kill $SANDBOX_PID 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    SANDBOX_URL=$(head -n 1 "$log")
    [ -n "$SANDBOX_URL" ] && break
    sleep 0.05
  done
  rm -f "$log"
  [ -n "$SANDBOX_URL" ] || { echo "the sandbox did not start" >&2; exit 1; }
}

# The sandbox's built-in account 1 (see sandbox/src/lib.rs).
sandbox_credentials() {
  export TW_CONSUMER_KEY=sandbox-consumer-key
  export TW_CONSUMER_SECRET=sandbox-consumer-secret
  export TW_ACCESS_TOKEN=1500000001-sandboxAccessToken1
  export TW_ACCESS_TOKEN_SECRET=sandbox-token-secret-1
  export TW_API_BASE="$SANDBOX_URL"
}

CFLAGS_STRICT=(-std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude)
. scripts/packaging.sh # TW_FOLLOW_SOURCES

# The system libraries the static library needs, as rustc reports them.
# Extra arguments (e.g. --release) go to cargo.
native_static_libs() {
  cargo rustc --quiet "$@" --lib --crate-type staticlib -- --print native-static-libs 2>&1 |
    sed -n 's/.*native-static-libs: //p' | tail -n 1
}
