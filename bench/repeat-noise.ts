// bench/repeat-noise: how much one benchmark point moves between repeats, the noise under which
// `pdflow compare` must not call a regression. The simulated perf model (src/sim/perf-model.ts)
// runs the same points with different seeds (a repeat on the same cluster); each result goes
// through the product's parse and record path, and the relative difference between every two
// seeds of a point is taken per compared metric, and per frontier (how far one seed's frontier
// falls short of or passes the other's, as compareRuns measures it). Prints p50 / p95 / max per metric, how compareRuns
// judges each pair of seeds with the default thresholds (the goal: none), the threshold the rule
// behind DEFAULT_THRESHOLD_PCT gives (the smallest 5% step at least 1.2 × the largest difference),
// and what repeat-like data the real fixtures hold.
// Run: npx tsx bench/repeat-noise.ts [--seeds 6]
import { simulateBenchBatch, type PerfDeployment } from '../src/sim/perf-model.js';
import { parseVllmBenchResult } from '../src/parse/vllm-bench.js';
import { pointFromBench } from '../src/analysis/metrics.js';
import type { BenchDeployment, BenchPointRecord } from '../src/analysis/records.js';
import { contentKeyOf } from '../src/analysis/content-key.js';
import { COMPARE_METRICS, DEFAULT_THRESHOLD_PCT, METRIC_INFO, compareRuns, type ThresholdName } from '../src/analysis/compare.js';
import { fixtureRecords } from '../test/unit/helpers/bench-fixtures.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const SEEDS = Number(arg('seeds', '6'));

const GPU = 'NVIDIA H100 80GB HBM3';
const pd = (mode: 'pd-pack' | 'pd-spread', p: [number, number], d: [number, number], transport: 'cuda_ipc' | 'srd'): { perf: PerfDeployment; dep: BenchDeployment } => ({
  perf: { mode, prefill: { num: p[0], tp: p[1] }, decode: { num: d[0], tp: d[1] }, transport, gpuModel: GPU },
  dep: {
    id: `${mode}-${p[0]}p-tp${p[1]}-${d[0]}d-tp${d[1]}`, name: `${p[0]}P-TP${p[1]}:${d[0]}D-TP${d[1]} ${mode}`, mode,
    prefill: { count: p[0], tp: p[1] }, decode: { count: d[0], tp: d[1] }, gpus: p[0] * p[1] + d[0] * d[1], backend: 'UCX',
  },
});
const co = (replicas: number, tp: number): { perf: PerfDeployment; dep: BenchDeployment } => ({
  perf: { mode: 'collocated', replicas, tp, gpuModel: GPU },
  dep: { id: `collocated-${replicas}x-tp${tp}`, name: `${replicas}xTP${tp} collocated`, mode: 'collocated', replicas: { count: replicas, tp }, gpus: replicas * tp },
});

// The fixtures' deployments (the seed's reference cluster) and the seed's loads and workloads.
const DEPLOYMENTS = [
  pd('pd-pack', [1, 4], [1, 4], 'cuda_ipc'), pd('pd-spread', [1, 4], [1, 4], 'srd'), pd('pd-pack', [1, 2], [2, 2], 'cuda_ipc'),
  pd('pd-pack', [1, 2], [1, 2], 'cuda_ipc'), co(4, 2), co(2, 4),
];
const CONCURRENCY = [4, 8, 16, 32, 48, 64];
const WORKLOADS = [{ isl: 5000, osl: 250 }, { isl: 8000, osl: 1000 }];
const HARDWARE = { gpuModel: GPU, gpusPerNode: 8, efaDevices: 32, source: 'cluster-file' as const };

async function runOfSeed(seed: number): Promise<BenchPointRecord[]> {
  const items = DEPLOYMENTS.flatMap((d) => WORKLOADS.flatMap((w) => CONCURRENCY.map((c) => ({ d, w, c }))));
  const results = await simulateBenchBatch(items.map(({ d, w, c }) => ({
    deployment: d.perf,
    workload: { isl: w.isl, osl: w.osl, numPrompts: 5 * c, maxConcurrency: c, seed, percentileMetrics: ['ttft', 'tpot', 'itl'], percentiles: [99] },
  })));
  return items.map(({ d, w, c }, i) => {
    const pointId = `${d.dep.id}/isl${w.isl}-osl${w.osl}/c${c}`;
    // The model returns the benchmark part of the result; the header is what the run was asked for.
    const json = { num_prompts: 5 * c, request_rate: null, max_concurrency: c, ...results[i] };
    const parsed = parseVllmBenchResult(JSON.stringify(json), pointId);
    const r = pointFromBench(parsed, {
      pointId, deployment: d.dep, workload: { ...w, mode: 'mixed' }, load: { concurrency: c, numPrompts: 5 * c }, timings: { startedAt: new Date(0).toISOString(), durationSec: parsed.duration },
      versions: { vllm: '0.11.0', nixl: '0.6.1' },
    });
    return { ...r, hardware: HARDWARE, model: 'openai/gpt-oss-120b' };
  });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
}
const pct = (x: number) => `${x.toFixed(2)}%`;

