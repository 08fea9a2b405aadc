// Content keys of benchmark points: equal content gives equal keys whatever the run, ids, timings
// or key order; any field of the key changes it; without versions only the software versions drop.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, contentKeyDifferences, contentKeyOf, contentKeyParts, fnv1a64 } from '../../src/analysis/content-key.js';
import type { BenchPointRecord } from '../../src/analysis/records.js';
import { fixtureRecords } from './helpers/bench-fixtures.js';

function rec(): BenchPointRecord {
  return {
    pointId: 'pd-pack-1p-tp4-1d-tp4/isl5000-osl250/c16',
    deployment: {
      id: 'pd-pack-1p-tp4-1d-tp4', name: '1P-TP4:1D-TP4 pd-pack', mode: 'pd-pack', prefill: { count: 1, tp: 4 }, decode: { count: 1, tp: 4 }, gpus: 8, backend: 'UCX',
      env: { UCX_TLS: 'cuda_ipc,cuda_copy,tcp', UCX_RNDV_THRESH: '8k' },
    },
    workload: { isl: 5000, osl: 250, mode: 'mixed' },
    load: { concurrency: 16, numPrompts: 80 },
    status: 'ok',
    metrics: {
      completed: 80, durationSec: 20, requestThroughput: 4, outputThroughput: 1000, totalThroughput: 21000, outputThroughputPerGpu: 125, totalThroughputPerGpu: 2625,
      ttftMs: { mean: 210, median: 200, p99: 800 }, tpotMs: { mean: 8, median: 7.9 }, interactivity: 126.6,
    },
    model: 'openai/gpt-oss-120b',
    servedName: 'gptoss',
    versions: { vllm: '0.11.0', nixl: '0.6.1', ucx: '1.20.0', ray: '2.51.0', flashinfer: '0.2.14.post1' },
    hardware: { gpuModel: 'NVIDIA H100 80GB HBM3', gpusPerNode: 8, gpuMemoryMiB: 81559, driverVersion: '580.159.04', cudaVersion: '13.0', efaDevices: 32, source: 'inventory' },
    timings: { startedAt: '2026-12-01T10:00:00.000Z', durationSec: 20 },
    attempt: 1,
  };
}

type Edit = (r: BenchPointRecord) => void;

