// @ts-check
// Small SVG line charts for learning curves: no library, redrawn whole on every poll (they hold no
// focus, so replacing them is free for keyboard users).
// The axes (domain, padding, log scale, ticks) come from the module the HTML report uses
// (@sweeplab/shared/chart-axes) and model styles from the model catalog; the API serves both under
// /dashboard/.
import { axisDataAttributes, axisFraction, drawable, epochAxis, valueAxis } from './chart-axes.js';
import { el, svgEl } from './dom.js';
import { FALLBACK_STYLES, MODEL_STYLES } from './model-catalog.js';

const W = 560;
const H = 270;
const M = { l: 58, r: 16, t: 12, b: 42 };

/**
 * @typedef {{ label: string, color: string, dash: string | null | undefined }} LegendEntry
 * @typedef {LegendEntry & { points: number[][] }} Series points are [epoch, value] pairs
 * @typedef {object} LineChartOptions
 * @property {string} title
 * @property {string} description
 * @property {string} xLabel
 * @property {string} yLabel
 * @property {number} xMax the last planned epoch
 * @property {'linear' | 'log'} yScale
 * @property {(y: number) => string} formatY
 * @property {number} [yMax] upper clamp of a linear axis (accuracy cannot exceed 1)
 * @property {Series[]} series
 * @property {LegendEntry[]} legend
 */

/**
 * @param {string} model
 * @param {number} [index] which fallback style a model outside the catalog gets
 */
export function modelStyle(model, index = 0) {
  return MODEL_STYLES[model] ?? FALLBACK_STYLES[index % FALLBACK_STYLES.length];
}

let chartCount = 0;

/** @param {LineChartOptions} options */
export function lineChart(options) {
  const id = `chart-${++chartCount}`;
  /** @param {number[]} p an [epoch, value] pair */
  const usable = (p) => drawable(p[1], options.yScale);
  const points = options.series.flatMap((s) => s.points.filter(usable));
  const figure = el('figure', { class: 'chart' });
  const caption = el('figcaption', {}, options.title);
  if (points.length === 0) {
    figure.append(caption, el('p', { class: 'chart-empty' }, 'No epochs recorded yet.'));
    return figure;
  }

  const xAxis = epochAxis(
    points.map((p) => p[0]),
    options.xMax,
  );
  const yAxis = valueAxis(
    points.map((p) => p[1]),
    options.yScale,
    options.yMax,
  );
  const plotW = W - M.l - M.r;
  const plotH = H - M.t - M.b;
  /** @param {number} x */
  const sx = (x) => M.l + axisFraction(xAxis, x) * plotW;
  /** @param {number} y */
  const sy = (y) => M.t + (1 - axisFraction(yAxis, y)) * plotH;
  const xTicks = xAxis.ticks;
  const yTicks = yAxis.ticks;

  const grid = svgEl(
    'g',
    { class: 'grid', 'aria-hidden': 'true' },
    yTicks.map((y) => svgEl('line', { x1: M.l, x2: W - M.r, y1: sy(y), y2: sy(y) })),
  );
  const axes = svgEl(
    'g',
    { class: 'axis', 'aria-hidden': 'true', ...axisDataAttributes(xAxis, yAxis) },
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
      const drawn = s.points.filter(usable);
      const last = drawn.at(-1);
      if (!last) return null;
      return svgEl(
        'g',
        {},
        svgEl('polyline', {
          points: drawn.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' '),
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
