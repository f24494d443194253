// Node entry: the .wasm is read from disk synchronously, so there is nothing
// to initialise.
import { readFileSync } from 'node:fs';
import * as wasm from './pkg/kasm_plan.js';
import { bind } from './api.js';

wasm.initSync({ module: readFileSync(new URL('./pkg/kasm_plan_bg.wasm', import.meta.url)) });

export const { validate, parse, filterImages, plan, whoMayLaunch, planToJson, renderPlan, format, schema, jsonSchema, checkPolicy, call } = bind(wasm);
