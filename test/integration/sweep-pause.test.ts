// Pause, resume and cancel of a running sweep on a simulated cluster (real dev server, real
// sshd). Benchmarks are slowed (sim "slow" fault on vllm) so a point runs for a few seconds and
// a signal can land while one is in flight.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { startStack, type Stack } from '../helpers/stack.js';
import {
  prepareCluster, planFor, startSweep, progressOf, waitForProgress, gpuMemoryByNode, assertGpusFree,
  scheduledActivities, sweepSteps, expectedSteps, assertStepsWithHealthGates, sleep, terminateLeftoverSweeps, engineStarts, enginesOf,
} from '../helpers/sweep.js';
import { pauseSignal, resumeSignal } from '../../src/workflows/messages.js';

let s: Stack;
before(async () => {
  s = await startStack({ shareInstalls: true, sim: { workers: 2 } });
  await prepareCluster(s);
  await s.sim.fault('head', { kind: 'slow', program: 'vllm', factor: 25 });
});
afterEach(terminateLeftoverSweeps);
after(async () => { await s?.teardown(); });

const vllmRuns = () => s.sim.countRuns('head', 'vllm');
// A deployment coming up starts its vLLM engines on the GPU nodes (enginesOf(d) of them).
const engines = () => engineStarts(s.sim);
const gpuNodes = () => s.sim.nodes.filter((n) => n.gpus > 0).map((n) => n.name);
const usedMiB = async () => Object.values(await gpuMemoryByNode(s.sim)).flat().reduce((a, b) => a + b, 0);

test('pause stops after the current point and starts nothing (not even the next deployment) until resume', async () => {
  const plan = planFor(s, {
    name: 'pause',
    workloads: [{ isl: 5000, osl: 250 }],
    deployments: [
      { mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } },
      { mode: 'collocated', replicas: [1], tp: [2] },
    ],
    load: { concurrency: [4, 8, 16], promptsPerConcurrency: 2 },
    pauseTeardownAfterMinutes: 30,
  });
  const [dep1, dep2] = plan.deployments;
  assert.ok(dep1 && dep2);
  const vllm0 = vllmRuns();
  const { result, steps } = await s.withWorker(async () => {
    const h = await startSweep(s, plan);

    // 1. Pause while the second point of the first deployment runs.
    await waitForProgress(h, 'the second point in flight', (p) => p.done === 1 && p.activity?.startsWith('bench ') === true);
    await h.signal(pauseSignal);
    const paused = await waitForProgress(h, 'paused', (p) => p.state === 'paused' && p.activity?.startsWith('paused before ') === true);
    assert.equal(paused.done, 2, 'the point in flight finished, the next did not start');
    assert.equal(paused.current?.point, dep1.points[2]!.label);
    const runsAtPause = vllmRuns();
    assert.equal(runsAtPause - vllm0, 2);
    await sleep(4000);
    const still = await progressOf(h);
    assert.equal(still.state, 'paused');
    assert.equal(still.done, 2);
    assert.equal(vllmRuns(), runsAtPause, 'a bench started while paused');
    assert.ok(await usedMiB() > 1000, 'a short pause keeps the deployment up');

    // 2. Resume; pause again while the last point of the first deployment runs: the sweep tears
    //    it down as usual but must not deploy the second one.
    await h.signal(resumeSignal);
    await waitForProgress(h, 'the last point of the first deployment in flight', (p) => p.state === 'running' && p.done === 2 && p.activity?.startsWith('bench ') === true);
    const enginesBefore = engines();
    await h.signal(pauseSignal);
    const between = await waitForProgress(h, 'paused between deployments', (p) => p.state === 'paused' && p.activity === `paused before deploying ${dep2.label}`);
    assert.equal(between.done, 3);
    await sleep(4000);
    assert.equal(engines(), enginesBefore, 'the next deployment was deployed while paused');
    assert.equal((await progressOf(h)).activity, `paused before deploying ${dep2.label}`);
    await assertGpusFree(s.sim, 'paused between deployments');

    await h.signal(resumeSignal);
    const result = await h.result();
    return { result, steps: sweepSteps(await scheduledActivities(s.t.env.client, h.workflowId, h.firstExecutionRunId)) };
  });
  assert.deepEqual(result.records.map((r) => [r.pointId, r.status]), plan.deployments.flatMap((d) => d.points.map((p) => [p.id, 'ok'])));
  assert.equal(vllmRuns() - vllm0, 6, 'each point ran once');
  // A pause pending at the end of a deployment: its health check waits for the resume too.
  assertStepsWithHealthGates(steps, expectedSteps(plan, { healthAhead: false }), 'a short pause neither tears down nor redeploys');
  await assertGpusFree(s.sim, 'after the sweep');
});

