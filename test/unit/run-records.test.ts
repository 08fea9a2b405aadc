// Where `pdflow results <id>` finds a sweep's records: an ended, complete run in the store needs
// no server; an unfinished one is read from the store when Temporal cannot answer; a run in
// neither names the store it searched. (Temporal is not reachable here: its connect fails.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runRecords } from '../../src/cli/run-records.js';
import { BadInputError, CliError, EXIT, TemporalUnreachableError } from '../../src/cli/errors.js';
import { openResultsStore } from '../../src/results-store/store.js';
import type { BenchPointRecord } from '../../src/analysis/records.js';

const rec = (pointId: string): BenchPointRecord => ({
  pointId, status: 'failed', reason: 'x', attempt: 1, timings: { startedAt: '2026-12-01T10:00:00.000Z', durationSec: 1 },
  deployment: { id: 'd', name: 'd', mode: 'collocated', replicas: { count: 1, tp: 1 }, gpus: 1 }, workload: { isl: 1, osl: 1, mode: 'mixed' }, load: { numPrompts: 1 },
});
const start = { sweep: 'n', cluster: 'c', startedAt: '2026-12-01T09:00:00.000Z', rejected: [], totalPoints: 2 };

test('results <id>: the store first, Temporal only when the store lacks something, an error naming the store otherwise', async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'pdflow-run-records-')), 'results.db');
  const store = openResultsStore(file);
  let temporalCalls = 0;
  const temporal = () => {
    temporalCalls++;
    return Promise.reject(new TemporalUnreachableError('127.0.0.1:1', 'connection refused'));
  };
  const done = { workflowId: 'sweep-done', firstRunId: 'r1' };
  await store.putRun(done, start, { endedAt: '2026-12-01T11:00:00.000Z', status: 'completed', outcome: 'failed', failedDeployments: [], gpuHours: 2 });
  await store.putRecord(done, { index: 1, record: rec('b') });
  await store.putRecord(done, { index: 0, record: rec('a') });
  const view = await runRecords('sweep-done', { store, temporal });
  assert.deepEqual([view.status, view.records.map((r) => r.pointId), view.gpuHours, temporalCalls], ['COMPLETED', ['a', 'b'], 2, 0]);
  assert.match(view.source, /^the results store \(SQLite .*results\.db\)$/);

  const running = { workflowId: 'sweep-running', firstRunId: 'r1' };
  await store.putRun(running, start);
  await store.putRecord(running, { index: 0, record: rec('a') });
  const partial = await runRecords('sweep-running', { store, temporal });
  assert.deepEqual([partial.status, partial.records.length, temporalCalls], ['UNFINISHED', 1, 1]);

  const storeLine = new RegExp(`the results store \\(SQLite ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) has no run with that id`);
  // No server and not in the store: exit 3 (start a server), naming the store searched.
  await assert.rejects(runRecords('sweep-nowhere', { store, temporal }), (err: Error) => {
    assert.ok(err instanceof CliError && err.exitCode === EXIT.temporalUnreachable, String(err));
    assert.match(err.message, /^Cannot reach Temporal at 127\.0\.0\.1:1: connection refused/);
    assert.match(err.message, storeLine);
    assert.match(err.message, /--store PATH\|URL/);
    return true;
  });
  // The server answers that it has no such run: bad input (exit 2), both places named.
  const notThere = () => Promise.reject(new BadInputError('no run with id "sweep-nowhere" (see `pdflow list`)'));
  await assert.rejects(runRecords('sweep-nowhere', { store, temporal: notThere }), (err: Error) => {
    assert.ok(err instanceof BadInputError, String(err));
    assert.match(err.message, storeLine);
    assert.match(err.message, /and Temporal: no run with id "sweep-nowhere"/);
    return true;
  });
  await store.close();
});
