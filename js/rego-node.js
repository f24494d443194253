// The package with the Rego engine, for Node: nothing to initialise.
import { readFileSync } from 'node:fs';
import * as wasm from './pkg-rego/kasm_plan.js';
import { bind } from './api.js';

wasm.initSync({ module: readFileSync(new URL('./pkg-rego/kasm_plan_bg.wasm', import.meta.url)) });

export const { validate, parse, filterImages, plan, planToJson, renderPlan, format, schema, jsonSchema, checkPolicy, call } = bind(wasm);
