import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createRun, markCancelled } from '@sweeplab/db';
import { REFERENCE_RECIPE } from '@sweeplab/shared';
import { newId } from './ids.ts';
import { createTestApi } from './test-api.ts';

/*
 * Every endpoint, fed malformed input: each request must get a 4xx naming the offending field, and
 * none may write a row or enqueue a job. A few control rows must succeed, proving the harness can tell
 * an accepted request from a refused one (and that the counters see a write when there is one).
 */

const TOKEN = 'bad-input-token-0123456789';
const api = await createTestApi('bad-input', { env: { MAX_RUNS_PER_SWEEP: '100' } });
const { app, db } = api;
const queue = api.ctx.queue;
// Same database and queue, but every mutating request needs the bearer token.
const securedApp = await api.variant({ API_TOKEN: TOKEN });

// A run that already finished (cancelled) and one that exists, so 404 and 409 rows have a target.
const cancelledRun = newId('run');
createRun(db, {
  id: cancelledRun,
  params: {
    model: 'cnn',
    dataset: 'mnist',
    lr: 0.1,
    epochs: 1,
    batch_size: 64,
    seed: 0,
    momentum: 0,
    ...REFERENCE_RECIPE,
  },
});
markCancelled(db, cancelledRun);
const unknownRun = newId('run');
const unknownSweep = newId('swp');

const hasReportRoute = app.hasRoute({ method: 'GET', url: '/v1/sweeps/:id/report' });

after(() => api.close());

interface Counts {
  runs: number;
  sweeps: number;
  epochs: number;
  jobs: number;
}

