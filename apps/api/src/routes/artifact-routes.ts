import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  type Artifact,
  bestArtifactOfSweep,
  bestRun,
  getArtifact,
  getRun,
  getSweep,
  listArtifacts,
} from '@sweeplab/db';
import { decodeSafetensors, safetensorsToWeights } from '@sweeplab/models/export';
import { METRIC_NAMES, type MetricName } from '@sweeplab/shared';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../api-context.ts';
import { weightsUrl } from '../artifact-urls.ts';
import { ApiError } from '../errors.ts';
import { decodeMnistImage, ImageInputError, type MnistInput, mnistArray } from '../mnist-image.ts';
import { Predictions } from '../response-schemas.ts';
import { RunIdParams } from './run-routes.ts';
import { SweepIdParams } from './sweep-routes.ts';

/** Most images one predict request may carry. */
export const MAX_PREDICT_IMAGES = 64;
const PREDICT_BODY_LIMIT = 96 * 1024 * 1024;

const Kind = z.enum(['best', 'final']);
const WeightsQuery = z
  .object({ kind: Kind.default('best'), format: z.enum(['safetensors', 'json']).default('safetensors') })
  .strict();
const PredictQuery = z.object({ kind: Kind.default('best') }).strict();
const PredictBody = z
  .object({
    /** Base64 PNG or JPEG files. */
    images: z.array(z.string()).optional(),
    /** 28×28 arrays of pixels in [0, 1], white digit on black (MNIST's polarity). */
    arrays: z.array(z.array(z.array(z.number()))).optional(),
  })
  .strict();

function describe(a: Artifact) {
  return {
    ...a,
    download: weightsUrl(a.run_id, a.kind),
    download_json: weightsUrl(a.run_id, a.kind, 'json'),
  };
}

