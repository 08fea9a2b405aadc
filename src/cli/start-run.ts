// Starting runs from the CLI (and the demo, and schedules): read and check the files, plan the
// sweep, start the pipeline workflow with a meaningful id, summary and search attributes.
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { ClusterConfig } from '../config/index.js';
import { planSweep } from '../plan/index.js';
import { loadClusterAndSweep, loadClusterFile } from './config-files.js';
import type { Plan } from '../plan/types.js';
import { pipeline } from '../workflows/pipeline.js';
import { sweep } from '../workflows/sweep.js';
import { STAGES, type StageName, type PipelineInput } from '../workflows/stage-types.js';
import type { SweepOptions } from '../workflows/sweep-types.js';
import { workflowId as makeWorkflowId } from '../common/ids.js';
import { PdflowCluster, PdflowStage, PdflowSweep } from '../common/search-attributes.js';
import { DEFAULT_TASK_QUEUE } from '../worker.js';
import { BadInputError } from './errors.js';

/** The cluster, and the sweep planned on it when a sweep file is given. */
export async function loadRunFiles(clusterFile: string, sweepFile?: string): Promise<{ cluster: ClusterConfig; plan?: Plan }> {
  if (!sweepFile) return { cluster: await loadClusterFile(clusterFile) };
  const { cluster, sweep } = await loadClusterAndSweep(clusterFile, sweepFile);
  const plan = planSweep(cluster, sweep);
  requireRunnable(plan);
  return { cluster, plan };
}

/** A sweep with nothing to run is bad input, not a no-op run that ends green. */
export function requireRunnable(plan: Plan): void {
  if (plan.estimate.points > 0) return;
  const why = plan.rejected.map((r) => `  ${r.label}: ${r.message}`).join('\n');
  throw new BadInputError(`sweep ${plan.sweepName} has no point that can run on cluster ${plan.clusterName}` +
    `${why ? `; every deployment was rejected:\n${why}` : ''}\n  fix the sweep's deployments (see \`pdflow plan\`) or use a cluster with the GPUs they need`);
}

export function parseStages(list: string | undefined, withSweep: boolean): { stages: StageName[]; sweep: boolean } {
  const known = [...STAGES, 'sweep'];
  if (list === undefined) return { stages: [...STAGES], sweep: withSweep };
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new BadInputError(`--stages "${list}" names no stage; give one or more of ${known.join(', ')} (or leave --stages out to run every stage)`);
  const bad = names.filter((n) => !known.includes(n));
  if (bad.length) throw new BadInputError(`--stages: unknown stage(s) ${bad.map((b) => `"${b}"`).join(', ')}; choose from ${known.join(', ')}`);
  if (names.includes('sweep') && !withSweep) throw new BadInputError('--stages sweep needs --sweep FILE');
  return { stages: STAGES.filter((s) => names.includes(s)), sweep: withSweep && names.includes('sweep') };
}

export interface StartRunOptions {
  cluster: ClusterConfig;
  plan?: Plan;
  stages: StageName[];
  runSweep: boolean;
  taskQueue?: string;
  heartbeatTimeout?: string;
  sweepOptions?: SweepOptions;
  now?: Date;
}

/** How many runs of one cluster may start in the same second before we give up (ids -2 … -N). */
const SAME_SECOND_STARTS = 20;

/**
 * Starts the pipeline (checks, then the sweep as its last child), or the sweep alone. Ids carry
 * the second they start in (DESIGN.md); ids are never reused, so a second start in the same
 * second (a script, a schedule and a human at once) gets the next free suffix instead of failing.
 */
export async function startRun(client: Client, o: StartRunOptions): Promise<WorkflowHandle> {
  const now = o.now ?? new Date();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRunAs(client, o, now, attempt);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt >= SAME_SECOND_STARTS) throw err;
    }
  }
}

async function startRunAs(client: Client, o: StartRunOptions, now: Date, attempt: number): Promise<WorkflowHandle> {
  const taskQueue = o.taskQueue ?? DEFAULT_TASK_QUEUE;
  const name = o.cluster.name;
  const workflowIdReusePolicy = WorkflowIdReusePolicy.REJECT_DUPLICATE;
  const sweepId = makeWorkflowId(name, 'sweep', now, attempt);
  const sweepSummary = o.plan ? `sweep ${o.plan.sweepName} on ${name}: ${o.plan.deployments.length} deployments, ${o.plan.estimate.points} points, est. ${Math.round(o.plan.estimate.totalSeconds / 60)} min` : '';
  if (o.runSweep && o.plan && o.stages.length === 0) {
    return client.workflow.start(sweep, {
      taskQueue,
      workflowId: sweepId,
      workflowIdReusePolicy,
      args: [{ cluster: o.cluster, plan: o.plan, options: { heartbeatTimeout: o.heartbeatTimeout, ...o.sweepOptions } }],
      staticSummary: sweepSummary,
      typedSearchAttributes: [{ key: PdflowCluster, value: name }, { key: PdflowStage, value: 'sweep' }, { key: PdflowSweep, value: o.plan.sweepName }],
    });
  }
  const input: PipelineInput & { heartbeatTimeout?: string } = { cluster: o.cluster, stages: o.stages, heartbeatTimeout: o.heartbeatTimeout };
  if (o.runSweep && o.plan) input.sweep = { plan: o.plan, options: o.sweepOptions };
  return client.workflow.start(pipeline, {
    taskQueue,
    workflowId: makeWorkflowId(name, 'pipeline', now, attempt),
    workflowIdReusePolicy,
    args: [input],
    staticSummary: `pipeline on ${name}: ${o.stages.join(' → ') || '(no checks)'}${input.sweep ? ` → sweep ${o.plan!.sweepName}` : ''}`,
    typedSearchAttributes: [
      { key: PdflowCluster, value: name }, { key: PdflowStage, value: 'pipeline' },
      ...(input.sweep ? [{ key: PdflowSweep, value: o.plan!.sweepName }] : []),
    ],
  });
}

