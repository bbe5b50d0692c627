# edge-auth: build, run and test the Rust → wasm32 Cloudflare Worker.
#
#   make setup    install what is missing (wasm32 target, wasm-bindgen CLI, npm packages,
#                 Debian chromium + wrk); a warm run only checks and takes well under 2 s
#   make build    cargo (wasm32, release) → wasm-bindgen → esbuild: build/index.js + build/index_bg.wasm
#   make test     setup, native `cargo test`, build, a smoke run of the bench harness, then the
#                 end-to-end suite (node --test tests/e2e/)
#   make dev      setup, build, then a local OIDC provider + wrangler dev on http://127.0.0.1:8787
#   make deploy   setup, build, then `wrangler deploy`
#   make bench    edge-auth vs a pass-through worker vs Auth.js on bare workerd: bench/RESULTS.md
#   make clean    remove build outputs (build/, dist/, target/); `make distclean` also node_modules/ and .wrangler/
#
# The build does not use worker-build: js/entry.mjs is the entry shim worker-build 0.8.7 would
# generate, and the rest is plain cargo + wasm-bindgen + esbuild (from wrangler's dependencies).

# POSIX sh, not bash: wrangler runs `make -s build` with stdin on a socket, and bash then sources
# /etc/bash.bashrc and ~/.bashrc for every recipe line (slow, and noisy under `set -u`).
SHELL := /bin/sh
.SHELLFLAGS := -ec
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

CARGO        ?= cargo
NPM          ?= npm
NODE         ?= node
WASM_BINDGEN ?= wasm-bindgen
CARGO_FLAGS  ?= --locked
# esbuild flags for the entry bundle; `make -B build ESBUILD_FLAGS=` gives a readable build/index.js.
ESBUILD_FLAGS ?= --minify

WRANGLER := ./node_modules/.bin/wrangler
ESBUILD  := ./node_modules/.bin/esbuild

WASM_TARGET := wasm32-unknown-unknown
# The library artefact: the [package] name with '-' → '_' (edge-auth → edge_auth).
CRATE       := $(shell sed -n 's/^name = "\(.*\)"$$/\1/p;T;q' Cargo.toml | tr - _)
TARGET_DIR  := $(or $(CARGO_TARGET_DIR),target)
WASM        := $(TARGET_DIR)/$(WASM_TARGET)/release/$(CRATE).wasm
# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"$$/\1/p;q}' Cargo.lock)
RUST_SOURCES := $(shell find src -type f 2>/dev/null) Cargo.toml Cargo.lock
NODE_STAMP   := node_modules/.edge-auth-installed
SUDO         := $(if $(filter 0,$(shell id -u)),,sudo)
# The e2e browser tests drive Debian's Chromium at this path.
CHROMIUM     := /usr/bin/chromium

# wrangler without the network: no telemetry, no cf.json fetch, no update check.
export WRANGLER_SEND_METRICS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false
export WRANGLER_HIDE_BANNER := true
# playwright-core never downloads browsers; the tests drive Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: help setup rust-tools node-modules system-packages build build-unlocked test dev deploy bench clean distclean

help:
	@sed -n '3,11s/^# \{0,1\}//p' Makefile

# ---- setup -----------------------------------------------------------------------------------

setup: rust-tools node-modules system-packages

rust-tools:
	@if [ -z "$(WASM_BINDGEN_VERSION)" ]; then echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; fi
	@if [ ! -d "$$(rustc --print sysroot)/lib/rustlib/$(WASM_TARGET)/lib" ]; then \
	  echo "setup: rustup target add $(WASM_TARGET)"; rustup target add $(WASM_TARGET); fi
	@if [ "$$($(WASM_BINDGEN) --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "setup: cargo install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION) (a few minutes)"; \
	  $(CARGO) install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION); fi

node-modules: $(NODE_STAMP)

# npm ci only when node_modules is missing or older than the lockfile.
$(NODE_STAMP): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

# The build only needs esbuild to exist: it never re-runs npm ci under a running wrangler.
$(ESBUILD):
	$(NPM) ci --no-audit --no-fund
	@touch $(NODE_STAMP)

