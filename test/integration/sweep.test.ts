// The sweep workflow end to end on a simulated cluster (1 head + 2 workers × 8 GPUs, real sshd,
// real dev server, time × 0.02): every point recorded with metrics, each deployment torn down
// before the next, progress sane while it runs, the `results` query equal to the result; and
// failures: a point that keeps failing is recorded with its reason, a deployment that will not
// come up is recorded, torn down and skipped, and the sweep goes on.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { startStack, type Stack } from '../helpers/stack.js';
import {
  prepareCluster, planFor, startSweep, progressOf, resultsOf, gpuMemoryByNode, assertGpusFree,
  scheduledActivities, sweepSteps, expectedSteps, assertStepsWithHealthGates, sleep, waitFor, terminateLeftoverSweeps, engineStarts, enginesOf, deployAttempts,
} from '../helpers/sweep.js';
import type { RunProgress } from '../../src/workflows/messages.js';
import type { SweepResultsView } from '../../src/workflows/sweep-types.js';
import type { SweepInput as SweepFile } from '../../src/config/index.js';
import { PdflowCluster, PdflowFailedPoints, PdflowOutcome, PdflowStage, PdflowSweep } from '../../src/common/search-attributes.js';

let s: Stack;
before(async () => {
  s = await startStack({ shareInstalls: true, sim: { workers: 2 } });
  await prepareCluster(s);
});
afterEach(terminateLeftoverSweeps);
after(async () => { await s?.teardown(); });

