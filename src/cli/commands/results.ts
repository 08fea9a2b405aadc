import type { Command } from 'commander';
import {
  buildResultsSummary, parseSlaTier, rejectedOfPlan, renderTerminal, summaryForJson, toCsv, FolderNameError,
  type BenchPointRecord, type ReportOptions, type SlaTier,
} from '../../analysis/index.js';
import { importBenchFolders, ImportInputError, writeReport, writeSeedLayout } from '../../analysis-io/index.js';
import { BadInputError } from '../errors.js';
import { connectClient } from '../connect.js';
import { connectFlags } from '../flags.js';
import { runRecords } from '../run-records.js';
import { readerStore, STORE_FLAG_HELP } from '../store-flag.js';
import { withSpinner } from '../spinner.js';

export const RESULT_FORMATS = ['table', 'csv', 'json'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];
/** What --out writes: pdflow's report folder, or the seed's folders of raw vllm bench JSON. */
export const RESULT_LAYOUTS = ['report', 'seed'] as const;
export type ResultLayout = (typeof RESULT_LAYOUTS)[number];

/** Where results go; tests hand in their own. */
export interface ResultsIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STDIO: ResultsIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

export interface ResultsOutputFlags {
  out?: string;
  format: ResultFormat;
  /** Default "report". */
  layout?: ResultLayout;
}

/**
 * Prints the records in `format` on stdout and, with `out`, writes the report folder (file list on
 * stderr so stdout stays machine-readable). Shared by `--import` and `results <workflow-id>`.
 */
export async function emitResults(records: BenchPointRecord[], flags: ResultsOutputFlags, report: ReportOptions, io: ResultsIo = STDIO): Promise<void> {
  const summary = buildResultsSummary(records, report);
  if (flags.format === 'csv') io.out(toCsv(records, summary.statusByPoint));
  else if (flags.format === 'json') io.out(JSON.stringify({ summary: summaryForJson(summary), records }, null, 2) + '\n');
  else {
    const table = renderTerminal(summary);
    io.out(table.endsWith('\n') ? table : `${table}\n`); // the shell prompt starts on a line of its own
  }
  if (flags.out && flags.layout === 'seed') {
    const written = await writeSeedLayout(records, flags.out);
    for (const s of written.skipped) io.err(`not written: ${s}\n`);
    const folders = new Set(written.files.map((f) => f.split('/')[0]));
    io.err(`wrote ${written.files.length} raw vllm bench serve results in ${folders.size} folders to ${written.dir} (the seed's layout: <served>_itl<ISL>_otl<OSL>_<mode>_<config>/conc<N>.json)\n`);
  } else if (flags.out) {
    const written = await writeReport(records, report, flags.out);
    for (const w of written.warnings) io.err(`warning: ${w}\n`);
    io.err(`wrote ${written.files.length} files to ${written.dir}: report.md, results.csv, results.jsonl, summary.json and ${written.files.filter((f) => f.endsWith('.svg')).length} plots\n`);
  }
}

