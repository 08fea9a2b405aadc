// Activity options the stage workflows share. Long steps are remote jobs: they heartbeat, so a
// dead worker is noticed after `heartbeatTimeout` and the retry re-attaches to the same job.
import { proxyActivities, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { NON_RETRYABLE } from '../common/failures.js';

/** Failures that retrying cannot fix (configuration, gates, SSH trust): from the failure catalogue. */
export { NON_RETRYABLE };

const DEFAULT_RETRY: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE };

export interface StepTimeouts {
  /** How soon a silent (dead) worker's step is retried elsewhere. Default 30 s. */
  heartbeatTimeout?: string;
}

/**
 * Activities with the stage defaults. A `retry` override is merged into the default policy (its
 * non-retryable types are added to the catalogue's, never replace them).
 */
export function stepActivities(t: StepTimeouts = {}, overrides: Partial<ActivityOptions> = {}) {
  const { retry, ...rest } = overrides;
  return proxyActivities<Activities>({
    startToCloseTimeout: '4 hours',
    heartbeatTimeout: (t.heartbeatTimeout ?? '30 seconds') as ActivityOptions['heartbeatTimeout'],
    ...rest,
    retry: mergeRetry(retry),
  });
}

/** The default retry policy with `override` on top; non-retryable types add up. Pure. */
export function mergeRetry(override: RetryPolicy = {}): RetryPolicy {
  return { ...DEFAULT_RETRY, ...override, nonRetryableErrorTypes: [...new Set([...NON_RETRYABLE, ...(override.nonRetryableErrorTypes ?? [])])] };
}

/** Short checks (exec, not jobs). */
export function quickActivities(t: StepTimeouts = {}) {
  return stepActivities(t, { startToCloseTimeout: '2 minutes' });
}
