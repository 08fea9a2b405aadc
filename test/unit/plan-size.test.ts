// Sweep size limits (issue "A sweep that finishes whatever the night brings", point 2): warn
// above a size and a GPU-hour budget, refuse above the hard limit before anything starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseClusterYaml, validateSweep } from '../../src/config/index.js';
import { checkPlanSize, planSweep } from '../../src/plan/index.js';

const clusterRes = parseClusterYaml(readFileSync('examples/cluster-p5.yaml', 'utf8'), 'cluster-p5.yaml');
if (!clusterRes.ok) throw new Error('example cluster invalid');
const cluster = clusterRes.value;

const planOf = (concurrencies: number, deployments: number, promptsPerConcurrency = 1, workloads = 1) => {
  const v = validateSweep({
    name: 'big', model: { id: cluster.model.id, servedName: cluster.model.servedName },
    workloads: Array.from({ length: workloads }, (_, i) => ({ isl: 1000 + i, osl: 100 })),
    deployments: [{ mode: 'collocated', replicas: Array.from({ length: deployments }, (_, i) => i + 1), tp: [1] }],
    load: { concurrency: Array.from({ length: concurrencies }, (_, i) => i + 1), promptsPerConcurrency },
  }, 'big.yaml', { cluster });
  if (!v.ok) throw new Error(v.issues.map((i) => i.message).join('; '));
  return planSweep(cluster, v.value, { lazyPoints: true });
};

test('checkPlanSize: quiet for small sweeps, warns above the sizes, refuses above the hard limit (with the fix)', () => {
  const cases: Array<[string, number, number, { warn: RegExp[]; refuse?: RegExp; points: number }, Parameters<typeof checkPlanSize>[1]?, number?]> = [
    ['small', 3, 2, { warn: [], points: 6 }],
    ['above the warning size', 200, 2, { warn: [/has 400 points \(more than 300\)/], points: 400 }],
    ['at a lowered hard limit', 500, 2, { warn: [/has 1000 points/], points: 1000 }, { maxPoints: 1000 }],
    ['one above a lowered hard limit', 167, 6, { warn: [], refuse: /has 1002 points, above the limit of 1000.*split it into sweeps of at most 1000 points.*--max-points/, points: 1002 }, { maxPoints: 1000 }],
    ['raised limit', 167, 6, { warn: [/1002 points/], points: 1002 }, { maxPoints: 2000 }],
    ['a 100,000-point sweep under the default limit: warned, not refused', 1000, 1, { warn: [/has 100000 points/, /GPU-hours/], points: 100_000 }, undefined, 100],
    ['a GPU-hour budget', 10, 8, { warn: [/GPU-hours \(more than 1\)/], points: 80 }, { warnGpuHours: 1 }],
  ];
  for (const [what, conc, deps, want, limits, workloads] of cases) {
    const plan = planOf(conc, deps, 1, workloads);
    assert.equal(plan.estimate.points, want.points, what);
    const r = checkPlanSize(plan, limits);
    if (want.refuse) assert.match(r.refusal ?? '', want.refuse, what);
    else assert.equal(r.refusal, undefined, what);
    assert.equal(r.warnings.length, want.warn.length, `${what}: ${r.warnings.join(' | ')}`);
    want.warn.forEach((re, i) => assert.match(r.warnings[i]!, re, what));
  }
});

test('the default hard limit is a million points: one more is refused before anything starts, and the lazy plan stays small', () => {
  const plan = planOf(1000, 1, 1, 1001);
  assert.equal(plan.estimate.points, 1_001_000);
  assert.match(checkPlanSize(plan).refusal ?? '', /has 1001000 points, above the limit of 1000000 .*days of benchmarking.*split it/);
  // No point lists: the plan a workflow carries is the deployments and the load/workload lists.
  assert.ok(JSON.stringify(plan).length < 300_000, `${JSON.stringify(plan).length} bytes`);
});
