import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ParseError, parseNvidiaSmiBanner, parseNvidiaSmiQuery, parseNvidiaSmiTopo } from '../../src/parse/index.js';

const fx = (p: string) => readFileSync(new URL(`../fixtures/node-outputs/${p}`, import.meta.url), 'utf8');

describe('parseNvidiaSmiQuery', () => {
  const cases: Array<{ file: string; count: number; first: Record<string, unknown>; opts?: { fields: string[] } }> = [
    { file: 'h200x2/query-gpu.csv', count: 2, first: { index: 0, name: 'NVIDIA H200', memoryTotalMiB: 143771, driverVersion: '580.159.04', pciBusId: '00000000:00:06.0', uuid: 'GPU-79c284ee-05f7-51b2-7c45-3e8dfabba777' } },
    { file: 'h200x2/query-gpu-header.csv', count: 2, first: { index: 0, name: 'NVIDIA H200', memoryTotalMiB: 143771, driverVersion: '580.159.04' } },
    { file: 'nvidia-smi/h100x8-noheader.csv', count: 8, first: { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, pciBusId: '00000000:53:00.0' } },
    { file: 'nvidia-smi/h100x8-header-nounits.csv', count: 8, first: { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 74321, utilizationGpuPct: 97 } },
    { file: 'nvidia-smi/h100x7-crlf-escapes.csv', count: 7, first: { index: 0, name: 'NVIDIA H100 80GB HBM3', driverVersion: '550.127.05' } },
    { file: 'nvidia-smi/na-values.csv', count: 1, first: { index: 0, name: 'NVIDIA H100 80GB HBM3', driverVersion: '550.127.05', pciBusId: '00000000:53:00.0' } },
    { file: 'nvidia-smi/no-devices.txt', count: 0, first: {} },
    { file: 'nvidia-smi/wrong-columns.csv', count: 1, first: { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559 }, opts: { fields: ['index', 'name', 'memory.total'] } },
  ];
  for (const c of cases) {
    it(`reads ${c.file}`, () => {
      const gpus = parseNvidiaSmiQuery(fx(c.file), c.opts);
      assert.equal(gpus.length, c.count);
      if (c.count > 0) assert.deepEqual({ ...gpus[0], ...c.first }, gpus[0]);
      assert.deepEqual(gpus.map((g) => g.index), [...Array(c.count).keys()]);
    });
  }

  it('leaves [N/A] values out', () => {
    assert.equal(parseNvidiaSmiQuery(fx('nvidia-smi/na-values.csv'))[0]!.memoryTotalMiB, undefined);
  });

  const broken: Array<{ name: string; text: string; match: RegExp }> = [
    { name: 'driver failure', text: fx('nvidia-smi/driver-failure.txt'), match: /could not talk to the driver.*line 1/ },
    { name: 'column count off (default fields)', text: fx('nvidia-smi/wrong-columns.csv'), match: /expected 6 columns .* found 3 \(line 1/ },
    { name: 'the default table instead of CSV', text: fx('h200x2/nvidia-smi.txt'), match: /expected the CSV of --query-gpu/ },
    { name: 'empty output', text: '\n\n', match: /empty output/ },
    { name: 'non-numeric index in a later row', text: '0, NVIDIA H100 80GB HBM3, 81559 MiB, 550.1, 0:53:00.0, GPU-1\nx, NVIDIA H100 80GB HBM3, 81559 MiB, 550.1, 0:64:00.0, GPU-2\n', match: /GPU index "x" is not a number \(line 2/ },
  ];
  for (const b of broken) {
    it(`refuses ${b.name}`, () => {
      assert.throws(() => parseNvidiaSmiQuery(b.text), (e: unknown) => e instanceof ParseError && e.tool === 'nvidia-smi' && b.match.test(e.message));
    });
  }
});

describe('parseNvidiaSmiBanner', () => {
  it('reads driver and CUDA versions', () => {
    assert.deepEqual(parseNvidiaSmiBanner(fx('h200x2/nvidia-smi.txt')), { driverVersion: '580.159.04', cudaVersion: '13.0', smiVersion: '580.159.04' });
  });
  it('refuses a driver failure', () => {
    assert.throws(() => parseNvidiaSmiBanner(fx('nvidia-smi/driver-failure.txt')), /could not talk to the driver/);
  });
});

describe('parseNvidiaSmiTopo', () => {
  it('reads the h200 capture with escape codes around the header', () => {
    const t = parseNvidiaSmiTopo(fx('h200x2/topo.txt'));
    assert.deepEqual(t.gpus, ['GPU0', 'GPU1']);
    assert.deepEqual(t.nics, []);
    assert.equal(t.links.GPU0!.GPU1, 'NV18');
    assert.equal(t.links.GPU1!.GPU1, 'X');
    assert.deepEqual(t.affinity.GPU0, { 'CPU Affinity': '0-31', 'NUMA Affinity': '0', 'GPU NUMA ID': 'N/A' });
  });
  it('reads a p5 matrix with NIC columns and the NIC legend', () => {
    const t = parseNvidiaSmiTopo(fx('nvidia-smi/topo-p5-nics.txt'));
    assert.equal(t.gpus.length, 8);
    assert.deepEqual(t.nics, ['NIC0', 'NIC1', 'NIC2', 'NIC3']);
    assert.equal(t.links.GPU0!.NIC0, 'PIX');
    assert.equal(t.links.NIC3!.GPU7, 'PIX');
    assert.equal(t.affinity.GPU5!['NUMA Affinity'], '1');
    assert.equal(t.nicNames.NIC2, 'rdmap113s0');
  });
  it('refuses output without a matrix', () => {
    assert.throws(() => parseNvidiaSmiTopo(fx('nvidia-smi/topo-garbage.txt')), (e: unknown) => e instanceof ParseError && /no header line naming GPU0.*line 1/.test(e.message));
  });
  it('refuses a row shorter than the header', () => {
    assert.throws(() => parseNvidiaSmiTopo('\tGPU0\tGPU1\tCPU Affinity\nGPU0\t X \n'), /row GPU0 has 1 link cells, the header names 2 devices \(line 2/);
  });
});