test('a sweep records every point with metrics, tears down after each deployment, and reports sane progress', async () => {
  const plan = planFor(s, {
    name: 'e2e',
    workloads: [{ isl: 1000, osl: 100 }, { isl: 5000, osl: 250 }],
    deployments: [
      { mode: 'collocated', replicas: [2], tp: [2] },
      { mode: 'pd-pack', prefill: { count: [1], tp: [2] }, decode: { count: [1], tp: [2] } },
      { mode: 'pd-spread', prefill: { count: [1], tp: [2] }, decode: { count: [1], tp: [2] } },
      // Prefill TP above decode TP: the planner rejects it, the result must say so.
      { mode: 'pd-pack', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [2] } },
    ],
    load: { concurrency: [4, 16], promptsPerConcurrency: 2 },
    retries: 1,
    // The collocated TP2 deployment (first) is the reference the PD ones are checked against.
    outputCheck: { enabled: true },
  });
  assert.equal(plan.deployments.length, 3);
  assert.equal(plan.rejected.length, 1);
  const total = plan.deployments.reduce((n, d) => n + d.points.length, 0);
  assert.equal(total, 12);
  const vllmBefore = s.sim.countRuns('head', 'vllm');

  const { result, snapshots, midResults, gpusDuringBench } = await s.withWorker(async () => {
    const h = await startSweep(s, plan);
    const snapshots: RunProgress[] = [];
    const midResults: SweepResultsView[] = [];
    let gpusDuringBench: Record<string, number[]> | undefined;
    let finished = false;
    const done = h.result().finally(() => { finished = true; });
    while (!finished) {
      const p = await progressOf(h).catch(() => undefined);
      if (p) {
        snapshots.push(p);
        if (p.done >= 2 && p.remaining > 0 && midResults.length === 0) midResults.push(await resultsOf(h));
        // Once, while a point of a deployment runs: the GPUs must show as used (else "free" proves nothing).
        if (!gpusDuringBench && p.activity?.startsWith('bench') && p.done >= 1) gpusDuringBench = await gpuMemoryByNode(s.sim);
      }
      await sleep(150);
    }
    const result = await done;
    const final = await resultsOf(h);
    const finalProgress = await progressOf(h);
    const steps = sweepSteps(await scheduledActivities(s.t.env.client, h.workflowId, h.firstExecutionRunId));
    return { result: { ...result, final, finalProgress, steps }, snapshots, midResults, gpusDuringBench };
  });

  // Every planned point once, in plan order, with metrics.
  assert.deepEqual(result.records.map((r) => r.pointId), plan.deployments.flatMap((d) => d.points.map((p) => p.id)));
  for (const r of result.records) {
    assert.equal(r.status, 'ok', `${r.pointId}: ${r.reason}`);
    assert.equal(r.attempt, 1, r.pointId);
    const m = r.metrics!;
    assert.ok(m.completed > 0 && m.outputThroughput > 0 && m.outputThroughputPerGpu > 0, `${r.pointId} metrics: ${JSON.stringify(m)}`);
    assert.ok(m.ttftMs.median > 0 && m.tpotMs.median > 0 && m.interactivity! > 0, r.pointId);
    assert.equal(m.outputThroughputPerGpu, m.outputThroughput / r.deployment.gpus);
    assert.equal(r.versions?.vllm, '0.11.0');
    // The raw vLLM JSON stays on the head and is copied to the worker's run folder.
    assert.match(r.rawResultPath ?? '', /^head:\/.+\.json$/);
    assert.ok(existsSync(r.rawResultPath!.slice('head:'.length)), r.rawResultPath);
    assert.ok(r.logPath && existsSync(r.logPath), r.logPath);
    // The deployment's GPUs were sampled during the point: busy GPUs draw more than idle ones (~70 W).
    const g = r.gpu;
    // (At the sim's time scale a benchmark is shorter than the 1 s sampling interval: the summary interpolates over its window.)
    assert.ok(g && g.gpus === r.deployment.gpus && g.energyJ! > 0, `${r.pointId} GPU samples: ${JSON.stringify(g)}`);
    assert.ok(g.meanPowerW! > 100 * g.gpus && g.meanPowerW! < 700 * g.gpus, `${r.pointId}: ${g.meanPowerW} W over ${g.gpus} GPUs`);
    assert.equal(g.throttled, false, r.pointId);
    for (const f of g.samplesPaths) assert.match(readFileSync(f, 'utf8'), /^gpu,\d+,/m, f);
  }
  // (EFA bytes: the emulated counters are held to the KV bytes in test/unit/sim-gpu-load.test.ts; in a
  // sweep at the sim's time scale they are not yet seen inside a point's window: see the stop note.)
  assert.equal(s.sim.countRuns('head', 'vllm') - vllmBefore, total, 'one vllm bench run per point');
  assert.deepEqual(result.failedDeployments, []);
  assert.deepEqual(result.rejected.map((r) => r.reason), ['prefill-tp-exceeds-decode-tp']);
  assert.equal(result.summary, 'OK: 12/12 points ok, 0 failed, 1 configs rejected');
  assert.deepEqual([result.outcome, result.ok, result.failed], ['ok', 12, 0]);
  assert.ok(result.gpuHours > 0 && result.gpuHours < (4 * result.seconds) / 3600 * 1.01, `gpuHours ${result.gpuHours} for ${result.seconds} s of 4-GPU deployments`);

  // Deploy once, bench every point, tear down — per deployment, in plan order.
  assertStepsWithHealthGates(result.steps, expectedSteps(plan));
  assert.ok(gpusDuringBench, 'no GPU sample was taken during a bench');
  assert.ok(Object.values(gpusDuringBench).flat().some((m) => m > 1000), `GPUs during a bench: ${JSON.stringify(gpusDuringBench)}`);
  await assertGpusFree(s.sim, 'after the sweep');

  // The output check: the collocated deployment's answers became the TP2 reference; both PD ones agree on all 32 prompts.
  const [colloc, pack, spread] = plan.deployments;
  assert.deepEqual(result.outputChecks?.[colloc!.id], { reference: 'the collocated TP2 reference', madeReference: true });
  for (const d of [pack!, spread!]) {
    const c = result.outputChecks?.[d.id]?.result;
    assert.ok(c && c.ok && c.agreeing === 32 && c.total === 32 && c.meanCommonPrefix === 16, `${d.label}: ${JSON.stringify(result.outputChecks?.[d.id])}`);
  }
  assert.ok(result.records.every((r) => !r.flags?.length), 'healthy deployments are not flagged');

  // The results query: equal to the result at the end, a prefix of it mid-run.
  assert.deepEqual(result.final, { records: result.records, failedDeployments: result.failedDeployments, rejected: result.rejected, outputChecks: result.outputChecks });
  assert.equal(midResults.length, 1, 'results were not queried mid-run');
  assert.deepEqual(midResults[0]!.records, result.records.slice(0, midResults[0]!.records.length));
  assert.ok(midResults[0]!.records.length >= 2);

  // Progress while it ran.
  assert.ok(snapshots.length >= 20, `only ${snapshots.length} progress snapshots`);
  const labels = new Set(plan.deployments.map((d) => d.label));
  let prev: RunProgress | undefined;
  for (const p of snapshots) {
    assert.equal(p.kind, 'sweep');
    assert.equal(p.total, total);
    assert.equal(p.done + p.failed + p.remaining, total, JSON.stringify(p));
    assert.equal(p.failed, 0);
    assert.ok(p.state === 'running' || p.state === 'completed', p.state);
    assert.ok(p.elapsedSec >= 0 && p.etaSec! >= 0 && Number.isFinite(p.etaSec), JSON.stringify(p));
    if (p.current?.deployment) assert.ok(labels.has(p.current.deployment), p.current.deployment);
    if (prev) {
      assert.ok(p.done >= prev.done, 'done went backwards');
      assert.ok(p.elapsedSec >= prev.elapsedSec, 'elapsed went backwards');
      assert.ok(p.gpuHours! >= prev.gpuHours! - 1e-12, 'GPU-hours went backwards');
    }
    prev = p;
  }
  const acts = snapshots.map((p) => p.activity ?? '');
  assert.ok(acts.some((a) => a.startsWith('deploying ')), 'never saw a deploy');
  assert.ok(acts.some((a) => a.startsWith('bench ')), 'never saw a bench');
  const benchSnap = snapshots.find((p) => p.activity?.startsWith('bench ') && p.current?.point);
  assert.ok(benchSnap, 'no snapshot names the current point');
  // The ETA shrinks as the sweep advances (first vs the last snapshot that still had work left).
  const early = snapshots[0]!;
  const late = [...snapshots].reverse().find((p) => p.remaining > 0 && p.remaining < total / 2)!;
  assert.ok(late && late.etaSec! < early.etaSec!, `ETA early ${early.etaSec} s, late ${late?.etaSec} s`);
  assert.ok(snapshots.some((p) => p.gpuHours! > 0));
  assert.equal(result.finalProgress.state, 'completed');
  assert.equal(result.finalProgress.remaining, 0);
  assert.equal(result.finalProgress.done, total);
});

