// The results store: every record of every sweep, and the runs themselves, in a database that
// outlives the Temporal server's retention. SQLite by default, PostgreSQL for a shared one.
import path from 'node:path';
import {
  recordToRow, rowToRecord, rowToRun, runToRow, inSweepOrder,
  type RunRow, type StoreRunKey, type StoredRecord, type StoredRun, type StoredRunEnd, type StoredRunStart,
} from '../analysis/store-rows.js';
import {
  SCHEMA, INSERT_RUN_START, UPSERT_RUN_END, UPSERT_RECORD, SELECT_RUNS_OF, SELECT_RECORD_RUNS_OF, SELECT_RECORDS,
  SELECT_RECENT_RUNS, COUNT_RECORDS, INSERT_REFERENCE, SELECT_REFERENCE, SELECT_LAST_GOOD_RUN, UPSERT_POINT_KEY, DELETE_POINT_KEY, SELECT_REUSABLE, SELECT_NEWEST_CLUSTER_RECORD,
  runValues, recordValues, type SqlDb,
} from './sql.js';
import { contentKeyOf } from '../analysis/content-key.js';
import { isReusable } from '../analysis/reuse.js';
import type { BenchPointRecord } from '../analysis/records.js';
import { redactUrl } from './redact-url.js';
import type { AnswerSet } from '../analysis/output-check.js';

import { RESULTS_URL_ENV, DEFAULT_STORE_FILE } from './names.js';

export { RESULTS_URL_ENV, DEFAULT_STORE_FILE };

export interface StoredAnswerReference {
  answers: AnswerSet;
  /** The workflow id of the run that made it. */
  madeBy: string;
  madeAt: string;
}

/** A good record of another run that measured the same content (reuse). */
export interface ReusableRecord {
  workflowId: string;
  firstRunId: string;
  record: BenchPointRecord;
}

export interface StoredRunSummary extends StoredRun {
  ok: number;
  failed: number;
}

export class ResultsStore {
  private db: Promise<SqlDb | undefined> | undefined;

  /** `where`: what to tell a person looking for the records ("SQLite /path" or "PostgreSQL postgres://user@host/db"). */
  constructor(readonly where: string, private readonly open: () => Promise<SqlDb | undefined>) {}

  /** Opened on first use: a worker that never runs a sweep creates no file and no connection. */
  private conn(): Promise<SqlDb | undefined> {
    this.db ??= this.open().then(
      (db) => {
        if (!db) this.db = undefined; // a store not there yet (read-only): look again next time
        return db;
      },
      (err: unknown) => {
        this.db = undefined; // the next call tries again (a database that was down may be back)
        throw new Error(`results store ${this.where}: ${(err as Error).message}`);
      },
    );
    return this.db;
  }

  private async writable(): Promise<SqlDb> {
    const db = await this.conn();
    if (!db) throw new Error(`results store ${this.where} is open read-only`);
    return db;
  }

  async putRun(key: StoreRunKey, start: StoredRunStart, end?: StoredRunEnd): Promise<void> {
    const db = await this.writable();
    await db.run(end ? UPSERT_RUN_END : INSERT_RUN_START, runValues(runToRow(key, start, end)));
  }

  async putRecord(key: StoreRunKey, r: StoredRecord): Promise<void> {
    const db = await this.writable();
    await db.run(UPSERT_RECORD, recordValues(recordToRow(key, r)));
    const row = [key.workflowId, key.firstRunId, r.record.pointId];
    if (isReusable(r.record)) await db.run(UPSERT_POINT_KEY, [...row, contentKeyOf(r.record), r.record.timings.startedAt]);
    else await db.run(DELETE_POINT_KEY, row);
  }

  /** The newest ok record of a cluster's runs: the hardware and versions its nodes last reported. */
  async newestClusterRecord(cluster: string): Promise<BenchPointRecord | undefined> {
    const db = await this.conn();
    if (!db) return undefined;
    const [row] = await db.all<{ record: string }>(SELECT_NEWEST_CLUSTER_RECORD, [cluster]);
    return row ? JSON.parse(row.record) as BenchPointRecord : undefined;
  }

  /**
   * The newest good record whose content key is `contentKey`, measured at or after `since` (ISO
   * 8601) by a run other than `exceptWorkflowId`; undefined when none.
   */
  async findReusable(contentKey: string, since: string, exceptWorkflowId: string): Promise<ReusableRecord | undefined> {
    const db = await this.conn();
    if (!db) return undefined;
    const [row] = await db.all<{ workflow_id: string; first_run_id: string; record: string }>(SELECT_REUSABLE, [contentKey, since, exceptWorkflowId]);
    return row ? { workflowId: row.workflow_id, firstRunId: row.first_run_id, record: JSON.parse(row.record) as BenchPointRecord } : undefined;
  }

