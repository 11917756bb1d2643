#!/usr/bin/env bash
# `make bench`: salesops against its database's own speed, measured side by side in one run.
#
# For each backend (SQLite, then PostgreSQL) the script starts the release server on an empty
# database (it migrates and creates the bootstrap admin), loads $LEADS leads with one SQL
# statement (scripts/bench/seed_leads.*.sql: deterministic ids and created_at, computed from a
# row number n), and then, for each endpoint, back to back:
#
#   1. salesops: wrk -t2 -c64 for $SECONDS_PER_RUN seconds against the endpoint on 127.0.0.1;
#   2. the reference: the database running the endpoint's one essential query (the SQL in
#      scripts/bench/<endpoint>.{pg,sqlite}.sql) for the same time, with as many connections as the
#      server's pool ($POOL_SIZE) on PostgreSQL;
#
# and prints `salesops req/s / reference tps` as a percentage.
#
#   get     GET /api/v1/leads/{id}, a random seeded lead (scripts/bench/get_lead.lua)
#   list    GET /api/v1/leads?limit=50, the first page in the default order
#   deep    GET /api/v1/leads?limit=50&cursor=..., random cursors ~$LEADS/2 rows into the list
#           (scripts/bench/deep_cursors.py checks them against the server's own next_cursor)
#   create  POST /api/v1/leads, a new person each time: duplicate check, lead, audit event
#   funnel  GET /api/v1/reports/funnel over $OPPORTUNITIES opportunities (scripts/bench_funnel.sql),
#           PostgreSQL only: p50/p99 of $SAMPLES sequential requests; no reference
#   order   POST /api/v1/orders with ten lines (scripts/bench/create_order.lua; products and the
#           account made by scripts/bench/money.py setup): number, lines, totals, audit; no reference
#   confirm POST /api/v1/payments/{id}/confirm: p50/p99 of $SAMPLES sequential confirmations, each
#           settling instalments and raising the order's collected (scripts/bench/money.py); no reference
#   aging   GET /api/v1/reports/receivables-aging?group_by=owner over 4 × $AGING_ORDERS instalments
#           (scripts/bench/seed_receivables.pg.sql), PostgreSQL only: p50/p99 of $SAMPLES requests
#   commission  POST /api/v1/commission-runs for last quarter of a three-tier plan with
#           $COMMISSION_USERS reps and $COMMISSION_ORDERS booked orders, 1% of them split
#           (scripts/bench/seed_commissions.pg.sql), PostgreSQL only: the seconds one run takes,
#           then one recompute, a page of 200 statements, a page of 200 of one statement's
#           lines, the approval and the payment; no reference
#
# The references:
#   PostgreSQL  pgbench -M prepared -c $POOL_SIZE -j 2 -T $SECONDS_PER_RUN -f <endpoint>.pg.sql. The
#               SQL is what the server sends (read from the PostgreSQL log with log_statement = all;
#               see the comments in each file), with ids and cursor values computed from a random
#               row number in SQL, which costs pgbench a few string functions per query.
#   SQLite      crates/persistence/examples/sqlite_reference.rs, not the sqlite3 shell: the shell is
#               one thread and formats its output, which would flatter salesops. The example opens
#               nproc connections with the server's PRAGMAs and runs <endpoint>.sqlite.sql in a loop
#               through diesel's SqliteConnection (cached prepared statements, bound parameters, every
#               column read as text), i.e. the engine plus the thinnest use of the same driver.
# The reference runs only the endpoint's essential statements; everything else a request costs (HTTP,
# the token check, JSON, the blocking-pool hop) is the overhead the ratio is meant to expose.
# The creates run last, because they add leads at the top of the list.
#
# To see what the server sends to PostgreSQL after a code change (and update the .pg.sql files):
#   ALTER DATABASE salesops_bench SET log_statement = 'all', make one request, read
#   /var/log/postgresql/postgresql-*-main.log, and ALTER DATABASE ... RESET log_statement.
#
# The machine is shared and has few cores: wrk, the server and the database compete for them,
# and the ratio, measured back to back, is the figure to read, not the absolute req/s.
#
# Environment overrides:
#   SALESOPS_BENCH_POSTGRES_BASE  PostgreSQL server URL without database
#                                 (default postgres://postgres@127.0.0.1:5432)
#   SALESOPS_BENCH_BACKENDS       backends to run (default "sqlite postgres")
#   SALESOPS_BENCH_SUITES         endpoints to run (default "get list deep create funnel order confirm aging commission")
#   SALESOPS_BENCH_LEADS          leads to load (default 100000)
#   SALESOPS_BENCH_SECONDS        seconds per measurement, salesops and reference each (default 15)
#   SALESOPS_BENCH_POOL_SIZE      the server's SALESOPS_DB_POOL_SIZE and pgbench's -c (default 16)
#   SALESOPS_BENCH_CONNECTIONS    wrk connections (default 64)
#   SALESOPS_BENCH_OPPORTUNITIES  opportunities for the funnel (default 100000)
#   SALESOPS_BENCH_SAMPLES        sequential funnel, confirm and aging requests timed (default 60)
#   SALESOPS_BENCH_AGING_ORDERS   orders of four instalments for the aging report (default 25000)
#   SALESOPS_BENCH_COMMISSION_USERS   reps on the commission plan (default 1000)
#   SALESOPS_BENCH_COMMISSION_ORDERS  booked orders the commission run credits (default 1000000)
# A quick small run: SALESOPS_BENCH_LEADS=10000 SALESOPS_BENCH_SECONDS=5 make bench
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_BASE="${SALESOPS_BENCH_POSTGRES_BASE:-postgres://postgres@127.0.0.1:5432}"
PG_BASE="${PG_BASE%/}"
BACKENDS="${SALESOPS_BENCH_BACKENDS:-sqlite postgres}"
SUITES="${SALESOPS_BENCH_SUITES:-get list deep create funnel order confirm aging commission}"
LEADS="${SALESOPS_BENCH_LEADS:-100000}"
SECONDS_PER_RUN="${SALESOPS_BENCH_SECONDS:-15}"
POOL_SIZE="${SALESOPS_BENCH_POOL_SIZE:-16}"
CONNECTIONS="${SALESOPS_BENCH_CONNECTIONS:-64}"
OPPORTUNITIES="${SALESOPS_BENCH_OPPORTUNITIES:-100000}"
SAMPLES="${SALESOPS_BENCH_SAMPLES:-60}"
AGING_ORDERS="${SALESOPS_BENCH_AGING_ORDERS:-25000}"
COMMISSION_USERS="${SALESOPS_BENCH_COMMISSION_USERS:-1000}"
COMMISSION_ORDERS="${SALESOPS_BENCH_COMMISSION_ORDERS:-1000000}"
PG_DB="salesops_bench"
BIND="127.0.0.1:18080"
BASE_URL="http://$BIND"
ADMIN_EMAIL="bench@example.com"
ADMIN_PASSWORD="bench-password-1"
BENCH_DIR="scripts/bench"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
BIN="$TARGET_DIR/release/salesops"
SQLITE_REF="$TARGET_DIR/release/examples/sqlite_reference"
CORES="$(nproc)"

