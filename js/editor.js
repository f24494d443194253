// The editor entry: the core's editor operations alone (validate, schema,
// format), a fraction of the full package's .wasm, for a page's first load.
// Call `init()` once, as with `kasm-plan/web`; the other operations are in
// `kasm-plan/web` (a page can import it when it first needs one).
import initWasm, * as wasm from './pkg-editor/kasm_plan.js';
import { bind } from './api.js';

const { initSync } = wasm;

export { initSync };
export const { validate, format, schema, call } = bind(wasm);

export default function init(input) {
  if (input === undefined) return initWasm();
  return initWasm({ module_or_path: input });
}
export { init };
