// @ts-check
import { fetchArtifacts, fetchRun, fetchSweep } from './api.js';
import { lineChart, modelStyle } from './charts.js';
import {
  breadcrumbs,
  bytesText,
  cancelButton,
  heading,
  main,
  statusBadge,
  sweepHref,
  UNFINISHED,
  weightsLinks,
} from './components.js';
import { digitPad } from './digit-pad.js';
import { count, dateTime, duration, el, keyedTable, loss, MISSING, nodes, pct } from './dom.js';

/** @typedef {import('./api.js').EpochRow} EpochRow */
/** @typedef {import('./router.js').Refresh} Refresh */

/**
 * `#/runs/<id>`: one run's parameters, execution, error, learning curves and epochs.
 * @param {string} id
 * @returns {Refresh}
 */
export function runPage(id) {
  document.title = `Run ${id} · sweeplab`;
  const title = heading(nodes('Run ', el('code', {}, id)));
  const crumbs = el('div');
  const statusLine = el('p', { class: 'summary', id: 'run-summary' });
  const actions = el('div', { class: 'actions' });
  const details = el('div', { class: 'details' });
  const errorBox = el('div', {});
  const charts = el('div', { class: 'charts' });
  const weights = el('div', { id: 'run-weights' });
  const pad = digitPad(id);
  /** @type {ReturnType<typeof keyedTable<EpochRow>>} */
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
    pad.element,
    el('section', { 'aria-labelledby': 'curves-h' }, el('h2', { id: 'curves-h' }, 'Learning curves'), charts),
    el('section', { 'aria-labelledby': 'epochs-h' }, el('h2', { id: 'epochs-h' }, 'Epochs'), epochs.element),
  );
  /** @type {string | null} */
  let sweepName = null;
  let lastKey = '';
  /** @type {HTMLButtonElement | null} */
  let cancel = null;

  return async () => {
    const run = await fetchRun(id);
    const sweepId = run.sweep_id;
    if (sweepId && sweepName === null) {
      sweepName = await fetchSweep(sweepId).then(
        (s) => s.name,
        () => sweepId,
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
    // A run's artifacts are stored before its terminal event: a changed key is the moment to look.
    const artifacts = await fetchArtifacts(id);
    pad.enable(artifacts.some((a) => a.kind === 'best'));
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
        sweepId
          ? breadcrumbs(['Sweeps', '#/'], [sweepName ?? sweepId, sweepHref(sweepId)], [id, null])
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
    if (cancel) cancel.disabled = !UNFINISHED.has(run.status);

    const started = run.started_at ? Date.parse(run.started_at) : null;
    const finished = run.finished_at ? Date.parse(run.finished_at) : null;
    /** @type {[string, string][]} */
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
      ['Optimizer', run.nesterov ? `${run.optimizer} (Nesterov)` : run.optimizer],
      ['Weight decay', String(run.weight_decay)],
      [
        'LR schedule',
        run.lr_schedule === 'step'
          ? `step: ×${run.lr_gamma} every ${run.lr_step_epochs} epochs`
          : run.lr_schedule,
      ],
      ['Warmup epochs', String(run.warmup_epochs)],
      ['Depth (blocks per stage)', String(run.depth)],
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
    /**
     * @param {'train_loss' | 'val_loss' | 'train_acc' | 'val_acc'} metric
     * @param {string} label
     * @param {string | null} dash
     */
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
        formatY: (/** @type {number} */ y) => String(Number(y.toPrecision(2))),
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
        formatY: (/** @type {number} */ y) => String(Number((y * 100).toPrecision(4))),
        series: [series('train_acc', 'training', null), series('val_acc', 'validation', '5 4')],
        legend,
      }),
    );
    epochs.update(run.metrics, (m) => String(m.epoch));
    return UNFINISHED.has(run.status);
  };
}
