// A small typed program: `tsc --noEmit` checks it against the declarations.
import { validate, plan, filterImages, planToJson, type Diagnostic, type Image, type State } from 'kasm-plan/node';
import init, { validate as validateWeb } from 'kasm-plan/web';
import { checkPolicy, type PolicyFile, type PolicyLevel } from 'kasm-plan/rego';

const source: string = 'resource "kasm_image" "t" { name = "kasmweb/terminal:1.18.0" }';
const result = validate(source, { format: 'hcl', fileName: 't.tf', strict: true });
const first: Diagnostic | undefined = result.diagnostics[0];
const line: number | undefined = first?.location?.start.line;

const images: Image[] = [{ image_id: '0'.repeat(32), name: 'kasmweb/terminal:1.18.0', memory: 2768000000 }];
const enabled: Image[] = filterImages(images, { name: 'kasmweb/*', enabled: true });
const state: State = { version: 1, resources: {} };
const planned = plan([{ source, fileName: 't.tf' }], state, enabled, { unchangedValues: true });
if (planned.ok && planned.plan) {
  const adds: number = planned.plan.summary.add;
  const actions: string[][] = planToJson(planned.plan).resource_changes.map((c) => c.change.actions);
  console.log(line, adds, actions);
}

const set: PolicyFile[] = [
  { source: 'policy "big" {\n  query = "data.kasm.deny"\n  enforcement_level = "soft-mandatory"\n}\n', fileName: 'policies.hcl' },
  { source: 'package kasm\n', format: 'rego', fileName: 'kasm.rego' },
];
const checked = checkPolicy(set, source, { overrides: ['big'], maxSteps: 1_000_000 });
const levels: PolicyLevel[] = (checked.report?.results ?? []).map((r) => r.level);
const queries: (string | null | undefined)[] = (checked.report?.results ?? []).map((r) => r.query);
console.log(levels, queries);

async function inBrowser(): Promise<boolean> {
  await init(new URL('https://example.invalid/kasm_plan_bg.wasm'));
  return validateWeb('{"images": {}}').valid;
}
void inBrowser;

// The schema entry, what a page loads first (completion, hover), and the
// editor entry beside it: validate, schema and format.
import initSchema, { schema as schemaFirst } from 'kasm-plan/schema';
async function firstLoad(): Promise<string[]> {
  await initSchema();
  return schemaFirst().resources.map((r) => r.type_name);
}
void firstLoad;
import initEditor, { validate as validateEditor, schema as schemaEditor } from 'kasm-plan/editor';
async function inEditor(): Promise<number> {
  await initEditor();
  const marks: Diagnostic[] = validateEditor('resource "kasm_image" "t" {}', { fileName: 'main.tf' }).diagnostics;
  return marks.length + schemaEditor().resources.length;
}
void inEditor;

// A refusal carries the core's diagnostic; its code is one of the core's codes.
import { call, type KasmPlanError, type Code } from 'kasm-plan/node';
try {
  call('validate', '{}');
} catch (e) {
  const error = e as KasmPlanError;
  const code: Code = error.code;
  if (code === 'invalid_request') console.log(error.diagnostics[0]?.message, error.help);
}

import { format, schema } from 'kasm-plan/node';
const laidOut: string | null | undefined = format('a=1\n').formatted;
const firstFix = validate('resource "kasm_image" "t" {}').diagnostics.find((d) => d.fix)?.fix?.title;
const memoryArgument = schema().resources[0]?.arguments.find((a) => a.name === 'memory');
const range: [number | null | undefined, number | null | undefined] = [memoryArgument?.minimum, memoryArgument?.maximum];
console.log(laidOut, firstFix, range);
