// Talking to scripts/remote/pdflow-job.sh on a node: where things live, the commands that drive
// it, and the parsing of what it prints.
import { buildCommand } from './quote.js';

export const RUNNER_NAME = 'pdflow-job.sh';

export type JobState = 'running' | 'starting' | 'exited' | 'lost' | 'absent';

export interface JobStatus {
  state: JobState;
  /** The job's process group id (its leader's pid). */
  pid: number | null;
  exitCode: number | null;
  logSize: number;
  /** Seconds a running job has run (absent: not running, or an older runner). */
  runningSeconds?: number;
}

export interface JobPaths {
  /** Absolute workdir on the node. */
  workdir: string;
  runner: string;
  jobsDir: string;
  jobDir: string;
}

const baseOf = (workdir: string) => workdir.replace(/\/+$/, '') || '/';

/** Where every job folder of a node lives. */
export function jobsDirOf(workdir: string): string {
  return `${baseOf(workdir)}/jobs`;
}

export function jobPaths(workdir: string, jobId: string): JobPaths {
  const base = baseOf(workdir);
  return {
    workdir: base,
    runner: `${base}/scripts/${RUNNER_NAME}`,
    jobsDir: jobsDirOf(workdir),
    jobDir: `${base}/jobs/${jobId}`,
  };
}

/** `env... bash runner start jobdir -- argv...`: the env reaches the job through the runner; secret
 * variables (secretEnvNames) are read from stdin before the runner starts, so the job inherits them. */
export function startCommand(p: JobPaths, argv: readonly string[], env: Record<string, string>, cwd?: string, secretEnvNames: readonly string[] = []): string {
  return buildCommand(['bash', p.runner, 'start', p.jobDir, '--', ...argv], { env, cwd, secretEnvNames });
}

export function statusCommand(p: JobPaths): string {
  return buildCommand(['bash', p.runner, 'status', p.jobDir]);
}

/** With `waitMs`, the runner first waits on the node until the job ends or that time passes (long poll). */
export function pollCommand(p: JobPaths, offset: number, maxBytes: number, waitMs = 0): string {
  const wait = Math.max(0, Math.round(waitMs));
  return buildCommand(['bash', p.runner, 'poll', p.jobDir, String(offset), String(maxBytes), ...(wait > 0 ? [String(wait)] : [])]);
}

export function tailCommand(p: JobPaths, bytes: number): string {
  return buildCommand(['bash', p.runner, 'tail', p.jobDir, String(bytes)]);
}

export function killCommand(p: JobPaths, graceSeconds: number): string {
  return buildCommand(['bash', p.runner, 'kill', p.jobDir, String(Math.max(0, Math.round(graceSeconds)))]);
}

export function archiveCommand(p: JobPaths): string {
  return buildCommand(['bash', p.runner, 'archive', p.jobDir]);
}

const STATES = new Set<JobState>(['running', 'starting', 'exited', 'lost', 'absent']);

/** Parses the runner's status line; throws with the text when it is not one. */
export function parseJobStatus(line: string): JobStatus {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`the job runner printed no status line, but: ${JSON.stringify(line.slice(0, 300))}`);
  }
  const o = v as Partial<JobStatus>;
  if (!o || typeof o !== 'object' || !STATES.has(o.state as JobState)) {
    throw new Error(`the job runner printed an unexpected status: ${line.slice(0, 300)}`);
  }
  return {
    state: o.state as JobState,
    pid: typeof o.pid === 'number' ? o.pid : null,
    exitCode: typeof o.exitCode === 'number' ? o.exitCode : null,
    logSize: typeof o.logSize === 'number' ? o.logSize : 0,
    ...(typeof o.runningSeconds === 'number' ? { runningSeconds: o.runningSeconds } : {}),
  };
}

/** Splits `poll` output: the status line, then raw log bytes. */
export function splitPollOutput(out: Buffer): { status: JobStatus; chunk: Buffer } {
  const nl = out.indexOf(0x0a);
  if (nl < 0) return { status: parseJobStatus(out.toString('utf8')), chunk: Buffer.alloc(0) };
  return { status: parseJobStatus(out.subarray(0, nl).toString('utf8')), chunk: out.subarray(nl + 1) };
}
