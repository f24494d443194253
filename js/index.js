// Default entry for bundlers and browsers: loads the .wasm beside this file
// (a URL bundlers understand) before the exports are used.
import initWasm, * as wasm from './pkg/kasm_plan.js';
import { bind } from './api.js';

await initWasm({ module_or_path: new URL('./pkg/kasm_plan_bg.wasm', import.meta.url) });

export const { validate, parse, filterImages, plan, whoMayLaunch, planToJson, renderPlan, format, schema, jsonSchema, checkPolicy, call } = bind(wasm);
