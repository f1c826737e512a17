// `npm run predict -- --run <id> [--kind best|final] [--database path | --api url] image.png [more.png …]`:
// class probabilities of PNG/JPEG digits from a run's kept weights, converted as MNIST is.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { closeDatabase, getArtifact, openDatabase } from '@sweeplab/db';
import { safetensorsToWeights } from '@sweeplab/models/export';
import { resolveUserPath } from '@sweeplab/shared';
import { artifactsDir, loadApiConfig } from '../config.ts';
import { decodeMnistImage, type ImageConversion, ImageInputError, type MnistInput } from '../mnist-image.ts';
import { MAX_PREDICT_IMAGES } from '../routes/artifact-routes.ts';
import { RunIdParams } from '../routes/run-routes.ts';

const USAGE = `usage: npm run predict -- --run <run-id> [--kind best|final] [--database <path> | --api <url>] [--json] <image> [<image> …]

Prints the predicted digit and class probabilities of each PNG or JPEG image (up to ${MAX_PREDICT_IMAGES}),
using the run's kept weights (best by the sweep's metric unless --kind final). Images are converted as
MNIST was made: the ink's bounding box fitted into 20×20 keeping its aspect ratio, its centre of mass
at the centre of 28×28; a dark digit on a light background is inverted. Each line says what was done.
Reads the database and artifacts folder directly (--database, else DATABASE_PATH, else
./data/orchestrator.db), or asks a running API with --api http://host:8080.`;

function fail(message: string, code = 2): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(code);
}

let parsed: ReturnType<typeof parseArgs>;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      run: { type: 'string' },
      kind: { type: 'string', default: 'best' },
      database: { type: 'string' },
      api: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (err) {
  fail((err as Error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const runId = String(values.run ?? '');
if (!RunIdParams.shape.id.safeParse(runId).success)
  fail(`--run: must be a run id like run_…, got "${runId}"`);
const kind = String(values.kind);
if (kind !== 'best' && kind !== 'final') fail(`--kind: must be best or final, got "${kind}"`);
if (positionals.length === 0) fail('no images given');
if (positionals.length > MAX_PREDICT_IMAGES)
  fail(`${positionals.length} images; at most ${MAX_PREDICT_IMAGES}`);

interface Prediction {
  file: string;
  class: number;
  probabilities: number[];
  inverted: boolean;
  conversion: ImageConversion | null;
}

async function viaApi(url: string): Promise<Prediction[]> {
  const images = positionals.map((file) => readFileSync(file).toString('base64'));
  const response = await fetch(`${url.replace(/\/$/, '')}/v1/runs/${runId}/predict?kind=${kind}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ images }),
  });
  const body = (await response.json()) as {
    message?: string;
    predictions?: Omit<Prediction, 'file'>[];
  };
  if (!response.ok) fail(`the API answered ${response.status}: ${body.message ?? ''}`, 1);
  return body.predictions!.map((p, i) => ({
    file: positionals[i]!,
    class: p.class,
    probabilities: p.probabilities,
    inverted: p.inverted,
    conversion: p.conversion,
  }));
}

async function local(): Promise<Prediction[]> {
  const config = loadApiConfig({
    ...process.env,
    ...(values.database ? { DATABASE_PATH: resolveUserPath(String(values.database)) } : {}),
  });
  const db = openDatabase(config.DATABASE_PATH);
  let artifact: ReturnType<typeof getArtifact>;
  try {
    artifact = getArtifact(db, runId, kind as 'best' | 'final');
  } finally {
    closeDatabase(db);
  }
  if (!artifact) fail(`run ${runId} has no ${kind} weights in ${config.DATABASE_PATH}`, 1);
  const { model, depth, weights } = safetensorsToWeights(
    readFileSync(`${artifactsDir(config)}/${artifact.sha256}.safetensors`),
  );
  const inputs: MnistInput[] = positionals.map((file) => {
    try {
      return decodeMnistImage(readFileSync(file));
    } catch (err) {
      if (err instanceof ImageInputError) fail(`${file}: ${err.message}`, 1);
      throw err;
    }
  });
  const pixels = new Float32Array(inputs.length * 784);
  inputs.forEach((input, i) => {
    pixels.set(input.pixels, i * 784);
  });
  const models = await import('@sweeplab/models');
  await models.initBackend('auto');
  const probabilities = models.predictProbabilities(model, weights, pixels, depth);
  return inputs.map((input, i) => {
    const p = Array.from(probabilities[i]!);
    return {
      file: positionals[i]!,
      class: p.indexOf(Math.max(...p)),
      probabilities: p,
      inverted: input.inverted,
      conversion: input.conversion,
    };
  });
}

const predictions = values.api ? await viaApi(String(values.api)) : await local();
if (values.json) console.log(JSON.stringify({ run_id: runId, kind, predictions }, null, 2));
else {
  for (const p of predictions) {
    const top = p.probabilities.map((v, c) => `${c}:${(100 * v).toFixed(1)}%`).join(' ');
    const c = p.conversion;
    const done = c
      ? `(box ${c.box.width}×${c.box.height} at ${c.box.x},${c.box.y}, scale ${c.scale}, shift ${c.shift.x},${c.shift.y}${p.inverted ? ', inverted: light background' : ''}) `
      : '';
    console.log(`${basename(p.file)}\t${p.class}\t${done}${top}`);
  }
}
