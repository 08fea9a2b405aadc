// The sweep workflow's input, carried state and result. JSON data only.
import { defineQuery } from '@temporalio/workflow';
import type { ClusterConfig } from '../config/cluster.js';
import type { ConfigRef } from '../config-io/run-config.js';
import type { Plan, RejectedDeployment } from '../plan/types.js';
import type { BenchPointRecord } from '../analysis/records.js';
import type { SweepOutcome } from '../analysis/outcome.js';
import type { SlaConfig } from '../config/index.js';
import type { OutputCheckOutcome, OutputCheckState } from './output-check.js';
import type { NodeIdentity } from '../analysis/node-identity.js';
import type { SearchAnswer, SearchState } from '../plan/sla-search.js';
import type { RegressionVerdict } from '../activities/store.js';

export interface SweepOptions {
  heartbeatTimeout?: string;
  /** Retries of a failing point before it is recorded as failed (default: the sweep file's). */
  pointRetries?: number;
  /** Refuse sweeps with more points than this (default: the planner's DEFAULT_SIZE_LIMITS.maxPoints). */
  maxPoints?: number;
  /** A pause longer than this tears the deployment down (default: the sweep file's, else 30). */
  pauseTeardownAfterMinutes?: number;
  /** Records the workflow keeps in its state (the newest; all are in the results store). Default 500. */
  recordWindow?: number;
  /**
   * Reuse good records of the same content key from the results store (`pdflow run --reuse`); false
   * never reuses, whatever the sweep file says (a scheduled run measures again). Default: the sweep file's.
   */
  reuse?: { maxAgeHours: number } | false;
  /**
   * Compare the finished sweep with the last run of the same sweep that ended ok (a scheduled
   * sweep does): the verdict goes into the result, the memo and PdflowRegression.
   */
  compareWithLastGood?: boolean;
}

/** The records in a view are the newest ones, numbers [from, total) of the run; the store has all. */
export interface RecordWindow {
  from: number;
  total: number;
}

export interface SweepInput {
  /** A cluster YAML file's path on the worker's machine, or the cluster document itself. */
  cluster: ConfigRef | ClusterConfig;
  /** The sweep file's path on the worker's machine, or the sweep document: planned by the workflow. */
  sweep?: ConfigRef;
  /** A plan made already (the pipeline's sweep child; continue-as-new): used as it is. */
  plan?: Plan;
  options?: SweepOptions;
  /** Set by continue-as-new only. */
  carried?: SweepCarry;
}

export interface FailedDeployment {
  deployment: string;
  reason: string;
}

export interface SweepCarry extends OutputCheckState {
  records: BenchPointRecord[];
  failedDeployments: FailedDeployment[];
  cursor: { deployment: number; point: number };
  /** The deployment that is up right now, if any (survives continue-as-new). */
  deployed?: { deploymentId: string; generation: number; /** GPU time before this (epoch ms) is in gpuSecondsSpent (absent: carried by an older version). */ heldSinceMs?: number };
  /** Bumped per deploy so a redeploy after a long pause is a new remote job, not a re-read. */
  generation: number;
  paused: boolean;
  startedAt: string;
  gpuSecondsSpent: number;
  continuedAsNew: number;
  /** Indexes of records the results store has not confirmed (retried at the end). */
  unstored?: number[];
  /** Deployments that died mid-sweep and were replaced, by deployment id: how many times. */
  replacements?: Record<string, number>;
  /** Teardowns that failed (their real cause), each followed by a forced cleanup. */
  teardownFailures?: FailedDeployment[];
  /** ok/failed over every record made (absent: carried by an older run, whose records were all kept). */
  tally?: { ok: number; failed: number };
  /** The number of the first record in `records` (older ones were dropped once stored). */
  recordsFrom?: number;
  /** The SLA search on the current deployment: which workload, and its state (absent: none begun). */
  search?: { workload: number; state: SearchState };
  /** Each finished SLA search's answer, by `<deployment id>/<workload id>`. */
  searchAnswers?: Record<string, SearchAnswer>;
  /** Points copied from earlier runs instead of measured, and the GPU-seconds of benchmarks they saved. */
  reuse?: { points: number; gpuSecondsSaved: number };
  /** The GPU nodes' identity, read once per run before the first deploy (absent: not yet, or an older run). */
  identities?: NodeIdentity[];
}

export interface SweepResult {
  sweep: string;
  cluster: string;
  /** ok: every point ok; partial: some failed; failed: no ok point. */
  outcome: SweepOutcome;
  ok: number;
  failed: number;
  /** Every record, or the newest ones when `recordWindow` is set (the results store has all). */
  records: BenchPointRecord[];
  recordWindow?: RecordWindow;
  failedDeployments: FailedDeployment[];
  rejected: RejectedDeployment[];
  gpuHours: number;
  seconds: number;
  summary: string;
  continuedAsNew: number;
  /** The sweep file's SLA, for the report (absent: the sweep named none). */
  sla?: SlaConfig;
  /** The output check of each deployment, by deployment id (absent: the check was off). */
  outputChecks?: Record<string, OutputCheckOutcome>;
  /** Deployments that died mid-sweep and were replaced, by deployment id: how many times. */
  replacements?: Record<string, number>;
  teardownFailures?: FailedDeployment[];
  /** Each SLA search's answer (the highest load meeting the SLA), by `<deployment id>/<workload id>`. */
  searchAnswers?: Record<string, SearchAnswer>;
  /** Points reused from earlier runs (`reuse`), and the GPU-hours of benchmarks that saved. */
  reused?: { points: number; gpuHoursSaved: number };
  /** Against the last good run of the sweep (options.compareWithLastGood). */
  regression?: RegressionVerdict;
}

export interface SweepResultsView {
  records: BenchPointRecord[];
  /** Set when `records` are only the newest: read the rest from the results store. */
  recordWindow?: RecordWindow;
  failedDeployments: FailedDeployment[];
  rejected: RejectedDeployment[];
  /** The sweep file's SLA, for the report (absent: the sweep named none). */
  sla?: SlaConfig;
  outputChecks?: Record<string, OutputCheckOutcome>;
  searchAnswers?: Record<string, SearchAnswer>;
}

/** Every record so far (for `pdflow results` on a running sweep). */
export const sweepResultsQuery = defineQuery<SweepResultsView>('results');
