import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import wabtInit from 'wabt';
import { simdModuleWat } from './wat/simd-module-wat.ts';

/**
 * The one WebAssembly SIMD module of this folder (its text: wat/simd-module-wat.ts): assembled once
 * with wabt (an npm dependency, JavaScript only) when the wasm backend starts, linked to the backend's
 * own memory so that its functions read and write tensors in place, and the owner of the heap memory
 * they use. The callers (winograd-tiles.ts, plane-gemm.ts, gradient-kernels.ts, max-pool.ts) get a
 * function by name and pass byte addresses.
 */

type SimdFunction = (...args: number[]) => void;

/** The part of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Memory: abstract new (...args: never[]) => WasmMemory;
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }>;
};

interface Loaded {
  exports: Record<string, SimdFunction>;
  memory: WasmMemory;
  module: BackendWasm['wasm'] & { _malloc(bytes: number): number; _free(ptr: number): void };
  /** 16-byte aligned float64 accumulators for the channel sums, allocated once with the module. */
  sums: number;
}

/**
 * Channels the SIMD channel sums serve (float64 accumulators kept from load time: allocating during
 * the kernel could grow the heap and detach the JS kernel's views of its tensors).
 */
export const SIMD_SUM_CHANNELS = 4096;

let loaded: Loaded | undefined;

/**
 * Assembles the module and links it to the wasm backend's heap. Called when the wasm backend starts; if
 * anything fails (no SIMD, no wabt), every convolution runs direct and the reason is returned.
 */
export async function loadSimdModule(): Promise<string | undefined> {
  try {
    const backend = tf.backend() as BackendWasm;
    const module = backend.wasm as Loaded['module'] & { asm?: { memory?: WasmMemory } };
    const memory = module.asm?.memory;
    if (!(memory instanceof WebAssembly.Memory)) return 'the wasm backend does not expose its memory';
    const wabt = await wabtInit();
    const parsed = wabt.parseWat('simd-module.wat', simdModuleWat(), { simd: true });
    const { buffer } = parsed.toBinary({});
    parsed.destroy();
    const { instance } = await WebAssembly.instantiate(buffer, { env: { memory } });
    const sums = (module._malloc(SIMD_SUM_CHANNELS * 8 + 16) + 15) & ~15;
    loaded = { exports: instance.exports as Loaded['exports'], memory, module, sums };
    return undefined;
  } catch (err) {
    loaded = undefined;
    return `SIMD module unavailable: ${(err as Error).message.slice(0, 500)}`;
  }
}

/** Whether the module is linked to the current wasm backend. */
export function simdModuleLoaded(): boolean {
  return loaded !== undefined && tf.getBackend() === 'wasm';
}

/** Forgets the module (the backend it was linked to is gone, or for tests of the path without it). */
export function unloadSimdModule(): void {
  loaded = undefined;
}

/** Whether `name` can run on these arrays: loaded and on the current wasm heap. */
export function simdReady(name: string, arrays: Float32Array[], channels: number): boolean {
  return (
    loaded !== undefined &&
    channels > 0 &&
    typeof loaded.exports[name] === 'function' &&
    tf.getBackend() === 'wasm' &&
    arrays.every((a) => a.buffer === loaded!.memory.buffer)
  );
}

/** The module's function `name` (after simdReady said yes); its arguments are i32s, addresses in bytes. */
export function simdFunction(name: string): SimdFunction {
  return loaded!.exports[name]!;
}

/** The wasm heap as floats, as it is now (allocating may have replaced the buffer of older views). */
export function heapFloats(): Float32Array {
  return new Float32Array(loaded!.memory.buffer);
}

/** Float64 accumulators for `channels` (≤ SIMD_SUM_CHANNELS) channel sums at a fixed address: never reallocated. */
export function sumAccumulators(channels: number): { address: number; view: Float64Array } {
  const { memory, sums } = loaded!;
  return { address: sums, view: new Float64Array(memory.buffer, sums, channels) };
}

/**
 * A 16-byte aligned scratch buffer on the wasm heap for `fn`, freed after it (its address is all `fn`
 * may keep; the heap is not grown while `fn` runs unless `fn` allocates).
 */
export function withHeapScratch<T>(bytes: number, fn: (address: number) => T): T {
  const { module } = loaded!;
  const base = module._malloc(bytes + 16);
  try {
    return fn((base + 15) & ~15);
  } finally {
    module._free(base);
  }
}
