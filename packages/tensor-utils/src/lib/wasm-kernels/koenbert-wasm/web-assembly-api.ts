/**
 * The parts of the WebAssembly JS API this package uses, typed here: Node has the global, but @types/node 20 does not
 * declare it and the "DOM" lib would bring in a browser's globals (for this package and everyone compiling against it).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** A compiled module (opaque here). */
export type WasmCompiledModule = { readonly __wasmModule?: never };

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => WasmCompiledModule;
  Instance: new (module: WasmCompiledModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
