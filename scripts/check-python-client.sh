#!/usr/bin/env bash
# Smoke test for SDK generators: generates a Python client from the committed OpenAPI document with
# openapi-python-client, then imports it and uses it (scripts/python_client_smoke.py) against a fake transport.
#
# openapi-python-client is pinned in scripts/openapi-tools/requirements.txt and installed from PyPI into a
# virtual environment at .tools/venv (ignored by git), the first time and whenever the pins change. The client
# is generated into a temporary directory and removed afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

spec="openapi/openapi.json"
pins="scripts/openapi-tools/requirements.txt"
venv=".tools/venv"

if [[ ! -s "$spec" ]]; then
    echo "ERROR: $spec is missing or empty; run 'make openapi' first." >&2
    exit 1
fi

# shellcheck source=scripts/python-venv.sh
source scripts/python-venv.sh
python_venv "$pins" "$venv"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# The generator formats its output with ruff, which it finds on PATH.
PATH="$PWD/$venv/bin:$PATH" openapi-python-client generate \
    --path "$spec" --meta none --output-path "$out/salesops_client" --fail-on-warning
PYTHONPATH="$out" "$venv/bin/python" scripts/python_client_smoke.py "$spec"
