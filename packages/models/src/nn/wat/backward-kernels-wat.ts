import {
  add,
  countedLoop,
  func,
  get,
  gtS,
  increment,
  indent,
  locals,
  ltS,
  mul,
  set,
  shl,
  shrU,
  sub,
} from './wat-builder.ts';

/**
 * The routed backward pass's elementwise kernels (gradient-kernels.ts, max-pool.ts) in WebAssembly
 * SIMD, four channels per f32x4, in the one SIMD module (simd-module.ts). Each computes exactly what
 * its JS version does, lane by lane; the JS versions remain for the cpu backend and for what these
 * leave over. Addresses are in bytes.
 */

const load = (address: string) => `(v128.load ${address})`;

/**
 * (func $maxPool2x2Grad (param $x $dy $dx $rows $w $c)): dx of a 2×2, stride-2 max pool over NHWC x
 * with `rows` = N·H/2 pooled rows, each window's dy to the first of its maxima in row-major order
 * (PyTorch's choice), zero elsewhere; every element of dx is written. C ≥ 4: the channel vectors of a
 * pixel are 0, 4, … and a last one at C − 4, which may overlap the one before; overlapping lanes are
 * computed twice to the same values.
 */
function maxPool2x2GradWat(): string {
  // the window's four pixels from its top-left `p`: right (+cb), below (+rowBytes), below right
  const below = add('p', 'rowBytes');
  const belowRight = add(below, 'cb');
  // a later position wins only when strictly greater, as the JS kernel's comparisons
  const vector = [
    `(if ${gtS('o', 'last')} (then ${set('o', get('last'))}))`,
    set('p', add(add('x', 'tl'), 'o')),
    set('v0', load(get('p'))),
    set('v1', load(add('p', 'cb'))),
    set('v2', load(below)),
    set('v3', load(belowRight)),
    set('grad', load(add('g', 'o'))),
    set('m1', `(f32x4.gt ${get('v1')} ${get('v0')})`),
    set('best', `(v128.bitselect ${get('v1')} ${get('v0')} ${get('m1')})`),
    set('m2', `(f32x4.gt ${get('v2')} ${get('best')})`),
    set('best', `(v128.bitselect ${get('v2')} ${get('best')} ${get('m2')})`),
    set('m3', `(f32x4.gt ${get('v3')} ${get('best')})`),
    set('p', add(add('dx', 'tl'), 'o')),
    `(v128.store ${get('p')} (v128.andnot ${get('grad')} (v128.or (v128.or ${get('m1')} ${get('m2')}) ${get('m3')})))`,
    `(v128.store ${add('p', 'cb')} (v128.and ${get('grad')} (v128.andnot (v128.andnot ${get('m1')} ${get('m2')}) ${get('m3')})))`,
    `(v128.store ${below} (v128.and ${get('grad')} (v128.andnot ${get('m2')} ${get('m3')})))`,
    `(v128.store ${belowRight} (v128.and ${get('grad')} ${get('m3')}))`,
    increment('o', 16),
  ];
  const window = [
    // byte offset of the window's top-left pixel
    set('tl', add(mul(shl('r', 1), 'rowBytes'), mul(shl('ox', 1), 'cb'))),
    set('o', '(i32.const 0)'),
    // at least one vector (C ≥ 4): the test comes last
    '(loop $vector',
    ...indent([...vector, `(br_if $vector ${ltS('o', 'cb')})`]),
    ')',
    increment('g', 'cb'),
  ];
  const body = [
    set('cb', shl('c', 2)),
    set('last', sub('cb', 16)),
    set('rowBytes', mul('w', 'cb')),
    set('halfW', shrU('w', 1)),
    set('g', get('dy')),
    ...countedLoop('row', { counter: 'r', limit: 'rows' }, [
      ...countedLoop('window', { counter: 'ox', limit: 'halfW' }, window),
    ]),
  ];
  return func(
    'maxPool2x2Grad',
    ['x', 'dy', 'dx', 'rows', 'w', 'c'],
    [
      locals('i32', ['r', 'ox', 'o', 'last', 'cb', 'rowBytes', 'halfW', 'tl', 'g', 'p']),
      locals('v128', ['v0', 'v1', 'v2', 'v3', 'grad', 'best', 'm1', 'm2', 'm3']),
    ],
    body,
  );
}

/**
 * (func $name (param $dy $y $g $sums $pixels $c $vectors)): for the first 4·`vectors` channels of each
 * of `pixels` NHWC pixels (C channels apart), Σ over pixels into the float64 `sums` (which the caller
 * zeroes), with `relu` of g = dy·[y > 0] written to g (and summed) instead of dy. Each channel is
 * summed in pixel order in float64, as the JS kernels do, so the sums are the same to the bit.
 */
function channelSumsWat(name: string, relu: boolean): string {
  const dy = load(add('dy', 'o'));
  const value = relu ? `(v128.and ${dy} (f32x4.gt ${load(add('y', 'o'))} (v128.const i32x4 0 0 0 0)))` : dy;
  const sum = (offset: number, lanes: string) =>
    `(v128.store offset=${offset} ${get('s')} (f64x2.add (v128.load offset=${offset} ${get('s')}) (f64x2.promote_low_f32x4 ${lanes})))`;
  const vector = [
    set('value', value),
    ...(relu ? [`(v128.store ${add('g', 'o')} ${get('value')})`] : []),
    sum(0, get('value')),
    sum(16, `(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${get('value')} ${get('value')})`),
    increment('o', 16),
    increment('s', 32),
  ];
  const body = [
    set('cb', shl('c', 2)),
    ...countedLoop('pixel', { counter: 'i', limit: 'pixels' }, [
      set('o', mul('i', 'cb')),
      set('s', get('sums')),
      ...countedLoop('vector', { counter: 'v', limit: 'vectors' }, vector),
    ]),
  ];
  return func(
    name,
    ['dy', 'y', 'g', 'sums', 'pixels', 'c', 'vectors'],
    [`${locals('i32', ['i', 'v', 'o', 's', 'cb'])} ${locals('v128', ['value'])}`],
    body,
  );
}

export function backwardKernelsWat(): string {
  return [
    maxPool2x2GradWat(),
    channelSumsWat('channelSums', false),
    channelSumsWat('reluGradientAndSums', true),
  ].join('\n');
}
