# salesops developer tasks. See STYLE.md for the layout these targets assume.

CARGO ?= cargo

# The integration tests run every scenario on SQLite and on this PostgreSQL
# server; they fail loudly when it is unreachable.
SALESOPS_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
export SALESOPS_TEST_POSTGRES_URL

.PHONY: run test openapi lint fuzz bench bench-funnel seed-demo

run:
	$(CARGO) run --release -p salesops-api --bin salesops -- serve

test:
	scripts/check-domain-deps.sh
	scripts/check-module-boundaries.sh
	$(CARGO) test --workspace
	scripts/validate-openapi.sh

# Written through a temporary file so that a failed build does not leave an
# empty openapi/openapi.json behind.
openapi:
	$(CARGO) run -q -p salesops-api --bin salesops -- openapi > openapi/openapi.json.tmp
	mv openapi/openapi.json.tmp openapi/openapi.json

# The schema checks install pinned tools from npm and PyPI into .tools/ the first
# time (see README, "Lint"), so they need those registries; `make test` does not.
lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	scripts/lint-openapi.sh
	scripts/check-python-client.sh

# schemathesis over every operation, on SQLite then PostgreSQL, with a fixed seed and
# budget (SALESOPS_FUZZ_EXAMPLES, default 10): no 5xx, and answers match the schema.
fuzz:
	scripts/fuzz.sh

# salesops against its database's own speed, side by side: for each lead endpoint,
# wrk against the server then pgbench (PostgreSQL) or sqlite_reference (SQLite) running
# the endpoint's SQL, printed as a ratio; 100,000 leads; then the funnel report over
# 100,000 opportunities on PostgreSQL (about ten minutes in all). See scripts/bench.sh;
# SALESOPS_BENCH_LEADS=10000 SALESOPS_BENCH_SECONDS=5 make bench for a quick run.
bench:
	scripts/bench.sh

# The funnel benchmark alone.
bench-funnel:
	SALESOPS_BENCH_SUITES=funnel SALESOPS_BENCH_BACKENDS=postgres scripts/bench.sh

seed-demo:
	$(CARGO) run --release -p salesops-api --bin salesops -- seed-demo
