// The sweep planner: placement, feasibility reasons, ordering, ids and estimates.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DeploymentEntrySchema, parseClusterYaml, parseSweepYaml, validateCluster, validateSweep,
  type ClusterConfig, type SweepConfig, type SweepInput,
} from '../../src/config/index.js';
import {
  estimatePointSeconds, expandDeploymentEntry, formatDuration, formatPlan, gpuRanges, placeDeployment, planPoints,
  planSweep, resolveTimings, type GpuNode, type PlacementResult, type RejectionReason,
} from '../../src/plan/index.js';

const examples = path.resolve(import.meta.dirname, '../../examples');

function load<T>(r: { ok: true; value: T } | { ok: false; issues: unknown[] }): T {
  if (!r.ok) assert.fail(JSON.stringify(r.issues, null, 2));
  return r.value;
}
const p5 = (): ClusterConfig => load(parseClusterYaml(readFileSync(path.join(examples, 'cluster-p5.yaml'), 'utf8'), 'cluster-p5.yaml'));
const exampleSweep = (f: string): SweepConfig => load(parseSweepYaml(readFileSync(path.join(examples, f), 'utf8'), f));

function cluster(gpuNodes: Record<string, number>, timings?: Record<string, number>): ClusterConfig {
  return load(validateCluster({
    name: 'lab', ssh: { user: 'u' }, model: { id: 'openai/gpt-oss-120b', servedName: 'gptoss' },
    nodes: [
      { name: 'head', host: '10.0.0.1', role: 'head', gpus: { count: 0 } },
      ...Object.entries(gpuNodes).map(([name, count], i) => ({ name, host: `10.0.0.${i + 2}`, role: 'worker', gpus: { count } })),
    ],
    ...(timings ? { timings } : {}),
  }));
}

function sweep(over: Partial<SweepInput> = {}): SweepConfig {
  return load(validateSweep({
    name: 's', model: { id: 'openai/gpt-oss-120b', servedName: 'gptoss' }, workloads: [{ isl: 5000, osl: 250 }],
    deployments: [{ mode: 'pd-pack', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] } }],
    load: { concurrency: [4, 16] }, ...over,
  }, 's', { maxTp: 64 }));
}

const P5_NODES: GpuNode[] = [{ name: 'gpu-1', gpus: 8 }, { name: 'gpu-2', gpus: 8 }];
const ONE_NODE: GpuNode[] = [{ name: 'box', gpus: 8 }];
const UNEVEN: GpuNode[] = [{ name: 'small', gpus: 4 }, { name: 'big', gpus: 8 }];

/** One deployment written as in a sweep file. */
function shapeOf(entry: Record<string, unknown>) {
  const shapes = expandDeploymentEntry(DeploymentEntrySchema.parse(entry), 0);
  assert.equal(shapes.length, 1);
  return shapes[0]!;
}
const pd = (mode: 'pd-pack' | 'pd-spread', pc: number, ptp: number, dc: number, dtp: number) =>
  shapeOf({ mode, prefill: { count: [pc], tp: [ptp] }, decode: { count: [dc], tp: [dtp] } });
const col = (n: number, tp: number) => shapeOf({ mode: 'collocated', replicas: [n], tp: [tp] });

/** Placement as text: "P gpu-1:0-3 | D gpu-2:0-3". */
function placed(r: PlacementResult): string {
  if (!r.ok) return `rejected ${r.reason}`;
  return r.roles.map((role) => `${role.role[0]!.toUpperCase()} ${role.instances.map((i) => `${i.node}:${gpuRanges(i.gpus)}`).join(' ')}`).join(' | ');
}

