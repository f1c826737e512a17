import { modelStyle } from '@sweeplab/shared';
import {
  axisDataAttributes,
  axisFraction,
  drawable,
  epochAxis,
  valueAxis,
} from '@sweeplab/shared/chart-axes';
import { escapeHtml } from './escape.ts';

/**
 * Inline SVG line chart: one line per series (the mean over seeds) with a shaded min–max band and
 * point markers. Written by hand so the HTML report stays one self-contained file with no script.
 * Axes (domain, padding, log scale, ticks) are the dashboard's (`@sweeplab/shared/chart-axes`); a series labelled with a model name
 * takes that model's catalog style, as on the dashboard.
 */
export interface ChartPoint {
  x: number;
  mean: number;
  min: number;
  max: number;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
}

export interface ChartOptions {
  id: string;
  title: string;
  description: string;
  xLabel: string;
  yLabel: string;
  yScale: 'linear' | 'log';
  /** Formats tick labels (e.g. accuracy fraction → "98%"). */
  formatY: (y: number) => string;
  /** The last planned epoch: the x axis shows 1..this even when data is partial. */
  plannedEpochs: number;
  /** Upper clamp for linear axes (accuracy cannot exceed 1). */
  yMaxClamp?: number;
  width?: number;
  height?: number;
}

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

/** Splits a series where epochs are missing so a line never bridges data that does not exist. */
function contiguousRuns(points: ChartPoint[]): ChartPoint[][] {
  const runs: ChartPoint[][] = [];
  let current: ChartPoint[] = [];
  for (const p of points) {
    const prev = current.at(-1);
    if (prev !== undefined && p.x - prev.x > 1) {
      runs.push(current);
      current = [];
    }
    current.push(p);
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

export function renderLearningCurveSvg(series: ChartSeries[], o: ChartOptions): string {
  const width = o.width ?? 480;
  const height = o.height ?? 330;
  const legendRows = Math.ceil(series.length / 3);
  const margin = { top: 14 + legendRows * 18, right: 16, bottom: 46, left: 62 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const usable = (v: number) => drawable(v, o.yScale);
  const clean = series.map((s) => ({
    ...s,
    points: s.points
      .filter((p) => usable(p.mean) && usable(p.min) && usable(p.max))
      .sort((a, b) => a.x - b.x),
  }));
  const all = clean.flatMap((s) => s.points);

  const titleId = `${o.id}-title`;
  const descId = `${o.id}-desc`;
  const open = `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${titleId} ${descId}"><title id="${titleId}">${escapeHtml(o.title)}</title><desc id="${descId}">${escapeHtml(o.description)}</desc>`;
  if (all.length === 0) {
    return `${open}<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" fill="none" stroke="#999"/><text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="axis-label">No data yet</text></svg>`;
  }

  const xAxis = epochAxis(
    all.map((p) => p.x),
    o.plannedEpochs,
  );
  const yAxis = valueAxis(
    all.flatMap((p) => [p.min, p.max]),
    o.yScale,
    o.yMaxClamp,
  );
  const sx = (x: number) => margin.left + axisFraction(xAxis, x) * plotW;
  const sy = (y: number) => margin.top + (1 - axisFraction(yAxis, y)) * plotH;

  const parts: string[] = [open];
  const xTicks = xAxis.ticks;
  const yTicks = yAxis.ticks;

  parts.push('<g class="grid">');
  for (const t of yTicks)
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${fmt(sy(t))}" y2="${fmt(sy(t))}"/>`,
    );
  const domains = Object.entries(axisDataAttributes(xAxis, yAxis)).map(([k, v]) => `${k}="${v}"`);
  parts.push(`</g><g class="axis" ${domains.join(' ')}>`);
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}"/>`,
  );
  parts.push(`<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}"/>`);
  for (const t of xTicks) {
    const x = fmt(sx(t));
    parts.push(`<line x1="${x}" x2="${x}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 5}"/>`);
    parts.push(`<text x="${x}" y="${margin.top + plotH + 18}" text-anchor="middle">${t}</text>`);
  }
  for (const t of yTicks) {
    const y = fmt(sy(t));
    parts.push(`<line x1="${margin.left - 5}" x2="${margin.left}" y1="${y}" y2="${y}"/>`);
    parts.push(
      `<text x="${margin.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(o.formatY(t))}</text>`,
    );
  }
  parts.push(
    `<text class="axis-label" x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeHtml(o.xLabel)}</text>`,
  );
  parts.push(
    `<text class="axis-label" transform="translate(14 ${fmt(margin.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(o.yLabel)}</text>`,
  );
  parts.push('</g>');

  clean.forEach((s, i) => {
    const style = modelStyle(s.label, i);
    parts.push(`<g class="series" data-series="${escapeHtml(s.label)}">`);
    for (const run of contiguousRuns(s.points)) {
      if (run.length > 1) {
        const upper = run.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.max))}`);
        const lower = run.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.min))}`).reverse();
        parts.push(
          `<polygon points="${[...upper, ...lower].join(' ')}" fill="${style.color}" fill-opacity="0.15" stroke="none"/>`,
        );
        const d = run.map((p, k) => `${k === 0 ? 'M' : 'L'}${fmt(sx(p.x))} ${fmt(sy(p.mean))}`).join(' ');
        parts.push(
          `<path d="${d}" fill="none" stroke="${style.color}" stroke-width="2"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
        );
      } else {
        // An isolated epoch has no band area, so show its spread as an error bar.
        const p = run[0]!;
        parts.push(
          `<line x1="${fmt(sx(p.x))}" x2="${fmt(sx(p.x))}" y1="${fmt(sy(p.min))}" y2="${fmt(sy(p.max))}" stroke="${style.color}" stroke-width="1.5"/>`,
        );
      }
      for (const p of run) {
        parts.push(
          `<circle cx="${fmt(sx(p.x))}" cy="${fmt(sy(p.mean))}" r="${run.length > 1 ? 2 : 3.5}" fill="${style.color}"/>`,
        );
      }
    }
    parts.push('</g>');
  });

  parts.push('<g class="legend">');
  series.forEach((s, i) => {
    const style = modelStyle(s.label, i);
    const lx = margin.left + (i % 3) * Math.min(170, plotW / 3);
    const ly = 10 + Math.floor(i / 3) * 18;
    parts.push(
      `<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${style.color}" stroke-width="2.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
    );
    parts.push(`<text x="${lx + 32}" y="${ly}" dominant-baseline="middle">${escapeHtml(s.label)}</text>`);
  });
  parts.push('</g></svg>');
  return parts.join('');
}
