import { add, countedLoop, floatAt, func, get, locals, mul, set, shl } from './wat-builder.ts';

/** i8x16.shuffle lane list picking 32-bit lanes (0–3 of the first operand, 4–7 of the second). */
const lanes = (...picks: number[]) => picks.flatMap((p) => [0, 1, 2, 3].map((b) => p * 4 + b)).join(' ');

const shuffle = (picks: number[], a: string, b: string) =>
  `(i8x16.shuffle ${lanes(...picks)} ${get(a)} ${get(b)})`;

/**
 * (func $transpose (param $src $dst $planes $rows $cols)): each of `planes` row-major rows×cols float
 * matrices into cols×rows, in 4×4 blocks transposed in registers (rows and cols multiples of 4), so that
 * both sides are read and written a vector at a time.
 */
export function transposeWat(): string {
  // rows r..r+3 of the block from `from` (rowBytes apart), columns c..c+3 of the result to `to`
  const block = [
    set('from', floatAt('src', add(mul('r', 'cols'), 'c'))),
    set('a', `(v128.load ${get('from')})`),
    set('b', `(v128.load ${add('from', 'rowBytes')})`),
    set('x', `(v128.load ${add('from', shl('rowBytes', 1))})`),
    set('y', `(v128.load ${add('from', mul('rowBytes', 3))})`),
    set('t0', shuffle([0, 4, 1, 5], 'a', 'b')),
    set('t1', shuffle([2, 6, 3, 7], 'a', 'b')),
    set('t2', shuffle([0, 4, 1, 5], 'x', 'y')),
    set('t3', shuffle([2, 6, 3, 7], 'x', 'y')),
    set('to', floatAt('dst', add(mul('c', 'rows'), 'r'))),
    `(v128.store ${get('to')} ${shuffle([0, 1, 4, 5], 't0', 't2')})`,
    `(v128.store ${add('to', 'colBytes')} ${shuffle([2, 3, 6, 7], 't0', 't2')})`,
    `(v128.store ${add('to', shl('colBytes', 1))} ${shuffle([0, 1, 4, 5], 't1', 't3')})`,
    `(v128.store ${add('to', mul('colBytes', 3))} ${shuffle([2, 3, 6, 7], 't1', 't3')})`,
  ];
  const body = [
    set('rowBytes', shl('cols', 2)),
    set('colBytes', shl('rows', 2)),
    ...countedLoop('plane', { counter: 'p', limit: 'planes' }, [
      ...countedLoop('row', { counter: 'r', limit: 'rows', step: 4 }, [
        ...countedLoop('col', { counter: 'c', limit: 'cols', step: 4 }, block),
      ]),
      set('src', add('src', mul('rows', 'rowBytes'))),
      set('dst', add('dst', mul('rows', 'rowBytes'))),
    ]),
  ];
  return func(
    'transpose',
    ['src', 'dst', 'planes', 'rows', 'cols'],
    [
      locals('i32', ['p', 'r', 'c', 'from', 'to', 'rowBytes', 'colBytes']),
      locals('v128', ['a', 'b', 'x', 'y', 't0', 't1', 't2', 't3']),
    ],
    body,
  );
}