WORK_DIR=""
SERVER_PID=""
PG_CREATED=0
ROWS=()
RSS_ROWS=()
FUNNEL_ROW=""
LATENCY_ROWS=()
COMMISSION_ROWS=()

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

has_suite() { [[ " $SUITES " == *" $1 "* ]]; }

# --- prerequisites ----------------------------------------------------------
apt_install() {
    log "$1 not found; installing $2 with apt-get"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$2"; then
        as_root apt-get update
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$2"
    fi
}
command -v wrk >/dev/null 2>&1 || apt_install wrk wrk
if [[ " $BACKENDS " == *" postgres "* ]]; then
    command -v pgbench >/dev/null 2>&1 || apt_install pgbench postgresql-client
fi
if [[ " $BACKENDS " == *" sqlite "* ]]; then
    command -v sqlite3 >/dev/null 2>&1 || apt_install sqlite3 sqlite3
fi
for tool in curl python3 wrk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
if [[ " $BACKENDS " == *" postgres "* ]]; then
    for tool in psql pgbench; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool is required for the PostgreSQL run"
    done
fi

log "building the release binary and the SQLite reference"
cargo build --release -p salesops-api
[[ -x "$BIN" ]] || die "$BIN was not built"
if [[ " $BACKENDS " == *" sqlite "* ]]; then
    cargo build --release -p salesops-persistence --example sqlite_reference
    [[ -x "$SQLITE_REF" ]] || die "$SQLITE_REF was not built"
