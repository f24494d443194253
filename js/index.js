// Default entry for bundlers and browsers: loads the .wasm beside this file
// (a URL bundlers understand) before the exports are used.
import initWasm from './pkg/kasm_plan.js';

await initWasm({ module_or_path: new URL('./pkg/kasm_plan_bg.wasm', import.meta.url) });

export { validate, parse, filterImages, plan, planToJson, checkPolicy, call } from './pkg/kasm_plan.js';
