// Remote jobs (docs/architecture.md "Remote jobs"): a long command runs detached on the node under
// scripts/remote/pdflow-job.sh; the activity starts or re-attaches to it by a job id that is
// stable across attempts, follows its log, heartbeats {offset, phase, jobId, pid}, and on
// cancellation kills the job's process group (but not on worker shutdown: a new worker attaches).
import { fileSafe, stepLogPath } from '../../common/run-folder.js';
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { CommandBuildError } from './quote.js';
import { execRaw, displayCommand, tailOf } from './exec.js';
import { invalidRemoteCommand, redact, remoteCommandFailed, remoteJobLost, SshErrorType } from './errors.js';
import {
  archiveCommand,
  jobPaths,
  killCommand,
  pollCommand,
  splitPollOutput,
  startCommand,
  statusCommand,
  tailCommand,
  parseJobStatus,
  type JobPaths,
  type JobStatus,
} from './job-script.js';
import { LogStream, DEFAULT_PHASE_PATTERN } from './log-stream.js';
import type { SshPool } from './pool.js';
import { secretValues, splitCommandEnv, type NodeTarget } from './targets.js';
import { uploadScripts } from './upload.js';
import { resolveWorkdir } from './workdir.js';
import { within } from '../../common/within.js';
import { beatingWhile } from '../heartbeat.js';

/**
 * A job id that is the same for every attempt of one step of one workflow, and safe as a single
 * path component and shell word: readable when possible, otherwise shortened with a hash.
 */
export function jobIdFor(workflowId: string, step: string): string {
  const raw = `${workflowId}.${step}`;
  const safe = raw.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[.-]+/, '').replace(/\.{2,}/g, '_');
  if (safe === raw && raw.length <= 120) return raw;
  const hash = createHash('sha256').update(`${workflowId}\0${step}`).digest('hex').slice(0, 12);
  return `${safe.slice(0, 100)}-${hash}`;
}

/** Folder/file-name-safe form of a value (for the worker's run folder). */
export { fileSafe };

// ---------------------------------------------------------------------------------------------
// Building blocks (usable outside an activity, e.g. by the CLI or tests)

export interface JobCommand {
  jobId: string;
  argv: readonly string[];
  cwd?: string;
  env?: Record<string, string>;
  /**
   * A job found still running after this many seconds is hung, not one to re-attach to: it is
   * killed, archived and started afresh (a retry after a timed-out attempt). Default: never.
   */
  hungAfterSeconds?: number;
}

export interface StartOrAttach {
  paths: JobPaths;
  status: JobStatus;
  /** We launched it now (false: it was already there). */
  started: boolean;
  /** Path of an earlier run's folder we archived (failed or lost before). */
  archived?: string;
  /** The earlier run was running past `hungAfterSeconds` and was killed. */
  killedHung?: boolean;
}

async function runnerExec(pool: SshPool, target: NodeTarget, command: string, shown: string, signal?: AbortSignal, stdin?: string): Promise<string> {
  const r = await execRaw(pool, target, command, shown, { idempotent: true, signal, stdin });
  if (r.exitCode !== 0) {
    throw remoteCommandFailed({
      node: target.name,
      command: shown,
      exitCode: r.exitCode,
      signal: r.signal,
      tail: redact(tailOf(r.stderr.toString('utf8') || r.stdout.toString('utf8')), secretValues(target)),
      hint: 'The pdflow job runner failed; check that bash, setsid and coreutils exist on the node and the workdir is writable.',
      retryable: true,
    });
  }
  return r.stdout.toString('utf8');
}

export async function jobPathsFor(pool: SshPool, target: NodeTarget, jobId: string): Promise<JobPaths> {
  return jobPaths(await resolveWorkdir(pool, target), jobId);
}

export async function jobStatus(pool: SshPool, target: NodeTarget, p: JobPaths, signal?: AbortSignal): Promise<JobStatus> {
  return parseJobStatus((await runnerExec(pool, target, statusCommand(p), `job status ${p.jobDir}`, signal)).trim());
}

