#!/usr/bin/env bash
# Builds the npm package in js/: the core for wasm32-unknown-unknown (profile
# `wasm`), wasm-bindgen's ES-module glue in js/pkg, and the native core's
# answers to the shared vectors (js/build) for the package's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# wasm-bindgen-cli must match the wasm-bindgen crate exactly (Cargo.lock pins it).
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
  # Not --locked: its lock file names a webpki-roots release the registry mirror lacks.
  cargo install --quiet wasm-bindgen-cli --version "$version"
fi
target_dir=${CARGO_TARGET_DIR:-target}
(cd js && npm ci --no-audit --no-fund --loglevel=error)
# The base package (js/pkg), with the Rego engine (js/pkg-rego, entry
# `kasm-plan/rego`), the editor's operations alone (js/pkg-editor, entry
# `kasm-plan/editor`, which the editor page loads once it is up) and the schema
# alone (js/pkg-schema, entry `kasm-plan/schema`, what the page loads first).
for variant in base rego editor schema; do
  features=() out=js/pkg
  case "$variant" in
    rego) features=(--features rego) out=js/pkg-rego ;;
    editor) features=(--features editor) out=js/pkg-editor ;;
    schema) features=(--features schema) out=js/pkg-schema ;;
  esac
  cargo build --quiet -p kasm-plan-wasm --target wasm32-unknown-unknown --profile wasm "${features[@]}"
  rm -rf "$out"
  wasm-bindgen --target web --out-dir "$out" --out-name kasm_plan \
    "$target_dir/wasm32-unknown-unknown/wasm/kasm_plan_wasm.wasm"
  # Smaller still: binaryen's wasm-opt, from the npm registry.
  js/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals "$out/kasm_plan_bg.wasm" -o "$out/kasm_plan_bg.wasm"
done
mkdir -p js/build
cargo run --quiet -p kasm-plan-core --example vector_answers > js/build/native-answers.json
# The editor page: CodeMirror 6 and the page's code in one module (esbuild),
# the package's entries kept external so each .wasm loads beside its entry
# (the editor entry once the editor is up, the web entry only when the plan
# panel first needs it).
js/node_modules/.bin/esbuild js/page/page.js --bundle --format=esm --external:../schema.js \
  --external:../editor.js --external:../web.js --minify \
  --outfile=js/page/page.bundle.js --log-level=warning
