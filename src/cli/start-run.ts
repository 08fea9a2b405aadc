// Starting runs from the CLI (and the demo, and schedules): read and check the files, plan the
// sweep, start the pipeline workflow with a meaningful id, summary and search attributes.
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { ClusterConfig } from '../config/index.js';
import { planSweep, unrunnableReason } from '../plan/index.js';
import { requireSize } from './size-flags.js';
import { loadClusterAndSweep, loadClusterFile } from './config-files.js';
import type { Plan } from '../plan/types.js';
import type { pipeline } from '../workflows/pipeline.js';
import type { sweep } from '../workflows/sweep.js';
import { STAGES, type StageName, type PipelineInput } from '../workflows/stage-types.js';
import type { SweepInput, SweepOptions } from '../workflows/sweep-types.js';
import { workflowId as makeWorkflowId } from '../common/ids.js';
import { PdflowCluster, PdflowStage, PdflowSweep } from '../common/search-attributes.js';
import { DEFAULT_TASK_QUEUE } from '../common/task-queue.js';
import { BadInputError } from './errors.js';

export interface RunFiles {
  cluster: ClusterConfig;
  plan?: Plan;
  /** The files' documents as written: what the workflow's input carries (it checks and plans them itself). */
  docs: { cluster: Record<string, unknown>; sweep?: Record<string, unknown> };
}

/** The cluster, and the sweep planned on it when a sweep file is given, checked here before anything starts. */
export async function loadRunFiles(clusterFile: string, sweepFile?: string, limits: { maxPoints?: number } = {}): Promise<RunFiles> {
  const doc = async (file: string) => parseYaml(await readFile(file, 'utf8')) as Record<string, unknown>;
  if (!sweepFile) return { cluster: await loadClusterFile(clusterFile), docs: { cluster: await doc(clusterFile) } };
  const { cluster, sweep } = await loadClusterAndSweep(clusterFile, sweepFile);
  // Lazy: checking a sweep of any size needs its counts and estimates, not its point lists.
  const plan = planSweep(cluster, sweep, { lazyPoints: true });
  requireRunnable(plan);
  requireSize(plan, limits);
  return { cluster, plan, docs: { cluster: await doc(clusterFile), sweep: await doc(sweepFile) } };
}

/** A sweep with nothing to run is bad input, not a no-op run that ends green. */
export function requireRunnable(plan: Plan): void {
  const why = unrunnableReason(plan);
  if (why) throw new BadInputError(why);
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
  /** What the workflow's input carries: the documents as written (default: the checked cluster). */
  docs?: RunFiles['docs'];
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
 * the second they start in (README "Commands"); ids are never reused, so a second start in the same
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
  const input = runInput(o);
  if (o.runSweep && o.plan && o.stages.length === 0) {
    return client.workflow.start<typeof sweep>('sweep', {
      taskQueue,
      workflowId: sweepId,
      workflowIdReusePolicy,
      args: [{ cluster: input.cluster, sweep: input.sweep as SweepInput['sweep'], options: input.options }],
      staticSummary: sweepSummary,
      typedSearchAttributes: [{ key: PdflowCluster, value: name }, { key: PdflowStage, value: 'sweep' }, { key: PdflowSweep, value: o.plan.sweepName }],
    });
  }
  return client.workflow.start<typeof pipeline>('pipeline', {
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

/**
 * The pipeline's input: short and as the user wrote it (the workflow reads, checks and plans it
 * itself), so the same input works from the Web UI's Start Workflow form and `temporal workflow start`.
 */
export function runInput(o: Pick<StartRunOptions, 'cluster' | 'plan' | 'docs' | 'stages' | 'runSweep' | 'heartbeatTimeout' | 'sweepOptions'>): PipelineInput {
  const options: SweepOptions = { ...(o.heartbeatTimeout ? { heartbeatTimeout: o.heartbeatTimeout } : {}), ...o.sweepOptions };
  const sweepDoc = o.runSweep && o.plan ? o.docs?.sweep : undefined;
  if (o.runSweep && o.plan && !sweepDoc) throw new Error('runInput: a sweep run needs the sweep document (docs.sweep)');
  return {
    cluster: o.docs?.cluster ?? o.cluster,
    // Every stage is the default: left out, the input stays short.
    ...(o.stages.length === STAGES.length ? {} : { stages: o.stages }),
    ...(sweepDoc ? { sweep: sweepDoc } : {}),
    ...(Object.keys(options).length ? { options } : {}),
  };
}

