// The sample file of scripts/remote/gpu_sampler.sh: nvidia-smi rows in the real tool's shape,
// [N/A] cells, both names of the reasons field, EFA counters beyond 2^53, lines cut short.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clockEventReasonNames, parseGpuSamples, parseReasonMask } from '../../src/parse/gpu-samples.js';

const fixture = (name: string) => readFileSync(path.resolve(import.meta.dirname, '../fixtures/node-outputs/gpu-samples', name), 'utf8');

describe('parseReasonMask', () => {
  const cases: Array<[string, number | undefined]> = [
    ['0x0000000000000000', 0],
    ['0x0000000000000001', 0x1],
    ['0x0000000000000044', 0x44],
    ['0x00000000000000A8', 0xa8],
    ['[N/A]', undefined],
    ['[Not Supported]', undefined],
    ['', undefined],
    ['Active', undefined],
  ];
  for (const [cell, want] of cases) it(`${JSON.stringify(cell)} → ${want}`, () => assert.equal(parseReasonMask(cell), want));
});

describe('clockEventReasonNames', () => {
  const cases: Array<[number, string[]]> = [
    [0, []],
    [0x1, ['gpu_idle']],
    [0x4 | 0x40, ['sw_power_cap', 'hw_thermal_slowdown']],
    [0x8 | 0x80, ['hw_slowdown', 'hw_power_brake_slowdown']],
    [0x1000, ['0x1000']],
  ];
  for (const [mask, want] of cases) it(`0x${mask.toString(16)} → ${want.join(', ') || 'none'}`, () => assert.deepEqual(clockEventReasonNames(mask), want));
});

describe('parseGpuSamples', () => {
  it('reads a p5 sample file: meta, GPU rows with [N/A], EFA counters; skips an nvidia-smi error and a cut line', () => {
    const f = parseGpuSamples(fixture('h100-pd-spread-prefill.csv'), 'gpu-1');
    assert.equal(f.node, 'gpu-1');
    assert.equal(f.intervalMs, 1000);
    assert.equal(f.gpuFields.at(-1), 'clocks_event_reasons.active');
    assert.equal(f.gpu.length, 12);
    assert.equal(f.efa.length, 12);
    assert.deepEqual(f.skipped.map((s) => s.reason.slice(0, 11)), ['expected 7 ', 'expected 7 ']);
    assert.deepEqual(f.gpu[0], { tMs: 1733400000105, index: 0, utilPct: 0, memoryUsedMiB: 74321, powerW: 124.61, smClockMHz: 345, reasons: 1 });
    const na = f.gpu.find((s) => s.index === 1 && s.tMs === 1733400003106)!;
    assert.equal(na.powerW, undefined, '[N/A] power is absent, not 0');
    assert.equal(na.utilPct, 100);
    assert.equal(f.efa[0]!.rxBytes, 1048576000n);
  });

  const rows: Array<{ name: string; text: string; want: { gpu?: object[]; efa?: number; skipped?: number; fields?: string[] } }> = [
    {
      name: 'an older driver: clocks_throttle_reasons.active, [Not Supported] power',
      text: 'meta,1,gpu_fields,timestamp;index;utilization.gpu;memory.used;power.draw;clocks.sm;clocks_throttle_reasons.active\n' +
        'gpu,1000,2023/01/01 00:00:00.000, 3, 55, 1000, [Not Supported], 1410, 0x0000000000000040\n',
      want: { gpu: [{ tMs: 1000, index: 3, utilPct: 55, memoryUsedMiB: 1000, smClockMHz: 1410, reasons: 0x40 }] },
    },
    {
      name: 'no reasons field at all (neither name answered)',
      text: 'meta,1,gpu_fields,timestamp;index;utilization.gpu;memory.used;power.draw;clocks.sm\n' +
        'gpu,2000,2023/01/01 00:00:00.000, 0, [N/A], [N/A], 70.10, [N/A]\n',
      want: { gpu: [{ tMs: 2000, index: 0, powerW: 70.1 }] },
    },
    {
      name: 'no meta line: the sampler\'s default fields',
      text: 'gpu,3000,2023/01/01 00:00:00.000, 1, 10, 20, 30.5, 1980, 0x0000000000000000\r\n',
      want: { gpu: [{ tMs: 3000, index: 1, utilPct: 10, memoryUsedMiB: 20, powerW: 30.5, smClockMHz: 1980, reasons: 0 }] },
    },
    {
      name: 'a CPU head: no GPU fields, EFA only, a counter beyond 2^53',
      text: 'meta,1,gpu_fields,\nefa,4000,rdmap79s0,18446744073709551000,9007199254740993\n',
      want: { gpu: [], efa: 1, fields: [] },
    },
    {
      name: 'garbage: a bad index, an unknown kind, a non-numeric counter, no time',
      text: 'gpu,5000,2023/01/01 00:00:00.000, x, 1, 2, 3, 4, 0x0\nfoo,5000,bar\nefa,5000,rdmap79s0,12,[N/A]\ngpu,,a\n',
      want: { gpu: [], efa: 0, skipped: 4 },
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const f = parseGpuSamples(r.text, 'n');
      if (r.want.gpu) assert.deepEqual(f.gpu, r.want.gpu);
      if (r.want.efa !== undefined) assert.equal(f.efa.length, r.want.efa);
      if (r.want.skipped !== undefined) assert.equal(f.skipped.length, r.want.skipped);
      if (r.want.fields) assert.deepEqual(f.gpuFields, r.want.fields);
    });
  }

  it('keeps 64-bit counters exact', () => {
    const f = parseGpuSamples('efa,1,d,18446744073709551000,9007199254740993\n', 'n');
    assert.equal(f.efa[0]!.rxBytes, 18446744073709551000n);
    assert.equal(f.efa[0]!.txBytes, 9007199254740993n);
  });
});
