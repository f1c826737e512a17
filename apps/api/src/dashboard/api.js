// @ts-check
// The dashboard's client of the JSON API: typed fetchers for what the pages show, and the one mutating
// call (cancel), which asks for the API token on a 401 and keeps it for this tab.

const TOKEN_KEY = 'sweeplab.apiToken';

/**
 * @typedef {Record<'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'stopped', number>} StatusCounts
 *
 * @typedef {object} Sweep
 * @property {string} id
 * @property {string} name
 * @property {string} method
 * @property {string} created_at
 * @property {string | null} metric_name
 * @property {string | null} metric_goal
 * @property {number} total_runs
 * @property {StatusCounts} counts
 * @property {{ status: string, reason: string | null } | null} search bayes and open-ended random sweeps: why the search ended (null reason at its run_cap)
 *
 * @typedef {object} LiveRun one run of GET /v1/sweeps/:id/live
 * @property {string} id
 * @property {string} model
 * @property {number} lr
 * @property {number} seed
 * @property {number} epochs
 * @property {string} status
 * @property {string | null} worker
 * @property {number | null} final_epoch
 * @property {number | null} final_val_acc
 * @property {number | null} final_train_loss
 * @property {number | null} best_val_acc
 * @property {number | null} best_epoch
 * @property {{ band: number, value: number, threshold: number } | null} early_stop why hyperband stopped it
 *
 * @typedef {{ epoch: number[], train_loss: number[], val_loss: number[], val_acc: number[] }} Curve
 *
 * @typedef {object} SweepLiveView
 * @property {Sweep} sweep
 * @property {LiveRun[]} runs
 * @property {Record<string, Curve> | null} curves
 * @property {string | null} curves_omitted
 * @property {BestWeights | null} best_weights
 *
 * @typedef {object} BestWeights the sweep's best kept weights (by its metric)
 * @property {string} run_id
 * @property {string} kind
 * @property {number} epoch
 * @property {string} metric_name
 * @property {number} metric_value
 *
 * @typedef {object} Artifact one artifact of GET /v1/runs/:id/artifacts
 * @property {string} kind
 * @property {number} epoch
 * @property {string} metric_name
 * @property {number} metric_value
 * @property {number} bytes
 * @property {string} sha256
 *
 * @typedef {object} ArtifactDisk kept weights on disk (GET /v1/workers)
 * @property {number} files
 * @property {number} bytes
 * @property {number} rows
 * @property {string} keep
 *
 * @typedef {object} EpochRow
 * @property {number} epoch
 * @property {number} attempt
 * @property {number} train_loss
 * @property {number} train_acc
 * @property {number} val_loss
 * @property {number} val_acc
 * @property {number} epoch_seconds
 * @property {number} images_per_second
 *
 * @typedef {object} Run GET /v1/runs/:id
 * @property {string} id
 * @property {string | null} sweep_id
 * @property {string} model
 * @property {string} dataset
 * @property {number} lr
 * @property {number} epochs
 * @property {number} batch_size
 * @property {number} momentum
 * @property {number} seed
 * @property {number | null} train_subset
 * @property {number | null} val_subset
 * @property {string} optimizer
 * @property {boolean} nesterov
 * @property {number} weight_decay
 * @property {string} lr_schedule
 * @property {number | null} lr_step_epochs
 * @property {number} lr_gamma
 * @property {number} warmup_epochs
 * @property {number} depth
 * @property {string} status
 * @property {number} attempt
 * @property {string | null} worker
 * @property {string | null} backend
 * @property {string | null} device
 * @property {string | null} tfjs_version
 * @property {number | null} resumed_from_epoch
 * @property {string | null} error
 * @property {string} queued_at
 * @property {string | null} started_at
 * @property {string | null} finished_at
 * @property {EpochRow[]} metrics
 *
 * @typedef {object} Worker one worker of GET /v1/workers
 * @property {string} worker_id
 * @property {string} host
 * @property {number} pid
 * @property {string | null} backend
 * @property {string[]} slots
 * @property {string[]} running_runs
 * @property {string[]} [programs] the programs it runs (sweeplab:builtin = the built-in networks)
 * @property {number} images_per_second
 * @property {number} started_at
 * @property {number} last_heartbeat
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
 * @returns {Promise<unknown>}
 */
async function mutate(method, path) {
  for (let tries = 0; tries < 3; tries++) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    /** @type {Record<string, string>} */
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const response = await fetch(path, { method, headers });
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
