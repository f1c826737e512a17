/**
 * A Gaussian process with a Matérn 5/2 kernel and one length scale per dimension, hyper-parameters by
 * maximum marginal likelihood (Rasmussen & Williams, ch. 2 and 5). Categorical dimensions hold a
 * category index and contribute [x ≠ x'] / ℓ² to the squared distance (categories are unordered).
 */

export interface GpHyper {
  /** One per dimension. */
  lengthScales: number[];
  signalVariance: number;
  noiseVariance: number;
}

export interface GpModel {
  X: number[][];
  hyper: GpHyper;
  categorical: boolean[];
  /** Lower-triangular Cholesky factor of K + σn² I. */
  L: number[][];
  /** (K + σn² I)⁻¹ y. */
  alpha: number[];
}

const SQRT5 = Math.sqrt(5);

export function matern52(r: number): number {
  return (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}

export function kernel(
  a: readonly number[],
  b: readonly number[],
  hyper: GpHyper,
  categorical: readonly boolean[],
) {
  let r2 = 0;
  for (let i = 0; i < a.length; i++) {
    const l = hyper.lengthScales[i] as number;
    const d = categorical[i]
      ? (a[i] as number) === (b[i] as number)
        ? 0
        : 1
      : (a[i] as number) - (b[i] as number);
    r2 += (d * d) / (l * l);
  }
  return hyper.signalVariance * matern52(Math.sqrt(r2));
}

/** Cholesky factor of a symmetric positive-definite matrix; null when it is not (numerically). */
export function cholesky(A: number[][]): number[][] | null {
  const n = A.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const Li = L[i] as number[];
    for (let j = 0; j <= i; j++) {
      const Lj = L[j] as number[];
      let sum = (A[i] as number[])[j] as number;
      for (let k = 0; k < j; k++) sum -= (Li[k] as number) * (Lj[k] as number);
      if (i === j) {
        if (!(sum > 0)) return null;
        Li[i] = Math.sqrt(sum);
      } else Li[j] = sum / (Lj[j] as number);
    }
  }
  return L;
}

function solveLower(L: number[][], b: readonly number[]): number[] {
  const x = new Array<number>(b.length);
  for (let i = 0; i < b.length; i++) {
    let sum = b[i] as number;
    const Li = L[i] as number[];
    for (let k = 0; k < i; k++) sum -= (Li[k] as number) * (x[k] as number);
    x[i] = sum / (Li[i] as number);
  }
  return x;
}

function solveUpperT(L: number[][], b: readonly number[]): number[] {
  const n = b.length;
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i] as number;
    for (let k = i + 1; k < n; k++) sum -= ((L[k] as number[])[i] as number) * (x[k] as number);
    x[i] = sum / ((L[i] as number[])[i] as number);
  }
  return x;
}

/** Conditions the GP on (X, y) with fixed hyper-parameters; null when the kernel matrix is singular. */
export function conditionGp(
  X: number[][],
  y: readonly number[],
  hyper: GpHyper,
  categorical: boolean[],
): GpModel | null {
  const K = X.map((a, i) =>
    X.map((b, j) => kernel(a, b, hyper, categorical) + (i === j ? hyper.noiseVariance : 0)),
  );
  const L = cholesky(K);
  if (!L) return null;
  return { X, hyper, categorical, L, alpha: solveUpperT(L, solveLower(L, y)) };
}

/** Log marginal likelihood log p(y | X, θ); −Infinity when K is not positive definite. */
export function logMarginalLikelihood(
  X: number[][],
  y: readonly number[],
  hyper: GpHyper,
  categorical: boolean[],
) {
  const gp = conditionGp(X, y, hyper, categorical);
  if (!gp) return Number.NEGATIVE_INFINITY;
  let fit = 0;
  let logDet = 0;
  for (let i = 0; i < y.length; i++) {
    fit += (y[i] as number) * (gp.alpha[i] as number);
    logDet += Math.log((gp.L[i] as number[])[i] as number);
  }
  return -0.5 * fit - logDet - 0.5 * y.length * Math.log(2 * Math.PI);
}

