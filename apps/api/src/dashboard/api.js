// @ts-check
// The dashboard's client of the JSON API: typed fetchers for what the pages show, and the one mutating
// call (cancel), which asks for the API token on a 401 and keeps it for this tab.

const TOKEN_KEY = 'sweeplab.apiToken';

/**
 * Response types, from their one source: the OpenAPI client generated from the server's schemas
 * (apps/cli/src/api-schema.ts), and for the two answers that document leaves open (the live view and
 * the artifact list) the database read models the API sends as they are.
 *
 * @typedef {import('../../../cli/src/api-schema.ts').components['schemas']} Schemas
 * @typedef {Schemas['Sweep']} Sweep
 * @typedef {Schemas['RunStatusCounts']} StatusCounts runs by status, every status present
 * @typedef {Schemas['RunWithMetrics']} Run GET /v1/runs/:id
 * @typedef {Schemas['EpochMetrics']} EpochRow
 * @typedef {Schemas['Worker']} Worker one worker of GET /v1/workers
 * @typedef {Schemas['WorkerList']['artifacts']} ArtifactDisk kept weights on disk (GET /v1/workers)
 * @typedef {NonNullable<ReturnType<typeof import('@sweeplab/db').sweepLiveView>>} SweepLiveViewRows
 * @typedef {ReturnType<typeof import('../sweep-controller/search-report.ts').earlyTerminationOf>} EarlyTermination the early_terminate rule and its rung table
 * @typedef {SweepLiveViewRows & { early_termination: EarlyTermination }} SweepLiveView
 * @typedef {SweepLiveView['runs'][number]} LiveRun one run of GET /v1/sweeps/:id/live
 * @typedef {NonNullable<LiveRun['early_stop']>} EarlyStop why the sweep's early_terminate rule stopped it
 * @typedef {NonNullable<EarlyTermination>['rungs'][number]} RungRow one row of the sweep's rung table
 * @typedef {NonNullable<SweepLiveView['curves']>[string]} Curve
 * @typedef {NonNullable<SweepLiveView['best_weights']>} BestWeights the sweep's best kept weights (by its metric)
 * @typedef {import('@sweeplab/db').Artifact} Artifact one artifact of GET /v1/runs/:id/artifacts
 */

/** An answer other than 2xx; `status` tells the router a 404 (page not found) from a hiccup. */
export class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * @param {string} path
 * @returns {Promise<any>}
 */
async function getJson(path) {
  // no-cache: revalidate with the ETag each time; an unchanged sweep costs a 304.
  const response = await fetch(path, { cache: 'no-cache', headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new HttpError(response.status, body?.message ?? `${path}: HTTP ${response.status}`);
  return body;
}

/** @returns {Promise<Sweep[]>} oldest first */
export async function fetchSweeps() {
  return (await getJson('/v1/sweeps')).sweeps;
}

/**
 * @param {string} id
 * @returns {Promise<Sweep>}
 */
export function fetchSweep(id) {
  return getJson(`/v1/sweeps/${encodeURIComponent(id)}`);
}

/**
 * @param {string} id
 * @returns {Promise<SweepLiveView>}
 */
export function fetchSweepLive(id) {
  return getJson(`/v1/sweeps/${encodeURIComponent(id)}/live`);
}

/**
 * @param {string} id
 * @returns {Promise<Run>}
 */
export function fetchRun(id) {
  return getJson(`/v1/runs/${encodeURIComponent(id)}`);
}

/**
 * @param {string} id
 * @returns {Promise<Artifact[]>}
 */
export async function fetchArtifacts(id) {
  return (await getJson(`/v1/runs/${encodeURIComponent(id)}/artifacts`)).artifacts;
}

/** @returns {Promise<Worker[]>} */
export async function fetchWorkers() {
  return (await fetchWorkersAndDisk()).workers;
}

/** @returns {Promise<{ workers: Worker[], artifacts: ArtifactDisk }>} */
export function fetchWorkersAndDisk() {
  return getJson('/v1/workers');
}

/**
 * @param {string} runId
 * @param {string} kind best or final
 * @param {string} format safetensors or json
 */
export function weightsUrl(runId, kind, format) {
  return `/v1/runs/${encodeURIComponent(runId)}/weights?kind=${kind}&format=${format}`;
}

/**
 * @param {string} id
 * @param {string} format html, md, csv or json
 */
export function reportUrl(id, format) {
  return `/v1/sweeps/${encodeURIComponent(id)}/report?format=${format}`;
}

/** @returns {Promise<string | null>} the token entered, or null when the dialog was dismissed */
function askToken() {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('token-dialog'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('token-input'));
  input.value = '';
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => resolve(dialog.returnValue === 'save' && input.value ? input.value : null),
      { once: true },
    );
    dialog.showModal();
  });
}

/**
 * A mutating call; asks for the API token once (on a 401) and keeps it for this tab.
 * @param {string} method
 * @param {string} path
 * @param {{ body: Blob, type: string }} [content] a request body and its content type
 * @returns {Promise<any>}
 */
async function mutate(method, path, content) {
  for (let tries = 0; tries < 3; tries++) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    /** @type {Record<string, string>} */
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    if (content) headers['content-type'] = content.type;
    const response = await fetch(path, { method, headers, body: content?.body });
    const body = await response.json().catch(() => null);
    if (response.status === 401) {
      if (token) sessionStorage.removeItem(TOKEN_KEY);
      const entered = await askToken();
      if (!entered) throw new HttpError(401, 'cancelled: no API token given');
      sessionStorage.setItem(TOKEN_KEY, entered);
      continue;
    }
    if (!response.ok) throw new HttpError(response.status, body?.message ?? `HTTP ${response.status}`);
    return body;
  }
  throw new HttpError(401, 'the API refused the token');
}

/**
 * Cancels a run (`/v1/runs/<id>`) or every unfinished run of a sweep (`/v1/sweeps/<id>`).
 * @param {string} path
 */
export function cancel(path) {
  return mutate('DELETE', path);
}

/**
 * @typedef {object} Prediction one image's answer from POST /v1/runs/:id/predict
 * @property {number} class
 * @property {number[]} probabilities one per class 0–9
 * @property {boolean} inverted
 * @property {{ box: { x: number, y: number, width: number, height: number }, scale: number, shift: { x: number, y: number } } | null} conversion
 */

/**
 * The run's (best) weights' answer for one PNG image; POST, so it asks for the API token like cancel.
 * @param {string} runId
 * @param {Blob} png
 * @returns {Promise<Prediction>}
 */
export async function predictImage(runId, png) {
  const path = `/v1/runs/${encodeURIComponent(runId)}/predict`;
  return (await mutate('POST', path, { body: png, type: 'image/png' })).predictions[0];
}
