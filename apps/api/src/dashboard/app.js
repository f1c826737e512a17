// The sweeplab dashboard: hash routes (#/, #/sweeps/<id>, #/runs/<id>, #/workers), each page polling
// the JSON API every POLL_MS while it is visible and something can still change.
import { lineChart, modelStyle } from './charts.js';
import { ago, count, dateTime, duration, el, keyedTable, loss, MISSING, nodes, pct } from './dom.js';

const POLL_MS = 2000;
const TOKEN_KEY = 'sweeplab.apiToken';
const SWEEP_ID = /^swp_[0-9a-z]{18}$/;
const RUN_ID = /^run_[0-9a-z]{18}$/;
const UNFINISHED = new Set(['queued', 'running']);
const REPORT_FORMATS = [
  ['html', 'HTML'],
  ['md', 'Markdown'],
  ['csv', 'CSV'],
  ['json', 'JSON'],
];

const main = document.getElementById('main');
const liveStatus = document.getElementById('live-status');
const announcer = document.getElementById('announcer');

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function announce(message) {
  // Clearing first makes a repeated message be read again.
  announcer.textContent = '';
  setTimeout(() => {
    announcer.textContent = message;
  }, 50);
}

function setLive(state, text) {
  liveStatus.dataset.state = state;
  liveStatus.textContent = text;
}

// ---- API ----

