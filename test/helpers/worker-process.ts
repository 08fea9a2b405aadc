// A pdflow worker in its own process, so a test can SIGKILL it mid-activity:
//   node --import tsx test/helpers/worker-process.ts '<json WorkerProcessConfig>'
// Prints "ready" on stdout once polling. SIGTERM/SIGINT shut it down gracefully.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection } from '@temporalio/worker';
import { createPdflowWorker } from '../../src/worker.js';

export interface WorkerProcessConfig {
  address: string;
  namespace?: string;
  taskQueue: string;
  runsDir: string;
  /** A workflow bundle written by the test (bundleWorkflowCode(...).code), so children do not rebundle. */
  bundlePath: string;
  shutdownGraceTime?: string;
}

/** What tests tune on production's factory: heartbeats leave at most every second (cancellation is quick), a short grace. */
export const TEST_WORKER_TUNING = { heartbeatThrottleInterval: '1 second', shutdownGraceTime: '2 seconds' } as const;

async function main(cfg: WorkerProcessConfig): Promise<void> {
  const connection = await NativeConnection.connect({ address: cfg.address });
  const worker = await createPdflowWorker({
    connection, namespace: cfg.namespace ?? 'default', taskQueue: cfg.taskQueue, bundle: { codePath: cfg.bundlePath },
    deps: { runsDir: cfg.runsDir }, ...TEST_WORKER_TUNING, ...(cfg.shutdownGraceTime ? { shutdownGraceTime: cfg.shutdownGraceTime } : {}),
  });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
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
