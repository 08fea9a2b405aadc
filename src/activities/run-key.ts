// The worker side of the run key (workflows/interceptors.ts): read from the activity's headers
// into async-local storage, so any activity code can name the run its remote jobs belong to.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Context } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { RUN_KEY_HEADER } from '../common/run-key.js';

const store = new AsyncLocalStorage<string>();

export const runKeyInterceptor: ActivityInterceptorsFactory = () => ({
  inbound: {
    execute(input, next) {
      const payload = input.headers[RUN_KEY_HEADER];
      const key = payload ? defaultPayloadConverter.fromPayload<string>(payload) : undefined;
      return key ? store.run(key, () => next(input)) : next(input);
    },
  },
});

/**
 * The key of the run the current activity serves: its first execution's run id (from the
 * header), else this execution's run id; either way never shared with another run.
 */
export function currentRunKey(ctx: Context = Context.current()): string {
  return store.getStore() ?? ctx.info.workflowExecution?.runId ?? `activity-${ctx.info.activityId}`;
}
