// The pure pieces of the stage activities and the sweep's progress: what reaches the node's
// scripts for a planned deployment or point, the Ray gate, the smoke deployment, the ETA.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseClusterYaml, parseSweepYaml, validateCluster, type ClusterConfig } from '../../src/config/index.js';
import { planSweep, type Plan, type PlannedCollocatedDeployment } from '../../src/plan/index.js';
import { deployArgs, deploymentGone, smallestPdDeployment, type DeploymentState } from '../../src/activities/stages/serve.js';
import { benchArgs } from '../../src/activities/stages/bench.js';
import { judgeTransfer, TIMED_READS, transferTestArgs } from '../../src/activities/stages/validate.js';
import type { TransferTestResult } from '../../src/parse/index.js';
import { checkRayJson, judgeRayNodes, RayStatusResultSchema } from '../../src/parse/index.js';
import { rayNodeArgs } from '../../src/activities/stages/ray.js';
import { nodeLayout } from '../../src/activities/stages/layout.js';
import { estimateRemainingSec } from '../../src/workflows/sweep-progress.js';
import type { SweepCarry } from '../../src/workflows/sweep-types.js';
import type { BenchPointRecord } from '../../src/analysis/index.js';

const examples = path.resolve(import.meta.dirname, '../../examples');
function ok<T>(r: { ok: true; value: T } | { ok: false; issues: unknown[] }): T {
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return r.value;
}
const p5 = ok(parseClusterYaml(readFileSync(path.join(examples, 'cluster-p5.yaml'), 'utf8'), 'cluster-p5.yaml'));
const plan = (file: string): Plan => planSweep(p5, ok(parseSweepYaml(readFileSync(path.join(examples, file), 'utf8'), file)));
const hostOf = (name: string) => p5.nodes.find((n) => n.name === name)!.host;
const flag = (args: string[], f: string) => { const i = args.indexOf(f); return i < 0 ? undefined : args[i + 1]; };

describe('deployArgs', () => {
  const pvs = plan('sweep-pack-vs-spread.yaml');
  const cases = [
    { id: 'pd-pack-1p-tp4-1d-tp4', mode: 'pd-pack', same: true },
    { id: 'pd-spread-1p-tp4-1d-tp4', mode: 'pd-spread', same: false },
  ];
  for (const c of cases) {
    it(`${c.id}: mode, counts, TPs and the nodes of prefill and decode`, () => {
      const dep = pvs.deployments.find((d) => d.id === c.id)!;
      assert.ok(dep, `plan has ${pvs.deployments.map((d) => d.id).join(', ')}`);
      const a = deployArgs(p5, dep, 20);
      assert.equal(a[0], 'deploy');
      assert.equal(flag(a, '--mode'), c.mode);
      assert.equal(flag(a, '--p-tp'), '4');
      assert.equal(flag(a, '--d-tp'), '4');
      assert.equal(flag(a, '--backend'), 'UCX');
      assert.equal(flag(a, '--timeout'), '1200');
      assert.equal(flag(a, '--model-id'), 'gptoss');
      assert.equal(flag(a, '--host'), hostOf('head'));
      assert.equal(flag(a, '--prefill-node') === flag(a, '--decode-node'), c.same);
    });
  }
  it('the sweep\'s engine.maxModelLen reaches serve_app.py as --max-model-len', () => {
    const dep = pvs.deployments[0]!;
    assert.equal(flag(deployArgs(p5, dep, 20, { maxModelLen: 32768 }), '--max-model-len'), '32768');
    assert.equal(flag(deployArgs(p5, dep, 20, pvs.engine), '--max-model-len'), '16000');
    assert.equal(deployArgs(p5, dep, 20).includes('--max-model-len'), false, 'the smoke deploy keeps serve_app.py\'s default');
  });
  it('passes the deployment env as --env K=V, one argument each', () => {
    const dep = pvs.deployments.find((d) => Object.keys(d.env).length > 0)!;
    const a = deployArgs(p5, dep, 5);
    assert.equal(flag(a, '--env'), 'UCX_TLS=tcp');
  });
  it('collocated: replicas × TP, pinned to the one node they fit on', () => {
    const dep = plan('sweep-tp-baselines.yaml').deployments.find((d): d is PlannedCollocatedDeployment => d.mode === 'collocated' && d.replicas.tp === 2)!;
    const a = deployArgs(p5, dep, 20);
    assert.deepEqual([flag(a, '--replicas'), flag(a, '--tp')], ['4', '2']);
    assert.equal(flag(a, '--node'), dep.replicas.instances[0]!.node, 'the node\'s name (its Ray label), never its SSH host');
  });
});

