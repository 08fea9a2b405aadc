import type { Command } from 'commander';
import path from 'node:path';
import type { ConnectFlags } from '../connect.js';
import type { connectNative } from '../connect-native.js';
import { TemporalUnreachableError } from '../errors.js';
import { clusterTaskQueue, DEFAULT_TASK_QUEUE } from '../../common/task-queue.js';
import { RESULTS_URL_ENV } from '../../results-store/names.js';

export function registerWorker(program: Command) {
  program
    .command('worker')
    .description('Run a pdflow worker (executes workflows and the SSH activities)')
    .option('--task-queue <name>', `task queue (default ${DEFAULT_TASK_QUEUE}, or with --cluster only the clusters' queues)`)
    .option('--cluster <file>', 'serve this cluster\'s runs on its own task queue, pdflow-<cluster name> (repeatable; `pdflow run --cluster` routes there)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--runs-dir <dir>', 'where run logs and copied results go', '.pdflow/runs')
    .option('--store <path|url>', `the results store every sweep record is written to (default: $${RESULTS_URL_ENV} from the environment, else results.db beside --runs-dir, i.e. .pdflow/results.db)`)
    .option('--grace <duration>', 'how long in-flight activities may finish on shutdown', '30s')
    .option('--no-wait', 'exit (code 3) when Temporal is unreachable instead of waiting for it')
    .addHelpText('after', '\nConnection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS variables or a profile (TEMPORAL_PROFILE); --address/--namespace override.\n\nExamples:\n  pdflow worker\n  pdflow worker --cluster site-a.yaml --cluster site-b.yaml      # queues pdflow-<name> of each\n  TEMPORAL_ADDRESS=temporal.internal:7233 pdflow worker --task-queue pdflow-lab\n')
    .action(async (o: { taskQueue?: string; cluster: string[]; runsDir: string; store?: string; grace: string; wait: boolean }, cmd: Command) => {
      const flags = cmd.optsWithGlobals() as { address?: string; namespace?: string; profile?: string };
      const [{ connectNative }, { createPdflowWorker, workflowBundle }, { SshPool }, { openResultsStore, workerStoreSpec }, { loadClusterFile }] = await Promise.all([
        import('../connect-native.js'), import('../../worker.js'), import('../../activities/ssh/pool.js'), import('../../results-store/store.js'), import('../config-files.js'),
      ]);
      // Checked before connecting: a bad cluster file is bad input (exit 2), not a wait for Temporal.
      const clusterQueues = (await Promise.all(o.cluster.map(loadClusterFile))).map((c) => clusterTaskQueue(c.name));
      const queues = [...new Set([...clusterQueues, ...(o.taskQueue || clusterQueues.length === 0 ? [o.taskQueue ?? DEFAULT_TASK_QUEUE] : [])])];
      const connected = o.wait ? await connectWhenReachable(flags, connectNative) : await connectNative(flags);
      if (!connected) return console.log('worker stopped');
      const { connection, address, namespace } = connected;
      const resultsStore = openResultsStore(o.store?.trim() || workerStoreSpec(o.runsDir));
      const bundle = await workflowBundle();
      // One worker per queue in this process, sharing the connection, the SSH pool and the store.
      const sshPool = new SshPool();
      const workers = await Promise.all(queues.map((taskQueue) => createPdflowWorker({
        connection, namespace, taskQueue, bundle,
        deps: { runsDir: path.resolve(o.runsDir), resultsStore, sshPool },
        shutdownGraceTime: o.grace,
      })));
      console.log(`pdflow worker on ${address} namespace ${namespace} task queue${queues.length > 1 ? 's' : ''} ${queues.join(', ')}; results store: ${resultsStore.where} (Ctrl-C stops it gracefully)`);
      // The SDK runtime shuts the workers down on SIGINT/SIGTERM, giving activities the grace time.
      await Promise.all(workers.map((w) => w.run()));
      await sshPool.closeAll(); // open SSH sockets would keep the process alive
      await connection.close();
      await resultsStore.close();
      console.log('worker stopped');
    });
}

/**
 * A worker started before its server (a reboot, a bastion up before the cluster's Temporal) waits
 * for it with backoff and a log line, instead of exiting. Ctrl-C while waiting: undefined.
 */
async function connectWhenReachable(flags: ConnectFlags, connect: typeof connectNative): Promise<Awaited<ReturnType<typeof connectNative>> | undefined> {
  let stop: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  const onSignal = () => stop?.();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (let delaySec = 1; ; delaySec = Math.min(delaySec * 2, 30)) {
      try {
        return await connect(flags);
      } catch (err) {
        if (!(err instanceof TemporalUnreachableError)) throw err;
        console.log(`waiting for Temporal: ${err.message.split('\n')[0]}; next try in ${delaySec} s (Ctrl-C stops)`);
      }
      let timer: NodeJS.Timeout | undefined;
      const slept = await Promise.race([
        new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), delaySec * 1000); }),
        stopped.then(() => false),
      ]);
      clearTimeout(timer);
      if (!slept) return undefined;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
