// The sweep's point source (src/workflows/sweep/point-source.ts): a grid runs the plan's points in
// order, an SLA search asks the state machine for each probe and judges it against the SLA; either
// way the carried state alone says where a continued run picks up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseClusterYaml, validateSweep, type ClusterConfig } from '../../src/config/index.js';
import {
  nextProbe, planSweep, pointsOfDeployment, probeOutcomeOf, probePoint, recordProbe, searchAnswer, searchProgressText, startSearch,
  type Plan, type PlannedDeployment, type PlannedPoint, type SearchAnswer,
} from '../../src/plan/index.js';
import { workloadId } from '../../src/plan/expand.js';
import { pointRecord } from '../../src/analysis/point-record.js';
import type { BenchPointRecord } from '../../src/analysis/records.js';
import { PointSource, type PointCursor } from '../../src/workflows/sweep/point-source.js';

const root = path.resolve(import.meta.dirname, '../..');
const parsed = parseClusterYaml(readFileSync(path.join(root, 'examples/cluster-p5.yaml'), 'utf8'), 'cluster-p5.yaml');
if (!parsed.ok) throw new Error('examples/cluster-p5.yaml is invalid');
const cluster: ClusterConfig = parsed.value;

const SLA = { p99TtftMs: 2000, p99TpotMs: 50 };
function planOf(load: unknown, opts: { lazyPoints?: boolean } = {}): Plan {
  const r = validateSweep({
    name: 's', model: { id: cluster.model.id, servedName: cluster.model.servedName },
    workloads: [{ isl: 5000, osl: 250 }, { isl: 8000, osl: 1000 }],
    deployments: [
      { mode: 'pd-pack', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] } },
      { mode: 'collocated', replicas: [1], tp: [4] },
    ],
    load,
  }, 's.yaml', { cluster });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return planSweep(cluster, r.value, opts);
}
const gridLoad = { concurrency: [4, 16, 64], promptsPerConcurrency: 2 };
const searchLoad = { search: { over: 'concurrency', min: 4, max: 256, sla: SLA, fill: 1 }, promptsPerConcurrency: 3 };

/** The load a probe point runs at (these searches are over concurrency). */
const loadOf = (p: PlannedPoint) => (p.load.kind === 'concurrency' ? p.load.concurrency : p.load.requestRate);
const freshCursor = (): PointCursor => ({ cursor: { deployment: 0, point: 0 } });
/** The carried state as continue-as-new carries it (JSON). */
const carried = (s: PointCursor): PointCursor => JSON.parse(JSON.stringify(s)) as PointCursor;

/** A benchmark record of `point`: p99 TPOT under the SLA when `meets`, over it otherwise; failed when `failed`. */
function recordOf(dep: PlannedDeployment, point: PlannedPoint, outcome: 'met' | 'missed' | 'failed'): BenchPointRecord {
  if (outcome === 'failed') return pointRecord(dep, point, { status: 'failed', reason: 'bench died', attempt: 2, startedAt: '2026-01-01T00:00:00.000Z', durationSec: 1 });
  const tpot = outcome === 'met' ? 20 : 80;
  return pointRecord(dep, point, {
    status: 'ok', attempt: 1, startedAt: '2026-01-01T00:00:00.000Z', durationSec: 10,
    metrics: {
      completed: 10, failed: 0, durationSec: 9, requestThroughput: 1, outputThroughput: 100, totalThroughput: 200, outputThroughputPerGpu: 12.5, totalThroughputPerGpu: 25,
      ttftMs: { mean: 100, median: 100, p99: 150 }, tpotMs: { mean: tpot, median: tpot, p99: tpot }, interactivity: 1000 / tpot,
    },
  });
}

/** Runs a deployment's points through `source` (each recorded as `outcomeAt` says), at most `limit` of them. */
function runPoints(source: PointSource, dep: PlannedDeployment, outcomeAt: (p: PlannedPoint) => 'met' | 'missed' | 'failed', limit = Infinity): PlannedPoint[] {
  const out: PlannedPoint[] = [];
  for (let p = source.next(dep); p && out.length < limit; p = out.length < limit ? source.next(dep) : undefined) {
    out.push(p);
    source.took(dep, recordOf(dep, p, outcomeAt(p)));
  }
  return out;
}

describe('PointSource on a grid', () => {
  for (const lazy of [false, true]) {
    it(`${lazy ? 'a lazy' : 'an eager'} plan: every deployment's points in plan order, then none; the cursor counts them`, () => {
      const plan = planOf(gridLoad, { lazyPoints: lazy });
      const eager = planOf(gridLoad);
      plan.deployments.forEach((dep, d) => {
        const s = freshCursor();
        s.cursor.deployment = d;
        const source = new PointSource(plan, s);
        const ran = runPoints(source, dep, () => 'met');
        assert.deepEqual(ran.map((p) => p.id), pointsOfDeployment(eager, eager.deployments[d]!).map((p) => p.id));
        assert.equal(s.cursor.point, ran.length);
        assert.equal(source.next(dep), undefined);
        assert.equal(s.search, undefined, 'a grid keeps no search state');
        assert.equal(source.searchText(), '');
      });
    });
  }

  const cases = [{ done: 0 }, { done: 1 }, { done: 2 }, { done: 3 }];
  for (const c of cases) {
    it(`after ${c.done} point(s): left() is the rest of the grid, and a continued run goes on from there`, () => {
      const plan = planOf(gridLoad, { lazyPoints: true });
      const dep = plan.deployments[0]!;
      const all = pointsOfDeployment(plan, dep);
      const s = freshCursor();
      runPoints(new PointSource(plan, s), dep, () => 'met', c.done);
      const next = new PointSource(plan, carried(s));
      assert.deepEqual(next.left(dep).map((p) => p.id), all.slice(c.done).map((p) => p.id));
      assert.equal(next.next(dep)?.id, all[c.done]?.id);
    });
  }
});