describe('benchArgs', () => {
  const p = plan('sweep-pd-ratio.yaml');
  const point = p.deployments[0]!.points.find((x) => x.load.kind === 'concurrency' && x.load.concurrency === 16)!;
  it('the seed flags for a concurrency point: 5 prompts per unit', () => {
    const a = benchArgs(p5, point, '/w/results/x', '/w/venv', p.bench);
    assert.equal(flag(a, '--max-concurrency'), '16');
    assert.equal(flag(a, '--num-prompts'), '80');
    assert.deepEqual([flag(a, '--isl'), flag(a, '--osl')], ['5000', '250']);
    assert.equal(flag(a, '--result-filename'), 'c16.json');
    assert.equal(flag(a, '--base-url'), `http://${hostOf('head')}:8000`);
    assert.equal(flag(a, '--request-rate'), '1000000000');
  });
  it('a request-rate point with a concurrency cap, and extra args after --', () => {
    const rr = { ...point, loadId: 'rr2', load: { kind: 'request-rate' as const, requestRate: 2, numPrompts: 500, burstiness: 1, maxConcurrency: 64 } };
    const a = benchArgs(p5, rr, '/r', '/v', { ...p.bench, extraArgs: ['--goodput', 'ttft:500'] });
    assert.equal(flag(a, '--request-rate'), '2');
    assert.equal(flag(a, '--max-concurrency'), '64');
    assert.deepEqual(a.slice(a.indexOf('--')), ['--', '--goodput', 'ttft:500']);
  });
});

describe('judgeRayNodes', () => {
  // Ray's state API node records as ray.sh returns them; addresses differ from the SSH hosts on purpose.
  const rec = (name: string | null, ip: string, gpus: number, state = 'ALIVE', head = false) => ({
    node_id: `${ip}-id`, node_ip: ip, state, is_head_node: head,
    labels: { 'ray.io/node-id': `${ip}-id`, ...(name ? { 'pdflow-node': name } : {}) } as Record<string, string>,
    resources_total: { CPU: 4, ...(gpus ? { GPU: gpus } : {}) },
  });
  const want = p5.nodes.map((n) => ({ name: n.name, gpus: n.gpus.count }));
  const [h, w1, w2] = p5.nodes.map((n) => n.name) as [string, string, string];
  const all = [rec(h, '172.31.0.10', 0, 'ALIVE', true), rec(w1, '172.31.0.11', 8), rec(w2, '172.31.0.12', 8)];
  const cases = [
    { name: 'every node and GPU, with the address each has in Ray', p: { connected: true, nodes: all }, healthy: true,
      match: new RegExp(`3 nodes, 16 GPUs: ${h} 172\\.31\\.0\\.10, ${w1} 172\\.31\\.0\\.11 \\(8 GPUs\\)`) },
    { name: 'a dead worker is named', p: { connected: true, nodes: [all[0]!, all[1]!, rec(w2, '172.31.0.12', 8, 'DEAD')] }, healthy: false,
      match: new RegExp(`missing node\\(s\\) ${w2}: 2 of 3 nodes alive`) },
    { name: 'a node Ray knows without our label is named as not ours', p: { connected: true, nodes: [all[0]!, all[1]!, rec(null, '172.31.0.99', 8)] }, healthy: false,
      match: /not started by pdflow.*172\.31\.0\.99|172\.31\.0\.99 not started by pdflow/ },
    { name: 'a worker started without its GPUs', p: { connected: true, nodes: [all[0]!, all[1]!, rec(w2, '172.31.0.12', 0)] }, healthy: false,
      match: new RegExp(`${w2} \\(172\\.31\\.0\\.12\\) shows 0 of 8 GPUs.*--num-gpus 8`) },
    { name: 'Ray not running', p: { connected: false, error: 'URLError: Connection refused' }, healthy: false, match: /not running on the head \(URLError: Connection refused\)/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = judgeRayNodes(want, c.p);
      assert.equal(r.healthy, c.healthy, r.summary);
      assert.match(r.summary, c.match);
    });
  }
  it('the status line of ray.sh is schema-checked: a missing field is named', () => {
    assert.throws(() => checkRayJson({ script: 'ray', action: 'status', probe: { connected: true } }, 'ray.sh status', RayStatusResultSchema), /rayStatusExitCode/);
    assert.throws(() => checkRayJson({ script: 'ray', action: 'status', rayStatusExitCode: 0, probe: { connected: true, nodes: [{ node_ip: '1.2.3.4' }] } }, 'ray.sh status', RayStatusResultSchema), /probe\.nodes\.0\.node_id/);
  });
});

