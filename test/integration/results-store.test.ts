// Results that outlive the server: a sweep on the simulated cluster writes every record to the
// results store as it is made; its workflow is then deleted from Temporal, and `pdflow results
// <id>` (the real CLI) still prints every record, read from the store. With SQLite (the default)
// and with PostgreSQL (a real server started here). Writing a record again adds no row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Stack } from '../helpers/stack.js';
import { onPreparedStack, planFor, startSweep, progressOf, sleep, waitFor, scheduledActivities } from '../helpers/sweep.js';
import { pdflow } from '../helpers/cli.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { createStoreActivities } from '../../src/activities/store.js';
import { openResultsStore, workerStoreSpec, type ResultsStore } from '../../src/results-store/store.js';
import type { BenchPointRecord } from '../../src/analysis/records.js';
import type { SweepResult } from '../../src/workflows/sweep-types.js';
import { PdflowRegression } from '../../src/common/search-attributes.js';

let s: Stack;
onPreparedStack((x) => { s = x; });

/** Two deployments, two loads each; the first bench fails on its try and its retry (a failed record). */
async function runSweep(name: string, store: ResultsStore) {
  const plan = planFor(s, {
    name,
    workloads: [{ isl: 1000, osl: 100 }],
    deployments: [
      { mode: 'collocated', replicas: [1], tp: [2] },
      { mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } },
    ],
    load: { concurrency: [2, 4], promptsPerConcurrency: 2 },
    retries: 1,
  });
  await s.sim.fault('head', { kind: 'fail', program: 'vllm', times: 2, exitCode: 3 });
  return s.withWorker(async () => {
    const h = await startSweep(s, plan);
    // Written as made: the store holds a record while the sweep still runs.
    const firstStored = await waitFor('a record in the store mid-sweep', async () => {
      const p = await progressOf(h).catch(() => undefined);
      const runs = await store.findRuns(h.workflowId);
      return { stored: runs[0] ? (await store.records(runs[0])).length : 0, remaining: p?.remaining ?? -1 };
    }, (v) => v.stored >= 1, 120_000, 200);
    const result: SweepResult = await h.result();
    return { h, plan, result, firstStored };
  }, { resultsStore: store });
}

/** Deletes the workflow from Temporal and waits until the server no longer knows it. */
async function deleteWorkflow(workflowId: string, runId: string) {
  await s.t.env.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId, runId } });
  await waitFor(`${workflowId} deleted`, () => s.t.env.client.workflow.getHandle(workflowId).describe().then(() => 'there', (e: Error) => e.name), (v) => v === 'WorkflowNotFoundError', 60_000, 250);
}

/** `pdflow results <id> --format json`: the records it printed. */
async function cliRecords(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  const r = await pdflow(['results', ...args, '--format', 'json', '--address', s.t.address], { env, ...(cwd ? { cwd } : {}) });
  assert.equal(r.code, 0, r.out);
  return { records: (JSON.parse(r.stdout) as { records: BenchPointRecord[] }).records, r };
}

function assertComplete(result: SweepResult, printed: BenchPointRecord[]) {
  assert.equal(result.records.length, 4);
  assert.deepEqual(result.records.map((r) => r.status), ['failed', 'ok', 'ok', 'ok']);
  assert.deepEqual(printed, result.records, 'the store gave back other records than the sweep made');
}

