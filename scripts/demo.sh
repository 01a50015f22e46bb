#!/usr/bin/env bash
# The main job: build the library, start the local sandbox API, follow a user
# through the C tool tw-follow and through the Python package, once more through
# API v2, show one refusal of the target and one of pay-per-use, then get tokens both
# ways (the OAuth 1.0a PIN flow with tw-follow authorize, which saves the account in a
# token store, then a follow from it; OAuth 2.0 with PKCE with tw-follow authorize --oauth2,
# which listens on the loopback redirect URI, saved to the same store, then a follow from it;
# scripts/play_user.py plays the person at the browser), stop the sandbox. The
# store is a temporary one (TWFOLLOW_STORE): the demo never touches ~/.config/twfollow.
#   scripts/demo.sh [TARGET]     (default @twitterdev)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_tools
# step TITLE: the demo's next step, after a blank line.
step() { printf '\n== %s\n' "$1"; }

echo "== building (release)"
build_release
# The Python package from the checkout, with the library just built.
export TWFOLLOW_LIB="$PWD/target/release/libtwfollow.so" PYTHONPATH=bindings/python

start_sandbox target/release/sandbox
sandbox_credentials
echo "== sandbox listening at $SANDBOX_URL (credentials in TW_* variables)"

target=${1:-@twitterdev}
step "C: build/tw-follow-release $target"
build/tw-follow-release "$target"

step "Python: twfollow.Client.from_env().follow_json(\"$target\", notify=True)"
python3 - "$target" <<'PY'
import sys, twfollow
with twfollow.Client.from_env() as client:
    print(client.follow_json(sys.argv[1], notify=True))
PY

step "API v2 (a name is looked up, then followed by id): build/tw-follow-release --api-version 2 $target"
build/tw-follow-release --api-version 2 "$target"

step "a refusal: pending_pat is a protected account with a request already pending"
build/tw-follow-release pending_pat || echo "(tw-follow exited with $?: 1 means the API refused this follow)"

step "a pay-per-use refusal: the app's prepaid credits are spent (the sandbox's creditless app)"
TW_CONSUMER_KEY=sandbox-creditless-key TW_CONSUMER_SECRET=sandbox-creditless-secret build/tw-follow-release "$target" ||
  echo "(tw-follow exited with $?: 78 means X refused the app, not the target; the 402 was not sent again)"

# From here on only the app's keys are set: the accounts are saved in, and used from, a
# temporary token store.
store_dir=$(mktemp -d)
on_exit "rm -rf $store_dir"
export TWFOLLOW_STORE="$store_dir/twfollow/accounts.json" TW_OAUTH2_CLIENT_SECRET=sandbox-oauth2-client-secret
unset TW_ACCESS_TOKEN TW_ACCESS_TOKEN_SECRET
step "Getting tokens, OAuth 1.0a PIN flow: build/tw-follow-release authorize"
echo "   (scripts/play_user.py plays the person at the browser; the account is saved in the"
echo "   temporary token store TWFOLLOW_STORE=$TWFOLLOW_STORE)"
python3 scripts/play_user.py build/tw-follow-release authorize
build/tw-follow-release --quiet Twitter
echo "followed @Twitter as the store's default account: the user who typed the PIN"

step "Getting tokens, OAuth 2.0 with PKCE: build/tw-follow-release authorize --oauth2 --account listener"
echo "   (the redirect URI is on loopback: tw-follow listens there, and the browser, played by"
echo "   scripts/play_user.py, is sent back to it; nothing is pasted)"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 scripts/play_user.py build/tw-follow-release authorize --oauth2 --client-id sandbox-oauth2-client \
  --redirect-uri "http://127.0.0.1:$port/callback" --account listener
build/tw-follow-release --account listener --quiet Twitter
echo "followed @Twitter through API v2 with the OAuth 2.0 tokens the listener got"
build/tw-follow-release accounts
