// The pdflow worker: serves every workflow and activity on one task queue.
import path from 'node:path';
import { sourceDir } from './common/source-dir.js';
import { DEFAULT_TASK_QUEUE } from './common/task-queue.js';
import { Worker, bundleWorkflowCode, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { runKeyInterceptor } from './activities/run-key.js';

export { DEFAULT_TASK_QUEUE };
export const workflowsPath = path.join(sourceDir(import.meta.url), 'workflows/index.ts');
export const workflowInterceptorModules = [path.join(sourceDir(import.meta.url), 'workflows/interceptors.ts')];

/** Interceptors every pdflow worker needs (the run key of remote job ids): production and tests alike. */
export const pdflowInterceptors = { activity: [runKeyInterceptor] };

let cachedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundles the workflow code once per process (tests start many workers). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  cachedBundle ??= bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quietBundlerLogger });
  return cachedBundle;
}

const quietBundlerLogger = {
  log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined,
  warn: (m: string, meta?: Record<string, unknown>) => console.warn(m, meta ?? ''),
  error: (m: string, meta?: Record<string, unknown>) => console.error(m, meta ?? ''),
};

export interface PdflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** How long in-flight activities may run on after a shutdown request. */
  shutdownGraceTime?: string;
  /** The workflow bundle, when the caller made it already (several workers in one process). */
  bundle?: WorkflowBundleWithSourceMap;
}

export async function createPdflowWorker(opts: PdflowWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowBundle: opts.bundle ?? await workflowBundle(),
    activities: createActivities(opts.deps),
    interceptors: pdflowInterceptors,
    shutdownGraceTime: (opts.shutdownGraceTime ?? '30s') as never,
    // Heartbeats carry cancellation: without this a cancel could wait ~80% of heartbeatTimeout.
    maxHeartbeatThrottleInterval: '2 seconds',
    maxConcurrentActivityTaskExecutions: 64,
  });
}