test('the output check: a deployment whose KV transfers corrupt output is measured but flagged, never best; its reference is made once and then comes from the store', async () => {
  const file = {
    name: 'outcheck',
    workloads: [{ isl: 1000, osl: 100 }],
    deployments: [
      { mode: 'pd-pack' as const, prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } },
      // vLLM 0.11 + NIXL 0.6 over LIBFABRIC on EFA: the emulated engine corrupts KV as reality did (vllm#27055).
      { mode: 'pd-pack' as const, prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] }, backend: 'LIBFABRIC' as const },
    ],
    load: { concurrency: [4], promptsPerConcurrency: 2 },
    retries: 0,
    outputCheck: { enabled: true },
  };
  const plan = planFor(s, file);
  const [ucx, libfabric] = plan.deployments;
  assert.ok(ucx && libfabric && ucx.id !== libfabric.id, JSON.stringify(plan.deployments.map((d) => d.id)));
  const key = (await import('../../src/analysis/output-check.js')).referenceKey({
    modelId: s.cluster.model.id, modelSource: 'huggingface', vllmVersion: s.cluster.software.vllm.version, tp: 1,
    maxModelLen: plan.engine.maxModelLen, prompts: 32, tokens: 16,
  });
  const storedBefore = await s.resultsStore.answerReference(key);

  const run = async (p: typeof plan) => s.withWorker(async () => {
    const h = await startSweep(s, p);
    const result = await h.result();
    return { result, steps: sweepSteps(await scheduledActivities(s.t.env.client, h.workflowId, h.firstExecutionRunId)), id: h.workflowId };
  });
  const { result, steps, id } = await run(plan);
  // Both deployments were measured; the LIBFABRIC one is flagged with what the check saw.
  assert.deepEqual(result.records.map((r) => [r.deployment.id, r.status]), [[ucx.id, 'ok'], [libfabric.id, 'ok']]);
  assert.equal(result.outcome, 'ok');
  const good = result.outputChecks?.[ucx.id]?.result;
  const bad = result.outputChecks?.[libfabric.id]?.result;
  assert.ok(good?.ok && good.agreeing === 32, JSON.stringify(result.outputChecks));
  assert.ok(bad && !bad.ok && bad.agreeing === 0 && bad.firstMismatch?.position === 0, JSON.stringify(bad));
  const [goodRec, badRec] = result.records;
  assert.ok(!goodRec!.flags?.some((f) => f.kind === 'output-mismatch'), JSON.stringify(goodRec!.flags));
  const flag = badRec!.flags?.find((f) => f.kind === 'output-mismatch');
  assert.match(flag?.reason ?? '', /^output differs from a run without KV transfer: 0\/32 prompts agree with the collocated TP1 reference on their first 16 tokens \(mean common prefix 0\); first difference: prompt 0, token 0/);
  // Never on the frontier, never best, whatever its numbers.
  const { paretoFrontier } = await import('../../src/analysis/pareto.js');
  assert.ok(!paretoFrontier(result.records).some((r) => r.deployment.id === libfabric.id));
  // The store has the flagged record as the run made it.
  const [stored] = await s.resultsStore.findRuns(id);
  const storedRecs = await s.resultsStore.records({ workflowId: id, firstRunId: stored!.firstRunId });
  assert.ok(storedRecs.find((r) => r.record.deployment.id === libfabric.id)?.record.flags?.some((f) => f.kind === 'output-mismatch'));

  // The TP1 reference: made by a collocated deployment before the first PD one, unless the store had it.
  const made = ['plan reference', 'deploy reference-tp1', 'answers', 'teardown reference-tp1'];
  const tail = ['deploy ' + ucx.id, 'answers', `bench ${ucx.points[0]!.id}`, 'teardown ' + ucx.id, 'deploy ' + libfabric.id, 'answers', `bench ${libfabric.points[0]!.id}`, 'teardown ' + libfabric.id];
  const noHealth = (xs: string[]) => xs.filter((x) => x !== 'health');
  assert.deepEqual(noHealth(steps), storedBefore ? tail : [...made, ...tail]);
  const reference = await s.resultsStore.answerReference(key);
  assert.ok(reference && reference.answers.answers.length === 32, 'the reference is in the results store');
  await assertGpusFree(s.sim, 'after the output-check sweep');

  // A second run with the same model and vLLM takes the reference from the store: no reference deployment.
  const again = await run(planFor(s, { ...file, name: 'outcheck-again', deployments: [file.deployments[0]!] }));
  assert.ok(!again.steps.some((x) => x.includes('reference')), JSON.stringify(again.steps));
  assert.ok(again.result.outputChecks?.[ucx.id]?.result?.ok, JSON.stringify(again.result.outputChecks));
});

