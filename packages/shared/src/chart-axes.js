// @ts-check
// Axis ticks for the learning-curve charts, shared by the dashboard (served to the browser as-is by
// the API: plain ES module, no build step) and the HTML report (imported from TypeScript), so both
// draw the same axes for the same data.

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
