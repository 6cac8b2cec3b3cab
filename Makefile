# The two commands (see README): `make run` serves Resonance on SQLite; `make test` runs
# every test. Both install the tools they need first and skip what is already there.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run test tools lint e2e bench bench-dashboard bench-pages fuzz api-schema

# Only the build tools first: the test tools (chromium, aiosmtpd) are not needed to serve.
run:
	bash .ci/tools.sh build
	node .ci/site.mjs --release
	./target/release/resonance serve

tools:
	bash .ci/tools.sh

lint: tools
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

# Unit, property, storage-contract (SQLite and PostgreSQL) and HTTP tests, then the
# browser journeys. PostgreSQL may be skipped outside CI only, and says so.
test: tools
	@if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then \
	  echo "PostgreSQL reachable: the storage contract runs on SQLite and PostgreSQL"; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "PostgreSQL is required in CI but 127.0.0.1:5432 is not reachable" >&2; exit 1; \
	else \
	  echo "SKIPPING the PostgreSQL storage suite: 127.0.0.1:5432 is not reachable"; \
	fi
	RESONANCE_TEST_POSTGRES=$$( (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && echo "$(POSTGRES_URL)" || echo skip) \
	  cargo test --workspace
	$(MAKE) e2e

e2e: tools
	node .ci/site.mjs
	cd end2end && npm test


# Answer page, answer POST, a 100 000-row contact import and a 100 000-recipient send on
# both backends, each as a ratio of the raw insert rate of the same database measured in
# the same run; email delivery as a ratio of each loopback SMTP server's raw rate
# (aiosmtpd, and Postfix's smtp-sink unpacked from Debian's package); the dashboard at a
# million answers against a full scan; webhook deliveries against a loopback receiver's
# raw rate; then Lighthouse's mobile run on the release
# build's answer page and an admin page.
bench: tools
	POSTFIX_DIR=$$(bash server/benches/postfix.sh) \
	  cargo bench -p server --bench answer --bench import --bench send --bench webhooks
	$(MAKE) bench-dashboard
	$(MAKE) bench-pages

# The dashboard (page and API, five views) at DASHBOARD_ANSWERS demo responses (default
# 1 000 000) on SQLite and PostgreSQL, as multiples of a full scan of the same answers.
# DASHBOARD_BACKENDS=postgres DASHBOARD_ANSWERS=10000000 runs the tenfold case.
bench-dashboard: tools
	cargo bench -p server --bench dashboard

# Lighthouse's mobile run on the release build's answer page and admin survey list, and
# the bytes of a first and second visit. Lighthouse lives in end2end/bench/ (npm), apart
# from the journeys' packages, so CI does not install it.
bench-pages: tools
	node .ci/site.mjs --release
	cd end2end/bench && { [ -d node_modules/lighthouse ] || npm ci --no-audit --no-fund; } && node pages.mjs

# Coverage-guided fuzzing (cargo-fuzz, libFuzzer) of what the domain makes of untrusted
# input: contact CSV files, survey definitions' JSON, answer forms, the editor's form.
# Each target runs FUZZ_SECONDS; a crash fails the command and leaves its input in
# app/fuzz/artifacts/. Installs cargo-fuzz if missing. Not part of CI: a documented command.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash app/fuzz/run.sh $(FUZZ_TARGETS)

# The JSON API against its OpenAPI document (schemathesis, pinned, in a venv under
# target/): a server on a fresh SQLite and a fresh PostgreSQL database, no 5xx, every
# response's status, content type and body as documented. About two minutes.
api-schema:
	POSTGRES_URL=$(POSTGRES_URL) python3 server/tests/api_schema.py
