# salesops developer tasks. See STYLE.md for the layout these targets assume.

CARGO ?= cargo

# The integration tests run every scenario on SQLite and on this PostgreSQL
# server; they fail loudly when it is unreachable.
SALESOPS_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
export SALESOPS_TEST_POSTGRES_URL

.PHONY: run test openapi lint bench seed-demo

run:
	$(CARGO) run --release -p salesops-api --bin salesops -- serve

test:
	scripts/check-domain-deps.sh
	$(CARGO) test --workspace
	scripts/validate-openapi.sh

# Written through a temporary file so that a failed build does not leave an
# empty openapi/openapi.json behind.
openapi:
	$(CARGO) run -q -p salesops-api --bin salesops -- openapi > openapi/openapi.json.tmp
	mv openapi/openapi.json.tmp openapi/openapi.json

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

bench:
	scripts/bench.sh

seed-demo:
	$(CARGO) run --release -p salesops-api --bin salesops -- seed-demo
