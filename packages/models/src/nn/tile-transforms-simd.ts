import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import wabtInit from 'wabt';
import { backwardKernelsWat } from './backward-kernels-wat.ts';
import { winogradGemmWat } from './winograd-gemm-wat.ts';

/**
 * Separable tile transforms Y = L·X·Rᵀ over channel vectors, in WebAssembly SIMD (four channels per
 * f32x4), running on the wasm backend's own heap. V8 does not vectorise the JS versions (winograd.ts),
 * which left the Winograd transforms costing as much as the GEMMs they feed. The module is written as
 * WebAssembly text generated from the transform matrices (so each kernel is the matrices' straight-line
 * multiply-adds, zero coefficients skipped) and assembled once at backend start with wabt.
 *
 * One call transforms one tile for every channel: `src` and `dst` are tables of byte addresses of each
 * tile position's channel vector (rows × columns, row-major), so padding reads from a zero vector and
 * cropped outputs write to a scratch vector, and one kernel serves NHWC pixels and GEMM planes alike.
 */
export interface TileTransform {
  name: string;
  /** L, applied down the columns (rows in → rows out). */
  left: number[][];
  /** R, applied along the rows (columns in → columns out). */
  right: number[][];
  /** Adds a per-channel bias vector to every output (and clamps at 0 for `relu`). */
  bias?: 'linear' | 'relu';
  /** The destination is an unpadded tensor: the last partial vector writes only its channels. */
  maskedStore?: boolean;
}

type Exports = Record<string, (...args: number[]) => void>;

/** The part of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Memory: abstract new (...args: never[]) => WasmMemory;
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }>;
};

interface Loaded {
  exports: Exports;
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
let transforms: readonly TileTransform[] = [];

const constant = (c: number) => `(v128.const f32x4 ${c} ${c} ${c} ${c})`;

/** Σ_j row[j]·inputs[j] as a WAT f32x4 expression, zero coefficients skipped, ±1 without a multiply. */
function combination(row: number[], inputs: string[]): string {
  let expr = '';
  row.forEach((c, j) => {
    if (c === 0) return;
    const v = inputs[j]!;
    if (!expr) {
      expr = c === 1 ? v : c === -1 ? `(f32x4.neg ${v})` : `(f32x4.mul ${v} ${constant(c)})`;
    } else if (c === 1 || c === -1) {
      expr = `(f32x4.${c === 1 ? 'add' : 'sub'} ${expr} ${v})`;
    } else {
      expr = `(f32x4.add ${expr} (f32x4.mul ${v} ${constant(c)}))`;
    }
  });
  return expr || constant(0);
}

/**
 * (func $name (param $src $dst $tmp $n $bias $rem)): stage 1 writes L·X column by column into
 * tmp (rowsOut × colsIn columns of vectors), stage 2 applies R along each row into the dst addresses.
 * $n full vectors of 4 channels, then, when $rem (1–3) channels are left, one more vector whose source
 * lanes past $rem read as 0 (nothing past a tensor's end is read); with `maskedStore` only its first
 * $rem lanes are written (an NHWC tensor), otherwise all four (a layout padded to a multiple of 4).
 */
