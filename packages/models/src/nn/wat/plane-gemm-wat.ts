import {
  add,
  countedLoop,
  eq,
  floatAt,
  func,
  get,
  gtU,
  increment,
  indent,
  locals,
  ltU,
  mul,
  set,
  shl,
  sub,
  whileLoop,
} from './wat-builder.ts';

/**
 * The Winograd layers' per-position GEMMs in WebAssembly SIMD, for each of `planes` consecutive
 * operand pairs (addresses in bytes, row-major, n a multiple of 4):
 *
 *   gemmNN: C (m × n) = A (m × k) · B (k × n)      forward and dX: M[ξ] = V[ξ]·U[ξ]
 *   gemmTN: C (m × n) = Aᵀ·B, A (k × m), B (k × n)  dW: dUᵀ[ξ] = Σ_tiles (A dy Aᵀ)[ξ]ᵀ·V[ξ], m a multiple of 4
 *
 * Both operands stay in the layout the tile transforms write (tiles, channels). XNNPACK's GEMM needs
 * dW's left operand transposed first (a pass over the whole tensor) and, having no blocking along k,
 * runs that long-k product (k = the tile count, ~1,000) at a third of its usual speed, since its B
 * panels no longer stay in L1; its per-slice calls also cost a dispatch each. Here each output block of
 * up to 4 rows × 2 vectors (8 accumulators, within x64's 16 vector registers) is summed over k in
 * registers: per k, one broadcast load of A per row, one vector load of B per vector, one multiply-add
 * per accumulator. With `accumulate` set, C += the product (the caller splits a long k into chunks
 * whose operands stay in L2, since every output block streams its rows of A and B once).
 */
export type GemmLayout = 'NN' | 'TN';

/** Byte address of C[i + r][j]. */
const cAddress = (r: number) => floatAt('c', add(mul(add('i', r), 'n'), 'j'));

/** One output block of `rows` × `vectors`·4 at (i, j), summed over k; advances j. */
function block(layout: GemmLayout, rows: number, vectors: number): string[] {
  const each = (f: (r: number, v: number) => string) =>
    Array.from({ length: rows }, (_, r) => Array.from({ length: vectors }, (_, v) => f(r, v))).flat();
  const acc = (r: number, v: number) => `acc${r}${v}`;
  const lines = [
    // the accumulators start at zero, or at C's values when $accumulate is set
    ...each((r, v) =>
      set(
        acc(r, v),
        `(select (v128.load offset=${v * 16} ${cAddress(r)}) (v128.const i32x4 0 0 0 0) ${get('accumulate')})`,
      ),
    ),
    // TN: A's columns i..i+3 at row 0, one pointer (rows of A are `rowA` apart); NN: A's rows i..i+rows−1
    // at column 0, one pointer each
    ...(layout === 'TN'
      ? [set('pa0', floatAt('a', 'i'))]
      : Array.from({ length: rows }, (_, r) => set(`pa${r}`, add('a', mul(add('i', r), 'rowA'))))),
    set('pb', floatAt('b', 'j')),
    set('t', get('k')),
  ];
  const sum = [
    ...Array.from({ length: vectors }, (_, v) => set(`b${v}`, `(v128.load offset=${v * 16} ${get('pb')})`)),
    ...Array.from({ length: rows }, (_, r) => [
      set(
        's',
        layout === 'TN'
          ? `(v128.load32_splat offset=${r * 4} ${get('pa0')})`
          : `(v128.load32_splat ${get(`pa${r}`)})`,
      ),
      ...Array.from({ length: vectors }, (_, v) =>
        set(acc(r, v), `(f32x4.add ${get(acc(r, v))} (f32x4.mul ${get('s')} ${get(`b${v}`)}))`),
      ),
    ]).flat(),
    ...(layout === 'TN'
      ? [increment('pa0', 'rowA')]
      : Array.from({ length: rows }, (_, r) => increment(`pa${r}`, 4))),
    increment('pb', 'rowB'),
    set('t', sub('t', 1)),
  ];
  return [
    ...lines,
    ...whileLoop('sum', `(i32.eqz ${get('t')})`, sum),
    ...each((r, v) => `(v128.store offset=${v * 16} ${cAddress(r)} ${get(acc(r, v))})`),
    increment('j', vectors * 4),
  ];
}

/** Rows i..i+rows−1 of C: pairs of vectors, then the last single one. */
function rowBlock(layout: GemmLayout, rows: number): string[] {
  return [
    set('j', '(i32.const 0)'),
    ...whileLoop('pair', gtU(add('j', 8), 'n'), block(layout, rows, 2)),
    `(if ${ltU('j', 'n')} (then`,
    ...indent(block(layout, rows, 1)),
    '))',
  ];
}

function gemmWat(layout: GemmLayout): string {
  // TN: m is a multiple of 4; NN: the last 1–3 rows get blocks of their own
  const tails =
    layout === 'NN'
      ? [
          set('left', sub('m', 'i')),
          ...[1, 2, 3].flatMap((rows) => [
            `(if ${eq('left', rows)} (then`,
            ...indent(rowBlock(layout, rows)),
            '))',
          ]),
        ]
      : [];
  const body = [
    set('rowA', shl('k', 2)),
    ...(layout === 'TN' ? [set('rowA', shl('m', 2))] : []),
    set('rowB', shl('n', 2)),
    ...countedLoop('plane', { counter: 'p', limit: 'planes' }, [
      set('i', '(i32.const 0)'),
      ...whileLoop('row', gtU(add('i', 4), 'm'), [...rowBlock(layout, 4), increment('i', 4)]),
      ...tails,
      // A is m×k in both layouts (k×m for TN): the same number of bytes
      increment('a', mul('m', shl('k', 2))),
      increment('b', mul('k', 'rowB')),
      increment('c', mul('m', 'rowB')),
    ]),
  ];
  const declared = [
    locals('i32', ['p', 'i', 'j', 't', 'left', 'pb']),
    locals('i32', ['pa0', 'pa1', 'pa2', 'pa3', 'rowA', 'rowB']),
    locals('v128', ['s', 'b0', 'b1']),
    ...Array.from({ length: 4 }, (_, r) => locals('v128', [`acc${r}0`, `acc${r}1`])),
  ];
  return func(`gemm${layout}`, ['a', 'b', 'c', 'planes', 'k', 'm', 'n', 'accumulate'], declared, body);
}

export function planeGemmWat(): string {
  return [gemmWat('NN'), gemmWat('TN')].join('\n');
}
