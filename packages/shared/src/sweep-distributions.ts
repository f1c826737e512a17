import { z } from 'zod';

/*
 * W&B sweep parameter distributions (https://docs.wandb.ai/guides/sweeps/sweep-config-keys), with the
 * semantics of wandb/sweeps (src/sweeps/params.py, config/schema.json):
 * - `log_uniform`, `q_log_uniform`, `inv_log_uniform` take min/max as exponents of e;
 *   the `_values` variants take the values themselves (min > 0).
 * - `q_*` rounds to the nearest multiple of q (half to even, as numpy's round), q defaults to 1.
 * - `normal`/`log_normal` default mu 0, sigma 1; `beta` defaults a = b = 1.
 * - A spec with min/max and no distribution is `int_uniform` when both are integers, else `uniform`.
 * This is the one place distributions are declared and sampled; the sweep controller draws one run at a
 * time through `sampleParameter`.
 */

const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()], {
  error: 'must be a finite number, a string, true/false or null',
});
export type ParameterValue = z.infer<typeof scalar>;

const finite = z.number('must be a number').finite('must be a finite number');
const q = finite.positive('must be greater than 0').default(1);
const sigma = finite.positive('must be greater than 0').default(1);
const shape = finite.positive('must be greater than 0').default(1);
const values = z.array(scalar).min(1, 'must list at least one value');

const range = { min: finite, max: finite };
const positiveRange = { min: finite.positive('must be greater than 0'), max: finite };

const constant = z.object({ distribution: z.literal('constant'), value: scalar }).strict();
const categorical = z.object({ distribution: z.literal('categorical'), values }).strict();
const categoricalWithProbabilities = z
  .object({
    distribution: z.literal('categorical_w_probabilities'),
    values,
    probabilities: z.array(finite.min(0, 'must be at least 0')).min(1),
  })
  .strict();
const intUniform = z
  .object({
    distribution: z.literal('int_uniform'),
    min: finite.int('must be an integer'),
    max: finite.int('must be an integer'),
  })
  .strict();
const uniform = z.object({ distribution: z.literal('uniform'), ...range }).strict();
const qUniform = z.object({ distribution: z.literal('q_uniform'), ...range, q }).strict();
const logUniform = z.object({ distribution: z.literal('log_uniform'), ...range }).strict();
const qLogUniform = z.object({ distribution: z.literal('q_log_uniform'), ...range, q }).strict();
const logUniformValues = z
  .object({ distribution: z.literal('log_uniform_values'), ...positiveRange })
  .strict();
const qLogUniformValues = z
  .object({ distribution: z.literal('q_log_uniform_values'), ...positiveRange, q })
  .strict();
const invLogUniform = z.object({ distribution: z.literal('inv_log_uniform'), ...range }).strict();
const invLogUniformValues = z
  .object({ distribution: z.literal('inv_log_uniform_values'), ...positiveRange })
  .strict();
const normal = z.object({ distribution: z.literal('normal'), mu: finite.default(0), sigma }).strict();
const qNormal = z.object({ distribution: z.literal('q_normal'), mu: finite.default(0), sigma, q }).strict();
const logNormal = z.object({ distribution: z.literal('log_normal'), mu: finite.default(0), sigma }).strict();
const qLogNormal = z
  .object({ distribution: z.literal('q_log_normal'), mu: finite.default(0), sigma, q })
  .strict();
const beta = z.object({ distribution: z.literal('beta'), a: shape, b: shape }).strict();
const qBeta = z.object({ distribution: z.literal('q_beta'), a: shape, b: shape, q }).strict();

const DISTRIBUTIONS = [
  constant,
  categorical,
  categoricalWithProbabilities,
  intUniform,
  uniform,
  qUniform,
  logUniform,
  qLogUniform,
  logUniformValues,
  qLogUniformValues,
  invLogUniform,
  invLogUniformValues,
  normal,
  qNormal,
  logNormal,
  qLogNormal,
  beta,
  qBeta,
] as const;

