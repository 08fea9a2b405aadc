import type { Command } from 'commander';
import { formatPlan, planSweep } from '../../plan/index.js';
import { printJson } from '../flags.js';
import { loadClusterAndSweep } from './validate.js';

export function registerPlan(program: Command) {
  program
    .command('plan')
    .description('Show what a sweep would run on a cluster: ordered deployments and points, placement, rejected configs, time and GPU-hours')
    .requiredOption('--cluster <file>', 'cluster file')
    .requiredOption('--sweep <file>', 'sweep file')
    .option('--json', 'print the plan as JSON (the data the sweep workflow runs)')
    .addHelpText('after', '\nExamples:\n  pdflow plan --cluster examples/cluster-p5.yaml --sweep examples/sweep-pd-ratio.yaml\n' +
      '  pdflow plan --cluster examples/cluster-p5.yaml --sweep examples/sweep-pack-vs-spread.yaml --json\n')
    .action(async (o: { cluster: string; sweep: string; json?: boolean }) => {
      const { cluster, sweep } = await loadClusterAndSweep(o.cluster, o.sweep);
      const plan = planSweep(cluster, sweep);
      if (o.json) printJson(plan);
      else console.log(formatPlan(plan));
    });
}
