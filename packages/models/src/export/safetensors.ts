/**
 * The safetensors file format (https://github.com/huggingface/safetensors): u64 LE header length N,
 * N bytes of JSON header (padded with spaces to a multiple of 8), then the raw tensor bytes. The header
 * maps each tensor name to { dtype, shape, data_offsets: [begin, end) } relative to the data start, and
 * `__metadata__` holds string → string pairs. Only F32 is written here; that is what our models train.
 */

export interface Tensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface SafetensorsFile {
  tensors: Tensor[];
  metadata: Record<string, string>;
}

/** Not a safetensors file, damaged, or holding something we cannot read (a dtype other than F32). */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** Largest header we accept when reading: the format's own reference reader refuses above 100 MB. */
const MAX_HEADER_BYTES = 100_000_000;

export function encodeSafetensors({ tensors, metadata }: SafetensorsFile): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const size = t.values.length * 4;
    if (t.shape.reduce((a, b) => a * b, 1) !== t.values.length) {
      throw new SafetensorsError(`tensor ${t.name}: shape ${t.shape.join('×')} ≠ ${t.values.length} values`);
    }
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++, position += 4) view.setFloat32(position, t.values[i]!, true);
  }
  return bytes;
}

export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new SafetensorsError(`not a safetensors file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    throw new SafetensorsError(
      `safetensors header length ${headerLength} runs past the ${bytes.length}-byte file`,
    );
  }
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (err) {
    throw new SafetensorsError(`safetensors header is not valid JSON (${(err as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  const tensors: Tensor[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32')
      throw new SafetensorsError(`tensor ${name} has dtype ${entry.dtype}; only F32 is read`);
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * 4 || dataStart + end > bytes.length) {
      throw new SafetensorsError(
        `tensor ${name}: data_offsets [${begin}, ${end}) do not fit its shape or the file`,
      );
    }
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getFloat32(dataStart + begin + i * 4, true);
    tensors.push({ name, shape: entry.shape, values });
  }
  return { tensors, metadata };
}
