// What a deployment's GPUs and EFA devices did during a benchmark point, from the samples of
// scripts/remote/gpu_sampler.sh (src/parse/gpu-samples.ts): energy, mean and p95 power, utilization,
// memory, throttling, bytes over EFA. Pure and deterministic.
//
// Energy is the trapezoid of each GPU's power over time, within the window (the benchmark's time,
// when given) and between its first and last sample there; a sample without power ([N/A]) is
// bridged by its neighbours. Mean power is energy / time per GPU, summed over the GPUs: the
// deployment's draw. p95 power is the 95th percentile of that sum at the sample times where every
// GPU has samples on both sides (each GPU's power linearly interpolated). EFA bytes are counter
// deltas, per device: a counter that goes down was reset (driver reload: the new value is what
// came since) or wrapped past 2^64.
import { clockEventReasonNames, type EfaSample, type GpuSample, type GpuSampleFile } from '../parse/gpu-samples.js';
import type { BenchGpuSummary } from './records.js';

/** Reasons that mean the clocks were held down by something wrong (NVML bits): HW slowdown, SW/HW
 * thermal slowdown, HW power brake. Not the SW power cap (0x4): a real H100 under full load holds its
 * 700 W limit with that bit set in every sample (test/fixtures/node-outputs/h100-device), so it is
 * the normal state of a busy GPU, kept as `powerCappedSamples`, not a reason to distrust a point.
 * Not idle (0x1), application or display clock settings or sync boost either. */
export const THROTTLE_REASON_MASK = 0x8 | 0x20 | 0x40 | 0x80;
/** SW power cap: the GPU at its power limit. */
export const POWER_CAP_REASON = 0x4;

const U64 = 1n << 64n;
/** The sampler's interval when a file does not say. */
const DEFAULT_INTERVAL_MS = 1000;
const WRAP_NEAR = 1n << 63n;

export interface SampleWindow {
  /** Epoch milliseconds (the node's clock, which NTP keeps within milliseconds of the worker's). */
  startMs: number;
  endMs: number;
}

export interface GpuPowerSummary {
  node: string;
  index: number;
  samples: number;
  energyJ?: number;
  meanPowerW?: number;
  p95PowerW?: number;
  meanUtilPct?: number;
  maxMemoryUsedMiB?: number;
  /** Samples with a throttle reason (THROTTLE_REASON_MASK) active. */
  throttledSamples: number;
  throttleReasons: string[];
  /** Samples at the power limit (SW power cap): normal under full load, not throttling. */
  powerCappedSamples: number;
}

/** The record's summary (BenchGpuSummary) with what stays in the sample files: nodes, per-GPU detail. */
export interface GpuSamplingSummary extends BenchGpuSummary {
  /** Nodes whose samples were read. */
  nodes: string[];
  /** GPU samples at the power limit (SW power cap): the GPUs were as busy as their power allows. */
  powerCappedSamples: number;
  efaDevices: number;
  perGpu: GpuPowerSummary[];
  /** Lines of the sample files that could not be read. */
  skippedLines: number;
}

export interface SummarizeOptions {
  /** The GPUs to count, per node (the deployment's placement); default every GPU in the files. */
  gpusByNode?: Record<string, number[]>;
  /** Only this time counts (the benchmark's run); default all samples. */
  window?: SampleWindow;
}

interface Point { t: number; v: number }

/** Linear-interpolated percentile of sorted values (numpy's default). */
export function linearPercentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const pos = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Value of a time series (sorted by t) at time t, linearly interpolated; undefined outside it. */
function valueAt(points: Point[], t: number): number | undefined {
  if (points.length === 0 || t < points[0]!.t || t > points[points.length - 1]!.t) return undefined;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t <= t) lo = mid;
    else hi = mid;
  }
  const a = points[lo]!;
  const b = points[hi]!;
  return b.t === a.t ? b.v : a.v + ((b.v - a.v) * (t - a.t)) / (b.t - a.t);
}

/**
 * The series cut to [start, end], with interpolated end points where the series crosses them. An
 * edge up to `holdMs` past the first or last sample takes that sample's value (the sampler started
 * or stopped less than an interval away from the benchmark); farther, the series ends where it ends.
 */
