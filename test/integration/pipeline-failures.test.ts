// The pipeline's gates on a simulated cluster (1 head + 2 workers) that is wrong in known ways:
// each fails the right stage, non-retryable, with a message that names the node, the values and
// what to do. One cluster for the file: provisioned and built once, then varied test by test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState, WorkflowNotFoundError } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startStack, type Stack } from '../helpers/stack.js';
import { createActivities } from '../../src/activities/index.js';
import { SshPool } from '../../src/activities/ssh/pool.js';
import type { RayHealth } from '../../src/parse/index.js';
import { pipeline } from '../../src/workflows/pipeline.js';
import { buildCommand } from '../../src/activities/ssh/quote.js';
import type { ClusterConfig } from '../../src/config/index.js';
import type { StageName } from '../../src/workflows/stage-types.js';

const execFileP = promisify(execFile);
let s: Stack;
/** The cluster as it really is (worker-2 has 7 GPUs, and the sim's cluster file says so). */
let truthful: ClusterConfig;
let seq = 0;

before(async () => {
  s = await startStack({ sim: { workers: 2, perNodeGpus: { 'worker-2': 7 } } });
  truthful = structuredClone(s.cluster);
  assert.equal(truthful.nodes.find((n) => n.name === 'worker-2')!.gpus.count, 7);
});
after(async () => { await s?.teardown(); });

const newId = () => `pdflow-test-gates-${Date.now()}-${seq++}`;

function pipelineRun(cluster: ClusterConfig, stages: StageName[], workflowId = newId()) {
  return s.withWorker(() => s.t.env.client.workflow.execute(pipeline, {
    taskQueue: s.taskQueue, workflowId, args: [{ cluster, stages, heartbeatTimeout: '10s' }],
  }));
}

/** The pipeline's own failure: WorkflowFailedError -> ApplicationFailure (non-retryable, the stage's type). */
async function pipelineFailure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => assert.fail('the pipeline should have failed'), (e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  assert.equal(err.cause.nonRetryable, true, 'the pipeline failure is non-retryable');
  return err.cause;
}

