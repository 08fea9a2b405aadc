// A node's identity (inventory.sh with --venv, --ucx-prefix, --model) read into what records carry:
// hardware (GPU model, count, memory, driver, CUDA, EFA) and versions (pins overridden by what the
// nodes report). Real nvidia-smi output of an H200 pair; ucx_info -v as UCX 1.19 prints it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseLastJsonLine, readInventory } from '../../src/parse/index.js';
import { hardwareOfIdentities, identityOfInventory, versionsOfIdentities, type NodeIdentity } from '../../src/analysis/node-identity.js';
import { hardwareLabel } from '../../src/analysis/hardware.js';

const fx = (p: string) => readFileSync(new URL(`../fixtures/node-outputs/${p}`, import.meta.url), 'utf8');

const UCX_V = `# Library version: 1.19.0
# Library path: /home/ubuntu/pdflow/ucx/lib/libucs.so.0
# API headers version: 1.19.0
# Git branch '', revision e4bb802
# Configured with: --disable-logging --disable-debug --disable-assertions --disable-params-check --prefix=/home/ubuntu/pdflow/ucx --with-efa --with-verbs --enable-mt
`;

function line(o: { venvInfo?: unknown; stack?: unknown } = {}) {
  return {
    script: 'inventory', hostname: 'gpu-1', cpus: 192, memTotalKiB: 2_000_000_000,
    nvidiaSmi: { path: '/usr/bin/nvidia-smi', queryFields: 'index,name,memory.total,driver_version,pci.bus_id,uuid', exitCode: 0, query: fx('h200x2/query-gpu.csv'), banner: fx('h200x2/nvidia-smi.txt') },
    efa: { sysfsPath: '/sys/class/infiniband', sysfsDevices: ['rdmap0s6', 'rdmap0s7'] },
    fiInfo: { path: '/opt/amazon/efa/bin/fi_info', version: 'fi_info: 2.1.0amzn3.0\nlibfabric: 2.1.0amzn3.0\nlibfabric api: 2.1', exitCode: 0, efa: '' },
    disk: { path: '/w', measuredAt: '/w', freeBytes: 1e12, totalBytes: 2e12 },
    python: { path: '/usr/bin/python3.11', version: '3.11.9' },
    venv: o.venvInfo === undefined ? null : { path: '/w/venv', exists: true, info: o.venvInfo },
    ...(o.stack === undefined ? {} : { stack: o.stack }),
    prerequisites: { os: { id: 'ubuntu', version: '22.04' }, commands: {}, headers: {} },
  };
}

const PACKAGES = { vllm: '0.11.0', 'flashinfer-python': '0.4.1', ray: '2.51.0', nixl: '0.6.1', torch: '2.8.0', 'huggingface-hub': null };

describe('readInventory: the stack facts', () => {
  const cases: Array<{ name: string; venvInfo?: unknown; stack?: unknown; packages: Record<string, string>; ucx?: string; revision?: string }> = [
    { name: 'an older script (no venv, no stack)', packages: {} },
    { name: 'venv packages, absent ones left out', venvInfo: { python: '3.11.9', packages: PACKAGES }, packages: { vllm: '0.11.0', 'flashinfer-python': '0.4.1', ray: '2.51.0', nixl: '0.6.1', torch: '2.8.0' } },
    { name: 'a venv probe that printed nothing usable', venvInfo: {}, packages: {} },
    { name: 'ucx_info -v and the cached revision', stack: { ucxInfo: { exitCode: 0, version: UCX_V }, model: 'openai/gpt-oss-120b', modelRevision: 'b5c939de8f754692c1647ca79fbf85e8c1e70f8a' }, packages: {}, ucx: '1.19.0', revision: 'b5c939de8f754692c1647ca79fbf85e8c1e70f8a' },
    { name: 'ucx_info missing (not built yet), model not cached', stack: { ucxInfo: { exitCode: null, version: '' }, model: 'openai/gpt-oss-120b', modelRevision: null }, packages: {} },
    { name: 'ucx_info that cannot load its libraries', stack: { ucxInfo: { exitCode: 127, version: 'ucx_info: error while loading shared libraries: libucs.so.0' }, model: null, modelRevision: null }, packages: {} },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const inv = readInventory(line({ venvInfo: c.venvInfo, stack: c.stack }));
      assert.deepEqual(inv.packages, c.packages);
      assert.equal(inv.ucxVersion, c.ucx);
      assert.equal(inv.modelRevision, c.revision);
    });
  }
});

