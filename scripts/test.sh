#!/usr/bin/env bash
# The project's test command (README: "Run the tests"). Installs what the tests need on a
# fresh machine, then runs format and lint checks, every test and doctest, and the docs build.
set -euo pipefail
cd "$(dirname "$0")/.."

# Disk: CI machines can have only a few GB free, and a debug build of this workspace with full
# debug info (one statically linked binary per integration test) takes several times the space
# of one without. The tests need no debugger: panics still name file and line. Incremental
# caches only help a second build, and the bench profile's debug info is for profilers, so
# both are off here; `cargo bench` then shares the release build of `sse-bench smoke`.
export CARGO_INCREMENTAL=0
export CARGO_PROFILE_DEV_DEBUG=0
export CARGO_PROFILE_TEST_DEBUG=0
export CARGO_PROFILE_BENCH_DEBUG=false

step() {
    printf '\n==> %s\n' "$*"
    # Free space before each step, so a full disk shows where it filled up.
    df -h . | awk 'NR == 2 { printf "    (disk: %s free of %s)\n", $4, $2 }'
}

step "system packages (Debian): chromium, redis-server, nginx"
# The cluster tests start their own redis-server and nginx on free ports; the browser checks
# drive Debian's chromium. Installed only when missing, so a prepared machine runs offline.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing[@]}"
fi

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "cargo test (unit, integration, doctests)"
cargo test --workspace --all-features --locked

step "cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --locked

# --- benchmark smoke runs ---------------------------------------------------------------
# Every benchmark runs once, briefly and without thresholds, so none of them rots: the
# encode benchmark's functions once each (outputs checked against the decoder), then every
# server peer through every load benchmark with 100 connections.
step "benchmark smoke: encode (sse-core, criterion --test)"
cargo bench -p sse-core --bench encode --locked -- --test

step "benchmark smoke: servers and load client (sse-bench smoke)"
cargo run --release -p sse-bench --locked -- smoke

# --- browser check (tests/browser) ------------------------------------------------------
# Chromium's EventSource reads the fixed event sequence from the axum, actix-web and warp
# test servers (`sse-test-server`) and must receive exactly what the encoding rules promise.
# Installs playwright-core from the lock file (chromium comes from the first step).
step "browser check (Chromium EventSource against axum, actix-web, warp)"
cargo build -p sse-conformance --bin sse-test-server --locked
(cd tests/browser && npm ci --no-audit --no-fund && node check.mjs ../../target/debug/sse-test-server)

# --- demo in the browser (tests/browser/demo.mjs) ---------------------------------------
# The demo page of each demo binary (demo-axum, demo-actix, demo-warp) in Chromium: state,
# clock, online count, a message sent with the form, and 50 messages published while
# --max-stream-ms keeps ending streams, each listed exactly once and in order; then SIGTERM
# must exit 0. Uses the chromium and node_modules installed by the step above.
step "demo in the browser (demo page against demo-axum, demo-actix, demo-warp)"
cargo build -p sse-examples --bin demo-axum --bin demo-actix --bin demo-warp --locked
(cd tests/browser && node demo.mjs --bin-dir ../../target/debug)

# --- the demo as a cluster, through nginx, in the browser (tests/browser/cluster.mjs) -----
# Three demo nodes (axum, actix-web, warp) on one redis-server, behind nginx (round robin),
# all started by the check on free ports: the page keeps every chat message exactly once,
# in order, across the SIGKILL of the node it is connected to.
step "demo cluster in the browser (three --redis nodes behind nginx, one SIGKILLed)"
(cd tests/browser && node cluster.mjs --bin-dir ../../target/debug)
