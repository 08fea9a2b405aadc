// The compiled CLI (scripts/build-cli.js, bin/pdflow.js): a changed source is never run from a stale
// build, and `pdflow --help` (and commands that need no server) load no Temporal SDK, vega or zod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, builtEntry, sourceKey } from '../../scripts/build-cli.js'; // plain JavaScript, typed by build-cli.d.ts
import { root } from '../helpers/cli.js';

const run = promisify(execFile);

test('an edited or added source gets a new build; the stale one is never found', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-build-'));
  try {
    mkdirSync(path.join(dir, 'src/cli'), { recursive: true });
    writeFileSync(path.join(dir, 'tsconfig.json'), '{ "compilerOptions": { "target": "ES2022" } }\n');
    const main = path.join(dir, 'src/cli/main.ts');
    writeFileSync(main, 'export const answer: number = 1;\n');
    assert.equal(builtEntry(dir), undefined);
    const first = await build(dir);
    assert.equal(builtEntry(dir), first);
    assert.equal((await import(pathToFileURL(first).href)).answer, 1);

    writeFileSync(main, 'export const answer: number = 2;\n');
    const later = new Date(Date.now() + 2000); // an mtime that differs even on a coarse clock
    utimesSync(main, later, later);
    assert.equal(builtEntry(dir), undefined, 'the build of the old source must not be found');
    const second = await build(dir);
    assert.notEqual(second, first);
    assert.equal((await import(pathToFileURL(second).href)).answer, 2);

    const before = sourceKey(dir);
    writeFileSync(path.join(dir, 'src/cli/extra.ts'), 'export {};\n');
    assert.notEqual(sourceKey(dir), before, 'an added file changes the key');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every module URL `pdflow ...args` resolves, through a resolve hook that logs them. */
async function modulesLoaded(args: string[]): Promise<{ urls: string[]; stdout: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-trace-'));
  try {
    const log = path.join(dir, 'urls.log');
    writeFileSync(path.join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) { const r = await next(spec, ctx); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
    writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`);
    const { stdout } = await run(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, path.join(root, 'bin/pdflow.js'), ...args], { cwd: dir });
    return { urls: readFileSync(log, 'utf8').split('\n').filter(Boolean), stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HEAVY = /\/node_modules\/(@temporalio\/[^/]+|vega|vega-lite|zod|pg|better-sqlite3|node-ssh|yaml|cli-progress)\//;
const heavyIn = (urls: string[]) => [...new Set(urls.map((u) => HEAVY.exec(u)?.[1]).filter(Boolean))];

test('pdflow --help runs the compiled CLI and loads no Temporal SDK, vega, zod or database driver', async () => {
  const { urls, stdout } = await modulesLoaded(['--help']);
  assert.match(stdout, /Usage: pdflow/);
  assert.ok(urls.some((u) => /\/dist\/[0-9a-f]{16}\/src\/cli\/main\.js$/.test(u)), 'the compiled main.js runs');
  assert.ok(!urls.some((u) => u.includes('/src/') && u.endsWith('.ts')), 'no TypeScript source is loaded');
  assert.deepEqual(heavyIn(urls), []);
});

test('a command loads what it needs when it runs: status --help nothing heavy, list --from-store no Temporal SDK', async () => {
  assert.deepEqual(heavyIn((await modulesLoaded(['status', '--help'])).urls), []);
  const list = await modulesLoaded(['list', '--from-store', '--store', 'missing.db']);
  assert.match(list.stdout, /no runs found/);
  assert.deepEqual(heavyIn(list.urls).filter((m) => m!.startsWith('@temporalio/')), []);
});