describe('placement', () => {
  const table: [what: string, shape: ReturnType<typeof pd>, nodes: GpuNode[], expected: string][] = [
    ['pack 1P-TP4:1D-TP4 on one node', pd('pd-pack', 1, 4, 1, 4), P5_NODES, 'P gpu-1:0-3 | D gpu-1:4-7'],
    ['pack 2P-TP2:1D-TP4', pd('pd-pack', 2, 2, 1, 4), P5_NODES, 'P gpu-1:0-1 gpu-1:2-3 | D gpu-1:4-7'],
    ['pack 1P-TP2:3D-TP2', pd('pd-pack', 1, 2, 3, 2), P5_NODES, 'P gpu-1:0-1 | D gpu-1:2-3 gpu-1:4-5 gpu-1:6-7'],
    ['spread 1P-TP4:1D-TP4 over two nodes', pd('pd-spread', 1, 4, 1, 4), P5_NODES, 'P gpu-1:0-3 | D gpu-2:0-3'],
    ['spread 2P-TP4:1D-TP8 fills both nodes', pd('pd-spread', 2, 4, 1, 8), P5_NODES, 'P gpu-1:0-3 gpu-1:4-7 | D gpu-2:0-7'],
    ['spread puts prefill on the node that fits it', pd('pd-spread', 1, 8, 1, 8), UNEVEN, 'rejected gpus-short'],
    ['spread 1P-TP4:1D-TP8 on uneven nodes', pd('pd-spread', 1, 4, 1, 8), UNEVEN, 'P small:0-3 | D big:0-7'],
    ['spread 2P-TP4:1D-TP4 on uneven nodes swaps them', pd('pd-spread', 2, 4, 1, 4), UNEVEN, 'P big:0-3 big:4-7 | D small:0-3'],
    ['pack skips a node too small', pd('pd-pack', 1, 2, 1, 4), UNEVEN, 'P big:0-1 | D big:2-5'],
    ['collocated 4xTP2 on one node', col(4, 2), P5_NODES, 'R gpu-1:0-1 gpu-1:2-3 gpu-1:4-5 gpu-1:6-7'],
    ['collocated 3xTP4 over two nodes', col(3, 4), P5_NODES, 'R gpu-1:0-3 gpu-1:4-7 gpu-2:0-3'],
    ['collocated 8xTP2 uses all 16 GPUs', col(8, 2), P5_NODES, `R ${['0-1', '2-3', '4-5', '6-7'].map((g) => `gpu-1:${g}`).join(' ')} ${['0-1', '2-3', '4-5', '6-7'].map((g) => `gpu-2:${g}`).join(' ')}`],
    ['collocated 3xTP4 on uneven nodes', col(3, 4), UNEVEN, 'R small:0-3 big:0-3 big:4-7'],
  ];
  for (const [what, shape, nodes, expected] of table) {
    it(what, () => assert.equal(placed(placeDeployment(shape, nodes)), expected));
  }
});

describe('feasibility', () => {
  const table: [what: string, shape: ReturnType<typeof pd>, nodes: GpuNode[], reason: RejectionReason, message: RegExp][] = [
    ['prefill TP > decode TP', pd('pd-pack', 1, 4, 1, 2), P5_NODES, 'prefill-tp-exceeds-decode-tp', /prefill TP 4 > decode TP 2: vLLM 0\.11's NixlConnector/],
    ['pack needs more than one node has', pd('pd-pack', 3, 4, 1, 4), P5_NODES, 'gpus-short', /pd-pack needs 16 GPUs on one node .* the largest GPU node has 8/],
    ['spread with one GPU node', pd('pd-spread', 1, 2, 1, 2), ONE_NODE, 'spread-needs-two-nodes', /one GPU node \(box \(8\)\)/],
    ['spread where prefill fits no node', pd('pd-spread', 3, 4, 1, 4), P5_NODES, 'gpus-short', /needs 12 GPUs on one node for prefill and 4 on another/],
    ['TP larger than any node', col(1, 16), P5_NODES, 'tp-exceeds-node', /TP 16 is larger than the largest GPU node \(8 GPUs\)/],
    ['decode TP larger than any node', pd('pd-spread', 1, 16, 1, 16), P5_NODES, 'tp-exceeds-node', /TP 16/],
    ['collocated replicas beyond the cluster', col(5, 4), P5_NODES, 'gpus-short', /5xTP4 needs 20 GPUs in groups of 4; only 4 replicas fit/],
    ['no GPU nodes at all', col(1, 1), [], 'gpus-short', /no GPU nodes/],
  ];
  for (const [what, shape, nodes, reason, message] of table) {
    it(what, () => {
      const r = placeDeployment(shape, nodes);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.reason, reason);
      assert.match(r.message, message);
    });
  }

  it('rejected configs are listed with their reason, not thrown, and do not take a place in the order', () => {
    const plan = planSweep(cluster({ 'gpu-1': 8 }), sweep({
      deployments: [
        { mode: 'pd-pack', prefill: { count: [1], tp: [2, 4] }, decode: { count: [1], tp: [2] } },
        { mode: 'pd-spread', prefill: { count: [1], tp: [2] }, decode: { count: [1], tp: [2] } },
        { mode: 'collocated', replicas: [2, 8], tp: [2] },
      ],
    }));
    assert.deepEqual(plan.deployments.map((d) => [d.index, d.id]), [[0, 'pd-pack-1p-tp2-1d-tp2'], [1, 'collocated-2x-tp2']]);
    assert.deepEqual(plan.rejected.map((r) => [r.id, r.source, r.reason]), [
      ['pd-pack-1p-tp4-1d-tp2', 0, 'prefill-tp-exceeds-decode-tp'],
      ['pd-spread-1p-tp2-1d-tp2', 1, 'spread-needs-two-nodes'],
      ['collocated-8x-tp2', 2, 'gpus-short'],
    ]);
    assert.equal(plan.estimate.rejected, 3);
  });
});

