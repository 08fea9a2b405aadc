// A pdflow worker in its own process, so a test can SIGKILL it mid-activity:
//   node --import tsx test/helpers/worker-process.ts '<json WorkerProcessConfig>'
// Prints "ready" on stdout once polling. SIGTERM/SIGINT shut it down gracefully.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import { SshPool } from '../../src/activities/ssh/pool.js';
import { pdflowInterceptors } from '../../src/worker.js';

export interface WorkerProcessConfig {
  address: string;
  namespace?: string;
  taskQueue: string;
  runsDir: string;
  /** A workflow bundle written by the test (bundleWorkflowCode(...).code), so children do not rebundle. */
  bundlePath: string;
  shutdownGraceTime?: string;
}

/** Worker options the SSH tests use: heartbeats leave at most every second, so cancellation is quick. */
export const TEST_WORKER_TUNING = { maxHeartbeatThrottleInterval: '1 second', defaultHeartbeatThrottleInterval: '1 second' } as const;

async function main(cfg: WorkerProcessConfig): Promise<void> {
  const connection = await NativeConnection.connect({ address: cfg.address });
  const sshPool = new SshPool();
  const worker = await Worker.create({
    connection,
    namespace: cfg.namespace ?? 'default',
    taskQueue: cfg.taskQueue,
    workflowBundle: { codePath: cfg.bundlePath },
    activities: createActivities({ runsDir: cfg.runsDir, sshPool }),
    interceptors: pdflowInterceptors,
    shutdownGraceTime: (cfg.shutdownGraceTime ?? '2 seconds') as never,
    ...TEST_WORKER_TUNING,
  });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
  await sshPool.closeAll();
  await connection.close();
}

const thisFile = fileURLToPath(import.meta.url);

export interface WorkerChild {
  child: ChildProcess;
  /** Output of the child so far (for failure messages). */
  output(): string;
}

/** Starts a worker process and resolves once it polls. */
export function startWorkerProcess(cfg: WorkerProcessConfig, timeoutMs = 60_000): Promise<WorkerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', thisFile, JSON.stringify(cfg)], {
    cwd: path.resolve(path.dirname(thisFile), '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker process did not get ready within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      if (out.includes('ready\n')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve({ child, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
}

/** Kills the child (SIGKILL) and waits until it is gone. */
export function killWorkerProcess(w: WorkerChild, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    w.child.once('exit', () => resolve());
    w.child.kill(signal);
  });
}

if (process.argv[1] === thisFile) {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessConfig;
  main(cfg).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
