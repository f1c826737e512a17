import type { FastifyInstance, RouteOptions } from 'fastify';
import { z } from 'zod';

/** Every error the API sends: the shape clients parse to show the field errors. */
export const ErrorResponse = z
  .object({
    error: z.string().describe('machine-readable code, e.g. invalid_request, not_found, unauthorized'),
    message: z.string().describe('one line for people'),
    issues: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .describe('one entry per offending field (`body.lr`, `query.limit`, `params.id`, ...)'),
  })
  .meta({ id: 'Error', description: 'An error: its code, a message and the fields at fault' });

export const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type Schema = NonNullable<RouteOptions['schema']> & {
  operationId?: string;
  security?: Record<string, string[]>[];
  hide?: boolean;
  response?: Record<string, unknown>;
};

function camel(words: string[]): string {
  return words
    .filter(Boolean)
    .map((w, i) => {
      const parts = w.split(/[^a-zA-Z0-9]+/).filter(Boolean);
      return parts
        .map((p, j) => (i === 0 && j === 0 ? p.toLowerCase() : p[0]!.toUpperCase() + p.slice(1)))
        .join('');
    })
    .join('');
}

function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/**
 * A stable, readable operationId from the method and the URL, so generated clients get method names
 * like `listRuns`, `getRun`, `createSweep`, `getSweepReport`, `predictRun` without every route naming
 * itself. The version segment is dropped; a segment followed by a path parameter is singular.
 *   GET    /v1/runs              → listRuns         (collection: last segment static and plural)
 *   GET    /v1/runs/:id          → getRun           (item)
 *   POST   /v1/runs              → createRun
 *   DELETE /v1/runs/:id          → deleteRun        (routes whose DELETE means "cancel" say so)
 *   GET    /v1/sweeps/:id/report → getSweepReport   (sub-resource)
 *   POST   /v1/runs/:id/predict  → predictRun       (an action on an item)
 * A route may set `schema.operationId` itself; names must be unique (checked at registration).
 */
export function deriveOperationId(method: string, url: string): string {
  const segments = url
    .split('/')
    .filter((s) => s !== '' && !/^v\d+$/.test(s))
    .map((s) => (s.startsWith(':') ? ':' : s));
  const words = segments.flatMap((s, i) => (s === ':' ? [] : [segments[i + 1] === ':' ? singular(s) : s]));
  const last = segments[segments.length - 1];
  const verb = method.toUpperCase();
  if (verb === 'GET') {
    const isCollection = last !== ':' && last !== undefined && last.endsWith('s') && !last.endsWith('ss');
    return camel([isCollection ? 'list' : 'get', ...words]);
  }
  if (verb === 'POST') {
    const previous = segments[segments.length - 2];
    // POST /v1/runs/:id/predict: an action named by its last segment, applied to the item before it.
    if (last !== ':' && last !== undefined && previous === ':' && !last.endsWith('s')) {
      return camel([last, ...words.slice(0, -1)]);
    }
    return camel(['create', ...words.map((w, i) => (i === words.length - 1 ? singular(w) : w))]);
  }
  const verbs: Record<string, string> = { PUT: 'replace', PATCH: 'update', DELETE: 'delete' };
  return camel([verbs[verb] ?? verb.toLowerCase(), ...words]);
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request: `issues` names each field at fault and why (nothing was written)',
  401: 'Missing or wrong `Authorization: Bearer <API_TOKEN>` (only when the API runs with API_TOKEN set)',
  404: 'No such resource (`issues[0].field` is `params.id`)',
  409: 'The resource is in a state that does not allow this (e.g. cancelling a finished run)',
  413: 'The body is larger than BODY_LIMIT_BYTES',
  415: 'Unsupported Content-Type (JSON, or YAML for sweeps)',
};

/** The 4xx responses a route can answer with, from what it takes: no route documents them by hand. */
function errorStatuses(method: string, url: string): number[] {
  const statuses = [400];
  const mutating = MUTATING_METHODS.has(method);
  if (mutating) statuses.push(401);
  if (url.includes(':')) statuses.push(404);
  if (method === 'DELETE') statuses.push(409);
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') statuses.push(413, 415);
  return statuses;
}

/**
 * Adds to every documented route, as it registers: an operationId, the error responses it can give (one
 * shared schema), and its security requirement (mutating routes take the bearer token when the API has
 * API_TOKEN; reads are open). Routes added later by anyone get the same without listing them.
 */
export function applyOpenApiConventions(app: FastifyInstance): void {
  const seen = new Map<string, string>();
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter(
      (m) => m !== 'HEAD' && m !== 'OPTIONS',
    );
    if (methods.length !== 1) return;
    const method = methods[0]!.toUpperCase();
    const schema = (route.schema ?? {}) as Schema;
    if (schema.hide) return;
    const operationId = schema.operationId ?? deriveOperationId(method, route.url);
    const where = `${method} ${route.url}`;
    const clash = seen.get(operationId);
    if (clash !== undefined && clash !== where) {
      throw new Error(
        `operationId ${operationId} of ${where} is already used by ${clash}: set schema.operationId`,
      );
    }
    seen.set(operationId, where);
    const response: Record<string, unknown> = { ...schema.response };
    // A route that has not described its success response yet still documents that it has one (what
    // clients may expect is then `unknown`); describing it is the route's job (see response-schemas.ts).
    if (!Object.keys(response).some((status) => status.startsWith('2'))) {
      response[200] = z.unknown().describe('Success (this response is not described yet)');
    }
    for (const status of errorStatuses(method, route.url)) {
      response[status] ??= ErrorResponse;
    }
    route.schema = {
      ...schema,
      operationId,
      security: schema.security ?? (MUTATING_METHODS.has(method) ? [{ bearer: [] }] : []),
      response,
    };
  });
}

type OpenApiObject = { paths?: unknown; components?: { schemas?: Record<string, unknown> } };

/**
 * Every response gets a line saying what it is: the shared error responses say when they happen, and a
 * success response takes its schema's description (fastify-swagger writes "Default Response" when the
 * schema is a `$ref`).
 */
export function describeResponses<T extends OpenApiObject>(document: T): T {
  type Response = { description?: string; content?: Record<string, { schema?: { $ref?: string } }> };
  const paths = (document.paths ?? {}) as Record<
    string,
    Record<string, { responses?: Record<string, Response> }>
  >;
  const schemas = (document.components?.schemas ?? {}) as Record<string, { description?: string }>;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (response.description !== 'Default Response') continue;
        const ref = response.content?.['application/json']?.schema?.$ref;
        const named = ref ? schemas[ref.replace('#/components/schemas/', '')]?.description : undefined;
        response.description = ERROR_DESCRIPTIONS[Number(status)] ?? named ?? 'Success';
      }
    }
  }
  return document;
}

/**
 * Keeps only the named schemas the operations reach. The zod transform writes an input and an output
 * variant of every registered schema (`Run`, `RunInput`), most of which no operation uses.
 */
export function pruneUnusedSchemas<T extends OpenApiObject>(document: T): T {
  const schemas = document.components?.schemas;
  if (!schemas) return document;
  const kept = new Set<string>();
  const pending = [JSON.stringify(document.paths ?? {})];
  while (pending.length > 0) {
    for (const [, name] of pending.pop()!.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (name === undefined || kept.has(name) || !(name in schemas)) continue;
      kept.add(name);
      pending.push(JSON.stringify(schemas[name]));
    }
  }
  const pruned = Object.fromEntries([...kept].sort().map((name) => [name, schemas[name]]));
  return { ...document, components: { ...document.components, schemas: pruned } };
}
