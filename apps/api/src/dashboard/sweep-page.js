// @ts-check
import { fetchSweepLive } from './api.js';
import { lineChart, modelStyle } from './charts.js';
import {
  bestWeightsLine,
  breadcrumbs,
  cancelButton,
  countsText,
  earlyStopText,
  heading,
  main,
  reportLinks,
  runHref,
  statusBadge,
  UNFINISHED,
} from './components.js';
import { count, dateTime, el, keyedTable, loss, MISSING, nodes, pct } from './dom.js';

/** @typedef {import('./api.js').LiveRun} LiveRun */
/** @typedef {import('./router.js').Refresh} Refresh */

/**
 * @param {LiveRun[]} runs
 * @param {Record<string, import('./api.js').Curve> | null} curves
 * @param {'val_acc' | 'train_loss' | 'val_loss'} metric
 */
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

/** @param {LiveRun[]} runs */
function legendFor(runs) {
  const models = [...new Set(runs.map((r) => r.model))];
  return models.map((m, i) => ({ label: m, ...modelStyle(m, i) }));
}

/**
 * `#/sweeps/<id>`: progress, learning curves and runs of one sweep, live until every run is finished.
 * @param {string} id
 * @returns {Refresh}
 */
export function sweepPage(id) {
  document.title = `Sweep ${id} · sweeplab`;
  const title = heading(`Sweep ${id}`);
  const crumbs = breadcrumbs(['Sweeps', '#/'], [id, null]);
  const meta = el('p', { class: 'meta' });
  const summary = el('p', { class: 'summary', id: 'sweep-summary' });
  // Why the sweep proposes no more runs when it ended before its run_cap (GET /v1/sweeps/:id → search.reason).
  const searchEnded = el('p', { class: 'note', id: 'search-ended', role: 'status', hidden: true });
  const progress = el('progress', { max: 1, value: 0, 'aria-label': 'Epochs done over all runs' });
  const progressText = el('span', {});
  const actions = el('div', { class: 'actions' });
  const bestWeights = el('p', { class: 'summary', id: 'best-weights' });
  const charts = el('div', { class: 'charts' });
  const chartsNote = el('p', { class: 'note', hidden: true });
  /** @type {HTMLButtonElement | null} */
  let cancelSweep = null;
  let lastChartKey = '';

  /** @type {ReturnType<typeof keyedTable<LiveRun>>} */
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
      {
        header: 'Status',
        sig: (r) => `${r.status}|${r.early_stop?.band ?? ''}`,
        render: (r) =>
          r.early_stop
            ? nodes(statusBadge(r.status), ' ', earlyStopText(r.early_stop))
            : statusBadge(r.status),
        field: 'status',
      },
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
    searchEnded,
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
    const view = await fetchSweepLive(id);
    const { sweep, runs } = view;
    bestWeights.replaceChildren(bestWeightsLine(view.best_weights));
    document.title = `${sweep.name} · sweeplab`;
    title.textContent = sweep.name;
    const current = crumbs.querySelector('[aria-current]');
    if (current) current.textContent = sweep.name;
    const metric = sweep.metric_name ? ` · optimises ${sweep.metric_name} (${sweep.metric_goal})` : '';
    meta.textContent = `${sweep.id} · ${sweep.method} · created ${dateTime(sweep.created_at)}${metric}`;
    summary.textContent = `${sweep.total_runs} runs: ${countsText(sweep.counts)}`;
    const reason = sweep.search?.reason ?? null;
    searchEnded.hidden = reason === null;
    searchEnded.textContent = reason === null ? '' : `Search ${sweep.search?.status}: ${reason}`;
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
    if (cancelSweep) cancelSweep.disabled = unfinished === 0;

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
          formatY: (/** @type {number} */ y) => String(Number((y * 100).toPrecision(4))),
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
          formatY: (/** @type {number} */ y) => String(Number(y.toPrecision(2))),
          series: curveSeries(runs, view.curves, 'train_loss'),
          legend,
        }),
      );
    }
    table.update(runs, (r) => r.id);
    return unfinished > 0;
  };
}