interface ResultsCliOptions {
  import?: string[];
  out?: string;
  format: string;
  layout: string;
  deployment?: string;
  sla: string[];
  tolerance?: string;
  title?: string;
  store?: string;
}

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
    .option('--sla <tier>', 'an SLA tier NAME:ttft=MS,tpot=MS (p99 limits; repeatable); default tiers otherwise', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--tolerance <fraction>', 'how close to the frontier counts as "near" (default 0.05)')
    .option('--title <text>', 'report title')
    .option('--store <path|url>', STORE_FLAG_HELP)
    .addHelpText('after', [
      '',
      'Examples:',
      '  pdflow results --import ../bm_results/gptoss_itl5000_otl250_mixed_1xtp4-1xtp4 ../bm_results/gptoss_itl5000_otl250_4xtp2',
      '  pdflow results --import ../bm_results --out report/ --sla chat:ttft=1000,tpot=15',
      '  pdflow results --import runs/odd-name --deployment itl8000_otl1000_2xtp4 --format csv > points.csv',
      '  pdflow results pdflow-p5-pair-sweep-20251012-220000 --out bm_results --layout seed',
      '      writes bm_results/gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx/conc16.json ... (raw JSON, as run_bm.sh saves it)',
      '',
      'Folder names follow the seed: ..._itl<ISL>_otl<OSL>_<mode>_<exp> with <exp> holding 1xtp4-1xtp4 (1 prefill TP4 +',
      '1 decode TP4, pd-pack unless "-spread" follows), 3ptp2-1dtp2 (3 P TP2 + 1 D TP2) or 4xtp2 (4 collocated replicas of TP2).',
    ].join('\n'))
    .action(async (workflowId: string | undefined, o: ResultsCliOptions, cmd: Command) => {
      if (!(RESULT_FORMATS as readonly string[]).includes(o.format)) throw new BadInputError(`--format: "${o.format}" is not one of ${RESULT_FORMATS.join(', ')}`);
      if (!(RESULT_LAYOUTS as readonly string[]).includes(o.layout)) throw new BadInputError(`--layout: "${o.layout}" is not one of ${RESULT_LAYOUTS.join(', ')}`);
      if (o.layout === 'seed' && !o.out) throw new BadInputError('--layout seed writes folders: give --out DIR, e.g. --out bm_results --layout seed');
      const report: ReportOptions = {};
      if (o.title) report.title = o.title;
      let tiers: SlaTier[];
      try {
        tiers = o.sla.map(parseSlaTier);
      } catch (err) {
        throw new BadInputError(`--sla: ${(err as Error).message}`);
      }
      if (tiers.length > 0) report.slaTiers = tiers;
      if (o.tolerance !== undefined) {
        const t = Number(o.tolerance);
        if (!(t >= 0 && t < 1)) throw new BadInputError(`--tolerance: "${o.tolerance}" is not a fraction in [0, 1), e.g. 0.05 for 5%`);
        report.tolerance = t;
      }
      const flags: ResultsOutputFlags = { format: o.format as ResultFormat, layout: o.layout as ResultLayout, ...(o.out ? { out: o.out } : {}) };

      if (o.import && o.import.length > 0) {
        if (workflowId) throw new BadInputError(`give either a workflow id or --import, not both (got "${workflowId}" and --import)`);
        let imported;
        try {
          imported = await importBenchFolders(o.import, o.deployment ? { deployment: o.deployment } : {});
        } catch (err) {
          if (err instanceof FolderNameError || err instanceof ImportInputError) throw new BadInputError(err.message);
          throw err;
        }
        for (const s of imported.skipped) io.err(`skipped ${s}\n`);
        if (imported.records.length === 0) throw new BadInputError(`--import: no benchmark results found in ${o.import.join(', ')}`);
        report.notes = [`Imported from ${o.import.join(', ')}.`];
        return emitResults(imported.records, flags, report, io);
      }
      if (o.deployment) throw new BadInputError('--deployment only applies with --import');
      if (!workflowId) throw new BadInputError('give a sweep workflow id (see `pdflow list --stage sweep`) or --import DIR...');
      const store = readerStore(o.store);
      const view = await withSpinner(`reading the records of ${workflowId}`, () => runRecords(workflowId, { store, temporal: () => connectClient(connectFlags(cmd)) }), { stream: process.stderr, plainStart: false })
        .finally(() => store.close());
      report.rejected = rejectedOfPlan(view.rejected);
      if (view.gpuHours !== undefined) report.gpuHoursTotal = view.gpuHours;
      report.notes = [`Sweep ${view.workflowId} (${view.status.toLowerCase()}), read from ${view.source}.`, ...view.failedDeployments.map((f) => `Deployment ${f.deployment} did not come up: ${f.reason}`)];
      return emitResults(view.records, flags, report, io);
    });
}
