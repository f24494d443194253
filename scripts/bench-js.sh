#!/usr/bin/env bash
# The npm package in Node against the native core (release build), on the same
# requests: validate 10,000 specs, plan 10,000 vs 10,000. Prints times and
# ratios (target <= 2.5x), and the package's .wasm size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-js.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
native=$(cargo run --quiet --release -p kasm-plan-core --example bench_requests -- "$work")
node --input-type=module - "$work" "$native" <<'JS'
import { readFileSync } from 'node:fs';
import { call } from './js/node.js';
const [dir, nativeJson] = process.argv.slice(2);
const native = JSON.parse(nativeJson);
for (const name of ['validate', 'plan']) {
  const request = readFileSync(`${dir}/${name}-10k.json`, 'utf8');
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    call(name, request);
    best = Math.min(best, performance.now() - t);
  }
  console.log(`${name} 10k: node ${best.toFixed(1)} ms, native ${native[name].toFixed(1)} ms, ratio ${(best / native[name]).toFixed(2)} (target <= 2.5)`);
}
JS
wasm=js/pkg/kasm_plan_bg.wasm
echo "wasm: $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip -9"
