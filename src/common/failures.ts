// Every failure type pdflow raises (ApplicationFailure `type`), with whether a retry can help. The
// activity options' non-retryable list is derived from here, so a new type is declared once.
// Pure: workflows, activities and the CLI all read it.
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';

interface FailureKind {
  retryable: boolean;
  /** What it means, for docs and reviewers. */
  what: string;
}

export const FAILURES = {
  // configuration and input
  ConfigError: { retryable: false, what: 'a cluster or sweep file, or a workflow input, is invalid' },
  UnknownNode: { retryable: false, what: 'a step named a node the cluster file does not have' },
  WorkerEnvMissing: { retryable: false, what: 'a fromWorkerEnv variable is not set in the worker\'s environment' },
  // gates: the cluster is not what it should be; repeating the check changes nothing
  GateFailed: { retryable: false, what: 'a stage gate (build, Ray, network) found the cluster wrong' },
  InventoryMismatch: { retryable: false, what: 'a node\'s GPUs or EFA devices differ from the cluster file' },
  MissingPrerequisites: { retryable: false, what: 'a node lacks packages the builds need' },
  OutputMismatch: { retryable: false, what: 'the smoke deployment\'s answers differ from a run without KV transfer' },
  // remote work that may succeed on another try
  DeploymentFailed: { retryable: true, what: 'a deployment did not become healthy' },
  SmokeFailed: { retryable: true, what: 'the smoke completion failed' },
  OutputCheckFailed: { retryable: true, what: 'no prompt of the output check got an answer' },
  BenchFailed: { retryable: true, what: 'vllm bench serve wrote no result' },
  RemoteOutputInvalid: { retryable: true, what: 'a remote script ended without its JSON result line' },
  // the SSH layer (src/activities/ssh/errors.ts builds them)
  SshHostKeyMismatch: { retryable: false, what: 'a node offered a host key other than known_hosts has' },
  SshHostKeyUnknown: { retryable: false, what: 'strict host key policy and the node is not in known_hosts' },
  SshAuthFailed: { retryable: false, what: 'the node refused the key or the user' },
  SshKeyUnreadable: { retryable: false, what: 'the private key cannot be read on the worker' },
  InvalidRemoteCommand: { retryable: false, what: 'a command could not be built (bad env name, NUL byte)' },
  SshUnreachable: { retryable: true, what: 'refused, reset, timed out: the node may come back' },
  SshConnectionLost: { retryable: true, what: 'a connection died while a command ran' },
  RemoteCommandFailed: { retryable: true, what: 'a remote command exited non-zero (each failure says whether a retry may help)' },
  RemoteCommandTimedOut: { retryable: true, what: 'a short command gave no answer in time' },
  RemoteJobLost: { retryable: true, what: 'a remote job vanished without an exit code (reboot, OOM kill)' },
  RemoteJobStopped: { retryable: false, what: 'a running job was stopped: its work could no longer succeed (its deployment died under it)' },
} as const satisfies Record<string, FailureKind>;

export type FailureType = keyof typeof FAILURES;

/** The failure types no retry policy should retry. */
export const NON_RETRYABLE: FailureType[] = (Object.keys(FAILURES) as FailureType[]).filter((t) => !FAILURES[t].retryable);

/** What actually went wrong: the failure under the activity and child-workflow wrappers. */
export function rootCause(err: unknown): unknown {
  let e = err;
  while ((e instanceof ActivityFailure || e instanceof ChildWorkflowFailure) && e.cause) e = e.cause;
  return e;
}

/** "<type>: <message>" of the root cause (an application failure), else its message: one line for progress and records. */
export function failureReason(err: unknown): string {
  const e = rootCause(err);
  if (e instanceof ApplicationFailure) return `${e.type ?? 'Error'}: ${e.message}`;
  return (e as Error)?.message ?? String(e);
}
