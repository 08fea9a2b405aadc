// The results store's rows and their mapping to and from records and runs (pure). A record's
// identity is (workflow id, first execution's run id, point id): a retried store call or a
// replayed workflow writes the same row again, never a second one; the same workflow id
// started again (a new first run id) is a different run.
import type { BenchPointRecord } from './records.js';

/** Which run a row belongs to: the workflow id and its first execution's run id (stable across continue-as-new). */
export interface StoreRunKey {
  workflowId: string;
  firstRunId: string;
}

/** What the sweep knows about itself when it starts (no secrets: this is workflow data). */
export interface StoredRunStart {
  sweep: string;
  cluster: string;
  /** ISO 8601. */
  startedAt: string;
  /** The sweep file's SLA, as the sweep schema names it. */
  sla?: { p99TtftMs?: number; p99TpotMs?: number };
  /** The planner's rejected configurations, as the plan holds them. */
  rejected: unknown[];
  totalPoints: number;
  /** A pipeline's sweep child: the pipeline's workflow id (so `results <pipeline id>` finds it). */
  parentWorkflowId?: string;
}

export interface StoredRunEnd {
  endedAt: string;
  /** How the workflow ended: completed (every planned point ran), or stopped by a cancel or a failure. */
  status: 'completed' | 'cancelled' | 'failed';
  /** From its records: ok (every point ok), partial, failed (no ok point); or cancelled. */
  outcome: string;
  failedDeployments: Array<{ deployment: string; reason: string }>;
  gpuHours?: number;
  summary?: string;
}

export interface StoredRun extends StoreRunKey, StoredRunStart {
  end?: StoredRunEnd;
}

export interface StoredRecord {
  /** Position in the sweep's records (plan order as run). */
  index: number;
  record: BenchPointRecord;
  /** The raw `vllm bench serve` JSON text, when the worker had a copy. */
  rawJson?: string;
}

/** A record row: columns readers filter on, the record itself as JSON. */
export interface RecordRow {
  workflow_id: string;
  first_run_id: string;
  point_id: string;
  seq: number;
  status: string;
  deployment: string;
  started_at: string;
  record: string;
  raw_json: string | null;
  raw_path: string | null;
}

export interface RunRow {
  workflow_id: string;
  first_run_id: string;
  parent_workflow_id: string | null;
  sweep: string;
  cluster: string;
  started_at: string;
  ended_at: string | null;
  outcome: string | null;
  sla: string | null;
  /** JSON: rejected, totalPoints, and once ended failedDeployments, gpuHours, summary. */
  info: string;
}

/** The idempotency key of a record: the columns of the records table's primary key, in order. */
export function recordKey(run: StoreRunKey, record: Pick<BenchPointRecord, 'pointId'>): [string, string, string] {
  if (!run.workflowId) throw new Error('results store: workflowId is empty; a record must name the workflow that made it');
  if (!run.firstRunId) throw new Error(`results store: firstRunId is empty for ${run.workflowId}; the run key header is missing (is the worker using pdflowInterceptors?)`);
  if (!record.pointId) throw new Error(`results store: a record of ${run.workflowId} has no pointId`);
  return [run.workflowId, run.firstRunId, record.pointId];
}

export function recordToRow(run: StoreRunKey, r: StoredRecord): RecordRow {
  const [workflow_id, first_run_id, point_id] = recordKey(run, r.record);
  return {
    workflow_id, first_run_id, point_id, seq: r.index, status: r.record.status, deployment: r.record.deployment.name,
    started_at: r.record.timings.startedAt, record: JSON.stringify(r.record), raw_json: r.rawJson ?? null,
    raw_path: r.record.rawResultPath ?? null,
  };
}

export function rowToRecord(row: Pick<RecordRow, 'record' | 'seq' | 'raw_json'>): StoredRecord {
  return { index: Number(row.seq), record: JSON.parse(row.record) as BenchPointRecord, ...(row.raw_json !== null ? { rawJson: row.raw_json } : {}) };
}

export function runToRow(run: StoreRunKey, start: StoredRunStart, end?: StoredRunEnd): RunRow {
  const info: Record<string, unknown> = { rejected: start.rejected, totalPoints: start.totalPoints };
  if (end) {
    info.status = end.status;
    info.failedDeployments = end.failedDeployments;
    if (end.gpuHours !== undefined) info.gpuHours = end.gpuHours;
    if (end.summary !== undefined) info.summary = end.summary;
  }
  return {
    workflow_id: run.workflowId, first_run_id: run.firstRunId, parent_workflow_id: start.parentWorkflowId ?? null,
    sweep: start.sweep, cluster: start.cluster, started_at: start.startedAt,
    ended_at: end?.endedAt ?? null, outcome: end?.outcome ?? null,
    sla: start.sla ? JSON.stringify(start.sla) : null, info: JSON.stringify(info),
  };
}

export function rowToRun(row: RunRow): StoredRun {
  const info = JSON.parse(row.info) as { rejected?: unknown[]; totalPoints?: number; status?: StoredRunEnd['status']; failedDeployments?: StoredRunEnd['failedDeployments']; gpuHours?: number; summary?: string };
  const run: StoredRun = {
    workflowId: row.workflow_id, firstRunId: row.first_run_id, sweep: row.sweep, cluster: row.cluster, startedAt: row.started_at,
    rejected: info.rejected ?? [], totalPoints: info.totalPoints ?? 0,
  };
  if (row.parent_workflow_id) run.parentWorkflowId = row.parent_workflow_id;
  if (row.sla) run.sla = JSON.parse(row.sla) as StoredRun['sla'];
  if (row.ended_at && row.outcome) {
    run.end = { endedAt: row.ended_at, status: info.status ?? 'completed', outcome: row.outcome, failedDeployments: info.failedDeployments ?? [] };
    if (info.gpuHours !== undefined) run.end.gpuHours = info.gpuHours;
    if (info.summary !== undefined) run.end.summary = info.summary;
  }
  return run;
}

/** Records in the order the sweep made them (the store returns rows in any order). */
export function inSweepOrder(records: StoredRecord[]): StoredRecord[] {
  return [...records].sort((a, b) => a.index - b.index);
}
