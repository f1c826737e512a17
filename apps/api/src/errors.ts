import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';

export interface FieldIssue {
  /** Where the problem is: `body.lr`, `query.limit`, `params.id`, `body.parameters.seed.values`. */
  field: string;
  message: string;
}

/** An error with an HTTP status and, for bad input, one message per offending field. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }

  toBody() {
    return { error: this.code, message: this.message, issues: this.issues };
  }
}

export function validationError(issues: FieldIssue[]): ApiError {
  const summary = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return new ApiError(400, 'invalid_request', summary || 'invalid request', issues);
}

export function zodIssues(error: z.ZodError, location: string): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const path = [location, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: `${path}.${key}`, message: 'unknown field' }));
    }
    if (issue.code === 'invalid_union' && issue.message === 'Invalid input') {
      // A union without its own message (a parameter spec's is specific): say what the shapes are.
      return [
        { field: path, message: 'must be {value}, {values: [...]}, {min, max} or {distribution, ...}' },
      ];
    }
    return [{ field: path, message: issue.message }];
  });
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, location: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(zodIssues(parsed.error, location));
  return parsed.data;
}

/** One JSON error shape for every failure: `{ error, message, issues? }`. */
export function errorHandler(err: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply) {
  if (err instanceof ApiError) {
    if (err.issues.length > 0) return reply.status(err.statusCode).send(err.toBody());
    // Clients point at `issues[].field`; an error thrown without one is about the path's id or the token.
    const field =
      err.statusCode === 401
        ? 'headers.authorization'
        : (request.params as Record<string, unknown> | undefined)?.id !== undefined
          ? 'params.id'
          : 'request';
    return reply.status(err.statusCode).send({ ...err.toBody(), issues: [{ field, message: err.message }] });
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const location = (err.validationContext ?? 'body').replace('querystring', 'query');
    // Rebuild zod's issues from Fastify's validation records so both paths share one message format.
    const issues = err.validation.map((v) => ({
      ...(v.params as object),
      code: v.keyword,
      message: v.message ?? 'invalid',
      path: v.instancePath.split('/').filter(Boolean),
    }));
    const flat = zodIssues({ issues } as unknown as z.ZodError, location);
    return reply.status(400).send(validationError(flat).toBody());
  }
  const status = err.statusCode ?? 500;
  if (status >= 500) {
    request.log.error({ err }, 'request failed');
    return reply.status(status).send({ error: 'internal_error', message: 'internal error; see the API log' });
  }
  // Fastify's own 4xx (body too large, bad JSON, unsupported content type, URL too long): keep its message.
  const field = err.code === 'FST_ERR_MAX_PARAM_LENGTH' || err.code === 'FST_ERR_BAD_URL' ? 'url' : 'body';
  return reply.status(status).send({
    error: err.code ?? 'bad_request',
    message: err.message,
    issues: [{ field, message: err.message }],
  });
}
