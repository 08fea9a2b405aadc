// A sweep long enough to continue-as-new several times: the dev server suggests it after a few
// dozen history events (dynamic config limit.historyCount.suggestContinueAsNew). Across the runs
// the records, the cursor and the deployment that is up carry over: every point once, each
// deployment deployed once, the progress never goes backwards.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../helpers/stack.js';
import {
  prepareCluster, planFor, startSweep, progressOf, resultsOf, assertGpusFree, runChain,
  scheduledActivities, sweepSteps, expectedSteps, sleep, terminateLeftoverSweeps, engineStarts, enginesOf, deployAttempts,
} from '../helpers/sweep.js';
import type { RunProgress } from '../../src/workflows/messages.js';

/** ~6 events per activity: the sweep is told to continue-as-new every 3-4 activities. */
const SUGGEST_AFTER_EVENTS = 20;

let s: Stack;
before(async () => {
  s = await startStack({ shareInstalls: true, sim: { workers: 2 }, serverArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_AFTER_EVENTS}`] });
  await prepareCluster(s);
});
afterEach(terminateLeftoverSweeps);
after(async () => { await s?.teardown(); });

test('a sweep continues as new at least twice with its records, cursor and deployment intact', async () => {
  const plan = planFor(s, {
    name: 'can',
    workloads: [{ isl: 1000, osl: 100 }, { isl: 5000, osl: 250 }],
    deployments: [
      { mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } },
      { mode: 'collocated', replicas: [2], tp: [1] },
    ],
    load: { concurrency: [2, 4, 8], promptsPerConcurrency: 2 },
  });
  const total = plan.deployments.reduce((n, d) => n + d.points.length, 0);
  assert.equal(total, 12);
  const vllm0 = s.sim.countRuns('head', 'vllm');
  const engines0 = engineStarts(s.sim);

  const { result, snapshots, runs, attempts, steps, identified, final } = await s.withWorker(async () => {
    const h = await startSweep(s, plan);
    const snapshots: RunProgress[] = [];
    let finished = false;
    const done = h.result().finally(() => { finished = true; });
    while (!finished) {
      // The handle follows the latest run of the chain.
      const p = await progressOf(h).catch(() => undefined);
      if (p) snapshots.push(p);
      await sleep(150);
    }
    const result = await done;
    return {
      result, snapshots,
      runs: await runChain(s.t.env.client, h.workflowId, h.firstExecutionRunId),
      attempts: await deployAttempts(s.t.env.client, h.workflowId, h.firstExecutionRunId),
      steps: sweepSteps(await scheduledActivities(s.t.env.client, h.workflowId, h.firstExecutionRunId)),
      identified: (await scheduledActivities(s.t.env.client, h.workflowId, h.firstExecutionRunId)).filter((a) => a.type === 'identifyNode').map((a) => a.input.node),
      final: await resultsOf(h),
    };
  });

  console.log(`continued as new ${result.continuedAsNew} times; ${snapshots.length} progress samples`);
  assert.ok(result.continuedAsNew >= 2, `continued as new ${result.continuedAsNew} times`);
  assert.equal(runs.length, result.continuedAsNew + 1, 'runs in the chain');
  assert.deepEqual(result.records.map((r) => [r.pointId, r.status, r.attempt]), plan.deployments.flatMap((d) => d.points.map((p) => [p.id, 'ok', 1])));
  for (const r of result.records) assert.ok(r.metrics && r.metrics.outputThroughput > 0, r.pointId);
  assert.equal(s.sim.countRuns('head', 'vllm') - vllm0, total, 'a point ran twice');
  // A continue-as-new while a deployment is up keeps it up: deployed once, torn down once, each.
  assert.deepEqual(attempts, Object.fromEntries(plan.deployments.map((d) => [d.id, 1])), 'a deployment was deployed again (deployServe runs over the chain)');
  assert.equal(engineStarts(s.sim) - engines0, plan.deployments.reduce((n, d) => n + enginesOf(d), 0), 'an engine was started again');
  // A continue-as-new right after a teardown may drop the next deployment's early health check
  // (the new run checks again): compare without the checks, and count them.
  const noHealth = (xs: string[]) => xs.filter((x) => x !== 'health');
  assert.deepEqual(noHealth(steps), noHealth(expectedSteps(plan)));
  const checks = steps.length - noHealth(steps).length;
  assert.ok(checks >= plan.deployments.length && checks <= plan.deployments.length + result.continuedAsNew, `${checks} health checks`);
  assert.deepEqual(final, { records: result.records, failedDeployments: [], rejected: [] });
  assert.ok(result.gpuHours > 0);
  // The nodes' identity is read once per run, not per deployment nor per continue-as-new; every record names it.
  assert.deepEqual(identified.sort(), s.sim.nodes.filter((n) => n.gpus > 0).map((n) => n.name).sort());
  for (const r of result.records) assert.equal(r.hardware?.source, 'inventory', r.pointId);
  await assertGpusFree(s.sim, 'after the sweep');

  // Progress across the runs: one start time, counts never going back.
  assert.ok(snapshots.length > 10);
  assert.equal(new Set(snapshots.map((p) => p.startedAt)).size, 1, 'startedAt changed across runs');
  for (let i = 1; i < snapshots.length; i++) {
    const [a, b] = [snapshots[i - 1]!, snapshots[i]!];
    assert.ok(b.done >= a.done && b.elapsedSec >= a.elapsedSec && b.gpuHours! >= a.gpuHours! - 1e-9, `went backwards: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
    assert.equal(b.done + b.failed + b.remaining, total);
  }
});
