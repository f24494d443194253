#!/usr/bin/env bash
# Installs what building and testing kasm-plan needs. Safe to run again.
set -euo pipefail
rustup --quiet target add wasm32-unknown-unknown wasm32-wasip2
rustup component add rustfmt clippy >/dev/null 2>&1 || true