describe('ordering and ids', () => {
  it('the P:D ratio sweep runs the seed order, each deployment once with all its points together', () => {
    const plan = planSweep(p5(), exampleSweep('sweep-pd-ratio.yaml'));
    assert.deepEqual(plan.deployments.map((d) => d.label), [
      '1P-TP4:1D-TP4 pack', '1P-TP2:1D-TP4 pack', '2P-TP2:1D-TP4 pack',
      '3P-TP2:1D-TP2 pack', '2P-TP2:1D-TP2 pack', '1P-TP2:1D-TP2 pack', '1P-TP2:2D-TP2 pack', '1P-TP2:3D-TP2 pack',
    ]);
    assert.deepEqual(planPoints(plan).map((p) => p.index), Array.from({ length: 48 }, (_, i) => i));
    const order = planPoints(plan).map((p) => p.deploymentId);
    const runs = order.filter((id, i) => id !== order[i - 1]);
    assert.equal(runs.length, plan.deployments.length, 'a deployment was brought up twice');
    assert.deepEqual(plan.deployments[0]!.points.map((p) => p.id), [4, 8, 16, 32, 48, 64].map((c) => `pd-pack-1p-tp4-1d-tp4/isl5000-osl250/c${c}`));
  });

  it('within a deployment: every workload, each over every load point', () => {
    const plan = planSweep(p5(), sweep({
      workloads: [{ isl: 5000, osl: 250 }, { isl: 8000, osl: 1000 }, { isl: 5000, osl: 1, mode: 'prefill-only' }],
      load: { requestRate: [1, 2.5], numPrompts: 100 },
    }));
    assert.deepEqual(plan.deployments[0]!.points.map((p) => `${p.workloadId}/${p.loadId}`), [
      'isl5000-osl250/rr1', 'isl5000-osl250/rr2.5', 'isl8000-osl1000/rr1', 'isl8000-osl1000/rr2.5',
      'isl5000-osl1-prefill-only/rr1', 'isl5000-osl1-prefill-only/rr2.5',
    ]);
    assert.deepEqual(plan.deployments[0]!.points[1]!.load, { kind: 'request-rate', requestRate: 2.5, numPrompts: 100, burstiness: 1 });
  });

  it('ids are deterministic: mode and shape, or the entry name (plus the shape when it expands to several)', () => {
    const s = sweep({
      deployments: [
        { mode: 'collocated', replicas: [4], tp: [2] },
        { mode: 'pd-spread', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] }, backend: 'LIBFABRIC' },
        { name: 'spread-tcp', mode: 'pd-spread', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] }, env: { UCX_TLS: 'tcp' } },
        { name: 'ratio', mode: 'pd-pack', prefill: { count: [1, 2], tp: [2] }, decode: { count: [1], tp: [4] } },
      ],
    });
    const ids = planSweep(p5(), s).deployments.map((d) => d.id);
    assert.deepEqual(ids, ['collocated-4x-tp2', 'pd-spread-1p-tp4-1d-tp4-libfabric', 'spread-tcp', 'ratio-1p-tp2-1d-tp4', 'ratio-2p-tp2-1d-tp4']);
    assert.deepEqual(planSweep(p5(), s).deployments.map((d) => d.id), ids);
    const tcp = planSweep(p5(), s).deployments[2]!;
    assert.deepEqual(tcp.env, { UCX_TLS: 'tcp' });
    assert.ok(tcp.mode === 'pd-spread' && tcp.backend === 'UCX');
  });

  it('the plan is plain JSON data (survives a round trip unchanged)', () => {
    const plan = planSweep(p5(), exampleSweep('sweep-pack-vs-spread.yaml'));
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
  });
});

