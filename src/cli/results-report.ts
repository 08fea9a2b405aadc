// `pdflow results`: a sweep's report (from the store or Temporal) or one built from imported folders.
import type { Command } from 'commander';
import {
  buildResultsSummary, hardwareLabel, isSweepSlaSpec, parseSlaTier, parseSweepSla, rejectedOfPlan, renderTerminal, slaTierOf, summaryForJson, toCsv, FolderNameError,
  type BenchPointRecord, type ImportHardwareOptions, type ReportOptions, type SlaTier,
} from '../analysis/index.js';
import { importBenchFolders, ImportInputError, writeReport, writeSeedLayout, type ImportResult } from '../analysis-io/index.js';
import { BadInputError, RunFailedError } from './errors.js';
import { connectFlags } from './flags.js';
import type { SweepRecordsView } from './sweep-records.js';
import { runRecords, type RunRecordsView } from './run-records.js';
import { readerStore } from './store-flag.js';
import { RESULT_FORMATS, RESULT_LAYOUTS, STDIO, type ResultFormat, type ResultLayout, type ResultsCliOptions, type ResultsIo, type ResultsOutputFlags } from './results-flags.js';
import { withSpinner } from './spinner.js';
import { clockTime } from '../common/clock-time.js';

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
    io.err(`wrote ${written.files.length} files to ${written.dir}: report.md, ${written.files.includes('report.html') ? 'report.html (interactive charts), ' : ''}results.csv, results.jsonl, summary.json and ${written.files.filter((f) => f.endsWith('.svg')).length} plots\n`);
  }
}

/** What `pdflow results` does once its flags are parsed. */
export async function resultsAction(workflowId: string | undefined, o: ResultsCliOptions, cmd: Command, io: ResultsIo): Promise<void> {
  if (!(RESULT_FORMATS as readonly string[]).includes(o.format)) throw new BadInputError(`--format: "${o.format}" is not one of ${RESULT_FORMATS.join(', ')}`);
  if (!(RESULT_LAYOUTS as readonly string[]).includes(o.layout)) throw new BadInputError(`--layout: "${o.layout}" is not one of ${RESULT_LAYOUTS.join(', ')}`);
  if (o.layout === 'seed' && !o.out) throw new BadInputError('--layout seed writes folders: give --out DIR, e.g. --out bm_results --layout seed');
  const report: ReportOptions = {};
  if (o.title) report.title = o.title;
  let tiers: SlaTier[];
  let sweepSla: SlaTier | undefined;
  try {
    tiers = o.sla.filter((x) => !isSweepSlaSpec(x)).map(parseSlaTier);
    const slas = o.sla.filter(isSweepSlaSpec);
    if (slas.length > 1) throw new Error(`give the p99TtftMs=...,p99TpotMs=... form once, got ${slas.join(' and ')}`);
    if (slas[0]) sweepSla = parseSweepSla(slas[0]);
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
    const hardware = importHardwareFlags(o);
    const versions = o.versions !== undefined ? parseVersions(o.versions) : undefined;
    let imported: ImportResult;
    try {
      imported = await importBenchFolders(o.import, { ...(o.deployment ? { deployment: o.deployment } : {}), hardware, ...(versions ? { versions } : {}) });
    } catch (err) {
      if (err instanceof FolderNameError || err instanceof ImportInputError) throw new BadInputError(err.message);
      throw err;
    }
    // The reasons first, then (when there is anything to show) the table.
    const empty = imported.folders.filter((f) => f.ok === 0);
    if (!imported.records.some((r) => r.status === 'ok')) {
      throw new BadInputError(`--import: no valid benchmark point in ${o.import.join(', ')}:\n${empty.map(folderProblems).join('\n')}`);
    }
    for (const f of imported.folders) {
      if (f.ok === 0) io.err(`warning: ${folderProblems(f)}\n`);
      else for (const p of f.skipped) io.err(`skipped ${p}\n`);
    }
    report.notes = [`Imported from ${o.import.join(', ')}.`];
    if (sweepSla) report.sla = sweepSla;
    return emitResults(imported.records, flags, report, io);
  }
  if (o.deployment) throw new BadInputError('--deployment only applies with --import');
  for (const [flag, v] of [['--gpu', o.gpu], ['--gpus-per-node', o.gpusPerNode], ['--versions', o.versions]] as const) {
    if (v !== undefined) throw new BadInputError(`${flag} only applies with --import (a sweep's records carry their hardware and versions)`);
  }
  if (!workflowId) throw new BadInputError('give a sweep workflow id (see `pdflow list --stage sweep`) or --import DIR...');
  const store = await readerStore(o.store);
  const view = await withSpinner(`reading the records of ${workflowId}`, () => runRecords(workflowId, { store, temporal: async () => (await import('./connect.js')).connectClient(connectFlags(cmd)) }), { stream: process.stderr, plainStart: false })
    .finally(() => store.close());
  return reportSweep(view, flags, report, io, sweepSla);
}