function tileFunction(t: TileTransform): string {
  const rowsIn = t.left[0]!.length;
  const rowsOut = t.left.length;
  const colsIn = t.right[0]!.length;
  const colsOut = t.right.length;
  const width = Math.max(rowsIn, rowsOut, colsIn, colsOut);
  const body: string[] = [];
  const locals = [
    ...Array.from({ length: width }, (_, i) => `(local $p${i} i32)`),
    ...Array.from({ length: width }, (_, i) => `(local $v${i} v128)`),
    '(local $i i32) (local $at i32) (local $column i32) (local $b v128) (local $w v128)',
  ];
  const vectors = (count: number) => Array.from({ length: count }, (_, i) => `(local.get $v${i})`);
  const address = (pointer: string) => `(i32.add ${pointer} (local.get $at))`;
  const load = (pointer: string, tail: boolean, target: string) => {
    if (!tail) return [`(local.set ${target} (v128.load ${address(pointer)}))`];
    return [
      `(local.set ${target} (v128.load32_zero ${address(pointer)}))`,
      ...[1, 2].map(
        (lane) =>
          `(if (i32.gt_u (local.get $rem) (i32.const ${lane})) (then (local.set ${target} (v128.load32_lane offset=${lane * 4} ${lane} ${address(pointer)} (local.get ${target})))))`,
      ),
    ];
  };
  const store = (pointer: string, value: string, tail: boolean) => {
    if (!(tail && t.maskedStore)) return [`(v128.store ${address(pointer)} ${value})`];
    return [
      `(local.set $w ${value})`,
      `(v128.store32_lane 0 ${address(pointer)} (local.get $w))`,
      ...[1, 2].map(
        (lane) =>
          `(if (i32.gt_u (local.get $rem) (i32.const ${lane})) (then (v128.store32_lane offset=${lane * 4} ${lane} ${address(pointer)} (local.get $w))))`,
      ),
    ];
  };
  // Runs `inner(tail)` for each full vector, then once more for the partial one when $rem > 0.
  const loop = (inner: (tail: boolean) => string[]) => [
    '(local.set $i (i32.const 0))',
    '(block $done (loop $next',
    '  (br_if $done (i32.ge_u (local.get $i) (local.get $n)))',
    '  (local.set $at (i32.shl (local.get $i) (i32.const 4)))',
    ...inner(false).map((l) => `  ${l}`),
    '  (local.set $i (i32.add (local.get $i) (i32.const 1)))',
    '  (br $next)))',
    '(if (local.get $rem) (then',
    '  (local.set $at (i32.shl (local.get $i) (i32.const 4)))',
    ...inner(true).map((l) => `  ${l}`),
    '))',
  ];
  const slotAddress = (slot: number) =>
    `(i32.add (local.get $tmp) (i32.mul (local.get $column) (i32.const ${slot})))`;
  // bytes of one tmp column: the full vectors and the partial one
  body.push(
    '(local.set $column (i32.shl (i32.add (local.get $n) (i32.ne (local.get $rem) (i32.const 0))) (i32.const 4)))',
  );
  for (let s = 0; s < colsIn; s++) {
    for (let r = 0; r < rowsIn; r++) {
      body.push(`(local.set $p${r} (i32.load offset=${(r * colsIn + s) * 4} (local.get $src)))`);
    }
    body.push(
      ...loop((tail) => [
        ...Array.from({ length: rowsIn }, (_, r) => load(`(local.get $p${r})`, tail, `$v${r}`)).flat(),
        ...t.left.map(
          (row, k) =>
            `(v128.store ${address(slotAddress(k * colsIn + s))} ${combination(row, vectors(rowsIn))})`,
        ),
      ]),
    );
  }
  for (let k = 0; k < rowsOut; k++) {
    for (let l = 0; l < colsOut; l++) {
      body.push(`(local.set $p${l} (i32.load offset=${(k * colsOut + l) * 4} (local.get $dst)))`);
    }
    body.push(
      ...loop((tail) => [
        ...Array.from({ length: colsIn }, (_, s) =>
          load(slotAddress(k * colsIn + s), false, `$v${s}`),
        ).flat(),
        ...(t.bias ? load('(local.get $bias)', tail, '$b') : []),
        ...t.right.flatMap((row, l) => {
          let value = combination(row, vectors(colsIn));
          if (t.bias) value = `(f32x4.add ${value} (local.get $b))`;
          if (t.bias === 'relu') value = `(f32x4.max ${value} ${constant(0)})`;
          return store(`(local.get $p${l})`, value, tail);
        }),
      ]),
    );
  }
  return [
    `(func (export "${t.name}") (param $src i32) (param $dst i32) (param $tmp i32) (param $n i32) (param $bias i32) (param $rem i32)`,
    ...locals.map((l) => `  ${l}`),
    ...body.map((l) => `  ${l}`),
    ')',
  ].join('\n');
}

/** i8x16.shuffle lane list picking 32-bit lanes (0–3 of the first operand, 4–7 of the second). */
const lanes = (...picks: number[]) => picks.flatMap((p) => [0, 1, 2, 3].map((b) => p * 4 + b)).join(' ');

/**
 * (func $transpose (param $src $dst $planes $rows $cols)): each of `planes` row-major rows×cols float
 * matrices into cols×rows, in 4×4 blocks transposed in registers (rows and cols multiples of 4), so that
 * both sides are read and written a vector at a time.
 */