describe('contentKeyOf', () => {
  it('FNV-1a 64 matches the published test vectors', () => {
    assert.deepEqual([fnv1a64(''), fnv1a64('a'), fnv1a64('foobar')], ['cbf29ce484222325', 'af63dc4c8601ec8c', '85944171f73967e8']);
  });

  it('is "v1-" and 16 hex digits, "v1n-" without versions', () => {
    assert.match(contentKeyOf(rec()), /^v1-[0-9a-f]{16}$/);
    assert.match(contentKeyOf(rec(), { withVersions: false }), /^v1n-[0-9a-f]{16}$/);
  });

  // Fields that are not content: another run of the same point has other values, same key.
  const notContent: Array<[string, Edit]> = [
    ['pointId', (r) => { r.pointId = 'other-run/x'; }],
    ['deployment id and name', (r) => { r.deployment.id = 'd9'; r.deployment.name = 'renamed'; }],
    ['status, reason and metrics', (r) => { r.status = 'failed'; r.reason = 'boom'; delete r.metrics; }],
    ['timings and attempt', (r) => { r.timings = { startedAt: '2027-01-01T00:00:00.000Z', durationSec: 99 }; r.attempt = 3; }],
    ['aborted attempts', (r) => { r.abortedAttempts = [{ reason: 'x', deploymentState: 'dead', startedAt: 't', attempts: 2 }]; }],
    ['flags', (r) => { r.flags = [{ kind: 'suspect', reason: 'x' }]; }],
    ['paths and import origin', (r) => { r.rawResultPath = '/a'; r.localResultPath = '/b'; r.logPath = '/c'; r.importedFrom = { folder: 'f', file: 'g' }; }],
    ['servedName', (r) => { r.servedName = 'other'; }],
    ['hardware source', (r) => { r.hardware!.source = 'cluster-file'; }],
    ['key order of env, versions, hardware', (r) => {
      r.deployment.env = { UCX_RNDV_THRESH: '8k', UCX_TLS: 'cuda_ipc,cuda_copy,tcp' };
      r.versions = { ray: '2.51.0', flashinfer: '0.2.14.post1', ucx: '1.20.0', nixl: '0.6.1', vllm: '0.11.0' };
      const h = r.hardware!;
      r.hardware = { source: h.source, efaDevices: h.efaDevices!, cudaVersion: h.cudaVersion!, driverVersion: h.driverVersion!, gpuMemoryMiB: h.gpuMemoryMiB!, gpusPerNode: h.gpusPerNode, gpuModel: h.gpuModel! };
    }],
    ['version name case and spaces', (r) => { r.versions = { VLLM: ' 0.11.0', nixl: '0.6.1 ', ucx: '1.20.0', ray: '2.51.0', FlashInfer: '0.2.14.post1' }; }],
  ];
  for (const [name, edit] of notContent) {
    it(`ignores ${name}`, () => {
      const r = rec();
      edit(r);
      assert.equal(contentKeyOf(r), contentKeyOf(rec()));
      assert.equal(contentKeyOf(r, { withVersions: false }), contentKeyOf(rec(), { withVersions: false }));
    });
  }

  // Content: each change gives another key. `version` marks the software versions, which the key
  // without versions ignores (and only those).
  const content: Array<[string, Edit, 'version' | 'content']> = [
    ['the vLLM version', (r) => { r.versions!.vllm = '0.11.1'; }, 'version'],
    ['a component added to versions', (r) => { r.versions!.transformers = '4.57.0'; }, 'version'],
    ['the model revision', (r) => { r.versions!.model = 'b5c1d2e'; }, 'version'],
    ['versions unknown', (r) => { delete r.versions; }, 'version'],
    ['the driver', (r) => { r.hardware!.driverVersion = '590.10'; }, 'version'],
    ['the CUDA version', (r) => { r.hardware!.cudaVersion = '12.8'; }, 'version'],
    ['the model', (r) => { r.model = 'meta-llama/Llama-3.1-8B'; }, 'content'],
    ['the GPU model', (r) => { r.hardware!.gpuModel = 'NVIDIA H200'; }, 'content'],
    ['GPUs per node', (r) => { r.hardware!.gpusPerNode = 4; }, 'content'],
    ['GPU memory', (r) => { r.hardware!.gpuMemoryMiB = 143771; }, 'content'],
    ['GPU memory unknown', (r) => { delete r.hardware!.gpuMemoryMiB; }, 'content'],
    ['EFA devices', (r) => { r.hardware!.efaDevices = 0; }, 'content'],
    ['hardware unknown', (r) => { delete r.hardware; }, 'content'],
    ['the mode', (r) => { r.deployment.mode = 'pd-spread'; }, 'content'],
    ['the prefill count', (r) => { r.deployment.prefill = { count: 2, tp: 4 }; }, 'content'],
    ['the decode TP', (r) => { r.deployment.decode = { count: 1, tp: 8 }; }, 'content'],
    ['GPUs of the deployment', (r) => { r.deployment.gpus = 16; }, 'content'],
    ['the KV backend', (r) => { r.deployment.backend = 'LIBFABRIC'; }, 'content'],
    ['an env value', (r) => { r.deployment.env!.UCX_TLS = 'tcp'; }, 'content'],
    ['an env variable added', (r) => { r.deployment.env!.NCCL_DEBUG = 'INFO'; }, 'content'],
    ['the variant label', (r) => { r.deployment.variant = 'spread-ucx120'; }, 'content'],
    ['ISL', (r) => { r.workload.isl = 8000; }, 'content'],
    ['OSL', (r) => { r.workload.osl = 1000; }, 'content'],
    ['the workload mode', (r) => { r.workload.mode = 'prefill-only'; }, 'content'],
    ['the concurrency', (r) => { r.load.concurrency = 32; }, 'content'],
    ['a request rate', (r) => { r.load.requestRate = 4; }, 'content'],
    ['the prompt count', (r) => { r.load.numPrompts = 160; }, 'content'],
  ];
  for (const [name, edit, kind] of content) {
    it(`changes with ${name}${kind === 'version' ? ' (not without versions)' : ''}`, () => {
      const r = rec();
      edit(r);
      assert.notEqual(contentKeyOf(r), contentKeyOf(rec()));
      const without = contentKeyOf(r, { withVersions: false }) === contentKeyOf(rec(), { withVersions: false });
      assert.equal(without, kind === 'version');
    });
  }

  it('the real fixtures: every point has its own key, with and without versions', () => {
    const records = fixtureRecords();
    assert.ok(records.length >= 30);
    assert.equal(new Set(records.map((r) => contentKeyOf(r))).size, records.length);
    assert.equal(new Set(records.map((r) => contentKeyOf(r, { withVersions: false }))).size, records.length);
  });
});

describe('contentKeyParts and contentKeyDifferences', () => {
  it('parts hold nulls for unknowns and no versions without them', () => {
    const r = rec();
    delete r.hardware;
    delete r.model;
    const p = contentKeyParts(r, { withVersions: false });
    assert.deepEqual(p.hardware, { gpuModel: null, gpusPerNode: null, gpuMemoryMiB: null, efaDevices: null });
    assert.equal(p.model, null);
    assert.equal(p.versions, undefined);
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: null }] }), '{"a":[{"c":null,"d":2}],"b":1}');
  });

  it('names each differing field with both values', () => {
    const b = rec();
    delete b.hardware!.gpuMemoryMiB;
    b.load.concurrency = 32;
    b.deployment.env!.UCX_TLS = 'tcp';
    b.versions!.vllm = '0.11.1';
    assert.deepEqual(contentKeyDifferences(contentKeyParts(rec()), contentKeyParts(b)), [
      'deployment.env.UCX_TLS: cuda_ipc,cuda_copy,tcp → tcp',
      'hardware.gpuMemoryMiB: 81559 → unknown',
      'load.concurrency: 16 → 32',
      'versions.vllm: 0.11.0 → 0.11.1',
    ]);
    assert.deepEqual(contentKeyDifferences(contentKeyParts(rec()), contentKeyParts(rec())), []);
  });
});
