#!/usr/bin/env bash
# Repeatable benchmarks:
#   leads   GET /api/v1/leads/{id} with a valid token, 10,000 leads in the
#           database, on SQLite and then on PostgreSQL;
#   funnel  GET /api/v1/reports/funnel over 100,000 opportunities (created this
#           quarter, with their stage history) on PostgreSQL: single-request
#           latency (p50/p99 of sequential requests), then a short wrk run.
#
# Environment overrides:
#   SALESOPS_BENCH_POSTGRES_BASE  PostgreSQL server URL without database
#                                 (default postgres://postgres@127.0.0.1:5432)
#   SALESOPS_BENCH_BACKENDS       backends to run (default "sqlite postgres")
#   SALESOPS_BENCH_SUITES         suites to run (default "leads funnel")
#   SALESOPS_BENCH_LEADS          leads to create (default 10000)
#   SALESOPS_BENCH_OPPORTUNITIES  opportunities for the funnel (default 100000)
#   SALESOPS_BENCH_SAMPLES        sequential funnel requests timed (default 60)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_BASE="${SALESOPS_BENCH_POSTGRES_BASE:-postgres://postgres@127.0.0.1:5432}"
PG_BASE="${PG_BASE%/}"
BACKENDS="${SALESOPS_BENCH_BACKENDS:-sqlite postgres}"
SUITES="${SALESOPS_BENCH_SUITES:-leads funnel}"
LEADS="${SALESOPS_BENCH_LEADS:-10000}"
OPPORTUNITIES="${SALESOPS_BENCH_OPPORTUNITIES:-100000}"
SAMPLES="${SALESOPS_BENCH_SAMPLES:-60}"
PG_DB="salesops_bench"
BIND="127.0.0.1:18080"
BASE_URL="http://$BIND"
ADMIN_EMAIL="bench@example.com"
ADMIN_PASSWORD="bench-password-1"
WRK_ARGS=(-t2 -c32 -d15s --latency)
# The funnel answers in tens or hundreds of milliseconds: fewer connections, a shorter run.
FUNNEL_WRK_ARGS=(-t2 -c4 -d10s --latency --timeout 10s)
BIN="${CARGO_TARGET_DIR:-target}/release/salesops"

WORK_DIR=""
SERVER_PID=""
PG_CREATED=0
declare -A SUMMARY=()
FUNNEL_SUMMARY=""

log() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

drop_pg_db() {
    if [[ "$PG_CREATED" -eq 1 ]]; then
        psql -q "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
        PG_CREATED=0
    fi
}

cleanup() {
    stop_server
    drop_pg_db
    if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then
        rm -rf "$WORK_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# --- prerequisites ----------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
    log "wrk not found; installing it with apt-get"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; then
        as_root apt-get update
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk
    fi
fi
for tool in curl python3 wrk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
if [[ " $BACKENDS " == *" postgres "* || " $SUITES " == *" funnel "* ]]; then
    command -v psql >/dev/null 2>&1 || die "psql is required for the PostgreSQL run"
fi

log "building the release binary"
cargo build --release -p salesops-api
[[ -x "$BIN" ]] || die "$BIN was not built"

if curl -sf -o /dev/null "$BASE_URL/health/ready" 2>/dev/null; then
    die "something is already serving on $BIND; stop it first"
fi

WORK_DIR="$(mktemp -d /tmp/salesops-bench-XXXX)"
JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"

# --- one backend --------------------------------------------------------------
start_server() {
    local url="$1" log_file="$2"
    SALESOPS_DATABASE_URL="$url" \
        SALESOPS_BIND="$BIND" \
        SALESOPS_BOOTSTRAP_ADMIN_EMAIL="$ADMIN_EMAIL" \
        SALESOPS_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
        SALESOPS_JWT_SECRET="$JWT_SECRET" \
        RUST_LOG=warn \
        "$BIN" serve >"$log_file" 2>&1 &
    SERVER_PID=$!

    for _ in $(seq 1 120); do
        if curl -sf -o /dev/null "$BASE_URL/health/ready"; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -n 40 "$log_file" >&2 || true
            die "the server exited during start-up (log above)"
        fi
        sleep 0.5
    done
    tail -n 40 "$log_file" >&2 || true
    die "the server was not ready after 60 s (log above)"
}

login() {
    local body
    body="$(curl -sf -X POST "$BASE_URL/api/v1/auth/login" \
        -H 'Content-Type: application/json' \
        -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}")" \
        || die "login as $ADMIN_EMAIL failed (is the bootstrap admin created?)"
    printf '%s' "$body" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])' \
        || die "the login response has no access_token: $body"
}