async function getJson(path) {
  // no-cache: revalidate with the ETag each time; an unchanged sweep costs a 304.
  const response = await fetch(path, { cache: 'no-cache', headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new HttpError(response.status, body?.message ?? `${path}: HTTP ${response.status}`);
  return body;
}

function askToken() {
  const dialog = document.getElementById('token-dialog');
  const input = document.getElementById('token-input');
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

/** A mutating call; asks for the API token once (on a 401) and keeps it for this tab. */
async function mutate(method, path) {
  for (let tries = 0; tries < 3; tries++) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const response = await fetch(path, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
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

// ---- shared pieces ----

const sweepHref = (id) => `#/sweeps/${encodeURIComponent(id)}`;
const runHref = (id) => `#/runs/${encodeURIComponent(id)}`;

function statusBadge(status) {
  return el('span', { class: `status status-${status}` }, status);
}

/** `label` is what is announced; `text` (default: label) is what is shown, and starts the label. */
function cancelButton({ label, text = label, confirmText, path, onDone, describedBy }) {
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
      await mutate('DELETE', path);
      announce(`${label}: done.`);
      onDone?.();
    } catch (err) {
      announce(`${label} failed: ${err.message}`);
      button.disabled = false;
    }
  });
  return button;
}

function reportLinks(sweepId) {
  return el(
    'ul',
    { class: 'inline-links', 'aria-label': 'Report formats' },
    REPORT_FORMATS.map(([format, label]) =>
      el(
        'li',
        {},
        el(
          'a',
          {
            href: `/v1/sweeps/${encodeURIComponent(sweepId)}/report?format=${format}`,
            'data-report': format,
            target: format === 'html' ? '_blank' : null,
            rel: format === 'html' ? 'noopener' : null,
          },
          label,
        ),
      ),
    ),
  );
}

function bytesText(n) {
  return n >= 1e6 ? `${count(n / 1e6, 1)} MB` : `${count(n / 1e3, 1)} kB`;
}

function weightsLinks(runId, kind) {
  const base = `/v1/runs/${encodeURIComponent(runId)}/weights?kind=${kind}`;
  return [
    el('a', { href: `${base}&format=safetensors`, 'data-weights': `${kind}-safetensors` }, 'safetensors'),
    ' · ',
    el('a', { href: `${base}&format=json` }, 'JSON'),
  ];
}

function sweepBestLine(best) {
  if (!best) return 'No kept weights yet.';
  return nodes(
    'Best weights: run ',
    el('a', { href: runHref(best.run_id) }, el('code', {}, best.run_id)),
    ` (${best.metric_name} ${count(best.metric_value, 4)} at epoch ${best.epoch}, ${best.kind}): `,
    ...weightsLinks(best.run_id, best.kind),
  );
}

function heading(text) {
  return el('h1', { tabindex: -1 }, text);
}

function breadcrumbs(...items) {
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

function countsText(counts) {
  const parts = ['running', 'queued', 'completed', 'failed', 'cancelled']
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(' · ') : 'no runs';
}

function notFound(message) {
  main.replaceChildren(
    heading('Not found'),
    el('p', {}, message),
    el('p', {}, el('a', { href: '#/' }, 'Back to the sweeps')),
  );
  main.querySelector('h1').focus();
}

// ---- pages ----
// Each page builds its skeleton once (mount) and returns refresh(), which fetches and patches the
// skeleton; refresh resolves to false when nothing can change any more and polling can stop.

function sweepsPage() {
  document.title = 'Sweeps · sweeplab';
  const table = keyedTable({
    label: 'Sweeps',
    caption: 'Every sweep, newest first, with its runs by status.',
    empty: 'No sweeps yet. Submit one with POST /v1/sweeps (see the API docs).',
    columns: [
      {
        header: 'Sweep',
        rowHeader: true,
        sig: (s) => s.name,
        render: (s) => el('a', { href: sweepHref(s.id) }, s.name),
      },
      { header: 'Created', render: (s) => dateTime(s.created_at) },
      { header: 'Method', render: (s) => s.method },
      { header: 'Runs', num: true, render: (s) => String(s.total_runs) },
      {
        header: 'Progress',
        sig: (s) => JSON.stringify(s.counts),
        render: (s) =>
          nodes(
            el('progress', {
              max: s.total_runs || 1,
              value: s.counts.completed + s.counts.failed + s.counts.cancelled,
              'aria-label': `${s.name}: runs finished`,
            }),
            ' ',
            countsText(s.counts),
          ),
      },
      {
        header: 'Report',
        sig: (s) => s.id,
        render: (s) =>
          el(
            'a',
            {
              href: `/v1/sweeps/${encodeURIComponent(s.id)}/report?format=html`,
              target: '_blank',
              rel: 'noopener',
            },
            'HTML report',
            el('span', { class: 'visually-hidden' }, ` of ${s.name}`),
          ),
      },
    ],
  });
  main.replaceChildren(heading('Sweeps'), table.element);
  return async () => {
    const { sweeps } = await getJson('/v1/sweeps');
    table.update([...sweeps].reverse(), (s) => s.id);
    return true;
  };
}

function curveSeries(runs, curves, metric) {
  return runs.flatMap((run) => {
    const c = curves?.[run.id];
    if (!c) return [];
    const style = modelStyle(run.model);
    return [
      {
        label: run.id,
        color: style.color,
        dash: style.dash,
        points: c.epoch.map((e, i) => [e, c[metric][i]]),
      },
    ];
  });
}

function legendFor(runs) {
  const models = [...new Set(runs.map((r) => r.model))];
  return models.map((m, i) => ({ label: m, ...modelStyle(m, i) }));
}

function sweepPage(id) {
  document.title = `Sweep ${id} · sweeplab`;
  const title = heading(`Sweep ${id}`);
  const crumbs = breadcrumbs(['Sweeps', '#/'], [id, null]);
  const meta = el('p', { class: 'meta' });
  const summary = el('p', { class: 'summary', id: 'sweep-summary' });
  const progress = el('progress', { max: 1, value: 0, 'aria-label': 'Epochs done over all runs' });
  const progressText = el('span', {});
  const actions = el('div', { class: 'actions' });
  const bestWeights = el('p', { class: 'summary', id: 'best-weights' });
  const charts = el('div', { class: 'charts' });
  const chartsNote = el('p', { class: 'note', hidden: true });
  let cancelSweep = null;
  let lastChartKey = '';

  const table = keyedTable({
    label: 'Runs',
    caption: 'Runs in queue order. Epoch, accuracy and loss are from the latest recorded epoch.',
    empty: 'This sweep has no runs.',
    columns: [
      {
        header: 'Run',
        rowHeader: true,
        sig: (r) => r.id,
        render: (r) => el('a', { href: runHref(r.id) }, el('code', {}, r.id)),
      },
      { header: 'Model', render: (r) => r.model },
      { header: 'lr', num: true, render: (r) => String(r.lr) },
      { header: 'Seed', num: true, render: (r) => String(r.seed) },
      { header: 'Status', sig: (r) => r.status, render: (r) => statusBadge(r.status), field: 'status' },
      { header: 'Epoch', num: true, field: 'epoch', render: (r) => `${r.final_epoch ?? 0} / ${r.epochs}` },
      { header: 'Val acc', num: true, field: 'val-acc', render: (r) => pct(r.final_val_acc) },
      { header: 'Train loss', num: true, render: (r) => loss(r.final_train_loss) },
      {
        header: 'Best val acc',
        num: true,
        render: (r) => (r.best_val_acc === null ? MISSING : `${pct(r.best_val_acc)} (epoch ${r.best_epoch})`),
      },
      { header: 'Worker', render: (r) => r.worker ?? MISSING },
      {
        header: 'Actions',
        sig: (r) => (UNFINISHED.has(r.status) ? 'cancellable' : 'none'),
        render: (r) =>
          UNFINISHED.has(r.status)
            ? cancelButton({
                label: `Cancel run ${r.id}`,
                text: 'Cancel',
                confirmText: `Cancel run ${r.id} (${r.model}, seed ${r.seed})? Its recorded epochs are kept.`,
                path: `/v1/runs/${encodeURIComponent(r.id)}`,
              })
            : MISSING,
      },
    ],
  });

  main.replaceChildren(
    crumbs,
    title,
    meta,
    summary,
    el('p', { class: 'progress-line' }, progress, ' ', progressText),
    actions,
    bestWeights,
    el(
      'section',
      { 'aria-labelledby': 'curves-h' },
      el('h2', { id: 'curves-h' }, 'Learning curves'),
      chartsNote,
      charts,
    ),
    el('section', { 'aria-labelledby': 'runs-h' }, el('h2', { id: 'runs-h' }, 'Runs'), table.element),
  );

  return async () => {
    const view = await getJson(`/v1/sweeps/${encodeURIComponent(id)}/live`);
    const { sweep, runs } = view;
    bestWeights.replaceChildren(sweepBestLine(view.best_weights));
    document.title = `${sweep.name} · sweeplab`;
    title.textContent = sweep.name;
    crumbs.querySelector('[aria-current]').textContent = sweep.name;
    const metric = sweep.metric_name ? ` · optimises ${sweep.metric_name} (${sweep.metric_goal})` : '';
    meta.textContent = `${sweep.id} · ${sweep.method} · created ${dateTime(sweep.created_at)}${metric}`;
    summary.textContent = `${sweep.total_runs} runs: ${countsText(sweep.counts)}`;
    const planned = runs.reduce((n, r) => n + r.epochs, 0);
    const done = runs.reduce((n, r) => n + (r.final_epoch ?? 0), 0);
    progress.max = planned || 1;
    progress.value = done;
    progressText.textContent = `${count(done)} of ${count(planned)} epochs`;

    const unfinished = runs.filter((r) => UNFINISHED.has(r.status)).length;
    if (!actions.hasChildNodes()) {
      cancelSweep = cancelButton({
        label: 'Cancel sweep',
        confirmText: `Cancel every unfinished run of “${sweep.name}”? Recorded epochs are kept.`,
        path: `/v1/sweeps/${encodeURIComponent(id)}`,
        describedBy: 'sweep-summary',
      });
      actions.append(cancelSweep, el('span', { class: 'label' }, 'Report:'), reportLinks(id));
    }
    cancelSweep.disabled = unfinished === 0;

    // Redraw only when an epoch arrived: the chart is the costliest part of the page.
    const chartKey = `${done}|${runs.length}|${view.curves_omitted ?? ''}`;
    if (chartKey !== lastChartKey) {
      lastChartKey = chartKey;
      chartsNote.hidden = !view.curves_omitted;
      chartsNote.textContent = view.curves_omitted ?? '';
      const xMax = Math.max(...runs.map((r) => r.epochs), 2);
      const legend = legendFor(runs);
      charts.replaceChildren(
        lineChart({
          title: 'Validation accuracy per epoch',
          description: `One line per run, coloured by model (${legend.map((l) => l.label).join(', ')}); the dot is the latest epoch.`,
          xLabel: 'epoch',
          yLabel: 'validation accuracy (%)',
          xMax,
          yScale: 'linear',
          yMax: 1,
          formatY: (y) => String(Number((y * 100).toPrecision(4))),
          series: curveSeries(runs, view.curves, 'val_acc'),
          legend,
        }),
        lineChart({
          title: 'Training loss per epoch (log scale)',
          description:
            'One line per run, coloured by model; mean training loss of each epoch on a log scale.',
          xLabel: 'epoch',
          yLabel: 'training loss',
          xMax,
          yScale: 'log',
          formatY: (y) => String(Number(y.toPrecision(2))),
          series: curveSeries(runs, view.curves, 'train_loss'),
          legend,
        }),
      );
    }
    table.update(runs, (r) => r.id);
    return unfinished > 0;
  };
}

function runPage(id) {
  document.title = `Run ${id} · sweeplab`;
  const title = heading(nodes('Run ', el('code', {}, id)));
  const crumbs = el('div');
  const statusLine = el('p', { class: 'summary', id: 'run-summary' });
  const actions = el('div', { class: 'actions' });
  const details = el('div', { class: 'details' });
  const errorBox = el('div', {});
  const charts = el('div', { class: 'charts' });
  const weights = el('div', { id: 'run-weights' });
  const epochs = keyedTable({
    label: 'Epochs',
    caption: 'One row per recorded epoch.',
    empty: 'No epochs recorded yet.',
    columns: [
      { header: 'Epoch', num: true, rowHeader: true, render: (m) => String(m.epoch) },
      { header: 'Train loss', num: true, render: (m) => loss(m.train_loss) },
      { header: 'Train acc', num: true, render: (m) => pct(m.train_acc) },
      { header: 'Val loss', num: true, render: (m) => loss(m.val_loss) },
      { header: 'Val acc', num: true, render: (m) => pct(m.val_acc) },
      { header: 'Seconds', num: true, render: (m) => count(m.epoch_seconds, 2) },
      { header: 'Images / s', num: true, render: (m) => count(m.images_per_second) },
      { header: 'Attempt', num: true, render: (m) => String(m.attempt) },
    ],
  });
  main.replaceChildren(
    crumbs,
    title,
    statusLine,
    actions,
    errorBox,
    el(
      'section',
      { 'aria-labelledby': 'params-h' },
      el('h2', { id: 'params-h' }, 'Parameters and execution'),
      details,
    ),
    el('section', { 'aria-labelledby': 'weights-h' }, el('h2', { id: 'weights-h' }, 'Weights'), weights),
    el('section', { 'aria-labelledby': 'curves-h' }, el('h2', { id: 'curves-h' }, 'Learning curves'), charts),
    el('section', { 'aria-labelledby': 'epochs-h' }, el('h2', { id: 'epochs-h' }, 'Epochs'), epochs.element),
  );
  let sweepName = null;
  let lastKey = '';
  let cancel = null;

  return async () => {
    const run = await getJson(`/v1/runs/${encodeURIComponent(id)}`);
    if (run.sweep_id && sweepName === null) {
      sweepName = await getJson(`/v1/sweeps/${encodeURIComponent(run.sweep_id)}`).then(
        (s) => s.name,
        () => run.sweep_id,
      );
    }
    const key = JSON.stringify([
      run.status,
      run.attempt,
      run.worker,
      run.error,
      run.metrics.length,
      run.finished_at,
    ]);
    if (key === lastKey) return UNFINISHED.has(run.status);
    lastKey = key;
    const { artifacts } = await getJson(`/v1/runs/${encodeURIComponent(id)}/artifacts`);
    weights.replaceChildren(
      artifacts.length === 0
        ? el('p', {}, 'No weights kept yet: the best epoch and the final one are kept as they finish.')
        : el(
            'ul',
            {},
            artifacts.map((a) =>
              el(
                'li',
                {},
                `${a.kind}: epoch ${a.epoch}, ${a.metric_name} ${count(a.metric_value, 4)}, ${bytesText(a.bytes)} — `,
                ...weightsLinks(id, a.kind),
              ),
            ),
          ),
    );

    if (!crumbs.hasChildNodes()) {
      crumbs.append(
        run.sweep_id
          ? breadcrumbs(['Sweeps', '#/'], [sweepName, sweepHref(run.sweep_id)], [id, null])
          : breadcrumbs(['Sweeps', '#/'], [id, null]),
      );
    }
    const last = run.metrics[run.metrics.length - 1];
    statusLine.replaceChildren(
      statusBadge(run.status),
      ` epoch ${last?.epoch ?? 0} of ${run.epochs}`,
      last ? ` · val acc ${pct(last.val_acc)} · train loss ${loss(last.train_loss)}` : '',
    );
    if (!cancel) {
      cancel = cancelButton({
        label: 'Cancel run',
        confirmText: `Cancel run ${id}? Its recorded epochs are kept.`,
        path: `/v1/runs/${encodeURIComponent(id)}`,
        describedBy: 'run-summary',
      });
      actions.append(cancel);
    }
    cancel.disabled = !UNFINISHED.has(run.status);

    const started = run.started_at ? Date.parse(run.started_at) : null;
    const finished = run.finished_at ? Date.parse(run.finished_at) : null;
    const rows = [
      ['Model', run.model],
      ['Dataset', run.dataset],
      ['Learning rate', String(run.lr)],
      ['Epochs planned', String(run.epochs)],
      ['Batch size', String(run.batch_size)],
      ['Momentum', String(run.momentum)],
      ['Seed', String(run.seed)],
      ['Training subset', run.train_subset === null ? 'all' : count(run.train_subset)],
      ['Validation subset', run.val_subset === null ? 'all' : count(run.val_subset)],
      ['Status', run.status],
      ['Attempt', String(run.attempt)],
      ['Worker', run.worker ?? MISSING],
      ['Backend', run.backend ?? MISSING],
      ['Device', run.device ?? MISSING],
      ['TF.js', run.tfjs_version ?? MISSING],
      ['Resumed from epoch', run.resumed_from_epoch === null ? MISSING : String(run.resumed_from_epoch)],
      ['Queued', dateTime(run.queued_at)],
      ['Started', dateTime(run.started_at)],
      ['Finished', dateTime(run.finished_at)],
      [
        'Wall time',
        started === null
          ? MISSING
          : `${duration((finished ?? Date.now()) - started)}${finished ? '' : ' so far'}`,
      ],
    ];
    details.replaceChildren(
      el(
        'dl',
        {},
        rows.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v))),
      ),
    );
    errorBox.replaceChildren(
      run.error
        ? el(
            'section',
            { class: 'error-box', 'aria-labelledby': 'error-h' },
            el('h2', { id: 'error-h' }, run.status === 'failed' ? 'Error' : 'Last error (a retry followed)'),
            el('pre', {}, run.error),
          )
        : '',
    );
    const style = modelStyle(run.model);
    const series = (metric, label, dash) => ({
      label,
      color: style.color,
      dash,
      points: run.metrics.map((m) => [m.epoch, m[metric]]),
    });
    const legend = [
      { label: 'training', color: style.color, dash: null },
      { label: 'validation', color: style.color, dash: '5 4' },
    ];
    charts.replaceChildren(
      lineChart({
        title: 'Loss per epoch (log scale)',
        description: 'Training loss (solid) and validation loss (dashed) per epoch, log scale.',
        xLabel: 'epoch',
        yLabel: 'loss',
        xMax: run.epochs,
        yScale: 'log',
        formatY: (y) => String(Number(y.toPrecision(2))),
        series: [series('train_loss', 'training', null), series('val_loss', 'validation', '5 4')],
        legend,
      }),
      lineChart({
        title: 'Accuracy per epoch',
        description: 'Training accuracy (solid) and validation accuracy (dashed) per epoch.',
        xLabel: 'epoch',
        yLabel: 'accuracy (%)',
        xMax: run.epochs,
        yScale: 'linear',
        yMax: 1,
        formatY: (y) => String(Number((y * 100).toPrecision(4))),
        series: [series('train_acc', 'training', null), series('val_acc', 'validation', '5 4')],
        legend,
      }),
    );
    epochs.update(run.metrics, (m) => String(m.epoch));
    return UNFINISHED.has(run.status);
  };
}

