// @ts-check
// The axes of the learning-curve charts: domains, padding, log scale and ticks, shared by the dashboard
// (served to the browser as-is by the API: plain ES module, no build step) and the HTML report
// (imported from TypeScript), so both draw the same axes for the same data. Each renderer only maps
// `axisFraction` onto its own pixels.

/** Intervals to aim for on the epoch axis and on the value axis. */
const EPOCH_TICKS = 6;
const VALUE_TICKS = 5;

/**
 * @typedef {'linear' | 'log'} AxisScale
 * @typedef {{ lo: number, hi: number, scale: AxisScale, ticks: number[] }} Axis
 */

/**
 * The smallest "nice" step (1, 2 or 5 × 10^k) that gives at most `targetTicks` intervals over `span`.
 * @param {number} span
 * @param {number} targetTicks
 * @returns {number}
 */
export function niceStep(span, targetTicks) {
  const raw = span / Math.max(1, targetTicks);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  // 1e-9 absorbs float noise: a raw step of 0.5000000000000001 is 0.5, not 1.
  const residual = raw / magnitude - 1e-9;
  const nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
  return nice * magnitude;
}

/**
 * Multiples of a nice step inside [lo, hi], rounded to 12 significant digits (0.30000000000000004 → 0.3).
 * @param {number} lo
 * @param {number} hi
 * @param {number} target
 * @returns {number[]}
 */
export function linearTicks(lo, hi, target) {
  const step = niceStep(hi - lo, target);
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

/**
 * Decades inside [lo, hi], plus 2× and 5× when the data spans fewer than three decades so the axis is
 * readable; the ends are kept despite rounding.
 * @param {number} lo
 * @param {number} hi
 * @returns {number[]}
 */
export function logTicks(lo, hi) {
  const from = Math.floor(Math.log10(lo));
  const to = Math.ceil(Math.log10(hi));
  const multipliers = to - from <= 2 ? [1, 2, 5] : [1];
  const ticks = [];
  for (let e = from; e <= to; e++) {
    for (const m of multipliers) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

/**
 * Whether a value can be drawn on a scale: finite, and positive on a log scale.
 * @param {number} value
 * @param {AxisScale} scale
 */
export function drawable(value, scale) {
  return Number.isFinite(value) && (scale !== 'log' || value > 0);
}

/**
 * The epoch axis: from epoch 1 to the planned epochs, widened to any epoch recorded outside them, with
 * integer ticks. A single epoch is centred instead of dividing by a zero-width domain.
 * @param {number[]} epochs the epochs drawn
 * @param {number} planned the last planned epoch
 * @returns {Axis}
 */
export function epochAxis(epochs, planned) {
  let lo = Math.min(1, ...epochs);
  let hi = Math.max(planned, ...epochs);
  if (hi - lo < 1) {
    lo -= 0.5;
    hi += 0.5;
  }
  const [first, last] = [Math.ceil(lo), Math.floor(hi)];
  const ticks =
    last > first ? linearTicks(first, last, EPOCH_TICKS).filter((t) => Number.isInteger(t)) : [first];
  return { lo, hi, scale: 'linear', ticks };
}

/**
 * The value axis over every value drawn (pass the drawable ones, at least one). Linear: padded by 8%
 * of the range (at least 0.002) and widened to whole tick steps, never below 0 for values that are
 * not, and clamped to `max` (accuracy cannot exceed 1). Log: widened to half decades, spanning at
 * least one decade.
 * @param {number[]} values
 * @param {AxisScale} scale
 * @param {number} [max]
 * @returns {Axis}
 */
export function valueAxis(values, scale, max) {
  const min = Math.min(...values);
  let lo = min;
  let hi = Math.max(...values);
  if (scale === 'log') {
    lo = 10 ** (Math.floor(Math.log10(lo) * 2) / 2);
    hi = 10 ** (Math.ceil(Math.log10(hi) * 2) / 2);
    if (hi / lo < 10) lo = hi / 10;
    return { lo, hi, scale, ticks: logTicks(lo, hi) };
  }
  const pad = Math.max((hi - lo) * 0.08, 0.002);
  const step = niceStep(hi - lo + 2 * pad, VALUE_TICKS);
  lo = Number((Math.floor((lo - pad) / step) * step).toPrecision(12));
  hi = Number((Math.ceil((hi + pad) / step) * step).toPrecision(12));
  if (min >= 0) lo = Math.max(0, lo);
  if (max !== undefined) hi = Math.min(hi, max);
  if (hi <= lo) lo = hi - step;
  return { lo, hi, scale, ticks: linearTicks(lo, hi, VALUE_TICKS) };
}

/**
 * Where a value lies along an axis: 0 at its low end, 1 at its high end (by the logarithm on a log axis).
 * @param {Axis} axis
 * @param {number} value
 */
export function axisFraction(axis, value) {
  return axis.scale === 'log'
    ? (Math.log(value) - Math.log(axis.lo)) / (Math.log(axis.hi) - Math.log(axis.lo))
    : (value - axis.lo) / (axis.hi - axis.lo);
}

/**
 * The domains of a chart's axes as attributes of its axis group, so a test (or a reader of the SVG) can
 * compare two renderings without inverting pixel positions.
 * @param {Axis} x
 * @param {Axis} y
 */
export function axisDataAttributes(x, y) {
  return { 'data-x-domain': `${x.lo} ${x.hi}`, 'data-y-domain': `${y.lo} ${y.hi}` };
}