/** The stage child's failure: the ApplicationFailure at the end of its cause chain, and the activity that threw it (if one did). */
async function stageFailure(workflowId: string, stage: StageName): Promise<{ app: ApplicationFailure; activity?: ActivityFailure }> {
  const err = await s.t.env.client.workflow.getHandle(`${workflowId}-${stage}`).result().then(() => assert.fail(`stage ${stage} should have failed`), (e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError, String(err));
  const activity = err.cause instanceof ActivityFailure ? err.cause : undefined;
  const app = activity ? activity.cause : err.cause;
  assert.ok(app instanceof ApplicationFailure, String(app));
  return { app, activity };
}

/** Polls the product's own Ray health check (the activity, run with a test activity context). */
async function waitForRayToMiss(node: string): Promise<void> {
  const sshPool = new SshPool();
  const acts = createActivities({ runsDir: s.runsDir, sshPool });
  const env = new MockActivityEnvironment();
  const deadline = Date.now() + 120_000;
  try {
    for (;;) {
      const h = await env.run(acts.checkRayHealth, { cluster: truthful }) as RayHealth;
      if (h.problems.some((p) => p.includes(node))) return;
      assert.ok(Date.now() < deadline, `Ray still sees ${node} two minutes after its reboot: ${h.summary}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    await sshPool.closeAll();
  }
}

async function waitForSsh(node: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await execFileP('ssh', s.sim.sshArgs(node, ['true']), { timeout: 10_000 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

test('a node with 7 GPUs where the cluster file says 8 fails provision, non-retryable, naming node and counts', async () => {
  const claims8 = structuredClone(truthful);
  claims8.nodes.find((n) => n.name === 'worker-2')!.gpus.count = 8;
  const id = newId();
  const f = await pipelineFailure(pipelineRun(claims8, ['provision', 'build'], id));
  assert.equal(f.type, 'InventoryMismatch');
  assert.match(f.message, /^stage provision failed on cluster sim: node worker-2: 7 GPUs, the cluster file says 8 \(nvidia-smi lists 0-6\)/);
  assert.doesNotMatch(f.message, /node (head|worker-1)\b/);
  // The inventory activity failed once, non-retryable; the pipeline stopped before build.
  const { app, activity } = await stageFailure(id, 'provision');
  assert.equal(activity?.activityType, 'inventoryNode');
  assert.equal(activity?.retryState, RetryState.NON_RETRYABLE_FAILURE);
  assert.equal(app.type, 'InventoryMismatch');
  assert.equal(app.nonRetryable, true);
  await assert.rejects(s.t.env.client.workflow.getHandle(`${id}-build`).describe(), WorkflowNotFoundError);
});

test('with the truth in the file, provision, build and ray pass', async () => {
  const r = await pipelineRun(truthful, ['provision', 'build', 'ray']);
  assert.match(r.stages[0]!.nodes['worker-2']!, /^7× NVIDIA H100 80GB HBM3, 32 EFA/);
  assert.match(r.stages[1]!.nodes['worker-2']!, /UCX 1\.20\.0 built, srd on 32 devices/);
  assert.match(r.stages[2]!.nodes['cluster']!, /3 nodes, 15 GPUs/);
});

test('a network at TCP speed (UCX_TLS=tcp in the nodes\' env) fails validate with the tcp explanation', async () => {
  const tcp = structuredClone(truthful);
  for (const n of tcp.nodes) n.env = { ...n.env, UCX_TLS: 'tcp' };
  const id = newId();
  const f = await pipelineFailure(pipelineRun(tcp, ['validate'], id));
  assert.equal(f.type, 'GateFailed');
  // The measured figure, the transport and the likely cause.
  assert.match(f.message, /^stage validate failed on cluster sim: \w+ transfer [\w ]+ \(UCX\/tcp\): 0\.\d+ GB\/s \(median of 3 READs after 1 warm-up\) over tcp\. UCX moved the data over TCP: check UCX_TLS/);
  const { app, activity } = await stageFailure(id, 'validate');
  assert.equal(activity?.activityType, 'runTransferTest');
  assert.equal(activity?.retryState, RetryState.NON_RETRYABLE_FAILURE);
  assert.equal(app.type, 'GateFailed');
});

test('a node that reboots between ray and validate is named missing; re-running ray repairs it', async () => {
  await s.sim.fault('worker-1', { kind: 'reboot', seconds: 1 });
  await waitForSsh('worker-1');
  // A real node's reboot outlasts the seconds Ray's GCS takes to call a silent raylet dead; the
  // sim's reboot takes one second, so wait for the GCS to see it, as it would have by then.
  await waitForRayToMiss('worker-1');
  const f = await pipelineFailure(pipelineRun(truthful, ['validate']));
  assert.equal(f.type, 'GateFailed');
  assert.match(f.message, /^stage validate failed on cluster sim: Ray is not healthy: missing node\(s\) worker-1: 2 of 3 nodes alive in Ray, 7 of 15 GPUs/);
  assert.doesNotMatch(f.message, /worker-2|head/);
  assert.match(f.message, /re-run the ray stage/i);

  const r = await pipelineRun(truthful, ['ray', 'validate']);
  assert.deepEqual(r.stages.map((x) => x.stage), ['ray', 'validate']);
  assert.match(r.stages[0]!.nodes['head']!, /unchanged/);
  assert.doesNotMatch(r.stages[0]!.nodes['worker-1']!, /unchanged/);
  assert.match(r.stages[0]!.nodes['cluster']!, /3 nodes, 15 GPUs: head 127\.0\.0\.\d+, worker-1 127\.0\.0\.\d+ \(8 GPUs\), worker-2 127\.0\.0\.\d+ \(7 GPUs\)/);
  assert.match(r.stages[1]!.nodes['spread']!, /UCX\/srd\): 1\d\.\d GB\/s/);
});

test('a UCX built without EFA fails validate with the ud_verbs explanation; the build stage repairs it', async () => {
  // What a user might do by hand on the workers: rebuild UCX without EFA, then NIXL against it.
  for (const name of ['worker-1', 'worker-2']) {
    const w = s.sim.node(name).workdir;
    const ucx = [`${w}/scripts/build-ucx.sh`, '--src', 'https://github.com/openucx/ucx.git', '--ref', 'v1.20.0', '--prefix', `${w}/ucx`, '--with-efa', 'no', '--build-root', `${w}/build`, '--force'];
    const nixl = [`${w}/scripts/build-nixl.sh`, '--src', 'https://github.com/ai-dynamo/nixl.git', '--ref', '0.6.1', '--ucx-prefix', `${w}/ucx`, '--prefix', `${w}/nixl`, '--venv', `${w}/venv`, '--build-root', `${w}/build`, '--force'];
    for (const argv of [ucx, nixl]) await execFileP('ssh', s.sim.sshArgs(name, [buildCommand(['bash', ...argv])]), { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
    const { stdout } = await execFileP('ssh', s.sim.sshArgs(name, [buildCommand([`${w}/ucx/bin/ucx_info`, '-d'])]));
    assert.doesNotMatch(stdout, /Transport: srd/, `${name}: UCX without EFA lists no srd`);
  }
  const id = newId();
  const f = await pipelineFailure(pipelineRun(truthful, ['validate'], id));
  assert.equal(f.type, 'GateFailed');
  assert.match(f.message, /^stage validate failed on cluster sim: spread transfer across nodes \(UCX\/ud_verbs\): 0\.\d+ GB\/s \(median of 3 READs after 1 warm-up\) over ud_verbs\. UCX was built without EFA/);
  assert.match(f.message, /rebuild UCX with --with-efa/);
  const { activity } = await stageFailure(id, 'validate');
  assert.equal(activity?.retryState, RetryState.NON_RETRYABLE_FAILURE);

  // Following the advice: the build stage sees other flags in the marker and rebuilds with EFA.
  const r = await pipelineRun(truthful, ['build', 'validate']);
  // srd is judged in pdflow from build-ucx.sh's raw ucx_info output; NIXL is rebuilt against the new UCX.
  for (const n of ['worker-1', 'worker-2']) assert.match(r.stages[0]!.nodes[n]!, /^UCX 1\.20\.0 built, srd on 32 devices; NIXL 0\.6\.1 built$/, n);
  assert.match(r.stages[0]!.nodes['head']!, /^UCX 1\.20\.0 unchanged/);
  assert.match(r.stages[1]!.nodes['spread']!, /UCX\/srd\): 1\d\.\d GB\/s/);
});

test('the PyPI nixl wheel (its own UCX, no EFA) installed over the build, as ray[llm] does, is replaced by the build stage', async () => {
  const w = s.sim.node('worker-1').workdir;
  await execFileP('ssh', s.sim.sshArgs('worker-1', [buildCommand([`${w}/venv/bin/pip`, 'install', '--force-reinstall', '--no-deps', 'nixl==0.6.1'])]), { timeout: 120_000 });
  const r = await pipelineRun(truthful, ['build']);
  assert.match(r.stages[0]!.nodes['worker-1']!, /^UCX 1\.20\.0 unchanged, srd on 32 devices; NIXL 0\.6\.1 built \(replaced the PyPI nixl wheel\)$/);
  assert.match(r.stages[0]!.nodes['worker-2']!, /; NIXL 0\.6\.1 unchanged$/);
});
