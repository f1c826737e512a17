import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './api-schema.ts';
import { type ApiErrorBody, ApiRejectedError, ApiUnreachableError, CliError, EXIT } from './errors.ts';

export interface ApiOptions {
  /** e.g. http://127.0.0.1:8080 (API_URL or --api-url). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer` (API_TOKEN or --token). */
  token?: string | undefined;
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/**
 * The API through the client generated from its OpenAPI document (src/api-schema.ts): paths, parameters
 * and response shapes are checked by the compiler. `call` turns transport and HTTP failures into the
 * CLI's exit codes.
 */
export class SweeplabApi {
  readonly client: Client<paths>;
  readonly baseUrl: string;

  constructor(options: ApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.client = createClient<paths>({
      baseUrl: this.baseUrl,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    });
  }

  async call<T>(request: Promise<Answer<T>>): Promise<{ data: T; response: Response }> {
    let answer: Answer<T>;
    try {
      answer = await request;
    } catch (err) {
      throw new ApiUnreachableError(this.baseUrl, err);
    }
    const { response } = answer;
    if (response.status >= 400 && response.status < 500) {
      throw new ApiRejectedError(response.status, answer.error as ApiErrorBody | undefined);
    }
    if (!response.ok) {
      const body = answer.error as Partial<ApiErrorBody> | undefined;
      throw new CliError(
        `the API failed (${response.status}): ${body?.message ?? response.statusText}`,
        EXIT.failed,
      );
    }
    return { data: answer.data as T, response };
  }

  dashboardUrl(sweepId: string): string {
    return `${this.baseUrl}/#/sweeps/${sweepId}`;
  }
}
