// Every activity a pdflow workflow schedules carries the run's key: the first execution's run id,
// which stays the same across activity retries and continue-as-new but differs for every new run,
// even one started under a reused workflow id ("Start Workflow Like This One"). Remote job ids
// include it, so no run can ever re-attach to another run's jobs. It comes from the run itself,
// never from the workflow's input.
import { defaultPayloadConverter, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { workflowInfo } from '@temporalio/workflow';
import { RUN_KEY_HEADER } from '../common/run-key.js';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [{
    scheduleActivity(input, next) {
      const runKey = defaultPayloadConverter.toPayload(workflowInfo().firstExecutionRunId);
      return next({ ...input, headers: { ...input.headers, [RUN_KEY_HEADER]: runKey } });
    },
    scheduleLocalActivity(input, next) {
      const runKey = defaultPayloadConverter.toPayload(workflowInfo().firstExecutionRunId);
      return next({ ...input, headers: { ...input.headers, [RUN_KEY_HEADER]: runKey } });
    },
  }],
});
