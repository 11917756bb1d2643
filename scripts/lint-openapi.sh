#!/usr/bin/env bash
# Lints the committed OpenAPI document with Redocly CLI (its `recommended-strict` rules, where every finding
# is an error) and with Spectral (the `spectral:oas` ruleset, as configured in .spectral.yaml, failing on
# warnings too).
#
# Both tools are pinned in scripts/openapi-tools/package-lock.json and installed from the npm registry into
# .tools/node (ignored by git) with the machine's node and npm, the first time and whenever the lock changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

spec="openapi/openapi.json"
pins="scripts/openapi-tools"
tools=".tools/node"

if [[ ! -s "$spec" ]]; then
    echo "ERROR: $spec is missing or empty; run 'make openapi' first." >&2
    exit 1
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "ERROR: node and npm are needed to lint the schema (Node 20.19+ or 22.12+)." >&2
    exit 1
fi

if ! cmp -s "$pins/package-lock.json" "$tools/package-lock.json" || [[ ! -d "$tools/node_modules" ]]; then
    echo "Installing the pinned OpenAPI linters into $tools..."
    rm -rf "$tools"
    mkdir -p "$tools"
    cp "$pins/package.json" "$pins/package-lock.json" "$tools/"
    # No install scripts: the linters need none, and one dependency's would only send usage statistics.
    npm ci --prefix "$tools" --ignore-scripts --no-audit --no-fund --loglevel=error
fi

# No usage statistics, no update notices.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

echo "== redocly lint (recommended-strict)"
"$tools/node_modules/.bin/redocly" lint "$spec" --extends=recommended-strict --format=stylish

echo "== spectral lint (spectral:oas, .spectral.yaml)"
"$tools/node_modules/.bin/spectral" lint "$spec" --ruleset .spectral.yaml --fail-severity=warn

echo "OK: $spec passes redocly and spectral."