run_backend() {
    local name="$1" url="$2"
    local log_file="$WORK_DIR/server-$name.log"
    local token id status wrk_out

    log "[$name] starting the server on $url"
    start_server "$url" "$log_file"

    token="$(login)"
    log "[$name] creating $LEADS leads"
    id="$(python3 scripts/bench_seed.py "$BASE_URL" "$token" "$LEADS" 8)" \
        || { tail -n 40 "$log_file" >&2 || true; die "[$name] seeding leads failed"; }

    # A token lives 15 minutes; take a fresh one so that seeding time does not matter.
    token="$(login)"
    status="$(curl -s -o /dev/null -w '%{http_code}' \
        -H "Authorization: Bearer $token" "$BASE_URL/api/v1/leads/$id")"
    [[ "$status" == "200" ]] || die "[$name] GET /api/v1/leads/$id answered $status, not 200"

    echo
    echo "=================================================================="
    echo " $name: GET /api/v1/leads/{id}, $LEADS leads"
    echo "=================================================================="
    wrk_out="$(wrk "${WRK_ARGS[@]}" -H "Authorization: Bearer $token" "$BASE_URL/api/v1/leads/$id")"
    echo "$wrk_out"

    local rps p50 p99 errors
    rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$wrk_out")"
    p50="$(awk '$1 == "50%" { print $2 }' <<<"$wrk_out")"
    p99="$(awk '$1 == "99%" { print $2 }' <<<"$wrk_out")"
    errors="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$wrk_out")"
    SUMMARY[$name]="$(printf '%-10s %12s %10s %10s %10s' "$name" "${rps:-?}" "${p50:-?}" "${p99:-?}" "${errors:-0}")"

    stop_server
}

# The funnel report over $OPPORTUNITIES opportunities, loaded with SQL (scripts/bench_funnel.sql).
run_funnel() {
    local url="$1"
    local log_file="$WORK_DIR/server-funnel.log"
    local token status body count started latency wrk_out

    log "[postgres] starting the server on $url (runs the migrations)"
    start_server "$url" "$log_file"
    log "[postgres] loading $OPPORTUNITIES opportunities with their stage history"
    started=$SECONDS
    psql -q -v ON_ERROR_STOP=1 -v opportunities="$OPPORTUNITIES" -f scripts/bench_funnel.sql "$url" >&2 \
        || die "[postgres] loading the funnel data failed"
    log "[postgres] loaded in $((SECONDS - started)) s"

    token="$(login)"
    local funnel_url="$BASE_URL/api/v1/reports/funnel"
    body="$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $token" "$funnel_url")"
    status="${body##*$'\n'}"
    [[ "$status" == "200" ]] || die "[postgres] GET /api/v1/reports/funnel answered $status, not 200"
    count="$(printf '%s' "${body%$'\n'*}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"]["count"])')"
    (( count >= OPPORTUNITIES )) || die "[postgres] the funnel counted $count opportunities, not $OPPORTUNITIES"

    echo
    echo "=================================================================="
    echo " postgres: GET /api/v1/reports/funnel, $count opportunities in the cohort"
    echo "=================================================================="
    latency="$(python3 scripts/bench_latency.py "$funnel_url" "$token" "$SAMPLES")" \
        || die "[postgres] timing the funnel failed"
    read -r l_p50 l_p99 l_min l_max l_mean <<<"$latency"
    echo "single requests, $SAMPLES sequential: p50 ${l_p50} ms, p99 ${l_p99} ms (min ${l_min}, max ${l_max}, mean ${l_mean})"
    wrk_out="$(wrk "${FUNNEL_WRK_ARGS[@]}" -H "Authorization: Bearer $token" "$funnel_url")"
    echo "$wrk_out"

    local rps p50 p99 errors
    rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$wrk_out")"
    p50="$(awk '$1 == "50%" { print $2 }' <<<"$wrk_out")"
    p99="$(awk '$1 == "99%" { print $2 }' <<<"$wrk_out")"
    errors="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$wrk_out")"
    FUNNEL_SUMMARY="$(printf '%-10s %10s %10s | %12s %10s %10s %10s' postgres "${l_p50}ms" "${l_p99}ms" \
        "${rps:-?}" "${p50:-?}" "${p99:-?}" "${errors:-0}")"

    stop_server
}

for backend in $BACKENDS; do
    case "$backend" in
        sqlite)
            if [[ " $SUITES " == *" leads "* ]]; then
                run_backend sqlite "sqlite://$WORK_DIR/bench.db"
            fi
            ;;
        postgres)
            pg_isready -d "$PG_BASE/postgres" >/dev/null 2>&1 \
                || die "PostgreSQL at $PG_BASE is not accepting connections"
            psql -q "$PG_BASE/postgres" \
                -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" \
                || die "could not create database $PG_DB on $PG_BASE"
            PG_CREATED=1
            if [[ " $SUITES " == *" leads "* ]]; then
                run_backend postgres "$PG_BASE/$PG_DB"
            fi
            if [[ " $SUITES " == *" funnel "* ]]; then
                run_funnel "$PG_BASE/$PG_DB"
            fi
            drop_pg_db
            ;;
        *)
            die "unknown backend '$backend' (expected sqlite or postgres)"
            ;;
    esac
done

echo
echo "=================================================================="
echo " $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "=================================================================="
if [[ " $SUITES " == *" leads "* ]]; then
    echo "GET /api/v1/leads/{id}, $LEADS leads, wrk ${WRK_ARGS[*]}"
    printf '%-10s %12s %10s %10s %10s\n' backend req/s p50 p99 non-2xx
    for backend in $BACKENDS; do
        [[ -n "${SUMMARY[$backend]:-}" ]] && echo "${SUMMARY[$backend]}"
    done
fi
if [[ -n "$FUNNEL_SUMMARY" ]]; then
    echo
    echo "GET /api/v1/reports/funnel, $OPPORTUNITIES opportunities; single: $SAMPLES sequential requests; wrk ${FUNNEL_WRK_ARGS[*]}"
    printf '%-10s %10s %10s | %12s %10s %10s %10s\n' backend single-p50 single-p99 wrk-req/s wrk-p50 wrk-p99 non-2xx
    echo "$FUNNEL_SUMMARY"
fi
