// The whole product stack for integration tests: a real Temporal dev server, a simulated cluster
// of real sshd nodes (with the GPU emulation), its cluster file loaded through the real config
// loader, and pdflow workers — inline, or in child processes a test can SIGKILL.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestTemporal, uniqueTaskQueue, type TestTemporal } from './temporal.js';
import { startWorkerProcess, killWorkerProcess, TEST_WORKER_TUNING, type WorkerChild } from './worker-process.js';
import { startSimCluster, type SimCluster, type SimClusterOptions } from '../../src/sim/index.js';
import { parseClusterYaml, type ClusterConfig } from '../../src/config/index.js';
import { openResultsStore, type ResultsStore } from '../../src/results-store/store.js';
import { createPdflowWorker, workflowBundle } from '../../src/worker.js';
import { sharedSimDir } from './shared-sim.js';

export interface StackOptions {
  sim?: Omit<SimClusterOptions, 'dir'>;
  /** SQLite file for the server (for restart tests); default in memory. */
  dbFile?: string;
  /** Extra `temporal server start-dev` flags, e.g. dynamic config. */
  serverArgs?: string[];
  /** A fixed server port (restart tests reuse it). */
  port?: number;
  /**
   * Start the simulated cluster in the shared folder of its shape (test/helpers/shared-sim.ts), so
   * the nodes keep what an earlier test file installed. For tests that prepare the cluster and then
   * count only what they run themselves (deltas), never installs or builds.
   */
  shareInstalls?: boolean;
}

export interface Stack {
  dir: string;
  t: TestTemporal;
  sim: SimCluster;
  cluster: ClusterConfig;
  taskQueue: string;
  runsDir: string;
  /** The results store the stack's workers write (SQLite `results.db` in `dir`, beside `runsDir`). */
  resultsStore: ResultsStore;
  storeFile: string;
  /** Runs a worker in this process until `fn` settles (`resultsStore`: another store for its records). */
  withWorker<T>(fn: () => Promise<T>, opts?: { resultsStore?: ResultsStore }): Promise<T>;
  /** A worker in a child process (SIGKILL-able). */
  startWorkerProcess(): Promise<WorkerChild>;
  killWorkerProcess: typeof killWorkerProcess;
  teardown(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-stack-'));
  const shared = opts.shareInstalls ? sharedSimDir({ workers: opts.sim?.workers ?? 2, gpusPerNode: opts.sim?.gpusPerNode ?? 8 }) : undefined;
  const sim = await startSimCluster({
    timeScale: 0.02, firstHostOctet: 20 + (process.pid % 200), ...opts.sim,
    ...(shared ? { dir: shared, keepInstalls: true } : { dir: path.join(dir, 'sim') }),
  });
  const parsed = parseClusterYaml(readFileSync(sim.clusterFile, 'utf8'), sim.clusterFile);
  if (!parsed.ok) throw new Error(`sim cluster file invalid: ${parsed.issues.map((i) => i.message).join('; ')}`);
  const t = await startTestTemporal({ dbFile: opts.dbFile, extraArgs: opts.serverArgs, port: opts.port }).catch(async (err: unknown) => {
    await sim.stop();
    throw err;
  });
  const taskQueue = uniqueTaskQueue('stack');
  const runsDir = path.join(dir, 'runs');
  // Where child worker processes put it by default too (workerStoreSpec: beside the runs folder).
  const storeFile = path.join(dir, 'results.db');
  const resultsStore = openResultsStore(storeFile);
  const bundle = await workflowBundle();
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  const children: WorkerChild[] = [];
  const stack: Stack = {
    dir, t, sim, cluster: parsed.value, taskQueue, runsDir, resultsStore, storeFile,
    async withWorker(fn, opts = {}) {
      // Production's factory; only the connection, the bundle and the test tuning differ.
      const worker = await createPdflowWorker({
        connection: t.env.nativeConnection, namespace: 'default', taskQueue, bundle,
        deps: { runsDir, resultsStore: opts.resultsStore ?? resultsStore }, ...TEST_WORKER_TUNING,
      });
      return worker.runUntil(fn);
    },
    async startWorkerProcess() {
      const w = await startWorkerProcess({ address: stack.t.address, taskQueue, runsDir, bundlePath });
      children.push(w);
      return w;
    },
    killWorkerProcess,
    async teardown() {
      for (const c of children) await killWorkerProcess(c);
      await stack.t.teardown().catch(() => undefined);
      await sim.stop();
      await resultsStore.close();
    },
  };
  return stack;
}