describe('smallestPdDeployment', () => {
  it('1P-TP1:1D-TP1 packed on one GPU node', () => {
    const d = smallestPdDeployment(p5);
    assert.equal(d.mode, 'pd-pack');
    assert.equal(d.gpus, 2);
    assert.equal(d.nodes.length, 1);
  });
  it('a cluster without GPUs says why it cannot', () => {
    const cpuOnly = ok(validateCluster({ name: 'cpu', ssh: { user: 'u' }, model: { id: 'm/x', servedName: 'x' }, nodes: [{ name: 'head', host: '10.0.0.1', role: 'head', gpus: { count: 0 } }, { name: 'w', host: '10.0.0.2', role: 'worker', gpus: { count: 1 } }] }) as ReturnType<typeof validateCluster>) as ClusterConfig;
    assert.throws(() => smallestPdDeployment(cpuOnly), /cannot run even 1P-TP1:1D-TP1 pack/);
  });
});

describe('estimateRemainingSec', () => {
  const p = plan('sweep-demo.yaml');
  const carry = (over: Partial<SweepCarry>): SweepCarry => ({
    records: [], failedDeployments: [], cursor: { deployment: 0, point: 0 }, generation: 0, paused: false,
    startedAt: new Date(0).toISOString(), gpuSecondsSpent: 0, continuedAsNew: 0, ...over,
  });
  it('at the start: the plan\'s total', () => {
    assert.equal(Math.round(estimateRemainingSec(p, carry({}))), Math.round(p.estimate.totalSeconds));
  });
  it('at the end: nothing left', () => {
    assert.equal(estimateRemainingSec(p, carry({ cursor: { deployment: p.deployments.length, point: 0 } })), 0);
  });
  it('a lazy plan (no point lists) estimates like the eager one: at the start, mid-deployment and after it', () => {
    const lazy = planSweep(p5, ok(parseSweepYaml(readFileSync(path.join(examples, 'sweep-demo.yaml'), 'utf8'), 'sweep-demo.yaml')), { lazyPoints: true });
    assert.equal(lazy.deployments[0]!.points.length, 0);
    const dep = p.deployments[0]!;
    for (const c of [carry({}), carry({ cursor: { deployment: 0, point: 0 }, deployed: { deploymentId: dep.id, generation: 1 } }), carry({ cursor: { deployment: 1, point: 0 } })]) {
      const eager = estimateRemainingSec(p, c);
      assert.ok(Math.abs(estimateRemainingSec(lazy, c) - eager) < 1e-6 * Math.max(1, eager), `${estimateRemainingSec(lazy, c)} vs ${eager}`);
    }
    // Mid-deployment the lazy one counts its points at their average.
    const mid = carry({ cursor: { deployment: 0, point: 1 }, deployed: { deploymentId: dep.id, generation: 1 } });
    const avg = dep.estimate.benchSeconds / dep.points.length;
    const eagerMid = estimateRemainingSec(p, mid);
    assert.ok(Math.abs(estimateRemainingSec(lazy, mid) - (eagerMid + dep.points[0]!.estimatedSeconds - avg)) < 1e-6 * eagerMid);
  });
  it('scales by how measured points compared with their estimates', () => {
    const dep = p.deployments[0]!;
    const rec = (i: number) => ({ pointId: dep.points[i]!.id, deployment: { id: dep.id }, status: 'ok', timings: { startedAt: '', durationSec: dep.points[i]!.estimatedSeconds * 2 } }) as BenchPointRecord;
    const base = carry({ cursor: { deployment: 0, point: 2 }, deployed: { deploymentId: dep.id, generation: 1 } });
    const plain = estimateRemainingSec(p, base);
    const slow = estimateRemainingSec(p, { ...base, records: [rec(0), rec(1)] });
    assert.ok(Math.abs(slow - 2 * plain) < 1e-6, `${slow} vs 2 × ${plain}`);
  });
});

