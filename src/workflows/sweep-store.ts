// The sweep's side of the results store: the run's start, each record as it is made, the end.
// A record's write runs beside the next point (never delaying it, nor a pause). A store that is
// down never stops a sweep (the GPUs are booked): a record it did not take (or whose write a
// continue-as-new cut short) is remembered and written again at the end.
import { proxyActivities, isCancellation, log } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { StoredRunEnd, StoredRunStart } from '../analysis/store-rows.js';
import type { SweepCarry } from './sweep-types.js';

// No heartbeat: a write takes milliseconds; a minute covers a slow shared database.
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '20 seconds', maximumAttempts: 5 },
});

/**
 * `enabled`: the 'pdflow-results-store' patch (sweep/patches.ts): a sweep that began on a worker
 * without the store replays without its writes (same commands).
 */
export function resultsStore(start: StoredRunStart, s: Pick<SweepCarry, 'records' | 'unstored' | 'recordsFrom'>, enabled: boolean) {
  /** Runs a write; false when it failed for good (logged), a cancellation is passed on. */
  const attempt = async (what: string, write: () => Promise<void>): Promise<boolean> => {
    if (!enabled) return true;
    try {
      await write();
      return true;
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn(`results store: ${what} not written; the workflow keeps it`, { error: (err as Error)?.message ?? String(err) });
      return false;
    }
  };
  /** `index`: the record's number in the run (the state keeps the newest, from s.recordsFrom; unstored ones are never dropped). */
  const storeRecord = async (index: number): Promise<void> => {
    const record = s.records[index - (s.recordsFrom ?? 0)];
    if (!record) return;
    (s.unstored ??= []).push(index);
    if (await attempt(`record ${record.pointId}`, () => acts.storeSweepRecord.executeWithOptions({ summary: `store ${record.pointId}` }, [{ record, index }]))) {
      s.unstored = s.unstored.filter((i) => i !== index);
    }
  };
  const pending = new Set<Promise<void>>();
  /** Starts writing the record at `index` of the sweep's records (not awaited: see end). */
  const record = (index: number): void => {
    // A cancelled write stays in `unstored` for end(); a floating rejection would fail the task.
    const p: Promise<void> = storeRecord(index).catch(() => undefined).finally(() => pending.delete(p));
    pending.add(p);
  };
  return {
    start: () => attempt('the run', () => acts.storeSweepRun.executeWithOptions({ summary: 'store the run' }, [{ start }])),
    record,
    /** Waits for the writes in flight (a continue-as-new would cut them short). */
    async settle(): Promise<void> {
      await Promise.all([...pending]);
    },
    /** Writes again, beside the points, the records a past run of this sweep did not get into the store. */
    retryCarried(): void {
      for (const index of [...new Set(s.unstored ?? [])]) {
        s.unstored = (s.unstored ?? []).filter((i) => i !== index);
        record(index);
      }
    },
    async end(outcome: string, e: Omit<StoredRunEnd, 'endedAt' | 'outcome'>): Promise<void> {
      await Promise.all([...pending]);
      for (const index of [...new Set(s.unstored ?? [])]) {
        s.unstored = (s.unstored ?? []).filter((i) => i !== index);
        await storeRecord(index);
      }
      const end: StoredRunEnd = { endedAt: new Date().toISOString(), outcome, ...e };
      await attempt('the run\'s end', () => acts.storeSweepRun.executeWithOptions({ summary: `store the outcome (${outcome})` }, [{ start, end }]));
    },
  };
}

export type ResultsStore = ReturnType<typeof resultsStore>;
