import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** Largest encoded image accepted, in bytes. */
export const MAX_IMAGE_BYTES = 1024 * 1024;
/** Largest decoded side, in pixels; images are square, from 28×28 up to this. */
export const MAX_IMAGE_SIDE = 1024;
export const MNIST_SIDE = 28;

/** An image that cannot become an MNIST input; `reason` is said to the user as is. */
export class ImageInputError extends Error {
  override name = 'ImageInputError';
}

export interface MnistInput {
  /** 28×28 float32 in [0, 1], white digit on black, row-major. */
  pixels: Float32Array;
  source: 'png' | 'jpeg' | 'array';
  width: number;
  height: number;
  /** The image had a light background (a dark digit on white) and was inverted to MNIST's polarity. */
  inverted: boolean;
}

function isPng(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47
  );
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function checkSide(width: number, height: number): void {
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new ImageInputError(
      `too large: ${width}×${height} pixels; at most ${MAX_IMAGE_SIDE}×${MAX_IMAGE_SIDE}`,
    );
  }
  if (width !== height || width < MNIST_SIDE) {
    throw new ImageInputError(
      `wrong dimensions after decoding: ${width}×${height}; must be square, from ${MNIST_SIDE}×${MNIST_SIDE} to ${MAX_IMAGE_SIDE}×${MAX_IMAGE_SIDE}`,
    );
  }
}

/**
 * A PNG or JPEG → an MNIST input, converted as MNIST was: grayscale (ITU-R 601 luma; transparent
 * pixels count as white paper), box-averaged down to 28×28, scaled to [0, 1], and inverted when the
 * background is light (MNIST digits are white on black), which the result reports. Digits are not
 * re-centred: crop them roughly centred, as MNIST's are.
 */
export function decodeMnistImage(bytes: Uint8Array): MnistInput {
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new ImageInputError(`too large: ${bytes.length} bytes; at most ${MAX_IMAGE_BYTES}`);
  }
  let rgba: { width: number; height: number; data: Uint8Array };
  let source: 'png' | 'jpeg';
  if (isPng(bytes)) {
    source = 'png';
    // Dimensions from the IHDR chunk before inflating anything (no decompression bombs).
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkSide(view.getUint32(16), view.getUint32(20));
    try {
      rgba = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      throw new ImageInputError(`not a readable PNG image: ${(err as Error).message}`);
    }
  } else if (isJpeg(bytes)) {
    source = 'jpeg';
    try {
      rgba = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: (MAX_IMAGE_SIDE * MAX_IMAGE_SIDE) / 1e6 + 0.01,
        maxMemoryUsageInMB: 64,
      });
    } catch (err) {
      const message = (err as Error).message;
      if (/maxResolutionInMP|maxMemoryUsageInMB/.test(message))
        throw new ImageInputError(`too large: ${message}`);
      throw new ImageInputError(`not a readable JPEG image: ${message}`);
    }
  } else {
    throw new ImageInputError('not an image: expected PNG or JPEG data');
  }
  checkSide(rgba.width, rgba.height);
  const side = rgba.width;
  const gray = new Float64Array(MNIST_SIDE * MNIST_SIDE);
  const count = new Uint32Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = 0; y < side; y++) {
    const row = Math.floor((y * MNIST_SIDE) / side);
    for (let x = 0; x < side; x++) {
      const p = (y * side + x) * 4;
      const alpha = rgba.data[p + 3]! / 255;
      const luma = (0.299 * rgba.data[p]! + 0.587 * rgba.data[p + 1]! + 0.114 * rgba.data[p + 2]!) / 255;
      const cell = row * MNIST_SIDE + Math.floor((x * MNIST_SIDE) / side);
      gray[cell]! += alpha * luma + (1 - alpha);
      count[cell]!++;
    }
  }
  const pixels = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = gray[i]! / count[i]!;
  const inverted = borderMean(pixels) > 0.5;
  if (inverted) for (let i = 0; i < pixels.length; i++) pixels[i] = 1 - pixels[i]!;
  return { pixels, source, width: rgba.width, height: rgba.height, inverted };
}

/** A 28×28 array of numbers in [0, 1] (already MNIST-like: white on black) → an MNIST input. */
export function mnistArray(rows: readonly (readonly number[])[]): MnistInput {
  if (rows.length !== MNIST_SIDE || rows.some((r) => r.length !== MNIST_SIDE)) {
    throw new ImageInputError(
      `wrong dimensions: ${rows.length}×${rows[0]?.length ?? 0}; must be ${MNIST_SIDE}×${MNIST_SIDE}`,
    );
  }
  const pixels = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  rows.forEach((row, y) => {
    row.forEach((v, x) => {
      if (!Number.isFinite(v) || v < 0 || v > 1)
        throw new ImageInputError(`pixel [${y}][${x}] = ${v}; pixels must be numbers in [0, 1]`);
      pixels[y * MNIST_SIDE + x] = v;
    });
  });
  return { pixels, source: 'array', width: MNIST_SIDE, height: MNIST_SIDE, inverted: false };
}

function borderMean(pixels: Float32Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < MNIST_SIDE; i++) {
    for (const [y, x] of [
      [0, i],
      [MNIST_SIDE - 1, i],
      [i, 0],
      [i, MNIST_SIDE - 1],
    ] as const) {
      sum += pixels[y * MNIST_SIDE + x]!;
      n++;
    }
  }
  return sum / n;
}
