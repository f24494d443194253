#!/usr/bin/env bash
# Every check and every test, as CI runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
step() { printf '\n== %s (%ss since the start)\n' "$*" "$SECONDS"; }

step "format"
cargo fmt --all --check
step "lints"
cargo clippy --workspace --all-targets --quiet -- -D warnings
step "the core builds for wasm32-unknown-unknown (no I/O, no OS)"
cargo build --quiet -p kasm-plan-core --target wasm32-unknown-unknown --release
step "benches run once, as tests"
cargo test --quiet --workspace --benches
step "bench gate: the core's benches against their recorded ratios"
bash scripts/bench-gate.sh
step "demo"
bash scripts/demo.sh >/dev/null
step "tests: unit, shared vectors, properties, doc"
cargo test --workspace
step "the npm package's declarations are the core's types (ts-rs)"
cargo test --quiet -p kasm-plan-core --features typescript --test typescript
step "npm package: vectors, API, page in headless Chromium, types, packed install"
bash scripts/test-js.sh
step "plan JSON read by a real consumer (Checkov, from PyPI)"
bash scripts/test-consumers.sh
step "fuzzing smoke: every cargo-fuzz target, a fixed number of executions from the seeded corpora"
bash scripts/fuzz.sh smoke
step "fuzzing smoke: mutated requests through the component in wasmtime, 10 s"
cargo run --quiet -p kasm-plan --example fuzz_component -- 10
printf '\n== every check passed (%ss)\n' "$SECONDS"
