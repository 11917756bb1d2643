#!/usr/bin/env bash
# Validates the committed OpenAPI document with openapi-spec-validator.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

spec="openapi/openapi.json"

if [[ ! -s "$spec" ]]; then
    echo "ERROR: $spec is missing or empty; run 'make openapi' first." >&2
    exit 1
fi

if ! python3 -m openapi_spec_validator --help >/dev/null 2>&1; then
    echo "openapi-spec-validator not found; installing it with pip..."
    python3 -m pip install --quiet 'openapi-spec-validator>=0.7'
fi

if ! python3 -m openapi_spec_validator "$spec"; then
    echo "ERROR: $spec is not a valid OpenAPI document (see above)." >&2
    exit 1
fi

echo "OK: $spec is a valid OpenAPI document."
