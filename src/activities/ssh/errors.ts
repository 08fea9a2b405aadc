// Typed failures of the SSH layer. Every one is an ApplicationFailure whose `type` workflows and
// retry policies match on; messages name the node, host, user (and key path, never key content)
// and say what to do. Details carry no secrets.
import { ApplicationFailure } from '@temporalio/common';
import { FAILURES } from '../../common/failures.js';

export const SshErrorType = {
  /** The node offered a host key different from the one in known_hosts. Non-retryable. */
  HostKeyMismatch: 'SshHostKeyMismatch',
  /** Strict policy and the node is not in known_hosts. Non-retryable. */
  HostKeyUnknown: 'SshHostKeyUnknown',
  /** The server refused our key (or the user). Non-retryable. */
  AuthFailed: 'SshAuthFailed',
  /** The private key file cannot be read or parsed on the worker. Non-retryable. */
  KeyUnreadable: 'SshKeyUnreadable',
  /** Refused, reset, timed out, unreachable: the node may come back. Retryable. */
  Unreachable: 'SshUnreachable',
  /** An established connection died while a command ran. Retryable. */
  ConnectionLost: 'SshConnectionLost',
  /** A remote command exited non-zero. Retryable or not, as the caller says. */
  RemoteCommandFailed: 'RemoteCommandFailed',
  /** A short command gave no answer within its timeout. Retryable. */
  RemoteCommandTimedOut: 'RemoteCommandTimedOut',
  /** A remote job's process vanished without an exit code (reboot, OOM kill). Retryable. */
  RemoteJobLost: 'RemoteJobLost',
  /** A running job was stopped because its watch said it could no longer succeed (its deployment died). Non-retryable. */
  RemoteJobStopped: 'RemoteJobStopped',
  /** The command could not be built (bad env name, NUL byte). Non-retryable. */
  InvalidRemoteCommand: 'InvalidRemoteCommand',
} as const satisfies Record<string, keyof typeof FAILURES>;

/** Types a workflow's retry policy should never retry (as the failure catalogue says). */
export const NON_RETRYABLE_SSH_ERRORS = Object.values(SshErrorType).filter((t) => !FAILURES[t].retryable);

/** Who we tried to reach: enough to name in a message, nothing secret. */
export interface SshEndpoint {
  node: string;
  host: string;
  port: number;
  user: string;
  identityFile: string;
  /** "bastion.example.com:22" when reached through a jump host. */
  via?: string;
}

function where(e: SshEndpoint): string {
  return `${e.user}@${e.host}:${e.port} (node ${e.node}${e.via ? `, via jump host ${e.via}` : ''})`;
}

function endpointDetails(e: SshEndpoint) {
  return { node: e.node, host: e.host, port: e.port, user: e.user, identityFile: e.identityFile, via: e.via };
}

export function hostKeyMismatch(e: SshEndpoint, knownHosts: string, expected: string[], offered: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SshErrorType.HostKeyMismatch,
    nonRetryable: true,
    message:
      `host key of ${e.host}:${e.port} (node ${e.node}, connecting as ${e.user} with key ${e.identityFile}) CHANGED: ` +
      `known_hosts ${knownHosts} expects ${expected.join(' or ')}, ` +
      `the server offered ${offered}. This can be a reinstalled machine or an attack; the connection was refused. ` +
      `If the change is expected, remove the old entry (ssh-keygen -R '[${e.host}]:${e.port}' -f ${knownHosts}) and connect again.`,
    details: [{ ...endpointDetails(e), knownHosts, expected, offered }],
  });
}

export function hostKeyUnknown(e: SshEndpoint, knownHosts: string, offered: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SshErrorType.HostKeyUnknown,
    nonRetryable: true,
    message:
      `host ${e.host}:${e.port} (node ${e.node}, connecting as ${e.user} with key ${e.identityFile}) is not in ` +
      `known_hosts ${knownHosts} and ssh.hostKeyPolicy is strict; ` +
      `it offered ${offered}. Add its key (ssh-keyscan -p ${e.port} ${e.host} >> ${knownHosts}, after checking the fingerprint) ` +
      `or set ssh.hostKeyPolicy: accept-new in the cluster file.`,
    details: [{ ...endpointDetails(e), knownHosts, offered }],
  });
}