/** Decoded weights of the artifacts predicted with most recently, by sha256 (they never change). */
class WeightsCache {
  private readonly entries = new Map<string, ReturnType<typeof safetensorsToWeights>>();
  constructor(private readonly capacity: number) {}
  async get(sha256: string, load: () => Promise<Uint8Array>) {
    let entry = this.entries.get(sha256);
    if (entry) this.entries.delete(sha256);
    else entry = safetensorsToWeights(await load());
    this.entries.set(sha256, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}

export function artifactRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const cache = new WeightsCache(4);
  const artifactOr404 = (runId: string, kind: 'best' | 'final') => {
    if (!getRun(ctx.db, runId)) throw new ApiError(404, 'not_found', `run ${runId} not found`);
    const artifact = getArtifact(ctx.db, runId, kind);
    if (!artifact) {
      throw new ApiError(
        404,
        'not_found',
        `run ${runId} has no ${kind} weights (yet, or ARTIFACT_KEEP=${ctx.config.ARTIFACT_KEEP} does not keep them)`,
      );
    }
    return artifact;
  };

  return async (app) => {
    app.get(
      '/v1/runs/:id/artifacts',
      {
        schema: {
          tags: ['artifacts'],
          summary: 'The trained weights kept for a run: best (by the sweep metric) and final',
          params: RunIdParams,
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!getRun(ctx.db, id)) throw new ApiError(404, 'not_found', `run ${id} not found`);
        return { run_id: id, artifacts: listArtifacts(ctx.db, id).map(describe) };
      },
    );

    app.get(
      '/v1/runs/:id/weights',
      {
        schema: {
          tags: ['artifacts'],
          summary:
            'Download a run’s weights: safetensors with PyTorch names and layouts, or the same tensors as JSON',
          params: RunIdParams,
          querystring: WeightsQuery,
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { kind, format } = request.query;
        const artifact = artifactOr404(id, kind);
        const etag = format === 'json' ? `"${artifact.sha256}.json"` : `"${artifact.sha256}"`;
        reply.header('etag', etag);
        // Content-addressed: the bytes behind an ETag never change, though the best artifact may move on.
        reply.header('cache-control', 'no-cache');
        const filename = `${id}-${kind}-epoch${artifact.epoch}.${format}`;
        reply.header('content-disposition', `attachment; filename="${filename}"`);
        const match = request.headers['if-none-match'];
        if (match?.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
          return reply.status(304).send();
        }
        const path = ctx.artifacts.pathOf(artifact.sha256);
        if (format === 'safetensors') {
          reply.header('content-type', 'application/octet-stream');
          reply.header('content-length', String(artifact.bytes));
          return reply.send(createReadStream(path));
        }
        const { tensors, metadata } = decodeSafetensors(await readFile(path));
        const body = JSON.stringify({
          format: 'sweeplab-weights-json/1',
          layout:
            'PyTorch state_dict: names, shapes and row-major (C order) values as in the safetensors file',
          metadata,
          tensors: Object.fromEntries(
            tensors.map((t) => [t.name, { shape: t.shape, data: Array.from(t.values) }]),
          ),
        });
        reply.header('content-type', 'application/json; charset=utf-8');
        reply.header('content-length', String(Buffer.byteLength(body)));
        return reply.send(body);
      },
    );

    app.get(
      '/v1/sweeps/:id/best',
      {
        schema: {
          tags: ['artifacts'],
          summary: 'The sweep’s best run by its metric (val_acc when none) and a link to its weights',
          params: SweepIdParams,
        },
      },
      async (request) => {
        const { id } = request.params;
        const sweep = getSweep(ctx.db, id);
        if (!sweep) throw new ApiError(404, 'not_found', `sweep ${id} not found`);
        const metric = { name: sweep.metric_name ?? 'val_acc', goal: sweep.metric_goal ?? 'maximize' };
        const artifact = bestArtifactOfSweep(ctx.db, id, metric.goal);
        if (artifact) {
          return {
            sweep_id: id,
            metric,
            run: getRun(ctx.db, artifact.run_id),
            artifact: describe(artifact),
            weights_url: weightsUrl(artifact.run_id, artifact.kind),
            predict_url: `/v1/runs/${artifact.run_id}/predict?kind=${artifact.kind}`,
          };
        }
        // Runs that keep no weights (the synthetic trainer, programs that save no artifact) still have a
        // best run by the metric table; only a sweep with no recorded value yet has no answer.
        const best = (METRIC_NAMES as readonly string[]).includes(metric.name)
          ? bestRun(ctx.db, id, metric.name as MetricName, metric.goal)
          : null;
        if (!best)
          throw new ApiError(404, 'not_found', `sweep ${id} has no run with a ${metric.name} value yet`);
        return {
          sweep_id: id,
          metric,
          run: getRun(ctx.db, best.run_id),
          artifact: null,
          weights_url: null,
          predict_url: null,
        };
      },
    );

    await app.register(async (plain) => {
      const scope = plain.withTypeProvider<ZodTypeProvider>();
      // Raw image uploads: one PNG or JPEG as the body.
      scope.addContentTypeParser(
        ['image/png', 'image/jpeg'],
        { parseAs: 'buffer', bodyLimit: PREDICT_BODY_LIMIT },
        (_request, body, done) => done(null, body),
      );
      scope.post(
        '/v1/runs/:id/predict',
        {
          bodyLimit: PREDICT_BODY_LIMIT,
          schema: {
            tags: ['artifacts'],
            summary: `Class probabilities from a run's weights for up to ${MAX_PREDICT_IMAGES} images: a PNG/JPEG body, or JSON {images: [base64 PNG/JPEG], arrays: [28×28 in [0,1]]}`,
            description:
              'Images of any size up to 1024×1024 are converted as MNIST was made: the ink’s bounding box fitted into 20×20 keeping its aspect ratio (area-averaged), placed so its centre of mass is at the centre of 28×28, inverted when the background is light; each prediction reports the box, scale and shift. Arrays are taken as they are.',
            params: RunIdParams,
            querystring: PredictQuery,
            response: { 200: Predictions },
          },
        },
        async (request) => {
          const { id } = request.params;
          const { kind } = request.query;
          const inputs = parsePredictBody(request.body);
          const artifact = artifactOr404(id, kind);
          const { model, depth, weights } = await cache.get(artifact.sha256, () =>
            readFile(ctx.artifacts.pathOf(artifact.sha256)),
          );
          const pixels = new Float32Array(inputs.length * 28 * 28);
          inputs.forEach((input, i) => {
            pixels.set(input.pixels, i * 28 * 28);
          });
          // TF.js is loaded on the first prediction only: the API otherwise never needs it.
          const models = await import('@sweeplab/models');
          if (!models.currentBackend()) await models.initBackend('auto');
          const probabilities = models.predictProbabilities(model, weights, pixels, depth);
          return {
            run_id: id,
            kind,
            epoch: artifact.epoch,
            model,
            sha256: artifact.sha256,
            predictions: inputs.map((input, i) => {
              const p = Array.from(probabilities[i]!);
              return {
                index: i,
                source: input.source,
                width: input.width,
                height: input.height,
                inverted: input.inverted,
                conversion: input.conversion,
                class: p.indexOf(Math.max(...p)),
                probabilities: p,
              };
            }),
          };
        },
      );
    });
  };
}

function parsePredictBody(body: unknown): MnistInput[] {
  const bad = (field: string, message: string) =>
    new ApiError(400, 'invalid_request', `${field}: ${message}`, [{ field, message }]);
  if (Buffer.isBuffer(body)) return [convert(() => decodeMnistImage(body), 'body', bad)];
  const parsed = PredictBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw bad(['body', ...issue.path.map(String)].join('.'), issue.message);
  }
  const { images = [], arrays = [] } = parsed.data;
  const total = images.length + arrays.length;
  if (total === 0) throw bad('body', 'no images: send a PNG/JPEG body, or JSON with images or arrays');
  if (total > MAX_PREDICT_IMAGES)
    throw bad('body', `${total} images; at most ${MAX_PREDICT_IMAGES} per request`);
  return [
    ...images.map((b64, i) =>
      convert(() => decodeMnistImage(Buffer.from(b64, 'base64')), `body.images.${i}`, bad),
    ),
    ...arrays.map((rows, i) => convert(() => mnistArray(rows), `body.arrays.${i}`, bad)),
  ];
}

function convert(
  make: () => MnistInput,
  field: string,
  bad: (field: string, message: string) => ApiError,
): MnistInput {
  try {
    return make();
  } catch (err) {
    if (err instanceof ImageInputError) throw bad(field, err.message);
    throw err;
  }
}
