#!/usr/bin/env bash
# Contract fuzzing: schemathesis generates requests from openapi.yaml, valid and invalid, against
# the real server (SQLite, in-process Instagram sandbox), signed in as a demo account with each
# operation's declared security (a Bearer token from an API token, or the web session's cookie
# with the CSRF header), and fails on any 5xx, any response that does not match the spec
# (status codes, headers, content types, schemas), any valid request refused or invalid one
# accepted (scripts/schemathesis.toml). scripts/contract-baseline.json lists the disagreements
# still known (operation, check, status), each to be fixed and dropped from it.
#
# OPENAPI overrides the document checked (default openapi.yaml).
#
# Operations that end the credentials they are called with (revoking an API token, renewing
# the session, signing out, deleting the account) run last, each with a session of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v schemathesis >/dev/null || { echo "contract: schemathesis is missing (pip install -r sdk/python/requirements.txt)" >&2; exit 1; }
spec="$(realpath "${OPENAPI:-openapi.yaml}")"
source scripts/server.sh
server_start

json() { python3 -c "import sys, json; print(json.load(sys.stdin)['$1'])"; }

# Signs in as the demo account $1 and exports its credentials: the session's cookies, a new API
# token, and a Bearer token traded for it.
credentials_for() {
  server_sign_in "$1"
  INSTACRUSH_API_TOKEN="$(curl -fs -b "$jar" -H 'x-instacrush-csrf: 1' -H 'content-type: application/json' \
    -d '{"name":"contract"}' "${base}/api/auth/api-tokens" | json token)"
  INSTACRUSH_BEARER="$(curl -fs -H 'content-type: application/json' \
    -d "{\"api_token\":\"${INSTACRUSH_API_TOKEN}\"}" "${base}/api/auth/token" | json access_token)"
  INSTACRUSH_SESSION="$(server_cookie ic_access)"
  INSTACRUSH_REFRESH="$(server_cookie ic_refresh)"
  export INSTACRUSH_API_TOKEN INSTACRUSH_BEARER INSTACRUSH_SESSION INSTACRUSH_REFRESH
}

# A signed_request as Meta sends it, signed with the in-process sandbox's app secret
# (`sandbox-secret`), about a user nobody knows.
INSTACRUSH_SIGNED_REQUEST="$(python3 -c '
import base64, hashlib, hmac, json
b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
payload = b64(json.dumps({"algorithm": "HMAC-SHA256", "issued_at": 0, "user_id": "1"}).encode())
print(b64(hmac.new(b"sandbox-secret", payload.encode(), hashlib.sha256).digest()) + "." + payload)')"
export INSTACRUSH_SIGNED_REQUEST

# A contract that does not declare the CSRF header as a security scheme gets it on every request.
csrf=()
grep -q '^    csrf_header:' "$spec" || csrf=(--header "x-instacrush-csrf: 1")
# CONTRACT_BASELINE_UPDATE=1 records this run's failures in the baseline (then say why in the commit).
baseline=(--baseline scripts/contract-baseline.json)
[ -z "${CONTRACT_BASELINE_UPDATE:-}" ] || baseline+=(--baseline-update)

fuzz() {
  schemathesis --config-file scripts/schemathesis.toml run "$spec" --url "$base" \
    --max-examples "${CONTRACT_EXAMPLES:-30}" "${csrf[@]}" "${baseline[@]}" "$@" \
    || { echo "contract: failed" >&2; server_log_tail; exit 1; }
}

ending=(revoke_api_token refresh_session sign_out delete_me)
credentials_for ada.demo
excluded=()
for operation in "${ending[@]}"; do excluded+=(--exclude-operation-id "$operation"); done
fuzz "${excluded[@]}"
for operation in "${ending[@]}"; do
  credentials_for ben.demo
  fuzz --include-operation-id "$operation" --phases examples,coverage,fuzzing
done
