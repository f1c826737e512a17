import { createLogger } from '@sweeplab/shared';
import { createApiContext } from './api-context.ts';
import { buildServer } from './build-server.ts';
import { loadApiConfig } from './config.ts';

/** Where the committed document lives: what the linter checks and the CLI's client is generated from. */
export const OPENAPI_DOCUMENT_PATH = new URL('../openapi.json', import.meta.url);

/**
 * The document /docs/json serves under the default configuration (limits such as MAX_EPOCHS appear
 * in it), built from the routes themselves on an in-memory database; no request reaches Redis.
 */
export async function buildOpenApiDocument(): Promise<string> {
  // Set after loading: the loader resolves paths against the working folder, ':memory:' included.
  const config = {
    ...loadApiConfig({ INGEST_ENABLED: 'false', LOG_LEVEL: 'silent' }),
    DATABASE_PATH: ':memory:',
  };
  const ctx = createApiContext(config, createLogger('openapi', 'silent'));
  try {
    const app = await buildServer(ctx);
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    await app.close();
    return `${JSON.stringify(response.json(), null, 2)}\n`;
  } finally {
    await ctx.close();
  }
}
