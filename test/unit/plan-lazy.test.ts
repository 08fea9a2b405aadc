// Lazy plans (issue "A sweep that finishes whatever the night brings", point 2): a sweep of any
// size plans without its point lists; every deployment's points are made on demand, equal to an
// eager plan's, so a workflow carries and keeps only the deployments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseClusterYaml, parseSweepYaml, validateSweep } from '../../src/config/index.js';
import { planSweep, planPoints, pointsOfDeployment, pointCountOf } from '../../src/plan/index.js';

const clusterRes = parseClusterYaml(readFileSync('examples/cluster-p5.yaml', 'utf8'), 'cluster-p5.yaml');
if (!clusterRes.ok) throw new Error('example cluster invalid');
const cluster = clusterRes.value;

test('a lazy plan makes, deployment by deployment, exactly the eager plan\'s points and estimates', () => {
  for (const file of ['sweep-demo', 'sweep-pd-ratio', 'sweep-pack-vs-spread', 'sweep-tp-baselines']) {
    const sweep = parseSweepYaml(readFileSync(`examples/${file}.yaml`, 'utf8'), `${file}.yaml`);
    if (!sweep.ok) throw new Error(`${file} invalid`);
    const eager = planSweep(cluster, sweep.value);
    const lazy = planSweep(cluster, sweep.value, { lazyPoints: true });
    assert.ok(eager.deployments.length > 0, file);
    assert.deepEqual(lazy.estimate, eager.estimate, file);
    lazy.deployments.forEach((d, i) => {
      const e = eager.deployments[i]!;
      assert.deepEqual(d.points, [], `${file} ${d.id}: no list in a lazy plan`);
      assert.equal(pointCountOf(d), e.points.length, `${file} ${d.id}`);
      assert.deepEqual(pointsOfDeployment(lazy, d), e.points, `${file} ${d.id}`);
      assert.deepEqual({ ...d, points: e.points }, e, `${file} ${d.id}: everything else equal`);
    });
    assert.deepEqual(planPoints(lazy), planPoints(eager), file);
    assert.deepEqual(pointsOfDeployment(eager, eager.deployments[0]!), eager.deployments[0]!.points);
  }
});

test('a 100,000-point sweep plans lazily into a few KB; its points are still all there', () => {
  const v = validateSweep({
    name: 'huge', model: { id: cluster.model.id, servedName: cluster.model.servedName },
    workloads: Array.from({ length: 10 }, (_, i) => ({ isl: 1000 + i, osl: 100 })),
    deployments: [{ mode: 'collocated', replicas: Array.from({ length: 10 }, (_, i) => i + 1), tp: [1] }],
    load: { concurrency: Array.from({ length: 1000 }, (_, i) => i + 1), promptsPerConcurrency: 1 },
  }, 'huge.yaml', { cluster });
  if (!v.ok) throw new Error(v.issues.map((i) => i.message).join('; '));
  const lazy = planSweep(cluster, v.value, { lazyPoints: true });
  assert.equal(lazy.estimate.points, 100_000);
  assert.ok(JSON.stringify(lazy).length < 200_000, `lazy plan JSON ${JSON.stringify(lazy).length} bytes`);
  const last = lazy.deployments[lazy.deployments.length - 1]!;
  const pts = pointsOfDeployment(lazy, last);
  assert.equal(pts.length, 10_000);
  assert.equal(pts[pts.length - 1]!.index, 99_999);
  assert.equal(new Set(pts.map((p) => p.id)).size, 10_000);
});
