// An SLA search in the plan (issue 14 item 1): deployments reserve their worst case of probes
// (points, time, GPU-hours), `pdflow plan` says so, and each probe the search asks for becomes a
// benchmark point whose id says it is a probe, unique and inside its deployment's reserved block.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseClusterYaml, validateSweep, type ClusterConfig, type SweepConfig } from '../../src/config/index.js';
import {
  checkPlanSize, estimatePointSeconds, formatPlan, nextProbe, planSweep, pointCountOf, pointsOfDeployment, probeLoad, probePoint,
  recordProbe, startSearch, worstCaseProbes, worstCaseSeconds, type Plan, type PlannedPoint,
} from '../../src/plan/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const clusterRes = parseClusterYaml(readFileSync(path.join(root, 'examples/cluster-p5.yaml'), 'utf8'), 'cluster-p5.yaml');
if (!clusterRes.ok) throw new Error('examples/cluster-p5.yaml is invalid');
const cluster: ClusterConfig = clusterRes.value;

const SLA = { p99TtftMs: 2000, p99TpotMs: 50 };
function sweep(load: unknown, extra: Record<string, unknown> = {}): SweepConfig {
  const r = validateSweep({
    name: 's', model: { id: cluster.model.id, servedName: cluster.model.servedName },
    workloads: [{ isl: 5000, osl: 250 }, { isl: 8000, osl: 1000 }],
    deployments: [
      { mode: 'pd-pack', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] } },
      { mode: 'collocated', replicas: [1, 2], tp: [4] },
    ],
    load, ...extra,
  }, 's.yaml', { cluster });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return r.value;
}

const concurrencySearch = { search: { over: 'concurrency', min: 4, max: 256, sla: SLA, fill: 2 }, promptsPerConcurrency: 3 };
const rateSearch = { search: { over: 'requestRate', min: 0.5, max: 32, tolerance: 0.05 }, numPrompts: 200, maxConcurrency: 128, burstiness: 0.5 };

/** Runs every search of the plan against an oracle; the points in run order. */
function runAll(plan: Plan, meets: (depIndex: number, workload: number, load: number) => boolean): PlannedPoint[] {
  const points: PlannedPoint[] = [];
  plan.deployments.forEach((dep, d) => {
    plan.search!.workloads.forEach((_, w) => {
      let state = startSearch(plan.search!);
      for (let next = nextProbe(state); next; next = nextProbe(state)) {
        points.push(probePoint(plan, dep, w, next));
        state = recordProbe(state, next.load, { met: meets(d, w, next.load) });
      }
    });
  });
  return points;
}

describe('a plan with an SLA search', () => {
  it('reserves the worst case per deployment and workload: points, bench time and GPU-hours', () => {
    const s = sweep(concurrencySearch);
    const plan = planSweep(cluster, s);
    const q = plan.search!;
    assert.ok(q);
    const worst = worstCaseProbes(q);
    assert.deepEqual(q.worstCase, { probes: worst.probes, bracket: worst.bracket, bisect: worst.bisect, fill: worst.fill });
    assert.deepEqual(q.worstCase, { probes: 13, bracket: 7, bisect: 4, fill: 2 });
    assert.equal(plan.deployments.length, 3);
    let first = 0;
    for (const d of plan.deployments) {
      assert.deepEqual(d.points, [], 'probes are picked at run time');
      assert.deepEqual(pointsOfDeployment(plan, d), []);
      assert.equal(pointCountOf(d), 2 * 13);
      assert.equal(d.firstPointIndex, first);
      first += 26;
      const bench = q.workloads.reduce((n, w) => n + worstCaseSeconds(q, plan.timings, w), 0);
      assert.equal(d.estimate.benchSeconds, Math.round(bench * 10) / 10);
      // Concurrency: every probe takes promptsPerConcurrency waves.
      const perProbe = (osl: number) => estimatePointSeconds(plan.timings, { isl: 1, osl, mode: 'mixed' }, { kind: 'concurrency', concurrency: 7, numPrompts: 21 });
      assert.ok(Math.abs(d.estimate.benchSeconds - 13 * (perProbe(250) + perProbe(1000))) < 0.2);
    }
    assert.equal(plan.estimate.points, 3 * 26);
    assert.equal(checkPlanSize(plan).refusal, undefined);
    assert.equal(checkPlanSize(plan, { maxPoints: 50 }).refusal !== undefined, true, 'the size limit counts the worst case');
    // Its SLA comes from the search; the report's SLA falls back to it.
    assert.deepEqual(q.sla, SLA);
    assert.deepEqual(plan.sla, SLA);
    assert.deepEqual(q.probe, { kind: 'concurrency', promptsPerConcurrency: 3 });
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan, 'plain JSON');
    // Lazy or not, the same plan.
    assert.deepEqual(planSweep(cluster, s, { lazyPoints: true }).estimate, plan.estimate);
  });

  it('a search without its own sla uses the sweep\'s; with both, each keeps its own', () => {
    const fallback = planSweep(cluster, sweep(rateSearch, { sla: { p99TpotMs: 40 } }));
    assert.deepEqual(fallback.search!.sla, { p99TpotMs: 40 });
    assert.deepEqual(fallback.sla, { p99TpotMs: 40 });
    const both = planSweep(cluster, sweep(concurrencySearch, { sla: { p99TpotMs: 40 } }));
    assert.deepEqual(both.search!.sla, SLA);
    assert.deepEqual(both.sla, { p99TpotMs: 40 });
  });

  it('request rate: the estimate follows the slowest run, not every probe at min', () => {
    const plan = planSweep(cluster, sweep(rateSearch, { sla: SLA }));
    const q = plan.search!;
    const w = q.workloads[0]!;
    const atMin = estimatePointSeconds(plan.timings, w, probeLoad(q, q.min));
    const worst = worstCaseSeconds(q, plan.timings, w);
    assert.ok(worst < q.worstCase.probes * atMin, `${worst} vs ${q.worstCase.probes} x ${atMin}`);
    assert.ok(worst > atMin + estimatePointSeconds(plan.timings, w, probeLoad(q, 2 * q.min)));
  });

  it('pdflow plan shows the search, the worst case by phase and bounds the estimate by it', () => {
    const text = formatPlan(planSweep(cluster, sweep(concurrencySearch)));
    assert.match(text, /3 deployments, ≤78 probes \(SLA search, worst case\)/);
    assert.match(text, /SLA search: ≤26 probes per deployment, ≤13 for each of its 2 workloads \(bracket ≤7 \+ bisect ≤4 \+ fill 2\)/);
    assert.match(text, /isl5000-osl250, isl8000-osl1000: SLA search over concurrency 4\.\.256 for p99 TTFT ≤ 2000 ms, p99 TPOT ≤ 50 ms, within 10%, then 2 fill points/);
    assert.match(text, /Estimate: .* with every search at its worst case, no retries \(deploys/);
    assert.match(text, /≤26 +\d+m/);
    const one = sweep(concurrencySearch);
    one.workloads = [one.workloads[0]!];
    assert.match(formatPlan(planSweep(cluster, one)), /SLA search: ≤13 probes per deployment \(bracket ≤7 \+ bisect ≤4 \+ fill 2\)/);
    // A grid plan says nothing about a search.
    assert.doesNotMatch(formatPlan(planSweep(cluster, sweep({ concurrency: [4, 8] }))), /SLA search/);
  });
});

