# Every CI step is a target here; `make help` lists them.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: run
run: ## Build and start the whole product on the embedded defaults (SQLite)
	$(CARGO) build -p instacrush
	./target/debug/instacrush migrate
	@echo "Instacrush: http://$${LISTEN_ADDR:-127.0.0.1:3000}/  (API reference: /api/docs/)"
	exec ./target/debug/instacrush serve

.PHONY: build
build: ## Build every crate and test
	$(CARGO) build --workspace --all-targets

.PHONY: test
test: fmt-check lint test-rust ## Every suite: format, lints, unit and integration tests, OpenAPI drift

.PHONY: test-rust
test-rust: ## Rust unit and integration tests (PostgreSQL too when TEST_POSTGRES_URL is set)
	$(CARGO) build -p instacrush --bin instacrush
	mkdir -p target
	$(CARGO) test --workspace --no-fail-fast 2>&1 | tee target/test-rust.log
	@awk '/^test result:/ { passed += $$4; failed += $$6 } \
	  END { printf "rust: %d passed, %d failed\n", passed, failed; exit (failed > 0 || passed == 0) }' target/test-rust.log

BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export BENCH_POSTGRES_URL

.PHONY: bench
bench: ## Benchmarks, each beside its baseline (PostgreSQL too when BENCH_POSTGRES_URL answers)
	$(CARGO) run -q --profile bench-fast -p instacrush-benchmarks --bin bench-jobs

.PHONY: fmt
fmt: ## Format the Rust code
	$(CARGO) fmt --all

.PHONY: fmt-check
fmt-check: ## Fail when the Rust code is not formatted
	$(CARGO) fmt --all -- --check

.PHONY: lint
lint: ## Clippy with warnings as errors
	$(CARGO) clippy --workspace --all-targets -- -D warnings

.PHONY: openapi
openapi: ## Regenerate openapi.yaml from the code
	$(CARGO) run -q -p instacrush -- openapi > openapi.yaml.tmp
	mv openapi.yaml.tmp openapi.yaml

.PHONY: clean
clean: ## Remove build output and the local database
	$(CARGO) clean
	rm -f instacrush.db instacrush.db-shm instacrush.db-wal
