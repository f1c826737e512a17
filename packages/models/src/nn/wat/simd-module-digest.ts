import { createHash } from 'node:crypto';
import wabtInit from 'wabt';
import { simdModuleWat } from './simd-module-wat.ts';

/**
 * What the snapshot of the generated module records (simd-module.snapshot.json): each exported
 * function's text lines and digest, and the digest of the assembled binary (which carries no names, so
 * it changes only when an instruction does).
 */
export interface SimdModuleDigest {
  binarySha256: string;
  binaryBytes: number;
  functions: { name: string; lines: number; sha256: string }[];
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The module's functions as their text, in order (each starts with `(func (export "name")` on a line of its own). */
export function simdModuleFunctions(text = simdModuleWat()): { name: string; text: string }[] {
  return text
    .split(/\n(?=\(func )/)
    .slice(1)
    .map((chunk) => {
      const body = chunk.replace(/\n\)$/, '');
      const name = /^\(func \(export "([^"]+)"\)/.exec(body)?.[1];
      if (!name) throw new Error(`simd module: a function without an export name: ${body.slice(0, 80)}`);
      return { name, text: body };
    });
}

/** Assembles `text` with wabt as simd-module.ts does (SIMD on, no debug names). */
export async function assembleWat(text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('simd-module.wat', text, { simd: true });
  try {
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

export async function simdModuleDigest(): Promise<SimdModuleDigest> {
  const text = simdModuleWat();
  const binary = await assembleWat(text);
  return {
    binarySha256: sha256(binary),
    binaryBytes: binary.length,
    functions: simdModuleFunctions(text).map((f) => ({
      name: f.name,
      lines: f.text.split('\n').length,
      sha256: sha256(f.text).slice(0, 16),
    })),
  };
}