/** Posterior mean and variance of the latent function at x. */
export function predict(gp: GpModel, x: readonly number[]): { mean: number; variance: number } {
  const k = gp.X.map((xi) => kernel(xi, x, gp.hyper, gp.categorical));
  let mean = 0;
  for (let i = 0; i < k.length; i++) mean += (k[i] as number) * (gp.alpha[i] as number);
  const v = solveLower(gp.L, k);
  let reduction = 0;
  for (const vi of v) reduction += vi * vi;
  return { mean, variance: Math.max(1e-12, gp.hyper.signalVariance - reduction) };
}

// Bounds on log hyper-parameters, for y standardised to mean 0 and variance 1 and x in [0, 1].
const LOG_LENGTH = [Math.log(0.02), Math.log(20)] as const;
const LOG_SIGNAL = [Math.log(0.05), Math.log(20)] as const;
const LOG_NOISE = [Math.log(1e-6), Math.log(1)] as const;

function toHyper(theta: readonly number[], dims: number): GpHyper {
  const clamp = (v: number, [lo, hi]: readonly [number, number]) => Math.exp(Math.min(hi, Math.max(lo, v)));
  return {
    lengthScales: theta.slice(0, dims).map((t) => clamp(t, LOG_LENGTH)),
    signalVariance: clamp(theta[dims] as number, LOG_SIGNAL),
    noiseVariance: clamp(theta[dims + 1] as number, LOG_NOISE),
  };
}

/** Nelder–Mead minimisation; small and derivative-free, enough for a dozen hyper-parameters. */
export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  step: number,
  iterations: number,
): number[] {
  const n = start.length;
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + step : v)))];
  let values = simplex.map(f);
  for (let it = 0; it < iterations; it++) {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    simplex = order.map(([, i]) => simplex[i] as number[]);
    values = order.map(([v]) => v);
    const centroid = new Array<number>(n).fill(0);
    for (const p of simplex.slice(0, n)) for (let j = 0; j < n; j++) centroid[j]! += (p[j] as number) / n;
    const worst = simplex[n] as number[];
    const along = (t: number) => centroid.map((c, j) => c + t * (c - (worst[j] as number)));
    const reflected = along(1);
    const fr = f(reflected);
    if (fr < (values[0] as number)) {
      const expanded = along(2);
      const fe = f(expanded);
      [simplex[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < (values[n - 1] as number)) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = along(-0.5);
      const fc = f(contracted);
      if (fc < (values[n] as number)) [simplex[n], values[n]] = [contracted, fc];
      else {
        const best = simplex[0] as number[];
        simplex = simplex.map((p, i) =>
          i === 0 ? p : p.map((v, j) => (best[j] as number) + 0.5 * (v - (best[j] as number))),
        );
        values = simplex.map((p, i) => (i === 0 ? (values[0] as number) : f(p)));
      }
    }
  }
  const bestIndex = values.indexOf(Math.min(...values));
  return simplex[bestIndex] as number[];
}

/** Fits length scales, signal and noise variance by maximum likelihood (a few restarts). */
export function fitGpHyper(
  X: number[][],
  y: readonly number[],
  categorical: boolean[],
  rand: () => number,
  restarts = 3,
): GpHyper {
  const dims = categorical.length;
  const objective = (theta: number[]) => {
    const value = -logMarginalLikelihood(X, y, toHyper(theta, dims), categorical);
    return Number.isFinite(value) ? value : 1e12;
  };
  let best: number[] = [...new Array<number>(dims).fill(Math.log(0.3)), 0, Math.log(1e-3)];
  let bestValue = objective(best);
  for (let r = 0; r < restarts; r++) {
    const start =
      r === 0
        ? best
        : [
            ...Array.from({ length: dims }, () => Math.log(0.05) + rand() * Math.log(40)),
            Math.log(0.3) + rand() * Math.log(10),
            Math.log(1e-5) + rand() * Math.log(1e4),
          ];
    const theta = nelderMead(objective, start, 0.7, 60 * (dims + 2));
    const value = objective(theta);
    if (value < bestValue) [best, bestValue] = [theta, value];
  }
  return toHyper(best, dims);
}

/** Standard normal pdf and cdf (Φ through Numerical Recipes' erfcc; fractional error below 1.2e-7). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/** Expected improvement below `best` (lower is better) of a prediction. */
export function expectedImprovement(mean: number, variance: number, best: number): number {
  const sd = Math.sqrt(variance);
  if (sd < 1e-12) return Math.max(0, best - mean);
  const z = (best - mean) / sd;
  return (best - mean) * normalCdf(z) + sd * normalPdf(z);
}
