// The size gate: every artifact the package ships, gzip -9, against the
// figure recorded in sizes.json. Growing more than the margin fails, naming
// the artifact; a recorded figure is updated on purpose with
// KASM_PLAN_BLESS=1 (and the change says why in its commit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const recorded = new URL('../sizes.json', import.meta.url);
const gate = JSON.parse(readFileSync(recorded, 'utf8'));

function measure(path) {
  const bytes = readFileSync(new URL(`../${path}`, import.meta.url));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** The artifacts whose gzip size is beyond the recorded one plus the margin. */
function overgrown(now) {
  return Object.entries(now).flatMap(([path, size]) => {
    const before = gate.artifacts[path].gzip;
    const limit = Math.floor(before * (1 + gate.margin));
    return size.gzip > limit
      ? [`${path}: ${size.gzip} bytes gzip -9, over ${limit} (recorded ${before} + ${gate.margin * 100} %)`]
      : [];
  });
}

test('no artifact grew beyond the recorded size and its margin', () => {
  const now = Object.fromEntries(Object.keys(gate.artifacts).map((p) => [p, measure(p)]));
  if (process.env.KASM_PLAN_BLESS === '1') {
    writeFileSync(recorded, `${JSON.stringify({ ...gate, artifacts: now }, null, 2)}\n`);
    return;
  }
  for (const [path, size] of Object.entries(now)) {
    console.log(`${path}: ${size.raw} bytes, ${size.gzip} gzip -9 (recorded ${gate.artifacts[path].gzip})`);
  }
  assert.deepEqual(overgrown(now), [], 'the package grew: cut it, or re-record on purpose and say why');
});

test('the gate names an artifact that grew a fifth', () => {
  const bloated = Object.fromEntries(Object.entries(gate.artifacts).map(([p, s]) => [p, { gzip: Math.ceil(s.gzip * 1.2) }]));
  assert.deepEqual(overgrown(bloated).map((line) => line.split(':')[0]), Object.keys(gate.artifacts));
  const same = Object.fromEntries(Object.entries(gate.artifacts).map(([p, s]) => [p, { gzip: s.gzip }]));
  assert.deepEqual(overgrown(same), []);
});
