// The simulator's performance model against the real vLLM 0.11 results in the shared fixtures
// (gpt-oss-120b, 2x p5.48xlarge, ISL 5000 / OSL 250): same workload in, numbers close to the
// measured ones out; and a spread deployment on a broken network far off the frontier. Then the
// mechanisms one by one (the load knee, TTFT rising with load, the client's arrival schedule), the
// GPU type through its public specs, and the calibration overrides bench/perf-model.ts refits with.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  PERF_MODEL_PYTHONPATH, perfCalibration, simulateBench, simulateBenchBatch, singleRequestModel, transferModel, type PerfBenchResult, type PerfDeployment,
} from '../../src/sim/perf-model.js';
import { sharedFixture } from './helpers/fixtures.js';

const pd = (pTp: number, dNum: number, dTp: number, mode: 'pd-pack' | 'pd-spread', transport: 'cuda_ipc' | 'srd' | 'ud_verbs' | 'tcp'): PerfDeployment =>
  ({ mode, prefill: { num: 1, tp: pTp }, decode: { num: dNum, tp: dTp }, transport });

const FOLDERS: Record<string, { deployment: PerfDeployment; gpus: number }> = {
  'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4': { deployment: pd(4, 1, 4, 'pd-pack', 'cuda_ipc'), gpus: 8 },
  'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx120': { deployment: pd(4, 1, 4, 'pd-spread', 'srd'), gpus: 8 },
  'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx': { deployment: pd(4, 1, 4, 'pd-spread', 'ud_verbs'), gpus: 8 },
  'gptoss_itl5000_otl250_mixed_1xtp2-2xtp2': { deployment: pd(2, 2, 2, 'pd-pack', 'cuda_ipc'), gpus: 6 },
  gptoss_itl5000_otl250_4xtp2: { deployment: { mode: 'collocated', replicas: 4, tp: 2 }, gpus: 8 },
  gptoss_itl5000_otl250_2xtp4: { deployment: { mode: 'collocated', replicas: 2, tp: 4 }, gpus: 8 },
};

interface Point { name: string; folder: string; real: Record<string, unknown>; sim: PerfBenchResult }

