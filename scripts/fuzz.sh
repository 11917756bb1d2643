#!/usr/bin/env bash
# `make fuzz`: schemathesis over every operation of the committed OpenAPI document, against a real
# salesops server on SQLite and then on PostgreSQL, with a fixed seed and budget. Checks: no 5xx
# (`not_a_server_error`) and answers that match the documented schema (`response_schema_conformance`).
#
# schemathesis is pinned in scripts/fuzz-tools/requirements.txt and installed from PyPI into
# .tools/fuzz-venv (ignored by git). Logout and refresh are left out: they revoke the token the run uses.
#
# Budget: SALESOPS_FUZZ_EXAMPLES cases per operation and phase (default 10); SALESOPS_FUZZ_SEED (default 20261201).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pins="scripts/fuzz-tools/requirements.txt"
venv=".tools/fuzz-venv"
examples="${SALESOPS_FUZZ_EXAMPLES:-10}"
seed="${SALESOPS_FUZZ_SEED:-20261201}"
pg_base="${SALESOPS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
port=18190
password="fuzz-admin-password-1"

# shellcheck source=scripts/python-venv.sh
source scripts/python-venv.sh
python_venv "$pins" "$venv"

cargo build -q -p salesops-api --bin salesops
work="$(mktemp -d)"
server=""
schema="fuzz_$(date +%s)"
cleanup() {
    [[ -n "$server" ]] && kill "$server" 2>/dev/null || true
    psql "$pg_base" -qc "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

fuzz() {
    local name="$1" url="$2"
    echo
    echo "=== fuzz on $name ==="
    SALESOPS_DATABASE_URL="$url" SALESOPS_BIND="127.0.0.1:$port" SALESOPS_RECALL_INTERVAL_SECONDS=0 \
        SALESOPS_BOOTSTRAP_ADMIN_EMAIL=admin@fuzz.local SALESOPS_BOOTSTRAP_ADMIN_PASSWORD="$password" \
        SALESOPS_LOGIN_MAX_FAILURES=1000 RUST_LOG=warn \
        target/debug/salesops serve >"$work/$name.log" 2>&1 &
    server=$!
    for _ in $(seq 1 60); do
        curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break
        sleep 1
    done
    local token
    token="$(curl -fs -H 'content-type: application/json' \
        -d "{\"email\":\"admin@fuzz.local\",\"password\":\"$password\"}" \
        "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
    local status=0
    "$venv/bin/st" run openapi/openapi.json --url "http://127.0.0.1:$port" \
        -H "Authorization: Bearer $token" \
        --checks not_a_server_error,response_schema_conformance \
        --exclude-operation-id logout_user --exclude-operation-id refresh_token \
        --max-examples "$examples" --seed "$seed" --generation-deterministic \
        || status=$?
    # The server logs every 500 as "internal error" at error level, which RUST_LOG=warn keeps.
    echo "internal errors in the server's log: $(grep -c 'internal error' "$work/$name.log" || true)"
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
    return "$status"
}

result=0
fuzz sqlite "sqlite://$work/fuzz.db" || result=1
psql "$pg_base" -qc "CREATE SCHEMA $schema" >/dev/null
fuzz postgres "$pg_base?options=-csearch_path%3D$schema" || result=1
exit "$result"
