import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bestForTier, classifyFrontier, groupByWorkload, meetsSla, paretoFrontier, parseSlaTier,
  type BenchPointRecord, type FrontierStatus,
} from '../../src/analysis/index.js';
import { COLLOCATED_2X4, fixtureRecords, PACK, PD_1P2_2D2, SPREAD_BROKEN, SPREAD_UCX120 } from './helpers/bench-fixtures.js';

/** A synthetic ok point: x = output tok/s/GPU, y = interactivity (median TPOT = 1000 / y). */
function pt(id: string, x: number, y: number, p99: { ttft?: number; tpot?: number } = {}, workload = { isl: 1000, osl: 100, mode: 'mixed' }): BenchPointRecord {
  return {
    pointId: id,
    deployment: { id, name: id, mode: 'collocated', gpus: 1, replicas: { count: 1, tp: 1 } },
    workload,
    load: { concurrency: 1, numPrompts: 5 },
    status: 'ok',
    metrics: {
      completed: 5, durationSec: 1, requestThroughput: 1, outputThroughput: x, totalThroughput: x, outputThroughputPerGpu: x, totalThroughputPerGpu: x,
      ttftMs: { mean: 1, median: 1, ...(p99.ttft !== undefined ? { p99: p99.ttft } : {}) },
      tpotMs: { mean: 1000 / y, median: 1000 / y, ...(p99.tpot !== undefined ? { p99: p99.tpot } : {}) },
      interactivity: y,
    },
    timings: { startedAt: '', durationSec: 1 },
    attempt: 1,
  };
}

const statuses = (records: BenchPointRecord[], tolerance?: number) =>
  Object.fromEntries(classifyFrontier(records, tolerance !== undefined ? { tolerance } : {}).map((p) => [p.record.pointId, p.status]));

