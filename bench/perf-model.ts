// bench/perf-model: the simulator's performance model (src/sim/pypkgs/pdflow-sim/pdflow_sim/perf_model.py)
// against the real vLLM 0.11 results in the shared fixtures (gpt-oss-120b, 2x p5.48xlarge H100,
// ISL 5000 / OSL 250; the folder name tells the deployment). For every point it runs the model on
// the same workload and compares output throughput, mean/median/p99 TTFT, mean/median TPOT and
// mean ITL. Prints, as median |model/real - 1|:
//   1. per config and overall, with the shipped calibration, split in range / overload
//      (conc128 and rr16 are past what the seed's sweeps measure);
//   2. in-sample vs leave-one-config-out (LOO): the calibrated constants refitted on all configs,
//      and for each config refitted on the other configs only, that config then scored with them.
//      Every fit starts from the same physics prior (PRIOR below) with the same pattern search;
//   3. with --external DIR (a checkout of anyscale/ray-serve-llm-perf-examples'
//      prefill_decode/archive/bm_results_snapshot): the shipped calibration on the archive's other
//      configs (mixed TP, other P:D ratios, TP8, H200), which no fit has seen.
// Run: npx tsx bench/perf-model.ts [--jobs 2] [--no-loo] [--points] [--external DIR] [--fixtures DIR]
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { perfCalibration, simulateBenchBatch, type PerfBenchResult, type PerfCalibration } from '../src/sim/perf-model.js';
import { sharedFixturesDir } from '../test/unit/helpers/fixtures.js';
import { METRICS, SHORT, patternSearch, isOverload, loss, median, parseResultFolder, relError, type Bounds, type Metric, type RealPoint } from './perf-model-fit.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const JOBS = Math.max(1, Number(arg('jobs', '2')));
const FIXTURES = path.join(arg('fixtures', sharedFixturesDir()), 'vllm-bench-0.11');
const EXTERNAL = arg('external', '');

/** Where every fit starts: values from the model's physics (datasheet-level efficiencies), not from the data. */
const PRIOR: Required<PerfCalibration> = {
  decode_overhead_ms: 3.4, hbm_efficiency: 0.8, knee_ms: 0.8, prefill_mfu: 0.45, ingress_ms: 72, pd_proxy_ms: 40, collocated_prefill_efficiency: 0.9,
};
/**
 * Configs left out of every fit: the broken network's numbers are its link's (tens of seconds of
 * KV transfer), which no calibrated constant moves; fitting on them only costs time. They are
 * still scored, in-sample and LOO, with the constants fitted on the others.
 */
const NOT_FITTED = /-spread-ucx$/;
const FIT: Array<keyof PerfCalibration> = ['decode_overhead_ms', 'hbm_efficiency', 'knee_ms', 'prefill_mfu', 'ingress_ms', 'pd_proxy_ms', 'collocated_prefill_efficiency'];

function loadPoints(root: string, only?: (name: string) => boolean): RealPoint[] {
  const out: RealPoint[] = [];
  for (const config of readdirSync(root).sort()) {
    if (only && !only(config)) continue;
    const parsed = parseResultFolder(config);
    if (!parsed) continue;
    const files = readdirSync(path.join(root, config)).filter((f) => /^(conc\d+|conc\d+_rr\d+|rr\d+)\.json$/.test(f));
    files.sort((a, b) => a.length - b.length || a.localeCompare(b));
    for (const file of files) {
      const real = JSON.parse(readFileSync(path.join(root, config, file), 'utf8')) as Record<string, unknown>;
      if (typeof real.num_prompts !== 'number' || !(Number(real.completed) > 0)) continue;
      out.push({ config, file, ...parsed, real, overload: isOverload(file) });
    }
  }
  return out;
}

const numOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Model results by calibration and point: the folds' searches share their first candidates. */
const cache = new Map<string, Promise<PerfBenchResult>>();
let runs = 0;

async function model(points: RealPoint[], calibration?: PerfCalibration): Promise<PerfBenchResult[]> {
  const key = (p: RealPoint) => `${JSON.stringify(calibration ?? null)}|${p.config}/${p.file}`;
  const todo = points.filter((p) => !cache.has(key(p)));
  if (todo.length) {
    runs += 1;
    const batch = simulateBenchBatch(todo.map((p) => ({
      deployment: p.deployment,
      workload: {
        isl: p.isl, osl: p.osl, numPrompts: p.real.num_prompts as number,
        maxConcurrency: numOrNull(p.real.max_concurrency), requestRate: numOrNull(p.real.request_rate), seed: 0,
      },
    })), { calibration, timeoutMs: 600_000 });
    todo.forEach((p, i) => cache.set(key(p), batch.then((r) => r[i]!)));
  }
  return Promise.all(points.map((p) => cache.get(key(p))!));
}

/** Runs async tasks at most `n` at a time (the model is a CPU-bound python process each). */
async function pool<T>(tasks: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  }));
  return out;
}

type Errors = Array<Record<Metric, number>>;
const errorsOf = (sims: PerfBenchResult[], points: RealPoint[]): Errors =>
  sims.map((s, i) => Object.fromEntries(METRICS.map((k) => [k, relError(s, points[i]!.real, k)])) as Record<Metric, number>);

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-');
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

function row(label: string, errs: Errors, width = 44): string {
  return pad(label, width) + lpad(String(errs.length), 4) + METRICS.map((k) => lpad(pct(median(errs.map((e) => e[k]))), 8)).join('');
}
const header = (label: string, width = 44) => pad(label, width) + lpad('n', 4) + METRICS.map((k) => lpad(SHORT[k], 8)).join('');

