#!/usr/bin/env bash
# The main job: validate the example images and plan them against a saved
# image list and state (the host CLI and its embedded Kasm simulator replace this).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo run --quiet -p kasm-plan-core --example demo -- \
  examples/images.tf examples/images.json \
  --observed examples/observed-images.json --state examples/state.json
