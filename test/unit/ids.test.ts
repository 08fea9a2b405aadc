import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timestampId, workflowId } from '../../src/common/ids.js';
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
