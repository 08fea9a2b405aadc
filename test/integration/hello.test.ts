import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { startTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.js';
import { createPdflowWorker } from '../../src/worker.js';
import { hello } from '../../src/workflows/hello.js';
import { PdflowStage } from '../../src/common/search-attributes.js';

let t: TestTemporal;
before(async () => { t = await startTestTemporal(); });
after(async () => { await t?.teardown(); });

test('hello workflow runs end to end on a real dev server and is findable by search attribute', async () => {
  const taskQueue = uniqueTaskQueue('hello');
  const worker = await createPdflowWorker({ connection: t.env.nativeConnection, namespace: 'default', taskQueue, deps: { runsDir: os.tmpdir() } });
  const workflowId = `pdflow-test-hello-${Date.now()}`;
  const result = await worker.runUntil(
    t.env.client.workflow.execute(hello, {
      taskQueue,
      workflowId,
      args: ['tester'],
      typedSearchAttributes: [{ key: PdflowStage, value: 'hello' }],
    }),
  );
  assert.match(result, /^Hello, tester, from worker .+ \(pid \d+\)$/);
  const desc = await t.env.client.workflow.getHandle(workflowId).describe();
  assert.equal(desc.status.name, 'COMPLETED');
  assert.equal(desc.typedSearchAttributes.get(PdflowStage), 'hello');
});