system-packages:
	@if [ ! -x $(CHROMIUM) ] || ! command -v wrk >/dev/null; then \
	  echo "setup: apt-get install chromium wrk"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium wrk; fi

# ---- build -----------------------------------------------------------------------------------

# Serialised with flock: several `wrangler dev` (tests, `make dev`) may run `make -s build` at once.
build:
	@mkdir -p build && flock build/.lock $(MAKE) build-unlocked

build-unlocked: build/index.js build/index_bg.wasm

# WASM_BINDGEN_USE_JS_SYS=1 as worker-build sets it: wasm-bindgen's macro then drives async
# exports with js_sys::futures.
$(WASM): $(RUST_SOURCES) | rust-tools
	WASM_BINDGEN_USE_JS_SYS=1 $(CARGO) build $(CARGO_FLAGS) --release --target $(WASM_TARGET) --lib
	@touch $@

# The flags worker-build 0.8.7 passes: `--target module` (the glue instantiates the module
# itself) plus the reset-state function and abort handler the entry uses to recover from panics.
# --remove-name-section: no function names in the module (smaller; with strip = "debuginfo"
# they would be about a quarter of it); panics are still logged with their Rust message and
# source location.
build/bindgen/index.js: $(WASM) Makefile
	@rm -rf build/bindgen
	$(WASM_BINDGEN) $(WASM) --out-dir build/bindgen --out-name index --target module --no-typescript \
	  --experimental-reset-state-function --force-enable-abort-handler --remove-name-section

build/index_bg.wasm: build/bindgen/index.js
	@cp build/bindgen/index_bg.wasm $@.tmp && mv -f $@.tmp $@

# One ES module with the wasm kept external. wasm-bindgen writes a source-phase import
# (`import source m from "./index_bg.wasm"`); like worker-build, turn it into the plain import
# that wrangler, Miniflare and workerd load as a compiled WebAssembly.Module.
build/index.js: js/entry.mjs build/bindgen/index.js Makefile | $(ESBUILD)
	$(ESBUILD) js/entry.mjs --bundle --format=esm $(ESBUILD_FLAGS) '--external:*.wasm' '--external:cloudflare:*' \
	  --log-level=warning --outfile=$@.tmp
	@sed -i 's/import source \([A-Za-z_$$][A-Za-z0-9_$$]*\) *from *"\.\/index_bg\.wasm"/import \1 from".\/index_bg.wasm"/' $@.tmp
	@if grep -q 'import source ' $@.tmp; then echo "build: unexpected source-phase import left in $@" >&2; exit 1; fi
	@mv -f $@.tmp $@

# ---- run -------------------------------------------------------------------------------------

# The e2e tests start `wrangler dev` themselves (its [build] step re-runs `make -s build`, a
# no-op by then). The outer make's variables are not passed down to those nested makes.
test: setup
	$(CARGO) test $(CARGO_FLAGS)
	$(MAKE) build
	$(MAKE) bench-smoke
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(NODE) --test tests/e2e/

dev: setup build
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(NODE) scripts/dev.mjs

deploy: setup build
	$(WRANGLER) deploy

# edge-auth against a pass-through worker and Auth.js, side by side on bare workerd, loaded by wrk
# (bench/run.mjs). Measurements, not tests: prints a markdown table and writes bench/RESULTS.md,
# asserts no timing. About 3.5 minutes (BENCH_ROUNDS, BENCH_DURATION, ... tune it; see bench/run.mjs).
bench: setup build
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(NODE) bench/run.mjs

# The same harness with ~1 s of load per cell and one round (about 15 s). Fails if any worker
# answers wrong (status, Location, body); writes a temp file, never bench/RESULTS.md.
.PHONY: bench-smoke
bench-smoke: setup build
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL BENCH_SMOKE=1 $(NODE) bench/run.mjs

clean:
	rm -rf build dist
	$(CARGO) clean

distclean: clean
	rm -rf node_modules .wrangler
