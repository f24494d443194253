// The schema entry: the core's `schema` alone, the smallest .wasm, for a
// page's first load (completion and hover documentation). Call `init()`
// once, as with `kasm-plan/web`; validation and formatting are in
// `kasm-plan/editor`, which a page can load once it is up.
import initWasm, * as wasm from './pkg-schema/kasm_plan.js';
import { bind } from './api.js';

const { initSync } = wasm;

export { initSync };
export const { schema, call } = bind(wasm);

export default function init(input) {
  if (input === undefined) return initWasm();
  return initWasm({ module_or_path: input });
}
export { init };
