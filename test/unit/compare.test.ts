// compareRuns: points matched by content key without versions, per-point and per-frontier changes,
// regressions only beyond the thresholds, flagged points never improvements, unmatched points
// listed with what differs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, comparisonForJson, DEFAULT_THRESHOLD_PCT, type RunComparison, type Verdict } from '../../src/analysis/compare.js';
import { compareFrontiers, type FrontierPoint } from '../../src/analysis/compare-frontier.js';
import type { BenchPointRecord } from '../../src/analysis/records.js';
import { fixtureRecords, PACK, PD_1P2_2D2, SPREAD_UCX120 } from './helpers/bench-fixtures.js';

const HW = { gpuModel: 'NVIDIA H100 80GB HBM3', gpusPerNode: 8, efaDevices: 32, source: 'cluster-file' as const };

/** A point of deployment `dep` (1..3) at concurrency `c`, with a throughput / latency shape that makes a frontier. */
function point(dep: number, c: number): BenchPointRecord {
  const tpot = 5 + c * 0.12 * dep;
  const perGpu = (c * 1000) / tpot / (4 * dep);
  return {
    pointId: `d${dep}/isl5000-osl250/c${c}`,
    deployment: { id: `d${dep}`, name: `${dep}xTP4 collocated`, mode: 'collocated', replicas: { count: dep, tp: 4 }, gpus: 4 * dep },
    workload: { isl: 5000, osl: 250, mode: 'mixed' },
    load: { concurrency: c, numPrompts: 5 * c },
    status: 'ok',
    metrics: {
      completed: 5 * c, durationSec: 30, requestThroughput: 1, outputThroughput: perGpu * 4 * dep, totalThroughput: perGpu * 84 * dep,
      outputThroughputPerGpu: perGpu, totalThroughputPerGpu: perGpu * 21,
      ttftMs: { mean: 220 + c, median: 200 + c, p99: 600 + 10 * c }, tpotMs: { mean: tpot, median: tpot }, interactivity: 1000 / tpot,
    },
    versions: { vllm: '0.11.0', nixl: '0.6.1' },
    hardware: HW,
    model: 'openai/gpt-oss-120b',
    timings: { startedAt: '2026-12-01T10:00:00.000Z', durationSec: 30 },
    attempt: 1,
  };
}

const RUN: BenchPointRecord[] = [1, 2, 3].flatMap((d) => [4, 16, 64].map((c) => point(d, c)));

/** The run again, as another run would record it (new timings), with `edit` applied to every point it selects. */
function rerun(edit: (r: BenchPointRecord) => void = () => {}, which: (r: BenchPointRecord) => boolean = () => true): BenchPointRecord[] {
  return RUN.map((r) => {
    const c = structuredClone(r);
    c.timings = { startedAt: '2026-12-02T10:00:00.000Z', durationSec: 31 };
    if (which(c)) edit(c);
    return c;
  });
}

/** TPOT × f (interactivity follows), throughput per GPU ÷ f: what a slower decode does. */
const slowerTpot = (f: number) => (r: BenchPointRecord) => {
  const m = r.metrics!;
  m.tpotMs = { mean: m.tpotMs.mean * f, median: m.tpotMs.median * f };
  m.interactivity = 1000 / m.tpotMs.median;
  m.outputThroughputPerGpu /= f;
};
const scaleTtft = (f: number) => (r: BenchPointRecord) => {
  const t = r.metrics!.ttftMs;
  r.metrics!.ttftMs = { mean: t.mean * f, median: t.median * f, p99: t.p99! * f };
};

