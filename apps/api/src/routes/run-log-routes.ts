import { getRun } from '@sweeplab/db';
import { closeConnection, RUN_LOG_MAX_LINES, RunStatus } from '@sweeplab/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors.ts';
import { RunIdParams } from './run-routes.ts';

const LogQuery = z
  .object({
    after: z
      .string()
      .regex(/^\d+-\d+$/, 'must be a line id from an earlier answer (`next`)')
      .optional(),
    wait_ms: z.coerce
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(0)
      .max(30_000, 'must be at most 30000')
      .default(0),
    limit: z.coerce
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(1)
      .max(RUN_LOG_MAX_LINES)
      .default(1000),
  })
  .strict();

const LogLine = z.object({
  id: z.string().describe('pass as `after` to read on from here'),
  stream: z.enum(['stdout', 'stderr']),
  attempt: z.number().int(),
  line: z.string(),
});

const RunLogs = z
  .object({
    run_id: z.string(),
    status: RunStatus,
    lines: z.array(LogLine),
    next: z
      .string()
      .nullable()
      .describe('the last line id answered (or `after` when none): the next `after`'),
  })
  .meta({ id: 'RunLogs', description: "A program run's stdout and stderr, oldest first" });

type Entry = [id: string, fields: string[]];

function toLine([id, fields]: Entry): z.infer<typeof LogLine> {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  return { id, stream: f.s === 'e' ? 'stderr' : 'stdout', attempt: Number(f.a ?? 0), line: f.l ?? '' };
}

/**
 * GET /v1/runs/:id/logs: what a program run printed, kept in Redis by its worker (capped at
 * RUN_LOG_MAX_LINES, oldest dropped first). Following is long polling: `after` the last id seen and
 * `wait_ms` to wait for new lines; `sweeplab logs <run> -f` loops on it until the run has ended.
 */
export function runLogRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/runs/:id/logs',
      {
        schema: {
          tags: ['runs'],
          summary: "A program run's stdout and stderr (follow: `after` the last id and `wait_ms`)",
          params: RunIdParams,
          querystring: LogQuery,
          response: { 200: RunLogs },
        },
      },
      async (request) => {
        const { id } = request.params;
        const { after, wait_ms, limit } = request.query;
        const run = getRun(ctx.db, id);
        if (!run) throw new ApiError(404, 'not_found', `run ${id} not found`);
        const key = ctx.keys.runLogs(id);
        let entries = (await ctx.redis.xrange(
          key,
          after ? `(${after}` : '-',
          '+',
          'COUNT',
          limit,
        )) as Entry[];
        const finished = !['queued', 'running'].includes(run.status);
        if (entries.length === 0 && wait_ms > 0 && !finished) {
          // A blocking read needs a connection of its own: the shared one serves every other request.
          const reader = ctx.redis.duplicate();
          try {
            const reply = (await reader.xread(
              'COUNT',
              limit,
              'BLOCK',
              wait_ms,
              'STREAMS',
              key,
              after ?? '$',
            )) as [string, Entry[]][] | null;
            entries = reply?.[0]?.[1] ?? [];
          } finally {
            await closeConnection(reader);
          }
        }
        const lines = entries.map(toLine);
        return {
          run_id: id,
          status: getRun(ctx.db, id)?.status ?? run.status,
          lines,
          next: lines.at(-1)?.id ?? after ?? null,
        };
      },
    );
  };
}
