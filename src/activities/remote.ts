// Activities that reach nodes over SSH: short commands, script upload, and re-attachable remote
// jobs. Workflows pass node references (no secrets); secrets are resolved here, on the worker.
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { ClusterConfig } from '../config/cluster.js';
import { SshPool } from './ssh/pool.js';
import { execOnNode, type ExecResult } from './ssh/exec.js';
import { cancelJob, fileSafe, jobIdFor, jobPathsFor, runRemoteJob, type RemoteJobResult } from './ssh/remote-job.js';
import { uploadScripts, type UploadResult } from './ssh/upload.js';
import { nodeTarget, resolveNodeSpec, type NodeSpec, type NodeTarget } from './ssh/targets.js';
import { currentRunKey } from './run-key.js';

/** A node as a workflow names it: a resolved spec, or a cluster file plus a node name. */
export type NodeRef = { spec: NodeSpec } | { cluster: ClusterConfig; node: string };

export function resolveNodeRef(ref: NodeRef): NodeTarget {
  return 'spec' in ref ? resolveNodeSpec(ref.spec) : nodeTarget(ref.cluster, ref.node);
}

/** The workflow id (stable across activity attempts); a standalone activity's id otherwise. */
export function runIdOf(ctx: Context): string {
  return ctx.info.workflowExecution?.workflowId ?? `activity-${ctx.info.activityId}`;
}

/**
 * A step's job id on a node: the workflow id (readable on the node), the run key (the first
 * execution's run id: a new run under a reused workflow id gets new jobs, retries and
 * continue-as-new keep theirs), the step and the node (nodes may share a workdir, e.g. an NFS home).
 */
export function runJobId(workflowId: string, runKey: string, step: string, nodeName: string): string {
  return jobIdFor(runName(workflowId, runKey), `${step}@${nodeName}`);
}

/**
 * One run's name on the nodes: its workflow id and 8 hex digits of a hash of its run key (run
 * ids are time-ordered UUIDs: their first digits are the same for runs started close together).
 */
export const runName = (workflowId: string, runKey: string) => `${workflowId}.${createHash('sha256').update(runKey).digest('hex').slice(0, 8)}`;

/** The name of the run the current activity serves, for its folders on the nodes (results). */
export const currentRunName = (ctx: Context = Context.current()) => fileSafe(runName(runIdOf(ctx), currentRunKey(ctx)));

/** The job id of `step` on `target` for the run the current activity serves. */
export function defaultJobId(step: string, target: NodeTarget, ctx: Context = Context.current()): string {
  return runJobId(runIdOf(ctx), currentRunKey(ctx), step, target.name);
}

export interface RemoteJobInput {
  node: NodeRef;
  /** The step within the workflow (with the workflow id it makes the job id), e.g. "build-ucx". */
  step: string;
  argv: string[];
  cwd?: string;
  /** Extra, non-secret environment for this job. */
  env?: Record<string, string>;
  /** Default: runJobId(workflow id, run key, step, node name). */
  jobId?: string;
  /** Regular expression source; its first group names the phase. Default `^::phase (\w+)`. */
  phasePattern?: string;
  pollIntervalMs?: number;
  killGraceSeconds?: number;
  /** May a non-zero exit be retried (the retry starts the job afresh)? Default true. */
  retryable?: boolean;
  hint?: string;
  maxDisconnectedMs?: number;
}

export interface RemoteExecInput {
  node: NodeRef;
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  check?: boolean;
  retryable?: boolean;
  hint?: string;
  maxOutputBytes?: number;
  timeoutMs?: number;
}

export interface RemoteActivityDeps {
  runsDir: string;
  /** The worker's pool (its owner, the composition root, closes it). */
  sshPool: SshPool;
}

export function createRemoteActivities(deps: RemoteActivityDeps) {
  const pool = () => deps.sshPool;

  return {
    /** Runs a long command as a detached job on a node; re-attaches on retry. Needs heartbeatTimeout. */
    async remoteJob(input: RemoteJobInput): Promise<RemoteJobResult> {
      const ctx = Context.current();
      const target = resolveNodeRef(input.node);
      const workflowId = runIdOf(ctx);
      return runRemoteJob({ pool: pool(), runsDir: deps.runsDir, workflowId }, target, {
        jobId: input.jobId ?? defaultJobId(input.step, target, ctx),
        step: input.step,
        argv: input.argv,
        cwd: input.cwd,
        env: input.env,
        phasePattern: input.phasePattern ? new RegExp(input.phasePattern) : undefined,
        pollIntervalMs: input.pollIntervalMs,
        killGraceSeconds: input.killGraceSeconds,
        retryable: input.retryable,
        hint: input.hint,
        maxDisconnectedMs: input.maxDisconnectedMs,
      });
    },

    /** A short command on a node (seconds, not minutes); output capped. */
    async remoteExec(input: RemoteExecInput): Promise<ExecResult> {
      const target = resolveNodeRef(input.node);
      return execOnNode(pool(), target, input.argv, {
        cwd: input.cwd,
        env: input.env,
        check: input.check,
        retryable: input.retryable,
        hint: input.hint,
        maxOutputBytes: input.maxOutputBytes,
        timeoutMs: input.timeoutMs,
        signal: Context.current().cancellationSignal,
      });
    },

    /** Puts scripts/remote/ into <workdir>/scripts on the node unless the same content is there. */
    async uploadRemoteScripts(input: { node: NodeRef; force?: boolean }): Promise<UploadResult> {
      return uploadScripts(pool(), resolveNodeRef(input.node), { force: input.force, signal: Context.current().cancellationSignal });
    },

    /** Stops a job started by remoteJob (TERM, then KILL after the grace period). */
    async killRemoteJob(input: { node: NodeRef; step: string; jobId?: string; graceSeconds?: number }): Promise<{ killed: boolean; forced?: boolean; reason?: string }> {
      const target = resolveNodeRef(input.node);
      const jobId = input.jobId ?? defaultJobId(input.step, target);
      await uploadScripts(pool(), target);
      return cancelJob(pool(), target, await jobPathsFor(pool(), target, jobId), input.graceSeconds ?? 10);
    },
  };
}
