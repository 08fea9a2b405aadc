import type { Command } from 'commander';
import { STORE_FLAG_HELP } from '../store-flag.js';
import { STDIO, type ResultsIo } from '../results-flags.js';
import { BASELINES, type CompareCliOptions } from '../compare-flags.js';

export function registerCompare(program: Command, io: ResultsIo = STDIO) {
  program
    .command('compare')
    .description('Compare two sweeps point by point and frontier by frontier; exit 1 when B regressed against A beyond the noise between repeats')
    .argument('[run-a]', 'the baseline sweep (workflow id, or a pipeline\'s id for its sweep)')
    .argument('[run-b]', 'the sweep to check')
    .option('--baseline <which>', `compare the one run given against ${BASELINES.join(' or ')}: the newest earlier run of the same sweep name that ended ok in the results store`)
    .option('--threshold <pct>', 'call a change a regression beyond this many percent, for every metric (default: per metric, from the measured noise between repeats)')
    .option('--json', 'print the comparison as JSON instead of the table')
    .option('--out <dir>', 'write compare.md (the report section), compare.json and the overlay plots (plots/compare/*.svg) here')
    .option('--store <path|url>', STORE_FLAG_HELP)
    .addHelpText('after', [
      '',
      'Points are matched by content key without versions: the same hardware, deployment (shape, backend, env), workload and',
      'load, whatever vLLM, NIXL, UCX, Ray, driver or CUDA ran them. Per matched point: the change in output tok/s per GPU,',
      'median and p99 TTFT and median TPOT; per workload and GPU: how far B\'s pareto frontier falls short of A\'s. Flagged points',
      '(known-bad stacks, output mismatches) are shown but never judged on their numbers; a point flagged or failed only in B regressed.',
      '',
      'Examples:',
      '  pdflow compare pdflow-p5-sweep-20261201-220000 pdflow-p5-sweep-20261202-220000',
      '  pdflow compare --baseline last-good pdflow-p5-sweep-20261202-220000 --out compare/',
      '  pdflow compare A B --threshold 3 --json > compare.json',
      '',
      'Exit codes: 0 no regression (or no earlier good run to compare with); 1 B regressed; 2 bad input (unknown run, bad flag).',
    ].join('\n'))
    .action(async (runA: string | undefined, runB: string | undefined, o: CompareCliOptions, cmd: Command) => {
      // The analysis loads when the command runs, never for `--help`.
      const { compareAction } = await import('../compare-action.js');
      await compareAction([runA, runB].filter((x): x is string => x !== undefined), o, cmd, io);
    });
}
