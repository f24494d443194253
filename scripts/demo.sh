#!/usr/bin/env bash
# The main job: validate the example images and plan them, inside the core's
# sandboxed component, against a saved image list and state.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --quiet -p kasm-plan
kasm_plan=${CARGO_TARGET_DIR:-target}/debug/kasm-plan
"$kasm_plan" validate examples/images.tf examples/images.json
echo
# Exit 2 means "there are changes", which is the point of the demo.
"$kasm_plan" plan examples/images.tf examples/images.json \
  --observed examples/observed-images.json --state examples/state.json \
  --detailed-exitcode || [ $? -eq 2 ]