export const DISTRIBUTION_NAMES = DISTRIBUTIONS.map((d) => d.shape.distribution.value);
export type DistributionName = (typeof DISTRIBUTION_NAMES)[number];

/** Fills in the distribution W&B infers from the keys present, so the union can discriminate on it. */
function withDistribution(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const spec = input as Record<string, unknown>;
  if ('distribution' in spec) return spec;
  if ('value' in spec) return { distribution: 'constant', ...spec };
  if ('probabilities' in spec) return { distribution: 'categorical_w_probabilities', ...spec };
  if ('values' in spec) return { distribution: 'categorical', ...spec };
  if ('min' in spec && 'max' in spec) {
    const ints = Number.isInteger(spec.min) && Number.isInteger(spec.max);
    return { distribution: ints ? 'int_uniform' : 'uniform', ...spec };
  }
  return spec;
}

const specShape = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'must be an object: {value}, {values: [...]}, {min, max} or {distribution, ...}',
);

export const ParameterSpec = z
  .preprocess(
    withDistribution,
    specShape.pipe(
      z.discriminatedUnion('distribution', DISTRIBUTIONS, {
        error: (issue) =>
          issue.code === 'invalid_union' && 'parameters' in ((issue.input as object) ?? {})
            ? 'nested parameters are not supported; sweep flat run parameters'
            : `must be {value}, {values}, {min, max} or a distribution: one of ${DISTRIBUTION_NAMES.join(', ')}`,
      }),
    ),
  )
  .superRefine((spec, ctx) => {
    if ('min' in spec && !(spec.min < spec.max)) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `must be greater than min (${spec.min})` });
    }
    if (
      spec.distribution === 'categorical_w_probabilities' &&
      spec.probabilities.length !== spec.values.length
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['probabilities'],
        message: `must have one probability per value (${spec.values.length})`,
      });
    }
  });
export type ParameterSpec = z.output<typeof ParameterSpec>;

/**
 * How many values a grid sweep enumerates for this spec, or null when W&B's grid refuses it: grids take
 * constant, categorical (without probabilities), int_uniform (min..max) and q_uniform (min, min+q, … < max).
 */
export function gridValueCount(spec: ParameterSpec): number | null {
  switch (spec.distribution) {
    case 'constant':
      return 1;
    case 'categorical':
      return spec.values.length;
    case 'int_uniform':
      return spec.max - spec.min + 1;
    case 'q_uniform':
      return Math.max(0, Math.ceil((spec.max - spec.min) / spec.q));
    default:
      return null;
  }
}

/** The values a grid sweep enumerates (check `gridValueCount` first: a wide int range is long). */
export function gridValues(spec: ParameterSpec): ParameterValue[] {
  const count = gridValueCount(spec) ?? 0;
  switch (spec.distribution) {
    case 'constant':
      return [spec.value];
    case 'categorical':
      return spec.values;
    case 'int_uniform':
      return Array.from({ length: count }, (_, i) => spec.min + i);
    case 'q_uniform':
      return Array.from({ length: count }, (_, i) =>
        trimDecimals(spec.min + i * spec.q, Math.max(decimals(spec.min), decimals(spec.q))),
      );
    default:
      return [];
  }
}

/** numpy.round: half to even, so q-rounding matches W&B's sampler exactly. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function decimals(x: number): number {
  return (String(x).split('.')[1] ?? '').length;
}

/** 0.1 · 3 is 0.30000000000000004: keep only the decimals the inputs had. */
function trimDecimals(x: number, places: number): number {
  return places > 0 && places <= 15 ? Number(x.toFixed(places)) : x;
}

function quantize(x: number, step: number): number {
  return trimDecimals(roundHalfEven(x / step) * step, decimals(step));
}

