// The little SQL both backends share: two tables, upserts keyed by (workflow id, first run id[,
// point id]) so a write can be repeated any number of times, and the reads `results` and `list`
// need. Statements use `?` placeholders; the PostgreSQL side numbers them.

/** A database that runs one statement at a time. */
export interface SqlDb {
  all<T>(sql: string, params: unknown[]): Promise<T[]>;
  run(sql: string, params: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS pdflow_runs (
    workflow_id TEXT NOT NULL, first_run_id TEXT NOT NULL, parent_workflow_id TEXT,
    sweep TEXT NOT NULL, cluster TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, outcome TEXT,
    sla TEXT, info TEXT NOT NULL,
    PRIMARY KEY (workflow_id, first_run_id))`,
  `CREATE TABLE IF NOT EXISTS pdflow_records (
    workflow_id TEXT NOT NULL, first_run_id TEXT NOT NULL, point_id TEXT NOT NULL, seq INTEGER NOT NULL,
    status TEXT NOT NULL, deployment TEXT NOT NULL, started_at TEXT NOT NULL, record TEXT NOT NULL,
    raw_json TEXT, raw_path TEXT,
    PRIMARY KEY (workflow_id, first_run_id, point_id))`,
  // Output-check references (greedy answers of a collocated deployment), by content key: shared by runs.
  `CREATE TABLE IF NOT EXISTS pdflow_answer_references (
    ref_key TEXT NOT NULL PRIMARY KEY, answers TEXT NOT NULL, made_by TEXT NOT NULL, made_at TEXT NOT NULL)`,
  // A measured point's content key (analysis/content-key.ts), for reuse: only good records (ok,
  // unflagged, measured by their run, not copied from another) have a row.
  `CREATE TABLE IF NOT EXISTS pdflow_point_keys (
    workflow_id TEXT NOT NULL, first_run_id TEXT NOT NULL, point_id TEXT NOT NULL, content_key TEXT NOT NULL, started_at TEXT NOT NULL,
    PRIMARY KEY (workflow_id, first_run_id, point_id))`,
  'CREATE INDEX IF NOT EXISTS pdflow_point_keys_key ON pdflow_point_keys (content_key, started_at)',
  'CREATE INDEX IF NOT EXISTS pdflow_runs_parent ON pdflow_runs (parent_workflow_id)',
  'CREATE INDEX IF NOT EXISTS pdflow_runs_started ON pdflow_runs (started_at)',
];

const RUN_COLUMNS = ['workflow_id', 'first_run_id', 'parent_workflow_id', 'sweep', 'cluster', 'started_at', 'ended_at', 'outcome', 'sla', 'info'] as const;
const RECORD_COLUMNS = ['workflow_id', 'first_run_id', 'point_id', 'seq', 'status', 'deployment', 'started_at', 'record', 'raw_json', 'raw_path'] as const;

function upsert(table: string, columns: readonly string[], key: readonly string[], update: readonly string[]): string {
  const set = update.map((c) => `${c} = excluded.${c}`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${key.join(', ')}) DO ${update.length ? `UPDATE SET ${set}` : 'NOTHING'}`;
}

/** A run's start: written once (a repeat changes nothing). */
export const INSERT_RUN_START = upsert('pdflow_runs', RUN_COLUMNS, ['workflow_id', 'first_run_id'], []);
/** A run's end: fills in end, outcome and the summary, whether or not the start was written. */
export const UPSERT_RUN_END = upsert('pdflow_runs', RUN_COLUMNS, ['workflow_id', 'first_run_id'], ['ended_at', 'outcome', 'info']);
/** A record: the latest write of a point wins (the same record written again is the same row). */
export const UPSERT_RECORD = upsert('pdflow_records', RECORD_COLUMNS, ['workflow_id', 'first_run_id', 'point_id'], ['seq', 'status', 'deployment', 'started_at', 'record', 'raw_json', 'raw_path']);

export const runValues = (row: Record<(typeof RUN_COLUMNS)[number], unknown>) => RUN_COLUMNS.map((c) => row[c]);
export const recordValues = (row: Record<(typeof RECORD_COLUMNS)[number], unknown>) => RECORD_COLUMNS.map((c) => row[c]);

export const SELECT_RUNS_OF = `SELECT ${RUN_COLUMNS.join(', ')} FROM pdflow_runs WHERE workflow_id = ? OR parent_workflow_id = ? ORDER BY started_at DESC`;
/** Runs known only from their records (the start was never written). */
export const SELECT_RECORD_RUNS_OF = 'SELECT workflow_id, first_run_id, MIN(started_at) AS started_at, COUNT(*) AS n FROM pdflow_records WHERE workflow_id = ? GROUP BY workflow_id, first_run_id';
export const SELECT_RECORDS = `SELECT seq, record, raw_json FROM pdflow_records WHERE workflow_id = ? AND first_run_id = ? ORDER BY seq`;
export const SELECT_RECENT_RUNS = `SELECT ${RUN_COLUMNS.join(', ')} FROM pdflow_runs ORDER BY started_at DESC LIMIT ?`;
/** A run's baseline: the newest run of the same sweep that ended ok and started before it, itself excluded. */
export const SELECT_LAST_GOOD_RUN = `SELECT ${RUN_COLUMNS.join(', ')} FROM pdflow_runs WHERE sweep = ? AND outcome = 'ok' AND started_at < ? AND NOT (workflow_id = ? AND first_run_id = ?) ORDER BY started_at DESC LIMIT 1`;
export const COUNT_RECORDS = 'SELECT status, COUNT(*) AS n FROM pdflow_records WHERE workflow_id = ? AND first_run_id = ? GROUP BY status';

/** A record's content key (its latest write decides whether it has one). */
export const UPSERT_POINT_KEY = 'INSERT INTO pdflow_point_keys (workflow_id, first_run_id, point_id, content_key, started_at) VALUES (?, ?, ?, ?, ?) ' +
  'ON CONFLICT (workflow_id, first_run_id, point_id) DO UPDATE SET content_key = excluded.content_key, started_at = excluded.started_at';
export const DELETE_POINT_KEY = 'DELETE FROM pdflow_point_keys WHERE workflow_id = ? AND first_run_id = ? AND point_id = ?';
/** The newest good record with a content key, measured at or after a time, by another run than the asking one. */
export const SELECT_REUSABLE = 'SELECT r.workflow_id, r.first_run_id, r.record FROM pdflow_point_keys k JOIN pdflow_records r ' +
  'ON r.workflow_id = k.workflow_id AND r.first_run_id = k.first_run_id AND r.point_id = k.point_id ' +
  'WHERE k.content_key = ? AND k.started_at >= ? AND k.workflow_id <> ? ORDER BY k.started_at DESC LIMIT 1';

/** The newest ok record of any run of a cluster (what its nodes last were: hardware and versions). */
export const SELECT_NEWEST_CLUSTER_RECORD = 'SELECT r.record FROM pdflow_records r JOIN pdflow_runs u ON r.workflow_id = u.workflow_id AND r.first_run_id = u.first_run_id ' +
  "WHERE u.cluster = ? AND r.status = 'ok' ORDER BY r.started_at DESC LIMIT 1";

/** A reference: the first one made for a key stays (answers made later under the same key are the same by definition). */
export const INSERT_REFERENCE = 'INSERT INTO pdflow_answer_references (ref_key, answers, made_by, made_at) VALUES (?, ?, ?, ?) ON CONFLICT (ref_key) DO NOTHING';
export const SELECT_REFERENCE = 'SELECT answers, made_by, made_at FROM pdflow_answer_references WHERE ref_key = ?';
