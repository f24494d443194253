export * from './index.js';

/** What `init` loads: the .wasm beside the module (nothing), a URL, a Response or bytes. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Loads the WebAssembly module; call once (and await) before the other functions. */
export default function init(input?: InitInput | Promise<InitInput>): Promise<unknown>;
export { init };
/** Synchronous initialisation from bytes or a compiled module. */
export function initSync(module: { module: BufferSource | WebAssembly.Module }): unknown;
