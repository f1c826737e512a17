/**
 * The routed backward pass's elementwise kernels (gradient-kernels.ts, max-pool.ts) in WebAssembly
 * SIMD, four channels per f32x4, in the module of the tile transforms (tile-transforms-simd.ts). Each
 * computes exactly what its JS version does, lane by lane; the JS versions remain for the cpu backend
 * and for what these leave over. Addresses are in bytes.
 */

/**
 * (func $maxPool2x2Grad (param $x $dy $dx $rows $w $c)): dx of a 2×2, stride-2 max pool over NHWC x
 * with `rows` = N·H/2 pooled rows, each window's dy to the first of its maxima in row-major order
 * (PyTorch's choice), zero elsewhere; every element of dx is written. C ≥ 4: the channel vectors of a
 * pixel are 0, 4, … and a last one at C − 4, which may overlap the one before; overlapping lanes are
 * computed twice to the same values.
 */
const MAX_POOL_2X2_GRAD = `(func (export "maxPool2x2Grad") (param $x i32) (param $dy i32) (param $dx i32) (param $rows i32) (param $w i32) (param $c i32)
  (local $r i32) (local $ox i32) (local $o i32) (local $last i32) (local $cb i32) (local $rowBytes i32) (local $halfW i32)
  (local $tl i32) (local $g i32) (local $p i32)
  (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $grad v128) (local $best v128)
  (local $m1 v128) (local $m2 v128) (local $m3 v128)
  (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
  (local.set $last (i32.sub (local.get $cb) (i32.const 16)))
  (local.set $rowBytes (i32.mul (local.get $w) (local.get $cb)))
  (local.set $halfW (i32.shr_u (local.get $w) (i32.const 1)))
  (local.set $g (local.get $dy))
  (local.set $r (i32.const 0))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $ox (i32.const 0))
    (block $windowsDone (loop $window
      (br_if $windowsDone (i32.ge_u (local.get $ox) (local.get $halfW)))
      ;; byte offset of the window's top-left pixel
      (local.set $tl (i32.add (i32.mul (i32.shl (local.get $r) (i32.const 1)) (local.get $rowBytes)) (i32.mul (i32.shl (local.get $ox) (i32.const 1)) (local.get $cb))))
      (local.set $o (i32.const 0))
      (loop $vector
        (if (i32.gt_s (local.get $o) (local.get $last)) (then (local.set $o (local.get $last))))
        (local.set $p (i32.add (i32.add (local.get $x) (local.get $tl)) (local.get $o)))
        (local.set $v0 (v128.load (local.get $p)))
        (local.set $v1 (v128.load (i32.add (local.get $p) (local.get $cb))))
        (local.set $v2 (v128.load (i32.add (local.get $p) (local.get $rowBytes))))
        (local.set $v3 (v128.load (i32.add (i32.add (local.get $p) (local.get $rowBytes)) (local.get $cb))))
        (local.set $grad (v128.load (i32.add (local.get $g) (local.get $o))))
        ;; a later position wins only when strictly greater, as the JS kernel's comparisons
        (local.set $m1 (f32x4.gt (local.get $v1) (local.get $v0)))
        (local.set $best (v128.bitselect (local.get $v1) (local.get $v0) (local.get $m1)))
        (local.set $m2 (f32x4.gt (local.get $v2) (local.get $best)))
        (local.set $best (v128.bitselect (local.get $v2) (local.get $best) (local.get $m2)))
        (local.set $m3 (f32x4.gt (local.get $v3) (local.get $best)))
        (local.set $p (i32.add (i32.add (local.get $dx) (local.get $tl)) (local.get $o)))
        (v128.store (local.get $p)
          (v128.andnot (local.get $grad) (v128.or (v128.or (local.get $m1) (local.get $m2)) (local.get $m3))))
        (v128.store (i32.add (local.get $p) (local.get $cb))
          (v128.and (local.get $grad) (v128.andnot (v128.andnot (local.get $m1) (local.get $m2)) (local.get $m3))))
        (v128.store (i32.add (local.get $p) (local.get $rowBytes))
          (v128.and (local.get $grad) (v128.andnot (local.get $m2) (local.get $m3))))
        (v128.store (i32.add (i32.add (local.get $p) (local.get $rowBytes)) (local.get $cb))
          (v128.and (local.get $grad) (local.get $m3)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $vector (i32.lt_s (local.get $o) (local.get $cb))))
      (local.set $g (i32.add (local.get $g) (local.get $cb)))
      (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
      (br $window)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row)))
)`;

/**
 * (func $name (param $dy $y $g $sums $pixels $c $vectors)): for the first 4·`vectors` channels of each
 * of `pixels` NHWC pixels (C channels apart), Σ over pixels into the float64 `sums` (which the caller
 * zeroes), with `relu` of g = dy·[y > 0] written to g (and summed) instead of dy. Each channel is
 * summed in pixel order in float64, as the JS kernels do, so the sums are the same to the bit.
 */
function channelSumsFunction(name: string, relu: boolean): string {
  const value = relu
    ? '(v128.and (v128.load (i32.add (local.get $dy) (local.get $o))) (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $o))) (v128.const i32x4 0 0 0 0)))'
    : '(v128.load (i32.add (local.get $dy) (local.get $o)))';
  const sum = (offset: number, lanes: string) =>
    `(v128.store offset=${offset} (local.get $s) (f64x2.add (v128.load offset=${offset} (local.get $s)) (f64x2.promote_low_f32x4 ${lanes})))`;
  return `(func (export "${name}") (param $dy i32) (param $y i32) (param $g i32) (param $sums i32) (param $pixels i32) (param $c i32) (param $vectors i32)
  (local $i i32) (local $v i32) (local $o i32) (local $s i32) (local $cb i32) (local $value v128)
  (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
  (local.set $i (i32.const 0))
  (block $pixelsDone (loop $pixel
    (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $pixels)))
    (local.set $o (i32.mul (local.get $i) (local.get $cb)))
    (local.set $s (local.get $sums))
    (local.set $v (i32.const 0))
    (block $vectorsDone (loop $vector
      (br_if $vectorsDone (i32.ge_u (local.get $v) (local.get $vectors)))
      (local.set $value ${value})
      ${relu ? '(v128.store (i32.add (local.get $g) (local.get $o)) (local.get $value))' : ''}
      ${sum(0, '(local.get $value)')}
      ${sum(16, '(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $value) (local.get $value))')}
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (local.set $s (i32.add (local.get $s) (i32.const 32)))
      (local.set $v (i32.add (local.get $v) (i32.const 1)))
      (br $vector)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $pixel)))
)`;
}

export function backwardKernelsWat(): string {
  return [
    MAX_POOL_2X2_GRAD,
    channelSumsFunction('channelSums', false),
    channelSumsFunction('reluGradientAndSums', true),
  ].join('\n');
}