/**
 * Finds the job or starts it: running -> attach; exited 0 -> its result stands (not rerun);
 * exited non-zero -> archived and started afresh; lost -> archived, then RemoteJobLost is thrown
 * (retryable) so the next attempt starts it.
 */
export async function startOrAttachJob(pool: SshPool, target: NodeTarget, job: JobCommand, signal?: AbortSignal): Promise<StartOrAttach> {
  await uploadScripts(pool, target, { signal });
  const paths = await jobPathsFor(pool, target, job.jobId);
  const shown = displayCommand(job.argv, secretValues(target));
  let status = await jobStatus(pool, target, paths, signal);
  let archived: string | undefined;
  let killedHung = false;
  if (status.state === 'running' && job.hungAfterSeconds !== undefined && (status.runningSeconds ?? 0) >= job.hungAfterSeconds) {
    // Re-attaching would wait on the same hung process again: end it; its folder is archived below.
    await runnerExec(pool, target, killCommand(paths, 5), `kill hung ${paths.jobDir}`, signal);
    killedHung = true;
    status = await jobStatus(pool, target, paths, signal);
    if (status.state === 'running') throw remoteJobLost(target.name, job.jobId, shown, paths.jobDir);
  }
  if (status.state === 'running' || status.state === 'starting' || (status.state === 'exited' && status.exitCode === 0 && !killedHung)) {
    return { paths, status, started: false };
  }
  if (status.state === 'lost' || status.state === 'exited') {
    archived = (await runnerExec(pool, target, archiveCommand(paths), `archive ${paths.jobDir}`, signal)).trim();
    if (status.state === 'lost' && !killedHung) throw remoteJobLost(target.name, job.jobId, shown, paths.jobDir);
  }
  let command: string;
  const split = splitCommandEnv(target, job.env);
  try {
    command = startCommand(paths, job.argv, split.env, job.cwd, split.secretEnvNames);
  } catch (err) {
    if (err instanceof CommandBuildError) throw invalidRemoteCommand(target.name, redact(err.message, secretValues(target)));
    throw err;
  }
  status = parseJobStatus((await runnerExec(pool, target, command, `start job ${job.jobId}: ${shown}`, signal, split.stdinPrefix)).trim());
  return { paths, status, started: true, archived, ...(killedHung ? { killedHung } : {}) };
}

/**
 * Status and up to `maxBytes` of log from `offset`, in one round trip; with `waitMs` the node
 * first waits until the job ends or that time passes, so an ending job is seen within ~20 ms.
 */
export async function pollJob(pool: SshPool, target: NodeTarget, p: JobPaths, offset: number, maxBytes: number, signal?: AbortSignal, waitMs = 0) {
  const r = await execRaw(pool, target, pollCommand(p, offset, maxBytes, waitMs), `poll ${p.jobDir}`, { idempotent: true, signal, maxOutputBytes: maxBytes + 4096 });
  if (r.exitCode !== 0) throw new Error(`poll of ${p.jobDir} on ${target.name} exited ${r.exitCode}: ${r.stderr.toString('utf8').slice(-500)}`);
  return splitPollOutput(r.stdout);
}

/** TERM the job's process group, KILL after `graceSeconds`. */
export async function cancelJob(pool: SshPool, target: NodeTarget, p: JobPaths, graceSeconds = 10): Promise<{ killed: boolean; forced?: boolean; reason?: string }> {
  const out = await runnerExec(pool, target, killCommand(p, graceSeconds), `kill job ${p.jobDir}`);
  return JSON.parse(out.trim()) as { killed: boolean; forced?: boolean; reason?: string };
}

/** The last `bytes` of the job's log. */
export async function jobLogTail(pool: SshPool, target: NodeTarget, p: JobPaths, bytes = 64 * 1024): Promise<string> {
  return runnerExec(pool, target, tailCommand(p, bytes), `tail ${p.jobDir}/log`);
}

