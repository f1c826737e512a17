import { logGamma, regularizedIncompleteBeta } from './incomplete-beta.ts';

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new RangeError(`Student-t degrees of freedom must be finite and > 0, got ${df}`);
  }
}

/**
 * P(|T| ≥ |t|) for T ~ t(df). Computed directly from I_x(df/2, 1/2) with x = df / (df + t²) so that
 * small p-values keep their relative precision (no 1 − CDF cancellation).
 */
export function studentTTwoSidedP(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) throw new RangeError('Student-t statistic is NaN');
  if (!Number.isFinite(t)) return 0;
  const x = df / (df + t * t);
  return regularizedIncompleteBeta(x, df / 2, 0.5);
}

/** P(T ≤ t) for T ~ t(df); df may be fractional (Welch–Satterthwaite). */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSidedP(t, df) / 2;
  return t >= 0 ? 1 - tail : tail;
}

/** Density of t(df) at t; used for Newton steps in the quantile. */
export function studentTPdf(t: number, df: number): number {
  checkDf(df);
  const logDensity =
    logGamma((df + 1) / 2) -
    logGamma(df / 2) -
    0.5 * Math.log(df * Math.PI) -
    ((df + 1) / 2) * Math.log1p((t * t) / df);
  return Math.exp(logDensity);
}

/**
 * The t with P(T ≤ t) = p for T ~ t(df). Bisection on the upper tail (bracket doubled until it
 * contains the root) and a few Newton steps to polish; the upper-tail formulation keeps precision
 * for p close to 1, which is where confidence intervals live.
 */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability must be in [0, 1], got ${p}`);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  const upperTail = 1 - p;
  const tailAbove = (t: number) => studentTTwoSidedP(t, df) / 2;

  let lo = 0;
  let hi = 1;
  while (tailAbove(hi) > upperTail) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Number.POSITIVE_INFINITY;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (tailAbove(mid) > upperTail) lo = mid;
    else hi = mid;
  }
  let t = (lo + hi) / 2;
  for (let i = 0; i < 3; i++) {
    const density = studentTPdf(t, df);
    if (!(density > 0)) break;
    const next = t + (tailAbove(t) - upperTail) / density;
    if (!Number.isFinite(next) || next < lo || next > hi) break;
    t = next;
  }
  return t;
}
