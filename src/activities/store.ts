// The results-store activities: the sweep calls one after each record and one at its start and
// end. The run's key comes from the run itself (workflow id, first execution's run id), never
// from the input, so a retry or a replay writes the same rows again.
import { readFile } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import type { BenchPointRecord } from '../analysis/records.js';
import type { StoreRunKey, StoredRunEnd, StoredRunStart } from '../analysis/store-rows.js';
import type { ResultsStore } from '../results-store/store.js';
import type { AnswerSet } from '../analysis/output-check.js';
import { currentRunKey } from './run-key.js';
import { runIdOf } from './remote.js';

export interface StoreRecordInput {
  record: BenchPointRecord;
  /** Its position in the sweep's records. */
  index: number;
}

export interface StoreRunInput {
  start: StoredRunStart;
  /** Given once the sweep has ended (or was cancelled / failed). */
  end?: StoredRunEnd;
}

/** Raw results bigger than this stay a path only (a vllm bench JSON with per-request detail can be large). */
const MAX_RAW_BYTES = 16 * 1024 * 1024;

function runKey(ctx: Context): StoreRunKey {
  return { workflowId: runIdOf(ctx), firstRunId: currentRunKey(ctx) };
}

/** The raw vllm bench serve JSON the bench activity copied to this machine, if it is here. */
async function rawJsonOf(record: BenchPointRecord): Promise<string | undefined> {
  if (!record.localResultPath) return undefined;
  const text = await readFile(record.localResultPath, 'utf8').catch(() => undefined);
  return text !== undefined && Buffer.byteLength(text) <= MAX_RAW_BYTES ? text : undefined;
}

export function createStoreActivities(deps: { resultsStore: () => ResultsStore }) {
  return {
    async storeSweepRecord({ record, index }: StoreRecordInput): Promise<void> {
      const rawJson = await rawJsonOf(record);
      await deps.resultsStore().putRecord(runKey(Context.current()), { index, record, ...(rawJson !== undefined ? { rawJson } : {}) });
    },
    async storeSweepRun({ start, end }: StoreRunInput): Promise<void> {
      await deps.resultsStore().putRun(runKey(Context.current()), start, end);
    },
    /** The output-check reference stored under `key` (made by this or an earlier run), or null. */
    async loadAnswerReference({ key }: { key: string }): Promise<{ answers: AnswerSet; madeBy: string; madeAt: string } | null> {
      return (await deps.resultsStore().answerReference(key)) ?? null;
    },
    async saveAnswerReference({ key, answers }: { key: string; answers: AnswerSet }): Promise<void> {
      await deps.resultsStore().putAnswerReference(key, answers, runIdOf(Context.current()), new Date().toISOString());
    },
  };
}
