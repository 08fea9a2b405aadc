import type { Command } from 'commander';
import { connectFlags, printJson } from '../flags.js';
import { uiLink } from '../ui-link.js';
import { DEFAULT_TASK_QUEUE } from '../../common/task-queue.js';

export function registerRun(program: Command) {
  program
    .command('run')
    .description('Run the setup pipeline (provision, build, ray, validate, smoke) and/or a sweep')
    .requiredOption('--cluster <file>', 'cluster file (YAML)')
    .option('--sweep <file>', 'sweep file (YAML): the sweep runs after the checks pass')
    .option('--stages <list>', 'comma-separated subset: provision,build,ray,validate,smoke,sweep')
    .option('--task-queue <name>', `task queue of the workers (default: pdflow-<cluster name> when a \`pdflow worker --cluster FILE\` serves it, else ${DEFAULT_TASK_QUEUE})`)
    .option('--heartbeat-timeout <duration>', 'how soon a dead worker\'s step moves to another worker', '30s')
    .option('--follow', 'watch the run until it ends; exit code says how it ended')
    .option('--max-points <n>', 'refuse sweeps with more points than this (default 1,000,000)')
    .option('--reuse [max-age]', 'copy points whose content key (hardware, versions, deployment, workload, load) has a good record in the results store no older than max-age (e.g. 7d, 12h; default the sweep file\'s reuse.maxAgeDays, else 7d) instead of measuring them')
    .option('--no-reuse', 'measure every point, even where the sweep file asks for reuse')
    .option('--json', 'print {workflowId, url} as JSON')
    .option('--print-input [form]', 'print the workflow input for the Web UI\'s Start Workflow form or `temporal workflow start` and start nothing: "paths" (the files\' absolute paths, read on the worker\'s machine; the default) or "inline" (the documents)')
    .addHelpText('after', `
Examples:
  pdflow run --cluster examples/cluster-p5.yaml                          # all checks
  pdflow run --cluster examples/cluster-p5.yaml --stages ray,validate    # a subset
  pdflow run --cluster examples/cluster-p5.yaml --sweep examples/sweep-pd-ratio.yaml --follow
  pdflow run --cluster c.yaml --sweep s.yaml --stages sweep              # the sweep alone
  pdflow run --cluster c.yaml --sweep s.yaml --print-input               # the input for the Web UI / Temporal CLI
  pdflow run --cluster c.yaml --sweep s.yaml --stages sweep --reuse 3d   # measure only what the last 3 days did not
`)
    .action(async (o: { cluster: string; sweep?: string; stages?: string; taskQueue?: string; heartbeatTimeout: string; follow?: boolean; json?: boolean; printInput?: string | boolean; maxPoints?: string; reuse?: string | boolean }, cmd: Command) => {
      const [{ connectClient }, { loadRunFiles, parseStages, startRun }, { watchRun }, { exitForStatus }, { maxPointsFlag }, { printRunInput }, { routeTaskQueue }, { reuseFlag }] = await Promise.all([
        import('../connect.js'), import('../start-run.js'), import('../watch-run.js'), import('../describe-run.js'), import('../size-flags.js'), import('../print-input.js'), import('../route-task-queue.js'),
        import('../reuse-flag.js'),
      ]);
      const maxPoints = maxPointsFlag(o.maxPoints);
      const files = await loadRunFiles(o.cluster, o.sweep, { maxPoints });
      const { cluster, plan } = files;
      const reuse = reuseFlag(o.reuse, plan?.reuse);
      const sweepOptions = { ...(maxPoints ? { maxPoints } : {}), ...(reuse !== undefined ? { reuse } : {}) };
      const { stages, sweep } = parseStages(o.stages, Boolean(plan));
      if (o.printInput !== undefined) {
        printRunInput({ files, stages, runSweep: sweep, taskQueue: o.taskQueue ?? DEFAULT_TASK_QUEUE, form: o.printInput, clusterFile: o.cluster, sweepFile: o.sweep });
        return;
      }
      // Known-bad stacks run (the user may want to see the damage) but are said before GPU-hours go.
      for (const w of plan?.warnings ?? []) console.error(`warning: ${w}`);
      const { client, address, namespace } = await connectClient(connectFlags(cmd));
      const route = await routeTaskQueue(client, cluster.name, o.taskQueue);
      const handle = await startRun(client, { cluster, plan, docs: files.docs, stages, runSweep: sweep, taskQueue: route.taskQueue, heartbeatTimeout: o.heartbeatTimeout, ...(Object.keys(sweepOptions).length ? { sweepOptions } : {}) });
      const url = uiLink(address, namespace, handle.workflowId);
      if (o.json) printJson({ workflowId: handle.workflowId, url, taskQueue: route.taskQueue });
      else {
        console.log(`started ${handle.workflowId}`);
        console.log(`  Web UI: ${url}`);
        console.log(`  task queue: ${route.taskQueue} (${route.why})`);
        if (plan) console.log(`  sweep ${plan.sweepName}: ${plan.deployments.length} deployments, ${plan.estimate.points} points, ${plan.rejected.length} rejected`);
        if (!o.follow) console.log(`  follow it: pdflow watch ${handle.workflowId}`);
      }
      if (o.follow) {
        const final = await watchRun(client, handle.workflowId, { json: o.json });
        exitForStatus(final.status, final.failure, final.outcome, final.failedPoints);
      }
    });
}
