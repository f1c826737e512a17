import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { ConfigError, commonEnv, env, loadEnv } from './env.ts';

const schema = z.object({ ...commonEnv, PORT: env.intFromEnv(1, 65535).default(8080) });

test('defaults apply when variables are unset or empty', () => {
  const cfg = loadEnv(schema, { PORT: '' });
  assert.equal(cfg.REDIS_URL, 'redis://127.0.0.1:6379');
  assert.equal(cfg.PORT, 8080);
  assert.equal(cfg.LOG_LEVEL, 'info');
});

test('an invalid value fails with a message naming the variable and the value', () => {
  assert.throws(
    () => loadEnv(schema, { PORT: 'eighty', REDIS_URL: 'http://x' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /PORT: must be a number \(got "eighty"\)/);
      assert.match(err.message, /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
      return true;
    },
  );
});

test('numbers outside their range are refused', () => {
  assert.throws(() => loadEnv(schema, { PORT: '70000' }), /PORT: must be at most 65535/);
});
