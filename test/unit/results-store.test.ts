// The results store's pure parts (row mapping, the idempotency key, placeholders, URL redaction)
// and the SQLite store itself on a temp file: a record written twice is one row, a new run under
// the same workflow id is another run, readers never create a store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  recordKey, recordToRow, rowToRecord, runToRow, rowToRun, inSweepOrder, type StoredRunStart, type StoredRunEnd,
} from '../../src/analysis/store-rows.js';
import type { BenchPointRecord } from '../../src/analysis/records.js';
import { numberPlaceholders, redactUrl } from '../../src/results-store/postgres.js';
import { openResultsStore, defaultStoreSpec, workerStoreSpec } from '../../src/results-store/store.js';

function rec(pointId: string, status: 'ok' | 'failed' = 'ok'): BenchPointRecord {
  return {
    pointId, status, attempt: 1, timings: { startedAt: '2026-12-01T10:00:00.000Z', durationSec: 12.5 },
    deployment: { id: 'd1', name: '1P-TP2:1D-TP2 pd-pack', mode: 'pd-pack', prefill: { count: 1, tp: 2 }, decode: { count: 1, tp: 2 }, gpus: 4, backend: 'UCX' },
    workload: { isl: 1000, osl: 100, mode: 'mixed' }, load: { concurrency: 4, numPrompts: 8 },
    ...(status === 'ok'
      ? { metrics: { completed: 8, durationSec: 3, requestThroughput: 2, outputThroughput: 300, totalThroughput: 3300, outputThroughputPerGpu: 75, totalThroughputPerGpu: 825, ttftMs: { mean: 200, median: 190, p99: 400 }, tpotMs: { mean: 10, median: 9.5 }, interactivity: 105.3 } }
      : { reason: 'BenchFailed: no result' }),
    rawResultPath: 'head:/w/results/x.json', versions: { vllm: '0.11.0' },
  };
}
const KEY = { workflowId: 'pdflow-sweep-a', firstRunId: 'run-1' };
const START: StoredRunStart = { sweep: 'nightly', cluster: 'p5-pair', startedAt: '2026-12-01T09:59:00.000Z', rejected: [{ id: 'x', label: 'bad' }], totalPoints: 3, sla: { p99TtftMs: 1000 } };
const END: StoredRunEnd = { endedAt: '2026-12-01T11:00:00.000Z', status: 'completed', outcome: 'partial', failedDeployments: [{ deployment: 'd2', reason: 'boom' }], gpuHours: 1.5, summary: 'PARTIAL' };

test('record key: workflow id, first execution run id, point id; each must be present', () => {
  assert.deepEqual(recordKey(KEY, { pointId: 'd1/w/c4' }), ['pdflow-sweep-a', 'run-1', 'd1/w/c4']);
  assert.throws(() => recordKey({ ...KEY, firstRunId: '' }, { pointId: 'p' }), /firstRunId is empty for pdflow-sweep-a/);
  assert.throws(() => recordKey({ ...KEY, workflowId: '' }, { pointId: 'p' }), /workflowId is empty/);
  assert.throws(() => recordKey(KEY, { pointId: '' }), /has no pointId/);
});

test('record ↔ row: the row carries the key and filter columns; the record comes back equal', () => {
  for (const r of [rec('d1/w/c4'), rec('d1/w/c16', 'failed')]) {
    const row = recordToRow(KEY, { index: 7, record: r, rawJson: '{"duration": 3}' });
    assert.deepEqual([row.workflow_id, row.first_run_id, row.point_id, row.seq, row.status, row.deployment, row.started_at, row.raw_path],
      ['pdflow-sweep-a', 'run-1', r.pointId, 7, r.status, '1P-TP2:1D-TP2 pd-pack', '2026-12-01T10:00:00.000Z', 'head:/w/results/x.json']);
    assert.deepEqual(rowToRecord(row), { index: 7, record: r, rawJson: '{"duration": 3}' });
  }
  const noRaw = recordToRow(KEY, { index: 0, record: rec('p') });
  assert.equal(noRaw.raw_json, null);
  assert.deepEqual(rowToRecord(noRaw), { index: 0, record: rec('p') });
  assert.deepEqual(inSweepOrder([{ index: 2, record: rec('c') }, { index: 0, record: rec('a') }]).map((r) => r.record.pointId), ['a', 'c']);
});

