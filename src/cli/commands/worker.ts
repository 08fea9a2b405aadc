import type { Command } from 'commander';
import path from 'node:path';
import { connectNative } from '../connect.js';
import { createPdflowWorker, DEFAULT_TASK_QUEUE } from '../../worker.js';
import { closeDefaultSshPool } from '../../activities/remote.js';

export function registerWorker(program: Command) {
  program
    .command('worker')
    .description('Run a pdflow worker (executes workflows and the SSH activities)')
    .option('--task-queue <name>', 'task queue', DEFAULT_TASK_QUEUE)
    .option('--runs-dir <dir>', 'where run logs and copied results go', '.pdflow/runs')
    .option('--grace <duration>', 'how long in-flight activities may finish on shutdown', '30s')
    .addHelpText('after', '\nConnection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS variables or a profile (TEMPORAL_PROFILE); --address/--namespace override.\n\nExamples:\n  pdflow worker\n  TEMPORAL_ADDRESS=temporal.internal:7233 pdflow worker --task-queue pdflow-lab\n')
    .action(async (o: { taskQueue: string; runsDir: string; grace: string }, cmd: Command) => {
      const flags = cmd.optsWithGlobals() as { address?: string; namespace?: string; profile?: string };
      const { connection, address, namespace } = await connectNative(flags);
      const worker = await createPdflowWorker({
        connection,
        namespace,
        taskQueue: o.taskQueue,
        deps: { runsDir: path.resolve(o.runsDir) },
        shutdownGraceTime: o.grace,
      });
      console.log(`pdflow worker on ${address} namespace ${namespace} task queue ${o.taskQueue} (Ctrl-C stops it gracefully)`);
      // The SDK runtime shuts the worker down on SIGINT/SIGTERM, giving activities the grace time.
      await worker.run();
      await closeDefaultSshPool(); // open SSH sockets would keep the process alive
      await connection.close();
      console.log('worker stopped');
    });
}
