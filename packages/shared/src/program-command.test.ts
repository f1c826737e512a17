// biome-ignore-all lint/suspicious/noTemplateCurlyInString: W&B's command macros are literally ${name}.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildProgramArgv,
  programArgLists,
  pythonFloatRepr,
  pythonJsonDumps,
  pythonStr,
  unknownCommandMacros,
} from './program-command.ts';

// Reference values: Python 3's repr/str/json.dumps, written down by hand from the interpreter.

test('floats print as Python repr() prints them', () => {
  const cases: [number, string][] = [
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1e16, '1e+16'],
    [1e15 + 0.5, '1000000000000000.5'],
    [1.5e-7, '1.5e-07'],
    [1.2345678901234568e17, '1.2345678901234568e+17'],
    [2.5, '2.5'],
    [-0.003, '-0.003'],
    [1 / 3, '0.3333333333333333'],
    [1e22, '1e+22'],
    [5e-324, '5e-324'],
    [3, '3.0'],
  ];
  for (const [x, want] of cases) assert.equal(pythonFloatRepr(x), want, String(x));
});

test('values print as Python str() prints them after loading the sweep', () => {
  assert.equal(pythonStr(true), 'True');
  assert.equal(pythonStr(false), 'False');
  assert.equal(pythonStr(null), 'None');
  assert.equal(pythonStr(64), '64');
  assert.equal(pythonStr(0.00003), '3e-05');
  assert.equal(pythonStr('adam'), 'adam');
  assert.equal(pythonStr([1, 'a', true, null, 0.5, "it's"]), `[1, 'a', True, None, 0.5, "it's"]`);
  assert.equal(pythonStr({ a: 1, b: [0.1, 'x'] }), `{'a': 1, 'b': [0.1, 'x']}`);
  assert.equal(pythonStr(['a\nb\\c\u0001']), `['a\\nb\\\\c\\x01']`);
});

test('args_json is json.dumps with its default separators and ASCII escapes', () => {
  assert.equal(
    pythonJsonDumps({ lr: 1e-5, name: 'café', flag: true, n: null, l: [1, 2.5] }),
    '{"lr": 1e-05, "name": "caf\\u00e9", "flag": true, "n": null, "l": [1, 2.5]}',
  );
});

test('the argument lists of every macro, as create_sweep_command_args makes them', () => {
  const lists = programArgLists({ lr: 0.001, 'model.depth': 3, amp: true, ema: false, opt: 'adam' });
  assert.deepEqual(lists.args, ['--lr=0.001', '--model.depth=3', '--amp=True', '--ema=False', '--opt=adam']);
  assert.deepEqual(lists.args_no_hyphens, ['lr=0.001', 'model.depth=3', 'amp=True', 'ema=False', 'opt=adam']);
  assert.deepEqual(lists.args_no_boolean_flags, ['--lr=0.001', '--model.depth=3', '--amp', '--opt=adam']);
  assert.deepEqual(lists.args_no_equals, [
    '--lr',
    '0.001',
    '--model.depth',
    '3',
    '--amp',
    'True',
    '--ema',
    'False',
    '--opt',
    'adam',
  ]);
  assert.deepEqual(lists.args_json, [
    '{"lr": 0.001, "model.depth": 3, "amp": true, "ema": false, "opt": "adam"}',
  ]);
});

test('the default command is ${env} ${interpreter} ${program} ${args}; hostile values stay one argument', () => {
  const argv = buildProgramArgv({
    interpreter: ['python3'],
    program: '/srv/train.py',
    params: { x: '; rm -rf /', y: '$(id)', z: 'a\nb', w: '--help' },
    argsJsonFile: '/tmp/args.json',
    env: {},
  });
  assert.deepEqual(argv, [
    '/usr/bin/env',
    'python3',
    '/srv/train.py',
    '--x=; rm -rf /',
    '--y=$(id)',
    '--z=a\nb',
    '--w=--help',
  ]);
});

test('a custom command: fixed entries kept, envvar filled anywhere in an entry, unknown macros dropped', () => {
  const argv = buildProgramArgv({
    command: [
      '${interpreter}',
      '-u',
      '${program}',
      '--data=${envvar:DATA_DIR}/mnist',
      '${envvar:UNSET_VAR}',
      '${args_no_hyphens}',
      '--config',
      '${args_json_file}',
      '${args_json}',
      '${nonsense}',
    ],
    interpreter: ['node', '--import', 'tsx'],
    program: 'train.ts',
    params: { lr: 0.1, b: false },
    argsJsonFile: '/run/args.json',
    env: { DATA_DIR: '/data' },
  });
  assert.deepEqual(argv, [
    'node',
    '--import',
    'tsx',
    '-u',
    'train.ts',
    '--data=/data/mnist',
    'UNSET_VAR',
    'lr=0.1',
    'b=False',
    '--config',
    '/run/args.json',
    '{"lr": 0.1, "b": false}',
  ]);
  assert.deepEqual(unknownCommandMacros(['${args}', '${nonsense}', '${envvar:X}', 'plain']), ['nonsense']);
});