async function counts(): Promise<Counts> {
  const count = (table: string) =>
    (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const depth = await queue.depth();
  return {
    runs: count('runs'),
    sweeps: count('sweeps'),
    epochs: count('epoch_metrics'),
    jobs: Object.values(depth).reduce((a, b) => a + b, 0),
  };
}

interface Row {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as-is (raw JSON, YAML, garbage); anything else is JSON-encoded. */
  payload?: unknown;
  status: number;
  /** At least one issue must name this field. */
  field?: string;
  /** Use the API_TOKEN-protected server. */
  secured?: boolean;
  /** Control rows that succeed, with what they write. */
  writes?: Partial<Counts>;
  skip?: string;
}

const run = { model: 'cnn', lr: 0.1, epochs: 1 };
const json = { 'content-type': 'application/json' };
const yaml = { 'content-type': 'application/yaml' };
const sweep = (overrides: Record<string, unknown>) => ({
  name: 'bad input',
  method: 'grid',
  parameters: { model: { value: 'cnn' }, lr: { value: 0.1 }, epochs: { value: 1 } },
  ...overrides,
});
const withParams = (parameters: Record<string, unknown>) =>
  sweep({ parameters: { model: { value: 'cnn' }, lr: { value: 0.1 }, epochs: { value: 1 }, ...parameters } });
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const yamlSweep = (parameters: string, head = 'name: yaml sweep\nmethod: grid') =>
  `${head}\nparameters:\n  model: {value: cnn}\n  epochs: {value: 1}\n${parameters}\n`;
const noReport = hasReportRoute ? undefined : 'GET /v1/sweeps/:id/report is not registered yet';

// biome-ignore format: one request per line keeps the table readable
const rows: Row[] = [
  // POST /v1/runs: types and ranges
  { name: 'runs: lr as a string', method: 'POST', url: '/v1/runs', payload: { ...run, lr: '0.1' }, status: 400, field: 'body.lr' },
  { name: 'runs: lr zero', method: 'POST', url: '/v1/runs', payload: { ...run, lr: 0 }, status: 400, field: 'body.lr' },
  { name: 'runs: lr negative', method: 'POST', url: '/v1/runs', payload: { ...run, lr: -1 }, status: 400, field: 'body.lr' },
  { name: 'runs: lr above 10', method: 'POST', url: '/v1/runs', payload: { ...run, lr: 11 }, status: 400, field: 'body.lr' },
  { name: 'runs: lr 1e309 (Infinity once parsed)', method: 'POST', url: '/v1/runs', payload: '{"model":"cnn","lr":1e309,"epochs":1}', headers: json, status: 400, field: 'body.lr' },
  { name: 'runs: NaN literal is not JSON', method: 'POST', url: '/v1/runs', payload: '{"model":"cnn","lr":NaN,"epochs":1}', headers: json, status: 400, field: 'body' },
  { name: 'runs: epochs fractional', method: 'POST', url: '/v1/runs', payload: { ...run, epochs: 1.5 }, status: 400, field: 'body.epochs' },
  { name: 'runs: epochs zero', method: 'POST', url: '/v1/runs', payload: { ...run, epochs: 0 }, status: 400, field: 'body.epochs' },
  { name: 'runs: epochs above MAX_EPOCHS', method: 'POST', url: '/v1/runs', payload: { ...run, epochs: 1001 }, status: 400, field: 'body.epochs' },
  { name: 'runs: epochs 1e20', method: 'POST', url: '/v1/runs', payload: { ...run, epochs: 1e20 }, status: 400, field: 'body.epochs' },
  { name: 'runs: seed negative', method: 'POST', url: '/v1/runs', payload: { ...run, seed: -1 }, status: 400, field: 'body.seed' },
  { name: 'runs: seed 2^31', method: 'POST', url: '/v1/runs', payload: { ...run, seed: 2 ** 31 }, status: 400, field: 'body.seed' },
  { name: 'runs: seed beyond 2^53', method: 'POST', url: '/v1/runs', payload: '{"model":"cnn","lr":0.1,"epochs":1,"seed":9007199254740993}', headers: json, status: 400, field: 'body.seed' },
  { name: 'runs: batch_size zero', method: 'POST', url: '/v1/runs', payload: { ...run, batch_size: 0 }, status: 400, field: 'body.batch_size' },
  { name: 'runs: momentum 1', method: 'POST', url: '/v1/runs', payload: { ...run, momentum: 1 }, status: 400, field: 'body.momentum' },
  { name: 'runs: train_subset as boolean', method: 'POST', url: '/v1/runs', payload: { ...run, train_subset: true }, status: 400, field: 'body.train_subset' },
  { name: 'runs: unknown model', method: 'POST', url: '/v1/runs', payload: { ...run, model: 'vgg' }, status: 400, field: 'body.model' },
  { name: 'runs: unknown dataset', method: 'POST', url: '/v1/runs', payload: { ...run, dataset: 'cifar10' }, status: 400, field: 'body.dataset' },
  { name: 'runs: model missing', method: 'POST', url: '/v1/runs', payload: { lr: 0.1, epochs: 1 }, status: 400, field: 'body.model' },
  { name: 'runs: unknown field', method: 'POST', url: '/v1/runs', payload: { ...run, dropout: 0.5 }, status: 400, field: 'body.dropout' },
  // POST /v1/runs: shapes, encodings, sizes
  { name: 'runs: __proto__ key', method: 'POST', url: '/v1/runs', payload: '{"model":"cnn","lr":0.1,"epochs":1,"__proto__":{"admin":true}}', headers: json, status: 400, field: 'body' },
  { name: 'runs: constructor.prototype key', method: 'POST', url: '/v1/runs', payload: '{"model":"cnn","lr":0.1,"epochs":1,"constructor":{"prototype":{"admin":true}}}', headers: json, status: 400, field: 'body' },
  { name: 'runs: array instead of object', method: 'POST', url: '/v1/runs', payload: [run], status: 400, field: 'body' },
  { name: 'runs: JSON null', method: 'POST', url: '/v1/runs', payload: 'null', headers: json, status: 400, field: 'body' },
  { name: 'runs: empty JSON body', method: 'POST', url: '/v1/runs', payload: '', headers: json, status: 400, field: 'body' },
  { name: 'runs: truncated JSON', method: 'POST', url: '/v1/runs', payload: '{"model":', headers: json, status: 400, field: 'body' },
  { name: 'runs: deeply nested JSON', method: 'POST', url: '/v1/runs', payload: `{"model":"cnn","lr":${deep(50_000)},"epochs":1}`, headers: json, status: 400, field: 'body.lr' },
  { name: 'runs: 2 MB body', method: 'POST', url: '/v1/runs', payload: JSON.stringify({ ...run, pad: 'x'.repeat(2 * 1024 * 1024) }), headers: json, status: 413, field: 'body' },
  { name: 'runs: text/plain', method: 'POST', url: '/v1/runs', payload: JSON.stringify(run), headers: { 'content-type': 'text/plain' }, status: 415, field: 'body' },
  { name: 'runs: application/xml', method: 'POST', url: '/v1/runs', payload: '<run><model>cnn</model></run>', headers: { 'content-type': 'application/xml' }, status: 415, field: 'body' },
  { name: 'runs: YAML is only for sweeps', method: 'POST', url: '/v1/runs', payload: 'model: cnn\nlr: .nan\nepochs: 1\n', headers: yaml, status: 400, field: 'body.lr' },

  // POST /v1/sweeps (JSON)
  { name: 'sweeps: grid exploding to 10^10 runs', method: 'POST', url: '/v1/sweeps', payload: withParams({ lr: { values: Array.from({ length: 100 }, (_, i) => (i + 1) / 100) }, seed: { values: Array.from({ length: 100 }, (_, i) => i) }, batch_size: { values: Array.from({ length: 100 }, (_, i) => i + 1) }, momentum: { values: Array.from({ length: 100 }, (_, i) => i / 100) }, epochs: { values: Array.from({ length: 100 }, (_, i) => i + 1) } }), status: 400, field: 'body.parameters' },
  { name: 'sweeps: grid one past MAX_RUNS_PER_SWEEP', method: 'POST', url: '/v1/sweeps', payload: withParams({ seed: { values: Array.from({ length: 101 }, (_, i) => i) } }), status: 400, field: 'body.parameters' },
  { name: 'sweeps: random run_cap above MAX_RUNS_PER_SWEEP', method: 'POST', url: '/v1/sweeps', payload: sweep({ method: 'random', run_cap: 1_000_000_000 }), status: 400, field: 'body.run_cap' },
  { name: 'sweeps: run_cap 1e21', method: 'POST', url: '/v1/sweeps', payload: sweep({ run_cap: 1e21 }), status: 400, field: 'body.run_cap' },
  { name: 'sweeps: bayes where every parameter has one value', method: 'POST', url: '/v1/sweeps', payload: sweep({ method: 'bayes', metric: { name: 'val_acc' } }), status: 400, field: 'body.parameters' },
  { name: 'sweeps: bayes without metric', method: 'POST', url: '/v1/sweeps', payload: sweep({ method: 'bayes', parameters: { model: { value: 'cnn' }, epochs: { value: 1 }, lr: { values: [0.1, 0.01] } } }), status: 400, field: 'body.metric' },
  { name: 'sweeps: max_concurrent 0', method: 'POST', url: '/v1/sweeps', payload: sweep({ method: 'random', max_concurrent: 0 }), status: 400, field: 'body.max_concurrent' },
  { name: 'sweeps: unknown method', method: 'POST', url: '/v1/sweeps', payload: sweep({ method: 'hyperband' }), status: 400, field: 'body.method' },
  { name: 'sweeps: early_terminate without metric', method: 'POST', url: '/v1/sweeps', payload: sweep({ early_terminate: { type: 'hyperband', min_iter: 3 } }), status: 400, field: 'body.metric' },
  { name: 'sweeps: unknown early_terminate type', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'val_acc' }, early_terminate: { type: 'pbt', min_iter: 3 } }), status: 400, field: 'body.early_terminate.type' },
  { name: 'sweeps: asha reduction_factor 1', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'val_acc' }, early_terminate: { type: 'asha', reduction_factor: 1 } }), status: 400, field: 'body.early_terminate.reduction_factor' },
  { name: 'sweeps: asha grace_period 0', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'val_acc' }, early_terminate: { type: 'asha', grace_period: 0 } }), status: 400, field: 'body.early_terminate.grace_period' },
  { name: 'sweeps: asha max_t below grace_period', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'val_acc' }, early_terminate: { type: 'asha', grace_period: 3, max_t: 2 } }), status: 400, field: 'body.early_terminate.max_t' },
  { name: 'sweeps: asha hyperband key', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'val_acc' }, early_terminate: { type: 'asha', eta: 3 } }), status: 400, field: 'body.early_terminate.eta' },
  { name: 'sweeps: median min_runs 0', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'val_acc' }, early_terminate: { type: 'median', min_runs: 0 } }), status: 400, field: 'body.early_terminate.min_runs' },
  { name: 'sweeps: median without metric', method: 'POST', url: '/v1/sweeps', payload: sweep({ early_terminate: { type: 'median' } }), status: 400, field: 'body.metric' },
  { name: 'sweeps: early_terminate eta 1', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'val_acc' }, early_terminate: { type: 'hyperband', min_iter: 3, eta: 1 } }), status: 400, field: 'body.early_terminate.eta' },
  { name: 'sweeps: early_terminate min_iter 0', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'val_acc' }, early_terminate: { type: 'hyperband', min_iter: 0 } }), status: 400, field: 'body.early_terminate.min_iter' },
  { name: 'sweeps: early_terminate min_iter and max_iter', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'val_acc' }, early_terminate: { type: 'hyperband', min_iter: 1, max_iter: 27, s: 2 } }), status: 400, field: 'body.early_terminate.max_iter' },
  { name: 'sweeps: early_terminate unknown key', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'val_acc' }, early_terminate: { type: 'hyperband', min_iter: 1, grace: 2 } }), status: 400, field: 'body.early_terminate.grace' },
  { name: 'sweeps: unknown top-level field', method: 'POST', url: '/v1/sweeps', payload: sweep({ optimizer: 'adam' }), status: 400, field: 'body.optimizer' },
  { name: 'sweeps: unknown parameter', method: 'POST', url: '/v1/sweeps', payload: withParams({ dropout: { value: 0.5 } }), status: 400, field: 'body.parameters.dropout' },
  { name: 'sweeps: seed value out of range', method: 'POST', url: '/v1/sweeps', payload: withParams({ seed: { values: [0, -1] } }), status: 400, field: 'body.parameters.seed' },
  { name: 'sweeps: lr value not a number', method: 'POST', url: '/v1/sweeps', payload: withParams({ lr: { values: ['fast'] } }), status: 400, field: 'body.parameters.lr' },
  { name: 'sweeps: lr value 1e309', method: 'POST', url: '/v1/sweeps', payload: '{"name":"x","method":"grid","parameters":{"model":{"value":"cnn"},"epochs":{"value":1},"lr":{"value":1e309}}}', headers: json, status: 400, field: 'body.parameters.lr.value' },
  { name: 'sweeps: epochs null', method: 'POST', url: '/v1/sweeps', payload: withParams({ epochs: { values: [null] } }), status: 400, field: 'body.parameters.epochs' },
  { name: 'sweeps: empty values list', method: 'POST', url: '/v1/sweeps', payload: withParams({ seed: { values: [] } }), status: 400, field: 'body.parameters.seed.values' },
  { name: 'sweeps: parameter spec with both value and values', method: 'POST', url: '/v1/sweeps', payload: withParams({ seed: { value: 1, values: [1] } }), status: 400, field: 'body.parameters.seed.values' },
  { name: 'sweeps: distribution in a grid', method: 'POST', url: '/v1/sweeps', payload: withParams({ lr: { distribution: 'uniform', min: 0.01, max: 0.1 } }), status: 400, field: 'body.parameters.lr.distribution' },
  { name: 'sweeps: uniform min above max', method: 'POST', url: '/v1/sweeps', payload: sweep({ method: 'random', run_cap: 2, parameters: { model: { value: 'cnn' }, epochs: { value: 1 }, lr: { distribution: 'uniform', min: 0.5, max: 0.1 } } }), status: 400, field: 'body.parameters.lr.max' },
  { name: 'sweeps: log_uniform_values from 0', method: 'POST', url: '/v1/sweeps', payload: sweep({ method: 'random', run_cap: 2, parameters: { model: { value: 'cnn' }, epochs: { value: 1 }, lr: { distribution: 'log_uniform_values', min: 0, max: 0.1 } } }), status: 400, field: 'body.parameters.lr.min' },
  { name: 'sweeps: int_uniform over model', method: 'POST', url: '/v1/sweeps', payload: sweep({ method: 'random', run_cap: 2, parameters: { model: { distribution: 'int_uniform', min: 1, max: 3 }, epochs: { value: 1 }, lr: { value: 0.1 } } }), status: 400, field: 'body.parameters.model' },
  { name: 'sweeps: parameters empty', method: 'POST', url: '/v1/sweeps', payload: sweep({ parameters: {} }), status: 400, field: 'body.parameters' },
  { name: 'sweeps: parameters as an array', method: 'POST', url: '/v1/sweeps', payload: sweep({ parameters: [{ lr: 0.1 }] }), status: 400, field: 'body.parameters' },
  { name: 'sweeps: metric name unknown', method: 'POST', url: '/v1/sweeps', payload: sweep({ metric: { name: 'accuracy', goal: 'maximize' } }), status: 400, field: 'body.metric.name' },
  { name: 'sweeps: command as a string', method: 'POST', url: '/v1/sweeps', payload: sweep({ command: 'python train.py' }), status: 400, field: 'body.command' },
  { name: 'sweeps: sampler_seed negative', method: 'POST', url: '/v1/sweeps', payload: sweep({ method: 'random', run_cap: 2, sampler_seed: -1 }), status: 400, field: 'body.sampler_seed' },
  // Names: control characters, sizes
  { name: 'sweeps: name with NUL', method: 'POST', url: '/v1/sweeps', payload: sweep({ name: 'a\u0000b' }), status: 400, field: 'body.name' },
  { name: 'sweeps: name with BEL', method: 'POST', url: '/v1/sweeps', payload: sweep({ name: 'ring\u0007' }), status: 400, field: 'body.name' },
  { name: 'sweeps: name with DEL', method: 'POST', url: '/v1/sweeps', payload: sweep({ name: 'x\u007fy' }), status: 400, field: 'body.name' },
  { name: 'sweeps: name with a newline', method: 'POST', url: '/v1/sweeps', payload: sweep({ name: 'two\nlines' }), status: 400, field: 'body.name' },
  { name: 'sweeps: name only spaces', method: 'POST', url: '/v1/sweeps', payload: sweep({ name: '   ' }), status: 400, field: 'body.name' },
  { name: 'sweeps: name 201 characters', method: 'POST', url: '/v1/sweeps', payload: sweep({ name: 'n'.repeat(201) }), status: 400, field: 'body.name' },
  { name: 'sweeps: name a number', method: 'POST', url: '/v1/sweeps', payload: sweep({ name: 42 }), status: 400, field: 'body.name' },
  { name: 'sweeps: body a JSON string', method: 'POST', url: '/v1/sweeps', payload: '"grid"', headers: json, status: 400, field: 'body' },
  { name: 'sweeps: 2 MB body', method: 'POST', url: '/v1/sweeps', payload: JSON.stringify(sweep({ description: 'd'.repeat(2 * 1024 * 1024) })), headers: json, status: 413, field: 'body' },
  { name: 'sweeps: text/plain', method: 'POST', url: '/v1/sweeps', payload: JSON.stringify(sweep({})), headers: { 'content-type': 'text/plain' }, status: 415, field: 'body' },
  { name: 'sweeps: form-encoded', method: 'POST', url: '/v1/sweeps', payload: 'name=x&method=grid', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, field: 'body' },

  // POST /v1/sweeps (YAML)
  { name: 'yaml: lr .nan', method: 'POST', url: '/v1/sweeps', payload: yamlSweep('  lr: {value: .nan}'), headers: yaml, status: 400, field: 'body.parameters.lr.value' },
  { name: 'yaml: epochs .inf', method: 'POST', url: '/v1/sweeps', payload: yamlSweep('  lr: {value: 0.1}').replace('epochs: {value: 1}', 'epochs: {value: .inf}'), headers: yaml, status: 400, field: 'body.parameters.epochs.value' },
  { name: 'yaml: lr -.inf in values', method: 'POST', url: '/v1/sweeps', payload: yamlSweep('  lr: {values: [0.1, -.inf]}'), headers: yaml, status: 400, field: 'body.parameters.lr.values.1' },
  { name: 'yaml: lr 1e309', method: 'POST', url: '/v1/sweeps', payload: yamlSweep('  lr: {value: 1e309}'), headers: yaml, status: 400, field: 'body.parameters.lr.value' },
  {
    name: 'yaml: billion laughs',
    method: 'POST',
    url: '/v1/sweeps',
    headers: yaml,
    payload: [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...Array.from({ length: 8 }, (_, i) => {
        const prev = String.fromCharCode(97 + i);
        const next = String.fromCharCode(98 + i);
        return `${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`;
      }),
      'name: laughs',
      'method: grid',
      'parameters: {lr: {values: *i}}',
    ].join('\n'),
    status: 400,
    field: 'body',
  },
  { name: 'yaml: syntax error', method: 'POST', url: '/v1/sweeps', payload: 'name: [unclosed\nmethod: grid\n', headers: yaml, status: 400, field: 'body' },
  { name: 'yaml: duplicate keys', method: 'POST', url: '/v1/sweeps', payload: yamlSweep('  lr: {value: 0.1}\n  lr: {value: 0.2}'), headers: yaml, status: 400, field: 'body' },
  { name: 'yaml: a bare scalar', method: 'POST', url: '/v1/sweeps', payload: 'just a string\n', headers: yaml, status: 400, field: 'body' },
  { name: 'yaml: empty document', method: 'POST', url: '/v1/sweeps', payload: '', headers: yaml, status: 400, field: 'body' },
  { name: 'yaml: BEL escape in name', method: 'POST', url: '/v1/sweeps', payload: yamlSweep('  lr: {value: 0.1}', 'name: "bell\\a"\nmethod: grid'), headers: yaml, status: 400, field: 'body.name' },
  { name: 'yaml: __proto__ key', method: 'POST', url: '/v1/sweeps', payload: yamlSweep('  lr: {value: 0.1}', 'name: proto\nmethod: grid\n__proto__: {admin: true}'), headers: yaml, status: 400, field: 'body.__proto__' },
  { name: 'yaml: epochs as a string', method: 'POST', url: '/v1/sweeps', payload: yamlSweep('  lr: {value: 0.1}').replace('epochs: {value: 1}', 'epochs: {value: "ten"}'), headers: yaml, status: 400, field: 'body.parameters.epochs' },
  { name: 'yaml: text/yaml with a list at the top', method: 'POST', url: '/v1/sweeps', payload: '- name: x\n- method: grid\n', headers: { 'content-type': 'text/yaml' }, status: 400, field: 'body' },

  // GET /v1/runs/:id and DELETE /v1/runs/:id
  { name: 'get run: malformed id', method: 'GET', url: '/v1/runs/abc', status: 400, field: 'params.id' },
  { name: 'get run: sweep id', method: 'GET', url: `/v1/runs/${unknownSweep}`, status: 400, field: 'params.id' },
  { name: 'get run: 1000-character id', method: 'GET', url: `/v1/runs/run_${'a'.repeat(1000)}`, status: 414, field: 'url' },
  { name: 'get run: NUL in id', method: 'GET', url: '/v1/runs/run_%00aaaaaaaaaaaaaaaaa', status: 400, field: 'params.id' },
  { name: 'get run: unicode in id', method: 'GET', url: `/v1/runs/run_${encodeURIComponent('ü'.repeat(18))}`, status: 400, field: 'params.id' },
  { name: 'get run: encoded path traversal', method: 'GET', url: '/v1/runs/..%2F..%2Fetc%2Fpasswd', status: 400, field: 'params.id' },
  { name: 'get run: unknown id', method: 'GET', url: `/v1/runs/${unknownRun}`, status: 404, field: 'params.id' },
  { name: 'delete run: malformed id', method: 'DELETE', url: '/v1/runs/run_1', status: 400, field: 'params.id' },
  { name: 'delete run: unknown id', method: 'DELETE', url: `/v1/runs/${unknownRun}`, status: 404, field: 'params.id' },
  { name: 'delete run: already cancelled', method: 'DELETE', url: `/v1/runs/${cancelledRun}`, status: 409, field: 'params.id' },

  // GET/DELETE /v1/sweeps/:id
  { name: 'get sweep: malformed id', method: 'GET', url: '/v1/sweeps/swp_', status: 400, field: 'params.id' },
  { name: 'get sweep: run id', method: 'GET', url: `/v1/sweeps/${unknownRun}`, status: 400, field: 'params.id' },
  { name: 'get sweep: upper-case id', method: 'GET', url: `/v1/sweeps/${unknownSweep.toUpperCase()}`, status: 400, field: 'params.id' },
  { name: 'get sweep: unknown id', method: 'GET', url: `/v1/sweeps/${unknownSweep}`, status: 404, field: 'params.id' },
  { name: 'delete sweep: malformed id', method: 'DELETE', url: '/v1/sweeps/%E2%80%AE', status: 400, field: 'params.id' },
  { name: 'delete sweep: unknown id', method: 'DELETE', url: `/v1/sweeps/${unknownSweep}`, status: 404, field: 'params.id' },

  // GET /v1/runs?...
  { name: 'list runs: unknown status', method: 'GET', url: '/v1/runs?status=bogus', status: 400, field: 'query.status' },
  { name: 'list runs: status twice', method: 'GET', url: '/v1/runs?status=queued&status=running', status: 400, field: 'query.status' },
  { name: 'list runs: sweep_id 65 characters', method: 'GET', url: `/v1/runs?sweep_id=${'s'.repeat(65)}`, status: 400, field: 'query.sweep_id' },
  { name: 'list runs: unknown parameter', method: 'GET', url: '/v1/runs?limit=10', status: 400, field: 'query.limit' },

  // GET /v1/metrics?...
  { name: 'metrics: limit 0', method: 'GET', url: '/v1/metrics?limit=0', status: 400, field: 'query.limit' },
  { name: 'metrics: limit not a number', method: 'GET', url: '/v1/metrics?limit=abc', status: 400, field: 'query.limit' },
  { name: 'metrics: limit NaN', method: 'GET', url: '/v1/metrics?limit=NaN', status: 400, field: 'query.limit' },
  { name: 'metrics: limit 1e309', method: 'GET', url: '/v1/metrics?limit=1e309', status: 400, field: 'query.limit' },
  { name: 'metrics: limit fractional', method: 'GET', url: '/v1/metrics?limit=1.5', status: 400, field: 'query.limit' },
  { name: 'metrics: limit above 100000', method: 'GET', url: '/v1/metrics?limit=100001', status: 400, field: 'query.limit' },
  { name: 'metrics: limit empty', method: 'GET', url: '/v1/metrics?limit=', status: 400, field: 'query.limit' },
  { name: 'metrics: offset negative', method: 'GET', url: '/v1/metrics?offset=-1', status: 400, field: 'query.offset' },
  { name: 'metrics: offset 1e30', method: 'GET', url: '/v1/metrics?offset=1e30', status: 400, field: 'query.offset' },
  { name: 'metrics: lr Infinity', method: 'GET', url: '/v1/metrics?lr=Infinity', status: 400, field: 'query.lr' },
  { name: 'metrics: lr negative', method: 'GET', url: '/v1/metrics?lr=-0.1', status: 400, field: 'query.lr' },
  { name: 'metrics: format xml', method: 'GET', url: '/v1/metrics?format=xml', status: 400, field: 'query.format' },
  { name: 'metrics: unknown model', method: 'GET', url: '/v1/metrics?model=vgg', status: 400, field: 'query.model' },
  { name: 'metrics: unknown status', method: 'GET', url: '/v1/metrics?status=done', status: 400, field: 'query.status' },
  { name: 'metrics: unknown parameter', method: 'GET', url: '/v1/metrics?sort=lr', status: 400, field: 'query.sort' },

  // GET /v1/sweeps/:id/report?format=...
  { name: 'report: malformed id', method: 'GET', url: '/v1/sweeps/nope/report', status: 400, field: 'params.id', skip: noReport },
  { name: 'report: unknown format', method: 'GET', url: `/v1/sweeps/${unknownSweep}/report?format=pdf`, status: 400, field: 'query.format', skip: noReport },
  { name: 'report: unknown sweep', method: 'GET', url: `/v1/sweeps/${unknownSweep}/report`, status: 404, field: 'params.id', skip: noReport },

  // API_TOKEN: mutating requests need the bearer token
  { name: 'auth: POST /v1/runs without a token', secured: true, method: 'POST', url: '/v1/runs', payload: run, status: 401, field: 'headers.authorization' },
  { name: 'auth: POST /v1/runs with a wrong token', secured: true, method: 'POST', url: '/v1/runs', payload: run, headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}x` }, status: 401, field: 'headers.authorization' },
  { name: 'auth: POST /v1/runs with a shorter token', secured: true, method: 'POST', url: '/v1/runs', payload: run, headers: { authorization: 'Bearer x' }, status: 401, field: 'headers.authorization' },
  { name: 'auth: token without the Bearer scheme', secured: true, method: 'POST', url: '/v1/sweeps', payload: sweep({}), headers: { authorization: TOKEN }, status: 401, field: 'headers.authorization' },
  { name: 'auth: DELETE /v1/runs/:id without a token', secured: true, method: 'DELETE', url: `/v1/runs/${cancelledRun}`, status: 401, field: 'headers.authorization' },
  { name: 'auth: DELETE /v1/sweeps/:id with Basic auth', secured: true, method: 'DELETE', url: `/v1/sweeps/${unknownSweep}`, headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }, status: 401, field: 'headers.authorization' },
  { name: 'auth: the right token still validates the body', secured: true, method: 'POST', url: '/v1/runs', payload: { ...run, lr: -1 }, headers: { authorization: `Bearer ${TOKEN}` }, status: 400, field: 'body.lr' },

  // Controls: these must succeed, or the harness could not tell acceptance from refusal.
  { name: 'control: a unicode sweep name is accepted', method: 'POST', url: '/v1/sweeps', payload: sweep({ name: 'Lernrate — 学習率 🚀 (é, ß, ñ)' }), status: 201, writes: { sweeps: 1, runs: 1, jobs: 1 } },
  { name: 'control: a YAML sweep is accepted', method: 'POST', url: '/v1/sweeps', payload: yamlSweep('  lr: {values: [0.01, 0.1]}'), headers: yaml, status: 201, writes: { sweeps: 1, runs: 2, jobs: 2 } },
  { name: 'control: a run with the token is accepted', secured: true, method: 'POST', url: '/v1/runs', payload: run, headers: { authorization: `Bearer ${TOKEN}` }, status: 201, writes: { runs: 1, jobs: 1 } },
  { name: 'control: reads need no token', secured: true, method: 'GET', url: '/v1/metrics?limit=5&format=csv', status: 200 },
];

const before = await counts();
const expected: Counts = { ...before };

for (const row of rows) {
  test(`${row.status} ${row.method} ${row.name}`, { skip: row.skip ?? false }, async () => {
    const headers = { ...row.headers };
    let payload: string | undefined;
    if (typeof row.payload === 'string') payload = row.payload;
    else if (row.payload !== undefined) {
      payload = JSON.stringify(row.payload);
      headers['content-type'] ??= 'application/json';
    }
    const response = await (row.secured ? securedApp : app).inject({
      method: row.method,
      url: row.url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    });
    const detail = `${row.method} ${row.url.slice(0, 120)} → ${response.statusCode} ${response.body.slice(0, 400)}`;
    assert.equal(response.statusCode, row.status, detail);
    if (row.status >= 400) {
      const body = response.json() as {
        error?: unknown;
        message?: unknown;
        issues?: { field: string; message: string }[];
      };
      assert.equal(typeof body.error, 'string', detail);
      assert.equal(typeof body.message, 'string', detail);
      assert.ok(Array.isArray(body.issues) && body.issues.length > 0, `no issues: ${detail}`);
      for (const issue of body.issues) {
        assert.ok(issue.message.length > 0, `an issue without a message: ${detail}`);
      }
      assert.ok(
        body.issues.some((i) => i.field === row.field),
        `expected an issue on ${row.field}: ${detail}`,
      );
    }
    for (const [key, n] of Object.entries(row.writes ?? {})) expected[key as keyof Counts] += n;
  });
}

test('no rejected request wrote a row or enqueued a job (and the controls wrote exactly theirs)', async () => {
  const now = await counts();
  assert.deepEqual(now, expected, `before ${JSON.stringify(before)}`);
  assert.ok(now.runs > before.runs, 'the control rows must have written something');
});

test(`the table has at least 50 malformed requests (${rows.filter((r) => r.status >= 400).length})`, () => {
  assert.ok(rows.filter((r) => r.status >= 400 && !r.skip).length >= 50);
});
