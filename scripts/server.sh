# Sourced by the scripts that test the built server over HTTP: starts `instacrush serve` on a
# free port with a throwaway SQLite database, keys and in-process Instagram sandbox, signs in
# through the sandbox, and stops it all on exit.
#
#   source scripts/server.sh
#   server_start            # sets $base (the API) and $sandbox (the sandbox); extra env as VAR=value args
#   server_sign_in ada.demo # sets $jar (curl's cookie jar holding the web session)
#
# INSTACRUSH_BIN overrides the binary (default: the debug build in CARGO_TARGET_DIR or target/).

server_bin="${INSTACRUSH_BIN:-${CARGO_TARGET_DIR:-target}/debug/instacrush}"
[ -x "$server_bin" ] || { echo "no backend binary at $server_bin (cargo build -p instacrush --bin instacrush)" >&2; exit 1; }

server_tmp="$(mktemp -d)"
server_pid=""

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_stop() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
  rm -rf "$server_tmp"
}
trap server_stop EXIT

# The server's last log lines, for a failure message.
server_log_tail() {
  echo "server log:" >&2
  tail -n "${1:-50}" "${server_tmp}/server.log" >&2
}

# Starts the server; arguments are extra `VAR=value` settings for it.
server_start() {
  local port sandbox_port
  port="$(free_port)"
  sandbox_port="$(free_port)"
  base="http://127.0.0.1:${port}"
  sandbox="http://127.0.0.1:${sandbox_port}"
  env -u INSTAGRAM_APP_ID -u INSTAGRAM_APP_SECRET -u AUTH_KEYS -u PUBLIC_URL \
    DATABASE_URL="sqlite://${server_tmp}/server.db?mode=rwc" AUTH_KEY_FILE="${server_tmp}/keys.json" \
    LISTEN_ADDR="127.0.0.1:${port}" SANDBOX_PORT="$sandbox_port" RUST_LOG=error \
    SHUTDOWN_GRACE_SECS=1 WORKER_GRACE_SECS=1 "$@" \
    "$server_bin" serve >"${server_tmp}/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 60); do
    curl -fs "${base}/healthz" >/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "the server did not become healthy" >&2
  server_log_tail
  exit 1
}

# Signs in as the sandbox account $1 the way a browser does; the session lands in curl's jar $jar.
server_sign_in() {
  jar="${server_tmp}/cookies-$1"
  local authorize callback
  authorize="$(curl -s -o /dev/null -w '%{redirect_url}' -c "$jar" -b "$jar" "${base}/api/auth/instagram?return_to=/")"
  callback="$(curl -s -o /dev/null -w '%{redirect_url}' "${authorize}&login_hint=$1")"
  curl -s -o /dev/null -c "$jar" -b "$jar" "$callback"
  grep -q ic_access "$jar" || { echo "signing in as $1 failed" >&2; server_log_tail; exit 1; }
}

# The value of cookie $1 in curl's jar $jar.
server_cookie() {
  awk -v name="$1" '$6 == name { value = $7 } END { print value }' "$jar"
}
