// Small SVG line charts for learning curves: no library, redrawn whole on every poll (they hold no
// focus, so replacing them is free for keyboard users).
// Axis ticks come from the module the HTML report uses (@sweeplab/shared/chart-axes) and model
// styles from the model catalog; the API serves both under /dashboard/.
import { linearTicks, logTicks } from './chart-axes.js';
import { el, svgEl } from './dom.js';
import { FALLBACK_STYLES, MODEL_STYLES } from './model-catalog.js';

const W = 560;
const H = 270;
const M = { l: 58, r: 16, t: 12, b: 42 };

export function modelStyle(model, index = 0) {
  return MODEL_STYLES[model] ?? FALLBACK_STYLES[index % FALLBACK_STYLES.length];
}

let chartCount = 0;

/**
 * options: { title, description, xLabel, yLabel, xMax, yScale: 'linear' | 'log', formatY, yMax?,
 *   series: [{ label, color, dash, points: [[x, y], ...] }], legend: [{ label, color, dash }] }
 */
export function lineChart(options) {
  const id = `chart-${++chartCount}`;
  const log = options.yScale === 'log';
  const usable = (y) => Number.isFinite(y) && (!log || y > 0);
  const ys = options.series.flatMap((s) => s.points.map((p) => p[1]).filter(usable));
  const figure = el('figure', { class: 'chart' });
  const caption = el('figcaption', {}, options.title);
  if (ys.length === 0) {
    figure.append(caption, el('p', { class: 'chart-empty' }, 'No epochs recorded yet.'));
    return figure;
  }

  const xMax = Math.max(2, options.xMax);
  let yLo = Math.min(...ys);
  let yHi = Math.max(...ys);
  if (log) {
    yLo /= 1.25;
    yHi *= 1.25;
  } else {
    const pad = (yHi - yLo || Math.abs(yHi) * 0.02 || 0.01) * 0.08;
    yLo = Math.max(0, yLo - pad);
    yHi = options.yMax === undefined ? yHi + pad : Math.min(options.yMax, yHi + pad);
    if (yHi <= yLo) yHi = yLo + 0.01;
  }
  const plotW = W - M.l - M.r;
  const plotH = H - M.t - M.b;
  const sx = (x) => M.l + ((x - 1) / (xMax - 1)) * plotW;
  const sy = log
    ? (y) => M.t + (1 - (Math.log(y) - Math.log(yLo)) / (Math.log(yHi) - Math.log(yLo))) * plotH
    : (y) => M.t + (1 - (y - yLo) / (yHi - yLo)) * plotH;

  const xTicks = linearTicks(1, xMax, Math.min(8, xMax - 1)).filter((x) => Number.isInteger(x));
  const yTicks = log ? logTicks(yLo, yHi) : linearTicks(yLo, yHi, 5);

  const grid = svgEl(
    'g',
    { class: 'grid', 'aria-hidden': 'true' },
    yTicks.map((y) => svgEl('line', { x1: M.l, x2: W - M.r, y1: sy(y), y2: sy(y) })),
  );
  const axes = svgEl(
    'g',
    { class: 'axis', 'aria-hidden': 'true' },
    svgEl('line', { x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b }),
    svgEl('line', { x1: M.l, x2: M.l, y1: M.t, y2: H - M.b }),
    xTicks.map((x) =>
      svgEl(
        'g',
        {},
        svgEl('line', { x1: sx(x), x2: sx(x), y1: H - M.b, y2: H - M.b + 4 }),
        svgEl('text', { x: sx(x), y: H - M.b + 16, 'text-anchor': 'middle' }, String(x)),
      ),
    ),
    yTicks.map((y) =>
      svgEl(
        'g',
        {},
        svgEl('line', { x1: M.l - 4, x2: M.l, y1: sy(y), y2: sy(y) }),
        svgEl('text', { x: M.l - 7, y: sy(y) + 4, 'text-anchor': 'end' }, options.formatY(y)),
      ),
    ),
    svgEl(
      'text',
      { class: 'axis-label', x: M.l + plotW / 2, y: H - 6, 'text-anchor': 'middle' },
      options.xLabel,
    ),
    svgEl(
      'text',
      {
        class: 'axis-label',
        x: -(M.t + plotH / 2),
        y: 14,
        transform: 'rotate(-90)',
        'text-anchor': 'middle',
      },
      options.yLabel,
    ),
  );
  const lines = svgEl(
    'g',
    { class: 'lines', 'aria-hidden': 'true' },
    options.series.map((s) => {
      const points = s.points.filter((p) => usable(p[1]) && p[0] <= xMax);
      if (points.length === 0) return null;
      const last = points[points.length - 1];
      return svgEl(
        'g',
        {},
        svgEl('polyline', {
          points: points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' '),
          stroke: s.color,
          'stroke-dasharray': s.dash,
          fill: 'none',
          'stroke-width': 1.8,
          'stroke-linejoin': 'round',
        }),
        svgEl('circle', { cx: sx(last[0]), cy: sy(last[1]), r: 2.6, fill: s.color }),
      );
    }),
  );
  const svg = svgEl(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
      preserveAspectRatio: 'xMidYMid meet',
    },
    svgEl('title', { id: `${id}-title` }, options.title),
    svgEl('desc', { id: `${id}-desc` }, options.description),
    grid,
    axes,
    lines,
  );
  const legend = el(
    'ul',
    { class: 'legend', 'aria-label': 'Legend' },
    options.legend.map((entry) =>
      el(
        'li',
        {},
        svgEl(
          'svg',
          { width: 28, height: 10, 'aria-hidden': 'true', class: 'swatch' },
          svgEl('line', {
            x1: 1,
            x2: 27,
            y1: 5,
            y2: 5,
            stroke: entry.color,
            'stroke-width': 2.5,
            'stroke-dasharray': entry.dash,
          }),
        ),
        entry.label,
      ),
    ),
  );
  figure.append(caption, svg, legend);
  return figure;
}
