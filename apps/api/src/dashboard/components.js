// @ts-check
// Pieces every page uses: the page frame (main, announcer, live status), links, badges, headings,
// breadcrumbs and the cancel button.
import { cancel, reportUrl, weightsUrl } from './api.js';
import { count, el, nodes } from './dom.js';
import { REPORT_FORMATS } from './report-formats.js';
import { RUN_STATUSES, TERMINAL_STATUSES } from './run-status.js';

/** Statuses in which a run can still change (and be cancelled): those the state machine does not end. */
export const UNFINISHED = new Set(
  RUN_STATUSES.filter((s) => !(/** @type {readonly string[]} */ (TERMINAL_STATUSES).includes(s))),
);

/** @type {Record<import('./report-formats.js').ReportFormat, string>} a label for every format */
const REPORT_FORMAT_LABELS = { json: 'JSON', md: 'Markdown', csv: 'CSV', html: 'HTML' };

/**
 * An element of index.html that the dashboard cannot work without.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html has no #${id}`);
  return node;
}

/** Where the current page renders. */
export const main = byId('main');
const liveStatus = byId('live-status');
const announcer = byId('announcer');

/** @param {string} message read by screen readers (polite) */
export function announce(message) {
  // Clearing first makes a repeated message be read again.
  announcer.textContent = '';
  setTimeout(() => {
    announcer.textContent = message;
  }, 50);
}

/**
 * @param {'idle' | 'live' | 'done' | 'paused' | 'error'} state
 * @param {string} text
 */
export function setLive(state, text) {
  liveStatus.dataset.state = state;
  liveStatus.textContent = text;
}

/** @param {string} id */
export const sweepHref = (id) => `#/sweeps/${encodeURIComponent(id)}`;
/** @param {string} id */
export const runHref = (id) => `#/runs/${encodeURIComponent(id)}`;

/** @param {string} rule */
export const rungUnit = (rule) => (rule === 'asha' ? 'rung' : rule === 'median' ? 'epoch' : 'band');

/**
 * Why the early_terminate rule stopped a run: the rule, where it was judged, its value, the threshold
 * it missed and how many runs that threshold came from (their ids in the tooltip).
 * @param {import('./api.js').EarlyStop} stop
 */
export function earlyStopText(stop) {
  /** @param {number} v */
  const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));
  const rule = stop.rule ?? 'hyperband';
  const ids = stop.compared_run_ids;
  const compared = ids ? `, compared with ${ids.length} run${ids.length === 1 ? '' : 's'}` : '';
  return el(
    'small',
    { title: ids ? `compared with ${ids.join(', ')}` : null },
    `${rule} at ${rungUnit(rule)} ${fmt(stop.band)}: ${fmt(stop.value)} vs threshold ${fmt(stop.threshold)}${compared}`,
  );
}

/** @param {string} status */
export function statusBadge(status) {
  return el('span', { class: `status status-${status}` }, status);
}

/**
 * `label` is what is announced; `text` (default: label) is what is shown, and starts the label.
 * @param {{ label: string, text?: string, confirmText: string, path: string, onDone?: () => void, describedBy?: string }} options
 */
export function cancelButton({ label, text = label, confirmText, path, onDone, describedBy }) {
  const hidden = label.startsWith(text) ? label.slice(text.length) : '';
  const button = el(
    'button',
    { type: 'button', class: 'danger', 'aria-describedby': describedBy },
    text,
    hidden ? el('span', { class: 'visually-hidden' }, hidden) : null,
  );
  button.addEventListener('click', async () => {
    if (!window.confirm(confirmText)) return;
    button.disabled = true;
    try {
      await cancel(path);
      announce(`${label}: done.`);
      onDone?.();
    } catch (err) {
      announce(`${label} failed: ${err instanceof Error ? err.message : String(err)}`);
      button.disabled = false;
    }
  });
  return button;
}

/** @param {string} sweepId */
export function reportLinks(sweepId) {
  return el(
    'ul',
    { class: 'inline-links', 'aria-label': 'Report formats' },
    REPORT_FORMATS.map((format) =>
      el(
        'li',
        {},
        el(
          'a',
          {
            href: reportUrl(sweepId, format),
            'data-report': format,
            target: format === 'html' ? '_blank' : null,
            rel: format === 'html' ? 'noopener' : null,
          },
          REPORT_FORMAT_LABELS[format],
        ),
      ),
    ),
  );
}

/** @param {number} n */
export function bytesText(n) {
  return n >= 1e6 ? `${count(n / 1e6, 1)} MB` : `${count(n / 1e3, 1)} kB`;
}

/**
 * Download links of a run's kept weights.
 * @param {string} runId
 * @param {string} kind best or final
 */
export function weightsLinks(runId, kind) {
  return [
    el(
      'a',
      { href: weightsUrl(runId, kind, 'safetensors'), 'data-weights': `${kind}-safetensors` },
      'safetensors',
    ),
    ' · ',
    el('a', { href: weightsUrl(runId, kind, 'json') }, 'JSON'),
  ];
}

/** @param {import('./api.js').BestWeights | null} best */
export function bestWeightsLine(best) {
  if (!best) return 'No kept weights yet.';
  return nodes(
    'Best weights: run ',
    el('a', { href: runHref(best.run_id) }, el('code', {}, best.run_id)),
    ` (${best.metric_name} ${count(best.metric_value, 4)} at epoch ${best.epoch}, ${best.kind}): `,
    ...weightsLinks(best.run_id, best.kind),
  );
}

/** @param {import('./dom.js').Child} text */
export function heading(text) {
  return el('h1', { tabindex: -1 }, text);
}

/** @param {...[label: string, href: string | null]} items the last one is the current page */
export function breadcrumbs(...items) {
  return el(
    'nav',
    { 'aria-label': 'Breadcrumb', class: 'breadcrumbs' },
    el(
      'ol',
      {},
      items.map(([label, href], i) =>
        el(
          'li',
          {},
          href && i < items.length - 1
            ? el('a', { href }, label)
            : el('span', { 'aria-current': 'page' }, label),
        ),
      ),
    ),
  );
}

/** @param {import('./api.js').StatusCounts} counts runs by status, in the state machine's order */
export function countsText(counts) {
  const parts = RUN_STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(' · ') : 'no runs';
}

/** @param {import('./api.js').StatusCounts} counts */
export function finishedCount(counts) {
  return TERMINAL_STATUSES.reduce((n, s) => n + counts[s], 0);
}

/** @param {string} message */
export function notFound(message) {
  main.replaceChildren(
    heading('Not found'),
    el('p', {}, message),
    el('p', {}, el('a', { href: '#/' }, 'Back to the sweeps')),
  );
  main.querySelector('h1')?.focus();
}
