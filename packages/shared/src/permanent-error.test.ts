import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { ConfigError, loadEnv } from './env.ts';
import { PermanentError, permanentFailureCode } from './permanent-error.ts';
import { RunParams } from './run-params.ts';

test('errors say themselves whether a retry can help, by code rather than by class name', () => {
  const config = (() => {
    try {
      loadEnv(z.object({ N: z.coerce.number() }), { N: 'x' });
    } catch (err) {
      return err;
    }
  })();
  assert.ok(config instanceof ConfigError && config instanceof PermanentError);
  assert.equal(permanentFailureCode(config), 'invalid-config');
  assert.equal(permanentFailureCode(RunParams.safeParse({ model: 'x' }).error), 'invalid-input');
  assert.equal(permanentFailureCode(new Error('ECONNRESET')), null);
  assert.equal(permanentFailureCode('a string'), null);
  // A plain error that borrows a permanent class's name is still retried: only the code counts.
  assert.equal(permanentFailureCode(Object.assign(new Error('x'), { name: 'ConfigError' })), null);
});
