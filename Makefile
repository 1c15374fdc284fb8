# Earshot: `make run` opens the app, `make test` runs every check CI runs (.ci/run calls it).
# `make setup` installs what is missing and nothing else, so every target can depend on it.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run

# Debian 12 packages: Tauri's build libraries, then what the smoke test needs (Xvfb, WebKit's
# WebDriver, a D-Bus session, an XSETTINGS daemon that switches the desktop to dark), ImageMagick
# for icons/make-icons.sh, sqlite3 for poking at data (and the smoke test's old database), python3
# for the benchmark's window closer (tests/e2e/close-window.py); appstream (appstreamcli validates
# the package's metainfo) and man-db (the package test reads `man earshot`); postgresql for the
# team store's tests, which start throwaway clusters of their own with its initdb and pg_ctl
# (issue 31); zbar-tools (`zbarimg`) and ghostscript to read back the review-request QR codes and
# the printed card (tests/requests.rs).
APT_PACKAGES := build-essential pkg-config libssl-dev curl file \
	libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev \
	libdbus-1-dev xvfb webkit2gtk-driver imagemagick dbus-x11 sqlite3 python3 xsettingsd \
	appstream man-db postgresql zbar-tools ghostscript
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
# Where cargo puts what it builds (CARGO_TARGET_DIR moves it; the figures stay in target/).
BUILD_DIR := $(or $(CARGO_TARGET_DIR),target)
export PATH := $(CARGO_BIN):$(PATH)

.PHONY: setup build run test lint test-rust test-ui smoke package package-test bench fuzz fuzz-ci eval

setup:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v node >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@[ -x node_modules/.bin/tauri ] && [ -f node_modules/axe-core/axe.min.js ] || { \
	  echo "setup: npm install (Tauri CLI, axe-core for the smoke test)"; npm install --no-audit --no-fund --loglevel=error; }
	@command -v tauri-driver >/dev/null || { \
	  echo "setup: cargo install tauri-driver"; cargo install tauri-driver --locked --quiet; }

build: setup
	cargo build --workspace

# Opens the app on the owner's database (EARSHOT_DB or the OS data directory). Without a display
# (an SSH session, CI) it runs under a virtual X server instead, where it works but is unseen.
run: build
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  exec target/debug/earshot-desktop; \
	else \
	  echo "run: no display found; starting Earshot under xvfb-run (invisible). Stop it with Ctrl-C."; \
	  exec xvfb-run -a -s "-screen 0 1600x1000x24" dbus-run-session -- target/debug/earshot-desktop; \
	fi

lint: setup
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

test-rust: setup
	cargo test --workspace

test-ui:
	node --test ui/

smoke: setup
	bash tests/e2e/smoke.sh
	bash tests/e2e/notify.sh
	bash tests/e2e/team.sh

test: setup lint test-rust test-ui smoke fuzz-ci

# Installable bundles under target/release/bundle/{deb,rpm}: both binaries stripped (debug info
# in target/release/debug/), man pages, completions, the watcher's user unit, AppStream metainfo
# (packaging/build.sh). AppImage needs downloads: not here.
package: setup
	bash packaging/build.sh

# The package tested as a release: builds it, installs the .deb into this machine (root or sudo),
# starts the installed app from its menu entry under Xvfb, upgrades an old database, installs a
# newer package over it and removes it, checking the owner's data stays (tests/package/).
# CI runs it after `make test` (.ci/run); figures in target/package-test.json.
package-test: setup
	bash tests/package/package-test.sh

# Import, dashboard and search figures at 10k, 100k and 1M reviews, against sqlite3's own CSV
# import of the same file; then the app's first paint and memory under Xvfb on the largest
# database (tests/e2e/desktop-bench.sh); the app's queries while a sync of the largest file
# writes (examples/bench_load.rs). Prints a table and writes target/bench.json. Needs about
# 2 GB of disk under target/bench and a few minutes.
# BENCH_SIZES and BENCH_PG_SIZES choose the sizes (issue 31's 10M run:
# `make bench BENCH_SIZES=1000000,10000000 BENCH_PG_SIZES=1000000,10000000`, hours and ~30 GB on
# a small machine); the PostgreSQL column (import, stats, inbox page, search on a throwaway
# cluster) goes to target/bench-pg.json.
BENCH_SIZES ?= 10000,100000,1000000
BENCH_PG_SIZES ?= 100000,1000000
bench: setup
	cargo build --release -p earshot --bin earshot --example bench --example bench_load --example bench_pg
	$(BUILD_DIR)/release/examples/bench --sizes $(BENCH_SIZES)
	$(BUILD_DIR)/release/examples/bench_pg --sizes $(BENCH_PG_SIZES)
	$(BUILD_DIR)/release/examples/bench_load
	cargo build --release -p earshot-desktop --features custom-protocol
	bash tests/e2e/desktop-bench.sh