describe('identityOfInventory', () => {
  it('reads what inventory.sh printed on a real H100 (test/fixtures/node-outputs/h100-device)', () => {
    const json = parseLastJsonLine(fx('h100-device/inventory-stack.out'));
    assert.deepEqual(identityOfInventory('gpu-1', readInventory(json)), {
      node: 'gpu-1', gpuCount: 1, gpuModel: 'NVIDIA H100 80GB HBM3', gpuMemoryMiB: 81559, driverVersion: '580.159.04', cudaVersion: '13.0',
      efaDevices: 0, packages: {}, modelRevision: 'b5c939de8f754692c1647ca79fbf85e8c1e70f8a',
    });
  });
  it('takes the GPUs, driver, CUDA, EFA, libfabric and the stack from a real H200 pair', () => {
    const inv = readInventory(line({ venvInfo: { packages: PACKAGES }, stack: { ucxInfo: { exitCode: 0, version: UCX_V }, model: 'm/x', modelRevision: 'abc123' } }));
    assert.deepEqual(identityOfInventory('worker-1', inv), {
      node: 'worker-1', gpuCount: 2, gpuModel: 'NVIDIA H200', gpuMemoryMiB: 143771, driverVersion: '580.159.04', cudaVersion: '13.0', efaDevices: 2,
      libfabric: '2.1.0amzn3.0', packages: { vllm: '0.11.0', 'flashinfer-python': '0.4.1', ray: '2.51.0', nixl: '0.6.1', torch: '2.8.0' }, ucx: '1.19.0', modelRevision: 'abc123',
    });
  });
});

const node = (name: string, o: Partial<NodeIdentity> = {}): NodeIdentity => ({
  node: name, gpuCount: 8, gpuModel: 'NVIDIA H100 80GB HBM3', gpuMemoryMiB: 81559, driverVersion: '580.95.05', cudaVersion: '13.0', efaDevices: 32,
  libfabric: '2.1.0amzn3.0', packages: { vllm: '0.11.0', nixl: '0.6.1', ray: '2.51.0', torch: '2.8.0', 'flashinfer-python': '0.4.1' }, ucx: '1.20.0', modelRevision: 'abc', ...o,
});
const head = node('head', { gpuCount: 0, gpuModel: undefined, gpuMemoryMiB: undefined, efaDevices: 0 });

