// Reuse of measured points: which records may stand in for a measurement, the copy a run keeps,
// the store's lookup by content key (real SQLite), and the --reuse flag.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isReusable, reusedRecord, reuseSummary } from '../../src/analysis/reuse.js';
import { contentKeyOf } from '../../src/analysis/content-key.js';
import type { BenchPointRecord } from '../../src/analysis/records.js';
import { openResultsStore } from '../../src/results-store/store.js';
import { reuseFlag } from '../../src/cli/reuse-flag.js';
import { BadInputError } from '../../src/cli/errors.js';

const lat = { mean: 1, median: 1, p99: 2 };
const rec = (o: Partial<BenchPointRecord> = {}): BenchPointRecord => ({
  pointId: 'd/isl1000-osl100/c4', status: 'ok', attempt: 1, timings: { startedAt: '2026-12-07T10:00:00.000Z', durationSec: 30 },
  deployment: { id: 'd', name: 'd', mode: 'collocated', replicas: { count: 1, tp: 2 }, gpus: 2 }, workload: { isl: 1000, osl: 100, mode: 'mixed' },
  load: { concurrency: 4, numPrompts: 8 }, model: 'm/x', versions: { vllm: '0.11.0', nixl: '0.6.1' },
  hardware: { gpuModel: 'NVIDIA H100 80GB HBM3', gpusPerNode: 8, gpuMemoryMiB: 81559, driverVersion: '580.95.05', cudaVersion: '13.0', efaDevices: 32, source: 'inventory' },
  metrics: {
    completed: 8, failed: 0, durationSec: 20, requestThroughput: 1, outputThroughput: 100, totalThroughput: 1000, outputThroughputPerGpu: 50, totalThroughputPerGpu: 500,
    ttftMs: lat, tpotMs: lat, itlMs: lat, interactivity: 100,
  } as BenchPointRecord['metrics'],
  ...o,
});

describe('isReusable', () => {
  const cases: Array<[string, BenchPointRecord, boolean]> = [
    ['a measured, ok, unflagged record', rec(), true],
    ['a failed point', rec({ status: 'failed', reason: 'x' }), false],
    ['a flagged point (suspect, output mismatch, known-bad)', rec({ flags: [{ kind: 'suspect', reason: 'r' }] as BenchPointRecord['flags'] }), false],
    ['an ok point where some requests failed', rec({ metrics: { ...rec().metrics!, failed: 1 } }), false],
    ['a point measured again after its deployment died', rec({ abortedAttempts: [{ reason: 'x', deploymentState: 'y', startedAt: 'z', attempts: 1 }] }), false],
    ['a copy of another run\'s record', rec({ reused: { workflowId: 'w', pointId: 'p', measuredAt: 't' } }), false],
  ];
  for (const [name, r, want] of cases) it(name, () => assert.equal(isReusable(r), want));
});

describe('reusedRecord', () => {
  it('keeps the measurement under this run\'s point id and says where it came from', () => {
    const src = rec({ probe: { number: 3, phase: 'bisect' } });
    const copy = reusedRecord(src, { workflowId: 'pdflow-c-sweep-1' }, { id: 'd/isl1000-osl100/c4-probe2', probe: { number: 2, phase: 'bracket' } });
    assert.equal(copy.pointId, 'd/isl1000-osl100/c4-probe2');
    assert.deepEqual(copy.probe, { number: 2, phase: 'bracket' });
    assert.deepEqual(copy.reused, { workflowId: 'pdflow-c-sweep-1', pointId: src.pointId, measuredAt: src.timings.startedAt });
    assert.deepEqual(copy.metrics, src.metrics);
    assert.equal(contentKeyOf(copy), contentKeyOf(src), 'the same content');
    assert.equal(reusedRecord(rec(), { workflowId: 'w' }, { id: 'x' }).probe, undefined);
  });
  it('says what was saved', () => assert.equal(reuseSummary(7, 12, 0.8), '7 of 12 points reused (0.80 GPU-hours of benchmarks saved)'));
});

