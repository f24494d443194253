#!/usr/bin/env bash
# The long chaos soak (the test command runs a short one): SEEDS seeds x IMAGES
# images (defaults 10 x 100), each applied under random 5xx, 429, lost answers
# and hangs, killed with SIGKILL at a random moment, then re-run clean; then the
# same with updates and deletes. Prints the figures line for docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export KASM_PLAN_SOAK_SEEDS=${1:-10} KASM_PLAN_SOAK_IMAGES=${2:-100}
cargo test --quiet -p kasm-plan --test soak -- --nocapture 2>&1 | grep -E '^soak:|test result'