test('run ↔ row: a started run has no end; an ended one keeps status, outcome and summary', () => {
  const started = runToRow(KEY, START);
  assert.equal(started.ended_at, null);
  assert.equal(started.outcome, null);
  assert.deepEqual(rowToRun(started), { ...KEY, ...START });
  const ended = runToRow(KEY, { ...START, parentWorkflowId: 'pdflow-pipe-1' }, END);
  assert.equal(ended.parent_workflow_id, 'pdflow-pipe-1');
  assert.deepEqual(rowToRun(ended), { ...KEY, ...START, parentWorkflowId: 'pdflow-pipe-1', end: END });
  const noSla = { ...START };
  delete noSla.sla;
  assert.equal(runToRow(KEY, noSla).sla, null);
});

test('postgres: placeholders numbered in order; URLs shown without password or query', () => {
  assert.equal(numberPlaceholders('INSERT INTO t (a, b) VALUES (?, ?) WHERE c = ?'), 'INSERT INTO t (a, b) VALUES ($1, $2) WHERE c = $3');
  assert.equal(redactUrl('postgres://pdflow:s3cret@db.lab:5433/results?sslmode=require'), 'postgres://pdflow@db.lab:5433/results');
  assert.ok(!redactUrl('postgresql://u:p%40ss@h/d').includes('p%40ss'));
});

test('store spec: PDFLOW_RESULTS_URL wins; else .pdflow/results.db, or beside the worker\'s runs folder', () => {
  assert.equal(defaultStoreSpec({ PDFLOW_RESULTS_URL: 'postgres://h/d' }), 'postgres://h/d');
  assert.equal(defaultStoreSpec({ PDFLOW_RESULTS_URL: '  ' }), '.pdflow/results.db');
  assert.equal(workerStoreSpec('/srv/pdflow/runs', {}), '/srv/pdflow/results.db');
});

test('SQLite store: a record written again stays one row; a new first run id is another run; readers never create a store', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-store-unit-'));
  const file = path.join(dir, 'sub', 'results.db');
  const reader = openResultsStore(file, { readOnly: true });
  assert.deepEqual(await reader.findRuns('pdflow-sweep-a'), []);
  assert.equal(existsSync(file), false, 'a reader created the store');
  const store = openResultsStore(file);
  assert.match(store.where, /^SQLite .*sub\/results\.db$/);
  await store.putRun(KEY, START);
  await store.putRecord(KEY, { index: 1, record: rec('b', 'failed') });
  await store.putRecord(KEY, { index: 0, record: rec('a'), rawJson: '{}' });
  await store.putRecord(KEY, { index: 0, record: rec('a'), rawJson: '{}' }); // a retried write
  await store.putRun(KEY, START); // a replayed start
  assert.deepEqual((await store.records(KEY)).map((r) => r.record.pointId), ['a', 'b']);
  const again = { ...KEY, firstRunId: 'run-2' };
  await store.putRecord(again, { index: 0, record: rec('a') });
  await store.putRun(KEY, START, END);
  const runs = await reader.findRuns('pdflow-sweep-a');
  // Newest first; run-2 is known from its record alone (its start was never written).
  assert.deepEqual(runs.map((r) => [r.firstRunId, r.sweep, r.end?.outcome]), [['run-2', '?', undefined], ['run-1', 'nightly', 'partial']]);
  assert.deepEqual((await reader.records(again)).map((r) => r.record.pointId), ['a']);
  const recent = await reader.recentRuns(10);
  assert.deepEqual(recent.map((r) => [r.workflowId, r.ok, r.failed]), [['pdflow-sweep-a', 1, 1]]);
  await store.close();
  await reader.close();
});
