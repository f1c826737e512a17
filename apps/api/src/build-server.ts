import { timingSafeEqual } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { parse as parseYaml } from 'yaml';
import type { ApiContext } from './api-context.ts';
import { ApiError, errorHandler } from './errors.ts';
import {
  applyOpenApiConventions,
  describeResponses,
  MUTATING_METHODS,
  pruneUnusedSchemas,
} from './openapi-conventions.ts';
import { artifactRoutes } from './routes/artifact-routes.ts';
import { dashboardRoutes } from './routes/dashboard-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { opsRoutes } from './routes/ops-routes.ts';
import { programMetricsRoutes } from './routes/program-metrics-routes.ts';
import { reportRoutes } from './routes/report-routes.ts';
import { runLogRoutes } from './routes/run-log-routes.ts';
import { runRoutes } from './routes/run-routes.ts';
import { sweepRoutes } from './routes/sweep-routes.ts';

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** The HTTP API, with every route registered; `listen` is the caller's business (tests use inject). */
export async function buildServer(ctx: ApiContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: ctx.config.BODY_LIMIT_BYTES,
    // Router-level refusals (an over-long path parameter, a malformed URL) get the same error shape.
    frameworkErrors: (err, request, reply) => errorHandler(err, request, reply),
    // Per-request lines only at debug: a busy dashboard would otherwise drown the run logs.
    logController: new LogController({
      disableRequestLogging: ctx.config.LOG_LEVEL !== 'debug' && ctx.config.LOG_LEVEL !== 'trace',
    }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);

  // No endpoint takes plain text; without this, a JSON body sent as text/plain reached the schema as a
  // string and came back as a puzzling 400 "expected object" instead of 415.
  app.removeContentTypeParser('text/plain');

  // W&B users keep sweeps in YAML files; accept them as they are.
  app.addContentTypeParser(
    ['application/yaml', 'application/x-yaml', 'text/yaml'],
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        // maxAliasCount bounds "billion laughs" alias expansion.
        done(null, parseYaml(body as string, { maxAliasCount: 100, prettyErrors: true }));
      } catch (err) {
        done(
          new ApiError(400, 'invalid_request', `body: invalid YAML: ${(err as Error).message}`, [
            { field: 'body', message: `invalid YAML: ${(err as Error).message.split('\n')[0]}` },
          ]),
        );
      }
    },
  );

  const token = ctx.config.API_TOKEN;
  if (token) {
    app.addHook('onRequest', async (request) => {
      if (MUTATING_METHODS.has(request.method) && !tokenMatches(request.headers.authorization, token)) {
        throw new ApiError(401, 'unauthorized', 'this endpoint needs Authorization: Bearer <API_TOKEN>');
      }
    });
  }

  applyOpenApiConventions(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'sweeplab API',
        description:
          'Submit training runs and W&B-style sweeps, follow their epochs, read the comparison report.',
        version: '0.1.0',
      },
      // Relative: the document is served by the API it describes, wherever that listens.
      servers: [{ url: '/', description: 'the API serving this document' }],
      // Declared whatever the config: clients generated from one document work against both kinds of API.
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'API_TOKEN; needed by mutating endpoints when the API runs with API_TOKEN set',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => describeResponses(pruneUnusedSchemas(jsonSchemaTransformObject(input))),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(opsRoutes(ctx));
  await app.register(runRoutes(ctx));
  await app.register(sweepRoutes(ctx));
  await app.register(metricsRoutes(ctx));
  await app.register(programMetricsRoutes(ctx));
  await app.register(runLogRoutes(ctx));
  await app.register(reportRoutes(ctx));
  await app.register(artifactRoutes(ctx));
  await app.register(dashboardRoutes(ctx));
  return app;
}
