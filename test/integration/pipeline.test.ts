// The setup pipeline on a fresh simulated cluster (1 head + 2 workers), real dev server, real sshd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../helpers/stack.js';
import { pipeline } from '../../src/workflows/pipeline.js';
import { failureText } from '../../src/cli/describe-run.js';

let s: Stack;
before(async () => { s = await startStack({ sim: { workers: 2, timeScale: 0.25 } }); });
after(async () => { await s?.teardown(); });

// Time runs at a quarter of real speed, so builds and downloads weigh as they do on real nodes.
// Smoke deploys a model every time, so the rerun comparison leaves it out.
test('the whole pipeline passes on a fresh cluster; run again it skips the builds and is at least 5x faster', async () => {
  const run = (id: string, stages?: ('provision' | 'build' | 'ray' | 'validate')[]) => s.t.env.client.workflow.execute(pipeline, {
    taskQueue: s.taskQueue, workflowId: id, args: [{ cluster: s.cluster, heartbeatTimeout: '10s', stages }],
  }).catch((err: unknown) => { throw new Error(`${id}: ${failureText(err)}`); });
  const first = await s.withWorker(() => run(`pdflow-test-pipeline-${Date.now()}-1`, ['provision', 'build', 'ray', 'validate']));
  assert.deepEqual(first.stages.map((x) => x.stage), ['provision', 'build', 'ray', 'validate']);
  assert.match(first.stages[1]!.nodes['worker-1']!, /UCX 1\.20\.0 built, srd on 32 devices; NIXL 0\.6\.1 built/);
  const second = await s.withWorker(() => run(`pdflow-test-pipeline-${Date.now()}-2`));
  assert.deepEqual(second.stages.map((x) => x.stage), ['provision', 'build', 'ray', 'validate', 'smoke']);
  assert.match(second.stages[4]!.nodes['query']!, /TTFT \d+ ms/);
  assert.match(second.stages[4]!.nodes['teardown']!, /GPUs free/);
  // The output check: a collocated TP1 reference was made (the store had none), then the PD smoke deployment agreed with it.
  assert.match(second.stages[4]!.nodes['reference teardown']!, /reference 1x TP1 .*GPUs free/);
  assert.match(second.stages[4]!.nodes['answers']!, /^32\/32 prompts agree with the collocated TP1 reference on their first 16 tokens \(mean common prefix 16\)$/);
  assert.ok(await s.resultsStore.answerReference((await import('../../src/analysis/output-check.js')).referenceKey({
    modelId: s.cluster.model.id, modelSource: 'huggingface', vllmVersion: s.cluster.software.vllm.version, tp: 1, maxModelLen: 16000, prompts: 32, tokens: 16,
  })), 'the smoke stage keeps its reference in the results store');
  for (const n of ['head', 'worker-1', 'worker-2']) {
    assert.match(second.stages[1]!.nodes[n]!, /UCX 1\.20\.0 unchanged.*NIXL 0\.6\.1 unchanged/);
    assert.match(second.stages[0]!.nodes[n]!, /packages unchanged; model cached/);
  }
  assert.match(second.stages[2]!.nodes['head']!, /unchanged/);
  const setup = (r: typeof first) => r.stages.filter((x) => x.stage !== 'smoke').reduce((n, x) => n + x.seconds, 0);
  assert.match(first.stages[3]!.nodes['spread']!, /UCX\/srd\): 1\d\.\d GB\/s/);
  const detail = (r: typeof first) => r.stages.map((x) => `${x.stage} ${x.seconds.toFixed(1)}s`).join(', ');
  assert.ok(setup(first) >= 5 * setup(second), `first run ${setup(first).toFixed(1)} s (${detail(first)}), second ${setup(second).toFixed(1)} s (${detail(second)})`);
});
