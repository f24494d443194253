export * from './types.js';
export { schema, call } from './index.js';
export type { InitInput } from './web.js';
import type { InitInput } from './web.js';

/** Loads the schema entry's WebAssembly module; call once (and await) before the other functions. */
export default function init(input?: InitInput | Promise<InitInput>): Promise<unknown>;
export { init };
/** Synchronous initialisation from bytes or a compiled module. */
export function initSync(module: { module: BufferSource | WebAssembly.Module }): unknown;
