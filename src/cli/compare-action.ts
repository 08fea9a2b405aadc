// `pdflow compare`: both runs' records (the results store first, Temporal while retained, as
// `results` reads them), compareRuns, then the table or JSON, the report folder with --out, and
// exit 1 on a regression. With --baseline last-good, A is the store's newest earlier ok run of B's sweep.
import type { Command } from 'commander';
import { compareRuns, comparisonForJson, type RunComparison } from '../analysis/compare.js';
import { renderCompareTerminal, type CompareNames } from '../analysis/compare-terminal.js';
import { BadInputError, CliError, RunFailedError } from './errors.js';
import { connectFlags } from './flags.js';
import { compareRequest, type CompareCliOptions, type CompareRequest } from './compare-flags.js';
import { runRecords, type RunRecordsSources, type RunRecordsView } from './run-records.js';
import { readerStore } from './store-flag.js';
import type { ResultsIo } from './results-flags.js';

/** One line: which run, and where its records were looked for (the store, Temporal). */
async function recordsOf(side: 'A' | 'B', id: string, src: RunRecordsSources): Promise<RunRecordsView> {
  try {
    return await runRecords(id, src);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    const lines = err.message.split('\n');
    // Temporal unreachable: its first line says so; the store's answer is on the "For <id>," line.
    const storeLine = lines.find((l) => l.startsWith(`For "${id}", `));
    const line = storeLine ? `no records of "${id}": ${storeLine.slice(`For "${id}", `.length).replace(/\.$/, '')}, and ${lines[0]}` : lines[0];
    throw new BadInputError(`${side}: ${line} (another store: --store PATH|URL)`);
  }
}

/** The store's newest earlier ok run of B's sweep; undefined when there is none. */
async function lastGood(b: string, src: RunRecordsSources): Promise<string | undefined> {
  const [run] = await src.store.findRuns(b);
  if (!run || run.sweep === '?') {
    throw new BadInputError(`--baseline last-good: "${b}" is not in the results store (${src.store.where}) with its sweep's name, so its earlier runs cannot be found; give the baseline run: pdflow compare BASELINE ${b}`);
  }
  return (await src.store.lastGoodRun(run.sweep, run.startedAt, run))?.workflowId;
}

/**
 * Compares the request's runs and prints; throws RunFailedError (exit 1) when B regressed. Returns
 * the comparison (undefined when --baseline found no earlier good run: nothing to compare, exit 0).
 */
export async function runCompare(req: CompareRequest, src: RunRecordsSources, io: ResultsIo): Promise<RunComparison | undefined> {
  const aId = req.a ?? (await lastGood(req.b, src));
  if (aId === undefined) {
    const [run] = await src.store.findRuns(req.b);
    const why = `no earlier run of sweep "${run!.sweep}" ended ok in the results store (${src.store.where}): nothing to compare ${req.b} with`;
    if (req.json) io.out(JSON.stringify({ a: null, b: req.b, verdict: 'none', reasons: [why] }, null, 2) + '\n');
    io.err(`${why}\n`);
    return undefined;
  }
  const a = await recordsOf('A', aId, src);
  const b = await recordsOf('B', req.b, src);
  for (const [side, v] of [['A', a], ['B', b]] as const) {
    if (v.status !== 'COMPLETED') io.err(`note: ${side} ${v.workflowId} is ${v.status.toLowerCase()}: ${v.records.length} records so far\n`);
  }
  const names: CompareNames = { a: a.workflowId, b: b.workflowId };
  const c = compareRuns(a.records, b.records, req.thresholdPct !== undefined ? { thresholdPct: req.thresholdPct } : {});
  io.out(req.json ? JSON.stringify(comparisonForJson(c, names), null, 2) + '\n' : renderCompareTerminal(c, names));
  if (req.out) {
    const { writeCompare } = await import('../analysis-io/write-compare.js');
    const written = await writeCompare(c, names, req.out);
    for (const w of written.warnings) io.err(`warning: ${w}\n`);
    const svgs = written.files.filter((f) => f.endsWith('.svg')).length;
    io.err(`wrote ${written.files.length} files to ${written.dir}: compare.md, compare.json and ${svgs} plot${svgs === 1 ? '' : 's'}\n`);
  }
  if (c.counts.matched === 0) {
    // Nothing in common (another cluster, another sweep, hardware facts recorded differently): never a silent pass.
    const hint = [...c.onlyInB, ...c.onlyInA].find((u) => u.differences?.length);
    throw new BadInputError(`${names.a} (${a.records.length} records) and ${names.b} (${b.records.length}) have no point in common (same hardware, deployment, workload and load): nothing compared${hint ? `; e.g. ${hint.record.pointId} differs in ${hint.differences!.join('; ')}` : ''}`);
  }
  if (c.verdict === 'regressed') {
    const frontiers = c.frontiers.filter((f) => f.verdict === 'regressed').length;
    throw new RunFailedError(`${names.b} regressed against ${names.a}: ${c.counts.regressed} point${c.counts.regressed === 1 ? '' : 's'} and ${frontiers} frontier${frontiers === 1 ? '' : 's'} beyond the thresholds (reasons above)`);
  }
  return c;
}

/** What `pdflow compare` does once its flags are parsed. */
export async function compareAction(ids: string[], o: CompareCliOptions, cmd: Command, io: ResultsIo): Promise<void> {
  const req = compareRequest(ids, o);
  const store = await readerStore(o.store);
  // One connection for both runs, made only when the store cannot answer alone.
  let client: ReturnType<RunRecordsSources['temporal']> | undefined;
  const temporal = () => (client ??= import('./connect.js').then((m) => m.connectClient(connectFlags(cmd))));
  try {
    await runCompare(req, { store, temporal }, io);
  } finally {
    await store.close();
  }
}
