#!/usr/bin/env node
// Workspace hygiene, checked by `npm run lint` and `npm test` (in the spirit of create-t3-turbo's
// `manypkg check`): the package.json files of the workspaces must not drift apart. Plain Node, no
// dependencies. Prints every problem and exits 1 when there is one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCOPE = '@sweeplab/';
/** Scripts every workspace has, with their one allowed form (typecheck may add more tsc projects). */
const REQUIRED_SCRIPTS = {
  typecheck: /^tsc -p tsconfig\.json( && tsc -p [\w./-]+\/tsconfig\.json)*$/,
  lint: /^biome check src$/,
  test: /^node \.\.\/\.\.\/scripts\/run-tests\.mjs$/,
};
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'];
/** Test harness packages: only the system tests may depend on them at run time. */
const TEST_ONLY = new Set([`${SCOPE}testing`]);

/** @returns {string[]} every problem found, as "<workspace>: <what is wrong>" */
export function checkWorkspaces(root) {
  const problems = [];
  const rootPkg = readJson(join(root, 'package.json'));
  const workspaces = [];
  for (const pattern of rootPkg.workspaces ?? []) {
    if (!pattern.endsWith('/*')) {
      problems.push(`package.json: workspace pattern ${pattern} is not of the form <folder>/*`);
      continue;
    }
    const parent = join(root, pattern.slice(0, -2));
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(parent, entry.name);
      if (!existsSync(join(dir, 'package.json'))) {
        problems.push(`${relative(root, dir)}: a folder under a workspace pattern without package.json`);
        continue;
      }
      workspaces.push({ dir, rel: relative(root, dir), pkg: readJson(join(dir, 'package.json')) });
    }
  }
  const names = new Set(workspaces.map((w) => w.pkg.name));
  /** external dependency → range → workspaces using it */
  const ranges = new Map();
  const noteRange = (where, name, range) => {
    if (!ranges.has(name)) ranges.set(name, new Map());
    const byRange = ranges.get(name);
    byRange.set(range, [...(byRange.get(range) ?? []), where]);
  };
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(rootPkg[field] ?? {})) noteRange('(root)', name, range);
  }

  for (const { dir, rel, pkg } of workspaces) {
    const say = (what) => problems.push(`${rel}: ${what}`);
    if (typeof pkg.name !== 'string' || !pkg.name.startsWith(SCOPE)) say(`name must start with ${SCOPE}`);
    if (pkg.private !== true) say('must be "private": true');
    if (pkg.type !== 'module') say('must be "type": "module"');
    if (pkg.version !== '0.1.0') say('version must be 0.1.0, like every workspace');
    for (const [script, form] of Object.entries(REQUIRED_SCRIPTS)) {
      const command = pkg.scripts?.[script];
      if (command === undefined) say(`has no "${script}" script`);
      else if (!form.test(command))
        say(`script "${script}" is "${command}", expected the shared form ${form}`);
    }
    for (const [script, command] of Object.entries(pkg.scripts ?? {})) {
      // `tsx <file>` and `node <file>` must name a file that exists.
      for (const m of command.matchAll(/\b(?:tsx|node)\s+((?:\.\.\/|\.\/)?[\w./-]+\.(?:ts|mjs|js))/g)) {
        if (!existsSync(join(dir, m[1]))) say(`script "${script}" runs ${m[1]}, which does not exist`);
      }
    }
    for (const p of [...(pkg.scripts?.typecheck ?? '').matchAll(/tsc -p ([\w./-]+)/g)].map((m) => m[1])) {
      if (!existsSync(join(dir, p))) say(`typecheck names ${p}, which does not exist`);
    }
    const tsconfig = join(dir, 'tsconfig.json');
    if (!existsSync(tsconfig)) say('has no tsconfig.json');
    else if (readJson(tsconfig).extends !== '../../tsconfig.base.json') {
      say('tsconfig.json must extend ../../tsconfig.base.json');
    }
    for (const target of exportTargets(pkg.exports)) {
      if (!existsSync(join(dir, target))) say(`exports point at ${target}, which does not exist`);
    }
    if (rel.startsWith('apps/') && pkg.exports !== undefined) {
      say('an app has no "exports": it is run, not imported (move shared code to a package)');
    }
    for (const field of DEPENDENCY_FIELDS) {
      for (const [name, range] of Object.entries(pkg[field] ?? {})) {
        if (name.startsWith(SCOPE)) {
          if (!names.has(name)) say(`${field} names ${name}, which is not a workspace`);
          else if (range !== '*') say(`${field}.${name} is "${range}"; internal dependencies are "*"`);
          if (name === pkg.name) say('depends on itself');
          if (field === 'dependencies' && TEST_ONLY.has(name) && !rel.startsWith('tests/')) {
            say(`${name} is a test harness: a devDependency here, never a runtime dependency`);
          }
        } else {
          noteRange(rel, name, range);
        }
      }
      for (const other of DEPENDENCY_FIELDS) {
        if (other <= field) continue;
        for (const name of Object.keys(pkg[field] ?? {})) {
          if (pkg[other]?.[name] !== undefined) say(`${name} is in both ${field} and ${other}`);
        }
      }
    }
  }
  for (const [name, byRange] of ranges) {
    if (byRange.size > 1) {
      const list = [...byRange].map(([range, where]) => `${range} (${where.join(', ')})`).join(' vs ');
      problems.push(`${name}: one version range everywhere, found ${list}`);
    }
  }
  return problems;
}

function exportTargets(exports) {
  if (exports === undefined) return [];
  if (typeof exports === 'string') return [exports];
  return Object.values(exports).flatMap((v) => exportTargets(v));
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkWorkspaces(root);
  for (const p of problems) console.error(`workspace check: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.error('workspace check: all workspaces consistent');
}
