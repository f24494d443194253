// Browser (and any ES module host) entry: call `init()` once before the other
// functions; it takes nothing (the .wasm beside this file), a URL, a
// Response, or the module's bytes.
import initWasm, * as wasm from './pkg/kasm_plan.js';
import { bind } from './api.js';

const { initSync } = wasm;

export { initSync };
export const { validate, parse, filterImages, plan, whoMayLaunch, planToJson, renderPlan, format, schema, jsonSchema, checkPolicy, call } = bind(wasm);

export default function init(input) {
  if (input === undefined) return initWasm();
  return initWasm({ module_or_path: input });
}
export { init };
