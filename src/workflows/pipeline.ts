// The setup pipeline: one child workflow per stage, in order, each visible on its own in the
// Web UI. Stops at the first failing stage with that stage's typed error.
import { executeChild, log, patched, setHandler, setCurrentDetails, workflowInfo, upsertSearchAttributes, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { rootCause } from '../common/failures.js';
import { progressQuery, type RunProgress, type StageProgress } from './messages.js';
import { STAGES, type PipelineInput, type PipelineResult, type StageName, type StageResult } from './stage-types.js';
import type { StepTimeouts } from './activity-options.js';
import { provisionStage } from './stages/provision.js';
import { buildStage } from './stages/build.js';
import { rayStage } from './stages/ray.js';
import { validateStage } from './stages/validate.js';
import { smokeStage } from './stages/smoke.js';
import { sweep as sweepWorkflow } from './sweep.js';
import type { SweepResult } from './sweep-types.js';
import { sweepChildId } from '../common/ids.js';
import type { ClusterConfig } from '../config/index.js';
import type { ConfigRef } from '../config-io/run-config.js';
import type { Plan } from '../plan/types.js';
import type { SweepOptions } from './sweep-types.js';
import { requireRunInput, resolveRun } from './run-input.js';
import { clockTime } from '../common/clock-time.js';
import { PdflowCluster, PdflowFailedPoints, PdflowOutcome, PdflowStage, PdflowSweep } from '../common/search-attributes.js';

const STAGE_WORKFLOWS = { provision: provisionStage, build: buildStage, ray: rayStage, validate: validateStage, smoke: smokeStage } as const;
const STAGE_SUMMARIES: Record<StageName, string> = {
  provision: 'inventory, Python stack, model weights',
  build: 'UCX with EFA + NIXL on every node',
  ray: 'Ray head and workers, every GPU visible',
  validate: 'NIXL KV-block transfer test (pack, spread)',
  smoke: 'smallest PD deployment answers, then torn down',
};

/** Runs started before the workflow read its own config carried the checked cluster and the plan. */
const RUN_INPUT_PATCH = 'pdflow-run-input';

const isPlanned = (sweep: PipelineInput['sweep']): sweep is { plan: Plan; options?: SweepOptions } =>
  typeof sweep === 'object' && sweep !== null && 'plan' in sweep && typeof sweep.plan === 'object';

function requireStageNames(stages: unknown): void {
  if (stages === undefined) return;
  const bad = Array.isArray(stages) ? stages.filter((n) => !(STAGES as readonly unknown[]).includes(n)) : [stages];
  if (bad.length) throw ApplicationFailure.nonRetryable(`input.stages: ${JSON.stringify(bad)} ${Array.isArray(stages) ? 'are not stages' : 'is not a list'}; give a list of ${STAGES.join(', ')} (in any order; leave it out for all, [] for none)`, 'ConfigError');
}

export async function pipeline(input: PipelineInput & StepTimeouts): Promise<PipelineResult> {
  requireRunInput(input, 'pipeline');
  const heartbeatTimeout = input.options?.heartbeatTimeout ?? input.heartbeatTimeout;
  let cluster: ClusterConfig;
  let sweepRun: { plan: Plan; options?: SweepOptions } | undefined;
  if (patched(RUN_INPUT_PATCH)) {
    const planned = isPlanned(input.sweep) ? input.sweep : undefined;
    try {
      requireStageNames(input.stages);
      const run = await resolveRun({ cluster: input.cluster, sweep: planned ? undefined : input.sweep as ConfigRef | undefined }, { heartbeatTimeout, maxPoints: input.options?.maxPoints });
      cluster = run.cluster;
      sweepRun = planned ?? (run.plan ? { plan: run.plan, options: input.options } : undefined);
    } catch (err) {
      upsertSearchAttributes([{ key: PdflowStage, value: 'pipeline' }, { key: PdflowOutcome, value: 'failed' }]);
      throw err;
    }
  } else {
    cluster = input.cluster as ClusterConfig;
    sweepRun = isPlanned(input.sweep) ? input.sweep : undefined;
  }
  // No list: every stage. An empty list: none (`--stages sweep` starts the sweep after no checks).
  const selected = input.stages ? STAGES.filter((s) => input.stages!.includes(s)) : [...STAGES];
  const startedMs = Date.now();
  const stages: StageProgress[] = selected.map((name) => ({ name, status: 'pending' }));
  if (sweepRun) stages.push({ name: 'sweep', status: 'pending' });
  let lastError: string | undefined;
  let state: RunProgress['state'] = 'running';
  let sweepWorkflowId: string | undefined;
  // However the run was started (CLI, Web UI, Temporal CLI, schedule), it is listed and filterable.
  upsertSearchAttributes([
    { key: PdflowCluster, value: cluster.name }, { key: PdflowStage, value: 'pipeline' }, { key: PdflowOutcome, value: 'running' },
    ...(sweepRun ? [{ key: PdflowSweep, value: sweepRun.plan.sweepName }] : []),
  ]);
  setHandler(progressQuery, (): RunProgress => {
    const done = stages.filter((s) => s.status === 'done').length;
    const failed = stages.filter((s) => s.status === 'failed').length;
    const running = stages.find((s) => s.status === 'running');
    return {
      kind: 'pipeline', cluster: cluster.name, state, stages, current: { stage: running?.name },
      activity: running ? `${running.name}: ${running.name === 'sweep' ? `see ${sweepWorkflowId ?? 'the sweep child'}` : STAGE_SUMMARIES[running.name as StageName]}` : undefined,
      done, failed, total: stages.length, remaining: stages.length - done - failed,
      startedAt: new Date(startedMs).toISOString(), asOf: new Date().toISOString(), elapsedSec: (Date.now() - startedMs) / 1000, lastError,
    };
  });

  const results: StageResult[] = [];
  for (const [i, name] of selected.entries()) {
    const entry = stages[i]!;
    entry.status = 'running';
    setCurrentDetails(`**pipeline** on ${cluster.name}: stage ${i + 1}/${selected.length} **${name}** — ${STAGE_SUMMARIES[name]}\n\nrun started ${clockTime(new Date(startedMs).toISOString())}; this stage started ${clockTime(new Date().toISOString())}`);
    try {
      const r = await executeChild(STAGE_WORKFLOWS[name], {
        workflowId: `${workflowInfo().workflowId}-${name}`,
        args: [{ cluster, heartbeatTimeout }],
        staticSummary: `${name} on ${cluster.name}: ${STAGE_SUMMARIES[name]}`,
        typedSearchAttributes: [{ key: PdflowCluster, value: cluster.name }, { key: PdflowStage, value: name }],
      });
      results.push(r);
      entry.status = 'done';
      entry.summary = Object.entries(r.nodes).map(([n, s]) => `${n}: ${s}`).join(', ');
      if (r.warnings.length) {
        // Warnings do not stop the pipeline, but they must be seen: in the progress and the log.
        const unique = [...new Set(r.warnings)];
        entry.summary += ` — WARNING: ${unique.join('; ')}`;
        log.warn(`stage ${name} warnings`, { warnings: unique });
      }
    } catch (err) {
      entry.status = 'failed';
      for (const later of stages.slice(i + 1)) later.status = 'skipped';
      state = isCancellation(err) ? 'cancelled' : 'failed';
      upsertSearchAttributes([{ key: PdflowOutcome, value: state }]);
      if (isCancellation(err)) throw err;
      // The stage's own failure sits under the child and activity wrappers: report that one.
      const cause = rootCause(err);
      lastError = `${name}: ${(cause as Error)?.message ?? String(cause)}`;
      entry.summary = lastError;
      const type = cause instanceof ApplicationFailure ? cause.type ?? 'StageFailed' : 'StageFailed';
      throw ApplicationFailure.nonRetryable(`stage ${name} failed on cluster ${cluster.name}: ${(cause as Error)?.message ?? String(cause)}`, type);
    }
  }
  let sweepResult: SweepResult | undefined;
  if (sweepRun) {
    const entry = stages[stages.length - 1]!;
    entry.status = 'running';
    const { plan, options } = sweepRun;
    const workflowId = sweepChildId(workflowInfo().workflowId);
    sweepWorkflowId = workflowId;
    setCurrentDetails(`**pipeline** on ${cluster.name}: checks passed; sweep **${plan.sweepName}** runs as ${workflowId}`);
    try {
      sweepResult = await executeChild(sweepWorkflow, {
        workflowId,
        args: [{ cluster, plan, options: { heartbeatTimeout, ...options } }],
        staticSummary: `sweep ${plan.sweepName} on ${cluster.name}: ${plan.deployments.length} deployments, ${plan.estimate.points} points`,
        typedSearchAttributes: [{ key: PdflowCluster, value: cluster.name }, { key: PdflowStage, value: 'sweep' }, { key: PdflowSweep, value: plan.sweepName }],
      });
      entry.status = sweepResult.outcome === 'ok' ? 'done' : 'failed';
      entry.summary = sweepResult.summary;
    } catch (err) {
      entry.status = 'failed';
      state = isCancellation(err) ? 'cancelled' : 'failed';
      upsertSearchAttributes([{ key: PdflowOutcome, value: state }]);
      throw err;
    }
  }
  state = 'completed';
  const outcome = sweepResult?.outcome ?? 'ok';
  upsertSearchAttributes([{ key: PdflowOutcome, value: outcome }, ...(sweepResult ? [{ key: PdflowFailedPoints, value: sweepResult.failed }] : [])]);
  setCurrentDetails(`**pipeline** on ${cluster.name}: ${sweepResult ? `checks passed; sweep ${sweepResult.summary}` : `all ${stages.length} stages passed`}`);
  return { cluster: cluster.name, outcome, stages: results, sweep: sweepResult, seconds: (Date.now() - startedMs) / 1000 };
}