describe('validate: transfer test arguments and judgement', () => {
  const bytes = 1_677_721_600;
  const result = (gbps: number[], transport: string | null = 'srd', extra: Partial<TransferTestResult> = {}): TransferTestResult => ({
    ok: true, strategy: 'spread', backend: 'UCX', transport, crossNode: true, warmup: 1, error: null,
    ranks: [{ rank: 0, passed: true, mbps: gbps[0]! * 1000, samples: gbps.map((g) => ({ seconds: bytes / (g * 1e9), bytes })) }], ...extra,
  });
  it('one warm-up READ, then TIMED_READS timed ones, against the head\'s Ray', () => {
    const a = transferTestArgs(p5, 'spread');
    assert.equal(flag(a, '--warmup'), '1');
    assert.equal(flag(a, '--iters'), String(TIMED_READS));
    assert.ok(TIMED_READS >= 3);
    assert.equal(flag(a, '--address'), `${hostOf('head')}:6379`);
  });
  const cases: Array<{ name: string; cluster: ClusterConfig; strategy: 'pack' | 'spread'; r: TransferTestResult; pass: boolean; warn?: RegExp }> = [
    { name: 'spread at 11 GB/s: passes, no warning', cluster: p5, strategy: 'spread', r: result([11, 11.2, 10.8]), pass: true },
    { name: 'spread at 4.5 GB/s: passes with the target warning', cluster: p5, strategy: 'spread', r: result([4.5, 4.4, 4.6]), pass: true, warn: /under the 10\.0 GB\/s target/ },
    { name: 'spread at 1.5 GB/s: under the default floor of 2', cluster: p5, strategy: 'spread', r: result([1.5, 1.5, 1.5]), pass: false },
    { name: 'a cluster file\'s own floor and target', cluster: { ...p5, network: { ...p5.network, minBandwidthGBps: 5, targetBandwidthGBps: 8 } }, strategy: 'spread', r: result([6, 6, 6]), pass: true, warn: /under the 8\.00 GB\/s target/ },
    { name: 'pack has no target: no warning at 1.5 GB/s', cluster: p5, strategy: 'pack', r: result([1.5, 1.5, 1.5], 'cuda_ipc', { strategy: 'pack', crossNode: false }), pass: true },
    { name: 'transport unknown: passes on speed, says why it is unknown', cluster: p5, strategy: 'spread', r: result([11, 11, 11], null, { transportEvidence: 'no complete READ table' }), pass: true, warn: /spread transfer: transport unknown: no complete READ table/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { verdict, warnings } = judgeTransfer(c.cluster, c.strategy, c.r);
      assert.equal(verdict.pass, c.pass, verdict.message);
      if (c.warn) assert.ok(warnings.some((w) => c.warn!.test(w)), warnings.join('\n'));
      else assert.deepEqual(warnings, []);
    });
  }
});

describe('ray.sh arguments', () => {
  it('Ray starts with the node env: HF_HOME (so replicas find the provisioned weights), the UCX/NIXL builds, the cluster file\'s ports', () => {
    const l = nodeLayout('/data/pdflow');
    const a = rayNodeArgs(p5, l);
    const envs = a.flatMap((x, i) => (a[i - 1] === '--env' ? [x] : []));
    assert.deepEqual(envs, [`HF_HOME=${l.hfHome}`]);
    assert.equal(flag(a, '--ucx-prefix'), l.ucxPrefix);
    assert.equal(flag(a, '--nixl-prefix'), l.nixlPrefix);
    assert.equal(flag(a, '--venv'), l.venv);
    assert.equal(flag(a, '--port'), '6379');
    assert.equal(flag(a, '--dashboard-port'), '8265');
  });
});

describe('deploymentGone: when a benchmark\'s watch stops it', () => {
  const cases: Array<[string, DeploymentState, RegExp | undefined]> = [
    ['RUNNING and answering', { status: 'healthy', error: null, serveStatus: 'RUNNING', ray: 'connected' }, undefined],
    // /v1/models slow under the benchmark's own load: Serve still says RUNNING.
    ['RUNNING, /v1/models failed', { status: 'failed', error: 'Serve status RUNNING; /v1/models timed out', serveStatus: 'RUNNING', ray: 'connected' }, undefined],
    ['the head unreachable over SSH', { status: 'unreachable', error: 'SshUnreachable', serveStatus: null, ray: null }, undefined],
    // No controller (killed) while Ray is up: Serve cannot say; the replicas may still serve.
    ['Serve cannot be asked', { status: 'failed', error: 'serve.status(): actor died', serveStatus: null, ray: 'connected' }, undefined],
    // The GCS gone (the head rebooted): Serve went with it.
    ['Ray unreachable from the head', { status: 'failed', error: 'ConnectionError: Failed to connect to GCS', serveStatus: null, ray: 'unreachable' }, /^Ray cannot be reached from the head \(ConnectionError: Failed to connect to GCS\)$/],
    ['a replica restarting', { status: 'deploying', error: null, serveStatus: 'DEPLOYING', ray: 'connected' }, /application is DEPLOYING$/],
    ['unhealthy', { status: 'failed', error: 'Serve status UNHEALTHY; replica on 10.0.0.3 died', serveStatus: 'UNHEALTHY', ray: 'connected' }, /UNHEALTHY \(Serve status UNHEALTHY; replica on 10\.0\.0\.3 died\)/],
    ['the application gone', { status: 'absent', error: null, serveStatus: null, ray: 'connected' }, /no application/],
  ];
  for (const [name, st, want] of cases) {
    it(name, () => {
      const got = deploymentGone(st);
      if (want) assert.match(got ?? '', want);
      else assert.equal(got, undefined);
    });
  }
});
