/**
 * The few WebAssembly-text shapes every generator in this folder writes, so that a kernel reads as its
 * arithmetic rather than as parentheses: locals, i32 address arithmetic, counted loops and functions.
 * Each helper returns exactly the text it names (nothing is reordered), so a generator written with them
 * assembles to the same instructions as the same expression written out.
 */

/** `(local.get $name)` */
export const get = (name: string) => `(local.get $${name})`;

/** `(local.set $name value)` */
export const set = (name: string, value: string) => `(local.set $${name} ${value})`;

/** An i32 operand: a local's name (`$` implied) or a constant. */
export type Operand = string | number;

/** A number is an `i32.const`; a bare name a local; anything starting with `(` an expression as it is. */
export const operand = (x: Operand): string =>
  typeof x === 'number' ? `(i32.const ${x})` : x.startsWith('(') ? x : get(x);

const binary = (op: string) => (a: Operand, b: Operand) => `(i32.${op} ${operand(a)} ${operand(b)})`;

export const add = binary('add');
export const sub = binary('sub');
export const mul = binary('mul');
export const shl = binary('shl');
export const eq = binary('eq');
export const ne = binary('ne');
export const geU = binary('ge_u');
export const gtU = binary('gt_u');
export const ltU = binary('lt_u');
export const gtS = binary('gt_s');
export const ltS = binary('lt_s');
export const shrU = binary('shr_u');

/** Byte address of float `index` (a count of 4-byte elements) from byte address `base`. */
export const floatAt = (base: Operand, index: Operand) => add(base, shl(index, 2));

/** `name += step` */
export const increment = (name: string, step: Operand = 1) => set(name, add(name, step));

/** `(v128.const f32x4 c c c c)` */
export const f32x4Splat = (c: number) => `(v128.const f32x4 ${c} ${c} ${c} ${c})`;

/** Lines indented by two spaces (generated text stays readable when dumped). */
export const indent = (lines: string[], by = '  ') => lines.map((l) => `${by}${l}`);

/**
 * `while (!exit) body`: the block/loop pair with the exit test first; `label` names the loop and
 * `${label}Done` its block.
 */
export function whileLoop(label: string, exit: string, body: string[]): string[] {
  return [
    `(block $${label}Done (loop $${label}`,
    `  (br_if $${label}Done ${exit})`,
    ...indent(body),
    `  (br $${label})))`,
  ];
}

/** `for (counter = from; counter < limit; counter += step) body`, unsigned comparison. */
export function countedLoop(
  label: string,
  { counter, limit, from = 0, step = 1 }: { counter: string; limit: Operand; from?: Operand; step?: Operand },
  body: string[],
): string[] {
  return [
    set(counter, operand(from)),
    ...whileLoop(label, geU(counter, limit), [...body, increment(counter, step)]),
  ];
}

/** i32 parameters in order, then the locals' declaration lines and the body. */
export function func(name: string, params: string[], locals: string[], body: string[]): string {
  return [
    `(func (export "${name}") ${params.map((p) => `(param $${p} i32)`).join(' ')}`,
    ...indent(locals),
    ...indent(body),
    ')',
  ].join('\n');
}

/** `(local $a type) (local $b type) …` on one line. */
export const locals = (type: 'i32' | 'v128', names: string[]) =>
  names.map((n) => `(local $${n} ${type})`).join(' ');
