// A sweep's records for `results <id>`: the results store first (it outlives the server's
// retention), Temporal while the run is retained (a running sweep, or a store that missed
// writes), and the two merged; a run found in neither is an error that says where its records
// live and which store was searched.
import type { Client } from '@temporalio/client';
import type { StoredRun } from '../analysis/store-rows.js';
import type { RejectedDeployment } from '../plan/types.js';
import type { ResultsStore } from '../results-store/store.js';
import { RESULTS_URL_ENV } from '../results-store/store.js';
import { sweepRecords, type SweepRecordsView } from './sweep-records.js';
import { BadInputError, CliError, TemporalUnreachableError } from './errors.js';

export interface RunRecordsView extends SweepRecordsView {
  /** Where the records came from, for the report's notes. */
  source: string;
}

export interface RunRecordsSources {
  store: ResultsStore;
  /** Connects to Temporal (only called when the store cannot answer alone). */
  temporal: () => Promise<{ client: Client; address: string; namespace: string }>;
}

const TEMPORAL_STATUS: Record<string, string> = { completed: 'COMPLETED', cancelled: 'CANCELED', failed: 'FAILED' };

async function fromStore(store: ResultsStore, run: StoredRun): Promise<RunRecordsView> {
  const records = (await store.records(run)).map((r) => r.record);
  const status = run.end ? TEMPORAL_STATUS[run.end.status] ?? 'COMPLETED' : 'UNFINISHED';
  const view: RunRecordsView = {
    workflowId: run.workflowId, status, cluster: run.cluster, startedAt: run.startedAt, records, failedDeployments: run.end?.failedDeployments ?? [],
    rejected: run.rejected as RejectedDeployment[], source: `the results store (${store.where})`,
  };
  if (run.end?.gpuHours !== undefined) view.gpuHours = run.end.gpuHours;
  if (run.sla) view.sla = run.sla;
  return view;
}

export async function runRecords(id: string, src: RunRecordsSources): Promise<RunRecordsView> {
  let stored: StoredRun | undefined;
  let storeError: string | undefined;
  try {
    stored = (await src.store.findRuns(id))[0];
  } catch (err) {
    storeError = (err as Error).message;
  }
  // An ended run whose every record the store holds needs nothing from Temporal.
  if (stored?.end) {
    const view = await fromStore(src.store, stored);
    if (stored.totalPoints === 0 || view.records.length >= stored.totalPoints || stored.end.status !== 'completed') return view;
  }
  let temporal: SweepRecordsView | undefined;
  let temporalError: string;
  let unreachable: CliError | undefined;
  let temporalWhere = 'Temporal';
  try {
    const t = await src.temporal();
    temporalWhere = `Temporal (${t.address}, namespace ${t.namespace})`;
    temporal = await sweepRecords(t.client, id);
  } catch (err) {
    temporalError = err instanceof CliError ? err.message.split('\n')[0]! : (err as Error).message;
    if (err instanceof TemporalUnreachableError) unreachable = err;
  }
  if (temporal) {
    // Temporal's view is complete while retained; the store may hold records it no longer has.
    const storeRecords = stored ? (await src.store.records(stored)).map((r) => r.record) : [];
    const known = new Set(temporal.records.map((r) => r.pointId));
    const extra = storeRecords.filter((r) => !known.has(r.pointId));
    const both = `${temporalWhere} and the results store (${src.store.where})`;
    if (temporal.recordWindow) {
      // The run keeps only its newest records: the older ones come from the store, in run order.
      const { recordWindow, ...view } = temporal;
      const missing = recordWindow.total - (extra.length + temporal.records.length);
      const source = missing > 0 ? `${both}; ${missing} of its ${recordWindow.total} records are in neither (another worker's store? see --store)` : both;
      return { ...view, records: [...extra, ...temporal.records], source };
    }
    return { ...temporal, records: [...temporal.records, ...extra], source: extra.length ? both : temporalWhere };
  }
  if (stored) return fromStore(src.store, stored);
  const storeSays = storeError ? `the results store could not be read (${storeError})` : `the results store (${src.store.where}) has no run with that id`;
  const whereRecordsLive = [
    'A sweep\'s records live in the results store of the worker that ran it: `.pdflow/results.db` in the folder the worker was started from,',
    `or the PostgreSQL database in that worker's ${RESULTS_URL_ENV}. Read that store with \`--store PATH|URL\` (or set ${RESULTS_URL_ENV}).`,
  ];
  // No server: still exit 3 (start one), saying the store was searched too.
  if (unreachable) throw new CliError([unreachable.message, `For "${id}", ${storeSays}.`, ...whereRecordsLive].join('\n'), unreachable.exitCode);
  throw new BadInputError([`no records of "${id}": ${storeSays}, and ${temporalWhere}: ${temporalError!}.`, ...whereRecordsLive].join('\n'));
}