fi

if curl -sf -o /dev/null "$BASE_URL/health/ready" 2>/dev/null; then
    die "something is already serving on $BIND; stop it first"
fi

LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
WORK_DIR="$(mktemp -d /tmp/salesops-bench-XXXX)"
JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"

# --- the server -----------------------------------------------------------------
start_server() {
    local url="$1" log_file="$2"
    SALESOPS_DATABASE_URL="$url" \
        SALESOPS_BIND="$BIND" \
        SALESOPS_DB_POOL_SIZE="$POOL_SIZE" \
        SALESOPS_BOOTSTRAP_ADMIN_EMAIL="$ADMIN_EMAIL" \
        SALESOPS_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
        SALESOPS_JWT_SECRET="$JWT_SECRET" \
        RUST_LOG=warn,salesops_api::commission_runs=debug \
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

# A fresh token for each measurement: access tokens live 15 minutes.
login() {
    local body
    body="$(curl -sf -X POST "$BASE_URL/api/v1/auth/login" \
        -H 'Content-Type: application/json' \
        -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}")" \
        || die "login as $ADMIN_EMAIL failed (is the bootstrap admin created?)"
    printf '%s' "$body" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])' \
        || die "the login response has no access_token: $body"
}

expect_status() {
    local want="$1" token="$2" path="$3" status
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$BASE_URL$path")"
    [[ "$status" == "$want" ]] || die "GET $path answered $status, not $want"
}

# --- measurements -----------------------------------------------------------------
# wrk against salesops: wrk_run <label> <path> [<lua script>] [extra wrk args...]; sets
# W_RPS W_P50 W_P99 W_BAD (non-2xx answers plus socket errors).
wrk_run() {
    local label="$1" path="$2" script="${3:-}"
    shift 3 || shift $#
    local token out args=(-t2 "-c$CONNECTIONS" "-d${SECONDS_PER_RUN}s" --latency --timeout 10s)
    token="$(login)"
    [[ -n "$script" ]] && args+=(-s "$script")
    echo
    echo "--- $label: salesops, wrk ${args[*]} $path"
    out="$(wrk "${args[@]}" -H "Authorization: Bearer $token" "$@" "$BASE_URL$path")"
    echo "$out"
    W_RPS="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    W_P50="$(awk '$1 == "50%" { print $2 }' <<<"$out")"
    W_P99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
    W_BAD="$(awk '/Non-2xx or 3xx responses:/ { bad += $NF }
        /Socket errors:/ { gsub(",", ""); bad += $4 + $6 + $8 + $10 } END { print bad + 0 }' <<<"$out")"
}

# pgbench on PostgreSQL: pgbench_run <url> <script> [-D name=value...]; sets R_TPS.
pgbench_run() {
    local url="$1" script="$2" out
    shift 2
    local args=(-n -M prepared "-c$POOL_SIZE" -j2 "-T$SECONDS_PER_RUN" -f "$script" "$@")
    echo "--- reference: pgbench ${args[*]}"
    out="$(pgbench "${args[@]}" "$url" 2>&1)" || { echo "$out" >&2; die "pgbench failed on $script"; }
    echo "$out" | grep -E '^(number of (transactions actually processed|failed)|latency average|tps)' || true
    R_TPS="$(awk '/^tps = / { print $3; exit }' <<<"$out")"
}

# The Rust loop on SQLite: sqlite_run <db file> <script> [--set name=value...]; sets R_TPS.
sqlite_run() {
    local db="$1" script="$2" out
    shift 2
    local args=(--db "$db" --script "$script" --threads "$CORES" --seconds "$SECONDS_PER_RUN" "$@")
    echo "--- reference: sqlite_reference ${args[*]}"
    out="$("$SQLITE_REF" "${args[@]}")" || die "sqlite_reference failed on $script"
    echo "transactions/s, transactions, seconds: $out"
    R_TPS="${out%% *}"
}

num() { awk -v x="$1" 'BEGIN { if (x == "") print "?"; else printf "%.0f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "?" }'; }