async function main() {
  const t0 = Date.now();
  const runs: BenchPointRecord[][] = [];
  for (let s = 0; s < SEEDS; s++) runs.push(await runOfSeed(s));
  const points = runs[0]!.length;
  console.log(`${DEPLOYMENTS.length} deployments × ${WORKLOADS.length} workloads × ${CONCURRENCY.length} loads = ${points} points, ${SEEDS} seeds (${((Date.now() - t0) / 1000).toFixed(1)} s of simulation)`);

  const diffs: Record<ThresholdName, number[]> = { outputThroughputPerGpu: [], ttftMedianMs: [], ttftP99Ms: [], tpotMedianMs: [], frontier: [] };
  const verdicts: Record<string, number> = {};
  let pairs = 0;
  for (let i = 0; i < SEEDS; i++) {
    for (let j = i + 1; j < SEEDS; j++) {
      pairs++;
      const c = compareRuns(runs[i]!, runs[j]!);
      verdicts[c.verdict] = (verdicts[c.verdict] ?? 0) + 1;
      for (const p of c.points) for (const d of p.deltas) if (d.deltaPct !== null) diffs[d.metric].push(Math.abs(d.deltaPct));
      // Each frontier's shortfall and gain (what judges a frontier), both ways.
      for (const f of c.frontiers) for (const x of [f.shortfallPct, f.gainPct]) if (x !== null) diffs.frontier.push(Math.abs(x));
      if (c.verdict !== 'none') for (const r of c.reasons.slice(0, 3)) console.log(`  seeds ${i} vs ${j}: ${r}`);
    }
  }
  console.log('');
  console.log('| metric | differences | p50 |Δ| | p95 |Δ| | max |Δ| | rule: 5% steps ≥ 1.2 × max | default threshold |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const m of [...COMPARE_METRICS, 'frontier'] as ThresholdName[]) {
    const xs = diffs[m];
    const label = m === 'frontier' ? 'frontier: shortfall / gain (both axes)' : METRIC_INFO[m].label;
    const rule = Math.max(5, Math.ceil((1.2 * Math.max(...xs)) / 5) * 5);
    console.log(`| ${label} | ${xs.length} | ${pct(quantile(xs, 0.5))} | ${pct(quantile(xs, 0.95))} | ${pct(Math.max(...xs))} | ${rule}% | ${DEFAULT_THRESHOLD_PCT[m]}% |`);
  }
  console.log('');
  console.log(`compareRuns with the default thresholds over ${pairs} pairs of seeds: ${Object.entries(verdicts).map(([v, n]) => `${v} ${n}`).join(', ')}`);
  for (const m of [...COMPARE_METRICS, 'frontier'] as ThresholdName[]) {
    const over = diffs[m].filter((x) => x > DEFAULT_THRESHOLD_PCT[m]).length;
    console.log(`  ${m}: ${over} of ${diffs[m].length} differences above the default ${DEFAULT_THRESHOLD_PCT[m]}%`);
  }

  // Real repeats: records of the fixtures with the same content key (with and without versions).
  const real = fixtureRecords();
  for (const withVersions of [true, false]) {
    const byKey = new Map<string, string[]>();
    for (const r of real) byKey.set(contentKeyOf(r, { withVersions }), [...(byKey.get(contentKeyOf(r, { withVersions })) ?? []), r.pointId]);
    const repeats = [...byKey.values()].filter((ids) => ids.length > 1);
    console.log(`\nreal fixtures (shared/fixtures/vllm-bench-0.11): ${real.length} records, ${byKey.size} distinct content keys ${withVersions ? 'with' : 'without'} versions, ${repeats.length} keys measured more than once${repeats.length ? `: ${repeats.map((ids) => ids.join(' = ')).join('; ')}` : ' (no repeat data)'}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
