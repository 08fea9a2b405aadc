// Activity options the stage workflows share. Long steps are remote jobs: they heartbeat, so a
// dead worker is noticed after `heartbeatTimeout` and the retry re-attaches to the same job.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

/** Failures that retrying cannot fix: configuration, hardware and gate mismatches, SSH trust. */
// RemoteCommandFailed is not listed: each failure says itself whether a retry may help.
export const NON_RETRYABLE = [
  'ConfigError', 'GateFailed', 'InventoryMismatch', 'SshHostKeyMismatch', 'SshHostKeyUnknown', 'SshAuthFailed',
  'SshKeyUnreadable', 'InvalidRemoteCommand', 'WorkerEnvMissing', 'UnknownNode',
];

export interface StepTimeouts {
  /** How soon a silent (dead) worker's step is retried elsewhere. Default 30 s. */
  heartbeatTimeout?: string;
}

export function stepActivities(t: StepTimeouts = {}, overrides: Partial<ActivityOptions> = {}) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '4 hours',
    heartbeatTimeout: (t.heartbeatTimeout ?? '30 seconds') as ActivityOptions['heartbeatTimeout'],
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
    ...overrides,
  });
}

/** Short checks (exec, not jobs). */
export function quickActivities(t: StepTimeouts = {}) {
  return stepActivities(t, { startToCloseTimeout: '2 minutes' });
}