record() {
    local backend="$1" endpoint="$2"
    ROWS+=("$(printf '%-8s | %-36s | %9s | %8s | %8s | %7s | %9s | %6s' "$backend" "$endpoint" \
        "$(num "${W_RPS:-}")" "${W_P50:-?}" "${W_P99:-?}" "${W_BAD:-?}" "$(num "${R_TPS:-}")" \
        "$(ratio "${W_RPS:-0}" "${R_TPS:-0}")")")
    if [[ "${W_BAD:-0}" != "0" ]]; then
        log "WARNING: $backend $endpoint: $W_BAD requests failed; its req/s is not a valid figure"
    fi
}

# Run the reference for an endpoint on whichever database this is.
reference() {
    local backend="$1" target="$2" name="$3"
    shift 3
    case "$backend" in
        postgres) pgbench_run "$target" "$BENCH_DIR/$name.pg.sql" "$@" ;;
        sqlite)
            local args=() arg lo=1 hi=1
            for arg in "$@"; do
                case "$arg" in
                    -D) ;;
                    lo=*) lo="${arg#lo=}" ;;
                    hi=*) hi="${arg#hi=}" ;;
                    *) args+=(--set "$arg") ;;
                esac
            done
            sqlite_run "$target" "$BENCH_DIR/$name.sqlite.sql" --range "$lo:$hi" "${args[@]}"
            ;;
    esac
}

# --- one backend --------------------------------------------------------------------
run_backend() {
    local backend="$1" url="$2" target="$3"
    local log_file="$WORK_DIR/server-$backend.log" admin token started
    log "[$backend] starting the server on $url (it migrates and creates the admin)"
    start_server "$url" "$log_file"

    log "[$backend] loading $LEADS leads with SQL"
    started=$SECONDS
    case "$backend" in
        postgres)
            psql -q -v ON_ERROR_STOP=1 -v leads="$LEADS" -v admin_email="$ADMIN_EMAIL" \
                -f "$BENCH_DIR/seed_leads.pg.sql" "$url" >&2 || die "[$backend] loading the leads failed"
            admin="$(psql -Atq "$url" -c "SELECT id FROM users WHERE email = '$ADMIN_EMAIL'")"
            ;;
        sqlite)
            sqlite3 -bail -cmd ".parameter set :leads $LEADS" -cmd ".parameter set :admin_email '$ADMIN_EMAIL'" \
                "$target" <"$BENCH_DIR/seed_leads.sqlite.sql" >&2 || die "[$backend] loading the leads failed"
            admin="$(sqlite3 "$target" "SELECT id FROM users WHERE email = '$ADMIN_EMAIL'")"
            ;;
    esac
    log "[$backend] loaded in $((SECONDS - started)) s"
    [[ -n "$admin" ]] || die "[$backend] the bootstrap admin is missing"

    token="$(login)"
    expect_status 200 "$token" "/api/v1/leads/0190a000-0000-7000-8000-$(printf '%012d' $((LEADS / 2)))"
    echo
    echo "=================================================================="
    echo " $backend: $LEADS leads, server pool $POOL_SIZE, ${SECONDS_PER_RUN} s per measurement"
    echo "=================================================================="

    if has_suite get; then
        export BENCH_LO=1 BENCH_HI="$LEADS"
        wrk_run "get by id" "/" "$BENCH_DIR/get_lead.lua"
        reference "$backend" "$target" get_lead -D lo=1 -D hi="$LEADS"
        record "$backend" "GET /leads/{id}"
    fi
    if has_suite list; then
        wrk_run "first list page" "/api/v1/leads?limit=50" ""
        reference "$backend" "$target" list_first
        record "$backend" "GET /leads?limit=50"
    fi
    if has_suite deep; then
        local position=$(((LEADS / 2 / 200) * 200)) spread=$((LEADS / 100)) lo hi
        log "[$backend] following next_cursor to row $position"
        read -r lo hi < <(python3 "$BENCH_DIR/deep_cursors.py" "$BASE_URL" "$token" "$LEADS" "$position" \
            "$spread" "$WORK_DIR/cursors.txt") || die "[$backend] the deep cursors do not match the server's"
        export BENCH_CURSORS="$WORK_DIR/cursors.txt"
        wrk_run "deep keyset page (~row $position)" "/" "$BENCH_DIR/deep_page.lua"
        reference "$backend" "$target" list_deep -D lo="$lo" -D hi="$hi"
        record "$backend" "GET /leads?limit=50&cursor=(~$position)"
    fi
    if has_suite create; then
        wrk_run "create with audit" "/" "$BENCH_DIR/create_lead.lua" -H 'Content-Type: application/json'
        reference "$backend" "$target" create_lead -D admin="$admin"
        record "$backend" "POST /leads"
    fi
    if [[ "$backend" == postgres ]] && has_suite funnel; then
        run_funnel "$url"
    fi
    if has_suite order; then
        export BENCH_ORDER_BODY
        BENCH_ORDER_BODY="$(python3 "$BENCH_DIR/money.py" setup "$BASE_URL" "$(login)")" \
            || die "[$backend] setting up the order benchmark failed"
        wrk_run "create an order with 10 lines" "/" "$BENCH_DIR/create_order.lua" -H 'Content-Type: application/json'
        R_TPS=""
        record "$backend" "POST /orders (10 lines)"
    fi
    if has_suite confirm; then
        timed "$backend" "POST /payments/{id}/confirm" \
            python3 "$BENCH_DIR/money.py" confirm "$BASE_URL" "$(login)" "$SAMPLES"
    fi
    if [[ "$backend" == postgres ]] && has_suite aging; then
        run_aging "$url"
    fi
    if [[ "$backend" == postgres ]] && has_suite commission; then
        run_commission "$url"
    fi

    local rss
    rss="$(awk '/^VmHWM:/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo "?")"
    RSS_ROWS+=("$(printf '%-8s %s' "$backend" "$rss")")
    stop_server
}

