import type { Command } from 'commander';
import { STORE_FLAG_HELP } from '../store-flag.js';
import { RESULT_FORMATS, RESULT_LAYOUTS, STDIO, type ResultsCliOptions, type ResultsIo } from '../results-flags.js';

export function registerResults(program: Command, io: ResultsIo = STDIO) {
  program
    .command('results')
    .description('Report a sweep: frontier, best config per SLA tier, failures, CSV/JSONL/Markdown and SVG plots')
    .argument('[workflow-id]', 'the sweep workflow whose results to report')
    .option('--import <dirs...>', 'build the report from folders of `vllm bench serve` JSON instead (the seed\'s result folders, or a folder of them)')
    .option('--out <dir>', 'write report.md, results.csv, results.jsonl, summary.json and plots/ here (or, with --layout seed, the raw results)')
    .option('--layout <layout>', `what --out holds: ${RESULT_LAYOUTS.join(' or ')} (seed: the seed's bm_results folders of raw vllm bench serve JSON, for its viz.py and notebooks)`, 'report')
    .option('--format <format>', `what to print: ${RESULT_FORMATS.join(', ')}`, 'table')
    .option('--deployment <spec>', 'with --import: the deployment when folder names do not say, in the folder grammar (e.g. 1xtp4-1xtp4-spread, 4xtp2, itl5000_otl250_3ptp2-1dtp2)')
    .option('--sla <tier>', 'an SLA tier NAME:ttft=MS,tpot=MS (p99 limits; repeatable; default tiers otherwise), or the sweep\'s SLA as its file names it, p99TtftMs=MS,p99TpotMs=MS (reported beside the tiers; for a sweep, overrides the sweep file\'s)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--gpu <model>', 'with --import: the GPU model when folder names do not say (a name token such as H200 or H100 wins), e.g. --gpu H200')
    .option('--gpus-per-node <n>', 'with --import: GPUs per node, what placement labels are judged against (default 8)')
    .option('--versions <list>', 'with --import: what the runs used, e.g. vllm=0.11.0,nixl=0.6.1 (unknown otherwise: known-bad stacks are then flagged "suspect")')
    .option('--tolerance <fraction>', 'how close to the frontier counts as "near" (default 0.05)')
    .option('--title <text>', 'report title')
    .option('--store <path|url>', STORE_FLAG_HELP)
    .addHelpText('after', [
      '',
      'Examples:',
      '  pdflow results --import ../bm_results/gptoss_itl5000_otl250_mixed_1xtp4-1xtp4 ../bm_results/gptoss_itl5000_otl250_4xtp2',
      '  pdflow results --import ../bm_results --out report/ --sla chat:ttft=1000,tpot=15',
      '  pdflow results --import runs/odd-name --deployment itl8000_otl1000_2xtp4 --format csv > points.csv',
      '  pdflow results --import ../bm_results --gpu H200 --versions vllm=0.11.0,nixl=0.6.1 --sla p99TtftMs=2000,p99TpotMs=50',
      '  pdflow results pdflow-p5-pair-sweep-20251012-220000 --out bm_results --layout seed',
      '      writes bm_results/gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx/conc16.json ... (raw JSON, as run_bm.sh saves it)',
      '',
      'Folder names follow the seed: ..._itl<ISL>_otl<OSL>_<mode>_<exp> with <exp> holding 1xtp4-1xtp4 (1 prefill TP4 +',
      '1 decode TP4, pd-pack unless "-spread" follows or it needs more GPUs than a node has), 3ptp2-1dtp2 (3 P TP2 + 1 D TP2)',
      'or 4xtp2 (4 collocated replicas of TP2). A GPU token in the name (H200, H100, B200, A100) names the hardware.',
      'Points on a known-bad stack (e.g. NIXL LIBFABRIC with vLLM 0.11 / NIXL 0.6 on EFA) are flagged ⚠: shown, never best.',
      '',
      'Exit codes: 0 ok; 1 the sweep has no ok point; 2 bad input (incl. --import folders with no valid point).',
    ].join('\n'))
    .action(async (workflowId: string | undefined, o: ResultsCliOptions, cmd: Command) => {
      // The analysis (and vega, for plots) loads when the command runs, never for `--help`.
      const { resultsAction } = await import('../results-report.js');
      await resultsAction(workflowId, o, cmd, io);
    });
}