/** The last line of `text` that parses as a JSON object or array. */
export function lastJsonLine(text: string): unknown {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (!(l.startsWith('{') || l.startsWith('['))) continue;
    try {
      return JSON.parse(l);
    } catch {
      // not JSON after all; keep looking
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The activity-side loop

export interface RemoteJobHeartbeat {
  jobId: string;
  /** Remote log bytes already streamed into the worker's run folder. */
  offset: number;
  phase?: string;
  /** The job's process group: a different pid means a new run, so the offset restarts at 0. */
  pid?: number | null;
}

/** What runRemoteJob needs from its activity (the real Context by default). */
export interface ActivityHooks {
  heartbeat(details: RemoteJobHeartbeat): void;
  readonly signal: AbortSignal;
  sleep(ms: number): Promise<void>;
  readonly heartbeatDetails: unknown;
  readonly log: { info(m: string, a?: Record<string, unknown>): void; warn(m: string, a?: Record<string, unknown>): void };
  /** Why we were cancelled, or undefined. */
  cancelReason(): string | undefined;
  workerShutdown(): boolean;
  /** Whether this activity's workflow still runs: true, false, or undefined when the server can't say. */
  workflowRunning?(): Promise<boolean | undefined>;
}

export function contextHooks(ctx: Context = Context.current()): ActivityHooks {
  return {
    heartbeat: (d) => ctx.heartbeat(d),
    signal: ctx.cancellationSignal,
    sleep: (ms) => ctx.sleep(ms),
    heartbeatDetails: ctx.info.heartbeatDetails,
    log: ctx.log,
    cancelReason: () => {
      const r: unknown = ctx.cancellationSignal.reason;
      return r instanceof CancelledFailure ? r.message : r === undefined ? undefined : String(r);
    },
    workerShutdown: () => ctx.cancellationDetails?.workerShutdown === true,
    workflowRunning: async () => {
      const wf = ctx.info.workflowExecution;
      if (!wf) return undefined;
      const { workflowId, runId } = wf;
      try {
        const d = await ctx.client.workflow.getHandle(workflowId, runId).describe();
        return d.status.name === 'RUNNING';
      } catch {
        return undefined;
      }
    },
  };
}

export interface RemoteJobContext {
  pool: SshPool;
  /** The worker's run folder root; the log goes to <runsDir>/<workflowId>/<node>/<step>.log. */
  runsDir: string;
  workflowId: string;
  hooks?: ActivityHooks;
}

export interface RemoteJobOptions extends JobCommand {
  /** Names the log file and the messages (e.g. "build-ucx"). */
  step: string;
  /** A line whose first group names the phase; default /^::phase (\w+)/. */
  phasePattern?: RegExp;
  pollIntervalMs?: number;
  /** Log bytes fetched per poll; default 256 KiB. */
  maxChunkBytes?: number;
  /** TERM -> KILL grace on cancellation; default 10 s. */
  killGraceSeconds?: number;
  /** Whether a non-zero exit may be retried (the retry starts the job afresh); default true. */
  retryable?: boolean;
  /** What to do when it fails, for the message. */
  hint?: string;
  /** How long polls may fail to reach the node before the attempt gives up; default 120 s. */
  maxDisconnectedMs?: number;
  /** Log a line to the activity logger at most this often (phase changes always); default 15 s. */
  logEveryMs?: number;
  /** Asked while the job runs whether its work can still succeed (e.g. its deployment still stands). */
  watch?: JobWatch;
}

/**
 * A check beside a running job: a benchmark against a deployment that died would otherwise wait
 * out its whole timeout (and its retries'), with the GPUs idle.
 */
export interface JobWatch {
  /** How often to ask, the first time this long after the job is followed. */
  everyMs: number;
  /** Why the job can no longer succeed; undefined while it can, or when the check cannot tell. */
  check(): Promise<string | undefined>;
  /** Answers in a row needed before the job is stopped (one bad answer may be a blip); default 2. */
  confirmations?: number;
}

export interface RemoteJobResult {
  node: string;
  jobId: string;
  exitCode: number;
  /** The last lines of the log (redacted). */
  logTail: string;
  /** The last JSON line of the log, if any (our remote scripts end with one). */
  stdoutJson?: unknown;
  /** True when this attempt found the job already started or finished. */
  attached: boolean;
  phase?: string;
  logFile: string;
}

/**
 * Whether a cancelled attempt leaves its job running for the next attempt to re-attach to.
 * NOT_FOUND means the server no longer knows this attempt: either the workflow closed
 * (cancelled, terminated: kill the job) or the server restarted or timed the attempt out and a
 * retry is coming (keep it, or the retry would run the step twice). The workflow's state decides;
 * when the server can't say, keep the job, since a lost point costs more than an idle one.
 */
async function keepJobOn(reason: string | undefined, hooks: ActivityHooks): Promise<boolean> {
  if (hooks.workerShutdown() || ['WORKER_SHUTDOWN', 'TIMED_OUT', 'PAUSED', 'RESET'].includes(reason ?? '')) return true;
  if (reason !== 'NOT_FOUND') return false;
  const running = hooks.workflowRunning ? await within(hooks.workflowRunning(), 5000) : undefined;
  return running !== false;
}

function isRetryableSshFailure(err: unknown): boolean {
  return err instanceof ApplicationFailure && (err.type === SshErrorType.Unreachable || err.type === SshErrorType.ConnectionLost);
}

export async function runRemoteJob(ctx: RemoteJobContext, target: NodeTarget, opts: RemoteJobOptions): Promise<RemoteJobResult> {
  const hooks = ctx.hooks ?? contextHooks();
  const { pool } = ctx;
  const secrets = secretValues(target);
  const shown = displayCommand(opts.argv, secrets);
  const interval = opts.pollIntervalMs ?? 1000;
  const maxChunk = opts.maxChunkBytes ?? 256 * 1024;
  const logFile = stepLogPath(ctx.runsDir, ctx.workflowId, target.name, opts.step);

  const prev = hooks.heartbeatDetails as Partial<RemoteJobHeartbeat> | undefined;
  const hb = prev && prev.jobId === opts.jobId ? prev : undefined;

  const sa = await startOrAttachJob(pool, target, opts, hooks.signal);
  const { paths } = sa;
  const sameRun = !sa.started && hb !== undefined && hb.pid === sa.status.pid;
  let lastLogAt = 0;
  const stream = await LogStream.open({
    file: logFile,
    resumeOffset: sameRun ? (hb?.offset ?? 0) : 0,
    fresh: !sameRun,
    secrets,
    phasePattern: opts.phasePattern ?? DEFAULT_PHASE_PATTERN,
    phase: sameRun ? hb?.phase : undefined,
    onLine: (line) => {
      const now = Date.now();
      if (now - lastLogAt >= (opts.logEveryMs ?? 15_000)) {
        lastLogAt = now;
        hooks.log.info(`${target.name} ${opts.step}: ${line.slice(0, 500)}`, { node: target.name, jobId: opts.jobId });
      }
    },
  });
  hooks.log.info(`${sa.started ? 'started' : 'attached to'} job ${opts.jobId} on ${target.name}: ${shown}`, {
    node: target.name,
    jobId: opts.jobId,
    pid: sa.status.pid,
    archived: sa.archived,
    logFile,
  });

  let phase = stream.phase;
  let pid = sa.status.pid;
  const beat = () => hooks.heartbeat({ jobId: opts.jobId, offset: stream.written, phase: stream.phase, pid });
  beat();
  let disconnectedSince: number | undefined;
  let last: JobStatus = sa.status;
  // Long polls: the node waits (up to `wait`, backing off to the interval) and answers as soon
  // as the job ends, so the end is seen at once and a long job costs one poll per interval.
  let wait = Math.min(100, interval);
  const followedAt = Date.now();
  let watchAt = followedAt + (opts.watch?.everyMs ?? 0);
  let watchStrikes = 0;
  try {
    for (;;) {
      let status: JobStatus;
      let chunk: Buffer;
      try {
        ({ status, chunk } = await pollJob(pool, target, paths, stream.remoteOffset, maxChunk, hooks.signal, wait));
        if (disconnectedSince !== undefined) hooks.log.info(`reached ${target.name} again; following job ${opts.jobId}`);
        disconnectedSince = undefined;
      } catch (err) {
        if (hooks.signal.aborted) throw err;
        if (!isRetryableSshFailure(err)) throw err;
        disconnectedSince ??= Date.now();
        if (Date.now() - disconnectedSince > (opts.maxDisconnectedMs ?? 120_000)) throw err;
        hooks.log.warn(`cannot reach ${target.name} to follow job ${opts.jobId}; trying again`, { error: (err as Error).message });
        beat();
        await hooks.sleep(interval);
        continue;
      }
      last = status;
      pid = status.pid ?? pid;
      await stream.push(chunk);
      if (stream.phase !== phase) {
        phase = stream.phase;
        hooks.log.info(`${target.name} ${opts.step}: phase ${phase}`, { node: target.name, jobId: opts.jobId, phase });
      }
      beat();
      if (chunk.length >= maxChunk) continue; // more log waiting: read on without sleeping
      if (status.state === 'exited') break;
      if (opts.watch && status.state === 'running' && Date.now() >= watchAt) {
        const why = await beatingWhile(beat, () => opts.watch!.check().catch(() => undefined));
        watchAt = Date.now() + opts.watch.everyMs;
        watchStrikes = why ? watchStrikes + 1 : 0;
        if (why) hooks.log.warn(`${opts.step} on ${target.name}: ${why} (${watchStrikes} of ${opts.watch.confirmations ?? 2} checks in a row)`, { node: target.name, jobId: opts.jobId });
        if (why && watchStrikes >= (opts.watch.confirmations ?? 2)) {
          await stream.flush();
          const r = await cancelJob(pool, target, paths, opts.killGraceSeconds ?? 10).catch((e: Error) => ({ killed: false, forced: false, reason: e.message }));
          hooks.log.warn(`stopped job ${opts.jobId} on ${target.name}: ${why}`, { node: target.name, jobId: opts.jobId, killed: r.killed });
          throw ApplicationFailure.create({
            type: SshErrorType.RemoteJobStopped, nonRetryable: true,
            message: `${opts.step} on ${target.name} was stopped after ${Math.round((Date.now() - followedAt) / 1000)} s: ${why}`,
          });
        }
      }
      if (status.state === 'lost' || status.state === 'absent') {
        await stream.flush();
        if (status.state === 'lost') await runnerExec(pool, target, archiveCommand(paths), `archive ${paths.jobDir}`).catch(() => undefined);
        throw remoteJobLost(target.name, opts.jobId, shown, paths.jobDir);
      }
      wait = Math.min(interval, wait * 2);
    }
    await stream.flush();
    beat();
  } catch (err) {
    await stream.flush().catch(() => undefined);
    if (hooks.signal.aborted) {
      const reason = hooks.cancelReason();
      if (await keepJobOn(reason, hooks)) {
        hooks.log.info(`activity stopping (${reason ?? 'cancelled'}); job ${opts.jobId} keeps running on ${target.name} for the next attempt`);
      } else {
        const r = await cancelJob(pool, target, paths, opts.killGraceSeconds ?? 10).catch((e: Error) => ({ killed: false, forced: false, reason: e.message }));
        hooks.log.info(`cancelled: job ${opts.jobId} on ${target.name} ${r.killed ? (r.forced ? 'killed (SIGKILL after grace)' : 'terminated') : `not killed (${r.reason})`}`);
      }
      throw hooks.signal.reason instanceof Error ? hooks.signal.reason : err;
    }
    throw err;
  } finally {
    await stream.close();
  }

  const tailText = redact(await jobLogTail(pool, target, paths), secrets);
  const logTail = tailOf(tailText, 40, 8000);
  const exitCode = last.exitCode ?? -1;
  if (exitCode !== 0) {
    throw remoteCommandFailed({
      node: target.name,
      command: shown,
      exitCode,
      tail: tailOf(tailText),
      hint:
        opts.hint ??
        `Full log: ${logFile} on the worker, ${paths.jobDir}/log on the node.` +
          ((opts.retryable ?? true) ? ' A retry starts the job afresh.' : ' Fix the cause, then run the step again.'),
      retryable: opts.retryable ?? true,
      jobId: opts.jobId,
    });
  }
  return {
    node: target.name,
    jobId: opts.jobId,
    exitCode,
    logTail,
    stdoutJson: lastJsonLine(tailText),
    attached: !sa.started,
    phase: stream.phase,
    logFile,
  };
}