test('a point that keeps failing is recorded with its reason; a deployment that will not come up is recorded, torn down and skipped', async () => {
  const plan = planFor(s, {
    name: 'failures',
    workloads: [{ isl: 1000, osl: 100 }],
    deployments: [
      { mode: 'collocated', replicas: [1], tp: [2] },
      { mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } },
    ],
    load: { concurrency: [2, 4, 8], promptsPerConcurrency: 2 },
    retries: 1,
  });
  const [bad, good] = plan.deployments;
  assert.ok(bad && good && bad.mode === 'collocated');
  const vllmBefore = s.sim.countRuns('head', 'vllm');
  const enginesBefore = engineStarts(s.sim);
  const gpuNodes = s.sim.nodes.filter((n) => n.gpus > 0).map((n) => n.name);
  // The first deployment's engines fail to start (EngineCore init raises on the GPU node) for as
  // long as it is deployed: Serve gives up on the replica, the deploy fails on every attempt its
  // retry policy allows (5). The fault is lifted once the sweep tears that deployment down, before
  // the second comes up. The first bench of the second fails on its try and its one retry.
  for (const n of gpuNodes) await s.sim.fault(n, { kind: 'fail', program: 'vllm-engine', times: 1000, exitCode: 1 });
  await s.sim.fault('head', { kind: 'fail', program: 'vllm', times: 2, exitCode: 3 });
  try {
    const { result, steps, attrs, attempts, badEngines, stepsAtLift } = await s.withWorker(async () => {
      // A roomier heartbeat than the helper's 5 s: a deploy attempt must fail on the engine, not on a busy machine.
      const h = await startSweep(s, plan, { heartbeatTimeout: '20s' });
      const stepsNow = async () => sweepSteps(await scheduledActivities(s.t.env.client, h.workflowId, h.firstExecutionRunId));
      // Stops waiting when the sweep ends first (then the step assertions below say what it did).
      const stepsAtLift = await Promise.race([
        waitFor('the bad deployment torn down', stepsNow, (st) => st.includes(`teardown ${bad.id}`), 600_000, 200),
        h.result().then(stepsNow),
      ]);
      for (const n of gpuNodes) await s.sim.clearFaults(n);
      const badEngines = engineStarts(s.sim) - enginesBefore;
      const result = await h.result();
      const attrs = (await h.describe()).typedSearchAttributes;
      return {
        result, attrs, stepsAtLift, badEngines, steps: await stepsNow(),
        attempts: await deployAttempts(s.t.env.client, h.workflowId, h.firstExecutionRunId),
      };
    });
    assert.ok(!stepsAtLift.includes(`deploy ${good.id}`), `the fault was lifted too late: ${stepsAtLift.join(', ')}`);
    // Set by the workflow itself (startSweep gives none): the Web UI and `pdflow list` see the outcome.
    assert.deepEqual([attrs.get(PdflowOutcome), attrs.get(PdflowFailedPoints), attrs.get(PdflowStage), attrs.get(PdflowSweep)], ['partial', 4, 'sweep', 'failures']);
    assert.deepEqual(attempts, { [bad.id]: 5, [good.id]: 1 }, 'five deploy attempts of the bad deployment, one of the good');
    assert.ok(badEngines >= 5, `each attempt of the bad deployment started an engine (${badEngines} engine starts)`);
    assert.equal(engineStarts(s.sim) - enginesBefore - badEngines, enginesOf(good), 'the good deployment started each of its engines once');
    assert.equal(s.sim.countRuns('head', 'vllm') - vllmBefore, 2 + 2, 'the failing point ran twice (1 retry), the others once, the bad deployment\'s never');

    assert.equal(result.failedDeployments.length, 1);
    assert.equal(result.failedDeployments[0]!.deployment, bad.label);
    assert.match(result.failedDeployments[0]!.reason, /vllm-engine on \S+: injected failure/);
    const byId = new Map(result.records.map((r) => [r.pointId, r]));
    assert.equal(result.records.length, 6);
    for (const p of bad.points) {
      const r = byId.get(p.id)!;
      assert.equal(r.status, 'failed');
      assert.equal(r.attempt, 0, 'never ran');
      assert.match(r.reason!, /^deployment did not come up: .*vllm-engine on \S+: injected failure/s);
    }
    const [first, ...rest] = good.points;
    const failed = byId.get(first!.id)!;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.attempt, 2);
    assert.equal(failed.metrics, undefined);
    assert.match(failed.reason!, /exited with code 3/);
    assert.match(failed.reason!, /vllm: injected failure/);
    for (const p of rest) assert.equal(byId.get(p.id)!.status, 'ok', byId.get(p.id)!.reason);
    assert.equal(result.summary, 'PARTIAL: 2/6 points ok, 4 failed, 0 configs rejected');
    assert.deepEqual([result.outcome, result.ok, result.failed], ['partial', 2, 4]);

    // The failed deployment is torn down too (a half-up deployment may hold GPUs), then the sweep goes on.
    // After the failing point the sweep asks whether the deployment still serves (Ray, Serve, a
    // 2-token completion): it does, so the point is recorded failed and nothing is replaced.
    const [p1, ...pRest] = good.points;
    assert.deepEqual(steps, [
      'health', `deploy ${bad.id}`, `teardown ${bad.id}`, 'health', `deploy ${good.id}`, `bench ${p1!.id}`, 'health', 'deploymentStatus',
      ...pRest.map((p) => `bench ${p.id}`), `teardown ${good.id}`,
    ]);
    assert.equal(result.replacements, undefined, 'a live deployment is never replaced');
    await assertGpusFree(s.sim, 'after the sweep with failures');
  } finally {
    await s.sim.clearFaults();
  }
});

