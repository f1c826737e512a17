import {
  add,
  countedLoop,
  f32x4Splat,
  func,
  get,
  gtU,
  indent,
  locals,
  mul,
  ne,
  type Operand,
  set,
  shl,
} from './wat-builder.ts';

/**
 * Separable tile transforms Y = L·X·Rᵀ over channel vectors, four channels per f32x4. V8 does not
 * vectorise such loops in JS, which left the Winograd transforms costing as much as the GEMMs they feed.
 * Each kernel is generated from its matrices as straight-line multiply-adds (zero coefficients skipped,
 * ±1 without a multiply), so the matrices in winograd-variants.ts are the only statement of the
 * arithmetic.
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

/** Σ_j row[j]·inputs[j] as a WAT f32x4 expression, zero coefficients skipped, ±1 without a multiply. */
function combination(row: number[], inputs: string[]): string {
  let expr = '';
  row.forEach((c, j) => {
    if (c === 0) return;
    const v = inputs[j]!;
    if (!expr) {
      expr = c === 1 ? v : c === -1 ? `(f32x4.neg ${v})` : `(f32x4.mul ${v} ${f32x4Splat(c)})`;
    } else if (c === 1 || c === -1) {
      expr = `(f32x4.${c === 1 ? 'add' : 'sub'} ${expr} ${v})`;
    } else {
      expr = `(f32x4.add ${expr} (f32x4.mul ${v} ${f32x4Splat(c)}))`;
    }
  });
  return expr || f32x4Splat(0);
}

/** The lanes 1 and 2 of a partial vector exist when $rem exceeds them (lane 0 always does). */
const ifLane = (lane: number, then: string) => `(if ${gtU('rem', lane)} (then ${then}))`;

/**
 * (func $name (param $src $dst $tmp $n $bias $rem)): stage 1 writes L·X column by column into
 * tmp (rowsOut × colsIn columns of vectors), stage 2 applies R along each row into the dst addresses.
 * $n full vectors of 4 channels, then, when $rem (1–3) channels are left, one more vector whose source
 * lanes past $rem read as 0 (nothing past a tensor's end is read); with `maskedStore` only its first
 * $rem lanes are written (an NHWC tensor), otherwise all four (a layout padded to a multiple of 4).
 */
export function tileTransformWat(t: TileTransform): string {
  const rowsIn = t.left[0]!.length;
  const rowsOut = t.left.length;
  const colsIn = t.right[0]!.length;
  const colsOut = t.right.length;
  const width = Math.max(rowsIn, rowsOut, colsIn, colsOut);
  const numbered = (prefix: string) => Array.from({ length: width }, (_, i) => `${prefix}${i}`);
  const declared = [
    ...numbered('p').map((p) => locals('i32', [p])),
    ...numbered('v').map((v) => locals('v128', [v])),
    `${locals('i32', ['i', 'at', 'column'])} ${locals('v128', ['b', 'w'])}`,
  ];
  const vectors = (count: number) => numbered('v').slice(0, count).map(get);
  /** The current channel vector of the tile position at `pointer`. */
  const address = (pointer: Operand) => add(pointer, 'at');
  const load = (pointer: Operand, tail: boolean, target: string) => {
    if (!tail) return [set(target, `(v128.load ${address(pointer)})`)];
    return [
      set(target, `(v128.load32_zero ${address(pointer)})`),
      ...[1, 2].map((lane) =>
        ifLane(
          lane,
          set(target, `(v128.load32_lane offset=${lane * 4} ${lane} ${address(pointer)} ${get(target)})`),
        ),
      ),
    ];
  };
  const store = (pointer: Operand, value: string, tail: boolean) => {
    if (!(tail && t.maskedStore)) return [`(v128.store ${address(pointer)} ${value})`];
    return [
      set('w', value),
      `(v128.store32_lane 0 ${address(pointer)} ${get('w')})`,
      ...[1, 2].map((lane) =>
        ifLane(lane, `(v128.store32_lane offset=${lane * 4} ${lane} ${address(pointer)} ${get('w')})`),
      ),
    ];
  };
  /** `inner(tail)` for each of the $n full vectors, then once more for the partial one when $rem > 0. */
  const overVectors = (inner: (tail: boolean) => string[]) => [
    ...countedLoop('vector', { counter: 'i', limit: 'n' }, [set('at', shl('i', 4)), ...inner(false)]),
    `(if ${get('rem')} (then`,
    ...indent([set('at', shl('i', 4)), ...inner(true)]),
    '))',
  ];
  /** Byte address of tmp's column `slot` (tmp holds the stage-1 columns one after another). */
  const slotAddress = (slot: number) => add('tmp', mul('column', slot));
  // bytes of one tmp column: the full vectors and the partial one
  const body = [set('column', shl(add('n', ne('rem', 0)), 4))];
  for (let s = 0; s < colsIn; s++) {
    for (let r = 0; r < rowsIn; r++) {
      body.push(set(`p${r}`, `(i32.load offset=${(r * colsIn + s) * 4} ${get('src')})`));
    }
    body.push(
      ...overVectors((tail) => [
        ...Array.from({ length: rowsIn }, (_, r) => load(`p${r}`, tail, `v${r}`)).flat(),
        ...t.left.map(
          (row, k) =>
            `(v128.store ${address(slotAddress(k * colsIn + s))} ${combination(row, vectors(rowsIn))})`,
        ),
      ]),
    );
  }
  for (let k = 0; k < rowsOut; k++) {
    for (let l = 0; l < colsOut; l++) {
      body.push(set(`p${l}`, `(i32.load offset=${(k * colsOut + l) * 4} ${get('dst')})`));
    }
    body.push(
      ...overVectors((tail) => [
        ...Array.from({ length: colsIn }, (_, s) => load(slotAddress(k * colsIn + s), false, `v${s}`)).flat(),
        ...(t.bias ? load('bias', tail, 'b') : []),
        ...t.right.flatMap((row, l) => {
          let value = combination(row, vectors(colsIn));
          if (t.bias) value = `(f32x4.add ${value} ${get('b')})`;
          if (t.bias === 'relu') value = `(f32x4.max ${value} ${f32x4Splat(0)})`;
          return store(`p${l}`, value, tail);
        }),
      ]),
    );
  }
  return func(t.name, ['src', 'dst', 'tmp', 'n', 'bias', 'rem'], declared, body);
}
