// The package with the Rego engine, for Node: nothing to initialise.
import { readFileSync } from 'node:fs';
import { initSync } from './pkg-rego/kasm_plan.js';

initSync({ module: readFileSync(new URL('./pkg-rego/kasm_plan_bg.wasm', import.meta.url)) });

export { validate, parse, filterImages, plan, planToJson, checkPolicy, call } from './pkg-rego/kasm_plan.js';
