// A sweep's records as the workflow state holds them: the `results` query while a worker can
// answer, else the closed run's result. A pipeline id leads to its sweep child.
import type { Client } from '@temporalio/client';
import { sweepResultsQuery, type SweepResult, type SweepResultsView } from '../workflows/sweep-types.js';
import type { PipelineResult } from '../workflows/stage-types.js';
import { snapshotRun } from './describe-run.js';
import { quoteVisibilityValue } from './visibility.js';
import { PdflowCluster } from '../common/search-attributes.js';
import { BadInputError } from './errors.js';

export interface SweepRecordsView extends SweepResultsView {
  workflowId: string;
  status: string;
  gpuHours?: number;
  /** For the report's header. */
  cluster?: string;
  /** ISO 8601. */
  startedAt?: string;
}

async function sweepIdOf(client: Client, id: string): Promise<string> {
  const snap = await snapshotRun(client, id);
  if (snap.type === 'sweep') return id;
  if (snap.type !== 'pipeline') throw new BadInputError(`${id} is a ${snap.type} run; results come from a sweep (see \`pdflow list --stage sweep\`)`);
  for await (const wf of client.workflow.list({ query: `ParentWorkflowId = ${quoteVisibilityValue(id)} AND WorkflowType = 'sweep'` })) return wf.workflowId;
  throw new BadInputError(`pipeline ${id} has not started a sweep (was it run with --sweep?)`);
}

export async function sweepRecords(client: Client, id: string): Promise<SweepRecordsView> {
  const sweepId = await sweepIdOf(client, id);
  const handle = client.workflow.getHandle(sweepId);
  const d = await handle.describe();
  const { status } = d;
  const cluster = d.typedSearchAttributes.get(PdflowCluster);
  const about = { ...(cluster ? { cluster } : {}), startedAt: d.startTime.toISOString() };
  if (status.name === 'COMPLETED') {
    const r = (await handle.result()) as SweepResult | PipelineResult;
    const s = 'records' in r ? r : r.sweep;
    if (s) return { workflowId: sweepId, status: status.name, ...about, records: s.records, ...(s.recordWindow ? { recordWindow: s.recordWindow } : {}), failedDeployments: s.failedDeployments, rejected: s.rejected, gpuHours: s.gpuHours, ...(s.sla ? { sla: s.sla } : {}) };
  }
  try {
    const view = await Promise.race([
      handle.query(sweepResultsQuery),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no worker answered within 10 s')), 10_000).unref()),
    ]);
    return { workflowId: sweepId, status: status.name, ...about, ...view };
  } catch (err) {
    throw new BadInputError(`cannot read the records of ${sweepId} (${status.name.toLowerCase()}): ${(err as Error).message}. Start a worker (\`pdflow worker\`) so the run can answer.`);
  }
}