/** The probes the state machine itself asks for on workload `w`, with `meets` as the oracle. */
function machineProbes(plan: Plan, dep: PlannedDeployment, w: number, outcomeOf: (load: number) => 'met' | 'missed' | 'failed'): { points: PlannedPoint[]; answer: SearchAnswer } {
  let state = startSearch(plan.search!);
  const points: PlannedPoint[] = [];
  for (let next = nextProbe(state); next; next = nextProbe(state)) {
    const point = probePoint(plan, dep, w, next);
    points.push(point);
    state = recordProbe(state, next.load, probeOutcomeOf(recordOf(dep, point, outcomeOf(next.load)), plan.search!.sla));
  }
  return { points, answer: searchAnswer(state) };
}

describe('PointSource on an SLA search', () => {
  const oracles: Array<{ name: string; at: (load: number, w: number) => 'met' | 'missed' | 'failed' }> = [
    { name: 'every load meets', at: () => 'met' },
    { name: 'no load meets', at: () => 'missed' },
    { name: 'up to 37 meets on the first workload, up to 9 on the second', at: (l, w) => (l <= (w === 0 ? 37 : 9) ? 'met' : 'missed') },
    { name: 'probes above 100 fail outright', at: (l) => (l > 100 ? 'failed' : 'met') },
  ];
  for (const o of oracles) {
    it(`${o.name}: the probes the state machine asks, workload after workload; each answer kept by deployment and workload`, () => {
      const plan = planOf(searchLoad);
      const dep = plan.deployments[0]!;
      const s = freshCursor();
      const source = new PointSource(plan, s);
      const ran = runPoints(source, dep, (p) => o.at(loadOf(p), plan.search!.workloads.findIndex((w) => workloadId(w) === p.workloadId)));
      const expected = plan.search!.workloads.map((_, w) => machineProbes(plan, dep, w, (l) => o.at(l, w)));
      assert.deepEqual(ran.map((p) => p.id), expected.flatMap((e) => e.points.map((p) => p.id)));
      assert.equal(s.cursor.point, ran.length);
      assert.deepEqual(s.searchAnswers, Object.fromEntries(plan.search!.workloads.map((w, i) => [`${dep.id}/${workloadId(w)}`, expected[i]!.answer])));
      assert.equal(source.next(dep), undefined, 'every workload searched');
      assert.deepEqual(source.left(dep), []);
    });
  }

  const stops = [1, 2, 4, 7];
  for (const k of stops) {
    it(`a run continued as new after ${k} probe(s) asks the same probes as one that ran through`, () => {
      const plan = planOf(searchLoad);
      const dep = plan.deployments[1]!;
      const oracle = (p: PlannedPoint) => (loadOf(p) <= 50 ? 'met' as const : 'missed' as const);
      const whole = runPoints(new PointSource(plan, freshCursor()), dep, oracle);
      const s = freshCursor();
      const first = runPoints(new PointSource(plan, s), dep, oracle, k);
      const rest = runPoints(new PointSource(plan, carried(s)), dep, oracle);
      assert.deepEqual([...first, ...rest].map((p) => p.id), whole.map((p) => p.id));
    });
  }

  it('left(): the next probe of the search in progress and the first probe of each later workload', () => {
    const plan = planOf(searchLoad);
    const dep = plan.deployments[0]!;
    const s = freshCursor();
    const source = new PointSource(plan, s);
    runPoints(source, dep, () => 'met', 2);
    const inProgress = nextProbe(s.search!.state)!;
    const firstOfNext = nextProbe(startSearch(plan.search!))!;
    assert.deepEqual(source.left(dep).map((p) => p.id), [probePoint(plan, dep, 0, inProgress).id, probePoint(plan, dep, 1, firstOfNext).id]);
    // Nothing was judged by asking.
    assert.equal(s.search!.state.probes.length, 2);
  });

  it('searchText(): empty until a probe is judged, then the search\'s progress line', () => {
    const plan = planOf(searchLoad);
    const dep = plan.deployments[0]!;
    const s = freshCursor();
    const source = new PointSource(plan, s);
    assert.equal(source.searchText(), '');
    runPoints(source, dep, () => 'met', 1);
    assert.equal(source.searchText(), ` — ${searchProgressText(s.search!.state)}`);
    assert.match(source.searchText(), /bracket: c=4 met, next c=8/);
  });

  it('endDeployment(): the next deployment starts at its first workload with a fresh search', () => {
    const plan = planOf(searchLoad);
    const [a, b] = plan.deployments as [PlannedDeployment, PlannedDeployment];
    const s = freshCursor();
    const source = new PointSource(plan, s);
    runPoints(source, a, () => 'met', 3);
    source.endDeployment();
    assert.equal(s.search, undefined);
    s.cursor = { deployment: 1, point: 0 };
    assert.equal(source.next(b)?.id, probePoint(plan, b, 0, nextProbe(startSearch(plan.search!))!).id);
  });
});