/** The report's first line: which run, when, where, on what. */
export function runHeader(view: Pick<SweepRecordsView, 'workflowId' | 'status' | 'cluster' | 'startedAt' | 'records'>): string {
  const hardware = [...new Set(view.records.map((r) => hardwareLabel(r.hardware)))];
  const started = view.startedAt ? `, started ${clockTime(view.startedAt)}` : '';
  return `Run **${view.workflowId}** (${view.status.toLowerCase()})${started}, cluster ${view.cluster ?? 'unknown'}, hardware: ${hardware.join('; ') || 'no records'}.`;
}

/**
 * A sweep's report from its records. A closed run with no ok point failed: its reasons go to
 * stderr before the table, and the command exits 1 (RunFailedError) after printing what there is.
 */
export async function reportSweep(view: SweepRecordsView, flags: ResultsOutputFlags, base: ReportOptions, io: ResultsIo = STDIO, slaOverride?: SlaTier): Promise<void> {
  const report: ReportOptions = { ...base, rejected: rejectedOfPlan(view.rejected) };
  if (view.gpuHours !== undefined) report.gpuHoursTotal = view.gpuHours;
  report.notes = [runHeader(view), `Records read from ${'source' in view ? (view as RunRecordsView).source : 'Temporal'}.`, ...view.failedDeployments.map((f) => `Deployment ${f.deployment} did not come up: ${f.reason}`)];
  const sla = slaOverride ?? (view.sla ? slaTierOf(view.sla) : undefined);
  if (sla) report.sla = sla;
  const ok = view.records.filter((r) => r.status === 'ok').length;
  // A sweep still running has not failed yet: say so, exit 0.
  const running = view.status === 'RUNNING';
  if (ok === 0 && running) io.err(`${view.workflowId}: running, no ok point yet (${view.records.length} recorded)\n`);
  if (ok === 0 && !running) {
    io.err(`${view.workflowId}: no ok point (${view.records.length} recorded, ${view.failedDeployments.length} deployment${view.failedDeployments.length === 1 ? '' : 's'} did not come up):\n`);
    for (const f of view.failedDeployments) io.err(`  deployment ${f.deployment}: ${f.reason}\n`);
    for (const r of view.records) io.err(`  ${r.pointId}: ${r.reason ?? 'no reason recorded'}\n`);
  }
  await emitResults(view.records, flags, report, io);
  if (ok === 0 && !running) throw new RunFailedError(`${view.workflowId} has no ok point: the run failed (reasons above)`);
}

function folderProblems(f: ImportResult['folders'][number]): string {
  return `${f.folder}: no valid point${f.problems.length > 0 ? `\n${f.problems.map((p) => `  ${p}`).join('\n')}` : ''}`;
}

function importHardwareFlags(o: ResultsCliOptions): ImportHardwareOptions {
  const h: ImportHardwareOptions = {};
  if (o.gpu !== undefined) {
    if (o.gpu.trim() === '') throw new BadInputError('--gpu: empty; give the GPU model, e.g. --gpu H200');
    h.gpu = o.gpu.trim();
  }
  if (o.gpusPerNode !== undefined) {
    const n = Number(o.gpusPerNode);
    if (!Number.isInteger(n) || n < 1) throw new BadInputError(`--gpus-per-node: "${o.gpusPerNode}" is not a positive whole number; give the GPUs of one node, e.g. --gpus-per-node 8`);
    h.gpusPerNode = n;
  }
  return h;
}

/** "vllm=0.11.0,nixl=0.6.1" → { vllm: "0.11.0", nixl: "0.6.1" }. */
function parseVersions(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const kv = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*([A-Za-z0-9][A-Za-z0-9.+_-]*)\s*$/.exec(part);
    if (!kv) throw new BadInputError(`--versions: "${part.trim()}" is not NAME=VERSION; give e.g. --versions vllm=0.11.0,nixl=0.6.1`);
    out[kv[1]!.toLowerCase()] = kv[2]!;
  }
  return out;
}