test('a pause that arrives while the deployment comes up holds before its first point', async () => {
  const plan = planFor(s, {
    name: 'pause-deploy',
    workloads: [{ isl: 5000, osl: 250 }],
    deployments: [{ mode: 'collocated', replicas: [1], tp: [1] }],
    load: { concurrency: [4, 8], promptsPerConcurrency: 2 },
    pauseTeardownAfterMinutes: 30,
  });
  const [dep] = plan.deployments;
  assert.ok(dep);
  const vllm0 = vllmRuns();
  // The engines load their weights 20 times slower: the deploy is in flight for a while. Slow
  // engines also serve 20 times slower, so the head's own slowdown of the benchmark is taken off
  // here (with both, each point would last ~25 times longer than the file's others).
  await s.sim.clearFaults('head');
  for (const n of gpuNodes()) await s.sim.fault(n, { kind: 'slow', program: 'vllm-engine', factor: 20 });
  try {
    const result = await s.withWorker(async () => {
      const h = await startSweep(s, plan);
      await waitForProgress(h, 'the deployment coming up', (p) => p.activity?.startsWith('deploying ') === true, 60_000);
      await h.signal(pauseSignal);
      const paused = await waitForProgress(h, 'paused after the deploy', (p) => p.state === 'paused', 120_000);
      assert.equal(paused.activity, `paused before ${dep.points[0]!.label}`);
      assert.equal(paused.done, 0);
      await sleep(3000);
      assert.equal(vllmRuns(), vllm0, 'a point ran although the pause came during the deploy');
      assert.ok(await usedMiB() > 1000, 'the deployment is up, held for the resume');
      await h.signal(resumeSignal);
      return h.result();
    });
    assert.deepEqual(result.records.map((r) => r.status), dep.points.map(() => 'ok'));
    assert.equal(vllmRuns() - vllm0, dep.points.length);
  } finally {
    for (const n of gpuNodes()) await s.sim.clearFaults(n);
    await s.sim.clearFaults('head');
    await s.sim.fault('head', { kind: 'slow', program: 'vllm', factor: 25 });
  }
});

test('a pause longer than pauseTeardownAfterMinutes tears the deployment down; resume redeploys it', async () => {
  const plan = planFor(s, {
    name: 'long-pause',
    workloads: [{ isl: 5000, osl: 250 }],
    deployments: [{ mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } }],
    load: { concurrency: [4, 8, 16], promptsPerConcurrency: 2 },
  });
  const [dep] = plan.deployments;
  assert.ok(dep);
  const vllm0 = vllmRuns();
  const engines0 = engines();
  const { result, steps, k } = await s.withWorker(async () => {
    // 0.05 min = 3 s paused before the GPUs are given back.
    const h = await startSweep(s, plan, { pauseTeardownAfterMinutes: 0.05 });
    await waitForProgress(h, 'a point in flight', (p) => p.activity?.startsWith('bench ') === true);
    await h.signal(pauseSignal);
    const paused = await waitForProgress(h, 'paused', (p) => p.state === 'paused');
    const k = paused.done;
    assert.ok(k >= 1 && k < dep.points.length, `paused after ${k} points`);
    assert.ok(await usedMiB() > 1000, 'the deployment is up at first');
    await waitForProgress(h, 'torn down while paused', (p) => /torn down to free the GPUs/.test(p.activity ?? ''), 30_000);
    await assertGpusFree(s.sim, 'after the pause timeout');
    const p = await progressOf(h);
    assert.equal(p.state, 'paused');
    assert.equal(p.done, k);
    await h.signal(resumeSignal);
    const result = await h.result();
    return { result, k, steps: sweepSteps(await scheduledActivities(s.t.env.client, h.workflowId, h.firstExecutionRunId)) };
  });
  assert.deepEqual(result.records.map((r) => [r.pointId, r.status]), dep.points.map((p) => [p.id, 'ok']));
  assert.equal(vllmRuns() - vllm0, dep.points.length, 'each point ran once');
  assert.equal(engines() - engines0, 2 * enginesOf(dep), 'deployed, then redeployed after the resume');
  const bench = (from: number, to?: number) => dep.points.slice(from, to).map((p) => `bench ${p.id}`);
  assert.deepEqual(steps, ['health', `deploy ${dep.id}`, ...bench(0, k), `teardown ${dep.id}`, 'health', `deploy ${dep.id}`, ...bench(k), `teardown ${dep.id}`]);
  await assertGpusFree(s.sim, 'after the sweep');
});

test('cancel stops the benchmark in flight and tears the deployment down', async () => {
  const plan = planFor(s, {
    name: 'cancel',
    workloads: [{ isl: 5000, osl: 250 }],
    deployments: [{ mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } }],
    load: { concurrency: [4, 8, 16], promptsPerConcurrency: 2 },
  });
  const { err, steps, final } = await s.withWorker(async () => {
    const h = await startSweep(s, plan);
    await waitForProgress(h, 'a point in flight', (p) => p.done >= 1 && p.activity?.startsWith('bench ') === true);
    assert.ok(await usedMiB() > 1000);
    await h.cancel();
    const err = await h.result().then(() => undefined, (e: unknown) => e);
    return { err, final: await progressOf(h), steps: sweepSteps(await scheduledActivities(s.t.env.client, h.workflowId, h.firstExecutionRunId)) };
  });
  assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `expected a cancelled workflow, got ${String(err)}`);
  assert.equal(steps.at(-1), `teardown ${plan.deployments[0]!.id}`);
  assert.equal(final.state, 'cancelled');
  await assertGpusFree(s.sim, 'after cancel');
});
