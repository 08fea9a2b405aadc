// Energy, power, throttling and EFA bytes from GPU samples; tokens per joule, cost per million
// output tokens and the throttle flag on records; the CSV columns and the report section.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  benchWindowOf, buildResultsSummary, costPerMillionOutputTokensUsd, counterGrowth, CSV_COLUMNS, deploymentHourlyUsd, gpusByNodeOf,
  outputTokensPerJoule, renderMarkdown, summarizeGpuSamples, toCsv, trapezoid, withGpuSummary,
  type BenchPointRecord, type GpuSamplingSummary,
} from '../../src/analysis/index.js';
import { parseGpuSamples } from '../../src/parse/gpu-samples.js';
import { parseClusterYaml, validateCluster, validateSweep, type ClusterInput } from '../../src/config/index.js';
import { planSweep } from '../../src/plan/index.js';
import { fixtureRecords, PACK } from './helpers/bench-fixtures.js';

const root = path.resolve(import.meta.dirname, '../..');
const T0 = 1733400000000;
const fixture = parseGpuSamples(readFileSync(path.join(root, 'test/fixtures/node-outputs/gpu-samples/h100-pd-spread-prefill.csv'), 'utf8'), 'gpu-1');
const close = (a: number | undefined, b: number, eps = 1e-6) => assert.ok(a !== undefined && Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

/** A sample file from (ms offset, gpu, power, reasons) rows. */
function file(node: string, rows: Array<[number, number, number | null, string]>, efa: Array<[number, string, string, string]> = []): string {
  return [
    'meta,0,gpu_fields,timestamp;index;utilization.gpu;memory.used;power.draw;clocks.sm;clocks_event_reasons.active',
    ...rows.map(([t, i, w, r]) => `gpu,${T0 + t},2024/12/05 12:00:00.000, ${i}, 50, 1000, ${w === null ? '[N/A]' : w}, 1980, ${r}`),
    ...efa.map(([t, d, rx, tx]) => `efa,${T0 + t},${d},${rx},${tx}`),
  ].join('\n');
}

describe('counterGrowth', () => {
  const U64 = 1n << 64n;
  const cases: Array<[string, bigint[], bigint]> = [
    ['steady', [10n, 20n, 35n], 25n],
    ['one sample', [7n], 0n],
    ['reset to a small value (driver reload): the new value counts from 0', [100n, 150n, 30n, 80n], 50n + 30n + 50n],
    ['wrap past 2^64', [U64 - 10n, 5n, 25n], 15n + 20n],
    ['beyond 2^53, exact', [9007199254740993n, 9007199254741993n], 1000n],
  ];
  for (const [name, values, want] of cases) {
    it(name, () => {
      const g = counterGrowth(values.map((value, i) => ({ tMs: i * 1000, value })));
      assert.equal(g.at(-1)!.total, want);
    });
  }
  it('sorts by time first', () => assert.equal(counterGrowth([{ tMs: 2, value: 30n }, { tMs: 1, value: 10n }]).at(-1)!.total, 20n));
});

describe('trapezoid', () => {
  const cases: Array<[string, Array<{ t: number; v: number }>, number]> = [
    ['constant 100 W for 2 s', [{ t: 0, v: 100 }, { t: 2000, v: 100 }], 200],
    ['a ramp 0 → 200 W over 1 s', [{ t: 0, v: 0 }, { t: 1000, v: 200 }], 100],
    ['uneven steps', [{ t: 0, v: 100 }, { t: 500, v: 300 }, { t: 2500, v: 100 }], 100 + 400],
    ['one point', [{ t: 0, v: 100 }], 0],
  ];
  for (const [name, pts, want] of cases) it(name, () => close(trapezoid(pts), want));
});

describe('summarizeGpuSamples on the p5 fixture', () => {
  const s = summarizeGpuSamples([fixture]);
  it('integrates each GPU\'s power over time, bridging the [N/A] sample', () => {
    assert.equal(s.gpus, 2);
    assert.equal(s.samples, 12);
    // GPU0: trapezoids of 124.61 612.45 598.30 601.10 605.12 130.20 at 1 s steps.
    close(s.perGpu[0]!.energyJ!, 368.53 + 605.375 + 599.7 + 603.11 + 367.66);
    close(s.perGpu[0]!.meanPowerW!, (368.53 + 605.375 + 599.7 + 603.11 + 367.66) / 5);
    // GPU1: 121.08 588.91 593.47 [N/A] 596.02 127.33: the gap is one 2 s trapezoid.
    close(s.perGpu[1]!.energyJ!, 354.995 + 591.19 + 1189.49 + 361.675);
    close(s.energyJ!, s.perGpu[0]!.energyJ! + s.perGpu[1]!.energyJ!);
    close(s.meanPowerW!, s.perGpu[0]!.meanPowerW! + s.perGpu[1]!.meanPowerW!);
    close(s.seconds, 5);
  });
  it('reports utilization, memory, no throttling (GPU idle is not throttling) and the skipped lines', () => {
    close(s.meanUtilPct!, 793 / 12);
    assert.equal(s.maxMemoryUsedMiB, 74321);
    assert.equal(s.throttled, false);
    assert.deepEqual(s.throttleReasons, []);
    assert.equal(s.skippedLines, 2);
  });
  it('counts EFA bytes as counter growth per device, through a reset', () => {
    assert.equal(s.efaRxBytes, 5 * 2_000_000_000 + (2e9 + 2e9 + 1.5e9 + 2e9 + 2e9));
    assert.equal(s.efaTxBytes, 5 * 8_000_000 + (1000 + 1000 + 400 + 1000 + 1000));
    assert.equal(s.efaDevices, 2);
  });
  it('p95 of the summed power lies between the busy sums', () => {
    assert.ok(s.p95PowerW! > 1180 && s.p95PowerW! <= 612.45 + 596.02 + 1e-9, String(s.p95PowerW));
  });
  it('a window keeps only the benchmark\'s time, interpolating at its edges', () => {
    const w = summarizeGpuSamples([fixture], { window: { startMs: T0 + 1105, endMs: T0 + 3105 } });
    close(w.perGpu[0]!.energyJ!, 605.375 + 599.7);
    close(w.perGpu[0]!.meanPowerW!, (605.375 + 599.7) / 2);
    assert.equal(w.perGpu[0]!.samples, 3);
    // rdmap79s0 grows 2 GB/s; rdmap80s0 2 GB/s with its reset bringing 1.5 GB in the second between 2012 and 3012.
    close(w.efaRxBytes!, 4e9 + (5.5e9 + 0.093 * 2e9) - (2e9 + 0.093 * 2e9), 1e-9);
  });
  const edges: Array<[string, number, number, number]> = [
    ['a window a little wider than the samples holds the edge values', -500, 1500, 200],
    ['a window starting far before the first sample counts from that sample', -5000, 1000, 100],
    ['a window inside one interval interpolates both edges', 250, 750, 50],
  ];
  for (const [name, from, to, joules] of edges) {
    it(name, () => {
      const f = parseGpuSamples(`meta,0,interval_ms,1000\n${file('n', [[0, 0, 100, '0x0'], [1000, 0, 100, '0x0']])}`, 'n');
      close(summarizeGpuSamples([f], { window: { startMs: T0 + from, endMs: T0 + to } }).energyJ!, joules);
    });
  }
  it('only the deployment\'s GPUs count', () => {
    const one = summarizeGpuSamples([fixture], { gpusByNode: { 'gpu-1': [1] } });
    assert.equal(one.gpus, 1);
    assert.equal(one.perGpu[0]!.index, 1);
    close(one.energyJ!, 354.995 + 591.19 + 1189.49 + 361.675);
  });
});

describe('throttling', () => {
  const cases: Array<[string, string[], boolean, string[]]> = [
    ['idle, application clocks, sync boost, display: not throttling', ['0x0000000000000001', '0x0000000000000002', '0x0000000000000010', '0x0000000000000100'], false, []],
    ['SW power cap (at the power limit: a busy GPU, counted apart)', ['0x0000000000000000', '0x0000000000000004'], false, []],
    ['HW slowdown with HW thermal', ['0x0000000000000048'], true, ['hw_slowdown', 'hw_thermal_slowdown']],
    ['SW thermal and HW power brake, with idle set too', ['0x00000000000000A1'], true, ['hw_power_brake_slowdown', 'sw_thermal_slowdown']],
    ['[N/A] reasons: unknown, not throttling', ['[N/A]'], false, []],
  ];
  for (const [name, masks, throttled, reasons] of cases) {
    it(name, () => {
      const s = summarizeGpuSamples([parseGpuSamples(file('n', masks.map((m, k) => [k * 1000, 0, 300, m])), 'n')]);
      assert.equal(s.throttled, throttled);
      assert.deepEqual(s.throttleReasons, reasons);
      assert.equal(s.throttledSamples, throttled ? masks.filter((m) => (parseInt(m, 16) & 0xe8) !== 0).length : 0);
      assert.equal(s.powerCappedSamples, masks.filter((m) => (parseInt(m, 16) & 0x4) !== 0).length);
    });
  }
  it('a real H100 under a full-power bf16 matmul (fixtures/node-outputs/h100-device): ~700 W at the power cap, not throttling', () => {
    const real = parseGpuSamples(readFileSync(new URL('../fixtures/node-outputs/h100-device/gpu-samples.csv', import.meta.url), 'utf8'), 'h100');
    const all = summarizeGpuSamples([real]);
    assert.equal(all.throttled, false);
    assert.ok(all.powerCappedSamples >= 10, `${all.powerCappedSamples} samples at the cap`);
    // The matmul's window: the samples at 100% utilization.
    const busy = real.gpu.filter((g) => g.utilPct === 100).map((g) => g.tMs);
    const load = summarizeGpuSamples([real], { window: { startMs: Math.min(...busy), endMs: Math.max(...busy) } });
    assert.ok(load.meanPowerW! > 600 && load.meanPowerW! <= 701, `${load.meanPowerW} W`);
    assert.ok(all.meanPowerW! < load.meanPowerW!, 'idle samples lower the whole-file mean');
    assert.equal(load.maxMemoryUsedMiB, 1139);
  });
});

describe('summed power across nodes sampled at different instants', () => {
  const a = parseGpuSamples(file('a', [[0, 0, 100, '0x0'], [1000, 0, 100, '0x0'], [2000, 0, 100, '0x0']]), 'a');
  const b = parseGpuSamples(file('b', [[500, 0, 200, '0x0'], [1500, 0, 400, '0x0'], [2500, 0, 400, '0x0']]), 'b');
  const s = summarizeGpuSamples([a, b]);
  it('interpolates each GPU at the others\' times, over the time both cover', () => {
    // Times 500..2000: a = 100; b = 200 @500, 300 @1000, 400 @1500, 400 @2000 → sums 300 400 500 500.
    close(s.p95PowerW!, 500);
    close(s.meanPowerW!, 100 + 300 * 0.5 + 400 * 0.5 + 0, 1e-9);
  });
});

describe('records: cost, tokens per joule, the throttle flag', () => {
  const p5r = parseClusterYaml(readFileSync(path.join(root, 'examples/cluster-p5.yaml'), 'utf8'), 'cluster-p5.yaml');
  if (!p5r.ok) throw new Error('examples/cluster-p5.yaml is invalid');
  const priced = (prices: Record<string, number>) => {
    const c = structuredClone(p5r.value) as unknown as ClusterInput;
    for (const n of c.nodes) if (prices[n.name] !== undefined) n.pricing = { hourlyUsd: prices[n.name]! };
    const v = validateCluster(c, 'c.yaml');
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    return v.value;
  };
  const sweep = validateSweep({
    name: 's', model: { id: 'openai/gpt-oss-120b', servedName: 'gptoss' }, workloads: [{ isl: 5000, osl: 250 }], load: { concurrency: [16] },
    deployments: [
      { mode: 'pd-pack', prefill: { count: [1], tp: [2] }, decode: { count: [1], tp: [4] } },
      { mode: 'pd-spread', prefill: { count: [1], tp: [8] }, decode: { count: [1], tp: [8] } },
    ],
  }, 's.yaml');
  if (!sweep.ok) throw new Error(JSON.stringify(sweep.issues));
  const plan = planSweep(priced({}), sweep.value);
  const pack = plan.deployments.find((d) => d.mode === 'pd-pack')!;
  const spread = plan.deployments.find((d) => d.mode === 'pd-spread')!;

  it('gpusByNodeOf: the placement\'s GPUs per node', () => {
    assert.deepEqual(Object.values(gpusByNodeOf(pack)).map((g) => g.length), [6]);
    assert.deepEqual(Object.values(gpusByNodeOf(spread)).map((g) => g.length), [8, 8]);
  });
  const hourly: Array<[string, Record<string, number>, 'pack' | 'spread', number | undefined]> = [
    ['6 of 8 GPUs of a $80/h node', { 'gpu-1': 80, 'gpu-2': 80 }, 'pack', 60],
    ['two whole nodes at different prices', { 'gpu-1': 80, 'gpu-2': 100 }, 'spread', 180],
    ['the head\'s price is not charged', { head: 5, 'gpu-1': 80, 'gpu-2': 80 }, 'spread', 160],
    ['a node without a price: no cost', { 'gpu-1': 80 }, 'spread', undefined],
    ['no prices', {}, 'pack', undefined],
  ];
  for (const [name, prices, which, want] of hourly) {
    it(`deploymentHourlyUsd: ${name}`, () => {
      const got = deploymentHourlyUsd(priced(prices), which === 'pack' ? pack : spread);
      if (want === undefined) assert.equal(got, undefined);
      else close(got, want);
    });
  }

  const base = fixtureRecords([PACK])[0]!;
  const summary = (over: Partial<GpuSamplingSummary> = {}): GpuSamplingSummary => ({ ...summarizeGpuSamples([fixture]), samplesPaths: ['/runs/x/results/p.gpu-gpu-1.csv'], ...over });

  it('outputTokensPerJoule and costPerMillionOutputTokensUsd', () => {
    const tps = base.metrics!.outputThroughput;
    const r = withGpuSummary(base, summary({ meanPowerW: 4000 }), 72);
    close(outputTokensPerJoule(r)!, tps / 4000);
    close(costPerMillionOutputTokensUsd(r)!, 72 / 3600 / tps * 1e6);
    assert.equal(outputTokensPerJoule(base), undefined);
    assert.equal(costPerMillionOutputTokensUsd(base), undefined);
  });
  it('withGpuSummary keeps the compact summary, the price and no flag when nothing throttled', () => {
    const r = withGpuSummary(base, summary(), 72);
    assert.equal(r.gpu!.gpus, 2);
    assert.deepEqual(r.gpu!.samplesPaths, ['/runs/x/results/p.gpu-gpu-1.csv']);
    assert.equal(r.hourlyUsd, 72);
    assert.equal('perGpu' in r.gpu!, false);
    assert.deepEqual(r.flags ?? [], base.flags ?? []);
    assert.equal(base.gpu, undefined, 'the input is not changed');
  });
  it('a throttled point is flagged suspect, naming the reasons', () => {
    const r = withGpuSummary(base, summary({ throttled: true, throttleReasons: ['hw_thermal_slowdown'], throttledSamples: 3 }));
    const f = r.flags!.find((x) => x.kind === 'suspect')!;
    assert.match(f.reason, /hw_thermal_slowdown in 3 of 12 samples/);
  });
  it('no samples: no gpu field; a non-positive price is ignored', () => {
    const r = withGpuSummary(base, summary({ samples: 0, efaRxBytes: undefined }), 0);
    assert.equal(r.gpu, undefined);
    assert.equal(r.hourlyUsd, undefined);
  });
  it('benchWindowOf: the last vLLM-duration seconds of the activity, never before it', () => {
    const t = { startedAt: '2024-12-05T12:00:00.000Z', durationSec: 100 };
    const start = Date.parse(t.startedAt);
    assert.deepEqual(benchWindowOf({ timings: t, metrics: { ...base.metrics!, durationSec: 90 } }), { startMs: start + 10_000, endMs: start + 100_000 });
    assert.deepEqual(benchWindowOf({ timings: t, metrics: { ...base.metrics!, durationSec: 500 } }), { startMs: start, endMs: start + 100_000 });
    assert.deepEqual(benchWindowOf({ timings: t }), { startMs: start, endMs: start + 100_000 });
  });

  it('the CSV ends with the energy and cost columns', () => {
    assert.deepEqual(CSV_COLUMNS.slice(-8), ['energy_j', 'mean_power_w', 'p95_power_w', 'tokens_per_joule', 'cost_per_mtok_usd', 'efa_rx_bytes', 'efa_tx_bytes', 'throttled']);
    const r = withGpuSummary(base, summary(), 72);
    const cells = toCsv([r, base]).trimEnd().split('\n').map((l) => l.split(','));
    const last8 = cells[1]!.slice(-8);
    close(Number(last8[0]), r.gpu!.energyJ!);
    close(Number(last8[3]), outputTokensPerJoule(r)!);
    close(Number(last8[4]), costPerMillionOutputTokensUsd(r)!);
    assert.deepEqual(last8.slice(5), [String(r.gpu!.efaRxBytes), String(r.gpu!.efaTxBytes), 'false']);
    assert.deepEqual(cells[2]!.slice(-8), ['', '', '', '', '', '', '', '']);
  });

  it('the report: an "Energy and cost" section only with data, and a throttled point never best', () => {
    const records = fixtureRecords([PACK]);
    assert.ok(!renderMarkdown(buildResultsSummary(records)).includes('## Energy and cost'));
    // The best point of each tier, throttled: it must give way to the next one.
    const first = buildResultsSummary(records);
    const best = first.workloads[0]!.tiers.map((t) => t.best?.pointId).filter((x): x is string => !!x);
    assert.ok(best.length > 0);
    const marked: BenchPointRecord[] = records.map((r) => withGpuSummary(r, summary(best.includes(r.pointId) ? { throttled: true, throttleReasons: ['hw_thermal_slowdown'], throttledSamples: 1 } : {}), 72));
    const s = buildResultsSummary(marked);
    for (const t of s.workloads[0]!.tiers) assert.ok(!t.best || !best.includes(t.best.pointId), `${t.tier.name} crowned a throttled point`);
    assert.ok(s.workloads[0]!.tiers.some((t) => t.best), 'another point is best instead');
    assert.equal(s.flagged.length, best.length === 0 ? 0 : new Set(best).size);
    const md = renderMarkdown(s);
    assert.ok(md.includes('\n## Energy and cost\n'));
    assert.ok(md.includes('⚠ hw_thermal_slowdown'));
    assert.ok(md.includes('out tok/J'));
  });
});
