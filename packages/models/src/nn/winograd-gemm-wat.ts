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
type Layout = 'NN' | 'TN';

/** Byte address of C[i + r][j]. */
const cAddress = (r: number) =>
  `(i32.add (local.get $c) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $n)) (local.get $j)) (i32.const 2)))`;

/** One output block of `rows` × `vectors`·4 at (i, j), summed over k; advances j. */
function block(layout: Layout, rows: number, vectors: number): string[] {
  const acc = (r: number, v: number) => `$acc${r}${v}`;
  const lines: string[] = [];
  // the accumulators start at zero, or at C's values when $accumulate is set
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vectors; v++) {
      lines.push(
        `(local.set ${acc(r, v)} (select (v128.load offset=${v * 16} ${cAddress(r)}) (v128.const i32x4 0 0 0 0) (local.get $accumulate)))`,
      );
    }
  }
  if (layout === 'TN') {
    // A's columns i..i+3 at row 0: one pointer, rows of A are `rowA` apart
    lines.push('(local.set $pa0 (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))))');
  } else {
    // A's rows i..i+rows−1 at column 0, one pointer each
    for (let r = 0; r < rows; r++) {
      lines.push(
        `(local.set $pa${r} (i32.add (local.get $a) (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $rowA))))`,
      );
    }
  }
  lines.push(
    '(local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))',
    '(local.set $t (local.get $k))',
    '(block $sumDone (loop $sum',
    '  (br_if $sumDone (i32.eqz (local.get $t)))',
  );
  for (let v = 0; v < vectors; v++) {
    lines.push(`  (local.set $b${v} (v128.load offset=${v * 16} (local.get $pb)))`);
  }
  for (let r = 0; r < rows; r++) {
    const splat =
      layout === 'TN'
        ? `(v128.load32_splat offset=${r * 4} (local.get $pa0))`
        : `(v128.load32_splat (local.get $pa${r}))`;
    lines.push(`  (local.set $s ${splat})`);
    for (let v = 0; v < vectors; v++) {
      lines.push(
        `  (local.set ${acc(r, v)} (f32x4.add (local.get ${acc(r, v)}) (f32x4.mul (local.get $s) (local.get $b${v}))))`,
      );
    }
  }
  if (layout === 'TN') {
    lines.push('  (local.set $pa0 (i32.add (local.get $pa0) (local.get $rowA)))');
  } else {
    for (let r = 0; r < rows; r++)
      lines.push(`  (local.set $pa${r} (i32.add (local.get $pa${r}) (i32.const 4)))`);
  }
  lines.push(
    '  (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))',
    '  (local.set $t (i32.sub (local.get $t) (i32.const 1)))',
    '  (br $sum)))',
  );
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vectors; v++) {
      lines.push(`(v128.store offset=${v * 16} ${cAddress(r)} (local.get ${acc(r, v)}))`);
    }
  }
  lines.push(`(local.set $j (i32.add (local.get $j) (i32.const ${vectors * 4})))`);
  return lines;
}

/** Rows i..i+rows−1 of C: pairs of vectors, then the last single one. */
function rowBlock(layout: Layout, rows: number): string[] {
  return [
    '(local.set $j (i32.const 0))',
    '(block $pairsDone (loop $pair',
    '  (br_if $pairsDone (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))',
    ...block(layout, rows, 2).map((l) => `  ${l}`),
    '  (br $pair)))',
    '(if (i32.lt_u (local.get $j) (local.get $n)) (then',
    ...block(layout, rows, 1).map((l) => `  ${l}`),
    '))',
  ];
}

function gemmFunction(layout: Layout): string {
  // TN: m is a multiple of 4; NN: the last 1–3 rows get blocks of their own
  const tails =
    layout === 'NN'
      ? [
          '(local.set $left (i32.sub (local.get $m) (local.get $i)))',
          ...[1, 2, 3].flatMap((rows) => [
            `(if (i32.eq (local.get $left) (i32.const ${rows})) (then`,
            ...rowBlock(layout, rows).map((l) => `  ${l}`),
            '))',
          ]),
        ]
      : [];
  const body = [
    '(local.set $rowA (i32.shl (local.get $k) (i32.const 2)))',
    ...(layout === 'TN' ? ['(local.set $rowA (i32.shl (local.get $m) (i32.const 2)))'] : []),
    '(local.set $rowB (i32.shl (local.get $n) (i32.const 2)))',
    '(local.set $p (i32.const 0))',
    '(block $planesDone (loop $plane',
    '  (br_if $planesDone (i32.ge_u (local.get $p) (local.get $planes)))',
    '  (local.set $i (i32.const 0))',
    '  (block $rowsDone (loop $row',
    '    (br_if $rowsDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))',
    ...rowBlock(layout, 4).map((l) => `    ${l}`),
    '    (local.set $i (i32.add (local.get $i) (i32.const 4)))',
    '    (br $row)))',
    ...tails.map((l) => `  ${l}`),
    // A is m×k in both layouts (k×m for TN): the same number of bytes
    '  (local.set $a (i32.add (local.get $a) (i32.mul (local.get $m) (i32.shl (local.get $k) (i32.const 2)))))',
    '  (local.set $b (i32.add (local.get $b) (i32.mul (local.get $k) (local.get $rowB))))',
    '  (local.set $c (i32.add (local.get $c) (i32.mul (local.get $m) (local.get $rowB))))',
    '  (local.set $p (i32.add (local.get $p) (i32.const 1)))',
    '  (br $plane)))',
  ];
  const locals = [
    '(local $p i32) (local $i i32) (local $j i32) (local $t i32) (local $left i32) (local $pb i32)',
    '(local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $rowA i32) (local $rowB i32)',
    '(local $s v128) (local $b0 v128) (local $b1 v128)',
    ...Array.from({ length: 4 }, (_, r) => `(local $acc${r}0 v128) (local $acc${r}1 v128)`),
  ];
  return [
    `(func (export "gemm${layout}") (param $a i32) (param $b i32) (param $c i32) (param $planes i32) (param $k i32) (param $m i32) (param $n i32) (param $accumulate i32)`,
    ...locals.map((l) => `  ${l}`),
    ...body.map((l) => `  ${l}`),
    ')',
  ].join('\n');
}

export function winogradGemmWat(): string {
  return [gemmFunction('NN'), gemmFunction('TN')].join('\n');
}