const TRANSPOSE = `(func (export "transpose") (param $src i32) (param $dst i32) (param $planes i32) (param $rows i32) (param $cols i32)
  (local $p i32) (local $r i32) (local $c i32) (local $from i32) (local $to i32) (local $rowBytes i32) (local $colBytes i32)
  (local $a v128) (local $b v128) (local $x v128) (local $y v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
  (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
  (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2)))
  (local.set $p (i32.const 0))
  (block $planesDone (loop $plane
    (br_if $planesDone (i32.ge_u (local.get $p) (local.get $planes)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $colsDone (loop $col
        (br_if $colsDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $from (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
        (local.set $a (v128.load (local.get $from)))
        (local.set $b (v128.load (i32.add (local.get $from) (local.get $rowBytes))))
        (local.set $x (v128.load (i32.add (local.get $from) (i32.shl (local.get $rowBytes) (i32.const 1)))))
        (local.set $y (v128.load (i32.add (local.get $from) (i32.mul (local.get $rowBytes) (i32.const 3)))))
        (local.set $t0 (i8x16.shuffle ${lanes(0, 4, 1, 5)} (local.get $a) (local.get $b)))
        (local.set $t1 (i8x16.shuffle ${lanes(2, 6, 3, 7)} (local.get $a) (local.get $b)))
        (local.set $t2 (i8x16.shuffle ${lanes(0, 4, 1, 5)} (local.get $x) (local.get $y)))
        (local.set $t3 (i8x16.shuffle ${lanes(2, 6, 3, 7)} (local.get $x) (local.get $y)))
        (local.set $to (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
        (v128.store (local.get $to) (i8x16.shuffle ${lanes(0, 1, 4, 5)} (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $to) (local.get $colBytes)) (i8x16.shuffle ${lanes(2, 3, 6, 7)} (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $to) (i32.shl (local.get $colBytes) (i32.const 1))) (i8x16.shuffle ${lanes(0, 1, 4, 5)} (local.get $t1) (local.get $t3)))
        (v128.store (i32.add (local.get $to) (i32.mul (local.get $colBytes) (i32.const 3))) (i8x16.shuffle ${lanes(2, 3, 6, 7)} (local.get $t1) (local.get $t3)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $col)))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $row)))
    (local.set $src (i32.add (local.get $src) (i32.mul (local.get $rows) (local.get $rowBytes))))
    (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $rows) (local.get $rowBytes))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br $plane)))
)`;

function tileTransformsWat(list: readonly TileTransform[]): string {
  return [
    '(module',
    '(import "env" "memory" (memory 1))',
    ...list.map(tileFunction),
    TRANSPOSE,
    winogradGemmWat(),
    backwardKernelsWat(),
    ')',
  ].join('\n');
}

/**
 * Assembles the transforms and links them to the wasm backend's heap. Called when the wasm backend
 * starts; if anything fails (no SIMD, no wabt), the JS transforms stay in use and the reason is returned.
 */
export async function loadTileTransforms(list: readonly TileTransform[]): Promise<string | undefined> {
  try {
    const backend = tf.backend() as BackendWasm;
    const module = backend.wasm as Loaded['module'] & { asm?: { memory?: WasmMemory } };
    const memory = module.asm?.memory;
    if (!(memory instanceof WebAssembly.Memory)) return 'the wasm backend does not expose its memory';
    const wabt = await wabtInit();
    const parsed = wabt.parseWat('tile-transforms.wat', tileTransformsWat(list), { simd: true });
    const { buffer } = parsed.toBinary({});
    parsed.destroy();
    const { instance } = await WebAssembly.instantiate(buffer, { env: { memory } });
    const sums = (module._malloc(SIMD_SUM_CHANNELS * 8 + 16) + 15) & ~15;
    loaded = { exports: instance.exports as unknown as Exports, memory, module, sums };
    transforms = list;
    return undefined;
  } catch (err) {
    loaded = undefined;
    return `SIMD tile transforms unavailable: ${(err as Error).message.slice(0, 500)}`;
  }
}

/** Whether the SIMD transforms are linked to the current wasm backend. */
export function tileTransformsLoaded(): boolean {
  return loaded !== undefined && tf.getBackend() === 'wasm';
}

