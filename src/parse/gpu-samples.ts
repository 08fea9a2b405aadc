// The file scripts/remote/gpu_sampler.sh writes on a node while a benchmark point runs:
//   meta,<ms>,<key>,<value>                  interval_ms, gpu_fields (";"-separated), host, efa_devices
//   gpu,<ms>,<nvidia-smi --query-gpu row>    --format=csv,noheader,nounits, columns as gpu_fields says
//   efa,<ms>,<device>,<rx_bytes>,<tx_bytes>  sysfs ports/1/hw_counters of one EFA device
// <ms> is the epoch time in milliseconds the line was read. A sampler stopped mid-write leaves a cut
// last line, and nvidia-smi can print an error among its rows: such lines are counted, not fatal.
import { isMissingValue, numberOrUndefined } from './text.js';

/** What the sampler queries when the file does not say (the fields of gpu_sampler.sh, newest driver first). */
export const DEFAULT_GPU_SAMPLE_FIELDS = ['timestamp', 'index', 'utilization.gpu', 'memory.used', 'power.draw', 'clocks.sm', 'clocks_event_reasons.active'] as const;

/** NVML's clock-event (throttle) reason bits, by the names nvidia-smi's per-reason fields use. */
export const CLOCK_EVENT_REASONS: Readonly<Record<string, number>> = {
  gpu_idle: 0x1,
  applications_clocks_setting: 0x2,
  sw_power_cap: 0x4,
  hw_slowdown: 0x8,
  sync_boost: 0x10,
  sw_thermal_slowdown: 0x20,
  hw_thermal_slowdown: 0x40,
  hw_power_brake_slowdown: 0x80,
  display_clock_setting: 0x100,
};

export interface GpuSample {
  /** Epoch milliseconds. */
  tMs: number;
  index: number;
  /** Absent when nvidia-smi printed [N/A] (or the field was not queried). */
  utilPct?: number;
  memoryUsedMiB?: number;
  powerW?: number;
  smClockMHz?: number;
  /** The active clock-event reasons as a bit mask (0x1 = idle). */
  reasons?: number;
}

export interface EfaSample {
  tMs: number;
  device: string;
  /** Counters are 64-bit: kept exact. */
  rxBytes: bigint;
  txBytes: bigint;
}

export interface SkippedSampleLine {
  /** 1-based. */
  line: number;
  reason: string;
}

export interface GpuSampleFile {
  node: string;
  intervalMs?: number;
  /** The nvidia-smi fields of the gpu rows, in order. */
  gpuFields: string[];
  gpu: GpuSample[];
  efa: EfaSample[];
  skipped: SkippedSampleLine[];
}

/** A reasons cell: "0x0000000000000040" → 0x40; "[N/A]", "Not Supported" → undefined. */
export function parseReasonMask(cell: string): number | undefined {
  const s = cell.trim();
  if (!/^0x[0-9a-f]{1,16}$/i.test(s)) return undefined;
  // Only the low bits are defined; BigInt keeps a 16-digit mask exact before taking them.
  return Number(BigInt(s) & 0xffffffffn);
}

/** The names of the bits set in a reasons mask, e.g. 0x44 → ["sw_power_cap", "hw_thermal_slowdown"]; unknown bits as "0x...". */
export function clockEventReasonNames(mask: number): string[] {
  const out: string[] = [];
  let left = mask;
  for (const [name, bit] of Object.entries(CLOCK_EVENT_REASONS)) {
    if ((mask & bit) !== 0) out.push(name);
    left &= ~bit;
  }
  if (left !== 0) out.push(`0x${left.toString(16)}`);
  return out;
}

const num = (cell: string | undefined): number | undefined => (cell === undefined || isMissingValue(cell) ? undefined : numberOrUndefined(cell));

/** Parses one node's sample file; never throws on a bad line (it lands in `skipped`). */
export function parseGpuSamples(text: string, node: string): GpuSampleFile {
  const out: GpuSampleFile = { node, gpuFields: [...DEFAULT_GPU_SAMPLE_FIELDS], gpu: [], efa: [], skipped: [] };
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const skip = (reason: string) => out.skipped.push({ line: i + 1, reason });
    const [kind, ms, ...rest] = line.split(',');
    const tMs = Number(ms);
    if (!ms || !/^\d+$/.test(ms.trim())) return skip(`no epoch milliseconds after "${kind}"`);
    if (kind === 'meta') {
      const key = rest[0]?.trim();
      const value = rest.slice(1).join(',').trim();
      if (key === 'interval_ms' && /^\d+$/.test(value)) out.intervalMs = Number(value);
      else if (key === 'gpu_fields') out.gpuFields = value === '' ? [] : value.split(';').map((f) => f.trim());
      return;
    }
    if (kind === 'gpu') {
      const cells = rest.map((c) => c.trim());
      if (cells.length !== out.gpuFields.length) return skip(`expected ${out.gpuFields.length} nvidia-smi columns (${out.gpuFields.join(', ')}), found ${cells.length}`);
      const s: Partial<GpuSample> = { tMs };
      out.gpuFields.forEach((field, k) => {
        const cell = cells[k]!;
        switch (field) {
          case 'index': if (/^\d+$/.test(cell)) s.index = Number(cell); break;
          case 'utilization.gpu': s.utilPct = num(cell); break;
          case 'memory.used': s.memoryUsedMiB = num(cell); break;
          case 'power.draw': case 'power.draw.instant': case 'power.draw.average': s.powerW ??= num(cell); break;
          case 'clocks.sm': case 'clocks.current.sm': s.smClockMHz = num(cell); break;
          case 'clocks_event_reasons.active': case 'clocks_throttle_reasons.active': s.reasons = parseReasonMask(cell); break;
          default: break;
        }
      });
      if (s.index === undefined) return skip('the GPU index is not a number');
      const sample: GpuSample = { tMs, index: s.index };
      for (const k of ['utilPct', 'memoryUsedMiB', 'powerW', 'smClockMHz', 'reasons'] as const) if (s[k] !== undefined) sample[k] = s[k];
      out.gpu.push(sample);
      return;
    }
    if (kind === 'efa') {
      const [device, rx, tx] = rest.map((c) => c.trim());
      if (rest.length !== 3 || !device || !/^\d+$/.test(rx ?? '') || !/^\d+$/.test(tx ?? '')) return skip('expected efa,<ms>,<device>,<rx_bytes>,<tx_bytes>');
      out.efa.push({ tMs, device, rxBytes: BigInt(rx!), txBytes: BigInt(tx!) });
      return;
    }
    skip(`unknown line kind "${kind}"`);
  });
  return out;
}