  /**
   * The runs stored under `id` (its workflow id, or a pipeline's id for its sweep), newest first;
   * a run whose start was never written is known from its records alone.
   */
  async findRuns(id: string): Promise<StoredRun[]> {
    const db = await this.conn();
    if (!db) return [];
    const runs = (await db.all<RunRow>(SELECT_RUNS_OF, [id, id])).map(rowToRun);
    const orphans = await db.all<{ workflow_id: string; first_run_id: string; started_at: string }>(SELECT_RECORD_RUNS_OF, [id]);
    for (const o of orphans) {
      if (runs.some((r) => r.workflowId === o.workflow_id && r.firstRunId === o.first_run_id)) continue;
      runs.push({ workflowId: o.workflow_id, firstRunId: o.first_run_id, sweep: '?', cluster: '?', startedAt: o.started_at, rejected: [], totalPoints: 0 });
    }
    return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async records(key: StoreRunKey): Promise<StoredRecord[]> {
    const db = await this.conn();
    if (!db) return [];
    return inSweepOrder((await db.all<{ seq: number; record: string; raw_json: string | null }>(SELECT_RECORDS, [key.workflowId, key.firstRunId])).map(rowToRecord));
  }

  /** Keeps an output-check reference under its content key (a reference already there stays). */
  async putAnswerReference(key: string, answers: AnswerSet, madeBy: string, madeAt: string): Promise<void> {
    const db = await this.writable();
    await db.run(INSERT_REFERENCE, [key, JSON.stringify(answers), madeBy, madeAt]);
  }

  /** The reference stored under `key`, with the run that made it; undefined when none. */
  async answerReference(key: string): Promise<StoredAnswerReference | undefined> {
    const db = await this.conn();
    if (!db) return undefined;
    const [row] = await db.all<{ answers: string; made_by: string; made_at: string }>(SELECT_REFERENCE, [key]);
    return row ? { answers: JSON.parse(row.answers) as AnswerSet, madeBy: row.made_by, madeAt: row.made_at } : undefined;
  }

  /**
   * The newest run of sweep `sweep` (the sweep file's name) that ended with outcome ok and started
   * before `before` (ISO 8601), `except` excluded: the baseline `pdflow compare --baseline last-good` uses.
   */
  async lastGoodRun(sweep: string, before: string, except: StoreRunKey): Promise<StoredRun | undefined> {
    const db = await this.conn();
    if (!db) return undefined;
    const [row] = await db.all<RunRow>(SELECT_LAST_GOOD_RUN, [sweep, before, except.workflowId, except.firstRunId]);
    return row ? rowToRun(row) : undefined;
  }

  /** The newest runs, with their ok/failed counts. */
  async recentRuns(limit: number): Promise<StoredRunSummary[]> {
    const db = await this.conn();
    if (!db) return [];
    const runs = (await db.all<RunRow>(SELECT_RECENT_RUNS, [limit])).map(rowToRun);
    const out: StoredRunSummary[] = [];
    for (const r of runs) {
      const counts = await db.all<{ status: string; n: number | string }>(COUNT_RECORDS, [r.workflowId, r.firstRunId]);
      const n = (s: string) => counts.filter((c) => (s === 'ok' ? c.status === 'ok' : c.status !== 'ok')).reduce((t, c) => t + Number(c.n), 0);
      out.push({ ...r, ok: n('ok'), failed: n('failed') });
    }
    return out;
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db) await (await db.catch(() => undefined))?.close();
  }
}

const isUrl = (spec: string) => /^postgres(ql)?:\/\//i.test(spec);

/**
 * A store from a path or a postgres:// URL. `readOnly` (readers): a missing SQLite file is an
 * empty store, never created.
 */
export function openResultsStore(spec: string, opts: { readOnly?: boolean; cwd?: string } = {}): ResultsStore {
  if (isUrl(spec)) {
    return new ResultsStore(`PostgreSQL ${redactUrl(spec)}`, async () => {
      // The drivers load when a store is opened, not with every command that names one.
      const { openPostgres } = await import('./postgres.js');
      const db = openPostgres(spec);
      if (!opts.readOnly) await createSchema(db);
      return db;
    });
  }
  const file = path.resolve(opts.cwd ?? process.cwd(), spec);
  return new ResultsStore(`SQLite ${file}`, async () => {
    const { openSqlite } = await import('./sqlite.js');
    const db = openSqlite(file, opts);
    if (db && !opts.readOnly) await createSchema(db);
    return db;
  });
}

/** Where the store is when the caller did not say: PDFLOW_RESULTS_URL, else `fallbackFile` (default .pdflow/results.db). */
export function defaultStoreSpec(env: NodeJS.ProcessEnv = process.env, fallbackFile = DEFAULT_STORE_FILE): string {
  return env[RESULTS_URL_ENV]?.trim() || fallbackFile;
}

/** A worker's store: PDFLOW_RESULTS_URL, else `results.db` beside its runs folder (`.pdflow/results.db` for the default `.pdflow/runs`). */
export function workerStoreSpec(runsDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return defaultStoreSpec(env, path.join(path.dirname(path.resolve(runsDir)), 'results.db'));
}

async function createSchema(db: SqlDb): Promise<void> {
  for (const stmt of SCHEMA) {
    try {
      await db.run(stmt, []);
    } catch (err) {
      // Two workers creating the tables at once on PostgreSQL: one loses the race, the table is there.
      if (!/already exists|duplicate key/i.test((err as Error).message)) throw err;
    }
  }
}
