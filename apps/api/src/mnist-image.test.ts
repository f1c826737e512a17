import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { initBackend, predictProbabilities } from '@sweeplab/models';
import { safetensorsToWeights } from '@sweeplab/models/export';
import { PNG } from 'pngjs';
import { decodeMnistImage, MNIST_SIDE } from './mnist-image.ts';

const DIGITS = new URL('./fixtures/digits/', import.meta.url);
const WEIGHTS = new URL('./fixtures/resnet-mnist-1epoch.safetensors', import.meta.url);

/** A width×height PNG of `paper` with the rectangles given as [x, y, w, h] filled with `ink` (0–255 gray). */
function pngWith(
  width: number,
  height: number,
  rects: [number, number, number, number][],
  { paper = 255, ink = 0 } = {},
): Buffer {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) png.data.set([paper, paper, paper, 255], 4 * p);
  for (const [x0, y0, w, h] of rects)
    for (let y = y0; y < y0 + h; y++)
      for (let x = x0; x < x0 + w; x++) png.data.set([ink, ink, ink, 255], 4 * (y * width + x));
  return PNG.sync.write(png);
}

const at = (pixels: Float32Array, x: number, y: number) => pixels[y * MNIST_SIDE + x]!;
const sum = (pixels: Float32Array) => pixels.reduce((a, b) => a + b, 0);

test('a 30×20 block on a 100×50 canvas: box, 19-pixel fit keeping the aspect ratio, centre of mass at 14.5 (hand-computed)', () => {
  const input = decodeMnistImage(pngWith(100, 50, [[60, 25, 30, 20]]));
  assert.equal(input.inverted, true);
  assert.deepEqual(input.conversion, {
    box: { x: 60, y: 25, width: 30, height: 20 },
    // 19 / 30; the block becomes 19 × 12.67 and its centre of mass (its middle) moves to (14.5, 14.5):
    // the box's corner lands at (5, 8.17), half a pixel right of and below a centred box (4.5, 7.67).
    scale: 0.633,
    shift: { x: 0.5, y: 0.5 },
  });
  const near = (x: number, y: number, v: number) =>
    assert.ok(
      Math.abs(at(input.pixels, x, y) - v) < 1e-5,
      `(${x}, ${y}) = ${at(input.pixels, x, y)}, not ${v}`,
    );
  // Columns 5–24 exactly; rows 8.17–20.83: rows 8 and 20 five sixths covered.
  near(4, 14, 0);
  near(5, 14, 1);
  near(23, 14, 1);
  near(24, 14, 0);
  near(14, 7, 0);
  near(14, 8, 5 / 6);
  near(14, 20, 5 / 6);
  near(14, 21, 0);
  // The ink's area is kept: 19 × 12.67 output pixels.
  assert.ok(Math.abs(sum(input.pixels) - (19 * 38) / 3) < 1e-3);
});

test('a thin upright stroke stays thin: the longer side becomes 19, the other keeps its proportion', () => {
  const input = decodeMnistImage(pngWith(300, 300, [[20, 100, 12, 120]]));
  assert.deepEqual(input.conversion!.box, { x: 20, y: 100, width: 12, height: 120 });
  assert.equal(input.conversion!.scale, 0.158);
  const row = Array.from({ length: MNIST_SIDE }, (_, x) => at(input.pixels, x, 14));
  // 12 pixels × 19/120 = 1.9 output pixels wide, centred on 14.5 → columns 13.55–15.45.
  assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1.9) < 1e-5, row.join(' '));
  assert.deepEqual(
    row.map((v, x) => (v > 0 ? x : -1)).filter((x) => x >= 0),
    [13, 14, 15],
  );
});

test('the same digit anywhere, at any size, on any paper, gives nearly the same 28×28 input', () => {
  // An "L": a stroke down (u wide, 7.5u long) and one across (4u), drawn at two sizes and places, dark
  // on light and light on dark.
  const letterL = (
    size: [number, number],
    x: number,
    y: number,
    u: number,
    colours: { paper: number; ink: number },
  ) =>
    decodeMnistImage(
      pngWith(
        ...size,
        [
          [x, y, u, 7.5 * u],
          [x, y + 6.5 * u, 4 * u, u],
        ],
        colours,
      ),
    );
  const small = letterL([64, 64], 5, 3, 4, { paper: 230, ink: 40 });
  const large = letterL([400, 250], 300, 100, 16, { paper: 0, ink: 255 });
  assert.equal(small.inverted, true);
  assert.equal(large.inverted, false);
  assert.equal(small.conversion!.scale, 0.633);
  assert.equal(large.conversion!.scale, 0.158);
  let diff = 0;
  for (let p = 0; p < small.pixels.length; p++) diff += Math.abs(small.pixels[p]! - large.pixels[p]!);
  assert.ok(diff < 1e-3, `summed difference ${diff}`);
});

test('transparent pixels are white paper; a stray speck does not stretch the box', () => {
  const png = new PNG({ width: 200, height: 200 }); // all transparent
  for (let y = 50; y < 150; y++)
    for (let x = 80; x < 110; x++) png.data.set([0, 0, 0, 255], 4 * (y * 200 + x));
  png.data.set([0, 0, 0, 255], 4 * (199 * 200 + 199)); // one pixel: 1/3000 of the ink
  const input = decodeMnistImage(PNG.sync.write(png));
  assert.equal(input.inverted, true);
  assert.deepEqual(input.conversion!.box, { x: 80, y: 50, width: 30, height: 100 });
});

test('an image without ink is refused, saying so', () => {
  assert.throws(
    () => decodeMnistImage(pngWith(64, 64, [])),
    /^ImageInputError: no ink: the image is one flat shade/,
  );
  assert.throws(
    () => decodeMnistImage(pngWith(64, 64, [[10, 10, 20, 20]], { paper: 200, ink: 190 })),
    /no ink/,
  );
});

test('rendered digits in eight fonts, anywhere on canvases of 64–400 pixels: ≥ 90% right with a 97.9% MNIST model', async () => {
  const files = readdirSync(DIGITS).filter((f) => f.endsWith('.png'));
  assert.equal(files.length, 80);
  const { model, depth, weights } = safetensorsToWeights(readFileSync(WEIGHTS));
  const inputs = files.map((f) => decodeMnistImage(readFileSync(new URL(f, DIGITS))));
  const pixels = new Float32Array(files.length * MNIST_SIDE * MNIST_SIDE);
  inputs.forEach((input, i) => {
    pixels.set(input.pixels, i * MNIST_SIDE * MNIST_SIDE);
  });
  await initBackend('auto');
  const probabilities = predictProbabilities(model, weights, pixels, depth);
  const wrong: string[] = [];
  files.forEach((file, i) => {
    const p = Array.from(probabilities[i]!);
    const predicted = p.indexOf(Math.max(...p));
    if (predicted !== Number(file[0])) wrong.push(`${file} → ${predicted}`);
  });
  const correct = files.length - wrong.length;
  console.log(`# rendered digits: ${correct}/${files.length} right; wrong: ${wrong.join(', ')}`);
  assert.ok(correct >= 0.9 * files.length, `${correct}/${files.length} right; wrong: ${wrong.join(', ')}`);
});
