#!/usr/bin/env bash
# Benchmarks twfollow against a do-nothing HTTP client and its peers in one run,
# against one nginx on loopback, and prints one table of same-run ratios (never
# fails on timing: a shared machine is noisy, only ratios mean anything).
#   scripts/bench.sh [N]     (follows per end-to-end figure, default 10000; about 2 min)
# Peers: wrk -t1 -c1 (the transport floor: POST of the same body, keep-alive), curl
# with keep-alive (HTTP and HTTPS), curl's cold HTTPS request (hyperfine), raw
# HMAC-SHA1 (the signing floor), liboauth, oauthlib, requests + requests-oauthlib.
# nginx answers every POST with the recorded follow response (`return 200`), over
# HTTP and over HTTPS with a private CA made by openssl for this run.
# Everything it runs lives in bench/: bench.rs (twfollow's own figures, the cargo
# [[bench]]), peers.py, post.lua (wrk's POST), liboauth_sign.c and report.py (the table).
# It installs what is missing: the tools and .venv of scripts/test.sh, then
# bench/requirements.txt into .venv, and nginx-light, wrk, hyperfine, curl, openssl
# and liboauth-dev from apt.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_tools
ensure_venv
n=${1:-10000}
.venv/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt
export PATH="$PATH:/usr/sbin" # nginx, for a user who is not root
install_missing nginx-light:nginx wrk hyperfine curl openssl
[ -f /usr/include/oauth.h ] || apt_install liboauth-dev || echo "liboauth-dev did not install: its figure is n/a" >&2

build_release

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

# Free loopback ports for the two listeners.
read -r http_port https_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
# nginx's quoted strings take \\ and \' as escapes; the fixture holds no "$".
answer=$(python3 -c '
import sys
text = open("sandbox/data/friendships_create_200.json").read().strip()
assert "$" not in text
print(text.replace("\\", "\\\\").replace("\x27", "\\\x27"))')
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log error;
events { worker_connections 256; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  ssl_session_cache off;
  server {
    listen 127.0.0.1:$http_port;
    listen 127.0.0.1:$https_port ssl;
    ssl_certificate $work/server.pem;
    ssl_certificate_key $work/server.key;
    location / {
      default_type "application/json;charset=utf-8";
      return 200 '$answer';
    }
  }
}
EOF
nginx -p "$work" -c "$work/nginx.conf" &
on_exit "kill $! 2>/dev/null || true"
http_url="http://127.0.0.1:$http_port"
https_url="https://127.0.0.1:$https_port"
path=/1.1/friendships/create.json
body='user_id=2244994945&follow=false'
for _ in $(seq 100); do curl -sf -o /dev/null -d "$body" "$http_url$path" && break; sleep 0.05; done
figures=$(mktemp)
median() { sort -g | sed -n 2p; }   # of three lines

# The floor: wrk, one thread, one connection, the same POST body.
for _ in 1 2 3; do
  wrk -t1 -c1 -d3s -s bench/post.lua "$http_url$path" | awk '/Requests\/sec/ { print $2 }'
done | median | awk '{ print "e2e.wrk_floor", $1, "follows/s" }' | tee -a "$figures"

# The targets' ratios: three rounds of wrk, the C API and the Python package one after
# the other, so that each round's figures see the same load; report.py takes each
# round's ratios and prints their median.
bench_bin=$(cargo bench --no-run --bench bench 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p')
for round in 1 2 3; do
  wrk -t1 -c1 -d2s -s bench/post.lua "$http_url$path" | awk '/Requests\/sec/ { print "round.wrk", $2, "follows/s" }'
  TWFOLLOW_BENCH_FOLLOWS_ONLY=1 "$bench_bin" "$http_url" x x "$n"
  TWFOLLOW_LIB="$PWD/target/release/libtwfollow.so" PYTHONPATH=bindings/python \
    .venv/bin/python bench/peers.py "$http_url" "$n" --round
done | tee -a "$figures"

cargo bench --quiet --bench bench -- "$http_url" "$https_url" "$work/ca.pem" "$n" 2>/dev/null | tee -a "$figures"

# curl with keep-alive: one process, N URLs from a config file (unsigned).
curl_rate() { # NAME URL [curl options]
  local name=$1 url=$2 config started elapsed
  shift 2
  config=$(mktemp)
  for _ in $(seq "$n"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url$path"; done >"$config"
  for _ in 1 2 3; do
    started=$(date +%s%N)
    curl -s "$@" -d "$body" -K "$config"
    elapsed=$(($(date +%s%N) - started))
    awk -v n="$n" -v ns="$elapsed" 'BEGIN { printf "%.3f\n", n * 1e9 / ns }'
  done | median | awk -v name="$name" '{ print name, $1, "follows/s" }' | tee -a "$figures"
  rm -f "$config"
}
curl_rate e2e.curl "$http_url"
curl_rate tls.curl "$https_url" --cacert "$work/ca.pem"

# A cold HTTPS follow, process start to answer: tw-follow (C, the release library) vs curl.
export TW_CONSUMER_KEY=bench-key TW_CONSUMER_SECRET=bench-secret \
  TW_ACCESS_TOKEN=1-bench-token TW_ACCESS_TOKEN_SECRET=bench-token-secret
build/tw-follow-release --base-url "$https_url" --ca-file "$work/ca.pem" 2244994945 >/dev/null
hyperfine -N -w 5 -r 40 --export-json "$work/cold.json" \
  "build/tw-follow-release --base-url $https_url --ca-file $work/ca.pem 2244994945" \
  "curl -s -o /dev/null --cacert $work/ca.pem -d $body $https_url$path" >/dev/null
python3 -c '
import json, sys
for name, r in zip(["cold.tw_follow_https", "cold.curl_https"], json.load(open(sys.argv[1]))["results"]):
    print(name, "%.3f" % (r["median"] * 1e6), "us")' "$work/cold.json" | tee -a "$figures"

TWFOLLOW_LIB="$PWD/target/release/libtwfollow.so" PYTHONPATH=bindings/python \
  .venv/bin/python bench/peers.py "$http_url" "$n" | tee -a "$figures"

if [ -f /usr/include/oauth.h ]; then
  cc -O2 -std=c99 bench/liboauth_sign.c -loauth -o build/liboauth_sign 2>/dev/null && build/liboauth_sign | tee -a "$figures"
fi

so=target/release/libtwfollow.so
echo "library.size_bytes $(stat -c %s $so) bytes" | tee -a "$figures"
echo "library.stripped_bytes $(strip -o "$work/stripped.so" $so && stat -c %s "$work/stripped.so") bytes" | tee -a "$figures"

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr);" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC'); N=$n"
echo
.venv/bin/python bench/report.py <"$figures"
rm -f "$figures"
