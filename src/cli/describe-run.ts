// Reads a run's state for `status` and `watch`: describe + the `progress` query.
import { WorkflowFailedError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { progressQuery, type RunProgress } from '../workflows/messages.js';
import { RunFailedError, BadInputError } from './errors.js';
import { within } from '../common/within.js';
import { liveProgress } from './live-progress.js';
import { formatDuration } from './duration.js';
import { PdflowFailedPoints, PdflowOutcome, PdflowRegression } from '../common/search-attributes.js';

export { formatDuration };

export interface RunSnapshot {
  workflowId: string;
  runId: string;
  type: string;
  status: string; // RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW
  startTime: string;
  closeTime?: string;
  summary?: string;
  /** PdflowOutcome: running | ok | partial | failed | cancelled (absent on runs without it). */
  outcome?: string;
  /** PdflowFailedPoints: benchmark points recorded as failed. */
  failedPoints?: number;
  /** PdflowRegression: none | regressed | improved (a sweep compared with its last good run). */
  regression?: string;
  progress?: RunProgress;
  failure?: string;
}

export async function snapshotRun(client: Client, workflowId: string): Promise<RunSnapshot> {
  const handle = client.workflow.getHandle(workflowId);
  let desc: WorkflowExecutionDescription;
  try {
    desc = await handle.describe();
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') throw new BadInputError(`no run with id "${workflowId}" (see \`pdflow list\`)`);
    throw err;
  }
  const snap: RunSnapshot = {
    workflowId,
    runId: desc.runId,
    type: desc.type,
    status: desc.status.name,
    startTime: desc.startTime.toISOString(),
    closeTime: desc.closeTime?.toISOString(),
    summary: (await desc.staticSummary?.()) ?? undefined,
    outcome: desc.typedSearchAttributes.get(PdflowOutcome),
    failedPoints: desc.typedSearchAttributes.get(PdflowFailedPoints),
  };
  const regression = desc.typedSearchAttributes.get(PdflowRegression);
  if (regression) snap.regression = regression;
  try {
    // A closed run needs a worker to answer queries; don't make `status` wait long for one.
    const progress = await within(handle.query(progressQuery), snap.status === 'RUNNING' ? 10_000 : 2_000);
    if (progress !== undefined) snap.progress = progress;
  } catch {
    // No worker to answer (or an old run): describe alone still says a lot.
  }
  if (['FAILED', 'TIMED_OUT', 'TERMINATED'].includes(snap.status)) {
    try {
      await handle.result();
    } catch (err) {
      snap.failure = failureText(err);
    }
  }
  return snap;
}

export function failureText(err: unknown): string {
  if (err instanceof WorkflowFailedError) {
    let e: unknown = err.cause;
    const parts: string[] = [];
    while (e instanceof Error) {
      parts.push(e.message);
      e = (e as Error & { cause?: unknown }).cause;
    }
    return parts.join(' <- ');
  }
  return (err as Error)?.message ?? String(err);
}

/** Exit 1 for a run that failed, and for a completed sweep with failed points (partial or failed). */
export function exitForStatus(status: string, failure?: string, outcome?: string, failedPoints?: number): void {
  if (['FAILED', 'TIMED_OUT', 'TERMINATED', 'CANCELLED'].includes(status)) {
    throw new RunFailedError(`run ${status.toLowerCase()}${failure ? `: ${failure}` : ''}`);
  }
  if (status === 'COMPLETED' && (outcome === 'partial' || outcome === 'failed')) {
    throw new RunFailedError(`run completed, outcome ${outcome.toUpperCase()}: ${failedPoints ?? 'some'} point(s) failed (see \`pdflow results\` for the reasons)`);
  }
}

/** One line of progress, with elapsed, ETA and GPU-hours on the reader's clock (`nowMs`). */
export function progressLine(answer: RunProgress, nowMs: number = Date.now()): string {
  const p = liveProgress(answer, nowMs);
  const parts = [`${p.done}/${p.total} done`];
  if (p.failed) parts.push(`${p.failed} failed`);
  if (p.activity) parts.push(p.stepStartedAt && p.state === 'running' ? `${p.activity} (${formatDuration((nowMs - Date.parse(p.stepStartedAt)) / 1000)})` : p.activity);
  parts.push(`elapsed ${formatDuration(p.elapsedSec)}`);
  if (p.etaSec !== undefined) parts.push(`ETA ${formatDuration(p.etaSec)}`);
  if (p.gpuHours !== undefined) parts.push(`${p.gpuHours.toFixed(2)} GPU-h`);
  if (p.state === 'paused') parts.push('PAUSED');
  return parts.join(' | ');
}
