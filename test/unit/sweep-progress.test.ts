// The sweep's progress arithmetic (src/workflows/sweep-progress.ts): GPU time held, the `progress`
// query's answer, the Web UI's current details; and the state a run starts from (sweep/carry.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseClusterYaml, parseSweepYaml } from '../../src/config/index.js';
import { planSweep } from '../../src/plan/index.js';
import { estimateRemainingSec, heldGpuSeconds, sweepDetails, sweepProgress, type SweepStatus } from '../../src/workflows/sweep-progress.js';
import { sweepState } from '../../src/workflows/sweep/carry.js';
import type { SweepCarry } from '../../src/workflows/sweep-types.js';

const examples = path.resolve(import.meta.dirname, '../../examples');
const cluster = parseClusterYaml(readFileSync(path.join(examples, 'cluster-p5.yaml'), 'utf8'), 'cluster-p5.yaml');
const sweepFile = parseSweepYaml(readFileSync(path.join(examples, 'sweep-demo.yaml'), 'utf8'), 'sweep-demo.yaml');
if (!cluster.ok || !sweepFile.ok) throw new Error('examples are invalid');
const plan = planSweep(cluster.value, sweepFile.value);

const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-01T12:00:00.000Z');

describe('heldGpuSeconds', () => {
  const cases = [
    { name: 'no start known: none', since: undefined, gpus: 8, sec: 0 },
    { name: 'an hour of 8 GPUs', since: NOW - HOUR, gpus: 8, sec: 8 * 3600 },
    { name: '90 s of 4 GPUs', since: NOW - 90_000, gpus: 4, sec: 360 },
    { name: 'held from now: none yet', since: NOW, gpus: 4, sec: 0 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(heldGpuSeconds(c.since, c.gpus, NOW), c.sec));
});

const carry = (over: Partial<SweepCarry> = {}): SweepCarry => ({
  records: [], failedDeployments: [], cursor: { deployment: 0, point: 0 }, generation: 0, paused: false,
  startedAt: new Date(NOW - 2 * HOUR).toISOString(), gpuSecondsSpent: 0, continuedAsNew: 0, ...over,
});
const status = (over: Partial<SweepStatus> = {}): SweepStatus => ({ activity: 'bench c=16', current: { deployment: 'd', point: 'p' }, stepStartedAt: new Date(NOW - 60_000).toISOString(), holding: false, ...over });

describe('sweepProgress', () => {
  const cases: Array<{ name: string; paused: boolean; status: Partial<SweepStatus>; state: string; activity: string }> = [
    { name: 'running', paused: false, status: {}, state: 'running', activity: 'bench c=16' },
    { name: 'pause asked, the step still runs', paused: true, status: {}, state: 'running', activity: 'bench c=16 (pause requested: stops after this step)' },
    { name: 'holding in the pause gate', paused: true, status: { holding: true, activity: 'paused before c=64' }, state: 'paused', activity: 'paused before c=64' },
    { name: 'ended: the end state, whatever the pause', paused: true, status: { endState: 'completed', activity: 'done: OK' }, state: 'completed', activity: 'done: OK' },
    { name: 'cancelled', paused: false, status: { endState: 'cancelled', activity: 'tearing down d' }, state: 'cancelled', activity: 'tearing down d' },
  ];
  for (const c of cases) {
    it(`${c.name}: state ${c.state}`, () => {
      const p = sweepProgress({ plan, cluster: 'p5', s: carry({ paused: c.paused }), status: status(c.status), counts: { ok: 3, failed: 1 }, total: 9, heldGpus: 0, nowMs: NOW });
      assert.equal(p.state, c.state);
      assert.equal(p.activity, c.activity);
    });
  }

  it('the figures: counts, remaining, times, ETA, and GPU-hours with the deployment held right now', () => {
    const s = carry({ gpuSecondsSpent: 3600, cursor: { deployment: 1, point: 1 }, deployed: { deploymentId: plan.deployments[1]!.id, generation: 2, heldSinceMs: NOW - HOUR / 2 } });
    const st = status({ lastError: 'p1: bench died' });
    const p = sweepProgress({ plan, cluster: 'p5', s, status: st, counts: { ok: 3, failed: 1 }, total: 9, heldGpus: 4, nowMs: NOW });
    assert.deepEqual(p, {
      kind: 'sweep', cluster: 'p5', state: 'running', activity: 'bench c=16', current: st.current,
      done: 3, failed: 1, total: 9, remaining: 5,
      startedAt: s.startedAt, stepStartedAt: st.stepStartedAt, asOf: '2026-03-01T12:00:00.000Z', elapsedSec: 7200,
      etaSec: estimateRemainingSec(plan, s),
      // 1 h banked + half an hour of 4 GPUs held now.
      gpuHours: 3, heldGpus: 4, lastError: 'p1: bench died',
    });
  });

  it('nothing up: no live GPU time, whatever heldGpus says', () => {
    const p = sweepProgress({ plan, cluster: 'p5', s: carry({ gpuSecondsSpent: 7200 }), status: status(), counts: { ok: 0, failed: 0 }, total: 9, heldGpus: 4, nowMs: NOW });
    assert.equal(p.gpuHours, 2);
    assert.equal(p.remaining, 9);
  });
});

describe('sweepDetails', () => {
  it('the sweep, the cluster, the step, the points so far and absolute times', () => {
    const text = sweepDetails({
      sweep: 'demo', cluster: 'p5', what: 'deploying 2xTP2', counts: { ok: 4, failed: 1 }, total: 9,
      startedAt: '2026-03-01T10:00:00.000Z', stepStartedAt: '2026-03-01T11:59:00.000Z',
    });
    assert.equal(text, '**sweep demo** on p5: deploying 2xTP2 — 5/9 points (4 ok / 1 failed)\n\nrun started 2026-03-01 10:00:00 UTC; this step started 2026-03-01 11:59:00 UTC');
  });
});

describe('sweepState', () => {
  it('a first run: a fresh state started now', () => {
    const s = sweepState(undefined, new Date(NOW));
    assert.deepEqual(s, {
      records: [], failedDeployments: [], cursor: { deployment: 0, point: 0 }, generation: 0,
      paused: false, startedAt: '2026-03-01T12:00:00.000Z', gpuSecondsSpent: 0, continuedAsNew: 0,
    });
  });

  const carriedCases = [
    { name: 'a carried deployment without its start (an older version): held from now', deployed: { deploymentId: 'd', generation: 1 }, since: NOW },
    { name: 'a carried deployment keeps its start', deployed: { deploymentId: 'd', generation: 1, heldSinceMs: NOW - HOUR }, since: NOW - HOUR },
  ];
  for (const c of carriedCases) {
    it(c.name, () => {
      const given = carry({ deployed: { ...c.deployed }, continuedAsNew: 2 });
      const s = sweepState(given, new Date(NOW));
      assert.equal(s, given, 'the carried state itself');
      assert.equal(s.deployed?.heldSinceMs, c.since);
      assert.equal(s.continuedAsNew, 2);
    });
  }

  it('nothing deployed: the carried state as it came', () => {
    const given = carry({ cursor: { deployment: 2, point: 0 } });
    const copy = structuredClone(given);
    assert.deepEqual(sweepState(given, new Date(NOW)), copy);
  });
});