test('SQLite: after the workflow is deleted from Temporal, `pdflow results` prints every record from the store; a rewrite adds no row', async () => {
  const { h, result, firstStored } = await runSweep('store-sqlite', s.resultsStore);
  assert.ok(firstStored.remaining > 0, `the first record reached the store only at the end (${JSON.stringify(firstStored)})`);
  await deleteWorkflow(h.workflowId, h.firstExecutionRunId);

  const out = mkdtempSync(path.join(os.tmpdir(), 'pdflow-store-report-'));
  const { records } = await cliRecords([h.workflowId, '--store', s.storeFile, '--out', out]);
  assertComplete(result, records);
  // The raw vllm bench serve JSON of each ok point is kept in the store too.
  const db = new Database(s.storeFile, { readonly: true });
  try {
    const raw = db.prepare('SELECT point_id, raw_json FROM pdflow_records WHERE workflow_id = ?').all(h.workflowId) as Array<{ point_id: string; raw_json: string | null }>;
    for (const rec of result.records.filter((x) => x.status === 'ok')) {
      assert.equal(raw.find((x) => x.point_id === rec.pointId)?.raw_json, readFileSync(rec.localResultPath!, 'utf8'), rec.pointId);
    }
    // The run itself: ended, its outcome and counts.
    const run = db.prepare('SELECT sweep, cluster, outcome, first_run_id, ended_at FROM pdflow_runs WHERE workflow_id = ?').all(h.workflowId) as Array<Record<string, string>>;
    assert.deepEqual(run.map((x) => [x.sweep, x.cluster, x.outcome, x.first_run_id]), [['store-sqlite', s.cluster.name, 'partial', h.firstExecutionRunId]]);
    assert.ok(run[0]!.ended_at);

    // The store activity run again for a record it already wrote (a retry, a replay): still one row a point.
    const acts = createStoreActivities({ resultsStore: () => s.resultsStore });
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: h.workflowId, runId: h.firstExecutionRunId } });
    await env.run(acts.storeSweepRecord, { record: result.records[1]!, index: 1 });
    await env.run(acts.storeSweepRecord, { record: result.records[1]!, index: 1 });
    const rows = db.prepare('SELECT point_id, COUNT(*) AS n FROM pdflow_records WHERE workflow_id = ? GROUP BY point_id').all(h.workflowId) as Array<{ point_id: string; n: number }>;
    assert.deepEqual(rows.map((x) => x.n), [1, 1, 1, 1], JSON.stringify(rows));
  } finally {
    db.close();
  }
  // The report says where its records came from.
  assert.match(readFileSync(path.join(out, 'report.md'), 'utf8'), /read from the results store \(SQLite /);

  // `list` shows the run the server no longer has, from the store.
  const listed = await pdflow(['list', '--store', s.storeFile, '--address', s.t.address]);
  assert.equal(listed.code, 0, listed.out);
  assert.match(listed.stdout, new RegExp(`${h.workflowId}.*completed \\(store\\).*partial`));
  const fromStore = await pdflow(['list', '--from-store', '--json', '--store', s.storeFile]);
  assert.equal(fromStore.code, 0, fromStore.out);
  assert.ok((JSON.parse(fromStore.stdout) as Array<{ workflowId: string }>).some((x) => x.workflowId === h.workflowId), fromStore.out);

  // A run in neither place: the error says which store it searched and where records live.
  const missing = await pdflow(['results', 'pdflow-no-such-sweep', '--store', s.storeFile, '--address', s.t.address]);
  assert.equal(missing.code, 2, missing.out);
  assert.match(missing.stderr, new RegExp(`results store \\(SQLite ${s.storeFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) has no run with that id`));
  assert.match(missing.stderr, /PDFLOW_RESULTS_URL/);
});

test('PostgreSQL: a worker given PDFLOW_RESULTS_URL writes there; the results survive the workflow\'s deletion', async (t) => {
  const why = postgresUnavailable();
  if (why) {
    t.skip(`PostgreSQL store test skipped: ${why}`);
    return;
  }
  let pgServer: TestPostgres | undefined;
  let store: ResultsStore | undefined;
  try {
    pgServer = await startPostgres();
    const spec = workerStoreSpec(s.runsDir, { PDFLOW_RESULTS_URL: pgServer.url });
    assert.equal(spec, pgServer.url);
    store = openResultsStore(spec);
    const { h, result } = await runSweep('store-pg', store);
    await deleteWorkflow(h.workflowId, h.firstExecutionRunId);

    // The CLI reads the same database from its environment, from a folder with no SQLite store.
    const empty = mkdtempSync(path.join(os.tmpdir(), 'pdflow-nostore-'));
    const { records, r } = await cliRecords([h.workflowId], { PDFLOW_RESULTS_URL: pgServer.url }, empty);
    assertComplete(result, records);
    assert.ok(!r.out.includes(pgServer.password), 'the store URL\'s password was printed');

    // Rows in PostgreSQL itself, one per point.
    const client = new pg.Client({ connectionString: pgServer.url });
    await client.connect();
    try {
      const rows = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM pdflow_records WHERE workflow_id = $1', [h.workflowId]);
      assert.equal(Number(rows.rows[0]!.n), 4);
    } finally {
      await client.end();
    }
    const acts = createStoreActivities({ resultsStore: () => store! });
    await new MockActivityEnvironment({ workflowExecution: { workflowId: h.workflowId, runId: h.firstExecutionRunId } }).run(acts.storeSweepRecord, { record: result.records[0]!, index: 0 });
    assert.equal((await store.records({ workflowId: h.workflowId, firstRunId: h.firstExecutionRunId })).length, 4);
  } finally {
    await store?.close();
    await sleep(100);
    await pgServer?.stop();
  }
});