function clip(points: Point[], w: SampleWindow | undefined, holdMs = 0): Point[] {
  if (!w || points.length === 0) return points;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const edge = (t: number) => valueAt(points, t) ?? (t < first.t && first.t - t <= holdMs ? first.v : t > last.t && t - last.t <= holdMs ? last.v : undefined);
  const inside = points.filter((p) => p.t > w.startMs && p.t < w.endMs);
  const a = edge(w.startMs);
  const b = edge(w.endMs);
  return [...(a !== undefined ? [{ t: w.startMs, v: a }] : []), ...inside, ...(b !== undefined && w.endMs > w.startMs ? [{ t: w.endMs, v: b }] : [])];
}

/** Trapezoid integral of a series (value × seconds). */
export function trapezoid(points: Point[]): number {
  let sum = 0;
  for (let i = 1; i < points.length; i++) sum += ((points[i]!.v + points[i - 1]!.v) / 2) * ((points[i]!.t - points[i - 1]!.t) / 1000);
  return sum;
}

/**
 * A counter's growth over its samples: the sum of the steps, where a step down is a reset (the new
 * value counts from 0) or, from within 2^63 of 2^64, a wrap. Returns the cumulative series.
 */
export function counterGrowth(samples: Array<{ tMs: number; value: bigint }>): Array<{ tMs: number; total: bigint }> {
  const sorted = [...samples].sort((a, b) => a.tMs - b.tMs);
  const out: Array<{ tMs: number; total: bigint }> = [];
  let total = 0n;
  sorted.forEach((s, i) => {
    if (i > 0) {
      const prev = sorted[i - 1]!.value;
      if (s.value >= prev) total += s.value - prev;
      else if (prev >= WRAP_NEAR) total += U64 - prev + s.value;
      else total += s.value;
    }
    out.push({ tMs: s.tMs, total });
  });
  return out;
}

/** Bytes a set of EFA samples moved within the window: per device, the counter growth, summed. */
function efaBytes(samples: EfaSample[], pick: (s: EfaSample) => bigint, w: SampleWindow | undefined, holdMs: number): number {
  const byDevice = new Map<string, EfaSample[]>();
  for (const s of samples) {
    const list = byDevice.get(s.device);
    if (list) list.push(s);
    else byDevice.set(s.device, [s]);
  }
  let sum = 0;
  for (const list of byDevice.values()) {
    const growth = counterGrowth(list.map((s) => ({ tMs: s.tMs, value: pick(s) })));
    // Interpolate in Number: the growth over one benchmark is far below 2^53 bytes.
    const pts = clip(growth.map((g) => ({ t: g.tMs, v: Number(g.total) })), w, holdMs);
    if (pts.length >= 2) sum += pts[pts.length - 1]!.v - pts[0]!.v;
  }
  return Math.round(sum);
}

function summarizeGpu(node: string, index: number, samples: GpuSample[], w: SampleWindow | undefined, holdMs: number): { summary: GpuPowerSummary; power: Point[] } {
  const sorted = [...samples].sort((a, b) => a.tMs - b.tMs);
  const inWindow = w ? sorted.filter((s) => s.tMs >= w.startMs && s.tMs <= w.endMs) : sorted;
  const power = clip(sorted.filter((s) => s.powerW !== undefined).map((s) => ({ t: s.tMs, v: s.powerW! })), w, holdMs);
  const summary: GpuPowerSummary = { node, index, samples: inWindow.length, throttledSamples: 0, throttleReasons: [], powerCappedSamples: 0 };
  if (power.length >= 2 && power[power.length - 1]!.t > power[0]!.t) {
    summary.energyJ = trapezoid(power);
    summary.meanPowerW = summary.energyJ / ((power[power.length - 1]!.t - power[0]!.t) / 1000);
  }
  const watts = inWindow.flatMap((s) => (s.powerW !== undefined ? [s.powerW] : [])).sort((a, b) => a - b);
  const p95 = linearPercentile(watts, 95);
  if (p95 !== undefined) summary.p95PowerW = p95;
  const util = inWindow.flatMap((s) => (s.utilPct !== undefined ? [s.utilPct] : []));
  if (util.length > 0) summary.meanUtilPct = util.reduce((a, b) => a + b, 0) / util.length;
  const mem = inWindow.flatMap((s) => (s.memoryUsedMiB !== undefined ? [s.memoryUsedMiB] : []));
  if (mem.length > 0) summary.maxMemoryUsedMiB = Math.max(...mem);
  const reasons = new Set<string>();
  for (const s of inWindow) {
    if ((s.reasons ?? 0) & POWER_CAP_REASON) summary.powerCappedSamples++;
    const t = (s.reasons ?? 0) & THROTTLE_REASON_MASK;
    if (t === 0) continue;
    summary.throttledSamples++;
    for (const n of clockEventReasonNames(t)) reasons.add(n);
  }
  summary.throttleReasons = [...reasons].sort();
  return { summary, power };
}