/** --points: every point's model and real values (the figures behind the medians). */
function printPoints(points: RealPoint[], sims: PerfBenchResult[]): void {
  if (!flag('points')) return;
  for (const [i, p] of points.entries()) {
    const cells = METRICS.map((k) => `${SHORT[k]} ${Number(sims[i]![k]).toFixed(k.endsWith('tpot_ms') || k === 'mean_itl_ms' ? 1 : 0)}/${Number(p.real[k]).toFixed(k.endsWith('tpot_ms') || k === 'mean_itl_ms' ? 1 : 0)}`);
    console.log(`  ${pad(`${p.config.replace(/^gptoss_/, '')}/${p.file.replace(/\.json$/, '')}`, 58)} ${cells.join('  ')}`);
  }
}

function printTable(title: string, points: RealPoint[], errs: Errors): void {
  console.log(`\n${title} (median |model/real - 1|)`);
  console.log(header('config'));
  for (const config of [...new Set(points.map((p) => p.config))]) {
    const idx = points.map((p, i) => (p.config === config ? i : -1)).filter((i) => i >= 0);
    console.log(row(config.replace(/^gptoss_/, ''), idx.map((i) => errs[i]!)));
  }
  console.log(row('ALL', errs));
  console.log(row('  in range', errs.filter((_, i) => !points[i]!.overload)));
  console.log(row('  overload (conc128, rr16)', errs.filter((_, i) => points[i]!.overload)));
}

const fmtCal = (c: PerfCalibration) => Object.entries(c).map(([k, v]) => `${k}=${Number(v.toPrecision(3))}`).join(' ');

const t0 = Date.now();
const points = loadPoints(FIXTURES);
const configs = [...new Set(points.map((p) => p.config))];
console.log(`bench/perf-model: ${points.length} real points in ${configs.length} configs from ${FIXTURES}`);
const { values: shipped, bounds } = await perfCalibration();
console.log(`shipped calibration: ${fmtCal(shipped)}`);

const shippedSims = await model(points);
const shippedErrs = errorsOf(shippedSims, points);
printPoints(points, shippedSims);
printTable('1. shipped calibration vs real', points, shippedErrs);

if (!flag('no-loo')) {
  const fit = async (all: RealPoint[]) => {
    const train = all.filter((p) => !NOT_FITTED.test(p.config));
    return patternSearch(PRIOR, FIT, bounds as Bounds, async (c) => loss(await model(train, c), train));
  };
  const folds: Array<{ heldOut: string | null; train: RealPoint[] }> = [{ heldOut: null, train: points }, ...configs.map((c) => ({ heldOut: c, train: points.filter((p) => p.config !== c) }))];
  const fits = await pool(folds.map((f) => () => fit(f.train)), JOBS);
  const inSample = fits[0]!;
  const inErrs = errorsOf(await model(points, inSample.calibration), points);
  const looErrs: Errors = new Array(points.length);
  console.log(`\n2. refits from the prior (${fmtCal(PRIOR)}): ${fits.reduce((a, f) => a + f.evaluations, 0)} evaluations, ${runs} model runs`);
  console.log(`   all configs       -> ${fmtCal(inSample.calibration)} (loss ${inSample.loss.toFixed(3)})`);
  await pool(configs.map((c, k) => async () => {
    const f = fits[k + 1]!;
    console.log(`   without ${pad(c.replace(/^gptoss_itl5000_otl250_/, ''), 26)} -> ${fmtCal(f.calibration)}`);
    const idx = points.map((p, i) => (p.config === c ? i : -1)).filter((i) => i >= 0);
    const held = idx.map((i) => points[i]!);
    const errs = errorsOf(await model(held, f.calibration), held);
    idx.forEach((i, j) => { looErrs[i] = errs[j]!; });
  }), JOBS);
  printTable('   in-sample (refit on all configs)', points, inErrs);
  printTable('   leave-one-config-out (each config scored with constants fitted without it)', points, looErrs);
  console.log('\n   per metric: shipped | in-sample | LOO, median |error| (in range / overload)');
  const split = (errs: Errors, k: Metric, over: boolean) => pct(median(errs.filter((_, i) => points[i]!.overload === over).map((e) => e[k])));
  for (const k of METRICS) {
    console.log(`   ${pad(k, 18)} ${[shippedErrs, inErrs, looErrs].map((e) => `${lpad(pct(median(e.map((x) => x[k]))), 4)} (${split(e, k, false)}/${split(e, k, true)})`).join(' | ')}`);
  }
}

if (EXTERNAL) {
  if (!existsSync(EXTERNAL)) throw new Error(`--external ${EXTERNAL}: no such folder (a checkout of anyscale/ray-serve-llm-perf-examples' prefill_decode/archive/bm_results_snapshot)`);
  const fixtureConfigs = new Set(configs);
  const ext = loadPoints(EXTERNAL, (name) => !fixtureConfigs.has(name)).filter((p) => p.isl > 1 && p.osl > 1);
  const extSims = await model(ext);
  const extErrs = errorsOf(extSims, ext);
  printPoints(ext, extSims);
  printTable(`3. external (not fitted on): ${ext.length} points, shipped calibration`, ext, extErrs);
  const h200 = ext.map((p, i) => (p.deployment.gpuModel ? i : -1)).filter((i) => i >= 0);
  if (h200.length) console.log(row('  H200 points', h200.map((i) => extErrs[i]!)));
}
console.log(`\nbench/perf-model: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
