#!/usr/bin/env bash
# Benchmarks twfollow against its peers in one run and prints one table (figures
# and ratios; never fails on timing). Peers: raw HMAC-SHA1 (floor), liboauth
# (Debian liboauth-dev, when it installs), oauthlib, curl with keep-alive, and
# requests + requests-oauthlib; all against one fast loopback server.
#   scripts/bench.sh [N]     (follows per end-to-end figure, default 20000)
# Everything it runs lives in bench/: bench.rs (twfollow's own figures, the cargo
# [[bench]]), fastserver.rs (the loopback server, a cargo [[example]]), peers.py,
# liboauth_sign.c and report.py (the table).
# It installs what is missing: the tools and .venv of scripts/test.sh, then
# bench/requirements.txt into .venv, and liboauth-dev and curl from apt.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_tools
ensure_venv
n=${1:-20000}
.venv/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
if ! [ -f /usr/include/oauth.h ]; then
  $SUDO apt-get install -y -qq liboauth-dev >/dev/null 2>&1 || echo "liboauth-dev did not install: its figure is n/a" >&2
fi
command -v curl >/dev/null || { $SUDO apt-get install -y -qq curl >/dev/null; }

cargo build --release --quiet --lib --example fastserver
start_sandbox target/release/examples/fastserver   # any server that prints its URL first
url=$SANDBOX_URL
figures=$(mktemp)

cargo bench --quiet --bench bench -- "$url" "$n" 2>/dev/null | tee -a "$figures"

curl_config=$(mktemp)
for _ in $(seq "$n"); do printf 'url = "%s/1.1/friendships/create.json"\noutput = "/dev/null"\n' "$url"; done >"$curl_config"
started=$(date +%s%N)
curl -s -d 'user_id=2244994945&follow=false' -K "$curl_config"
elapsed_ns=$(($(date +%s%N) - started))
awk -v n="$n" -v ns="$elapsed_ns" 'BEGIN { printf "e2e.curl %.3f follows/s\n", n * 1e9 / ns }' | tee -a "$figures"
rm -f "$curl_config"

TWFOLLOW_LIB="$PWD/target/release/libtwfollow.so" PYTHONPATH=bindings/python \
  .venv/bin/python bench/peers.py "$url" "$((n / 4))" | tee -a "$figures"

if [ -f /usr/include/oauth.h ]; then
  cc -O2 -std=c99 bench/liboauth_sign.c -loauth -o build/liboauth_sign 2>/dev/null && build/liboauth_sign | tee -a "$figures"
fi

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr); N=$n"
echo
.venv/bin/python bench/report.py <"$figures"
rm -f "$figures"