# The sentiment model against star ratings nobody on the team wrote (the Booking.com sample, CC0):
# binary accuracy (the score's side), per side, where 3-star reviews land, the labels strictly, even and
# odd rows apart; writes target/eval.json (--out PATH), fails below 0.85 binary or at most half 3★ neutral.
# Then one table over every labelled set (tests/fixtures/eval/README.md), beside the frozen baseline and
# VADER. Pattern's test corpora (personal use, so not in the repo) are fetched once into
# target/eval-data with pip, as `make setup` installs what is missing; without a network the table
# goes without them. UMSAB's tweets in six languages (XLM-T; terms of Twitter and of the source corpora
# may apply, so not in the repo) come from a checkout named by UMSAB_DIR (`git clone
# https://github.com/cardiffnlp/xlm-t`, commit 874214d): the test split into target/eval-data (held out),
# train + val into target/dev-sets (tuning); without UMSAB_DIR the table goes without them.
eval:
	@[ -f target/eval-data/de-amazon-books.tsv ] || python3 tools/sentiment/prepare_data.py --eval-extra target/eval-data \
	  || echo "eval: Pattern's corpora could not be fetched; the table goes without them"
	@[ -z "$(UMSAB_DIR)" ] || [ -f target/eval-data/it-umsab-tweets.tsv ] \
	  || python3 tools/sentiment/prepare_data.py --umsab "$(UMSAB_DIR)" \
	  || echo "eval: UMSAB's tweets could not be read from $(UMSAB_DIR); the table goes without them"
	cargo run --release -p earshot --example eval -- tests/fixtures/booking-hotel-reviews-sample.csv

# libFuzzer on the connector parsers and the import, FUZZ_SECONDS each (cargo-fuzz; this machine
# has only a stable toolchain, hence RUSTC_BOOTSTRAP and no sanitizer). It starts from the seed
# documents of tests/fuzz.rs and keeps what it finds in fuzz/corpus; a crash fails the target and
# leaves the input in fuzz/artifacts. `make test` runs it for 30 s a target (fuzz-ci); a longer
# run is `make fuzz FUZZ_SECONDS=3600`.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -max_total_time=$(FUZZ_SECONDS) -timeout=30 -print_final_stats=1
# One variable for the build and the runs, so the runs reuse the build. (cargo-fuzz's
# --codegen-units 16 was measured and left out: no less CPU over the first 216 crates, 354 s
# against 336 s, and cargo-fuzz warns that it slows the fuzzing.)
FUZZ_BUILD = -s none
FUZZ_TARGETS = connector_body import_file
fuzz: setup
	@command -v cargo-fuzz >/dev/null || { \
	  echo "fuzz: cargo install cargo-fuzz"; cargo install cargo-fuzz --locked --quiet; }
	EARSHOT_FUZZ_SEEDS=$(CURDIR)/fuzz/corpus cargo test --quiet --workspace --test tests fuzz::seeds_for_cargo_fuzz
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build $(FUZZ_BUILD)
	@# libFuzzer runs on one core: the targets fuzz side by side, each for the full FUZZ_SECONDS, each
	@# printing its log when it ends; any one failing fails the target.
	@cd fuzz && mkdir -p ../target/fuzz-logs && pids="" && for t in $(FUZZ_TARGETS); do \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run $$t $(FUZZ_BUILD) -- $(FUZZ_FLAGS) >../target/fuzz-logs/$$t.log 2>&1 & \
	  pids="$$pids $$!"; done; \
	  failed=""; set -- $(FUZZ_TARGETS); for p in $$pids; do \
	  wait $$p || failed="$$failed $$1"; echo "fuzz: $$1:"; tail -n 25 ../target/fuzz-logs/$$1.log; shift; done; \
	  [ -z "$$failed" ] || { echo "fuzz: failed:$$failed (full logs in target/fuzz-logs/)" >&2; exit 1; }

# CI's 30 s a target is a check that the targets build and run from the seeds, not a hunt: it
# builds them unoptimised. Measured cold (this machine, busy): the optimised build (cargo-fuzz's
# release, one codegen unit a crate) took 825 s of CPU, the unoptimised one 354 s.
fuzz-ci:
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30 FUZZ_BUILD="-s none --dev"
