// Deployments that die mid-sweep are noticed and replaced: a head reboot, a reboot of the decode
// node and a killed Serve controller, each during a benchmark, end with every point ok. The point
// that was cut short is measured again under a new job (its aborted run kept in the record), the
// replacement is counted against the deployment, and a teardown that fails never fails the sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Stack } from '../helpers/stack.js';
import { onPreparedStack, planFor, startSweep, sleep, assertGpusFree } from '../helpers/sweep.js';
import { buildCommand } from '../../src/activities/ssh/quote.js';

const execFileP = promisify(execFile);
let s: Stack;
onPreparedStack((x) => { s = x; });

const plan = (name: string, pointMinutes = 0.5) => planFor(s, {
  name,
  workloads: [{ isl: 5000, osl: 250 }],
  // Prefill on worker-1, decode on worker-2, the benchmark on the head.
  deployments: [{ mode: 'pd-spread', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } }],
  load: { concurrency: [4, 8, 16], promptsPerConcurrency: 2 },
  retries: 1,
  // Requests to a dead decode engine hang (vllm bench serve would wait hours): the benchmark's
  // watch (Serve no longer RUNNING) or else the point's own limit ends them. A point here takes seconds.
  timeouts: { pointMinutes },
});

/** Waits until the `n`-th `vllm bench serve` of the sweep has started on the head. */
async function whenBench(n: number, vllm0: number): Promise<void> {
  const deadline = Date.now() + 240_000;
  while (s.sim.countRuns('head', 'vllm') - vllm0 < n) {
    assert.ok(Date.now() < deadline, `benchmark ${n} did not start`);
    await sleep(50);
  }
}

async function sweepWithFault(name: string, fault: () => Promise<void>, pointMinutes?: number) {
  const p = plan(name, pointMinutes);
  const vllm0 = s.sim.countRuns('head', 'vllm');
  return s.withWorker(async () => {
    const h = await startSweep(s, p);
    await whenBench(2, vllm0);
    await fault();
    const result = await h.result();
    return { p, result, id: h.workflowId };
  });
}

function assertReplaced(r: Awaited<ReturnType<typeof sweepWithFault>>, what: string) {
  const { p, result } = r;
  const dep = p.deployments[0]!;
  assert.deepEqual(result.records.map((x) => [x.pointId, x.status]), dep.points.map((x) => [x.id, 'ok']), `${what}: ${JSON.stringify(result.records.map((x) => x.reason))}`);
  assert.equal(result.outcome, 'ok');
  assert.ok((result.replacements?.[dep.id] ?? 0) >= 1, `${what}: the deployment was not replaced: ${JSON.stringify(result)}`);
  const aborted = result.records.flatMap((x) => (x.abortedAttempts ?? []).map((a) => ({ point: x.pointId, ...a })));
  assert.ok(aborted.length >= 1, `${what}: no aborted attempt was kept`);
  for (const a of aborted) assert.ok(a.reason && a.deploymentState, JSON.stringify(a));
  // Every point has exactly one completed record; the cut-short one was measured again.
  assert.equal(new Set(result.records.map((x) => x.pointId)).size, dep.points.length);
  return aborted;
}

test('a head reboot during a benchmark: Ray is repaired, the deployment replaced, every point ok', async () => {
  const r = await sweepWithFault('head-reboot', () => s.sim.fault('head', { kind: 'reboot', seconds: 8 }));
  const aborted = assertReplaced(r, 'head reboot');
  assert.match(aborted[0]!.deploymentState, /Ray|Serve/);
  await assertGpusFree(s.sim, 'after the head reboot sweep');
});

test('a reboot of the decode node during a benchmark: its hung benchmark is stopped once Serve says so, not at the point\'s timeout; every point ok', async () => {
  // A 3-minute point limit: without the watch the hung benchmark would hold the sweep 3 minutes
  // (and its retry as long again).
  const t0 = Date.now();
  const r = await sweepWithFault('decode-reboot', () => s.sim.fault('worker-2', { kind: 'reboot', seconds: 2 }), 3);
  const aborted = assertReplaced(r, 'decode node reboot');
  assert.match(aborted[0]!.reason, /RemoteJobStopped: .* was stopped after \d+ s: Serve says the application is/);
  assert.equal(aborted[0]!.attempts, 1, 'stopped, not retried on the dead deployment');
  assert.ok(Date.now() - t0 < 170_000, `the sweep took ${Math.round((Date.now() - t0) / 1000)} s: the hung benchmark waited out its limit`);
  await assertGpusFree(s.sim, 'after the decode node reboot sweep');
});

test('Serve\'s controller killed during a benchmark: every point ok, and the sweep completes', async () => {
  const head = s.sim.node('head');
  const py = path.join(head.workdir, 'venv/bin/python');
  const kill = 'import ray, sys; ray.init(address=sys.argv[1], logging_level="ERROR"); '
    + 'ray.kill(ray.get_actor("SERVE_CONTROLLER_ACTOR", namespace="serve"), no_restart=True); print("killed")';
  const address = `${s.cluster.nodes.find((n) => n.role === 'head')!.host}:${s.cluster.ray.port}`;
  const r = await sweepWithFault('controller-kill', async () => {
    const { stdout } = await execFileP('ssh', s.sim.sshArgs('head', [buildCommand([py, '-c', kill, address])]), { timeout: 120_000 });
    assert.match(stdout, /killed/);
  });
  const dep = r.p.deployments[0]!;
  assert.deepEqual(r.result.records.map((x) => [x.pointId, x.status]), dep.points.map((x) => [x.id, 'ok']), JSON.stringify(r.result.records.map((x) => x.reason)));
  assert.equal(r.result.outcome, 'ok');
  // The replicas and proxies outlive their controller and keep serving; serve.shutdown() no longer
  // knows them, so the teardown kills what is left in Serve's namespace (else their GPUs stay held).
  const log = readFileSync(path.join(s.runsDir, r.id, 'head', `teardown-${dep.id}-g1.log`), 'utf8');
  assert.match(log, /Serve is not running: nothing to shut down/);
  assert.match(log, /killed \d+ leftover Serve actor\(s\)/);
  assert.equal(r.result.teardownFailures, undefined, 'the teardown freed the GPUs itself');
  await assertGpusFree(s.sim, 'after the controller kill sweep');
});
