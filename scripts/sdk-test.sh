#!/usr/bin/env bash
# What an integrator meets with clients generated from openapi.yaml:
#   1. Redocly's recommended rules report no error;
#   2. a TypeScript client (@hey-api/openapi-ts) generates, and sdk/typescript/usage.ts
#      type-checks against it (tsc, strict);
#   3. a Python client (openapi-python-client) generates, sdk/python/flow.py type-checks
#      against it (mypy --strict) and then runs against the real server and its sandbox.
# The clients are generated into a temporary folder. OPENAPI overrides the document checked
# (default openapi.yaml), e.g. to try a change to the contract before the code makes it.
# Needs sdk/node_modules (`cd sdk && npm ci`) and the tools of sdk/python/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

spec="$(realpath "${OPENAPI:-openapi.yaml}")"
npm_bin="$PWD/sdk/node_modules/.bin"
[ -x "$npm_bin/redocly" ] || { echo "sdk: sdk/node_modules is missing (cd sdk && npm ci)" >&2; exit 1; }
for tool in openapi-python-client mypy; do
  command -v "$tool" >/dev/null ||
    { echo "sdk: $tool is missing (pip install -r sdk/python/requirements.txt)" >&2; exit 1; }
done

source scripts/server.sh
gen="${server_tmp}/generated"
mkdir -p "$gen"

failed=()

echo "== sdk: Redocly lint (recommended rules)"
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$npm_bin/redocly" lint --config sdk/redocly.yaml --format stylish "$spec" || failed+=("Redocly lint")

echo "== sdk: TypeScript client (@hey-api/openapi-ts), type-checked"
mkdir -p "$gen/ts"
cp sdk/typescript/usage.ts sdk/typescript/tsconfig.json "$gen/ts/"
"$npm_bin/openapi-ts" --silent --no-log-file -i "$spec" -o "$gen/ts/client" -c @hey-api/client-fetch
"$npm_bin/tsc" -p "$gen/ts/tsconfig.json" || failed+=("TypeScript usage")

echo "== sdk: Python client (openapi-python-client), type-checked"
openapi-python-client generate --path "$spec" --config sdk/python/openapi-python-client.yaml \
  --meta none --output-path "$gen/instacrush_client" >/dev/null
if MYPYPATH="$gen" mypy --config-file sdk/python/mypy.ini sdk/python/flow.py; then
  echo "== sdk: the Python client's flow against the server"
  server_start
  PYTHONPATH="$gen" INSTACRUSH_URL="$base" SANDBOX_URL="$sandbox" python3 sdk/python/flow.py ||
    { failed+=("Python flow"); server_log_tail; }
else
  failed+=("Python flow type check (the flow did not run)")
fi

if [ "${#failed[@]}" -gt 0 ]; then
  printf 'sdk: failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "sdk: all passed"
