#!/usr/bin/env bash
# Contract fuzzing: schemathesis generates requests from openapi.yaml, valid and invalid, against
# the real server (SQLite, in-process Instagram sandbox), signed in as a demo account with each
# operation's declared security (a Bearer token from an API token, or the web session's cookie
# with the CSRF header), and fails on any 5xx, any response that does not match the spec
# (status codes, headers, content types, schemas), any valid request refused or invalid one
# accepted, and any warning (scripts/schemathesis.toml).
#
# OPENAPI overrides the document checked (default openapi.yaml).
#
# Operations that end the credentials they are called with (revoking an API token, renewing
# the session, signing out, deleting the account) run last, each phase with a session of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v schemathesis >/dev/null || { echo "contract: schemathesis is missing (pip install -r sdk/python/requirements.txt)" >&2; exit 1; }
spec="$(realpath "${OPENAPI:-openapi.yaml}")"
source scripts/server.sh
# Fuzzing sends hundreds of requests per operation from one address: no rate limits (their 429
# is declared in the contract, and tested in tests/tests/api/rate_limits.rs).
server_start RATE_LIMIT_AUTH_PER_MINUTE=0 RATE_LIMIT_WRITES_PER_MINUTE=0 \
  INSTAGRAM_WEBHOOK_VERIFY_TOKEN=contract-verify-token

json() { python3 -c "import sys, json; print(json.load(sys.stdin)['$1'])"; }

# Signs in as the demo account $1 and exports its credentials: the session's cookies, a new API
# token (and its id), and a Bearer token traded for it.
credentials_for() {
  server_sign_in "$1"
  local created
  created="$(curl -fs -b "$jar" -H 'x-instacrush-csrf: 1' -H 'content-type: application/json' \
    -d '{"name":"contract"}' "${base}/api/auth/api-tokens")"
  INSTACRUSH_API_TOKEN="$(json token <<<"$created")"
  INSTACRUSH_API_TOKEN_ID="$(json id <<<"$created")"
  INSTACRUSH_BEARER="$(curl -fs -H 'content-type: application/json' \
    -d "{\"api_token\":\"${INSTACRUSH_API_TOKEN}\"}" "${base}/api/auth/token" | json access_token)"
  INSTACRUSH_SESSION="$(server_cookie ic_access)"
  INSTACRUSH_REFRESH="$(server_cookie ic_refresh)"
  export INSTACRUSH_API_TOKEN INSTACRUSH_API_TOKEN_ID INSTACRUSH_BEARER INSTACRUSH_SESSION INSTACRUSH_REFRESH
}

# Meta's callbacks verify with this installation's app secret (created beside the key file at
# start): the hooks sign a fresh signed_request for each valid request (each honoured once).
INSTACRUSH_APP_SECRET="$(cat "${server_tmp}/sandbox-app-secret")"
INSTACRUSH_SIGNED_REQUEST="$(INSTACRUSH_APP_SECRET="$INSTACRUSH_APP_SECRET" python3 -c '
import sys; sys.path.insert(0, "scripts")
from contract_hooks import signed_request
print(signed_request())')"
export INSTACRUSH_APP_SECRET INSTACRUSH_SIGNED_REQUEST

fuzz() {
  SCHEMATHESIS_HOOKS=scripts.contract_hooks schemathesis --config-file scripts/schemathesis.toml run "$spec" --url "$base" \
    --max-examples "${CONTRACT_EXAMPLES:-30}" "$@" \
    || { echo "contract: failed" >&2; server_log_tail; exit 1; }
}

ending=(revoke_api_token refresh_session sign_out delete_me)
credentials_for ada.demo
# A webhook POST is refused unless signed over its exact bytes, which no generator can do; its
# refusals and acceptance are tested in tests/tests/api/webhooks/.
excluded=(--exclude-operation-id receive_instagram_webhook)
for operation in "${ending[@]}"; do excluded+=(--exclude-operation-id "$operation"); done
fuzz "${excluded[@]}"
# Each phase with fresh credentials: the first success ends them, and a phase that met only the
# 401s after it would look like one that could not authenticate. (They declare no examples.)
for operation in "${ending[@]}"; do
  for phase in coverage fuzzing; do
    credentials_for ben.demo
    fuzz --include-operation-id "$operation" --phases "$phase"
  done
done
