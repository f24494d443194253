// Runs every shared vector (tests/vectors, tests/policies) through the package: the answer
// must match the vector's expectation and equal, byte for byte, the native
// core's answer (written by `cargo run -p kasm-plan-core --example vector_answers`);
// a request the core cannot read must throw the same diagnostic as a `KasmPlanError`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { call } from '../node.js';
import { call as callWithRego } from '../rego-node.js';
import { call as callEditor, initSync as initEditor } from '../editor.js';
import { call as callSchema, initSync as initSchema } from '../schema.js';

initEditor({ module: readFileSync(new URL('../pkg-editor/kasm_plan_bg.wasm', import.meta.url)) });
initSchema({ module: readFileSync(new URL('../pkg-schema/kasm_plan_bg.wasm', import.meta.url)) });

const dirs = ['../../tests/vectors/', '../../tests/policies/'].map((d) => new URL(d, import.meta.url));
const native = JSON.parse(readFileSync(process.env.KASM_PLAN_NATIVE_ANSWERS ??
  new URL('../build/native-answers.json', import.meta.url), 'utf8'));

/** Joins `source` line arrays, as the vector format allows. */
function prepare(request) {
  const join = (holder) => {
    if (holder && Array.isArray(holder.source)) holder.source = holder.source.join('\n');
  };
  join(request);
  join(request.desired);
  join(request.policy);
  for (const s of request.sources ?? []) join(s);
  for (const s of request.desired?.sources ?? []) join(s);
  for (const s of request.policies ?? []) join(s);
  // `variables` is a list of inputs in a configuration (a plan's is an object).
  for (const v of [request.variables, request.desired?.variables].filter(Array.isArray).flat()) join(v);
  return request;
}

/** The vector README's matching rule; returns the mismatches. */
export function mismatches(expect, actual, path = '$', out = []) {
  if (expect !== null && typeof expect === 'object' && !Array.isArray(expect)) {
    if ('$contains' in expect && Object.keys(expect).length === 1) {
      if (typeof actual !== 'string' || !actual.includes(expect.$contains)) {
        out.push(`${path}: expected text containing ${JSON.stringify(expect.$contains)}, got ${JSON.stringify(actual)}`);
      }
      return out;
    }
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      out.push(`${path}: expected an object, got ${JSON.stringify(actual)}`);
      return out;
    }
    for (const [k, v] of Object.entries(expect)) mismatches(v, actual[k] ?? null, `${path}.${k}`, out);
    return out;
  }
  if (Array.isArray(expect)) {
    if (!Array.isArray(actual) || actual.length !== expect.length) {
      out.push(`${path}: expected ${expect.length} items, got ${JSON.stringify(actual)}`);
      return out;
    }
    expect.forEach((v, i) => mismatches(v, actual[i], `${path}[${i}]`, out));
    return out;
  }
  if (typeof expect === 'number' && typeof actual === 'number') {
    if (expect !== actual) out.push(`${path}: expected ${expect}, got ${actual}`);
    return out;
  }
  if (expect !== actual) out.push(`${path}: expected ${JSON.stringify(expect)}, got ${JSON.stringify(actual)}`);
  return out;
}

const files = dirs
  .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.json')).map((name) => ({ dir, name })))
  .sort((a, b) => (a.name < b.name ? -1 : 1));

test('there are vectors to run', () => {
  assert.ok(files.length >= 100, `found ${files.length}`);
  assert.equal(Object.keys(native).length, files.length, 'the native answers cover every vector');
});

/** A vector's outcome through one build's `call`: its answer, or the diagnostic it is refused with. */
function outcomeOf(run, vector) {
  try {
    return { answer: run(vector.operation, JSON.stringify(prepare(vector.request))) };
  } catch (e) {
    assert.equal(e.name, 'KasmPlanError', String(e));
    assert.equal(e.code, e.diagnostics[0].code);
    return { refused: JSON.stringify(e.diagnostics[0]) };
  }
}

for (const { dir, name } of files) {
  test(name, () => {
    const vector = JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
    // Rego cases run on the entry that has the engine.
    const outcome = outcomeOf(name.startsWith('policy-rego') ? callWithRego : call, vector);
    const seen = outcome.answer === undefined ? { refused: JSON.parse(outcome.refused) } : JSON.parse(outcome.answer);
    assert.deepEqual(mismatches(vector.expect, seen), []);
    assert.equal(JSON.stringify(outcome), JSON.stringify(native[name]), 'same outcome as the native core');
  });
}

/** Runs every vector through an entry's `call`; returns how many it answered, each as the native core did. */
function answeredBy(callEntry, entry) {
  let answered = 0;
  for (const { dir, name } of files) {
    const vector = JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
    const outcome = outcomeOf(callEntry, vector);
    if (outcome.refused?.includes(`is not in the ${entry} entry`)) continue;
    answered += 1;
    assert.equal(JSON.stringify(outcome), JSON.stringify(native[name]), `${name}: same outcome as the native core`);
  }
  return answered;
}

// The editor entry answers its operations' vectors as the native core does,
// and refuses every other operation with where to find it.
test('the editor entry answers its vectors as the native core, and refuses the rest', () => {
  const answered = answeredBy(callEditor, 'editor');
  assert.ok(answered >= 20, `the editor entry answered only ${answered} vectors`);
  assert.throws(() => callEditor('plan', '{}'), /`plan` is not in the editor entry/);
});

// So does the schema entry, what the editor page loads first.
test('the schema entry answers its vectors as the native core, and refuses the rest', () => {
  assert.ok(answeredBy(callSchema, 'schema') >= 1, 'the schema entry answered no vector');
  assert.throws(() => callSchema('validate', '{}'), /`validate` is not in the schema entry/);
});

test('the matcher finds what differs', () => {
  assert.deepEqual(mismatches({ a: 1 }, { a: 1, b: 2 }), []);
  assert.equal(mismatches({ a: 1 }, { a: 2 }).length, 1);
  assert.equal(mismatches([1], [1, 2]).length, 1);
  assert.equal(mismatches({ m: { $contains: 'x' } }, { m: 'abc' }).length, 1);
  assert.equal(mismatches({ gone: null }, {}).length, 0);
});