test('a sweep started with a short input (YAML paths on the worker, as from the Web UI or `temporal workflow start`) plans itself and sets its search attributes; a new run under its id with a copy of that input ("Start Workflow Like This One") measures afresh', async () => {
  const sweepDoc: SweepFile = {
    name: 'again', model: { id: s.cluster.model.id, servedName: s.cluster.model.servedName },
    workloads: [{ isl: 1000, osl: 100 }],
    deployments: [{ mode: 'collocated', replicas: [1], tp: [1] }],
    load: { concurrency: [2, 4], promptsPerConcurrency: 1 },
    retries: 0,
  };
  const sweepFile = path.join(s.dir, 'sweep-again.yaml');
  writeFileSync(sweepFile, stringifyYaml(sweepDoc));
  const plan = planFor(s, sweepDoc);
  const workflowId = `pdflow-test-sweep-again-${Date.now()}`;
  // Nothing but what a person types: two paths and a heartbeat.
  const args = [{ cluster: s.sim.clusterFile, sweep: sweepFile, options: { heartbeatTimeout: '5s' } }] as const;
  const runTwice = () => s.withWorker(async () => {
    const client = s.t.env.client;
    const h1 = await client.workflow.start('sweep', { taskQueue: s.taskQueue, workflowId, args: [...args] });
    const first = await h1.result() as SweepResultsView;
    const attrs = (await h1.describe()).typedSearchAttributes;
    const benchesAfterFirst = s.sim.countRuns('head', 'vllm');
    // The Web UI's "Start Workflow Like This One": same id (the default policy allows it once the first closed), same input.
    const h2 = await client.workflow.start('sweep', { taskQueue: s.taskQueue, workflowId, args: [...args] });
    const second = await h2.result() as SweepResultsView;
    assert.notEqual(h2.firstExecutionRunId, h1.firstExecutionRunId, 'a new run');
    return { first, second, benchesAfterFirst, attrs };
  });
  const before = s.sim.countRuns('head', 'vllm');
  const { first, second, benchesAfterFirst, attrs } = await runTwice();
  const points = plan.deployments[0]!.points.length;
  assert.deepEqual(first.records.map((r) => r.pointId), plan.deployments[0]!.points.map((p) => p.id), 'the workflow made the plan `pdflow plan` makes');
  assert.deepEqual([attrs.get(PdflowStage), attrs.get(PdflowSweep), attrs.get(PdflowCluster), attrs.get(PdflowOutcome)], ['sweep', 'again', s.cluster.name, 'ok']);
  assert.equal(benchesAfterFirst - before, points, 'the first run benchmarked every point');
  assert.equal(s.sim.countRuns('head', 'vllm') - benchesAfterFirst, points, `the second run benchmarked every point again (none re-attached to the first run's jobs); raw results: ${JSON.stringify([first.records.map((r) => r.rawResultPath), second.records.map((r) => r.rawResultPath)])}`);
  for (const r of second.records) assert.equal(r.status, 'ok', `${r.pointId}: ${r.reason}`);
  assert.notDeepEqual(second.records.map((r) => r.rawResultPath), first.records.map((r) => r.rawResultPath), 'the second run wrote its own raw results');
});

