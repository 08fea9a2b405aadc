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
  const gate = { minGBps: 10, expectedTransports: ['srd'], label: 'worker-1 → worker-2' };
  const result = (f: string) => parseTransferTestResult(fx(`transfer/${f}`));
  const cases: Array<{ name: string; r: TransferTestResult; pass: boolean; cause?: string; match: RegExp }> = [
    { name: 'srd at 11 GB/s', r: result('spread-srd.log'), pass: true, match: /11\.1 GB\/s \(threshold 10\.0 GB\/s\)/ },
    { name: 'ud_verbs', r: result('spread-ud-verbs.log'), pass: false, cause: 'ud_verbs', match: /0\.18 GB\/s over ud_verbs.*rebuild UCX with --with-efa/ },
    { name: 'tcp', r: result('spread-tcp.log'), pass: false, cause: 'tcp', match: /0\.14 GB\/s over tcp.*UCX_TLS/ },
    { name: 'srd but slow', r: result('spread-srd-slow.log'), pass: false, cause: 'bandwidth', match: /4\.23 GB\/s, under the 10\.0 GB\/s threshold/ },
    { name: 'corrupt blocks', r: result('validation-failed.log'), pass: false, cause: 'validation', match: /did not validate on decode rank 0 \(Transfer validation FAILED for layer_3_k/ },
    { name: 'an error', r: { ok: false, strategy: 'spread', backend: 'UCX', ranks: [], error: 'RuntimeError: Transfer failed with state: ERR' }, pass: false, cause: 'error', match: /failed: RuntimeError/ },
    { name: 'spread that landed on one node', r: { ...result('spread-srd.log'), crossNode: false }, pass: false, cause: 'placement', match: /same node/ },
    { name: 'an unexpected transport', r: { ...result('spread-srd.log'), transport: 'rc_verbs' }, pass: false, cause: 'transport', match: /transport rc_verbs, expected srd/ },
    { name: 'unknown transport under 1 GB/s', r: { ...result('spread-ud-verbs.log'), transport: null }, pass: false, cause: 'bandwidth', match: /under 1 GB\/s usually means the wrong transport/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = checkTransfer(c.r, gate);
      assert.equal(v.pass, c.pass, v.message);
      assert.equal(v.cause, c.cause);
      assert.match(v.message, c.match);
      assert.match(v.message, /worker-1 → worker-2/);
    });
  }
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
