import type { Command } from 'commander';
import path from 'node:path';
import { DEFAULT_TASK_QUEUE } from '../../common/task-queue.js';

export function registerHello(program: Command) {
  program
    .command('hello')
    .description('Run the one-activity hello pipeline (checks server, worker and bundle)')
    .option('--name <name>', 'who to greet', 'pdflow')
    .option('--task-queue <name>', 'task queue', DEFAULT_TASK_QUEUE)
    .option('--inline-worker', 'run a worker inside this process for the duration')
    .addHelpText('after', '\nExamples:\n  pdflow hello --inline-worker          # no worker needed\n  pdflow hello --name lab               # answered by a running `pdflow worker`\n')
    .action(async (o: { name: string; taskQueue: string; inlineWorker?: boolean }, cmd: Command) => {
      const flags = cmd.optsWithGlobals() as { address?: string; namespace?: string; profile?: string };
      const [{ connectClient }, { workflowId }, { PdflowCluster, PdflowStage }, { hello }] = await Promise.all([
        import('../connect.js'), import('../../common/ids.js'), import('../../common/search-attributes.js'), import('../../workflows/hello.js'),
      ]);
      const { client, namespace } = await connectClient(flags);
      const id = workflowId('local', 'hello');
      const run = async () => {
        const handle = await client.workflow.start(hello, {
          taskQueue: o.taskQueue,
          workflowId: id,
          args: [o.name],
          staticSummary: `hello pipeline: greet ${o.name}`,
          typedSearchAttributes: [
            { key: PdflowCluster, value: 'local' },
            { key: PdflowStage, value: 'hello' },
          ],
        });
        console.log(`started ${handle.workflowId}`);
        console.log(await handle.result());
      };
      if (!o.inlineWorker) return run();
      const [{ connectNative }, { createPdflowWorker }] = await Promise.all([import('../connect-native.js'), import('../../worker.js')]);
      const { connection } = await connectNative(flags);
      const worker = await createPdflowWorker({ connection, namespace, taskQueue: o.taskQueue, deps: { runsDir: path.resolve('.pdflow/runs') } });
      await worker.runUntil(run());
      await connection.close();
    });
}
