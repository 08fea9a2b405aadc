import type { Command } from 'commander';
import { connectFlags, printJson } from '../flags.js';
import { BadInputError, TemporalUnreachableError } from '../errors.js';
import { quoteVisibilityValue } from '../visibility.js';
import { formatTable } from '../table.js';
import { formatDuration } from '../duration.js';
import { readerStore, STORE_FLAG_HELP } from '../store-flag.js';
import type { StoredRunSummary } from '../../results-store/store.js';

const STATUSES: Record<string, string> = {
  running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Canceled',
  terminated: 'Terminated', 'timed-out': 'TimedOut', 'continued-as-new': 'ContinuedAsNew',
};

export function registerList(program: Command) {
  program
    .command('list')
    .description('Recent pdflow runs, newest first (filters use the Pdflow* search attributes)')
    .option('--cluster <name>', 'only runs of this cluster')
    .option('--stage <stage>', 'only this stage: pipeline, provision, build, ray, validate, smoke, sweep, hello')
    .option('--status <status>', `only this status: ${Object.keys(STATUSES).join(', ')}`)
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'machine-readable output')
    .option('--from-store', 'list the sweeps in the results store only (no Temporal needed: runs past the server\'s retention too)')
    .option('--store <path|url>', STORE_FLAG_HELP)
    .addHelpText('after', [
      '', 'Sweeps the server no longer holds (past its retention) but the results store does are listed too, marked "(store)".',
      '', 'Examples:', '  pdflow list', '  pdflow list --cluster p5-pair --stage sweep --status running', '  pdflow list --from-store --store postgres://pdflow@db.lab/pdflow', '',
    ].join('\n'))
    .action(async (o: { cluster?: string; stage?: string; status?: string; limit: string; json?: boolean; fromStore?: boolean; store?: string }, cmd: Command) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new BadInputError(`--limit: "${o.limit}" is not a positive integer`);
      const clauses = ["PdflowStage IS NOT NULL"];
      if (o.cluster) clauses.push(`PdflowCluster = ${quoteVisibilityValue(o.cluster)}`);
      if (o.stage) clauses.push(`PdflowStage = ${quoteVisibilityValue(o.stage)}`);
      if (o.status) {
        const s = STATUSES[o.status];
        if (!s) throw new BadInputError(`--status: "${o.status}" is not one of ${Object.keys(STATUSES).join(', ')}`);
        clauses.push(`ExecutionStatus = '${s}'`);
      }
      // Stored runs are sweeps; a status filter is Temporal's (a stored run has no live status).
      const storeApplies = (!o.stage || o.stage === 'sweep') && !o.status;
      if (o.fromStore) {
        if (!storeApplies) throw new BadInputError('--from-store lists sweeps as stored: drop --status, and --stage other than sweep');
        return printRows(await storedRows(o.store, o.cluster, limit), o.json);
      }
      // Loaded here: --from-store and `pdflow --help` never load the Temporal client.
      const [{ connectClient }, { PdflowCluster, PdflowFailedPoints, PdflowOutcome, PdflowStage, PdflowSweep }] = await Promise.all([
        import('../connect.js'), import('../../common/search-attributes.js'),
      ]);
      let client;
      try {
        ({ client } = await connectClient(connectFlags(cmd)));
      } catch (err) {
        if (err instanceof TemporalUnreachableError) err.message += '\nSweeps in the results store are listed without a server by `pdflow list --from-store`.';
        throw err;
      }
      const rows: ListRow[] = [];
      for await (const wf of client.workflow.list({ query: clauses.join(' AND '), pageSize: limit })) {
        rows.push({
          workflowId: wf.workflowId,
          type: wf.type,
          status: wf.status.name,
          outcome: wf.typedSearchAttributes.get(PdflowOutcome),
          failedPoints: wf.typedSearchAttributes.get(PdflowFailedPoints),
          cluster: wf.typedSearchAttributes.get(PdflowCluster),
          stage: wf.typedSearchAttributes.get(PdflowStage),
          sweep: wf.typedSearchAttributes.get(PdflowSweep),
          start: wf.startTime.toISOString(),
          close: wf.closeTime?.toISOString(),
        });
        if (rows.length >= limit) break;
      }
      if (storeApplies) {
        // Sweeps past the server's retention: in the store, unknown to Temporal.
        const listed = new Set(rows.map((r) => r.workflowId));
        const stored = await storedRows(o.store, o.cluster, limit).catch((err: unknown) => {
          process.stderr.write(`warning: ${(err as Error).message}; runs past the server's retention are not listed\n`);
          return [];
        });
        for (const r of stored) {
          if (listed.has(r.workflowId)) continue;
          if (await client.workflow.getHandle(r.workflowId).describe().then(() => true, () => false)) continue;
          rows.push(r);
        }
        rows.sort((a, b) => b.start.localeCompare(a.start));
        rows.splice(limit);
      }
      printRows(rows, o.json);
    });
}

interface ListRow {
  workflowId: string; type: string; status: string; outcome?: string; failedPoints?: number; cluster?: string; stage?: string; sweep?: string; start: string; close?: string;
  /** "store": known from the results store only. */
  source?: string;
}

function printRows(rows: ListRow[], json?: boolean): void {
  if (json) return printJson(rows);
  if (rows.length === 0) return console.log('no runs found');
  const duration = (r: ListRow) => formatDuration(((r.close ? Date.parse(r.close) : Date.now()) - Date.parse(r.start)) / 1000);
  console.log(formatTable(rows.map((r) => ({
    id: r.workflowId, stage: r.stage, sweep: r.sweep ?? '', status: `${r.status.toLowerCase()}${r.source === 'store' ? ' (store)' : ''}`,
    outcome: r.outcome && r.outcome !== 'running' ? r.outcome : '', failed: r.failedPoints ?? '', started: r.start.replace('T', ' ').slice(0, 19), took: duration(r),
  }))));
}

/** The newest sweeps in the results store, as list rows. */
async function storedRows(storeFlag: string | undefined, cluster: string | undefined, limit: number): Promise<ListRow[]> {
  const store = await readerStore(storeFlag);
  try {
    const runs = await store.recentRuns(cluster ? limit * 5 : limit);
    return runs.filter((r) => !cluster || r.cluster === cluster).slice(0, limit).map(storedRow);
  } finally {
    await store.close();
  }
}

function storedRow(r: StoredRunSummary): ListRow {
  const row: ListRow = {
    workflowId: r.workflowId, type: 'sweep', status: r.end ? r.end.status : 'unfinished', failedPoints: r.failed,
    cluster: r.cluster, stage: 'sweep', sweep: r.sweep, start: r.startedAt, source: 'store',
  };
  if (r.end) {
    row.outcome = r.end.outcome;
    row.close = r.end.endedAt;
  }
  return row;
}
