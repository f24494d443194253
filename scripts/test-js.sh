#!/usr/bin/env bash
# The npm package's checks: node --test (shared vectors, API, the page in
# headless Chromium), tsc on a typed example, and `npm pack` installed and run
# in a fresh folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-js.sh
# Headless Chromium for the validator page's test (Debian's package).
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
cd js
node --test test/*.test.mjs
npx --no-install tsc --noEmit -p test/tsconfig.json
echo "typed example: ok"

# The packed tarball, installed where nothing else is.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm pack --silent --pack-destination "$work" >/dev/null
(
  cd "$work"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error ./kasm-plan-*.tgz
  cp "$OLDPWD/examples/validate-tf.mjs" .
  cp "$OLDPWD/../examples/images.tf" .
  node validate-tf.mjs images.tf | tail -1 | grep -qx valid
  printf 'resource "kasm_image" "t" {\n  name = "kasmweb/t:1"\n}\n' > bad.tf
  if node validate-tf.mjs bad.tf > out.txt; then echo "bad.tf should fail"; exit 1; fi
  grep -q 'bad.tf:1:1: error: .*\[missing_required\]' out.txt
  node -e "import('kasm-plan').then(m => { if (!m.validate('{\"images\": {}}').valid) process.exit(1) })"
  # The editor entry, from the installed package, initialised from its own .wasm.
  node --input-type=module -e "
    import { readFileSync } from 'node:fs';
    import { initSync, validate } from 'kasm-plan/editor';
    initSync({ module: readFileSync(new URL('./pkg-editor/kasm_plan_bg.wasm', import.meta.resolve('kasm-plan/editor'))) });
    if (!validate('{\"images\": {}}').valid) process.exit(1);"
  # The schema entry, the same way: it answers the schema and refuses validate.
  node --input-type=module -e "
    import { readFileSync } from 'node:fs';
    import { initSync, schema, call } from 'kasm-plan/schema';
    initSync({ module: readFileSync(new URL('./pkg-schema/kasm_plan_bg.wasm', import.meta.resolve('kasm-plan/schema'))) });
    if (!schema().resources.some((r) => r.type_name === 'kasm_image')) process.exit(1);
    try { call('validate', '{}'); process.exit(1); } catch (e) { if (e.name !== 'KasmPlanError') process.exit(1); }"
)
echo "packed package: installs and runs"
