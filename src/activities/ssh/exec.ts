// Short commands on a node: built from an argument array, run over the pooled connection,
// output captured with a cap, failures typed. Secret env values never appear in what we return.
import type { ApplicationFailure } from '@temporalio/common';
import { buildCommand, CommandBuildError } from './quote.js';
import { CommandAbortedError, CommandTimeoutError, ConnectionClosedError, DEFAULT_MAX_OUTPUT_BYTES, type Connection, type RawExecResult } from './connection.js';
import { commandTimedOut, connectionLost, invalidRemoteCommand, redact, remoteCommandFailed } from './errors.js';
import type { SshPool } from './pool.js';
import { secretValues, splitCommandEnv, withStdinPrefix, type NodeTarget } from './targets.js';

export interface ExecOptions {
  /** Folder to run in (literal path on the node). */
  cwd?: string;
  /** Extra environment on top of the node's env. */
  env?: Record<string, string>;
  stdin?: string | Buffer;
  /** Throw RemoteCommandFailed on a non-zero exit (default true). */
  check?: boolean;
  /** Whether that failure may be retried by Temporal (default true). */
  retryable?: boolean;
  /** What to do when it fails, for the error message. */
  hint?: string;
  /** Per stream; default 1 MiB (the tail is kept). */
  maxOutputBytes?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The command may run twice: retry once even when the connection died mid-command. */
  idempotent?: boolean;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  /** True when the cap dropped output. */
  truncated: boolean;
}

/** Lines of stderr kept in an error message. */
const TAIL_LINES = 30;
const TAIL_CHARS = 4000;

export function tailOf(text: string, lines = TAIL_LINES, chars = TAIL_CHARS): string {
  const kept = text.trimEnd().split('\n').slice(-lines).join('\n');
  return kept.length > chars ? `…${kept.slice(-chars)}` : kept;
}

/** The command as shown in messages: argv only (no env, which may hold secrets), redacted. */
export function displayCommand(argv: readonly string[], secrets: readonly string[]): string {
  try {
    return redact(buildCommand(argv), secrets);
  } catch {
    return redact(argv.join(' '), secrets);
  }
}

/** Runs a prepared sh command line with the pool's reconnect rules; raw bytes back. */
export async function execRaw(
  pool: SshPool,
  target: NodeTarget,
  command: string,
  shown: string,
  opts: Pick<ExecOptions, 'stdin' | 'maxOutputBytes' | 'timeoutMs' | 'signal' | 'idempotent'> = {},
): Promise<RawExecResult> {
  for (let attempt = 1; ; attempt++) {
    const conn: Connection = await pool.get(target);
    try {
      return await conn.exec(command, { stdin: opts.stdin, maxOutputBytes: opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, timeoutMs: opts.timeoutMs, signal: opts.signal });
    } catch (err) {
      if (err instanceof ConnectionClosedError) {
        // A refused channel on a live connection (e.g. sshd's MaxSessions) must not take down the
        // other commands sharing it; only a dead connection is dropped.
        if (!conn.alive) pool.drop(conn);
        else await new Promise((r) => setTimeout(r, 100));
        // Safe to run again: the command never reached the node (or the caller says it is idempotent).
        if (attempt === 1 && (!err.started || opts.idempotent)) continue;
        throw connectionLost(conn.endpoint, shown, err.message);
      }
      if (err instanceof CommandTimeoutError) throw commandTimedOut(conn.endpoint, shown, err.timeoutMs);
      // Cancelled activity: surface Temporal's CancelledFailure, not our abort marker.
      if (err instanceof CommandAbortedError && opts.signal?.reason instanceof Error) throw opts.signal.reason;
      throw err;
    }
  }
}

/** Runs argv on the node and returns its output; throws typed failures (see errors.ts). */
export async function execOnNode(pool: SshPool, target: NodeTarget, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const secrets = secretValues(target);
  const shown = displayCommand(argv, secrets);
  const split = splitCommandEnv(target, opts.env);
  let command: string;
  try {
    command = buildCommand(argv, { cwd: opts.cwd, env: split.env, secretEnvNames: split.secretEnvNames });
  } catch (err) {
    if (err instanceof CommandBuildError) throw invalidRemoteCommand(target.name, redact(err.message, secrets));
    throw err;
  }
  const raw = await execRaw(pool, target, command, shown, { ...opts, stdin: withStdinPrefix(split.stdinPrefix, opts.stdin) });
  const result: ExecResult = {
    stdout: redact(raw.stdout.toString('utf8'), secrets),
    stderr: redact(raw.stderr.toString('utf8'), secrets),
    exitCode: raw.exitCode,
    signal: raw.signal,
    truncated: raw.droppedBytes.stdout + raw.droppedBytes.stderr > 0,
  };
  if ((opts.check ?? true) && result.exitCode !== 0) throw failureOf(target, shown, result, opts);
  return result;
}

function failureOf(target: NodeTarget, shown: string, r: ExecResult, opts: ExecOptions): ApplicationFailure {
  return remoteCommandFailed({
    node: target.name,
    command: shown,
    exitCode: r.exitCode,
    signal: r.signal,
    tail: tailOf(r.stderr.trim() ? r.stderr : r.stdout),
    hint: opts.hint,
    retryable: opts.retryable ?? true,
  });
}

export { CommandAbortedError };
