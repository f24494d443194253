// Node entry: the .wasm is read from disk synchronously, so there is nothing
// to initialise.
import { readFileSync } from 'node:fs';
import { initSync } from './pkg/kasm_plan.js';

initSync({ module: readFileSync(new URL('./pkg/kasm_plan_bg.wasm', import.meta.url)) });

export { validate, parse, filterImages, plan, planToJson, checkPolicy, call } from './pkg/kasm_plan.js';
