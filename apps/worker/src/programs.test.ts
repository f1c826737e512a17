import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BUILTIN_PROGRAM } from '@sweeplab/shared';
import { loadWorkerConfig } from './config.ts';
import { loadServedPrograms, servedProgramNames } from './programs.ts';

const dir = mkdtempSync(join(tmpdir(), 'sweeplab-served-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('WORKER_PROGRAMS_DIR serves every program file by relative path; the programs file adds named ones', () => {
  mkdirSync(join(dir, 'progs/nlp'), { recursive: true });
  mkdirSync(join(dir, 'progs/.git'), { recursive: true });
  writeFileSync(join(dir, 'progs/train.py'), '');
  writeFileSync(join(dir, 'progs/nlp/bert.sh'), '');
  writeFileSync(join(dir, 'progs/run'), '');
  chmodSync(join(dir, 'progs/run'), 0o755);
  writeFileSync(join(dir, 'progs/README.md'), '');
  writeFileSync(join(dir, 'progs/.git/config'), '');
  writeFileSync(
    join(dir, 'programs.json'),
    JSON.stringify({
      programs: {
        mnist: { path: 'progs/train.py', interpreter: ['python3', '-u'], env: { DATA: '/data' }, cwd: '.' },
      },
    }),
  );
  const config = loadWorkerConfig({
    WORKER_PROGRAMS_DIR: join(dir, 'progs'),
    WORKER_PROGRAMS_FILE: join(dir, 'programs.json'),
  });
  const served = loadServedPrograms(config);
  assert.deepEqual([...served.keys()].sort(), ['mnist', 'nlp/bert.sh', 'run', 'train.py']);
  assert.deepEqual(served.get('train.py')?.interpreter, ['python3']);
  assert.deepEqual(served.get('nlp/bert.sh')?.interpreter, ['sh']);
  assert.deepEqual(served.get('run')?.interpreter, []);
  assert.deepEqual(served.get('mnist'), {
    name: 'mnist',
    path: join(dir, 'progs/train.py'),
    cwd: dir,
    interpreter: ['python3', '-u'],
    env: { DATA: '/data' },
  });
  assert.ok(
    !servedProgramNames(config, served).includes(BUILTIN_PROGRAM),
    'programs only, unless WORKER_BUILTIN',
  );
  assert.equal(servedProgramNames({ ...config, WORKER_BUILTIN: 'true' }, served)[0], BUILTIN_PROGRAM);
  assert.deepEqual(servedProgramNames(loadWorkerConfig({}), new Map()), [BUILTIN_PROGRAM]);
});

test('a bad programs file stops the worker with the file and the field named', () => {
  const load = (content: object) => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(content));
    return () => loadServedPrograms(loadWorkerConfig({ WORKER_PROGRAMS_FILE: join(dir, 'bad.json') }));
  };
  assert.throws(
    load({ programs: { '../up': { path: 'x' } } }),
    /WORKER_PROGRAMS_FILE .*bad\.json: programs\.\.\.\/up: program name: .*must not contain a \.\. segment/,
  );
  assert.throws(load({ programs: { ok: { pth: 'x' } } }), /programs\.ok\.path: .*Unrecognized key: "pth"/);
  writeFileSync(join(dir, 'bad.json'), '{ not json');
  assert.throws(
    () => loadServedPrograms(loadWorkerConfig({ WORKER_PROGRAMS_FILE: join(dir, 'bad.json') })),
    /WORKER_PROGRAMS_FILE .*bad\.json: .*JSON/,
  );
});
