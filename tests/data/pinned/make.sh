#!/usr/bin/env bash
# Makes the self-signed server certificates of tests/tls.rs (pinning a certificate given
# as the CA file). Run from anywhere; writes next to this script. Needs openssl (3.x).
# The committed files were made by this script; running it again makes new keys, which
# the tests accept just as well.
set -euo pipefail
cd "$(dirname "$0")"
names="subjectAltName=DNS:localhost,IP:127.0.0.1"

# The common one-liner, as users run it (OpenSSL 3 marks the result CA:TRUE), for 100 years.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -addext "$names" -days 36500 \
  -keyout localhost-ca.key.pem -out localhost-ca.cert.pem 2>/dev/null

# Another one like it: a different self-signed certificate (its key is not kept).
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -addext "$names" -days 36500 \
  -keyout /dev/null -out other-localhost-ca.cert.pem 2>/dev/null

# Like the first, for example.com only: a name mismatch at 127.0.0.1 and localhost.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=example.com -addext subjectAltName=DNS:example.com \
  -days 36500 -keyout example-ca.key.pem -out example-ca.cert.pem 2>/dev/null

# Like the first, with fixed validity dates: long expired, and not valid for a century.
# `openssl req -x509` cannot set past dates; `openssl ca -selfsign` can.
self_signed_between() { # START END NAME
  local work
  work=$(mktemp -d)
  touch "$work/index.txt"
  cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = this
[this]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any
copy_extensions = copy
[any]
commonName = supplied
CNF
  echo 01 >"$work/serial"
  openssl req -new -newkey rsa:2048 -nodes -subj /CN=localhost -addext "$names" \
    -addext basicConstraints=critical,CA:TRUE -keyout "$3.key.pem" -out "$work/request.pem" 2>/dev/null
  openssl ca -batch -notext -selfsign -config "$work/ca.cnf" -keyfile "$3.key.pem" \
    -startdate "$1" -enddate "$2" -in "$work/request.pem" -out "$3.cert.pem" 2>/dev/null
  rm -r "$work"
}
self_signed_between 20200101000000Z 20210101000000Z expired-localhost-ca
self_signed_between 21200101000000Z 21210101000000Z future-localhost-ca

for cert in *.cert.pem; do
  echo "$cert: $(openssl x509 -in "$cert" -noout -subject -enddate -ext basicConstraints | tr '\n' ' ')"
done
