import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printJson } from '../flags.js';
import { projectRoot } from '../../common/source-dir.js';
import type { Plan } from '../../plan/types.js';

/** How much `--reuse` would copy, from the results store. */
async function reuseLine(plan: Plan, flag: string | boolean, storeFlag: string | undefined) {
  const [{ reuseFlag }, { readerStore }, { estimateReuse }] = await Promise.all([import('../reuse-flag.js'), import('../store-flag.js'), import('../reuse-estimate.js')]);
  const limit = reuseFlag(flag, plan.reuse) || { maxAgeHours: 7 * 24 };
  const store = await readerStore(storeFlag);
  try {
    const estimate = await estimateReuse(store, plan, limit.maxAgeHours);
    const line = `Reuse (records no older than ${limit.maxAgeHours} h): ${estimate.points} of ${estimate.of} points, saving about ${estimate.gpuHoursSaved.toFixed(2)} GPU-hours of benchmarks; ${estimate.basis}`;
    return { estimate, line };
  } finally {
    await store.close();
  }
}

export function registerPlan(program: Command) {
  program
    .command('plan')
    .description('Show what a sweep would run on a cluster: ordered deployments and points, placement, rejected configs, time and GPU-hours')
    .requiredOption('--cluster <file>', 'cluster file')
    .requiredOption('--sweep <file>', 'sweep file')
    .option('--json', 'print the plan as JSON (the data the sweep workflow runs)')
    .option('--max-points <n>', 'refuse sweeps with more points than this (default 1,000,000)')
    .option('--reuse [max-age]', 'also say how many points `run --reuse` would copy from the results store (e.g. 7d; default the sweep file\'s reuse.maxAgeDays, else 7d) and the GPU-hours that saves')
    .option('--store <path|url>', 'the results store --reuse looks in (default: $PDFLOW_RESULTS_URL, else .pdflow/results.db)')
    .addHelpText('after', '\nExamples:\n  pdflow plan --cluster examples/cluster-p5.yaml --sweep examples/sweep-pd-ratio.yaml\n' +
      '  pdflow plan --cluster examples/cluster-p5.yaml --sweep examples/sweep-pd-ratio.yaml --reuse 3d\n' +
      '  pdflow plan --cluster examples/cluster-p5.yaml --sweep examples/sweep-pack-vs-spread.yaml --json\n')
    .action(async (o: { cluster: string; sweep: string; json?: boolean; maxPoints?: string; reuse?: string | boolean; store?: string }) => {
      const [{ formatPlan, NODE_CONSTRAINTS_FILE, nodeStackLines, planSweep }, { loadClusterAndSweep }, { maxPointsFlag, requireSize }] = await Promise.all([
        import('../../plan/index.js'), import('../config-files.js'), import('../size-flags.js'),
      ]);
      const { cluster, sweep } = await loadClusterAndSweep(o.cluster, o.sweep);
      const plan = planSweep(cluster, sweep);
      requireSize(plan, { maxPoints: maxPointsFlag(o.maxPoints) });
      const reuse = o.reuse === undefined ? undefined : await reuseLine(plan, o.reuse, o.store);
      if (o.json) printJson(reuse ? { ...plan, reuse: reuse.estimate } : plan);
      else {
        // What provision installs: the pins under the constraints file uploaded with the scripts.
        const stack = nodeStackLines(cluster, readFileSync(path.join(projectRoot, 'scripts/remote', NODE_CONSTRAINTS_FILE), 'utf8'));
        console.log([formatPlan(plan), ...(reuse ? [reuse.line] : []), '', ...stack.lines, ...stack.warnings.map((w) => `warning: ${w}`)].join('\n'));
      }
    });
}