const num = (o: Record<string, unknown>, k: string): number => {
  const v = o[k];
  assert.equal(typeof v, 'number', `${k} should be a number`);
  return v as number;
};
const ratio = (p: Point, k: string) => num(p.sim, k) / num(p.real, k);
const logErr = (p: Point, k: string) => Math.abs(Math.log(ratio(p, k)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('perf model vs the reference cluster (shared fixtures)', () => {
  const points: Point[] = [];

  before(async () => {
    const root = sharedFixture('vllm-bench-0.11');
    const items: Array<{ name: string; folder: string; real: Record<string, unknown> }> = [];
    for (const folder of readdirSync(root).sort()) {
      if (!FOLDERS[folder]) continue;
      for (const file of readdirSync(path.join(root, folder)).sort()) {
        items.push({ name: `${folder}/${file}`, folder, real: JSON.parse(readFileSync(path.join(root, folder, file), 'utf8')) as Record<string, unknown> });
      }
    }
    const sims = await simulateBenchBatch(items.map((i) => ({
      deployment: FOLDERS[i.folder]!.deployment,
      workload: { isl: 5000, osl: 250, numPrompts: num(i.real, 'num_prompts'), maxConcurrency: num(i.real, 'max_concurrency'), requestRate: num(i.real, 'request_rate'), seed: 0 },
    })));
    items.forEach((i, k) => points.push({ ...i, sim: sims[k]! }));
    assert.ok(points.length >= 35, `expected the 40 fixture files, found ${points.length}`);
  });

  // The seed's sweep range: concurrency <= 64 and request rates <= 8 (conc128 / rr16 overload the
  // deployment; the model keeps the trend there but not the last 2x of queueing).
  const inRange = () => points.filter((p) => !/conc128\.json$|rr16\.json$/.test(p.name));

  it('writes exactly the vLLM 0.11 benchmark keys, in order', () => {
    for (const p of points) {
      // The ucx120 runs used a later 0.11 build that also writes "failed"; 0.11.0 does not.
      const realKeys = Object.keys(p.real).slice(Object.keys(p.real).indexOf('duration')).filter((k) => k !== 'failed');
      assert.deepEqual(Object.keys(p.sim), realKeys, p.name);
    }
  });

  it('counts tokens and requests like the real run', () => {
    for (const p of points) {
      for (const k of ['completed', 'total_input_tokens', 'total_output_tokens']) assert.equal(p.sim[k], p.real[k], `${p.name} ${k}`);
    }
  });

  const perPoint: Array<{ key: string; factor: number }> = [
    { key: 'output_throughput', factor: 1.25 },
    { key: 'total_token_throughput', factor: 1.25 },
    { key: 'duration', factor: 1.25 },
    { key: 'mean_tpot_ms', factor: 1.45 },
    { key: 'mean_itl_ms', factor: 1.45 },
    { key: 'mean_ttft_ms', factor: 2.2 },
  ];
  for (const c of perPoint) {
    it(`${c.key} within x${c.factor} of the measured value at every in-range point`, () => {
      for (const p of inRange()) {
        const r = ratio(p, c.key);
        assert.ok(r < c.factor && r > 1 / c.factor, `${p.name}: ${c.key} model ${num(p.sim, c.key).toFixed(1)} vs real ${num(p.real, c.key).toFixed(1)}`);
      }
    });
  }

  const onAverage: Array<{ key: string; factor: number }> = [
    { key: 'output_throughput', factor: 1.06 },
    { key: 'mean_tpot_ms', factor: 1.08 },
    { key: 'median_tpot_ms', factor: 1.09 },
    { key: 'mean_ttft_ms', factor: 1.16 },
    { key: 'median_ttft_ms', factor: 1.18 },
  ];
  for (const c of onAverage) {
    it(`${c.key} within x${c.factor} on average (geometric) over the in-range points`, () => {
      const err = Math.exp(mean(inRange().map((p) => logErr(p, c.key))));
      assert.ok(err < c.factor, `mean error x${err.toFixed(3)}`);
    });
  }

  it('gives the broken-network spread run TTFT in tens of seconds and a tenth of the throughput, with TPOT still normal', () => {
    const broken = points.filter((p) => p.folder.endsWith('-spread-ucx'));
    assert.equal(broken.length, 6);
    for (const p of broken) {
      const good = points.find((q) => q.folder === 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4' && path.basename(q.name) === path.basename(p.name))!;
      assert.ok(num(p.sim, 'mean_ttft_ms') > 10_000, `${p.name}: TTFT ${num(p.sim, 'mean_ttft_ms')}`);
      assert.ok(num(p.sim, 'output_throughput') < 0.15 * num(good.sim, 'output_throughput'), p.name);
      assert.ok(num(p.sim, 'mean_tpot_ms') < 16, `${p.name}: TPOT ${num(p.sim, 'mean_tpot_ms')}`);
    }
  });

  const at = (folder: string, file: string) => points.find((p) => p.folder === folder && path.basename(p.name) === file)!;

  it('rr points: the last request is sent at num_prompts / rate (vLLM 0.11 rescales its gamma gaps), so duration matches', () => {
    for (const p of points.filter((q) => /_rr\d+\.json$/.test(q.name) && !q.name.endsWith('rr16.json'))) {
      const expected = num(p.real, 'num_prompts') / num(p.real, 'request_rate');
      assert.ok(num(p.sim, 'duration') > expected && num(p.sim, 'duration') < expected + 5, `${p.name}: duration ${num(p.sim, 'duration')} vs ${expected} + the last request`);
      assert.ok(Math.abs(ratio(p, 'duration') - 1) < 0.03, `${p.name}: duration model ${num(p.sim, 'duration')} vs real ${num(p.real, 'duration')}`);
    }
  });

  it('has the load knee: PD 1P-TP4:1D-TP4 TPOT at conc128 well above conc64 (real 2.2x), collocated 2xTP4 rr16 above rr8 (real 2.9x)', () => {
    const pack = 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4';
    const coll = 'gptoss_itl5000_otl250_2xtp4';
    const packRise = num(at(pack, 'conc128.json').sim, 'mean_tpot_ms') / num(at(pack, 'conc64.json').sim, 'mean_tpot_ms');
    const collRise = num(at(coll, 'conc512_rr16.json').sim, 'mean_tpot_ms') / num(at(coll, 'conc256_rr8.json').sim, 'mean_tpot_ms');
    assert.ok(packRise > 1.5, `conc128/conc64 TPOT x${packRise.toFixed(2)}`);
    assert.ok(collRise > 2, `rr16/rr8 TPOT x${collRise.toFixed(2)}`);
    // Past the knee the throughput stops growing (real: 3510 at conc128 vs 4218 at conc64).
    assert.ok(num(at(pack, 'conc128.json').sim, 'output_throughput') < 1.1 * num(at(pack, 'conc64.json').sim, 'output_throughput'));
    for (const p of [at(pack, 'conc128.json'), at(coll, 'conc512_rr16.json')]) {
      assert.ok(ratio(p, 'mean_tpot_ms') > 0.7 && ratio(p, 'mean_tpot_ms') < 1.3, `${p.name}: TPOT model ${num(p.sim, 'mean_tpot_ms')} vs real ${num(p.real, 'mean_tpot_ms')}`);
    }
  });

  it('TTFT rises with load as the real one does (PD 1P-TP4:1D-TP4: queueing at the prefill and the decode admission)', () => {
    const pack = 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4';
    const lo = at(pack, 'conc4.json');
    const hi = at(pack, 'conc64.json');
    const over = at(pack, 'conc128.json');
    for (const k of ['mean_ttft_ms', 'median_ttft_ms']) {
      assert.ok(num(hi.sim, k) > 1.3 * num(lo.sim, k), `${k}: conc64 ${num(hi.sim, k).toFixed(0)} vs conc4 ${num(lo.sim, k).toFixed(0)}`);
      assert.ok(num(over.sim, k) > 2 * num(hi.sim, k), `${k}: conc128 ${num(over.sim, k).toFixed(0)} vs conc64 ${num(hi.sim, k).toFixed(0)}`);
    }
  });

  it('puts every broken-network point far off the pareto frontier (throughput/GPU vs interactivity)', () => {
    const pt = (p: Point) => ({ name: p.name, perGpu: num(p.sim, 'output_throughput') / FOLDERS[p.folder]!.gpus, interactivity: 1000 / num(p.sim, 'median_tpot_ms') });
    const good = points.filter((p) => p.folder.endsWith('1xtp4-1xtp4') || p.folder.endsWith('-ucx120')).map(pt);
    for (const bad of points.filter((p) => p.folder.endsWith('-spread-ucx')).map(pt)) {
      // Some good config gives 5x the throughput per GPU at no worse interactivity.
      const dominator = good.find((g) => g.perGpu >= 5 * bad.perGpu && g.interactivity >= 0.9 * bad.interactivity);
      assert.ok(dominator, `${bad.name} (${bad.perGpu.toFixed(1)} tok/s/GPU at ${bad.interactivity.toFixed(0)} tok/s/user) is not dominated`);
    }
  });
});

describe('perf model behaviour', () => {
  const PACK = pd(4, 1, 4, 'pd-pack', 'cuda_ipc');
  const workload = { isl: 5000, osl: 250, numPrompts: 80, maxConcurrency: 16, requestRate: 1e9 };

  it('a slower engine build (slowdown 1.3) makes every step 1.3x longer: TPOT up by that, throughput down, the same noise', async () => {
    const w = { isl: 1000, osl: 100, numPrompts: 64, maxConcurrency: 16, seed: 3 };
    const [base, slow] = await simulateBenchBatch([{ deployment: PACK, workload: w }, { deployment: { ...PACK, slowdown: 1.3 }, workload: w }]);
    const r = (k: string) => (slow![k] as number) / (base![k] as number);
    assert.ok(Math.abs(r('median_tpot_ms') - 1.3) < 0.05, `TPOT x${r('median_tpot_ms')}`);
    assert.ok(r('output_throughput') < 0.85, `throughput x${r('output_throughput')}`);
    await assert.rejects(simulateBench({ ...PACK, slowdown: 0 }, w), /deployment\.slowdown must be a number > 0, got 0/);
  });

  it('is deterministic for a seed and varies a little between seeds', async () => {
    const [a, b, c] = await simulateBenchBatch([
      { deployment: PACK, workload: { ...workload, seed: 1 } },
      { deployment: PACK, workload: { ...workload, seed: 1 } },
      { deployment: PACK, workload: { ...workload, seed: 2 } },
    ]);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.ok(Math.abs((a!.output_throughput as number) / (c!.output_throughput as number) - 1) < 0.06);
  });

  it('adds e2el and every requested percentile with vLLM key names', async () => {
    const r = await simulateBench(PACK, { ...workload, percentileMetrics: ['ttft', 'tpot', 'itl', 'e2el'], percentiles: [50, 90, 99, 99.9] });
    for (const m of ['ttft', 'tpot', 'itl', 'e2el']) {
      for (const k of [`mean_${m}_ms`, `median_${m}_ms`, `std_${m}_ms`, `p50_${m}_ms`, `p90_${m}_ms`, `p99_${m}_ms`, `p99.9_${m}_ms`]) {
        assert.equal(typeof r[k], 'number', k);
      }
      assert.ok((r[`p90_${m}_ms`] as number) <= (r[`p99_${m}_ms`] as number));
    }
  });

  it('spread over TCP is as broken as over ud_verbs; over srd it matches pack', async () => {
    const [pack, srd, tcp] = await simulateBenchBatch(
      (['cuda_ipc', 'srd', 'tcp'] as const).map((t) => ({ deployment: pd(4, 1, 4, t === 'cuda_ipc' ? 'pd-pack' : 'pd-spread', t), workload: { ...workload, maxConcurrency: 32, numPrompts: 160 } })),
    );
    assert.ok(Math.abs((srd!.output_throughput as number) / (pack!.output_throughput as number) - 1) < 0.1);
    assert.ok((tcp!.mean_ttft_ms as number) > 20_000);
  });

  it('honours a request rate (duration ~ prompts / rate when the deployment keeps up)', async () => {
    const r = await simulateBench({ mode: 'collocated', replicas: 2, tp: 4 }, { isl: 5000, osl: 250, numPrompts: 128, maxConcurrency: 64, requestRate: 2 });
    assert.ok((r.duration as number) > 45 && (r.duration as number) < 90, `duration ${r.duration}`);
  });

  it('refuses a bad deployment, naming the field', async () => {
    await assert.rejects(simulateBench({ mode: 'pd-sprad' } as unknown as PerfDeployment, workload), /deployment\.mode 'pd-sprad' is not one of collocated, pd-pack, pd-spread/);
    await assert.rejects(simulateBench({ mode: 'collocated', replicas: 0, tp: 4 }, workload), /deployment\.replicas must be a whole number >= 1, got 0/);
    await assert.rejects(simulateBench(pd(4, 1, 4, 'pd-spread', 'carrier-pigeon' as 'tcp'), workload), /deployment\.transport 'carrier-pigeon'/);
  });
});

describe('GPU type: public specs scale the model (H100 80GB calibrated, H200 141GB HBM3e)', () => {
  const H100 = 'NVIDIA H100 80GB HBM3';
  const H200 = 'NVIDIA H200';
  const on = (gpuModel: string | undefined, dep: PerfDeployment): PerfDeployment => ({ ...dep, ...(gpuModel === undefined ? {} : { gpuModel }) }) as PerfDeployment;
  const load = (c: number) => ({ isl: 5000, osl: 250, numPrompts: 5 * c, maxConcurrency: c, requestRate: null, seed: 0 });
  const deployments: Array<[string, PerfDeployment]> = [
    ['PD 1P-TP4:1D-TP4 pack', pd(4, 1, 4, 'pd-pack', 'cuda_ipc')],
    ['collocated 4xTP2', { mode: 'collocated', replicas: 4, tp: 2 }],
  ];
  for (const [name, dep] of deployments) {
    it(`${name}: H200 decodes faster at high concurrency and serves more, by at most its bandwidth ratio (1.43x); about the same at batch 1`, async () => {
      const [h100hi, h200hi, h100one, h200one] = await simulateBenchBatch([
        { deployment: on(H100, dep), workload: load(64) },
        { deployment: on(H200, dep), workload: load(64) },
        { deployment: on(H100, dep), workload: load(1) },
        { deployment: on(H200, dep), workload: load(1) },
      ]);
      const tpotGain = (h100hi!.mean_tpot_ms as number) / (h200hi!.mean_tpot_ms as number);
      const thrGain = (h200hi!.output_throughput as number) / (h100hi!.output_throughput as number);
      assert.ok(tpotGain > 1.05 && tpotGain <= 4.8 / 3.35, `TPOT H100/H200 at conc64: x${tpotGain.toFixed(3)}`);
      assert.ok(thrGain > 1.03 && thrGain <= 4.8 / 3.35, `throughput H200/H100 at conc64: x${thrGain.toFixed(3)}`);
      const oneGain = (h100one!.mean_tpot_ms as number) / (h200one!.mean_tpot_ms as number);
      assert.ok(oneGain >= 1 && oneGain < 1.15, `TPOT H100/H200 at batch 1: x${oneGain.toFixed(3)} (fixed per-step costs dominate)`);
      // Prefill is compute-bound and the two have the same FLOP/s: TTFT at batch 1 within 5%.
      assert.ok(Math.abs((h200one!.median_ttft_ms as number) / (h100one!.median_ttft_ms as number) - 1) < 0.05);
    });
  }

  it('KV capacity follows memory: a TP1 decode instance (80 GB minus the 64 GiB of weights) is starved on H100, not on H200', async () => {
    const dep: PerfDeployment = { mode: 'pd-pack', prefill: { num: 1, tp: 2 }, decode: { num: 1, tp: 1 }, transport: 'cuda_ipc' };
    const [h100, h200] = await simulateBenchBatch([on(H100, dep), on(H200, dep)].map((deployment) => ({ deployment, workload: load(32) })));
    // On H100 requests wait for KV blocks at the decode (TTFT in seconds, low throughput).
    assert.ok((h100!.median_ttft_ms as number) > 2000, `H100 median TTFT ${h100!.median_ttft_ms}`);
    assert.ok((h200!.median_ttft_ms as number) < 0.25 * (h100!.median_ttft_ms as number), `H200 median TTFT ${h200!.median_ttft_ms}`);
    assert.ok((h200!.output_throughput as number) > 1.1 * (h100!.output_throughput as number));
  });

  it('an unknown or missing GPU model gets the H100 defaults, without error', async () => {
    const dep = pd(4, 1, 4, 'pd-pack', 'cuda_ipc');
    const [named, unknown, missing] = await simulateBenchBatch([on(H100, dep), on('Tesla K80', dep), on(undefined, dep)].map((deployment) => ({ deployment, workload: load(16) })));
    assert.deepEqual(unknown, named);
    assert.deepEqual(missing, named);
    const single = await singleRequestModel(on('NVIDIA GeForce RTX 4090', dep), 5000, 250);
    assert.deepEqual(single, await singleRequestModel(dep, 5000, 250));
  });

  it('a PD role may run on another GPU than the other role (nodes of two kinds)', async () => {
    const dep = pd(4, 1, 4, 'pd-spread', 'srd') as Extract<PerfDeployment, { prefill: unknown }>;
    const [all100, h200Decode] = await simulateBenchBatch([
      { deployment: dep, workload: load(64) },
      { deployment: { ...dep, decode: { ...dep.decode, gpuModel: H200 } }, workload: load(64) },
    ]);
    assert.ok((h200Decode!.mean_tpot_ms as number) < (all100!.mean_tpot_ms as number));
  });

  it('refuses a GPU model that is not a name, naming the field', async () => {
    await assert.rejects(simulateBench({ mode: 'collocated', replicas: 1, tp: 8, gpuModel: 8 as unknown as string }, load(4)), /deployment\.gpuModel must be a GPU name/);
  });

  it('the emulated `vllm bench serve` models the deployment on its engines\' nodes\' GPU (engines.deployment threads gpuModel)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-perf-gpu-'));
    try {
      const nodes = ['n-h200', 'n-h100'].map((name, i) => {
        const stateDir = path.join(dir, name);
        mkdirSync(stateDir, { recursive: true });
        if (i === 0) writeFileSync(path.join(stateDir, 'hardware.json'), JSON.stringify({ gpus: 8, gpuModel: H200 }));
        return { name, role: i === 0 ? 'head' : 'worker', host: `127.0.0.${10 + i}`, stateDir, gpus: 8 };
      });
      writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ nodes }));
      const code = [
        'import json, os',
        'from pdflow_sim import node',
        'from vllm._sim import engines',
        'me = {"pid": os.getpid(), "pidStart": node.pid_start(os.getpid()), "modelIds": ["m"], "model": "m", "maxModelLen": 16000, "backend": "UCX"}',
        'os.makedirs(os.path.join(node.cluster_dir(), "vllm-engines"), exist_ok=True)',
        'for eid, role, n in (("p", "prefill", "n-h200"), ("d", "decode", "n-h100")):',
        '    e = dict(me, engineId=eid, role=role, tp=4, node=n, host=n, gpuModel=node.hardware(n).get("gpuModel"))',
        '    node.write_json_atomic(os.path.join(node.cluster_dir(), "vllm-engines", eid + ".json"), e)',
        'dep = engines.deployment("m")',
        'print(json.dumps([dep["prefill"]["gpuModel"], dep["decode"]["gpuModel"]]))',
      ].join('\n');
      const out = execFileSync('python3', ['-B', '-c', code], {
        env: { ...process.env, PYTHONPATH: [PERF_MODEL_PYTHONPATH, path.resolve(PERF_MODEL_PYTHONPATH, '../vllm')].join(':'), PDFLOW_SIM_CLUSTER: dir },
        encoding: 'utf8',
      });
      assert.deepEqual(JSON.parse(out), [H200, H100]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('calibration overrides (what bench/perf-model.ts refits)', () => {
  const PACK = pd(4, 1, 4, 'pd-pack', 'cuda_ipc');
  const workload = { isl: 5000, osl: 250, numPrompts: 80, maxConcurrency: 16, requestRate: null, seed: 0 };

  it('lists the shipped constants with their ranges', async () => {
    const { values, bounds } = await perfCalibration();
    assert.ok(Object.keys(values).length >= 5);
    for (const [k, v] of Object.entries(values)) {
      const [lo, hi] = bounds[k as keyof typeof bounds];
      assert.ok(v >= lo && v <= hi, `${k}=${v} outside [${lo}, ${hi}]`);
    }
  });

  it('an override moves what it models: a slower request path adds to TTFT only, a faster HBM lowers TPOT', async () => {
    const { values } = await perfCalibration();
    const [base, slowIngress, fastHbm] = await simulateBenchBatch([
      { deployment: PACK, workload },
      { deployment: PACK, workload, calibration: { ingress_ms: values.ingress_ms + 100 } },
      { deployment: PACK, workload, calibration: { hbm_efficiency: Math.min(1, values.hbm_efficiency * 1.25) } },
    ]);
    const dTtft = (slowIngress!.median_ttft_ms as number) - (base!.median_ttft_ms as number);
    assert.ok(dTtft > 80 && dTtft < 130, `median TTFT +${dTtft.toFixed(0)} ms`);
    assert.ok(Math.abs((slowIngress!.mean_tpot_ms as number) / (base!.mean_tpot_ms as number) - 1) < 0.03);
    assert.ok((fastHbm!.mean_tpot_ms as number) < 0.97 * (base!.mean_tpot_ms as number));
  });

  it('refuses an unknown constant or a value out of range, naming it', async () => {
    await assert.rejects(simulateBench(PACK, workload, { calibration: { ingres_ms: 10 } as never }), /calibration\.ingres_ms is not a calibrated constant/);
    await assert.rejects(simulateBench(PACK, workload, { calibration: { hbm_efficiency: 3 } }), /calibration\.hbm_efficiency must be a number in \[0\.2, 1\], got 3/);
  });
});

describe('transfer model (NIXL transfer test)', () => {
  const cases: Array<{ transport: 'srd' | 'cuda_ipc' | 'ud_verbs' | 'tcp'; lo: number; hi: number }> = [
    { transport: 'srd', lo: 10, hi: 12 },
    { transport: 'cuda_ipc', lo: 10, hi: 13 },
    { transport: 'ud_verbs', lo: 0.1, hi: 0.2 },
    { transport: 'tcp', lo: 0.1, hi: 0.2 },
  ];
  for (const c of cases) {
    it(`${c.transport}: ${c.lo}-${c.hi} GB/s for the seed's 1.68 GB READ`, async () => {
      for (const seed of [0, 1, 2]) {
        const { gbps, seconds } = await transferModel(c.transport, 1_677_721_600, seed);
        assert.ok(gbps >= c.lo && gbps <= c.hi, `${gbps}`);
        assert.ok(Math.abs(1_677_721_600 / seconds / 1e9 - gbps) / gbps < 0.05);
      }
    });
  }
});