function workersPage() {
  document.title = 'Workers · sweeplab';
  const table = keyedTable({
    label: 'Workers',
    caption: 'Workers with a live heartbeat (a stopped worker disappears when its heartbeat expires).',
    empty: 'No live workers. Start one with npm run worker.',
    columns: [
      { header: 'Worker', rowHeader: true, render: (w) => w.worker_id },
      { header: 'Host', render: (w) => `${w.host} (pid ${w.pid})` },
      { header: 'Backend', render: (w) => w.backend ?? MISSING },
      { header: 'Slots', render: (w) => w.slots.join(', ') || MISSING },
      {
        header: 'Running',
        sig: (w) => w.running_runs.join(','),
        render: (w) =>
          w.running_runs.length === 0
            ? 'idle'
            : w.running_runs.map((id, i) => [
                i ? ', ' : '',
                el('a', { href: runHref(id) }, el('code', {}, id)),
              ]),
      },
      { header: 'Images / s', num: true, render: (w) => count(w.images_per_second) },
      { header: 'Up since', render: (w) => dateTime(new Date(w.started_at).toISOString()) },
      { header: 'Last heartbeat', render: (w) => ago(w.last_heartbeat) },
    ],
  });
  const disk = el('p', { class: 'summary', id: 'artifact-disk' });
  main.replaceChildren(heading('Workers'), table.element, disk);
  return async () => {
    const { workers, artifacts } = await getJson('/v1/workers');
    table.update(workers, (w) => w.worker_id);
    disk.textContent = `Kept weights: ${bytesText(artifacts.bytes)} on disk in ${count(artifacts.files)} files (${count(artifacts.rows)} artifacts, ARTIFACT_KEEP=${artifacts.keep}).`;
    return true;
  };
}