/** The summary of the sample files of a point's nodes (samplesPaths is left for the caller to fill). */
export function summarizeGpuSamples(files: GpuSampleFile[], opts: SummarizeOptions = {}): GpuSamplingSummary {
  const w = opts.window;
  const gpus: Array<{ summary: GpuPowerSummary; power: Point[] }> = [];
  for (const f of files) {
    const wanted = opts.gpusByNode?.[f.node];
    const byIndex = new Map<number, GpuSample[]>();
    for (const s of f.gpu) {
      if (wanted && !wanted.includes(s.index)) continue;
      const list = byIndex.get(s.index);
      if (list) list.push(s);
      else byIndex.set(s.index, [s]);
    }
    const holdMs = 1.5 * (f.intervalMs ?? DEFAULT_INTERVAL_MS);
    for (const [index, samples] of [...byIndex.entries()].sort((a, b) => a[0] - b[0])) gpus.push(summarizeGpu(f.node, index, samples, w, holdMs));
  }
  const per = gpus.map((g) => g.summary);
  const sum = (xs: Array<number | undefined>) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);
  const withEnergy = per.filter((g) => g.energyJ !== undefined);
  const out: GpuSamplingSummary = {
    nodes: files.map((f) => f.node),
    gpus: per.length,
    samples: sum(per.map((g) => g.samples)),
    seconds: Math.max(0, ...gpus.map((g) => (g.power.length >= 2 ? (g.power[g.power.length - 1]!.t - g.power[0]!.t) / 1000 : 0))),
    throttled: per.some((g) => g.throttledSamples > 0),
    throttleReasons: [...new Set(per.flatMap((g) => g.throttleReasons))].sort(),
    throttledSamples: sum(per.map((g) => g.throttledSamples)),
    powerCappedSamples: sum(per.map((g) => g.powerCappedSamples)),
    efaDevices: new Set(files.flatMap((f) => f.efa.map((e) => `${f.node}/${e.device}`))).size,
    perGpu: per,
    skippedLines: sum(files.map((f) => f.skipped.length)),
    samplesPaths: [],
  };
  if (withEnergy.length > 0) {
    out.energyJ = sum(withEnergy.map((g) => g.energyJ));
    out.meanPowerW = sum(withEnergy.map((g) => g.meanPowerW));
  }
  const p95 = linearPercentile(totalPowerSeries(gpus.map((g) => g.power)).sort((a, b) => a - b), 95);
  if (p95 !== undefined) out.p95PowerW = p95;
  const utilSamples = per.filter((g) => g.meanUtilPct !== undefined);
  if (utilSamples.length > 0) out.meanUtilPct = sum(utilSamples.map((g) => g.meanUtilPct! * g.samples)) / Math.max(1, sum(utilSamples.map((g) => g.samples)));
  const mem = per.flatMap((g) => (g.maxMemoryUsedMiB !== undefined ? [g.maxMemoryUsedMiB] : []));
  if (mem.length > 0) out.maxMemoryUsedMiB = Math.max(...mem);
  const efa = files.flatMap((f) => f.efa.map((e) => ({ ...e, device: `${f.node}/${e.device}` })));
  if (efa.length > 0) {
    const holdMs = 1.5 * Math.max(...files.map((f) => f.intervalMs ?? DEFAULT_INTERVAL_MS));
    out.efaRxBytes = efaBytes(efa, (s) => s.rxBytes, w, holdMs);
    out.efaTxBytes = efaBytes(efa, (s) => s.txBytes, w, holdMs);
  }
  return out;
}

/** The GPUs' summed power at every sample time where each GPU's series covers it. */
function totalPowerSeries(series: Point[][]): number[] {
  const live = series.filter((s) => s.length > 0);
  if (live.length === 0) return [];
  const from = Math.max(...live.map((s) => s[0]!.t));
  const to = Math.min(...live.map((s) => s[s.length - 1]!.t));
  const times = [...new Set(live.flatMap((s) => s.map((p) => p.t)).filter((t) => t >= from && t <= to))].sort((a, b) => a - b);
  return times.map((t) => live.reduce((acc, s) => acc + valueAt(s, t)!, 0));
}