describe('compareRuns verdicts (table)', () => {
  const cases: Array<{ name: string; b: BenchPointRecord[]; threshold?: number; verdict: Verdict; counts: Partial<RunComparison['counts']>; reason?: RegExp }> = [
    { name: 'the same run → none', b: rerun(), verdict: 'none', counts: { matched: 9, regressed: 0, improved: 0 } },
    { name: '20% slower TPOT everywhere → regressed', b: rerun(slowerTpot(1.2)), verdict: 'regressed', counts: { matched: 9, regressed: 9 }, reason: /median TPOT \+20\.0% .*threshold 15%/ },
    { name: '2% slower TPOT → none (noise)', b: rerun(slowerTpot(1.02)), verdict: 'none', counts: { regressed: 0, improved: 0 } },
    { name: '2% slower TPOT with --threshold 1 → regressed', b: rerun(slowerTpot(1.02)), threshold: 1, verdict: 'regressed', counts: { regressed: 9 } },
    { name: '20% faster TPOT → improved', b: rerun(slowerTpot(1 / 1.2)), verdict: 'improved', counts: { improved: 9, regressed: 0 }, reason: /^improved: .*median TPOT -16\.7%/ },
    { name: 'one point 30% slower in p99 TTFT → regressed, that point only', b: rerun(scaleTtft(1.3), (r) => r.pointId === 'd2/isl5000-osl250/c16'), verdict: 'regressed', counts: { regressed: 1, matched: 9 }, reason: /2xTP4 collocated on H100, ISL 5000 \/ OSL 250 \(mixed\), conc 16: p99 TTFT \+30\.0%/ },
    { name: 'TTFT 50% worse: p99 beyond its 25%, median within its 110%', b: rerun(scaleTtft(1.5)), verdict: 'regressed', counts: { regressed: 9 }, reason: /p99 TTFT \+50\.0%/ },
    { name: 'a point that failed in B → regressed', b: rerun((r) => { r.status = 'failed'; r.reason = 'BenchFailed: connection refused'; delete r.metrics; }, (r) => r.pointId === 'd1/isl5000-osl250/c4'), verdict: 'regressed', counts: { regressed: 1 }, reason: /ok in A, failed in B: BenchFailed: connection refused/ },
    { name: 'a new vLLM with the same numbers → none, versions listed', b: rerun((r) => { r.versions!.vllm = '0.11.1'; }), verdict: 'none', counts: { matched: 9, onlyInA: 0, onlyInB: 0 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const res = compareRuns(RUN, c.b, c.threshold !== undefined ? { thresholdPct: c.threshold } : {});
      assert.equal(res.verdict, c.verdict, res.reasons.join('\n'));
      for (const [k, v] of Object.entries(c.counts)) assert.equal(res.counts[k as keyof RunComparison['counts']], v, `${k}: ${res.reasons.join('\n')}`);
      if (c.reason) assert.ok(res.reasons.some((r) => c.reason!.test(r)), `no reason matches ${c.reason}:\n${res.reasons.join('\n')}`);
      if (c.verdict === 'none') assert.deepEqual(res.reasons, []);
    });
  }

  it('records which versions changed between matched points', () => {
    const res = compareRuns(RUN, rerun((r) => { r.versions!.vllm = '0.11.1'; r.hardware = { ...HW, driverVersion: '580.1' }; }));
    assert.deepEqual(res.versionChanges, [{ component: 'driver', a: null, b: '580.1' }, { component: 'vllm', a: '0.11.0', b: '0.11.1' }]);
  });

  it('a threshold that is not a positive number is refused', () => {
    assert.throws(() => compareRuns(RUN, RUN, { thresholdPct: 0 }), /positive number of percent, got 0/);
    assert.throws(() => compareRuns(RUN, RUN, { thresholdPct: Number.NaN }), /got NaN/);
  });
});

describe('flagged points are never improvements', () => {
  const flag = (r: BenchPointRecord) => { r.flags = [{ kind: 'known-bad', reason: 'NIXL LIBFABRIC corrupts KV' }]; };
  const only = (id: string) => (r: BenchPointRecord) => r.pointId === id;
  const ID = 'd1/isl5000-osl250/c16';

  it('flagged in A, much better in B: none, with the reason', () => {
    const a = RUN.map((r) => { const c = structuredClone(r); if (c.pointId === ID) flag(c); return c; });
    const res = compareRuns(a, rerun(slowerTpot(0.5), only(ID)));
    const p = res.points.find((x) => x.a.pointId === ID)!;
    assert.equal(p.verdict, 'none');
    assert.match(p.reasons[0]!, /flagged in A .*not judged/);
    assert.equal(p.deltas.find((d) => d.metric === 'tpotMedianMs')!.change, 'better'); // shown, not counted
    assert.notEqual(res.verdict, 'improved');
  });

  it('flagged in both, better in B: none', () => {
    const a = RUN.map((r) => { const c = structuredClone(r); if (c.pointId === ID) flag(c); return c; });
    const res = compareRuns(a, rerun((r) => { flag(r); slowerTpot(0.5)(r); }, only(ID)));
    assert.equal(res.points.find((x) => x.a.pointId === ID)!.verdict, 'none');
    assert.equal(res.verdict, 'none');
  });

  it('flagged in B only, even with better numbers: regressed (its numbers cannot be trusted)', () => {
    const res = compareRuns(RUN, rerun((r) => { flag(r); slowerTpot(0.5)(r); }, only(ID)));
    assert.equal(res.verdict, 'regressed');
    assert.match(res.reasons.join('\n'), /flagged in B: known-bad: NIXL LIBFABRIC corrupts KV/);
  });

  it('a flagged point failed in A and ok in B: not improved', () => {
    const a = RUN.map((r) => { const c = structuredClone(r); if (c.pointId === ID) { flag(c); c.status = 'failed'; delete c.metrics; } return c; });
    const b = rerun(flag, only(ID));
    assert.equal(compareRuns(a, b).points.find((x) => x.a.pointId === ID)!.verdict, 'none');
  });
});