// ---- router and polling ----

function resolveRoute(hash) {
  const path = hash.replace(/^#/, '') || '/';
  let m = /^\/sweeps\/([^/]+)$/.exec(path);
  if (m) {
    const id = decodeURIComponent(m[1]);
    return SWEEP_ID.test(id)
      ? { nav: 'sweeps', mount: () => sweepPage(id) }
      : { error: `“${id}” is not a sweep id.` };
  }
  m = /^\/runs\/([^/]+)$/.exec(path);
  if (m) {
    const id = decodeURIComponent(m[1]);
    return RUN_ID.test(id)
      ? { nav: 'sweeps', mount: () => runPage(id) }
      : { error: `“${id}” is not a run id.` };
  }
  if (path === '/workers') return { nav: 'workers', mount: workersPage };
  if (path === '/') return { nav: 'sweeps', mount: sweepsPage };
  return { error: `There is no page at ${path}.` };
}

let generation = 0;
let timer = null;

async function poll(gen, refresh) {
  if (gen !== generation) return;
  if (document.hidden) {
    setLive('paused', 'Paused while the tab is hidden');
    return; // visibilitychange restarts the loop
  }
  let again = true;
  try {
    again = await refresh();
    if (gen !== generation) return;
    setLive(
      again ? 'live' : 'done',
      `${again ? 'Live' : 'Finished'} · updated ${new Date().toLocaleTimeString()}`,
    );
  } catch (err) {
    if (gen !== generation) return;
    if (err instanceof HttpError && err.status === 404) {
      setLive('done', 'Not found');
      notFound(err.message);
      return;
    }
    setLive('error', `Connection problem, retrying: ${err.message}`);
  }
  if (again !== false) timer = setTimeout(() => poll(gen, refresh), POLL_MS);
}

let currentRefresh = null;

function navigate() {
  const hash = location.hash || '#/';
  // In-page anchors (the skip link) are not routes.
  if (!hash.startsWith('#/')) return;
  generation += 1;
  clearTimeout(timer);
  const route = resolveRoute(hash);
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (route.error) {
    currentRefresh = null;
    notFound(route.error);
    return;
  }
  currentRefresh = route.mount();
  main.querySelector('h1')?.focus({ preventScroll: true });
  setLive('idle', 'Loading…');
  poll(generation, currentRefresh);
}

document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && currentRefresh) {
    clearTimeout(timer);
    poll(generation, currentRefresh);
  }
});
window.addEventListener('hashchange', navigate);
navigate();
