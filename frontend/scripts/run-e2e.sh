#!/usr/bin/env bash
# Runs the Playwright e2e tests against the real backend serving the built SPA: starts
# `instacrush serve` on a free port with a throwaway SQLite database and keys (and so the
# in-process Instagram sandbox), waits until it is healthy, runs the tests, stops it.
#
# Needs the backend binary (`cargo build -p instacrush --bin instacrush`) and `dist/`
# (`npm run build`); INSTACRUSH_BIN overrides the binary's path, E2E_DIST the SPA's.
# The tests reach the sandbox's knobs (`PUT /_sandbox/knobs`) at E2E_SANDBOX_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

# The backend binary where cargo put it (a relative CARGO_TARGET_DIR is relative to the repository).
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="../$target_dir" ;; esac
bin="${INSTACRUSH_BIN:-$target_dir/debug/instacrush}"
[ -x "$bin" ] || { echo "run-e2e: no backend binary at $bin (cargo build -p instacrush --bin instacrush)" >&2; exit 1; }
dist="${E2E_DIST:-$PWD/dist}"
[ -f "$dist/index.html" ] || { echo "run-e2e: no SPA at $dist (npm run build)" >&2; exit 1; }

tmp="$(mktemp -d)"
free_port() {
  node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
port="$(free_port)"
sandbox_port="$(free_port)"
base_url="http://127.0.0.1:${port}"
server_pid=""

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap stop_server EXIT

# No Instagram app: the backend starts its sandbox in-process, which the sign-in test uses.
# Every test signs in from this one address: rate limits well above what the suite needs.
env -u INSTAGRAM_APP_ID -u INSTAGRAM_APP_SECRET -u AUTH_KEYS -u PUBLIC_URL \
  DATABASE_URL="sqlite://${tmp}/e2e.db?mode=rwc" \
  AUTH_KEY_FILE="${tmp}/keys.json" \
  LISTEN_ADDR="127.0.0.1:${port}" \
  STATIC_DIR="$dist" \
  SANDBOX_PORT="$sandbox_port" \
  SHUTDOWN_GRACE_SECS=2 WORKER_GRACE_SECS=2 \
  RATE_LIMIT_AUTH_PER_MINUTE=300 RATE_LIMIT_WRITES_PER_MINUTE=100 \
  "$bin" serve >"${tmp}/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 60); do
  curl -fsS "${base_url}/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "run-e2e: the server exited:" >&2; cat "${tmp}/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "${base_url}/healthz" >/dev/null || { echo "run-e2e: the server did not become healthy" >&2; cat "${tmp}/server.log" >&2; exit 1; }

echo "run-e2e: server at ${base_url}"
status=0
E2E_BASE_URL="$base_url" E2E_SANDBOX_URL="http://127.0.0.1:${sandbox_port}" npx playwright test "$@" || status=$?
[ "$status" -eq 0 ] || { echo "run-e2e: server log:" >&2; tail -n 50 "${tmp}/server.log" >&2; }
exit "$status"
