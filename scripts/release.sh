#!/usr/bin/env bash
# A release build of the kasm-plan CLI, the core component embedded in it
# (host/build.rs compiles and encodes it), copied to dist/ with its size.
# Needs rustup's wasm32-unknown-unknown target, which this adds.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown >/dev/null 2>&1
cargo build --release --locked -p kasm-plan
mkdir -p dist
cp "${CARGO_TARGET_DIR:-target}/release/kasm-plan" dist/kasm-plan
strip dist/kasm-plan 2>/dev/null || true
echo "dist/kasm-plan: $(wc -c < dist/kasm-plan) bytes ($(dist/kasm-plan version | head -1))"
