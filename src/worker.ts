// The pdflow worker: serves every workflow and activity on one task queue.
import path from 'node:path';
import { sourceDir } from './common/source-dir.js';
import { DEFAULT_TASK_QUEUE } from './common/task-queue.js';
import { Worker, bundleWorkflowCode, type NativeConnection, type WorkflowBundleOption, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { runKeyInterceptor } from './activities/run-key.js';
import { SshPool } from './activities/ssh/pool.js';

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
  /** What the activities write to: the runs folder and the results store (the SSH pool is the worker's own unless given). */
  deps: Omit<ActivityDeps, 'sshPool'> & { sshPool?: SshPool };
  /** How long in-flight activities may run on after a shutdown request. */
  shutdownGraceTime?: string;
  /** The workflow bundle, when the caller made it already (several workers in one process, a test's file). */
  bundle?: WorkflowBundleOption;
  /** How often heartbeats (which carry cancellation) leave at most; default 2 s. */
  heartbeatThrottleInterval?: string;
}

/** A pdflow worker and what it owns: `run` serves until shutdown, then closes the SSH pool it made. */
export interface PdflowWorker {
  worker: Worker;
  sshPool: SshPool;
  run(): Promise<void>;
  runUntil<T>(fn: Promise<T> | (() => Promise<T>)): Promise<T>;
}

/**
 * The composition root: the one way production and tests make a worker (same interceptors, same
 * tuning). The SSH pool is created here unless the caller shares one between workers; a pool made
 * here is closed when the worker stops (open sockets would keep the process alive).
 */
export async function createPdflowWorker(opts: PdflowWorkerOptions): Promise<PdflowWorker> {
  const ownPool = !opts.deps.sshPool;
  const sshPool = opts.deps.sshPool ?? new SshPool();
  const throttle = (opts.heartbeatThrottleInterval ?? '2 seconds') as never;
  const worker = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowBundle: opts.bundle ?? await workflowBundle(),
    activities: createActivities({ ...opts.deps, sshPool }),
    interceptors: pdflowInterceptors,
    shutdownGraceTime: (opts.shutdownGraceTime ?? '30s') as never,
    // Heartbeats carry cancellation: without this a cancel could wait ~80% of heartbeatTimeout.
    maxHeartbeatThrottleInterval: throttle,
    defaultHeartbeatThrottleInterval: throttle,
    maxConcurrentActivityTaskExecutions: 64,
  }).catch(async (err: unknown) => {
    if (ownPool) await sshPool.closeAll();
    throw err;
  });
  const closePool = async () => { if (ownPool) await sshPool.closeAll(); };
  return {
    worker,
    sshPool,
    async run() {
      try { await worker.run(); } finally { await closePool(); }
    },
    async runUntil<T>(fn: Promise<T> | (() => Promise<T>)): Promise<T> {
      try { return await worker.runUntil(fn); } finally { await closePool(); }
    },
  };
}
