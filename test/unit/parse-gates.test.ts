import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  checkInventory, checkTransfer, libfabricWarning, parseFiInfo, parseNvidiaSmiQuery, parseTransferTestResult,
  type NodeInventory, type TransferTestResult,
} from '../../src/parse/index.js';

const fx = (p: string) => readFileSync(new URL(`../fixtures/node-outputs/${p}`, import.meta.url), 'utf8');

function node(name: string, gpuFile: string, efaFile: string): NodeInventory {
  const efa = parseFiInfo(fx(efaFile));
  const inv: NodeInventory = { node: name, gpus: parseNvidiaSmiQuery(fx(gpuFile)), efaDevices: efa.devices.length };
  if (efa.note) inv.efaNote = efa.note;
  return inv;
}

describe('checkInventory', () => {
  const p5 = { gpus: 8, gpuModel: 'H100', efaDevices: 32 };
  const cases: Array<{ name: string; actual: NodeInventory[]; expect: RegExp[] }> = [
    { name: 'a matching p5 pair', actual: [node('worker-1', 'nvidia-smi/h100x8-noheader.csv', 'fi-info/p5-efa-32.txt'), node('worker-2', 'nvidia-smi/h100x8-noheader.csv', 'fi-info/p5-efa-32.txt')], expect: [] },
    {
      name: 'a worker with 7 GPUs',
      actual: [node('worker-1', 'nvidia-smi/h100x8-noheader.csv', 'fi-info/p5-efa-32.txt'), node('worker-2', 'nvidia-smi/h100x7-crlf-escapes.csv', 'fi-info/p5-efa-32.txt')],
      expect: [/^node worker-2: 7 GPUs, the cluster file says 8 \(nvidia-smi lists 0-6\)/],
    },
    {
      name: 'an H200 box without EFA declared as a p5',
      actual: [node('worker-1', 'h200x2/query-gpu.csv', 'fi-info/not-installed.txt'), node('worker-2', 'nvidia-smi/h100x8-noheader.csv', 'fi-info/p5-efa-32.txt')],
      expect: [
        /^node worker-1: 2 GPUs, the cluster file says 8/,
        /^node worker-1: GPU model "NVIDIA H200" on GPU 0-1, the cluster file says "H100"/,
        /^node worker-1: 0 EFA devices, the cluster file says 32 \(fi_info is not installed/,
      ],
    },
    { name: 'a node that did not report', actual: [node('worker-1', 'nvidia-smi/h100x8-noheader.csv', 'fi-info/p5-efa-32.txt')], expect: [/^node worker-2: no inventory reported/] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problems = checkInventory([{ node: 'worker-1', ...p5 }, { node: 'worker-2', ...p5 }], c.actual);
      assert.equal(problems.length, c.expect.length, problems.join('\n'));
      c.expect.forEach((re, i) => assert.match(problems[i]!, re));
    });
  }
  it('does not check GPUs of a CPU head, and flags an undeclared node', () => {
    const problems = checkInventory([{ node: 'head', gpus: 0 }], [{ node: 'head', gpus: [], efaDevices: 0 }, { node: 'stray', gpus: [], efaDevices: 0 }]);
    assert.deepEqual(problems, ['node stray: reported an inventory but is not in the cluster file']);
  });
  it('accepts the full GPU name in the cluster file', () => {
    assert.deepEqual(checkInventory([{ node: 'w', gpus: 8, gpuModel: 'NVIDIA H100 80GB HBM3' }], [node('w', 'nvidia-smi/h100x8-noheader.csv', 'fi-info/p5-efa-32.txt')]), []);
  });
});

