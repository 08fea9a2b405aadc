import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sweepChildId, timestampId, workflowId } from '../../src/common/ids.js';
import { runJobId } from '../../src/activities/remote.js';
import { localDevServerAddress } from '../../src/cli/commands/demo.js';

test('workflow ids: cluster, what, the UTC second, and -N from the second start in that second on', () => {
  const d = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
  const cases: Array<[string, string, number | undefined, string]> = [
    ['p5', 'sweep', undefined, 'pdflow-p5-sweep-20260102-030405'],
    ['p5', 'pipeline', 1, 'pdflow-p5-pipeline-20260102-030405'],
    ['p5', 'pipeline', 2, 'pdflow-p5-pipeline-20260102-030405-2'],
    ['sim', 'sweep', 13, 'pdflow-sim-sweep-20260102-030405-13'],
  ];
  for (const [cluster, what, attempt, want] of cases) assert.equal(workflowId(cluster, what, d, attempt), want);
  assert.equal(timestampId(new Date(Date.UTC(2026, 11, 31, 23, 59, 59))), '20261231-235959');
});

test('the demo starts a dev server only on a loopback address', () => {
  const cases: Array<[string, { ip: string; port: number } | undefined]> = [
    ['127.0.0.1:7233', { ip: '127.0.0.1', port: 7233 }],
    ['127.0.0.5:7300', { ip: '127.0.0.5', port: 7300 }],
    ['localhost:7233', { ip: '127.0.0.1', port: 7233 }],
    ['temporal.internal:7233', undefined],
    ['10.0.0.4:7233', undefined],
    ['my-ns.a1b2c.tmprl.cloud:7233', undefined],
    ['127.0.0.1', undefined],
  ];
  for (const [address, want] of cases) assert.deepEqual(localDevServerAddress(address), want, address);
});

test('a pipeline names its sweep child from its own id (never from its input)', () => {
  const cases: Array<[string, string]> = [
    ['pdflow-p5-pipeline-20260102-030405', 'pdflow-p5-sweep-20260102-030405'],
    ['pdflow-p5-pipeline-20260102-030405-2', 'pdflow-p5-sweep-20260102-030405-2'],
    ['pdflow-p5-pipeline-scheduled-2026-01-02T22:00:00Z', 'pdflow-p5-sweep-scheduled-2026-01-02T22:00:00Z'],
    // A cluster whose name holds "pipeline": only the last "-pipeline-" is the kind.
    ['pdflow-pipeline-lab-pipeline-20260102-030405', 'pdflow-pipeline-lab-sweep-20260102-030405'],
    ['my-own-id', 'my-own-id-sweep'],
  ];
  for (const [pipeline, want] of cases) assert.equal(sweepChildId(pipeline), want);
});

test('remote job ids: the same for one run (retries, continue-as-new), different for a new run under the same workflow id', () => {
  const wf = 'pdflow-p5-sweep-20260102-030405';
  const a = runJobId(wf, '0195e1c2-aaaa-7bbb-8ccc-111111111111', 'bench-x', 'head');
  assert.equal(a, runJobId(wf, '0195e1c2-aaaa-7bbb-8ccc-111111111111', 'bench-x', 'head'));
  assert.notEqual(a, runJobId(wf, '7f3e9d10-aaaa-7bbb-8ccc-111111111111', 'bench-x', 'head'));
  // Time-ordered run ids of runs started close together share their first digits.
  assert.notEqual(a, runJobId(wf, '0195e1c2-aaaa-7bbb-8ccc-222222222222', 'bench-x', 'head'));
  assert.notEqual(a, runJobId(wf, '0195e1c2-aaaa-7bbb-8ccc-111111111111', 'bench-x', 'gpu-1'));
  assert.match(a, /^pdflow-p5-sweep-20260102-030405\.[0-9a-f]{8}\.bench-x_head-[0-9a-f]{12}$/);
});
