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
    .option('--task-queue <name>', 'task queue of the workers', DEFAULT_TASK_QUEUE)
    .option('--heartbeat-timeout <duration>', 'how soon a dead worker\'s step moves to another worker', '30s')
    .option('--follow', 'watch the run until it ends; exit code says how it ended')
    .option('--json', 'print {workflowId, url} as JSON')
    .addHelpText('after', `
Examples:
  pdflow run --cluster examples/cluster-p5.yaml                          # all checks
  pdflow run --cluster examples/cluster-p5.yaml --stages ray,validate    # a subset
  pdflow run --cluster examples/cluster-p5.yaml --sweep examples/sweep-pd-ratio.yaml --follow
  pdflow run --cluster c.yaml --sweep s.yaml --stages sweep              # the sweep alone
`)
    .action(async (o: { cluster: string; sweep?: string; stages?: string; taskQueue: string; heartbeatTimeout: string; follow?: boolean; json?: boolean }, cmd: Command) => {
      const [{ connectClient }, { loadRunFiles, parseStages, startRun }, { watchRun }, { exitForStatus }] = await Promise.all([
        import('../connect.js'), import('../start-run.js'), import('../watch-run.js'), import('../describe-run.js'),
      ]);
      const { cluster, plan } = await loadRunFiles(o.cluster, o.sweep);
      const { stages, sweep } = parseStages(o.stages, Boolean(plan));
      // Known-bad stacks run (the user may want to see the damage) but are said before GPU-hours go.
      for (const w of plan?.warnings ?? []) console.error(`warning: ${w}`);
      const { client, address, namespace } = await connectClient(connectFlags(cmd));
      const handle = await startRun(client, { cluster, plan, stages, runSweep: sweep, taskQueue: o.taskQueue, heartbeatTimeout: o.heartbeatTimeout });
      const url = uiLink(address, namespace, handle.workflowId);
      if (o.json) printJson({ workflowId: handle.workflowId, url });
      else {
        console.log(`started ${handle.workflowId}`);
        console.log(`  Web UI: ${url}`);
        if (plan) console.log(`  sweep ${plan.sweepName}: ${plan.deployments.length} deployments, ${plan.estimate.points} points, ${plan.rejected.length} rejected`);
        if (!o.follow) console.log(`  follow it: pdflow watch ${handle.workflowId}`);
      }
      if (o.follow) {
        const final = await watchRun(client, handle.workflowId, { json: o.json });
        exitForStatus(final.status, final.failure, final.outcome, final.failedPoints);
      }
    });
}
