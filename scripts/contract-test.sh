#!/usr/bin/env bash
# Contract fuzzing: schemathesis generates requests from openapi.yaml against
# the real server (SQLite, in-process Instagram sandbox), signed in as a demo
# account through an API token, and fails on any 5xx or any response that does
# not match the spec (status codes, content types, schemas).
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${INSTACRUSH_BIN:-${CARGO_TARGET_DIR:-target}/debug/instacrush}"
[ -x "$bin" ] || { echo "contract: no backend binary at $bin (cargo build -p instacrush --bin instacrush)" >&2; exit 1; }
command -v schemathesis >/dev/null || { echo "contract: schemathesis is missing (pip install schemathesis)" >&2; exit 1; }

tmp="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:${port}"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

env -u INSTAGRAM_APP_ID -u INSTAGRAM_APP_SECRET -u AUTH_KEYS -u PUBLIC_URL \
  DATABASE_URL="sqlite://${tmp}/contract.db?mode=rwc" AUTH_KEY_FILE="${tmp}/keys.json" \
  LISTEN_ADDR="127.0.0.1:${port}" RUST_LOG=error SHUTDOWN_GRACE_SECS=1 WORKER_GRACE_SECS=1 \
  "$bin" serve >"${tmp}/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fs "${base}/healthz" >/dev/null && break
  sleep 0.5
done
curl -fs "${base}/healthz" >/dev/null || { cat "${tmp}/server.log" >&2; exit 1; }

# Sign in as a demo account through the sandbox, then trade an API token for a Bearer token.
jar="${tmp}/cookies"
authorize="$(curl -s -o /dev/null -w '%{redirect_url}' -c "$jar" -b "$jar" "${base}/api/auth/instagram?return_to=/")"
callback="$(curl -s -o /dev/null -w '%{redirect_url}' "${authorize}&login_hint=ada.demo")"
curl -s -o /dev/null -c "$jar" -b "$jar" "$callback"
json() { python3 -c "import sys, json; print(json.load(sys.stdin)['$1'])"; }
api_token="$(curl -fs -c "$jar" -b "$jar" -H 'x-instacrush-csrf: 1' -H 'content-type: application/json' \
  -d '{"name":"contract"}' "${base}/api/auth/api-tokens" | json token)"
access="$(curl -fs -H 'content-type: application/json' -d "{\"api_token\":\"${api_token}\"}" \
  "${base}/api/auth/token" | json access_token)"

schemathesis run openapi.yaml --url "$base" \
  --header "Authorization: Bearer ${access}" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${CONTRACT_EXAMPLES:-30}" --seed 1 \
  || { echo "contract: server log:" >&2; tail -50 "${tmp}/server.log" >&2; exit 1; }
