#!/usr/bin/env bash
# The npm package in Node against the native core (release build), on the same
# requests: validate 10,000 specs, plan 10,000 vs 10,000. Prints times and
# ratios (target <= 2.5x), how soon the default step budget stops a runaway
# Rego policy (target < 1 s), and the .wasm sizes of both entries.
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
const rego = await import('./js/rego-node.js');
// The shared runaway case's policy, at the default budget instead of the case's small one.
const runaway = JSON.parse(readFileSync('tests/policies/policy-rego-runaway.json', 'utf8')).request.policy.source.join('\n');
const spec = '{"images": {"t": {"name": "kasmweb/terminal:1.18.0", "image_src": "t.png", "friendly_name": "T"}}}';
let worst = 0;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const answer = rego.checkPolicy(runaway, spec, { fileName: 'runaway.rego' });
  worst = Math.max(worst, performance.now() - t);
  if (!/steps/.test(answer.diagnostics[0]?.message)) throw new Error('the runaway policy was not stopped by the step budget');
}
console.log(`runaway Rego policy stopped by the default step budget: ${worst.toFixed(0)} ms (target < 1000)`);
JS
for wasm in js/pkg/kasm_plan_bg.wasm js/pkg-rego/kasm_plan_bg.wasm js/pkg-editor/kasm_plan_bg.wasm js/pkg-schema/kasm_plan_bg.wasm; do
  echo "$wasm: $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip -9"
done
