// Progress on the reader's clock (issue "Start and read runs anywhere", item 5): the workflow's
// clock stands still during a long step, so elapsed, ETA and GPU-hours move on from its `asOf`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveProgress } from '../../src/cli/live-progress.js';
import { progressLine } from '../../src/cli/describe-run.js';
import type { RunProgress } from '../../src/workflows/messages.js';

const T0 = Date.parse('2026-12-02T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const base: RunProgress = {
  kind: 'sweep', cluster: 'p5', state: 'running', activity: 'deploying pd-pack', done: 2, failed: 0, total: 9, remaining: 7,
  startedAt: iso(T0), stepStartedAt: iso(T0 + 60_000), asOf: iso(T0 + 60_000), elapsedSec: 60, etaSec: 600, gpuHours: 1, heldGpus: 8,
};

test('liveProgress: elapsed, ETA and GPU-hours advance from asOf on the reader\'s clock', () => {
  const cases: Array<[string, RunProgress, number, { elapsedSec: number; etaSec?: number; gpuHours?: number }]> = [
    ['45 s into a deploy', base, T0 + 105_000, { elapsedSec: 105, etaSec: 555, gpuHours: 1 + 8 * 45 / 3600 }],
    ['at asOf', base, T0 + 60_000, { elapsedSec: 60, etaSec: 600, gpuHours: 1 }],
    ['past the ETA: 0, never negative', base, T0 + 3_600_000, { elapsedSec: 3600, etaSec: 0, gpuHours: 1 + 8 * 3540 / 3600 }],
    ['no deployment up: GPU-hours stay', { ...base, heldGpus: 0 }, T0 + 120_000, { elapsedSec: 120, etaSec: 540, gpuHours: 1 }],
    ['a reader clock behind the workflow\'s: nothing goes back', base, T0 + 30_000, { elapsedSec: 60, etaSec: 600, gpuHours: 1 }],
    ['an older worker without asOf: elapsed still from startedAt', { ...base, asOf: undefined }, T0 + 90_000, { elapsedSec: 90, etaSec: 600, gpuHours: 1 }],
    ['a stage (no ETA, no GPU-hours)', { ...base, kind: 'stage', etaSec: undefined, gpuHours: undefined }, T0 + 90_000, { elapsedSec: 90 }],
    ['a finished run keeps its own figures', { ...base, state: 'completed' }, T0 + 999_000, { elapsedSec: 60, etaSec: 600, gpuHours: 1 }],
  ];
  for (const [what, p, now, want] of cases) {
    const got = liveProgress(p, now);
    assert.equal(got.elapsedSec, want.elapsedSec, what);
    assert.equal(got.etaSec, want.etaSec, what);
    if (want.gpuHours === undefined) assert.equal(got.gpuHours, undefined, what);
    else assert.ok(Math.abs(got.gpuHours! - want.gpuHours) < 1e-9, `${what}: ${got.gpuHours}`);
  }
});

test('progressLine shows the live figures and how long the current step has run', () => {
  const line = progressLine(base, T0 + 105_000);
  assert.match(line, /deploying pd-pack \(45s\)/);
  assert.match(line, /elapsed 1m45s/);
  assert.match(line, /ETA 9m15s/);
  assert.match(line, /1\.10 GPU-h/);
  assert.doesNotMatch(progressLine({ ...base, state: 'paused' }, T0 + 105_000), /\(45s\)/, 'a paused run has no running step');
});