describe('unmatched and duplicate points', () => {
  it('points of one run only are listed on their side; a same-id point says what differs', () => {
    const b = rerun((r) => { r.hardware = { ...HW, gpuMemoryMiB: 81559 }; }, (r) => r.deployment.id === 'd3');
    b.push({ ...structuredClone(RUN[0]!), pointId: 'd1/isl5000-osl250/c128', load: { concurrency: 128, numPrompts: 640 } });
    const res = compareRuns(RUN.filter((r) => r.pointId !== 'd2/isl5000-osl250/c64'), b);
    assert.deepEqual(res.onlyInA.map((u) => u.record.pointId), ['d3/isl5000-osl250/c4', 'd3/isl5000-osl250/c16', 'd3/isl5000-osl250/c64']);
    assert.deepEqual(res.onlyInA[0]!.differences, ['hardware.gpuMemoryMiB: unknown → 81559']);
    assert.deepEqual(res.onlyInB.map((u) => u.record.pointId), ['d2/isl5000-osl250/c64', 'd3/isl5000-osl250/c4', 'd3/isl5000-osl250/c16', 'd3/isl5000-osl250/c64', 'd1/isl5000-osl250/c128']);
    assert.equal(res.onlyInB.at(-1)!.differences, undefined);
    assert.deepEqual(res.counts, { matched: 5, regressed: 0, improved: 0, unchanged: 5, onlyInA: 3, onlyInB: 5 });
    // Unmatched points move no frontier: d3 is absent from both sides' comparison.
    assert.ok(res.frontiers[0]!.frontierA.every((p) => !p.pointId.startsWith('d3/')));
  });

  it('two records of one key in a run: the last is compared, the pair reported', () => {
    const a = [...RUN, { ...structuredClone(RUN[0]!), pointId: 'again' }];
    const res = compareRuns(a, rerun());
    assert.deepEqual(res.duplicates.map((d) => [d.side, d.pointIds]), [['a', ['d1/isl5000-osl250/c4', 'again']]]);
    assert.equal(res.points.find((p) => p.b.pointId === 'd1/isl5000-osl250/c4')!.a.pointId, 'again');
  });
});

describe('frontiers', () => {
  const fp = (id: string, y: number, x: number): FrontierPoint => ({ pointId: id, interactivity: y, throughputPerGpu: x });

  it('a steep drop moved a little in interactivity stays a small shortfall', () => {
    // A drops from 256 to 169 tok/s/GPU between 134.7 and 135.3 tok/s/user; B has the same points 0.3% lower in interactivity.
    const a = [fp('p', 100, 400), fp('q', 134.7, 256), fp('r', 135.3, 169), fp('s', 160, 150)];
    const b = a.map((p) => fp(p.pointId, p.interactivity * 0.997, p.throughputPerGpu));
    const d = compareFrontiers(a, b);
    assert.ok(d.shortfallPct! > 0.29 && d.shortfallPct! < 0.31, String(d.shortfallPct));
    assert.ok(d.gainPct! <= 0);
  });

  it('10% less throughput everywhere is a 10%/1.1 shortfall; a point beyond counts as gain', () => {
    const a = [fp('p', 100, 400), fp('q', 150, 200)];
    const d = compareFrontiers(a, a.map((p) => fp(p.pointId, p.interactivity, p.throughputPerGpu / 1.1)));
    assert.ok(Math.abs(d.shortfallPct! - 10) < 1e-9);
    assert.ok(Math.abs(d.peakThroughputDeltaPct! - (100 / 1.1 - 100)) < 1e-9);
    const g = compareFrontiers(a, [...a, fp('new', 120, 400)]);
    assert.ok(g.shortfallPct! <= 0 && g.gainPct! > 15, JSON.stringify(g));
    assert.deepEqual(compareFrontiers([], a).shortfalls, []);
  });

  it('a run whose frontier falls back regresses as a frontier; within the threshold it does not', () => {
    const worse = compareRuns(RUN, rerun(slowerTpot(1.2)));
    assert.equal(worse.frontiers.length, 1);
    assert.equal(worse.frontiers[0]!.verdict, 'regressed');
    assert.match(worse.reasons.join('\n'), /regressed: frontier ISL 5000 \/ OSL 250 \(mixed\) on H100: falls short of A's frontier by 2\d\.\d% \(threshold 5%\)/);
    const calm = compareRuns(RUN, rerun(slowerTpot(1.02)));
    assert.equal(calm.frontiers[0]!.verdict, 'none');
    assert.ok(calm.frontiers[0]!.shortfallPct! < DEFAULT_THRESHOLD_PCT.frontier);
  });

  it('a group whose every B point failed regresses as a frontier', () => {
    const res = compareRuns(RUN, rerun((r) => { r.status = 'failed'; delete r.metrics; }));
    assert.equal(res.frontiers[0]!.verdict, 'regressed');
    assert.match(res.frontiers[0]!.reasons[0]!, /B has no ok, unflagged point/);
  });
});

describe('real fixtures', () => {
  it('a run against itself, imported twice, is the same; the broken spread against the good one is not matched', () => {
    const a = fixtureRecords([PACK, PD_1P2_2D2, SPREAD_UCX120]);
    const same = compareRuns(a, fixtureRecords([PACK, PD_1P2_2D2, SPREAD_UCX120]));
    assert.equal(same.verdict, 'none');
    assert.equal(same.counts.matched, a.length);
    assert.ok(same.frontiers.every((f) => f.shortfallPct === 0));
    const json = comparisonForJson(same, { a: 'x', b: 'y' });
    assert.equal(JSON.parse(JSON.stringify(json)).counts.matched, a.length);
  });
});