describe('ResultsStore.findReusable (SQLite)', () => {
  it('finds the newest good record of a content key from another run, within the age limit; a later bad write of the point withdraws it', async () => {
    const store = openResultsStore(path.join(mkdtempSync(path.join(os.tmpdir(), 'pdflow-reuse-')), 'results.db'));
    const a = { workflowId: 'sweep-a', firstRunId: 'r1' };
    const b = { workflowId: 'sweep-b', firstRunId: 'r1' };
    await store.putRecord(a, { index: 0, record: rec() });
    await store.putRecord(b, { index: 0, record: rec({ timings: { startedAt: '2026-12-07T11:00:00.000Z', durationSec: 30 } }) });
    await store.putRecord(b, { index: 1, record: rec({ pointId: 'd/isl1000-osl100/c8', load: { concurrency: 8, numPrompts: 16 } }) });
    const key = contentKeyOf(rec());
    assert.equal((await store.findReusable(key, '2026-12-07T00:00:00.000Z', 'sweep-new'))?.workflowId, 'sweep-b', 'the newest');
    assert.equal((await store.findReusable(key, '2026-12-07T00:00:00.000Z', 'sweep-b'))?.workflowId, 'sweep-a', 'never the asking run\'s own');
    assert.equal(await store.findReusable(key, '2026-12-07T12:00:00.000Z', 'sweep-new'), undefined, 'too old');
    assert.equal(await store.findReusable(contentKeyOf(rec({ versions: { vllm: '0.11.1', nixl: '0.6.1' } })), '2026-01-01T00:00:00.000Z', 'sweep-new'), undefined, 'another vLLM');
    // The point rewritten as failed (a retry's final word): no longer reusable.
    await store.putRecord(b, { index: 0, record: rec({ status: 'failed', reason: 'x', timings: { startedAt: '2026-12-07T11:00:00.000Z', durationSec: 30 } }) });
    assert.equal((await store.findReusable(key, '2026-12-07T00:00:00.000Z', 'sweep-new'))?.workflowId, 'sweep-a');
    // A copy is stored as its run's record but is never offered again.
    await store.putRecord({ workflowId: 'sweep-c', firstRunId: 'r1' }, { index: 0, record: reusedRecord(rec(), { workflowId: 'sweep-a' }, { id: rec().pointId }) });
    assert.equal((await store.findReusable(key, '2026-12-07T00:00:00.000Z', 'sweep-new'))?.workflowId, 'sweep-a');
    await store.close();
  });
});

describe('reuseFlag', () => {
  const cases: Array<[string | boolean | undefined, { maxAgeHours: number } | undefined, ReturnType<typeof reuseFlag>]> = [
    [undefined, { maxAgeHours: 48 }, undefined],
    [false, { maxAgeHours: 48 }, false],
    [true, undefined, { maxAgeHours: 168 }],
    [true, { maxAgeHours: 48 }, { maxAgeHours: 48 }],
    ['3d', undefined, { maxAgeHours: 72 }],
    ['12h', { maxAgeHours: 48 }, { maxAgeHours: 12 }],
    ['90m', undefined, { maxAgeHours: 1.5 }],
  ];
  for (const [v, file, want] of cases) it(`${String(v)} (sweep file ${JSON.stringify(file)})`, () => assert.deepEqual(reuseFlag(v, file), want));
  for (const bad of ['7', 'week', '0d', '-1h']) {
    it(`refuses "${bad}" naming the flag and the form`, () => assert.throws(() => reuseFlag(bad), (e: Error) => e instanceof BadInputError && /--reuse: ".*" is not an age such as 7d, 12h or 90m/.test(e.message)));
  }
});

describe('estimateReuse (what `pdflow plan --reuse` says)', () => {
  it('counts the planned points whose key has a good record, built with the cluster\'s newest hardware and versions; says why when none can be', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseClusterYaml, validateSweep } = await import('../../src/config/index.js');
    const { planSweep } = await import('../../src/plan/index.js');
    const { pointRecord } = await import('../../src/analysis/point-record.js');
    const { estimateReuse } = await import('../../src/cli/reuse-estimate.js');
    const c = parseClusterYaml(readFileSync('examples/cluster-p5.yaml', 'utf8'), 'cluster-p5.yaml');
    if (!c.ok) throw new Error('example cluster invalid');
    const v = validateSweep({
      name: 'r', model: { id: c.value.model.id, servedName: c.value.model.servedName }, workloads: [{ isl: 1000, osl: 100 }],
      deployments: [{ mode: 'collocated', replicas: [1], tp: [2] }], load: { concurrency: [4, 8, 16], promptsPerConcurrency: 2 },
    }, 'r.yaml', { cluster: c.value });
    if (!v.ok) throw new Error(v.issues.map((i) => i.message).join('; '));
    const plan = planSweep(c.value, v.value);
    const store = openResultsStore(path.join(mkdtempSync(path.join(os.tmpdir(), 'pdflow-reuse-plan-')), 'results.db'));
    const empty = await estimateReuse(store, plan, 24);
    assert.equal(empty.points, 0);
    assert.match(empty.basis, /has no measured record of cluster /);
    const dep = plan.deployments[0]!;
    const measured = (i: number) => ({
      ...pointRecord(dep, dep.points[i]!, { status: 'ok', attempt: 1, startedAt: new Date().toISOString(), durationSec: 30, model: c.value.model.id, hardware: rec().hardware!, versions: rec().versions! }),
      metrics: rec().metrics!,
    });
    const run = { workflowId: 'earlier', firstRunId: 'r1' };
    await store.putRun(run, { sweep: 'r', cluster: plan.clusterName, startedAt: new Date().toISOString(), rejected: [], totalPoints: 3 });
    await store.putRecord(run, { index: 0, record: measured(0) });
    await store.putRecord(run, { index: 2, record: measured(2) });
    const e = await estimateReuse(store, plan, 24);
    assert.deepEqual([e.points, e.of], [2, 3]);
    const want = (dep.points[0]!.estimatedSeconds + dep.points[2]!.estimatedSeconds) * dep.gpus / 3600;
    assert.ok(Math.abs(e.gpuHoursSaved - want) < 1e-9, `${e.gpuHoursSaved} vs ${want}`);
    assert.match(e.basis, /newest record/);
    await store.close();
  });
});
