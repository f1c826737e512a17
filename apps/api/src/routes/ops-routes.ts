import { artifactDiskUsage, countEpochRows, runsByStatus } from '@sweeplab/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiContext } from '../api-context.ts';
import { Health, Readiness, WorkerList } from '../response-schemas.ts';
import { listWorkers } from '../worker-registry.ts';

/** Liveness, readiness, Prometheus metrics and the live worker list. */
export function opsRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          operationId: 'getHealth',
          tags: ['ops'],
          summary: 'The process is up',
          response: { 200: Health },
        },
      },
      async () => ({
        ok: true as const,
      }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          operationId: 'getReadiness',
          tags: ['ops'],
          summary:
            'Redis and the database are reachable and this API holds its lease on the prefix; also reports events kept in the dead-letter stream',
          response: { 200: Readiness, 503: Readiness },
        },
      },
      async (_req, reply) => {
        const checks: Record<string, string> = {};
        try {
          checks.redis = (await Promise.race([
            ctx.redis.ping(),
            new Promise<string>((_, reject) =>
              setTimeout(() => reject(new Error('timeout after 1 s')), 1000),
            ),
          ])) as string;
        } catch (err) {
          checks.redis = `unreachable: ${(err as Error).message}`;
        }
        try {
          ctx.db.$client.prepare('SELECT 1').get();
          checks.database = 'ok';
        } catch (err) {
          checks.database = `unreachable: ${(err as Error).message}`;
        }
        // An ingesting API that lost its lease commits nothing: not ready, and says why.
        const leaseProblem = ctx.ingester ? (ctx.lease?.whyNotHeld() ?? null) : null;
        checks.lease = ctx.ingester ? (leaseProblem ? `not held: ${leaseProblem}` : 'held') : 'not ingesting';
        const backlog = ctx.ingester?.stats.backlog;
        if (backlog) {
          checks.events_unacked = String(backlog.unacked);
          // Kept, not lost; readiness is unaffected, but an operator must look at them.
          checks.events_dead_letter =
            backlog.deadLetterLength === 0
              ? 'empty'
              : `${backlog.deadLetterLength} events kept in ${ctx.keys.eventsDeadLetter} (runs this database does not know, or unreadable)`;
        }
        const ready = checks.redis === 'PONG' && checks.database === 'ok' && leaseProblem === null;
        return reply.status(ready ? 200 : 503).send({ ready, checks });
      },
    );

    app.get(
      '/v1/workers',
      {
        schema: {
          tags: ['workers'],
          summary: 'Live workers and what they run',
          response: { 200: WorkerList },
        },
      },
      async () => ({
        workers: await listWorkers(ctx.redis, ctx.keys),
        artifacts: { ...artifactDiskUsage(ctx.db), keep: ctx.config.ARTIFACT_KEEP },
      }),
    );

    app.get(
      '/metrics',
      { schema: { tags: ['ops'], summary: 'Prometheus metrics', hide: true } },
      async (_req, reply) => {
        const lines: string[] = [];
        const gauge = (
          name: string,
          help: string,
          type: 'gauge' | 'counter',
          samples: [string, number][],
        ) => {
          lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
          for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
        };
        const depth = await ctx.queue.depth().catch(() => ({}) as Record<string, number>);
        gauge(
          'sweeplab_queue_jobs',
          'Jobs in the training queue by state',
          'gauge',
          Object.entries(depth).map(([s, n]) => [`{state="${s}"}`, n]),
        );
        gauge(
          'sweeplab_runs',
          'Runs by status',
          'gauge',
          Object.entries(runsByStatus(ctx.db)).map(([s, n]) => [`{status="${s}"}`, n]),
        );
        gauge('sweeplab_epoch_rows', 'Epoch rows in the metrics table', 'gauge', [
          ['', countEpochRows(ctx.db)],
        ]);
        const disk = artifactDiskUsage(ctx.db);
        gauge('sweeplab_artifact_bytes', 'Bytes of kept weights on disk (each file once)', 'gauge', [
          ['', disk.bytes],
        ]);
        gauge('sweeplab_artifact_files', 'Artifact files on disk', 'gauge', [['', disk.files]]);
        const workers = await listWorkers(ctx.redis, ctx.keys).catch(() => []);
        gauge('sweeplab_workers', 'Live workers', 'gauge', [['', workers.length]]);
        const s = ctx.ingester?.stats;
        if (s) {
          gauge('sweeplab_ingested_events_total', 'Run events read from the stream by this API', 'counter', [
            ['', s.eventsRead],
          ]);
          gauge(
            'sweeplab_ingest_fenced_total',
            'Events ignored as coming from a superseded attempt',
            'counter',
            [['', s.fenced]],
          );
          gauge('sweeplab_ingest_invalid_total', 'Malformed stream entries dropped', 'counter', [
            ['', s.invalid],
          ]);
          gauge(
            'sweeplab_ingest_artifacts_total',
            'Artifact events by outcome',
            'counter',
            Object.entries(s.artifacts).map(([o, n]) => [`{outcome="${o}"}`, n ?? 0]),
          );
          gauge('sweeplab_ingest_lag_seconds', 'Age of the newest event at commit, last batch', 'gauge', [
            ['', s.lastLagMs / 1000],
          ]);
          gauge(
            'sweeplab_ingest_dead_lettered_total',
            'Events kept in the dead-letter stream instead of applied, by reason',
            'counter',
            Object.entries(s.deadLettered).map(([reason, n]) => [`{reason="${reason}"}`, n]),
          );
          gauge('sweeplab_api_lease_held', '1 while this API holds its lease and may commit', 'gauge', [
            ['', ctx.lease?.whyNotHeld() ? 0 : 1],
          ]);
          if (s.backlog) {
            gauge('sweeplab_events_stream_length', 'Entries in the events stream', 'gauge', [
              ['', s.backlog.length],
            ]);
            gauge('sweeplab_events_unacked', 'Events not yet acknowledged by the ingester', 'gauge', [
              ['', s.backlog.unacked],
            ]);
            gauge(
              'sweeplab_events_oldest_unacked_age_seconds',
              'Age of the oldest event not yet acknowledged (0 when none)',
              'gauge',
              [['', (s.backlog.oldestUnackedAgeMs ?? 0) / 1000]],
            );
            gauge('sweeplab_events_dead_letter_length', 'Entries in the dead-letter stream', 'gauge', [
              ['', s.backlog.deadLetterLength],
            ]);
          }
        }
        return reply.header('content-type', 'text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
      },
    );
  };
}