/** Forgets the module (the backend it was linked to is gone, or for tests of the JS path). */
export function unloadTileTransforms(): void {
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

/**
 * Runs `name` over `tiles` tiles. `fill(tile, src, dst)` writes the tile's source and destination byte
 * addresses into the two Int32Array tables (`zero` and `scratch` are addresses of a zero and a throwaway
 * vector of `channels`); the heap is not grown during the calls, so the addresses stay valid.
 */
export function runTileTransform(
  name: string,
  options: {
    tiles: number;
    channels: number;
    srcCount: number;
    dstCount: number;
    bias?: number;
  },
  fill: (tile: number, src: Int32Array, dst: Int32Array, zero: number, scratch: number) => void,
): void {
  const { exports, memory, module } = loaded!;
  const vectors = Math.ceil(options.channels / 4);
  const vectorBytes = vectors * 16;
  const transform = transforms.find((t) => t.name === name)!;
  const tmpVectors = transform.left.length * transform.right[0]!.length;
  const bytes = (options.srcCount + options.dstCount) * 4 + (2 + tmpVectors) * vectorBytes + 16;
  const base = module._malloc(bytes);
  try {
    const aligned = (base + 15) & ~15;
    const zero = aligned;
    const scratch = zero + vectorBytes;
    const tmp = scratch + vectorBytes;
    const srcAt = tmp + tmpVectors * vectorBytes;
    const dstAt = srcAt + options.srcCount * 4;
    new Float32Array(memory.buffer, zero, vectors * 4).fill(0);
    const src = new Int32Array(memory.buffer, srcAt, options.srcCount);
    const dst = new Int32Array(memory.buffer, dstAt, options.dstCount);
    const run = exports[name]!;
    const [n, rem] = [Math.floor(options.channels / 4), options.channels % 4];
    for (let t = 0; t < options.tiles; t++) {
      fill(t, src, dst, zero, scratch);
      run(srcAt, dstAt, tmp, n, options.bias ?? 0, rem);
    }
  } finally {
    module._free(base);
  }
}

/**
 * Transposes `planes` consecutive rows×cols float matrices at byte address `src` into cols×rows ones at
 * `dst` (rows and cols multiples of 4).
 */
export function transposePlanes(src: number, dst: number, planes: number, rows: number, cols: number): void {
  loaded!.exports.transpose!(src, dst, planes, rows, cols);
}

/**
 * `planes` consecutive products at byte addresses a, b into c (winograd-gemm-wat.ts): 'NN' C (m × n) =
 * A (m × k)·B (k × n); 'TN' C (m × n) = Aᵀ·B with A (k × m). n (and m for 'TN') multiples of 4. A 'TN'
 * product over more than `TN_CHUNK` rows of A and B runs in chunks of rows, added up in C: every
 * output block streams its columns of A and B over all k, which for a large k (the first layer's dW
 * sums over N·H·W ≈ 50,000 pixels) would come from memory once per block.
 */
export function planeGemm(
  layout: 'NN' | 'TN',
  [a, b, c]: [number, number, number],
  planes: number,
  [m, k, n]: [number, number, number],
): void {
  const gemm = loaded!.exports[`gemm${layout}`]!;
  if (layout === 'NN' || k <= TN_CHUNK) {
    gemm(a, b, c, planes, k, m, n, 0);
    return;
  }
  for (let p = 0; p < planes; p++) {
    for (let start = 0; start < k; start += TN_CHUNK) {
      const rows = Math.min(TN_CHUNK, k - start);
      const [aAt, bAt] = [a + (p * k + start) * m * 4, b + (p * k + start) * n * 4];
      gemm(aAt, bAt, c + p * m * n * 4, 1, rows, m, n, start === 0 ? 0 : 1);
    }
  }
}

/** Rows of A and B per chunk of a 'TN' product: ≤ 128 KB of each at 64 columns, within any L2. */
const TN_CHUNK = 512;

/** dx of a 2×2 max pool (backward-kernels-wat.ts) at byte addresses; C ≥ 4. */
export function maxPool2x2GradSimd(
  [x, dy, dx]: [number, number, number],
  [n, h, w, c]: [number, number, number, number],
): void {
  loaded!.exports.maxPool2x2Grad!(x, dy, dx, (n * h) / 2, w, c);
}

/**
 * Float64 sums over `pixels` of the first 4⌊C/4⌋ channels of dy (byte address), or with `relu` of
 * g = dy·[y > 0], which is written to g (backward-kernels-wat.ts); the caller sums the rest. C at most
 * SIMD_SUM_CHANNELS; allocates nothing on the heap.
 */
export function channelSumsSimd(
  relu: boolean,
  [dy, y, g]: [number, number, number],
  pixels: number,
  channels: number,
): Float64Array {
  if (channels > SIMD_SUM_CHANNELS)
    throw new Error(`channelSumsSimd: ${channels} channels, at most ${SIMD_SUM_CHANNELS}`);
  const { exports, memory, sums } = loaded!;
  const vectors = Math.floor(channels / 4);
  const view = new Float64Array(memory.buffer, sums, vectors * 4);
  view.fill(0);
  exports[relu ? 'reluGradientAndSums' : 'channelSums']!(dy, y, g, sums, pixels, channels, vectors);
  return view.slice();
}

/** The wasm heap as floats, as it is now (allocating may have replaced the buffer of older views). */
export function heapFloats(): Float32Array {
  return new Float32Array(loaded!.memory.buffer);
}

/** A scratch buffer on the wasm heap for `fn`, freed after it (its address is all `fn` may keep). */
export function withHeapScratch<T>(bytes: number, fn: (address: number) => T): T {
  const { module } = loaded!;
  const base = module._malloc(bytes + 16);
  try {
    return fn((base + 15) & ~15);
  } finally {
    module._free(base);
  }
}