# The funnel report over $OPPORTUNITIES opportunities, loaded with SQL (scripts/bench_funnel.sql).
run_funnel() {
    local url="$1" token body status count started latency
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
    echo "--- funnel: $count opportunities in the cohort, $SAMPLES sequential requests"
    latency="$(python3 scripts/bench_latency.py "$funnel_url" "$token" "$SAMPLES")" \
        || die "[postgres] timing the funnel failed"
    local l_p50 l_p99 l_min l_max l_mean
    read -r l_p50 l_p99 l_min l_max l_mean <<<"$latency"
    echo "p50 ${l_p50} ms, p99 ${l_p99} ms (min ${l_min}, max ${l_max}, mean ${l_mean})"
    FUNNEL_ROW="$(printf 'postgres: p50 %s ms, p99 %s ms (min %s, max %s, mean %s), %s sequential requests' \
        "$l_p50" "$l_p99" "$l_min" "$l_max" "$l_mean" "$SAMPLES")"
}

# Time something that prints "p50 p99 min max mean" in ms: timed <backend> <label> <command...>.
timed() {
    local backend="$1" label="$2" out l_p50 l_p99 l_min l_max l_mean
    shift 2
    echo
    echo "--- $label: $SAMPLES sequential requests"
    out="$("$@")" || die "[$backend] timing $label failed"
    read -r l_p50 l_p99 l_min l_max l_mean <<<"$out"
    echo "p50 ${l_p50} ms, p99 ${l_p99} ms (min ${l_min}, max ${l_max}, mean ${l_mean})"
    LATENCY_ROWS+=("$(printf '%-8s %-52s p50 %6s ms, p99 %6s ms (min %s, max %s, mean %s)' \
        "$backend" "$label" "$l_p50" "$l_p99" "$l_min" "$l_max" "$l_mean")")
}

# The receivables-aging report over 4 × $AGING_ORDERS instalments, loaded with SQL.
run_aging() {
    local url="$1" token owner account started
    token="$(login)"
    owner="$(psql -Atq "$url" -c "SELECT id FROM users WHERE email = '$ADMIN_EMAIL'")"
    account="$(psql -Atq "$url" -c "SELECT id FROM accounts ORDER BY id LIMIT 1")"
    [[ -n "$account" ]] || account="$(curl -sf -X POST "$BASE_URL/api/v1/accounts" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d '{"name":"Bench aging customer"}' \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')"
    log "[postgres] loading $((AGING_ORDERS * 4)) instalments on $AGING_ORDERS orders"
    started=$SECONDS
    psql -q -v ON_ERROR_STOP=1 -v orders="$AGING_ORDERS" -v owner="$owner" -v account="$account" \
        -f "$BENCH_DIR/seed_receivables.pg.sql" "$url" >&2 || die "[postgres] loading the instalments failed"
    log "[postgres] loaded in $((SECONDS - started)) s"
    local aging_url="$BASE_URL/api/v1/reports/receivables-aging?group_by=owner"
    expect_status 200 "$token" "/api/v1/reports/receivables-aging?group_by=owner"
    timed postgres "GET /reports/receivables-aging ($((AGING_ORDERS * 4)) instalments)" \
        python3 scripts/bench_latency.py "$aging_url" "$token" "$SAMPLES"
}