describe('estimate', () => {
  const t = resolveTimings();
  const w = { isl: 5000, osl: 250, mode: 'mixed' as const };

  const points: [what: string, load: Parameters<typeof estimatePointSeconds>[2], seconds: number][] = [
    ['c16 x 5 prompts: start-up + 5 waves of (TTFT + 250 x TPOT)', { kind: 'concurrency', concurrency: 16, numPrompts: 80 }, 15 + 5 * 3.5],
    ['c4 x 1 prompt: one wave', { kind: 'concurrency', concurrency: 4, numPrompts: 4 }, 15 + 3.5],
    ['c64 with 100 prompts: 2 waves', { kind: 'concurrency', concurrency: 64, numPrompts: 100 }, 15 + 2 * 3.5],
    ['500 prompts at 2/s: arrivals + one request', { kind: 'request-rate', requestRate: 2, numPrompts: 500, burstiness: 1 }, 15 + 250 + 3.5],
    ['500 prompts at 2/s capped at 4 concurrent: the cap rules', { kind: 'request-rate', requestRate: 2, numPrompts: 500, burstiness: 1, maxConcurrency: 4 }, 15 + 125 * 3.5],
  ];
  for (const [what, l, seconds] of points) {
    it(what, () => assert.equal(estimatePointSeconds(t, w, l), seconds));
  }

  it('a fixed per-point time replaces the model', () => {
    assert.equal(estimatePointSeconds(resolveTimings({ benchSecondsPerPoint: 7 }), w, { kind: 'concurrency', concurrency: 64, numPrompts: 320 }), 7);
  });

  it('timings: defaults < cluster file < sweep file < options, field by field', () => {
    const c = cluster({ 'gpu-1': 8 }, { deploySeconds: 100, teardownSeconds: 5 });
    assert.deepEqual(planSweep(c, sweep()).timings, { ...t, deploySeconds: 100, teardownSeconds: 5 });
    const s = sweep({ timings: { deploySeconds: 50 } });
    assert.equal(planSweep(c, s).timings.deploySeconds, 50);
    assert.equal(planSweep(c, s).timings.teardownSeconds, 5);
    assert.equal(planSweep(c, s, { timings: { deploySeconds: 1 } }).timings.deploySeconds, 1);
  });

  it('pack vs spread: deploy + points + teardown per deployment; GPU-hours held and for the cluster', () => {
    const plan = planSweep(p5(), exampleSweep('sweep-pack-vs-spread.yaml'));
    const perDeployment = 180 + 6 * (15 + 5 * 3.5) + 20;
    for (const d of plan.deployments) {
      assert.deepEqual(d.estimate, { deploySeconds: 180, benchSeconds: 195, teardownSeconds: 20, totalSeconds: perDeployment, gpuHours: Math.round(8 * perDeployment / 3.6) / 1000 });
    }
    assert.equal(plan.estimate.totalSeconds, 3 * perDeployment);
    assert.equal(plan.estimate.points, 18);
    assert.equal(plan.estimate.gpuHours, Math.round(3 * 8 * perDeployment / 3.6) / 1000);
    assert.equal(plan.estimate.clusterGpuHours, Math.round(16 * 3 * perDeployment / 3.6) / 1000);
  });

  it('GPU-hours count the GPUs each deployment holds', () => {
    const plan = planSweep(p5(), exampleSweep('sweep-tp-baselines.yaml'), { timings: { benchSecondsPerPoint: 30, deploySeconds: 60, teardownSeconds: 0 } });
    // 2 deployments of 8 GPUs x (60 + 6 x 30) s = 2 x 8 x 240 s
    assert.equal(plan.estimate.gpuHours, Math.round(2 * 8 * 240 / 3.6) / 1000);
    assert.equal(plan.estimate.totalSeconds, 480);
  });

  const durations: [number, string][] = [[45, '45s'], [450, '7m 30s'], [3720, '1h 02m'], [0, '0s']];
  for (const [s, text] of durations) it(`formats ${s}s as ${text}`, () => assert.equal(formatDuration(s), text));
});

describe('plan text', () => {
  it('shows the ordered table, placements, rejected configs with reasons and the estimate', () => {
    const plan = planSweep(cluster({ 'gpu-1': 8, 'gpu-2': 8 }), sweep({
      deployments: [
        { mode: 'pd-spread', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] }, env: { UCX_TLS: 'tcp' } },
        { mode: 'pd-pack', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [2] } },
      ],
    }));
    const text = formatPlan(plan);
    assert.match(text, /^Sweep s on cluster lab: 1 deployment, 2 points, 1 rejected/);
    assert.match(text, /1 +pd-spread-1p-tp4-1d-tp4 +pd-spread +8 +P gpu-1:0-3 +D gpu-2:0-3 +2/);
    assert.match(text, /isl5000-osl250: c4 c16; env UCX_TLS=tcp/);
    assert.match(text, /pd-pack-1p-tp4-1d-tp2 \(deployments\[1\]\): prefill-tp-exceeds-decode-tp: prefill TP 4 > decode TP 2/);
    assert.match(text, /Estimate: \d+m \d+s at least/);
    assert.match(text, /GPU-hours: [\d.]+ held by deployments; [\d.]+ for the whole cluster/);
  });
});
