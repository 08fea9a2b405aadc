// A worker killed (SIGKILL) during the UCX build: a new worker re-attaches to the build job on
// the node instead of starting it again, and the pipeline completes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from '../helpers/stack.js';
import { pipeline } from '../../src/workflows/pipeline.js';

let s: Stack;
// Slow enough that the UCX build lasts several seconds.
before(async () => { s = await startStack({ sim: { workers: 1, timeScale: 0.3 } }); });
after(async () => { await s?.teardown(); });

function ucxJobRunning(): boolean {
  const jobs = path.join(s.sim.node('worker-1').workdir, 'jobs');
  if (!existsSync(jobs)) return false;
  return readdirSync(jobs).some((d) => d.includes('build-ucx') && existsSync(path.join(jobs, d, 'pid')) && !existsSync(path.join(jobs, d, 'exit')));
}

test('killing the worker during the UCX build: a new worker re-attaches and the build ran once', async () => {
  const first = await s.startWorkerProcess();
  const handle = await s.t.env.client.workflow.start(pipeline, {
    taskQueue: s.taskQueue, workflowId: `pdflow-test-crash-${Date.now()}`,
    args: [{ cluster: s.cluster, stages: ['provision', 'build'], heartbeatTimeout: '5s' }],
  });
  const deadline = Date.now() + 240_000;
  while (!ucxJobRunning()) {
    assert.ok(Date.now() < deadline, 'the UCX build job never started on worker-1');
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1000));
  await s.killWorkerProcess(first);
  assert.ok(ucxJobRunning(), 'the build goes on without a worker');
  await s.startWorkerProcess();
  const result = await handle.result();
  assert.match(result.stages[1]!.nodes['worker-1']!, /UCX 1\.20\.0 built, srd on 32 devices; NIXL 0\.6\.1 built/);
  assert.equal(s.sim.countRuns('worker-1', 'configure'), 1, 'configure ran once on worker-1');
});
