import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { z } from 'zod';

/** Largest encoded image accepted, in bytes. */
export const MAX_IMAGE_BYTES = 1024 * 1024;
/** Largest decoded side, in pixels. */
export const MAX_IMAGE_SIDE = 1024;
export const MNIST_SIDE = 28;
/**
 * MNIST fitted each digit's bounding box into 20×20 keeping its aspect ratio, and that box counts the
 * grey pixels its anti-aliasing left at the edges (the longer side of the ink box of 59,987 of the
 * 60,000 training digits is exactly 20). Area averaging a sharp-edged box of 19 pixels at a fractional
 * position likewise touches 20: measured the same way (the span holding 98% of the ink mass), digits
 * fitted to 19 are as large as MNIST's (19.4 would match exactly; 20 makes them 3% larger), and the
 * rendered test digits fare better (74 of 80 right against 72).
 */
export const MNIST_FIT = 19;
/**
 * Where MNIST's centre of mass lies, in continuous coordinates (pixel i spans [i, i+1)): measured over
 * the 60,000 training images (mean centre of mass at pixel index 14.01, 14.00, i.e. 14.5 here), whose
 * longer box side is 20 pixels in 59,987 of them.
 */
const MNIST_CENTRE = 14.5;
/** Ink mass left outside the bounding box on each side: stray specks do not stretch the box. */
const BOX_TAIL = 0.001;
/** An image whose strongest ink differs from its paper by less than this (of black-to-white) is blank. */
const MIN_INK = 0.1;

/** An image that cannot become an MNIST input; `reason` is said to the user as is. */
export class ImageInputError extends Error {
  override name = 'ImageInputError';
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** What the MNIST conversion did to one image: the one source of its shape, reported per image. */
export const ImageConversion = z
  .object({
    box: z
      .object({ x: z.number().int(), y: z.number().int(), width: z.number().int(), height: z.number().int() })
      .describe(
        'the ink’s bounding box in the image’s pixels (0.1% of the ink mass may lie outside each side)',
      ),
    scale: z
      .number()
      .describe(
        '28×28 pixels per image pixel: the box’s longer side became 19 (20 with its anti-aliased edges), aspect ratio kept',
      ),
    shift: z
      .object({ x: z.number(), y: z.number() })
      .describe(
        '28×28 pixels the fitted box moved from the centre so that the centre of mass of the ink lies at the centre',
      ),
  })
  .meta({
    id: 'ImageConversion',
    description: 'How an image became a 28×28 MNIST input, as MNIST itself was made',
  });
export type ImageConversion = z.infer<typeof ImageConversion>;

export interface MnistInput {
  /** 28×28 float32 in [0, 1], white digit on black, row-major. */
  pixels: Float32Array;
  source: 'png' | 'jpeg' | 'array';
  width: number;
  height: number;
  /** The image had a light background (a dark digit on white) and was inverted to MNIST's polarity. */
  inverted: boolean;
  /** What was done to an image; null for arrays, which are taken as they are. */
  conversion: ImageConversion | null;
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
  if (width < 1 || height < 1) throw new ImageInputError(`empty image: ${width}×${height} pixels`);
}

function decodeRgba(bytes: Uint8Array): {
  width: number;
  height: number;
  data: Uint8Array;
  source: 'png' | 'jpeg';
} {
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new ImageInputError(`too large: ${bytes.length} bytes; at most ${MAX_IMAGE_BYTES}`);
  }
  if (isPng(bytes)) {
    // Dimensions from the IHDR chunk before inflating anything (no decompression bombs).
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkSide(view.getUint32(16), view.getUint32(20));
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { ...png, source: 'png' };
    } catch (err) {
      throw new ImageInputError(`not a readable PNG image: ${(err as Error).message}`);
    }
  }
  if (isJpeg(bytes)) {
    try {
      const image = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: (MAX_IMAGE_SIDE * MAX_IMAGE_SIDE) / 1e6 + 0.01,
        maxMemoryUsageInMB: 64,
      });
      return { ...image, source: 'jpeg' };
    } catch (err) {
      const message = (err as Error).message;
      if (/maxResolutionInMP|maxMemoryUsageInMB/.test(message))
        throw new ImageInputError(`too large: ${message}`);
      throw new ImageInputError(`not a readable JPEG image: ${message}`);
    }
  }
  throw new ImageInputError('not an image: expected PNG or JPEG data');
}