describe('checkTransfer', () => {
  // The reference cluster's gate: fail under 2 GB/s, warn under 10, median of 3 timed READs.
  const gate = { minGBps: 2, targetGBps: 10, minSamples: 3, expectedTransports: ['srd'], label: 'worker-1 → worker-2' };
  const result = (f: string) => parseTransferTestResult(fx(`transfer/${f}`));
  const bytes = 1_677_721_600;
  /** The result with its rank's timed READs at these GB/s (after one warm-up). */
  const timed = (r: TransferTestResult, gbps: number[]): TransferTestResult => ({
    ...r, warmup: 1, ranks: r.ranks.map((k) => ({ ...k, samples: gbps.map((g) => ({ seconds: bytes / (g * 1e9), bytes })) })),
  });
  const srd = (gbps: number[]) => timed(result('spread-srd.log'), gbps);
  const cases: Array<{ name: string; r: TransferTestResult; pass: boolean; cause?: string; match: RegExp; warn?: RegExp; gbps?: number }> = [
    { name: 'srd at 11 GB/s', r: srd([11.1, 11.3, 10.9]), pass: true, match: /11\.1 GB\/s \(median of 3 READs after 1 warm-up\) \(floor 2\.00 GB\/s, target 10\.0 GB\/s\)/, gbps: 11.1 },
    // The seed's own notes: 4-5 GB/s on EFA passes, with a warning naming the target.
    { name: 'srd at 4.5 GB/s: passes under the target, warned', r: srd([4.4, 4.6, 4.5]), pass: true, match: /4\.50 GB\/s/, warn: /under the 10\.0 GB\/s target \(network\.targetBandwidthGBps\) but over the floor/, gbps: 4.5 },
    { name: 'srd under the floor', r: srd([1.5, 1.2, 1.9]), pass: false, cause: 'bandwidth', match: /1\.50 GB\/s \(median of 3 READs after 1 warm-up\), under the 2\.00 GB\/s floor \(network\.minBandwidthGBps\)/, gbps: 1.5 },
    // One slow READ (a late connection, a busy GPU) does not fail the gate: the median does not move.
    { name: 'one slow outlier among fast READs', r: srd([0.3, 11.0, 11.2]), pass: true, match: /11\.0 GB\/s/, gbps: 11.0 },
    { name: 'an even count takes the mean of the middle two', r: srd([4, 6, 10, 12]), pass: true, match: /8\.00 GB\/s \(median of 4 READs/, warn: /target/, gbps: 8 },
    { name: 'one timed READ is not enough', r: srd([11]), pass: false, cause: 'samples', match: /decode rank 0 timed 1 READ\(s\); the gate takes the median of at least 3 after a warm-up: run transfer_test\.py with --iters 3 --warmup 1/ },
    { name: 'a result without samples (one READ, set-up included)', r: result('spread-srd.log'), pass: false, cause: 'samples', match: /timed 0 READ/ },
    { name: 'ud_verbs', r: timed(result('spread-ud-verbs.log'), [0.18, 0.18, 0.18]), pass: false, cause: 'ud_verbs', match: /0\.18 GB\/s \(median of 3.*over ud_verbs.*rebuild UCX with --with-efa/ },
    { name: 'tcp', r: result('spread-tcp.log'), pass: false, cause: 'tcp', match: /0\.14 GB\/s \(one READ\) over tcp.*UCX_TLS/ },
    { name: 'corrupt blocks', r: result('validation-failed.log'), pass: false, cause: 'validation', match: /did not validate on decode rank 0 \(Transfer validation FAILED for layer_3_k/ },
    { name: 'an error', r: { ok: false, strategy: 'spread', backend: 'UCX', ranks: [], error: 'RuntimeError: Transfer failed with state: ERR' }, pass: false, cause: 'error', match: /failed: RuntimeError/ },
    { name: 'spread that landed on one node', r: { ...srd([11, 11, 11]), crossNode: false }, pass: false, cause: 'placement', match: /same node/ },
    { name: 'an unexpected transport', r: { ...srd([11, 11, 11]), transport: 'rc_verbs' }, pass: false, cause: 'transport', match: /transport rc_verbs, expected srd/ },
    { name: 'unknown transport under 1 GB/s', r: { ...timed(result('spread-ud-verbs.log'), [0.18, 0.2, 0.19]), transport: null }, pass: false, cause: 'bandwidth', match: /under 1 GB\/s usually means the wrong transport/ },
    { name: 'unknown transport at full speed passes (the gate does not guess)', r: { ...srd([11, 11, 11]), transport: null }, pass: true, match: /spread transfer worker-1 → worker-2 \(UCX\): 11\.0 GB\/s/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = checkTransfer(c.r, gate);
      assert.equal(v.pass, c.pass, v.message);
      assert.equal(v.cause, c.cause);
      assert.match(v.message, c.match);
      assert.match(v.message, /worker-1 → worker-2/);
      if (c.warn) assert.match(v.warning ?? '', c.warn);
      else assert.equal(v.warning, undefined);
      if (c.gbps !== undefined) assert.ok(Math.abs(v.measuredGBps! - c.gbps) < 1e-9, `${v.measuredGBps}`);
    });
  }
  it('without a target nothing warns (the pack gate)', () => {
    const v = checkTransfer(srd([1.5, 1.5, 1.5]), { minGBps: 1 });
    assert.equal(v.pass, true);
    assert.equal(v.warning, undefined);
  });
  it('reports the measured figure', () => {
    assert.equal(checkTransfer(result('spread-ud-verbs.log'), gate).measuredGBps, 0.18137);
  });
});

describe('libfabricWarning', () => {
  const cases: Array<[string, string[] | undefined, boolean]> = [
    ['0.11.0', undefined, true],
    ['v0.11.2', ['UCX', 'LIBFABRIC'], true],
    ['0.10.2', undefined, true],
    ['0.11.0', ['UCX'], false],
    ['0.12.0', undefined, false],
    ['1.0.0', undefined, false],
    ['unknown', undefined, false],
  ];
  for (const [version, backends, warns] of cases) {
    it(`${version} ${backends?.join('+') ?? 'LIBFABRIC'} → ${warns ? 'warns' : 'quiet'}`, () => {
      const w = libfabricWarning(version, backends);
      assert.equal(w !== undefined, warns);
      if (w) assert.match(w, /vllm-project\/vllm\/issues\/27055.*UCX backend/);
    });
  }
});