describe('probe points', () => {
  it('ids say which probe; ids and indexes are unique and inside each deployment\'s block', () => {
    const plan = planSweep(cluster, sweep(concurrencySearch));
    const points = runAll(plan, (d, w, load) => load <= [50, 7, 300][d]! / (w + 1));
    assert.equal(new Set(points.map((p) => p.id)).size, points.length);
    assert.equal(new Set(points.map((p) => p.index)).size, points.length);
    for (const p of points) {
      const dep = plan.deployments.find((d) => d.id === p.deploymentId)!;
      assert.ok(p.index >= dep.firstPointIndex! && p.index < dep.firstPointIndex! + pointCountOf(dep), `${p.id}: index ${p.index}`);
      assert.match(p.id, new RegExp(`^${dep.id}/${p.workloadId}/${p.loadId}-probe${p.probe!.number}$`));
      assert.equal(p.load.kind, 'concurrency');
      if (p.load.kind === 'concurrency') {
        assert.equal(p.loadId, `c${p.load.concurrency}`);
        assert.equal(p.load.numPrompts, 3 * p.load.concurrency);
      }
      assert.match(p.label, /SLA search probe \d+ \((bracket|bisect|fill)\)$/);
    }
    const first = points[0]!;
    assert.equal(first.id, 'pd-pack-1p-tp4-1d-tp4/isl5000-osl250/c4-probe1');
    assert.deepEqual(first.probe, { number: 1, phase: 'bracket' });
    // The searches' answers show in the probe loads: deployment 0, workload 0 meets up to 50.
    assert.deepEqual(points.filter((p) => p.deploymentId === 'pd-pack-1p-tp4-1d-tp4' && p.workloadId === 'isl5000-osl250').map((p) => p.loadId),
      ['c4', 'c8', 'c16', 'c32', 'c64', 'c48', 'c56', 'c52', 'c40', 'c24']);
  });

  it('request-rate probes carry the search\'s prompts, burstiness and cap', () => {
    const plan = planSweep(cluster, sweep(rateSearch, { sla: SLA }));
    const p = probePoint(plan, plan.deployments[0]!, 1, { load: 0.75, probeIndex: 3, phase: 'bisect' });
    assert.deepEqual(p.load, { kind: 'request-rate', requestRate: 0.75, numPrompts: 200, burstiness: 0.5, maxConcurrency: 128 });
    assert.equal(p.id, 'pd-pack-1p-tp4-1d-tp4/isl8000-osl1000/rr0.75-probe4');
    assert.equal(p.index, plan.search!.worstCase.probes + 3);
  });

  it('refuses a probe the plan has no room for, a missing workload, a plan without a search', () => {
    const plan = planSweep(cluster, sweep(concurrencySearch));
    const dep = plan.deployments[0]!;
    assert.throws(() => probePoint(plan, dep, 0, { load: 4, probeIndex: 13, phase: 'fill' }), /beyond the search's worst case \(13\)/);
    assert.throws(() => probePoint(plan, dep, 2, { load: 4, probeIndex: 0, phase: 'bracket' }), /no workload 2/);
    const grid = planSweep(cluster, sweep({ concurrency: [4] }));
    assert.throws(() => probePoint(grid, grid.deployments[0]!, 0, { load: 4, probeIndex: 0, phase: 'bracket' }), /no SLA search/);
  });
});