function median(values: number[]): number {
  const sorted = values.sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** [first, last] index of `mass` holding all but `tail` of its total on each side. */
function massSpan(mass: Float64Array, total: number): [number, number] {
  let first = 0;
  for (let acc = mass[0]!; acc <= BOX_TAIL * total && first < mass.length - 1; acc += mass[++first]!);
  let last = mass.length - 1;
  for (let acc = mass[last]!; acc <= BOX_TAIL * total && last > first; acc += mass[--last]!);
  return [first, last];
}

/**
 * Area-averaging weights of one axis: output pixel o (of `MNIST_SIDE`) covers image pixels
 * [from + (o − offset)/scale, from + (o + 1 − offset)/scale), clipped to [from, to); row o holds each
 * image pixel's overlap with that span times `scale`, so a fully covered output pixel's weights sum to 1.
 */
function axisWeights(from: number, to: number, offset: number, scale: number): Float64Array[] {
  return Array.from({ length: MNIST_SIDE }, (_, o) => {
    const w = new Float64Array(to - from);
    const lo = Math.max(from, from + (o - offset) / scale);
    const hi = Math.min(to, from + (o + 1 - offset) / scale);
    for (let p = Math.floor(lo); p < hi; p++) {
      const overlap = Math.min(hi, p + 1) - Math.max(lo, p);
      if (overlap > 0) w[p - from] = overlap * scale;
    }
    return w;
  });
}

/**
 * A PNG or JPEG of any size up to 1024×1024 → an MNIST input, converted as MNIST was made (LeCun,
 * Cortes & Burges, "The MNIST database": each digit's bounding box size-normalised to fit a 20×20 box
 * preserving its aspect ratio, anti-aliased, then centred in 28×28 by its centre of mass):
 * 1. grayscale (ITU-R 601 luma; transparent pixels count as white paper), inverted when the border is
 *    light, so ink is bright as in MNIST; the paper's shade (the border's median) becomes 0;
 * 2. the ink's bounding box, weighted by ink rather than thresholded: the smallest box that leaves at
 *    most 0.1% of the ink mass outside each side;
 * 3. the box scaled so its longer side is 19 pixels (20 with the anti-aliased edge, see MNIST_FIT), area-averaged (each output pixel the mean of the
 *    image area it covers), and placed so the ink's centre of mass is at MNIST's centre;
 * 4. contrast stretched so the strongest output pixel is 1 (MNIST's strokes are saturated).
 * An image without ink (one flat shade) is refused.
 */
export function decodeMnistImage(bytes: Uint8Array): MnistInput {
  const { width, height, data, source } = decodeRgba(bytes);
  checkSide(width, height);
  const shade = new Float32Array(width * height);
  for (let p = 0; p < shade.length; p++) {
    const alpha = data[4 * p + 3]! / 255;
    const luma = (0.299 * data[4 * p]! + 0.587 * data[4 * p + 1]! + 0.114 * data[4 * p + 2]!) / 255;
    shade[p] = alpha * luma + (1 - alpha);
  }
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(shade[x]!, shade[(height - 1) * width + x]!);
  for (let y = 0; y < height; y++) border.push(shade[y * width]!, shade[y * width + width - 1]!);
  const paperShade = median(border);
  const inverted = paperShade > 0.5;
  const paper = inverted ? 1 - paperShade : paperShade;
  const range = 1 - paper;

  const ink = new Float32Array(width * height);
  const rows = new Float64Array(height);
  const cols = new Float64Array(width);
  let total = 0;
  let peak = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = inverted ? 1 - shade[y * width + x]! : shade[y * width + x]!;
      const i = range > 0 ? Math.max(0, v - paper) / range : 0;
      ink[y * width + x] = i;
      rows[y]! += i;
      cols[x]! += i;
      total += i;
      if (i > peak) peak = i;
    }
  }
  if (peak < MIN_INK) {
    throw new ImageInputError(
      `no ink: the image is one flat shade (nothing differs from its background by ${100 * MIN_INK}% or more); draw or crop a digit`,
    );
  }
  const [y0, y1] = massSpan(rows, total);
  const [x0, x1] = massSpan(cols, total);
  const box = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  const scale = MNIST_FIT / Math.max(box.width, box.height);

  // Centre of mass of the ink inside the box, in image coordinates (pixel i spans [i, i+1)).
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = ink[y * width + x]!;
      mass += i;
      cx += i * (x + 0.5);
      cy += i * (y + 0.5);
    }
  }
  cx /= mass;
  cy /= mass;
  // Where the box's corner lands in 28×28: centre of mass at the centre.
  const offsetX = MNIST_CENTRE - (cx - x0) * scale;
  const offsetY = MNIST_CENTRE - (cy - y0) * scale;

  // Separable area averaging: out = Wy · ink[box] · Wxᵀ.
  const wx = axisWeights(x0, x1 + 1, offsetX, scale);
  const wy = axisWeights(y0, y1 + 1, offsetY, scale);
  const tmp = new Float64Array(box.height * MNIST_SIDE);
  for (let y = 0; y < box.height; y++) {
    const row = (y0 + y) * width + x0;
    for (let o = 0; o < MNIST_SIDE; o++) {
      const w = wx[o]!;
      let s = 0;
      for (let x = 0; x < box.width; x++) s += w[x]! * ink[row + x]!;
      tmp[y * MNIST_SIDE + o] = s;
    }
  }
  const pixels = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  let strongest = 0;
  for (let oy = 0; oy < MNIST_SIDE; oy++) {
    const w = wy[oy]!;
    for (let ox = 0; ox < MNIST_SIDE; ox++) {
      let s = 0;
      for (let y = 0; y < box.height; y++) s += w[y]! * tmp[y * MNIST_SIDE + ox]!;
      pixels[oy * MNIST_SIDE + ox] = s;
      if (s > strongest) strongest = s;
    }
  }
  for (let p = 0; p < pixels.length; p++) pixels[p] = Math.min(1, pixels[p]! / strongest);

  const centred = (extent: number) => (MNIST_SIDE - extent * scale) / 2;
  return {
    pixels,
    source,
    width,
    height,
    inverted,
    conversion: {
      box,
      scale: round3(scale),
      shift: { x: round3(offsetX - centred(box.width)), y: round3(offsetY - centred(box.height)) },
    },
  };
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
  return {
    pixels,
    source: 'array',
    width: MNIST_SIDE,
    height: MNIST_SIDE,
    inverted: false,
    conversion: null,
  };
}
