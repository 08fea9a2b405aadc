// The pipeline's gates on a simulated cluster that is wrong in known ways: each fails the right
// stage with a message that names the node, the values and what to do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startStack, type Stack } from '../helpers/stack.js';
import { pipeline } from '../../src/workflows/pipeline.js';
import { buildCommand } from '../../src/activities/ssh/quote.js';
import type { ClusterConfig } from '../../src/config/index.js';
import type { StageName } from '../../src/workflows/stage-types.js';

const run = promisify(execFile);
let s: Stack;
/** The cluster as it really is (worker-2 has 7 GPUs). */
let truthful: ClusterConfig;
let seq = 0;

before(async () => {
  s = await startStack({ sim: { workers: 2, perNodeGpus: { 'worker-2': 7 } } });
  truthful = structuredClone(s.cluster);
  assert.equal(truthful.nodes.find((n) => n.name === 'worker-2')!.gpus.count, 7);
});
after(async () => { await s?.teardown(); });

function pipelineRun(cluster: ClusterConfig, stages: StageName[]) {
  return s.withWorker(() => s.t.env.client.workflow.execute(pipeline, {
    taskQueue: s.taskQueue, workflowId: `pdflow-test-gates-${Date.now()}-${seq++}`, args: [{ cluster, stages, heartbeatTimeout: '10s' }],
  }));
}

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => assert.fail('the pipeline should have failed'), (e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  return err.cause;
}

test('a node with 7 GPUs where the cluster file says 8 fails provision, naming node and counts', async () => {
  const claims8 = structuredClone(truthful);
  claims8.nodes.find((n) => n.name === 'worker-2')!.gpus.count = 8;
  const f = await failure(pipelineRun(claims8, ['provision']));
  assert.equal(f.type, 'InventoryMismatch');
  assert.match(f.message, /stage provision failed/);
  assert.match(f.message, /node worker-2: 7 GPUs, the cluster file says 8/);
});

test('with the truth in the file, provision, build and ray pass', async () => {
  const r = await pipelineRun(truthful, ['provision', 'build', 'ray']);
  assert.match(r.stages[2]!.nodes['cluster']!, /3 nodes, 15 GPUs/);
});

test('a network at TCP speed (UCX_TLS=tcp) fails validate with the tcp explanation', async () => {
  const tcp = structuredClone(truthful);
  for (const n of tcp.nodes) n.env = { ...n.env, UCX_TLS: 'tcp' };
  const f = await failure(pipelineRun(tcp, ['validate']));
  assert.equal(f.type, 'GateFailed');
  assert.match(f.message, /over tcp/);
  assert.match(f.message, /UCX_TLS/);
});

test('a node that reboots between ray and validate is named missing; re-running ray repairs it', async () => {
  await s.sim.fault('worker-1', { kind: 'reboot', seconds: 1 });
  await new Promise((r) => setTimeout(r, 2500));
  const f = await failure(pipelineRun(truthful, ['validate']));
  assert.equal(f.type, 'GateFailed');
  assert.match(f.message, /missing node\(s\) worker-1/);
  const r = await pipelineRun(truthful, ['ray', 'validate']);
  assert.match(r.stages[1]!.nodes['spread']!, /UCX\/srd\): 1\d\.\d GB\/s/);
});

test('a UCX built without EFA fails validate with the ud_verbs explanation', async () => {
  for (const name of ['worker-1', 'worker-2']) {
    const w = s.sim.node(name).workdir;
    const ucx = [`${w}/scripts/build-ucx.sh`, '--src', 'https://github.com/openucx/ucx.git', '--ref', 'v1.20.0', '--prefix', `${w}/ucx`, '--with-efa', 'no', '--build-root', `${w}/build`, '--force'];
    const nixl = [`${w}/scripts/build-nixl.sh`, '--src', 'https://github.com/ai-dynamo/nixl.git', '--ref', '0.6.1', '--ucx-prefix', `${w}/ucx`, '--prefix', `${w}/nixl`, '--venv', `${w}/venv`, '--build-root', `${w}/build`, '--force'];
    for (const argv of [ucx, nixl]) await run('ssh', s.sim.sshArgs(name, [buildCommand(['bash', ...argv])]), { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
  }
  const f = await failure(pipelineRun(truthful, ['validate']));
  assert.equal(f.type, 'GateFailed');
  assert.match(f.message, /over ud_verbs/);
  assert.match(f.message, /rebuild UCX with --with-efa/);
});