test('a sweep whose state keeps only its newest record (recordWindow 1): the result says so, and `pdflow results` prints every record, the older ones from the store', async () => {
  const plan = planFor(s, {
    name: 'store-window',
    workloads: [{ isl: 1000, osl: 100 }],
    deployments: [{ mode: 'collocated', replicas: [1], tp: [2] }],
    load: { concurrency: [2, 4, 6], promptsPerConcurrency: 2 },
  });
  const { h, result } = await s.withWorker(async () => {
    const handle = await startSweep(s, plan, { recordWindow: 1 });
    return { h: handle, result: await handle.result() };
  }, { resultsStore: s.resultsStore });
  assert.equal(result.ok, 3);
  assert.deepEqual(result.records.map((r) => r.pointId), [plan.deployments[0]!.points[2]!.id]);
  assert.deepEqual(result.recordWindow, { from: 2, total: 3 });
  const { records } = await cliRecords([h.workflowId, "--store", s.storeFile]);
  assert.deepEqual(records.map((x) => x.pointId), plan.deployments[0]!.points.map((p) => p.id), 'every record, in run order');
  assert.deepEqual(records[2], result.records[0]);

  // The same sweep again with --reuse: every point's content key has a good record now, so nothing
  // is deployed or benchmarked; each record is the earlier measurement, marked with where it came from.
  const vllmRuns = s.sim.countRuns('head', 'vllm');
  const again = await s.withWorker(async () => {
    const handle = await startSweep(s, plan, { reuse: { maxAgeHours: 1 } });
    return { id: handle.workflowId, result: await handle.result(), acts: await scheduledActivities(s.t.env.client, handle.workflowId, handle.firstExecutionRunId) };
  }, { resultsStore: s.resultsStore });
  assert.equal(s.sim.countRuns('head', 'vllm'), vllmRuns, 'a reused point was benchmarked');
  assert.deepEqual(again.acts.filter((a) => ['deployServe', 'runBenchPoint'].includes(a.type)), [], 'a deployment came up for reused points');
  assert.deepEqual(again.result.reused?.points, 3);
  assert.match(again.result.summary, /3 of 3 points reused \(\d+\.\d\d GPU-hours of benchmarks saved\)/);
  assert.deepEqual(again.result.records.slice(-1).map((r) => [r.pointId, r.reused?.workflowId, r.metrics]), [[plan.deployments[0]!.points[2]!.id, h.workflowId, result.records[0]!.metrics]]);
  // The store keeps the copies as the second run's records, each naming the run that measured it.
  const stored = await cliRecords([again.id, '--store', s.storeFile]);
  assert.equal(stored.records.length, 3);
  assert.ok(stored.records.every((r) => r.reused?.workflowId === h.workflowId), JSON.stringify(stored.records.map((r) => r.reused)));
});

test('a sweep that compares itself with its last good run (as a scheduled one does): quiet on the same engine, REGRESSED on a slower build; `pdflow compare` agrees', async () => {
  const plan = planFor(s, {
    name: 'nightly-compare',
    workloads: [{ isl: 1000, osl: 100 }],
    deployments: [{ mode: 'collocated', replicas: [1], tp: [2] }],
    load: { concurrency: [2, 4], promptsPerConcurrency: 2 },
  });
  const nightly = () => s.withWorker(async () => {
    const handle = await startSweep(s, plan, { compareWithLastGood: true });
    const result = await handle.result();
    const d = await handle.describe();
    return { id: handle.workflowId, result, attr: d.typedSearchAttributes.get(PdflowRegression), memo: d.memo };
  }, { resultsStore: s.resultsStore });
  const first = await nightly();
  assert.equal(first.result.outcome, 'ok', first.result.summary);
  assert.equal(first.result.regression?.verdict, 'none');
  assert.match(first.result.regression?.summary ?? '', /no earlier run of sweep nightly-compare ended ok/);
  const second = await nightly();
  assert.deepEqual([second.result.regression?.verdict, second.result.regression?.baseline, second.attr], ['none', first.id, 'none']);
  assert.match(second.result.regression!.summary, /2 points matched, 0 regressed/);

  // A slower engine build: every engine started from now on steps 1.5x slower.
  for (const n of s.sim.nodes.filter((x) => x.gpus > 0)) await s.sim.fault(n.name, { kind: 'slow', program: 'vllm-engine', factor: 1.5 });
  let third;
  try {
    third = await nightly();
  } finally {
    await s.sim.clearFaults();
  }
  assert.deepEqual([third.result.regression?.verdict, third.result.regression?.baseline, third.attr], ['regressed', second.id, 'regressed']);
  assert.match(String(third.memo?.regression), /REGRESSED/);
  assert.ok(third.result.regression!.reasons.some((r) => /TPOT/.test(r)), third.result.regression!.reasons.join('\n'));

  // The CLI on the same store: exit 1 for the regression, 0 between the two runs of the same build.
  const bad = await pdflow(['compare', second.id, third.id, '--store', s.storeFile, '--json', '--address', s.t.address]);
  assert.equal(bad.code, 1, bad.out);
  assert.equal((JSON.parse(bad.stdout) as { verdict: string }).verdict, 'regressed');
  const same = await pdflow(['compare', first.id, second.id, '--store', s.storeFile, '--address', s.t.address]);
  assert.equal(same.code, 0, same.out);
});