describe('hardwareOfIdentities', () => {
  const cases: Array<{ name: string; ids: NodeIdentity[]; nodes: string[]; expect: unknown }> = [
    {
      name: 'the deployment\'s node', ids: [head, node('w1'), node('w2', { gpuModel: 'NVIDIA H200', gpuMemoryMiB: 143771 })], nodes: ['w2'],
      expect: { gpusPerNode: 8, efaDevices: 32, source: 'inventory', gpuModel: 'NVIDIA H200', gpuMemoryMiB: 143771, driverVersion: '580.95.05', cudaVersion: '13.0' },
    },
    {
      name: 'nodes that differ: every model and driver, the smallest count, memory and EFA',
      ids: [node('w1'), node('w2', { gpuCount: 7, gpuModel: 'NVIDIA H200', gpuMemoryMiB: 143771, driverVersion: '575.57.08', efaDevices: 16 })], nodes: ['w1', 'w2'],
      expect: { gpusPerNode: 7, efaDevices: 16, source: 'inventory', gpuModel: 'NVIDIA H100 80GB HBM3 / NVIDIA H200', gpuMemoryMiB: 81559, driverVersion: '575.57.08 / 580.95.05', cudaVersion: '13.0' },
    },
    { name: 'a deployment on no identified node: every GPU node (never the CPU head)', ids: [head, node('w1')], nodes: ['w9'], expect: { gpusPerNode: 8, efaDevices: 32, source: 'inventory', gpuModel: 'NVIDIA H100 80GB HBM3', gpuMemoryMiB: 81559, driverVersion: '580.95.05', cudaVersion: '13.0' } },
    { name: 'no GPU node identified', ids: [head], nodes: ['w1'], expect: undefined },
    { name: 'a node whose nvidia-smi said little', ids: [node('w1', { gpuMemoryMiB: undefined, driverVersion: undefined, cudaVersion: undefined })], nodes: ['w1'], expect: { gpusPerNode: 8, efaDevices: 32, source: 'inventory', gpuModel: 'NVIDIA H100 80GB HBM3' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(hardwareOfIdentities(c.ids, c.nodes), c.expect));
});

describe('versionsOfIdentities', () => {
  const pins = { vllm: '0.11.0', nixl: '0.6.1', ucx: '1.20.0', ray: '2.51.0' };
  const cases: Array<{ name: string; ids: NodeIdentity[]; nodes: string[]; expect: Record<string, string> }> = [
    {
      name: 'the nodes\' versions over the pins, and what only the nodes know',
      ids: [node('w1', { packages: { vllm: '0.11.1rc2', nixl: '0.6.1', ray: '2.51.0', torch: '2.8.0' } })], nodes: ['w1'],
      expect: { vllm: '0.11.1rc2', nixl: '0.6.1', ucx: '1.20.0', ray: '2.51.0', torch: '2.8.0', libfabric: '2.1.0amzn3.0', model: 'abc' },
    },
    {
      name: 'nodes that differ show both values',
      ids: [node('w1'), node('w2', { packages: { vllm: '0.11.2', nixl: '0.6.1', ray: '2.51.0', torch: '2.8.0', 'flashinfer-python': '0.4.1' }, ucx: '1.19.0' })], nodes: ['w1', 'w2'],
      expect: { vllm: '0.11.0 / 0.11.2', nixl: '0.6.1', ucx: '1.19.0 / 1.20.0', ray: '2.51.0', torch: '2.8.0', flashinfer: '0.4.1', libfabric: '2.1.0amzn3.0', model: 'abc' },
    },
    {
      name: 'an empty venv keeps the pins',
      ids: [node('w1', { packages: {}, ucx: undefined, libfabric: undefined, modelRevision: undefined })], nodes: ['w1'], expect: pins,
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(versionsOfIdentities(c.ids, c.nodes, pins), c.expect));
});

describe('hardwareLabel', () => {
  const cases: Array<{ h: Parameters<typeof hardwareLabel>[0]; expect: string }> = [
    { h: undefined, expect: 'hardware not recorded' },
    { h: { gpusPerNode: 8, source: 'default' }, expect: '8 GPUs per node (model unknown)' },
    { h: { gpuModel: 'H200', gpusPerNode: 8, source: 'folder-name' }, expect: '8x H200 per node' },
    { h: { gpuModel: 'NVIDIA H100 80GB HBM3', gpusPerNode: 8, efaDevices: 32, source: 'cluster-file' }, expect: '8x H100 80GB HBM3 per node' },
    { h: { gpuModel: 'NVIDIA H100 80GB HBM3', gpusPerNode: 8, gpuMemoryMiB: 81559, driverVersion: '580.95.05', cudaVersion: '13.0', efaDevices: 32, source: 'inventory' }, expect: '8x H100 80GB HBM3 per node (81559 MiB, driver 580.95.05, CUDA 13.0, 32 EFA)' },
  ];
  for (const c of cases) it(c.expect, () => assert.equal(hardwareLabel(c.h), c.expect));
});
