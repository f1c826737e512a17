import type { ParameterSpec } from '@sweeplab/shared';

export type Scalar = string | number | boolean | null;

/**
 * A sweep's parameters as coordinates the search works in. A numeric distribution becomes one
 * coordinate in [0, 1] through its CDF (log-uniform in log space, an integer range in equal-width
 * cells), so a uniform draw in [0, 1] samples the distribution and distances mean the same in every
 * dimension. A list of values is categorical: its coordinate is an index, compared only for equality,
 * never as an ordered number.
 */
export type Dimension =
  | { name: string; kind: 'continuous'; toUnit(v: number): number; fromUnit(u: number): number }
  | { name: string; kind: 'categorical'; values: Scalar[] };

export interface SearchSpace {
  dims: Dimension[];
  /** Parameters with a single value. */
  constants: Record<string, Scalar>;
}

const clamp01 = (u: number) => Math.min(1, Math.max(0, u));

export function buildSearchSpace(parameters: Record<string, ParameterSpec>): SearchSpace {
  const dims: Dimension[] = [];
  const constants: Record<string, Scalar> = {};
  for (const [name, spec] of Object.entries(parameters)) {
    if ('value' in spec) {
      constants[name] = spec.value;
      continue;
    }
    if ('values' in spec) {
      const unique = [...new Map(spec.values.map((v) => [JSON.stringify(v), v])).values()];
      if (unique.length === 1) constants[name] = unique[0] as Scalar;
      else dims.push({ name, kind: 'categorical', values: unique });
      continue;
    }
    // The sweep schema admits only these distributions to a bayes search (BAYES_DISTRIBUTIONS).
    if (
      spec.distribution !== 'uniform' &&
      spec.distribution !== 'log_uniform_values' &&
      spec.distribution !== 'int_uniform'
    ) {
      throw new Error(`parameter ${name}: ${spec.distribution} has no search-space mapping`);
    }
    const { min, max } = spec;
    switch (spec.distribution) {
      case 'uniform':
        dims.push({
          name,
          kind: 'continuous',
          toUnit: (v) => clamp01((v - min) / (max - min)),
          fromUnit: (u) => min + clamp01(u) * (max - min),
        });
        break;
      case 'log_uniform_values': {
        const [a, b] = [Math.log(min), Math.log(max)];
        dims.push({
          name,
          kind: 'continuous',
          toUnit: (v) => clamp01((Math.log(v) - a) / (b - a)),
          fromUnit: (u) => Math.exp(a + clamp01(u) * (b - a)),
        });
        break;
      }
      case 'int_uniform': {
        const lo = Math.ceil(min);
        const cells = Math.floor(max) - lo + 1;
        dims.push({
          name,
          kind: 'continuous',
          toUnit: (v) => clamp01((v - lo + 0.5) / cells),
          fromUnit: (u) => lo + Math.min(cells - 1, Math.floor(clamp01(u) * cells)),
        });
        break;
      }
    }
  }
  return { dims, constants };
}

/** A point of the space: a unit coordinate per continuous dimension, a value index per categorical one. */
export type Point = number[];

export function randomPoint(space: SearchSpace, rand: () => number): Point {
  return space.dims.map((d) => (d.kind === 'continuous' ? rand() : Math.floor(rand() * d.values.length)));
}

export function decodePoint(space: SearchSpace, point: Point): Record<string, Scalar> {
  const params: Record<string, Scalar> = { ...space.constants };
  for (const [i, d] of space.dims.entries()) {
    const x = point[i] as number;
    params[d.name] = d.kind === 'continuous' ? d.fromUnit(x) : (d.values[x] as Scalar);
  }
  return params;
}

/** The point of a run's parameters; null when a value lies outside the space (e.g. a changed config). */
export function encodeParams(space: SearchSpace, params: Record<string, unknown>): Point | null {
  const point: Point = [];
  for (const d of space.dims) {
    const v = params[d.name];
    if (d.kind === 'continuous') {
      if (typeof v !== 'number' || !Number.isFinite(v)) return null;
      point.push(d.toUnit(v));
    } else {
      const index = d.values.findIndex((c) => JSON.stringify(c) === JSON.stringify(v));
      if (index < 0) return null;
      point.push(index);
    }
  }
  return point;
}

/** Whether two points are the same configuration (continuous coordinates within `tolerance`). */
export function samePoint(space: SearchSpace, a: Point, b: Point, tolerance = 1e-3): boolean {
  return space.dims.every((d, i) =>
    d.kind === 'categorical' ? a[i] === b[i] : Math.abs((a[i] as number) - (b[i] as number)) <= tolerance,
  );
}

/** The point of the configuration a point decodes to (integer ranges snap to their cell's centre). */
export function snapPoint(space: SearchSpace, point: Point): Point {
  return space.dims.map((d, i) =>
    d.kind === 'continuous' ? d.toUnit(d.fromUnit(point[i] as number)) : (point[i] as number),
  );
}