describe('classifyFrontier (synthetic)', () => {
  const cases: Array<{ name: string; points: BenchPointRecord[]; tolerance?: number; expect: Record<string, FrontierStatus> }> = [
    { name: 'a single point', points: [pt('a', 10, 10)], expect: { a: 'frontier' } },
    { name: 'a trade-off curve', points: [pt('a', 10, 100), pt('b', 50, 50), pt('c', 100, 10)], expect: { a: 'frontier', b: 'frontier', c: 'frontier' } },
    { name: 'clearly dominated', points: [pt('a', 100, 100), pt('b', 50, 99)], expect: { a: 'frontier', b: 'dominated' } },
    { name: 'dominated within 5% on both axes', points: [pt('a', 100, 100), pt('b', 97, 98)], expect: { a: 'frontier', b: 'near' } },
    { name: 'dominated by 6% on one axis only', points: [pt('a', 100, 100), pt('b', 94, 99)], expect: { a: 'frontier', b: 'dominated' } },
    { name: 'tolerance 0 makes near dominated', points: [pt('a', 100, 100), pt('b', 97, 98)], tolerance: 0, expect: { a: 'frontier', b: 'dominated' } },
    { name: 'equal points both stay', points: [pt('a', 10, 10), pt('b', 10, 10)], expect: { a: 'frontier', b: 'frontier' } },
    { name: 'equal on one axis, worse on the other', points: [pt('a', 10, 10), pt('b', 10, 5)], expect: { a: 'frontier', b: 'dominated' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(statuses(c.points, c.tolerance), c.expect));

  it('leaves failed points and points without interactivity out', () => {
    const failed: BenchPointRecord = { ...pt('f', 1000, 1000), status: 'failed', reason: 'x' };
    delete failed.metrics;
    const osl1 = pt('o', 1000, 1);
    osl1.metrics!.interactivity = null;
    assert.deepEqual(statuses([pt('a', 10, 10), failed, osl1]), { a: 'frontier' });
  });

  it('returns the frontier by increasing interactivity', () => {
    assert.deepEqual(paretoFrontier([pt('c', 100, 10), pt('a', 10, 100), pt('x', 5, 5), pt('b', 50, 50)]).map((r) => r.pointId), ['c', 'b', 'a']);
  });

  it('with an SLA, computes the frontier only over points meeting it', () => {
    const pts = [pt('fast', 10, 100, { ttft: 100, tpot: 10 }), pt('big', 100, 10, { ttft: 5000, tpot: 100 }), pt('mid', 50, 50, { ttft: 500, tpot: 20 })];
    const got = Object.fromEntries(classifyFrontier(pts, { sla: { name: 's', p99TtftMs: 1000 } }).map((p) => [p.record.pointId, p.status]));
    assert.deepEqual(got, { fast: 'frontier', big: 'out-of-sla', mid: 'frontier' });
  });

  it('groups by workload', () => {
    const g = groupByWorkload([pt('a', 1, 1), pt('b', 1, 1, {}, { isl: 8000, osl: 1000, mode: 'mixed' }), pt('c', 1, 1)]);
    assert.deepEqual(g.map((x) => [x.key, x.records.length]), [['isl1000-osl100-mixed', 2], ['isl8000-osl1000-mixed', 1]]);
  });
});

describe('pareto frontier on the real fixtures', () => {
  const all = fixtureRecords();
  const groups = groupByWorkload(all);
  const classified = classifyFrontier(all);
  const byFolder = (folder: string) => classified.filter((p) => p.record.deployment.id === folder).map((p) => p.status);

  it('has one workload: ISL 5000 / OSL 250, mixed (folders without a mode are mixed, run_bm.sh\'s default)', () => {
    assert.deepEqual(groups.map((g) => g.key), ['isl5000-osl250-mixed']);
  });
  it('puts no point of the broken-network spread config (-spread-ucx) on or near the frontier', () => {
    const s = byFolder(SPREAD_BROKEN);
    assert.equal(s.length, 6);
    assert.deepEqual([...new Set(s)], ['dominated']);
  });
  it('puts the pack config on the frontier at every concurrency up to 64', () => {
    const pack = classified.filter((p) => p.record.deployment.id === PACK);
    assert.deepEqual(pack.filter((p) => p.status === 'frontier').map((p) => p.record.load.concurrency).sort((a, b) => a! - b!), [4, 8, 16, 32, 48, 64]);
    assert.equal(pack.find((p) => p.record.load.concurrency === 128)!.status, 'dominated');
  });
  it('puts the working spread config (-spread-ucx120) within 5% of the frontier at every point', () => {
    // The strict frontier has none of its points: pack beats it by 0.2-3% each time (same hardware, one network hop more).
    assert.deepEqual([...new Set(byFolder(SPREAD_UCX120))], ['near']);
  });
  it('has the other deployments\' best points on it too', () => {
    assert.ok(byFolder(PD_1P2_2D2).includes('frontier'));
    assert.ok(byFolder(COLLOCATED_2X4).includes('frontier'));
  });
  it('keeps the broken config off the frontier without the collocated points as well, once an SLA on TTFT applies', () => {
    const pd = all.filter((r) => r.deployment.mode !== 'collocated');
    const statusesPd = classifyFrontier(pd, { sla: { name: 's', p99TtftMs: 10000 } }).filter((p) => p.record.deployment.id === SPREAD_BROKEN).map((p) => p.status);
    assert.deepEqual([...new Set(statusesPd)], ['out-of-sla']);
  });
});

describe('SLA tiers', () => {
  const all = fixtureRecords();
  it('finds the best pack point per tier (known values)', () => {
    const strict = bestForTier(all, { name: 'strict', p99TtftMs: 1000, p99TpotMs: 10 });
    assert.equal(strict.best!.pointId, `${PACK}/conc16`);
    const loose = bestForTier(all, { name: 'loose', p99TtftMs: 2000, p99TpotMs: 20 });
    assert.equal(loose.best!.pointId, `${PACK}/conc64`);
    assert.equal(bestForTier(all, { name: 'impossible', p99TtftMs: 1 }).best, undefined);
  });
  it('explains why a point misses a tier', () => {
    const broken = all.find((r) => r.pointId === `${SPREAD_BROKEN}/conc4`)!;
    assert.match(meetsSla(broken, { name: 't', p99TtftMs: 1000 }).why!, /p99 TTFT 16579 ms > 1000 ms/);
    const noP99 = pt('n', 1, 1);
    assert.match(meetsSla(noP99, { name: 't', p99TpotMs: 10 }).why!, /no p99 TPOT/);
  });
  const specs: Array<[string, object | RegExp]> = [
    ['chat:ttft=1000,tpot=15', { name: 'chat', p99TtftMs: 1000, p99TpotMs: 15 }],
    ['batch:ttft=10000ms', { name: 'batch', p99TtftMs: 10000 }],
    ['x:tpot=7.5', { name: 'x', p99TpotMs: 7.5 }],
    ['ttft=1000', /expected NAME:ttft=MS,tpot=MS/],
    ['a:latency=3', /"latency=3" is not ttft=MS or tpot=MS/],
  ];
  for (const [spec, want] of specs) {
    it(`parses --sla ${spec}`, () => {
      if (want instanceof RegExp) assert.throws(() => parseSlaTier(spec), want);
      else assert.deepEqual(parseSlaTier(spec), want);
    });
  }
});
