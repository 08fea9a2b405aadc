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
import { contentKeyOf } from '../analysis/content-key.js';
import { compareRuns, type Verdict } from '../analysis/compare.js';

export interface StoreRecordInput {
  record: BenchPointRecord;
  /** Its position in the sweep's records. */
  index: number;
}

/** A run's comparison with the last good run of its sweep (what a scheduled sweep reports). */
export interface RegressionVerdict {
  verdict: Verdict;
  /** The baseline's workflow id; absent when there was none to compare with. */
  baseline?: string;
  /** One line: what was compared and what was found. */
  summary: string;
  /** The first reasons (regressed first), for the result and the memo. */
  reasons: string[];
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
    /**
     * A good record of another run with the content key of `record` (what this point would be:
     * hardware, versions, deployment, workload, load), measured within `maxAgeHours`; null when none.
     */
    async findReusableRecord({ record, maxAgeHours }: { record: BenchPointRecord; maxAgeHours: number }): Promise<{ workflowId: string; record: BenchPointRecord } | null> {
      const since = new Date(Date.now() - maxAgeHours * 3600_000).toISOString();
      const found = await deps.resultsStore().findReusable(contentKeyOf(record), since, runIdOf(Context.current()));
      return found ? { workflowId: found.workflowId, record: found.record } : null;
    },
    /**
     * This run against the newest earlier run of the same sweep that ended ok (from the store):
     * points matched by content key without versions; a change beyond the noise thresholds is a
     * regression or an improvement (analysis/compare.ts). No baseline, or nothing in common: none.
     */
    async compareWithLastGood({ sweep, startedAt, thresholdPct }: { sweep: string; startedAt: string; thresholdPct?: number }): Promise<RegressionVerdict> {
      const store = deps.resultsStore();
      const me = runKey(Context.current());
      const base = await store.lastGoodRun(sweep, startedAt, me);
      if (!base) return { verdict: 'none', summary: `no earlier run of sweep ${sweep} ended ok in the store (${store.where}): nothing to compare with`, reasons: [] };
      const [a, b] = await Promise.all([store.records(base), store.records(me)]);
      const c = compareRuns(a.map((r) => r.record), b.map((r) => r.record), thresholdPct !== undefined ? { thresholdPct } : {});
      if (c.counts.matched === 0) return { verdict: 'none', baseline: base.workflowId, summary: `against ${base.workflowId}: no point in common (other hardware, deployments or loads)`, reasons: [] };
      const n = c.counts;
      return {
        verdict: c.verdict, baseline: base.workflowId, reasons: c.reasons.slice(0, 10),
        summary: `against ${base.workflowId}: ${c.verdict.toUpperCase()} — ${n.matched} points matched, ${n.regressed} regressed, ${n.improved} improved, ${n.unchanged} unchanged`,
      };
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