/** Standard normal draw by Box–Muller from two uniforms in [0, 1). */
function standardNormal(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Gamma(shape, 1) by Marsaglia–Tsang; shape < 1 uses the boost Γ(a) = Γ(a+1)·U^(1/a). */
function gamma(a: number, rand: () => number): number {
  if (a < 1) return gamma(a + 1, rand) * (1 - rand()) ** (1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormal(rand);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - rand();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function betaDraw(a: number, b: number, rand: () => number): number {
  const x = gamma(a, rand);
  return x / (x + gamma(b, rand));
}

/** One draw from a parameter's distribution; `rand` yields uniforms in [0, 1). */
export function sampleParameter(spec: ParameterSpec, rand: () => number): ParameterValue {
  const u = () => rand();
  switch (spec.distribution) {
    case 'constant':
      // A draw as for `values: [value]`, which W&B treats the same: both spend one number of the stream.
      u();
      return spec.value;
    case 'categorical':
      return spec.values[Math.floor(u() * spec.values.length)] ?? null;
    case 'categorical_w_probabilities': {
      const total = spec.probabilities.reduce((a, b) => a + b, 0);
      let target = u() * total;
      for (let i = 0; i < spec.values.length; i++) {
        target -= spec.probabilities[i] ?? 0;
        if (target < 0) return spec.values[i] ?? null;
      }
      return spec.values.at(-1) ?? null;
    }
    case 'int_uniform':
      return spec.min + Math.floor(u() * (spec.max - spec.min + 1));
    case 'uniform':
      return spec.min + u() * (spec.max - spec.min);
    case 'q_uniform':
      return quantize(spec.min + u() * (spec.max - spec.min), spec.q);
    case 'log_uniform':
      return Math.exp(spec.min + u() * (spec.max - spec.min));
    case 'q_log_uniform':
      return quantize(Math.exp(spec.min + u() * (spec.max - spec.min)), spec.q);
    case 'log_uniform_values':
      return Math.exp(Math.log(spec.min) + u() * (Math.log(spec.max) - Math.log(spec.min)));
    case 'q_log_uniform_values':
      return quantize(Math.exp(Math.log(spec.min) + u() * (Math.log(spec.max) - Math.log(spec.min))), spec.q);
    case 'inv_log_uniform':
      // log(1/X) ~ U(min, max), i.e. X = exp(−U(min, max)).
      return Math.exp(-(spec.min + u() * (spec.max - spec.min)));
    case 'inv_log_uniform_values':
      // W&B converts this to inv_log_uniform over (log(1/max), log(1/min)): X lies in [min, max].
      return Math.exp(-(-Math.log(spec.max) + u() * (Math.log(spec.max) - Math.log(spec.min))));
    case 'normal':
      return spec.mu + spec.sigma * standardNormal(u);
    case 'q_normal':
      return quantize(spec.mu + spec.sigma * standardNormal(u), spec.q);
    case 'log_normal':
      return Math.exp(spec.mu + spec.sigma * standardNormal(u));
    case 'q_log_normal':
      return quantize(Math.exp(spec.mu + spec.sigma * standardNormal(u)), spec.q);
    case 'beta':
      return betaDraw(spec.a, spec.b, u);
    case 'q_beta':
      return quantize(betaDraw(spec.a, spec.b, u), spec.q);
  }
}

/** A short description of a spec for error messages: `normal(mu 0, sigma 1)`. */
export function describeSpec(spec: ParameterSpec): string {
  const { distribution, ...rest } = spec;
  if (distribution === 'constant' || distribution === 'categorical') return distribution;
  const args = Object.entries(rest)
    .filter(([k]) => k !== 'values' && k !== 'probabilities')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${distribution}(${args})`;
}

/** Draws one value per parameter, in key order: the one place a random run's parameters come from. */
export function sampleParameters(
  parameters: Readonly<Record<string, ParameterSpec>>,
  rand: () => number,
): Record<string, ParameterValue> {
  return Object.fromEntries(
    Object.entries(parameters).map(([name, spec]) => [name, sampleParameter(spec, rand)]),
  );
}
