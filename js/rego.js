// The package with the Rego engine (`checkPolicy` also runs `.rego` files).
// Browsers and bundlers: the .wasm beside this file is loaded with top-level await.
import initWasm, * as wasm from './pkg-rego/kasm_plan.js';
import { bind } from './api.js';

await initWasm({ module_or_path: new URL('./pkg-rego/kasm_plan_bg.wasm', import.meta.url) });

export const { validate, parse, filterImages, plan, planToJson, renderPlan, format, schema, jsonSchema, checkPolicy, call } = bind(wasm);
