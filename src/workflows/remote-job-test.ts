// A one-activity workflow for the SSH layer's integration tests: runs one remote job with the
// activity options the test chooses (heartbeat timeout, retry policy).
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { Activities } from '../activities/index.js';
import type { RemoteJobInput } from '../activities/remote.js';
import type { RemoteJobResult } from '../activities/ssh/remote-job.js';

export interface RemoteJobTestInput {
  job: RemoteJobInput;
  heartbeatTimeout?: ActivityOptions['heartbeatTimeout'];
  startToCloseTimeout?: ActivityOptions['startToCloseTimeout'];
  retry?: RetryPolicy;
}

export async function remoteJobTest(input: RemoteJobTestInput): Promise<RemoteJobResult> {
  const { remoteJob } = proxyActivities<Activities>({
    startToCloseTimeout: input.startToCloseTimeout ?? '10 minutes',
    heartbeatTimeout: input.heartbeatTimeout ?? '5 seconds',
    retry: input.retry ?? { initialInterval: '200 milliseconds', maximumInterval: '1 second', maximumAttempts: 5 },
    summary: `remote job ${input.job.step}`,
  });
  return remoteJob(input.job);
}
