import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EPOCH_METRIC_FIELDS, RUN_PARAM_FIELDS } from '@sweeplab/shared';
import { testDb } from './test-db.ts';

test('the migrated database has a column for every run parameter and epoch metric of the zod schemas', () => {
  const t = testDb('schema-columns');
  try {
    const columns = (table: string) =>
      (t.db.$client.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    const runColumns = columns('runs');
    for (const field of RUN_PARAM_FIELDS) assert.ok(runColumns.includes(field), `runs lacks ${field}`);
    const metricColumns = columns('epoch_metrics');
    for (const field of EPOCH_METRIC_FIELDS) {
      assert.ok(metricColumns.includes(field), `epoch_metrics lacks ${field}`);
    }
  } finally {
    t.close();
  }
});
