// The sweep's activity proxies: one per kind of step, each with its timeouts and retry policy.
import type { Plan } from '../../plan/types.js';
import { stepActivities, quickActivities, NON_RETRYABLE } from '../activity-options.js';
import type { SweepOptions } from '../sweep-types.js';

export function sweepActivities(plan: Plan, opts: SweepOptions) {
  const timeouts = { heartbeatTimeout: opts.heartbeatTimeout };
  const pointAttempts = 1 + (opts.pointRetries ?? plan.retries);
  return {
    /** Deploy, teardown and the output check's answers: remote jobs as long as a deploy. */
    deploy: stepActivities(timeouts, { startToCloseTimeout: `${plan.timeouts.deployMinutes + 5} minutes` }),
    /** A benchmark point, retried `pointAttempts` times in all. */
    point: stepActivities(timeouts, {
      startToCloseTimeout: `${plan.timeouts.pointMinutes} minutes`,
      retry: { maximumAttempts: pointAttempts, initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
    }),
    pointAttempts,
    /** Short checks and the store's lookups (exec, not jobs). */
    checks: quickActivities(timeouts),
    /** Starting and stopping the GPU samplers. */
    sampling: stepActivities(timeouts, { startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3 } }),
    /** The forced cleanup (Ray stopped on a node). */
    cleanup: stepActivities(timeouts, {
      startToCloseTimeout: '10 minutes',
      // A rebooting node takes minutes to answer SSH again.
      retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '60 seconds', maximumAttempts: 12, nonRetryableErrorTypes: NON_RETRYABLE },
    }),
  };
}

export type SweepActivities = ReturnType<typeof sweepActivities>;
/** One proxy of the bundle (every one has every activity). */
export type ActivityProxy = SweepActivities['checks'];
