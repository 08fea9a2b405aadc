// A sweep survives its worker and its server (simulated cluster, real dev server on a SQLite file
// and a fixed port, workers in child processes). Killing the worker mid-benchmark: the next
// worker re-attaches to the benchmark job in flight (it ran once) and no completed point is lost.
// Restarting the server mid-sweep: the worker reconnects and the sweep completes with every point.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../helpers/stack.js';
import type { WorkerChild } from '../helpers/worker-process.js';
import {
  prepareCluster, planFor, startSweep, resultsOf, waitForProgress, assertGpusFree,
  scheduledActivities, sweepSteps, expectedSteps, sleep, terminateLeftoverSweeps,
} from '../helpers/sweep.js';
import { freePort, startDevServer, type DevServer } from '../../src/common/dev-server.js';

let s: Stack;
let dbFile: string;
let port: number;
let restarted: DevServer | undefined;
let worker: WorkerChild | undefined;

before(async () => {
  dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'pdflow-sweep-db-')), 'temporal.db');
  port = await freePort();
  s = await startStack({ shareInstalls: true, sim: { workers: 2 }, dbFile, port });
  await prepareCluster(s);
  // Each benchmark runs for a few seconds, so a kill or a restart can land while one is in flight.
  await s.sim.fault('head', { kind: 'slow', program: 'vllm', factor: 40 });
});
afterEach(terminateLeftoverSweeps);
after(async () => {
  await s?.teardown();
  await restarted?.stop();
});

const plan = (name: string) => planFor(s, {
  name,
  workloads: [{ isl: 5000, osl: 250 }],
  deployments: [{ mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } }],
  load: { concurrency: [4, 8, 16, 32], promptsPerConcurrency: 2 },
});
const vllmRuns = () => s.sim.countRuns('head', 'vllm');
/** Job folders of a workflow's benchmark jobs on the head: `<workflow id>.<run hash>.bench-…` (an archived earlier run ends in .attempt-N). */
const benchJobDirs = (workflowId: string) => readdirSync(path.join(s.sim.node('head').workdir, 'jobs'))
  .filter((d) => d.startsWith(`${workflowId}.`) && /^[0-9a-f]{8}\.bench-/.test(d.slice(workflowId.length + 1)));

test('a worker killed mid-benchmark: the next one re-attaches (the job ran once) and loses no completed point', async () => {
  const p = plan('kill');
  const vllm0 = vllmRuns();
  worker = await s.startWorkerProcess();
  const h = await startSweep(s, p);
  // Two points done, the third one's `vllm bench serve` running on the head.
  await waitForProgress(h, 'the third point in flight', (x) => x.done === 2 && x.activity?.startsWith('bench ') === true, 90_000);
  const before = await resultsOf(h);
  assert.equal(before.records.length, 2);
  await waitFor3rdBench(vllm0);
  await s.killWorkerProcess(worker);
  const killedAt = Date.now();
  assert.equal(vllmRuns() - vllm0, 3);

  worker = await s.startWorkerProcess();
  const result = await h.result();
  const seconds = (Date.now() - killedAt) / 1000;

  assert.deepEqual(result.records.slice(0, 2), before.records, 'a point completed before the kill changed');
  assert.deepEqual(result.records.map((r) => [r.pointId, r.status]), p.deployments[0]!.points.map((x) => [x.id, 'ok']));
  assert.equal(vllmRuns() - vllm0, 4, 'the benchmark in flight ran again');
  assert.equal(result.records[2]!.attempt, 2, 'the in-flight point should finish on the retry that re-attached');
  assert.deepEqual(result.records.map((r) => r.attempt), [1, 1, 2, 1]);
  const dirs = benchJobDirs(h.workflowId);
  assert.equal(dirs.length, 4, `bench job folders: ${dirs.join(', ')}`);
  assert.ok(!dirs.some((d) => /\.attempt-\d+$/.test(d)), `a bench job was started again: ${dirs.join(', ')}`);
  assert.deepEqual(sweepSteps(await scheduledActivities(s.t.env.client, h.workflowId, h.firstExecutionRunId)), expectedSteps(p));
  await assertGpusFree(s.sim, 'after the sweep');
  console.log(`worker kill: sweep finished ${seconds.toFixed(1)} s after the kill`);
});

test('a server restart mid-sweep (same SQLite file and port) loses nothing; the worker reconnects', async () => {
  const p = plan('restart');
  const vllm0 = vllmRuns();
  worker ??= await s.startWorkerProcess();
  const h = await startSweep(s, p);
  await waitForProgress(h, 'the second point in flight', (x) => x.done === 1 && x.activity?.startsWith('bench ') === true, 90_000);
  const before = await resultsOf(h);
  assert.equal(before.records.length, 1);

  await s.t.server.stop();
  await sleep(3000);
  restarted = await startDevServer({ port, dbFile, headless: true, stdio: 'ignore', logLevel: 'error' });

  // The same worker process carries on once it reconnects (no new worker is started).
  const result = await h.result();
  assert.equal(worker.child.exitCode, null, 'the worker died');
  assert.deepEqual(result.records[0], before.records[0], 'a point completed before the restart changed');
  assert.deepEqual(result.records.map((r) => [r.pointId, r.status]), p.deployments[0]!.points.map((x) => [x.id, 'ok']));
  assert.equal(vllmRuns() - vllm0, 4, `a benchmark ran twice; the worker said:\n${jobLines(worker.output())}`);
  const dirs = benchJobDirs(h.workflowId);
  assert.ok(dirs.length === 4 && !dirs.some((d) => /\.attempt-\d+$/.test(d)), `bench job folders: ${dirs.join(', ')}`);
  assert.deepEqual(sweepSteps(await scheduledActivities(s.t.env.client, h.workflowId, h.firstExecutionRunId)), expectedSteps(p));
  await assertGpusFree(s.sim, 'after the sweep');
});

/** What the worker said about its jobs being kept, killed, lost or restarted (for failure messages). */
function jobLines(out: string): string {
  return out.split('\n').filter((l) => /cancelled|activity stopping|lost|started job|re-attach|attempt/i.test(l)).slice(-40).join('\n');
}

/** The third point's vllm has started on the head (its job is in flight, not just scheduled). */
async function waitFor3rdBench(vllm0: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (vllmRuns() - vllm0 < 3) {
    assert.ok(Date.now() < deadline, 'the third benchmark did not start');
    await sleep(50);
  }
}
