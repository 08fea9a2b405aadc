// Data shared by the pipeline, its stage workflows and their activities. Types only.
import type { ClusterConfig } from '../config/cluster.js';
import type { ConfigRef } from '../config-io/run-config.js';
import type { Plan } from '../plan/types.js';
import type { SweepOptions, SweepResult } from './sweep-types.js';
import type { SweepOutcome } from '../analysis/outcome.js';

export const STAGES = ['provision', 'build', 'ray', 'validate', 'smoke'] as const;
export type StageName = (typeof STAGES)[number];

export interface PipelineInput {
  /** A cluster YAML file's path on the worker's machine, or the cluster document itself. */
  cluster: ConfigRef | ClusterConfig;
  /** A subset of the stages, run in pipeline order; default all. */
  stages?: StageName[];
  /**
   * When given, the sweep runs as the last stage (a child workflow), after the checks pass: a
   * sweep YAML file's path on the worker's machine, or the sweep document itself. (Runs started
   * by older versions carried the plan: `{ plan, options }`.)
   */
  sweep?: ConfigRef | { plan: Plan; options?: SweepOptions };
  /** The sweep's options and the steps' heartbeat timeout. */
  options?: SweepOptions;
}

export interface StageInput {
  cluster: ClusterConfig;
}

export interface StageResult {
  stage: StageName;
  /** One line per node (or for the cluster), e.g. { 'worker-1': 'UCX 1.20.0 unchanged' }. */
  nodes: Record<string, string>;
  warnings: string[];
  seconds: number;
}

export interface PipelineResult {
  cluster: string;
  /** The sweep's outcome when there was one (a sweep whose points all failed is "failed"), else ok. */
  outcome: SweepOutcome;
  stages: StageResult[];
  sweep?: SweepResult;
  seconds: number;
}

export type { NodeStepInput, ClusterStepInput } from '../activities/types.js';
