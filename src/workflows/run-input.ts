// A run's input as people write it (the Web UI's Start Workflow form, `temporal workflow start`,
// `pdflow run --print-input`): the cluster and sweep as YAML paths on the worker's machine or as
// the documents themselves. An activity reads and checks them; the plan is made here from the
// checked config (the planner is pure), never taken from the input.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ClusterConfig, SweepConfig } from '../config/index.js';
import type { ConfigRef } from '../config-io/run-config.js';
import { checkPlanSize, planSweep, unrunnableReason } from '../plan/index.js';
import type { Plan } from '../plan/types.js';
import { quickActivities, type StepTimeouts } from './activity-options.js';

export interface ResolvedRun {
  cluster: ClusterConfig;
  sweep?: SweepConfig;
  plan?: Plan;
}

const EXAMPLE = '{"cluster": "/path/to/cluster.yaml", "sweep": "/path/to/sweep.yaml"}';

/** Fails the run at once (never retried) when the input is not an object with a cluster. */
export function requireRunInput(input: unknown, workflow: string): asserts input is { cluster: ConfigRef | ClusterConfig } {
  const ok = input !== null && typeof input === 'object' && !Array.isArray(input) && 'cluster' in input &&
    (typeof input.cluster === 'string' || (input.cluster !== null && typeof input.cluster === 'object'));
  if (!ok) {
    throw ApplicationFailure.nonRetryable(`the ${workflow} workflow's input must be an object with "cluster" (a YAML file's path on the worker's machine, or the cluster document itself), e.g. ${EXAMPLE}; got ${JSON.stringify(input) ?? 'nothing'}`, 'ConfigError');
  }
}

/** Reads and checks the cluster (and sweep) on the worker, then plans the sweep. */
export async function resolveRun(refs: { cluster: ConfigRef | ClusterConfig; sweep?: ConfigRef | undefined }, t: StepTimeouts & { maxPoints?: number }): Promise<ResolvedRun> {
  let loaded: { cluster: ClusterConfig; sweep?: SweepConfig };
  try {
    loaded = await quickActivities(t).loadRunConfig.executeWithOptions({ summary: 'read and check the cluster and sweep' }, [{ cluster: refs.cluster as ConfigRef, ...(refs.sweep !== undefined ? { sweep: refs.sweep } : {}) }]);
  } catch (err) {
    // The run fails with the configuration's own message, not an activity wrapper.
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) throw ApplicationFailure.nonRetryable(err.cause.message, 'ConfigError');
    throw err;
  }
  if (!loaded.sweep) return loaded;
  // Lazy: the deployments without their point lists (the sweep makes one deployment's at a time),
  // so a plan of any size stays small in the history and in continue-as-new.
  const plan = planSweep(loaded.cluster, loaded.sweep, { lazyPoints: true });
  const why = unrunnableReason(plan) ?? checkPlanSize(plan, t.maxPoints ? { maxPoints: t.maxPoints } : {}).refusal;
  if (why) throw ApplicationFailure.nonRetryable(why, 'ConfigError');
  return { ...loaded, plan };
}
