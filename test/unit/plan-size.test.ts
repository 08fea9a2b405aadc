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

const planOf = (concurrencies: number, deployments: number, promptsPerConcurrency = 1) => {
  const v = validateSweep({
    name: 'big', model: { id: cluster.model.id, servedName: cluster.model.servedName },
    workloads: [{ isl: 1000, osl: 100 }],
    deployments: [{ mode: 'collocated', replicas: Array.from({ length: deployments }, (_, i) => i + 1), tp: [1] }],
    load: { concurrency: Array.from({ length: concurrencies }, (_, i) => i + 1), promptsPerConcurrency },
  }, 'big.yaml', { cluster });
  if (!v.ok) throw new Error(v.issues.map((i) => i.message).join('; '));
  return planSweep(cluster, v.value);
};

test('checkPlanSize: quiet for small sweeps, warns above the sizes, refuses above the hard limit (with the fix)', () => {
  const cases: Array<[string, number, number, { warn: RegExp[]; refuse?: RegExp; points: number }, Parameters<typeof checkPlanSize>[1]?]> = [
    ['small', 3, 2, { warn: [], points: 6 }],
    ['above the warning size', 200, 2, { warn: [/has 400 points \(more than 300\)/], points: 400 }],
    ['at the hard limit', 500, 2, { warn: [/has 1000 points/], points: 1000 }],
    ['one above the hard limit', 167, 6, { warn: [], refuse: /has 1002 points, above the limit of 1000.*split it into sweeps of at most 1000 points.*--max-points/, points: 1002 }],
    ['raised limit', 167, 6, { warn: [/1002 points/], points: 1002 }, { maxPoints: 2000 }],
    ['a GPU-hour budget', 10, 8, { warn: [/GPU-hours \(more than 1\)/], points: 80 }, { warnGpuHours: 1 }],
  ];
  for (const [what, conc, deps, want, limits] of cases) {
    const plan = planOf(conc, deps);
    assert.equal(plan.estimate.points, want.points, what);
    const r = checkPlanSize(plan, limits);
    if (want.refuse) assert.match(r.refusal ?? '', want.refuse, what);
    else assert.equal(r.refusal, undefined, what);
    assert.equal(r.warnings.length, want.warn.length, `${what}: ${r.warnings.join(' | ')}`);
    want.warn.forEach((re, i) => assert.match(r.warnings[i]!, re, what));
  }
});
