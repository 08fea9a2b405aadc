// The job runner's prune, run for real (bash, coreutils) on job folders in a temp dir: only jobs
// that ended long enough ago go; a running job (no exit file) is never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCAL_REMOTE_SCRIPTS } from '../../src/activities/ssh/upload.js';
import { RUNNER_NAME } from '../../src/activities/ssh/job-script.js';

const runner = path.join(LOCAL_REMOTE_SCRIPTS, RUNNER_NAME);
const DAY = 86_400;

interface Folder { name: string; exit?: number; ageDays: number }
const folders: Folder[] = [
  { name: 'ended-old', exit: 0, ageDays: 20 },
  { name: 'failed-old', exit: 1, ageDays: 15 },
  { name: 'ended-recent', exit: 0, ageDays: 3 },
  { name: 'running-old', ageDays: 30 }, // no exit file: running or starting, never pruned
  { name: 'lost.attempt-1', ageDays: 40 },
  { name: 'lost.attempt-2', ageDays: 1 },
];

function jobsDir(): string {
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'pdflow-prune-')), 'jobs');
  const now = Date.now() / 1000;
  for (const f of folders) {
    const d = path.join(root, f.name);
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, 'log'), 'x'.repeat(5000));
    const t = now - f.ageDays * DAY;
    if (f.exit !== undefined) {
      writeFileSync(path.join(d, 'exit'), `${f.exit}\n`);
      utimesSync(path.join(d, 'exit'), t, t);
    }
    utimesSync(d, t, t);
  }
  return root;
}

const cases: Array<{ days: number; left: string[]; removed: number }> = [
  { days: 14, left: ['ended-recent', 'lost.attempt-2', 'running-old'], removed: 3 },
  { days: 2, left: ['lost.attempt-2', 'running-old'], removed: 4 },
  { days: 100, left: folders.map((f) => f.name).sort(), removed: 0 },
  { days: 0, left: ['running-old'], removed: 5 },
];

for (const c of cases) {
  test(`prune ${c.days} days keeps ${c.left.join(', ')}`, () => {
    const root = jobsDir();
    const out = JSON.parse(execFileSync('bash', [runner, 'prune', root, String(c.days)], { encoding: 'utf8' })) as { removed: number; kept: number; freedBytes: number };
    assert.deepEqual(readdirSync(root).sort(), c.left);
    assert.equal(out.removed, c.removed);
    assert.equal(out.kept, c.left.length);
    assert.equal(out.freedBytes > 0, c.removed > 0);
  });
}

test('prune refuses a non-numeric age and accepts a missing jobs folder', () => {
  assert.throws(() => execFileSync('bash', [runner, 'prune', '/tmp', '7; rm -rf ~'], { stdio: 'pipe' }), /days '7; rm -rf ~' must be a whole number/);
  const none = path.join(os.tmpdir(), `pdflow-no-such-${process.pid}`);
  assert.deepEqual(JSON.parse(execFileSync('bash', [runner, 'prune', none, '14'], { encoding: 'utf8' })), { removed: 0, kept: 0, freedBytes: 0 });
});
