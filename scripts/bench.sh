#!/usr/bin/env bash
# Benchmarks twfollow against a do-nothing HTTP client and its peers in one run,
# against one nginx on loopback, and prints one table of same-run ratios (never
# fails on timing: a shared machine is noisy, only ratios mean anything).
#   scripts/bench.sh [N]     (follows per end-to-end figure, default 10000; about 2 min)
# Peers: wrk -t1 -c1 (the transport floor: POST of the same body, keep-alive), curl
# with keep-alive (HTTP and HTTPS), curl's cold HTTPS request (hyperfine), raw
# HMAC-SHA1 (the signing floor), requests + requests-oauthlib.
# nginx (bench/nginx.conf) answers every POST with the recorded follow response
# (`return 200`), over HTTP and over HTTPS with a private CA made by openssl for this run.
# Everything it runs lives in bench/: bench.rs (twfollow's own figures, the cargo
# [[bench]]), peers.py, post.lua (wrk's POST) and report.py (the table).
# It installs what is missing: the tools and .venv of scripts/test.sh, then
# bench/requirements.txt into .venv, and nginx-light, wrk, hyperfine, curl and openssl
# from apt.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_tools
ensure_venv
n=${1:-10000}
.venv/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt
export PATH="$PATH:/usr/sbin" # nginx, for a user who is not root
install_missing nginx-light:nginx wrk hyperfine curl openssl

build_release
export TWFOLLOW_LIB="$PWD/target/release/libtwfollow.so" PYTHONPATH=bindings/python

work=$(mktemp -d)
on_exit "rm -rf $work"

# A private CA and a server certificate for 127.0.0.1, made for this run only.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj "/CN=twfollow bench CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=127.0.0.1" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$work/ext.cnf"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 1 -extfile "$work/ext.cnf" -out "$work/server.pem" 2>/dev/null

# bench/nginx.conf's two includes: free loopback ports for its listeners, and the recorded
# follow response as nginx's quoted text (\\ and \' are its escapes; the fixture holds no "$").
read -r http_port https_port < <(python3 - "$work/answer.conf" <<'PY'
import socket, sys
text = open("sandbox/data/friendships_create_200.json").read().strip()
assert "$" not in text
open(sys.argv[1], "w").write("return 200 '%s';\n" % text.replace("\\", "\\\\").replace("'", "\\'"))
listeners = [socket.socket() for _ in range(2)]
for listener in listeners:
    listener.bind(("127.0.0.1", 0))
print(*(listener.getsockname()[1] for listener in listeners))
PY
)
printf 'listen 127.0.0.1:%s;\nlisten 127.0.0.1:%s ssl;\n' "$http_port" "$https_port" >"$work/listen.conf"
cp bench/nginx.conf "$work/"
nginx -p "$work" -c nginx.conf &
on_exit "kill $! 2>/dev/null || true"
http_url="http://127.0.0.1:$http_port"
https_url="https://127.0.0.1:$https_port"
path=/1.1/friendships/create.json
body='user_id=2244994945&follow=false'
for _ in $(seq 100); do curl -sf -o /dev/null -d "$body" "$http_url$path" && break; sleep 0.05; done
median() { sort -g | sed -n 2p; } # of three lines

# curl_rate NAME URL [CURL OPTION...]: N POSTs from one curl process (keep-alive, unsigned), the
# median rate of three runs.
curl_rate() {
  local name=$1 url=$2 started
  shift 2
  for _ in $(seq "$n"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url$path"; done >"$work/curl.config"
  for _ in 1 2 3; do
    started=$(date +%s%N)
    curl -s "$@" -d "$body" -K "$work/curl.config"
    echo "$((n * 1000000000 / ($(date +%s%N) - started)))"
  done | median | awk -v name="$name" '{ print name, $1, "follows/s" }'
}

# Every figure of the run as a `name value unit` line.
measure() {
  # The floor against the targets: three rounds of wrk (one thread, one connection, the same
  # POST body), the C API and the Python package one after the other, so that each round's
  # figures see the same load; report.py takes the median of each round's ratios.
  local bench_bin
  bench_bin=$(cargo bench --no-run --bench bench 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p')
  for _ in 1 2 3; do
    wrk -t1 -c1 -d2s -s bench/post.lua "$http_url$path" | awk '/Requests\/sec/ { print "round.wrk", $2, "follows/s" }'
    TWFOLLOW_BENCH_FOLLOWS_ONLY=1 "$bench_bin" "$http_url" x x "$n"
    .venv/bin/python bench/peers.py "$http_url" "$n" --round
  done
  "$bench_bin" "$http_url" "$https_url" "$work/ca.pem" "$n"
  curl_rate e2e.curl "$http_url"
  curl_rate tls.curl "$https_url" --cacert "$work/ca.pem"

  # A cold HTTPS follow, process start to answer: tw-follow (C, the release library) vs curl.
  TW_CONSUMER_KEY=bench-key TW_CONSUMER_SECRET=bench-secret TW_ACCESS_TOKEN=1-bench-token \
    TW_ACCESS_TOKEN_SECRET=bench-token-secret hyperfine -N -w 5 -r 40 --export-csv "$work/cold.csv" \
    "build/tw-follow-release --base-url $https_url --ca-file $work/ca.pem 2244994945" \
    "curl -s -o /dev/null --cacert $work/ca.pem -d $body $https_url$path" >/dev/null
  # Its columns: command, mean, stddev, median (seconds), ...
  awk -F, 'NR > 1 { printf "%s %.3f us\n", NR == 2 ? "cold.tw_follow_https" : "cold.curl_https", $4 * 1e6 }' \
    "$work/cold.csv"

  .venv/bin/python bench/peers.py "$http_url" "$n"
  # The release profile strips the library's symbols already (performance.md).
  echo "library.size_bytes $(stat -c %s target/release/libtwfollow.so) bytes"
}
measure | tee "$work/figures"

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr);" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC'); N=$n"
echo
.venv/bin/python bench/report.py <"$work/figures"
