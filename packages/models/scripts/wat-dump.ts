/**
 * `npm run wat:dump -w @sweeplab/models`: the generated SIMD module (src/nn/wat/), written out as
 * WebAssembly text, with a table of its functions.
 *   npm run wat:dump -w @sweeplab/models [-- --out file.wat] [--function gemmNN] [--update-snapshot]
 * `--function` prints one function's text instead; `--update-snapshot` rewrites the digests that
 * simd-module-wat.test.ts holds the generators to (after a change to the generated code that is meant).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { simdModuleDigest, simdModuleFunctions } from '../src/nn/wat/simd-module-digest.ts';
import { simdModuleWat } from '../src/nn/wat/simd-module-wat.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(os.tmpdir(), 'sweeplab-simd-module.wat') },
    function: { type: 'string' },
    'update-snapshot': { type: 'boolean', default: false },
  },
});

const text = simdModuleWat();
if (values.function) {
  const found = simdModuleFunctions(text).find((f) => f.name === values.function);
  if (!found) {
    console.error(
      `no function ${values.function}; there are: ${simdModuleFunctions(text)
        .map((f) => f.name)
        .join(', ')}`,
    );
    process.exit(2);
  }
  console.log(found.text);
  process.exit(0);
}

writeFileSync(values.out, `${text}\n`);
const digest = await simdModuleDigest();
console.log(
  `${values.out}: ${text.split('\n').length} lines, ${text.length} characters; binary ${digest.binaryBytes} bytes, sha256 ${digest.binarySha256}`,
);
console.log('');
console.log('| function | lines | text sha256 (first 16) |');
console.log('|---|---:|---|');
for (const f of digest.functions) console.log(`| ${f.name} | ${f.lines} | ${f.sha256} |`);
if (values['update-snapshot']) {
  const snapshot = fileURLToPath(new URL('../src/nn/wat/simd-module.snapshot.json', import.meta.url));
  writeFileSync(snapshot, `${JSON.stringify(digest, null, 2)}\n`);
  console.log(`\nwrote ${snapshot}`);
}
