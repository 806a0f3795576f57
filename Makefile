# Every CI step is a target here; `make help` lists them.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
# Where cargo puts its builds (CARGO_TARGET_DIR when set, as cargo does).
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

FRONTEND_DEPS := frontend/node_modules/.package-lock.json
SDK_DEPS := sdk/node_modules/.package-lock.json
GRAPHILE_DEPS := benchmarks/graphile/node_modules/.package-lock.json

$(FRONTEND_DEPS): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

$(SDK_DEPS): sdk/package-lock.json
	cd sdk && npm ci --no-audit --no-fund

$(GRAPHILE_DEPS): benchmarks/graphile/package-lock.json
	cd benchmarks/graphile && npm ci --no-audit --no-fund

.PHONY: run
run: $(FRONTEND_DEPS) ## Build and start the whole product on the embedded defaults (SQLite, sandbox)
	cd frontend && npm run build
	$(CARGO) build -p instacrush
	$(TARGET_DIR)/debug/instacrush migrate
	@echo "Instacrush: http://$${LISTEN_ADDR:-127.0.0.1:3000}/  (API reference: /api/docs/)"
	exec $(TARGET_DIR)/debug/instacrush serve

.PHONY: build
build: ## Build every crate and test
	$(CARGO) build --workspace --all-targets

.PHONY: test
test: fmt-check lint layering deny test-rust test-contract test-sdk test-frontend test-e2e ## Every suite: Rust, OpenAPI drift, contract fuzzing, generated clients, the SPA, end-to-end
	@echo "== all suites passed"
	@tail -n 1 target/test-rust.summary

.PHONY: test-rust
test-rust: ## Rust unit and integration tests (PostgreSQL too when TEST_POSTGRES_URL is set)
	$(CARGO) build -p instacrush --bin instacrush
	mkdir -p target
	$(CARGO) test --workspace --no-fail-fast 2>&1 | tee target/test-rust.log
	@awk '/^test result:/ { passed += $$4; failed += $$6 } \
	  END { printf "rust: %d passed, %d failed\n", passed, failed; exit (failed > 0 || passed == 0) }' \
	  target/test-rust.log | tee target/test-rust.summary

.PHONY: test-faults
test-faults: ## The full fault drill: API and worker processes on PostgreSQL under kills, a database cut, Instagram errors (make test runs a short one)
	$(CARGO) build -p instacrush --bin instacrush
	FAULT_DRILL=full $(CARGO) test -p instacrush-tests --test api fault_drill -- --nocapture

.PHONY: test-contract
test-contract: ## Fuzz the running server against openapi.yaml (schemathesis): valid and invalid data, each operation's security
	$(CARGO) build -p instacrush --bin instacrush
	bash scripts/contract-test.sh

.PHONY: test-sdk
test-sdk: $(SDK_DEPS) ## Generated clients: Redocly lint, a TypeScript client type-checked, a Python client's flow against the server
	$(CARGO) build -p instacrush --bin instacrush
	bash scripts/sdk-test.sh

.PHONY: test-frontend
test-frontend: $(FRONTEND_DEPS) ## SPA: API types current, lint, typecheck, unit tests, build within its size budget
	cd frontend && npm run check:api && npm run lint && npm run typecheck && npm test && npm run build

.PHONY: test-e2e
test-e2e: test-frontend ## Playwright in Chromium against the real server and its sandbox
	$(CARGO) build -p instacrush --bin instacrush
	cd frontend && npm run test:e2e

.PHONY: dev
dev: $(FRONTEND_DEPS) ## Vite dev server (http://127.0.0.1:5173) proxying the API on :3000 (run `make run` beside it)
	cd frontend && npm run dev

BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export BENCH_POSTGRES_URL

.PHONY: bench
bench: $(GRAPHILE_DEPS) ## Benchmarks, each beside its baseline (PostgreSQL too when BENCH_POSTGRES_URL answers)
	$(CARGO) run -q --profile bench-fast -p instacrush-benchmarks --bin bench-jobs
	$(CARGO) run -q --profile bench-fast -p instacrush-benchmarks --bin bench-sync
	$(CARGO) run -q --profile bench-fast -p instacrush-benchmarks --bin bench-budget
	$(CARGO) run -q --profile bench-fast -p instacrush-benchmarks --bin bench-api
	$(CARGO) run -q --profile bench-fast -p instacrush-benchmarks --bin bench-card

.PHONY: fmt
fmt: ## Format the Rust code
	$(CARGO) fmt --all

.PHONY: fmt-check
fmt-check: ## Fail when the Rust code is not formatted
	$(CARGO) fmt --all -- --check

.PHONY: lint
lint: ## Clippy with warnings as errors
	$(CARGO) clippy --workspace --all-targets -- -D warnings

.PHONY: deny
deny: ## Dependencies: banned crates (rsa, openssl), licences, sources (cargo-deny, offline checks)
	$(CARGO) deny check bans licenses sources

.PHONY: layering
layering: ## Fail on an import cycle between top-level modules of backend/src (docs/architecture.md)
	python3 scripts/check-module-cycles.py

.PHONY: openapi
openapi: $(FRONTEND_DEPS) ## Regenerate openapi.yaml from the code, and the SPA's types from it
	$(CARGO) run -q -p instacrush -- openapi > openapi.yaml.tmp
	mv openapi.yaml.tmp openapi.yaml
	cd frontend && npm run gen:api

.PHONY: clean
clean: ## Remove build output and the local database
	$(CARGO) clean
	rm -f instacrush.db instacrush.db-shm instacrush.db-wal
	rm -rf frontend/dist frontend/node_modules sdk/node_modules
