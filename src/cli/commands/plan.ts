import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printJson } from '../flags.js';
import { projectRoot } from '../../common/source-dir.js';

export function registerPlan(program: Command) {
  program
    .command('plan')
    .description('Show what a sweep would run on a cluster: ordered deployments and points, placement, rejected configs, time and GPU-hours')
    .requiredOption('--cluster <file>', 'cluster file')
    .requiredOption('--sweep <file>', 'sweep file')
    .option('--json', 'print the plan as JSON (the data the sweep workflow runs)')
    .option('--max-points <n>', 'refuse sweeps with more points than this (default 1,000,000)')
    .addHelpText('after', '\nExamples:\n  pdflow plan --cluster examples/cluster-p5.yaml --sweep examples/sweep-pd-ratio.yaml\n' +
      '  pdflow plan --cluster examples/cluster-p5.yaml --sweep examples/sweep-pack-vs-spread.yaml --json\n')
    .action(async (o: { cluster: string; sweep: string; json?: boolean; maxPoints?: string }) => {
      const [{ formatPlan, NODE_CONSTRAINTS_FILE, nodeStackLines, planSweep }, { loadClusterAndSweep }, { maxPointsFlag, requireSize }] = await Promise.all([
        import('../../plan/index.js'), import('../config-files.js'), import('../size-flags.js'),
      ]);
      const { cluster, sweep } = await loadClusterAndSweep(o.cluster, o.sweep);
      const plan = planSweep(cluster, sweep);
      requireSize(plan, { maxPoints: maxPointsFlag(o.maxPoints) });
      if (o.json) printJson(plan);
      else {
        // What provision installs: the pins under the constraints file uploaded with the scripts.
        const stack = nodeStackLines(cluster, readFileSync(path.join(projectRoot, 'scripts/remote', NODE_CONSTRAINTS_FILE), 'utf8'));
        console.log([formatPlan(plan), '', ...stack.lines, ...stack.warnings.map((w) => `warning: ${w}`)].join('\n'));
      }
    });
}
