import { conditionGp, expectedImprovement, fitGpHyper, type GpModel, predict } from './gaussian-process.ts';
import { type Point, randomPoint, type SearchSpace, samePoint, snapPoint } from './search-space.ts';

/** A finished run: its point and its value, lower is better (sign already flipped for maximize). */
export interface Observation {
  point: Point;
  value: number;
}

export interface BayesOptions {
  /** Random candidates EI is evaluated at. */
  candidates: number;
  /** Best candidates refined by a local random search. */
  refine: number;
  refineSteps: number;
  /** Observations the GP is fitted on at most (the most recent ones); fitting is O(n³). */
  maxObservations: number;
  /**
   * Candidates this close (in every unit coordinate, same categories) to a run observed or in flight
   * are not proposed: "nearly the same configuration" for a parallel worker.
   */
  minDistance: number;
}

export const DEFAULT_BAYES_OPTIONS: BayesOptions = {
  candidates: 2000,
  refine: 5,
  refineSteps: 40,
  maxObservations: 200,
  minDistance: 0.02,
};

/** Snaps a point onto the configurations it decodes to (integer cells) before comparing. */
function isTaken(space: SearchSpace, point: Point, taken: readonly Point[], tolerance = 1e-3): boolean {
  const snapped = snapPoint(space, point);
  return taken.some((t) => samePoint(space, t, snapped, tolerance));
}

/** A uniform draw from the parameters' distributions, avoiding configurations already taken. */
export function proposeRandom(space: SearchSpace, rand: () => number, taken: readonly Point[] = []): Point {
  let point = randomPoint(space, rand);
  for (let i = 0; i < 50 && isTaken(space, point, taken); i++) point = randomPoint(space, rand);
  return point;
}

/**
 * The next configuration of a bayes sweep. Random until two observations exist; then a GP (Matérn 5/2,
 * per-dimension length scales by maximum likelihood) over standardised values, expected improvement
 * over `candidates` random points, and a local search around the best few. Runs in flight are
 * "kriging believers": added to the GP with its own predicted value, so EI around them collapses and
 * parallel workers are not sent the same (or nearly the same) configuration.
 */
export function proposeBayes(
  space: SearchSpace,
  observations: readonly Observation[],
  pending: readonly Point[],
  rand: () => number,
  options: BayesOptions = DEFAULT_BAYES_OPTIONS,
): Point {
  const taken = [...observations.map((o) => o.point), ...pending];
  const finite = observations.filter((o) => Number.isFinite(o.value)).slice(-options.maxObservations);
  if (finite.length < 2 || space.dims.length === 0) return proposeRandom(space, rand, taken);

  const values = finite.map((o) => o.value);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) + 1e-6;
  const y = values.map((v) => (v - mean) / sd);
  const X = finite.map((o) => o.point);
  const categorical = space.dims.map((d) => d.kind === 'categorical');
  const hyper = fitGpHyper(X, y, categorical, rand);
  let gp: GpModel | null = conditionGp(X, y, hyper, categorical);
  if (!gp) return proposeRandom(space, rand, taken);
  let best = Math.min(...y);
  if (pending.length > 0) {
    // Believed values count as observations, best included: EI at and around them then collapses.
    const believed = pending.map((p) => predict(gp as GpModel, p).mean);
    gp = conditionGp([...X, ...pending], [...y, ...believed], hyper, categorical) ?? gp;
    best = Math.min(best, ...believed);
  }
  const model = gp;
  const score = (p: Point) =>
    isTaken(space, p, taken, options.minDistance) ? -1 : expectedImprovement(...meanVar(model, p), best);

  const scored = Array.from({ length: options.candidates }, () => {
    const p = randomPoint(space, rand);
    return { p, ei: score(p) };
  }).sort((a, b) => b.ei - a.ei);

  let winner = scored[0] as { p: Point; ei: number };
  for (const start of scored.slice(0, options.refine)) {
    let current = start;
    let step = 0.1;
    for (let i = 0; i < options.refineSteps; i++) {
      const p = current.p.map((x, d) => {
        const dim = space.dims[d]!;
        if (dim.kind === 'categorical') return rand() < 0.1 ? Math.floor(rand() * dim.values.length) : x;
        return Math.min(1, Math.max(0, x + step * gaussian(rand)));
      });
      const ei = score(p);
      if (ei > current.ei) current = { p, ei };
      else step = Math.max(0.005, step * 0.85);
    }
    if (current.ei > winner.ei) winner = current;
  }
  return winner.ei > 0 ? winner.p : proposeRandom(space, rand, taken);
}

function meanVar(gp: GpModel, p: Point): [number, number] {
  const { mean, variance } = predict(gp, p);
  return [mean, variance];
}

function gaussian(rand: () => number): number {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}
