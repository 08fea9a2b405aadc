// A worker killed (SIGKILL) during the UCX build: a new worker process re-attaches to the build job
// on the node instead of starting it again, and the pipeline completes with the build run once.
// Simulated cluster of 1 head + 2 workers; worker-1 builds slowly (a sim "slow" fault on its
// configure and make) so the kill lands mid-build while the rest of the run stays fast.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/sweep.js';
import { pipeline } from '../../src/workflows/pipeline.js';
import type { RemoteJobHeartbeat } from '../../src/activities/ssh/remote-job.js';

const NODES = ['head', 'worker-1', 'worker-2'];
let s: Stack;
before(async () => {
  s = await startStack({ sim: { workers: 2, timeScale: 0.02 } });
  // UCX configure + make on worker-1 at half real speed: several seconds, the rest stays fast.
  for (const program of ['configure', 'make']) await s.sim.fault('worker-1', { kind: 'slow', program, factor: 25 });
});
after(async () => { await s?.teardown(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Job ids are made file-safe ("build-ucx@worker-1" becomes "build-ucx_worker-1-<hash>").
const UCX_JOB_OF_WORKER_1 = /build-ucx[@_]worker-1\b/;

/** The job folders of worker-1's UCX build (an archived earlier run would be "<id>.attempt-N"). */
function ucxJobDirs(): string[] {
  const jobs = path.join(s.sim.node('worker-1').workdir, 'jobs');
  return existsSync(jobs) ? readdirSync(jobs).filter((d) => UCX_JOB_OF_WORKER_1.test(d)).map((d) => path.join(jobs, d)) : [];
}

/** The phase worker-1's buildUcx activity last heartbeated, as the server holds it (undefined: none yet). */
async function ucxHeartbeatPhase(buildWorkflowId: string): Promise<string | undefined> {
  const d = await s.t.env.client.workflow.getHandle(buildWorkflowId).describe().catch(() => undefined);
  for (const a of d?.raw.pendingActivities ?? []) {
    const payload = a.heartbeatDetails?.payloads?.[0];
    if (a.activityType?.name !== 'buildUcx' || !payload) continue;
    const hb = defaultPayloadConverter.fromPayload<RemoteJobHeartbeat>(payload as temporal.api.common.v1.IPayload);
    if (UCX_JOB_OF_WORKER_1.test(hb.jobId)) return hb.phase;
  }
  return undefined;
}

/** The attempt that completed each node's buildUcx, from the build child's history. */
async function ucxAttempts(buildWorkflowId: string): Promise<Record<string, number>> {
  const history = await s.t.env.client.workflow.getHandle(buildWorkflowId).fetchHistory();
  const nodeOf = new Map<string, string>();
  const attempts: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const sched = e.activityTaskScheduledEventAttributes;
    if (sched?.activityType?.name === 'buildUcx') {
      // One payload per argument; the only argument is { cluster, node }.
      const arg = defaultPayloadConverter.fromPayload<{ node: string }>(sched.input!.payloads![0]!);
      nodeOf.set(String(e.eventId), arg.node);
    }
    const started = e.activityTaskStartedEventAttributes;
    const node = started && nodeOf.get(String(started.scheduledEventId));
    if (node) attempts[node] = started.attempt ?? 0;
  }
  return attempts;
}

test('killing the worker during the UCX build: a new worker re-attaches and the build ran once', async () => {
  const first = await s.startWorkerProcess();
  const workflowId = `pdflow-test-crash-${Date.now()}`;
  const handle = await s.t.env.client.workflow.start(pipeline, {
    taskQueue: s.taskQueue, workflowId, args: [{ cluster: s.cluster, stages: ['provision', 'build'], heartbeatTimeout: '5s' }],
  });
  // Provision first (its pip installs take minutes on a loaded 2-core machine): the build's clock starts after it.
  await waitFor('the provision stage to finish', () => s.t.env.client.workflow.getHandle(`${workflowId}-provision`).describe().then((d) => d.status.name), (st) => st === 'COMPLETED', 600_000, 1000);
  // Kill once the activity itself has reported the build running (heartbeat phase make).
  const deadline = Date.now() + 150_000;
  let phase: string | undefined;
  while ((phase = await ucxHeartbeatPhase(`${workflowId}-build`)) !== 'make') {
    assert.ok(Date.now() < deadline, `worker-1's UCX build never reached make (last heartbeat phase ${phase ?? 'none'}):\n${first.output().slice(-3000)}`);
    await sleep(250);
  }
  await s.killWorkerProcess(first);
  const [jobDir] = ucxJobDirs();
  assert.ok(jobDir, 'worker-1 has a UCX build job');
  assert.ok(!existsSync(path.join(jobDir, 'exit')), 'the build was still running when the worker died');
  assert.equal(s.sim.countRuns('worker-1', 'configure'), 1);
  await sleep(1000);
  assert.ok(!existsSync(path.join(jobDir, 'exit')), 'the build goes on without a worker');

  const second = await s.startWorkerProcess();
  const result = await handle.result();
  assert.deepEqual(result.stages.map((x) => x.stage), ['provision', 'build']);
  for (const n of NODES) {
    // "built", not "unchanged": the result is the first run's (a second run would find its marker).
    assert.match(result.stages[1]!.nodes[n]!, /^UCX 1\.20\.0 built(, srd on 32 devices)?; NIXL 0\.6\.1 built( \(replaced the PyPI nixl wheel\))?$/, n);
    assert.equal(s.sim.countRuns(n, 'configure'), 1, `UCX configure ran once on ${n}`);
  }
  // The same job, never archived and started again; its own log holds one configure and one make.
  assert.deepEqual(ucxJobDirs(), [jobDir]);
  assert.equal(readFileSync(path.join(jobDir, 'exit'), 'utf8').trim(), '0');
  const log = readFileSync(path.join(jobDir, 'log'), 'utf8');
  assert.equal(log.match(/^::phase configure$/gm)?.length, 1, log.slice(-2000));
  assert.equal(log.match(/^::phase make$/gm)?.length, 1, log.slice(-2000));
  // The kill interrupted worker-1's build activity: a later attempt, on the new worker, attached.
  const attempts = await ucxAttempts(`${workflowId}-build`);
  assert.ok((attempts['worker-1'] ?? 0) >= 2, `worker-1's buildUcx completed on attempt ${attempts['worker-1']}`);
  assert.match(second.output(), /attached to job \S*build-ucx[@_]worker-1/);
  assert.doesNotMatch(second.output(), /started job \S*build-ucx[@_]worker-1/);
});
