import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  assembleWat,
  type SimdModuleDigest,
  simdModuleDigest,
  simdModuleFunctions,
} from './simd-module-digest.ts';
import { simdModuleWat } from './simd-module-wat.ts';
import { countedLoop, floatAt } from './wat-builder.ts';

/** The part of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
const WasmModule = (
  globalThis as unknown as {
    WebAssembly: {
      Module: { new (bytes: Uint8Array): object; exports(m: object): { name: string; kind: string }[] };
    };
  }
).WebAssembly.Module;

const snapshotPath = new URL('./simd-module.snapshot.json', import.meta.url);

test('the generated SIMD module matches its snapshot, function by function and as a binary', async () => {
  const committed = JSON.parse(readFileSync(snapshotPath, 'utf8')) as SimdModuleDigest;
  const actual = await simdModuleDigest();
  const before = new Map(committed.functions.map((f) => [f.name, f]));
  const after = new Map(actual.functions.map((f) => [f.name, f]));
  const changed = [
    ...actual.functions.filter((f) => before.get(f.name)?.sha256 !== f.sha256).map((f) => f.name),
    ...committed.functions.filter((f) => !after.has(f.name)).map((f) => `${f.name} (gone)`),
  ];
  const hint =
    'see them with `npm run wat:dump -w @sweeplab/models -- --function <name>`; if the change is meant, `-- --update-snapshot`';
  assert.deepEqual(changed, [], `generated functions changed: ${changed.join(', ')}; ${hint}`);
  assert.deepEqual(
    actual.functions.map((f) => f.name),
    committed.functions.map((f) => f.name),
    `function order changed; ${hint}`,
  );
  assert.equal(actual.binarySha256, committed.binarySha256, `the assembled module changed; ${hint}`);
});

test('the snapshot covers every export of the assembled module, each a function of i32 parameters', async () => {
  const text = simdModuleWat();
  const compiled = new WasmModule(await assembleWat(text));
  const exports = WasmModule.exports(compiled);
  assert.ok(exports.every((e) => e.kind === 'function'));
  assert.deepEqual(
    simdModuleFunctions(text).map((f) => f.name),
    exports.map((e) => e.name),
  );
  assert.ok(exports.length >= 19, `${exports.length} functions`);
});

test('the WAT helpers write the loop and address text they name', () => {
  assert.equal(floatAt('src', 'i'), '(i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))');
  assert.deepEqual(countedLoop('row', { counter: 'r', limit: 'rows', step: 4 }, ['(nop)']), [
    '(local.set $r (i32.const 0))',
    '(block $rowDone (loop $row',
    '  (br_if $rowDone (i32.ge_u (local.get $r) (local.get $rows)))',
    '  (nop)',
    '  (local.set $r (i32.add (local.get $r) (i32.const 4)))',
    '  (br $row)))',
  ]);
});