# A commission run over $COMMISSION_USERS reps and $COMMISSION_ORDERS orders, loaded with SQL.
run_commission() {
    local url="$1" token account year quarter_start plan period started out status run_id
    token="$(login)"
    account="$(psql -Atq "$url" -c "SELECT id FROM accounts ORDER BY id LIMIT 1")"
    [[ -n "$account" ]] || account="$(curl -sf -X POST "$BASE_URL/api/v1/accounts" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d '{"name":"Bench commission customer"}' \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')"
    # Last quarter, which has ended, so that its run can be approved and paid.
    read -r year quarter_start period < <(python3 -c '
import datetime as d
t = d.datetime.now(d.timezone.utc).date()
this = d.date(t.year, (t.month - 1) // 3 * 3 + 1, 1)
last = (this - d.timedelta(days=1)).replace(day=1)
start = last.replace(month=(last.month - 1) // 3 * 3 + 1)
print(start.year, start, f"{start.year}-Q{(start.month - 1) // 3 + 1}")')
    plan="$(curl -sf -X POST "$BASE_URL/api/v1/commission-plans" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d "{\"name\": \"Bench plan\", \"basis\": \"booking\", \"period\": \"quarter\",
            \"tier_mode\": \"marginal\", \"effective_from\": \"$year-01-01\", \"cap\": {\"amount\": 50000000, \"currency\": \"CNY\"},
            \"tiers\": [{\"from_bps\": 0, \"to_bps\": 8000, \"rate_bps\": 300}, {\"from_bps\": 8000, \"to_bps\": 10000, \"rate_bps\": 500},
                        {\"from_bps\": 10000, \"to_bps\": null, \"rate_bps\": 800}]}" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')" || die "[postgres] creating the bench plan failed"
    log "[postgres] loading $COMMISSION_USERS reps and $COMMISSION_ORDERS booked orders for $period"
    started=$SECONDS
    psql -q -v ON_ERROR_STOP=1 -v users="$COMMISSION_USERS" -v orders="$COMMISSION_ORDERS" -v account="$account" \
        -v plan="$plan" -v year="$year" -v quarter_start="$quarter_start" \
        -f "$BENCH_DIR/seed_commissions.pg.sql" "$url" >&2 || die "[postgres] loading the commission data failed"
    log "[postgres] loaded in $((SECONDS - started)) s"

    echo
    echo "--- commission run: $COMMISSION_USERS reps, $COMMISSION_ORDERS orders in $period"
    out="$(curl -s -o "$WORK_DIR/run.json" -w '%{http_code} %{time_total}' -X POST "$BASE_URL/api/v1/commission-runs" \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"plan_id\": \"$plan\", \"period\": \"$period\"}")"
    status="${out%% *}"
    [[ "$status" == "201" ]] || die "[postgres] POST /commission-runs answered $status: $(head -c 300 "$WORK_DIR/run.json")"
    run_id="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK_DIR/run.json")"
    local lines
    lines="$(psql -Atq "$url" -c "SELECT count(*) FROM commission_lines l JOIN commission_statements s ON s.id = l.statement_id WHERE s.run_id = '$run_id'")"
    echo "POST /commission-runs: ${out#* } s, $lines statement lines"
    COMMISSION_ROWS+=("$(printf 'postgres: run %s s' "${out#* }")")
    out="$(curl -s -o "$WORK_DIR/run.json" -w '%{http_code} %{time_total}' -X POST \
        "$BASE_URL/api/v1/commission-runs/$run_id/recompute" -H "Authorization: Bearer $token")"
    [[ "${out%% *}" == "200" ]] || die "[postgres] recompute answered ${out%% *}"
    echo "POST /commission-runs/{id}/recompute: ${out#* } s"
    COMMISSION_ROWS+=("$(printf 'postgres: recompute %s s, %s lines' "${out#* }" "$lines")")
    commission_step "GET /commission-statements (200)" 200 GET "/api/v1/commission-statements?run_id=$run_id&limit=200"
    local statement
    statement="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["data"][0]["id"])' "$WORK_DIR/run.json")"
    commission_step "GET /commission-statements/{id}/lines (200)" 200 GET \
        "/api/v1/commission-statements/$statement/lines?limit=200"
    commission_step "POST /commission-runs/{id}/approve" 200 POST "/api/v1/commission-runs/$run_id/approve"
    commission_step "POST /commission-runs/{id}/pay" 200 POST "/api/v1/commission-runs/$run_id/pay"
    echo "where the time went, by the server's log:"
    grep -E 'credits of|commission run' "$WORK_DIR/server-postgres.log" | sed -E 's/^.*\] //; s/^/  /' || true
}

# One timed request of the commission suite as the admin: `commission_step LABEL STATUS METHOD PATH`;
# the answer is left in $WORK_DIR/run.json.
commission_step() {
    local label="$1" want="$2" method="$3" path="$4" out status seconds bytes
    out="$(curl -s -o "$WORK_DIR/run.json" -w '%{http_code} %{time_total} %{size_download}' -X "$method" \
        "$BASE_URL$path" -H "Authorization: Bearer $token")"
    read -r status seconds bytes <<<"$out"
    [[ "$status" == "$want" ]] || die "[postgres] $label answered $status: $(head -c 300 "$WORK_DIR/run.json")"
    echo "$label: $seconds s, $bytes bytes"
    COMMISSION_ROWS+=("$(printf 'postgres: %s %s s, %s bytes' "$label" "$seconds" "$bytes")")
}

for backend in $BACKENDS; do
    case "$backend" in
        sqlite)
            run_backend sqlite "sqlite://$WORK_DIR/bench.db" "$WORK_DIR/bench.db"
            ;;
        postgres)
            pg_isready -d "$PG_BASE/postgres" >/dev/null 2>&1 \
                || die "PostgreSQL at $PG_BASE is not accepting connections"
            psql -q "$PG_BASE/postgres" \
                -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" \
                || die "could not create database $PG_DB on $PG_BASE"
            PG_CREATED=1
            run_backend postgres "$PG_BASE/$PG_DB" "$PG_BASE/$PG_DB"
            drop_pg_db
            ;;
        *)
            die "unknown backend '$backend' (expected sqlite or postgres)"
            ;;
    esac
done

echo
echo "=================================================================="
echo " salesops / reference, $LEADS leads, ${SECONDS_PER_RUN} s each"
echo " salesops: wrk -t2 -c$CONNECTIONS, server pool $POOL_SIZE"
echo " reference: pgbench -M prepared -c$POOL_SIZE -j2 (postgres); sqlite_reference, $CORES threads (sqlite)"
echo "=================================================================="
if [[ ${#ROWS[@]} -gt 0 ]]; then
    printf '%-8s | %-36s | %9s | %8s | %8s | %7s | %9s | %6s\n' backend endpoint "req/s" p50 p99 failed \
        "ref tps" ratio
    printf '%s\n' "${ROWS[@]}"
fi
if [[ -n "$FUNNEL_ROW" ]]; then
    echo
    echo "GET /api/v1/reports/funnel, $OPPORTUNITIES opportunities: $FUNNEL_ROW"
fi
if [[ ${#LATENCY_ROWS[@]} -gt 0 ]]; then
    echo
    echo "sequential latency (one client):"
    printf '  %s\n' "${LATENCY_ROWS[@]}"
fi
if [[ ${#COMMISSION_ROWS[@]} -gt 0 ]]; then
    echo
    echo "commission run, $COMMISSION_USERS reps, $COMMISSION_ORDERS orders (goal: under 10 s):"
    printf '  %s\n' "${COMMISSION_ROWS[@]}"
fi
if [[ ${#RSS_ROWS[@]} -gt 0 ]]; then
    echo
    echo "server peak RSS (VmHWM):"
    printf '  %s\n' "${RSS_ROWS[@]}"
fi
echo
echo "load average (1, 5, 15 min) before the measurements: $LOAD_AT_START; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)'), $CORES CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