export function authFailed(e: SshEndpoint, serverMessage: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SshErrorType.AuthFailed,
    nonRetryable: true,
    message:
      `authentication failed for user ${e.user} on ${e.host}:${e.port} (node ${e.node}) with key ${e.identityFile}: ${serverMessage}. ` +
      `Check ssh.user / nodes[].user and that the public key of ${e.identityFile} is in ~${e.user}/.ssh/authorized_keys on the node.`,
    details: [endpointDetails(e)],
  });
}

export function keyUnreadable(e: SshEndpoint, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SshErrorType.KeyUnreadable,
    nonRetryable: true,
    message:
      `cannot use private key ${e.identityFile} for user ${e.user} on ${e.host}:${e.port} (node ${e.node}): ${reason}. ` +
      `ssh.identityFile must be the path of an unencrypted private key readable by the worker (e.g. ~/.ssh/id_ed25519).`,
    details: [endpointDetails(e)],
  });
}

export function unreachable(e: SshEndpoint, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SshErrorType.Unreachable,
    nonRetryable: false,
    message: `cannot reach ${where(e)}: ${reason}. Retrying; if it persists check that the node is up and sshd listens on port ${e.port}.`,
    details: [endpointDetails(e)],
  });
}

export function connectionLost(e: SshEndpoint, command: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SshErrorType.ConnectionLost,
    nonRetryable: false,
    message: `the SSH connection to ${where(e)} was lost while running \`${command}\`: ${reason}. Retrying.`,
    details: [{ ...endpointDetails(e), command }],
  });
}

export function commandTimedOut(e: SshEndpoint, command: string, timeoutMs: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: SshErrorType.RemoteCommandTimedOut,
    nonRetryable: false,
    message: `on node ${e.node}, \`${command}\` gave no answer within ${Math.round(timeoutMs / 1000)} s; its channel was closed. Long steps belong in a remote job.`,
    details: [{ node: e.node, host: e.host, command, timeoutMs }],
  });
}

export interface RemoteFailureInfo {
  node: string;
  command: string;
  exitCode: number | null;
  signal?: string | null;
  /** stderr (exec) or log (jobs) tail, already redacted. */
  tail: string;
  /** What the user should do; a generic hint is used when absent. */
  hint?: string;
  retryable: boolean;
  jobId?: string;
}

export function remoteCommandFailed(f: RemoteFailureInfo): ApplicationFailure {
  const how = f.exitCode === null ? `was killed by ${f.signal ?? 'a signal'}` : `exited with code ${f.exitCode}`;
  const tail = f.tail.trim() ? `\n--- last output ---\n${f.tail.trimEnd()}` : ' (no output)';
  const hint = f.hint ?? (f.jobId ? `See the job log on the node (jobs/${f.jobId}/log) or in the worker's run folder.` : 'See the last output below.');
  return ApplicationFailure.create({
    type: SshErrorType.RemoteCommandFailed,
    nonRetryable: !f.retryable,
    message: `on node ${f.node}, \`${f.command}\` ${how}. ${hint}${tail}`,
    details: [{ node: f.node, command: f.command, exitCode: f.exitCode, signal: f.signal ?? null, tail: f.tail, jobId: f.jobId }],
  });
}

export function remoteJobLost(node: string, jobId: string, command: string, jobDir: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SshErrorType.RemoteJobLost,
    nonRetryable: false,
    message:
      `on node ${node}, job ${jobId} (\`${command}\`) was lost: its process is gone and it left no exit code ` +
      `(the node rebooted or the process was killed). The old job folder is archived next to ${jobDir}; the retry starts the job again.`,
    details: [{ node, jobId, command, jobDir }],
  });
}

export function invalidRemoteCommand(node: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SshErrorType.InvalidRemoteCommand,
    nonRetryable: true,
    message: `cannot build the command for node ${node}: ${reason}`,
    details: [{ node }],
  });
}

/** Replaces every secret value in `text` with *** (secrets resolved on the worker never leave it). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const s of [...secrets].filter((v) => v.length > 0).sort((a, b) => b.length - a.length)) out = out.replaceAll(s, '***');
  return out;
}

/** Node error codes that mean "try again later". */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN']);

export function isTransientNetworkError(err: unknown): boolean {
  const e = err as { code?: unknown; level?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (e?.level === 'client-timeout' || e?.level === 'client-socket') return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /timed out|No response from server|Not connected|connection lost|socket hang up|closed/i.test(msg);
}
