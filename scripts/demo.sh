#!/usr/bin/env bash
# The main job: build the library, start the local sandbox API, follow a user
# through the C tool tw-follow and through the Python package, once more through
# API v2, show one refusal of the target and one of pay-per-use, then get tokens both
# ways (the OAuth 1.0a PIN flow with tw-follow authorize, which saves the account in a
# token store, then a follow from it; OAuth 2.0 with PKCE with tw-follow authorize --oauth2,
# which listens on the loopback redirect URI, and from Python, saved to the same store;
# scripts/play_user.py plays the person at the browser), stop the sandbox. The
# store is a temporary one (TWFOLLOW_STORE): the demo never touches ~/.config/twfollow.
#   scripts/demo.sh [TARGET]     (default @twitterdev)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_tools

echo "== building (release)"
build_release
# The Python package from the checkout, with the library just built.
export TWFOLLOW_LIB="$PWD/target/release/libtwfollow.so" PYTHONPATH=bindings/python

start_sandbox target/release/sandbox
sandbox_credentials
echo "== sandbox listening at $SANDBOX_URL (credentials in TW_* variables)"

target=${1:-@twitterdev}
echo
echo "== C: build/tw-follow-release $target"
build/tw-follow-release "$target"

echo
echo "== Python: twfollow.Client.from_env().follow_json(\"$target\", notify=True)"
python3 - "$target" <<'PY'
import sys, twfollow
with twfollow.Client.from_env() as client:
    print(client.follow_json(sys.argv[1], notify=True))
PY

echo
echo "== API v2 (a name is looked up, then followed by id): build/tw-follow-release --api-version 2 $target"
build/tw-follow-release --api-version 2 "$target"

echo
echo "== a refusal: pending_pat is a protected account with a request already pending"
status=0
build/tw-follow-release pending_pat || status=$?
echo "(tw-follow exited with $status: 1 means the API refused this follow)"

echo
echo "== a pay-per-use refusal: the app's prepaid credits are spent (the sandbox's creditless app)"
status=0
TW_CONSUMER_KEY=sandbox-creditless-key TW_CONSUMER_SECRET=sandbox-creditless-secret \
  build/tw-follow-release "$target" || status=$?
echo "(tw-follow exited with $status: 78 means X refused the app, not the target; the 402 was not sent again)"

store_dir=$(mktemp -d)
on_exit "rm -rf $store_dir"
export TWFOLLOW_STORE="$store_dir/twfollow/accounts.json"
echo
echo "== Getting tokens, OAuth 1.0a PIN flow: build/tw-follow-release authorize"
echo "   (only the app's keys are set; scripts/play_user.py plays the person at the browser;"
echo "   the account is saved in a temporary token store, TWFOLLOW_STORE=$TWFOLLOW_STORE)"
(
  unset TW_ACCESS_TOKEN TW_ACCESS_TOKEN_SECRET
  python3 scripts/play_user.py build/tw-follow-release authorize
  echo "-- a plain follow: no user token in the environment, so the store's default account"
  build/tw-follow-release --quiet Twitter
  echo "followed @Twitter as the user who typed the PIN"
  build/tw-follow-release accounts
)

echo
echo "== Getting tokens, OAuth 2.0 with PKCE: build/tw-follow-release authorize --oauth2 --account listener"
echo "   (the redirect URI is on loopback: tw-follow listens there, and the browser, played by"
echo "   scripts/play_user.py, is sent back to it; nothing is pasted)"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(
  unset TW_ACCESS_TOKEN TW_ACCESS_TOKEN_SECRET
  export TW_OAUTH2_CLIENT_SECRET=sandbox-oauth2-client-secret
  python3 scripts/play_user.py build/tw-follow-release authorize --oauth2 --client-id sandbox-oauth2-client \
    --redirect-uri "http://127.0.0.1:$port/callback" --account listener
  build/tw-follow-release --account listener --quiet Twitter
  echo "followed @Twitter through API v2 with the OAuth 2.0 tokens the listener got"
)

echo
echo "== Getting tokens, OAuth 2.0 with PKCE (Python): OAuth2Flow, saved to the store, then a follow through API v2"
python3 - <<'PY'
import os, subprocess, twfollow

flow = twfollow.OAuth2Flow("sandbox-oauth2-client", "http://127.0.0.1:8080/callback",
                           client_secret="sandbox-oauth2-client-secret", base_url=os.environ["TW_API_BASE"])
url, state = flow.authorization_url()
print("open:", url.split("?")[0], "(with client_id, redirect_uri, scope, state, code_challenge)")
# The person's part, played by the helper: approve, get sent to the redirect URI.
redirected = subprocess.check_output(["python3", "scripts/play_user.py", "redirect", url], text=True).strip()
tokens = flow.fetch_token(redirected)
print("tokens:", sorted(tokens), "scope:", tokens["scope"])
print("saved as", twfollow.Store().save(flow, "oauth2"), "in", twfollow.Store().path)
flow.close()
with twfollow.Client.from_store("oauth2", base_url=os.environ["TW_API_BASE"]) as client:
    print("follow @twitterdev:", client.follow("@twitterdev"))
    client.refresh()
stored = {a.name: a for a in twfollow.Store().accounts()}["oauth2"]
import time
print("refreshed; the store holds the new pair, expiring",
      time.strftime("%H:%M:%S UTC", time.gmtime(stored.expires_at)))
PY
echo "-- the same account from the command line, and a token for curl:"
env -u TW_ACCESS_TOKEN build/tw-follow-release --account oauth2 --quiet Twitter && echo "followed @Twitter"
token=$(build/tw-follow-release --account oauth2 token)
echo "tw-follow token printed a valid access token (${#token} characters) for curl's Authorization: Bearer"