test('a short input that is wrong fails the run at once, never retried, with the field, the value and the fix; nothing runs on a node', async () => {
  const benches = s.sim.countRuns('head', 'vllm');
  const cases: Array<[string, unknown[], RegExp[]]> = [
    ['no input', [], [/sweep workflow's input must be an object with "cluster"/]],
    ['a missing file', [{ cluster: path.join(s.dir, 'nope.yaml'), sweep: 'x.yaml' }], [/input\.cluster/, /nope\.yaml/, /no such file on the worker's machine/]],
    ['no sweep', [{ cluster: s.sim.clusterFile }], [/needs "sweep"/]],
    ['an invalid sweep document', [{ cluster: s.sim.clusterFile, sweep: { name: 'bad', workloads: [] } }], [/input\.sweep/, /workloads|deployments|model/]],
  ];
  await s.withWorker(async () => {
    for (const [what, args, want] of cases) {
      const started = Date.now();
      const h = await s.t.env.client.workflow.start('sweep', { taskQueue: s.taskQueue, workflowId: `pdflow-test-bad-input-${Date.now()}`, args });
      const err = await h.result().then(() => undefined, (e: unknown) => e as Error & { cause?: Error & { type?: string; nonRetryable?: boolean } });
      assert.ok(err, `${what}: the run did not fail`);
      assert.equal(err.cause?.type, 'ConfigError', `${what}: ${err.cause?.message}`);
      for (const re of want) assert.match(err.cause?.message ?? '', re, what);
      assert.equal((await h.describe()).status.name, 'FAILED', what);
      assert.ok(Date.now() - started < 15_000, `${what}: took ${Date.now() - started} ms (retried?)`);
    }
  });
  assert.equal(s.sim.countRuns('head', 'vllm'), benches, 'nothing ran');
});

test('a sweep in which every point failed completes as FAILED (result, PdflowOutcome, details), never as ok', async () => {
  const plan = planFor(s, {
    name: 'all-failed',
    workloads: [{ isl: 1000, osl: 100 }],
    deployments: [{ mode: 'collocated', replicas: [1], tp: [1] }],
    load: { concurrency: [2, 4], promptsPerConcurrency: 1 },
    retries: 0,
  });
  await s.sim.fault('head', { kind: 'fail', program: 'vllm', times: 2, exitCode: 3 });
  try {
    const { result, attrs, status } = await s.withWorker(async () => {
      const h = await startSweep(s, plan);
      const result = await h.result();
      const d = await h.describe();
      return { result, attrs: d.typedSearchAttributes, status: d.status.name };
    });
    assert.equal(status, 'COMPLETED', 'the sweep itself ran to its end');
    assert.deepEqual([result.outcome, result.ok, result.failed], ['failed', 0, 2]);
    assert.match(result.summary, /^FAILED: 0\/2 points ok, 2 failed/);
    assert.deepEqual([attrs.get(PdflowOutcome), attrs.get(PdflowFailedPoints)], ['failed', 2]);
  } finally {
    await s.sim.clearFaults('head');
  }
});
