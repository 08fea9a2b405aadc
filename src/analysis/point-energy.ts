// Energy and cost of a benchmark point (InferenceX-style): output tokens per joule from the GPU
// samples, cost per million output tokens from the nodes' hourly prices, and a "suspect" flag on a
// point whose GPUs throttled. Pure and deterministic (the sweep workflow may call it).
import type { PlannedDeployment } from '../plan/types.js';
import type { GpuSamplingSummary, SampleWindow } from './gpu-energy.js';
import { withFlags } from './known-bad.js';
import type { BenchGpuSummary, BenchPointRecord, RecordFlag } from './records.js';

/** The GPU indices a deployment holds on each of its nodes (its placement). */
export function gpusByNodeOf(dep: PlannedDeployment): Record<string, number[]> {
  const roles = dep.mode === 'collocated' ? [dep.replicas] : [dep.prefill, dep.decode];
  const out: Record<string, number[]> = {};
  for (const inst of roles.flatMap((r) => r.instances)) out[inst.node] = [...new Set([...(out[inst.node] ?? []), ...inst.gpus])].sort((a, b) => a - b);
  return out;
}

/** The nodes of a cluster file as far as prices go (ClusterConfig fits). */
export interface PricedNodes {
  nodes: Array<{ name: string; gpus: { count: number }; pricing?: { hourlyUsd: number } | undefined }>;
}

/**
 * What a deployment costs per hour: for each node it uses, the node's hourlyUsd times the share of
 * the node's GPUs the deployment holds (the rest of the node could serve something else; a CPU head
 * is not charged). Undefined when any of its nodes has no price.
 */
export function deploymentHourlyUsd(cluster: PricedNodes, dep: PlannedDeployment): number | undefined {
  let total = 0;
  const used = Object.entries(gpusByNodeOf(dep));
  if (used.length === 0) return undefined;
  for (const [name, gpus] of used) {
    const node = cluster.nodes.find((n) => n.name === name);
    const price = node?.pricing?.hourlyUsd;
    if (!node || price === undefined || node.gpus.count <= 0) return undefined;
    total += price * Math.min(1, gpus.length / node.gpus.count);
  }
  return total;
}

/**
 * The window of a point's benchmark run on the worker's clock, for stopGpuSampling: the last
 * metrics.durationSec seconds of the bench activity (vLLM's own duration, without the initial test
 * request), or the whole activity when the record has no metrics.
 */
export function benchWindowOf(r: Pick<BenchPointRecord, 'timings' | 'metrics'>): SampleWindow {
  const start = Date.parse(r.timings.startedAt);
  const end = start + r.timings.durationSec * 1000;
  const bench = r.metrics?.durationSec;
  return { startMs: bench !== undefined && bench > 0 ? Math.max(start, end - bench * 1000) : start, endMs: end };
}

/** The record's compact form of a sampling summary (the per-GPU detail stays in the sample files). */
export function benchGpuSummaryOf(s: GpuSamplingSummary): BenchGpuSummary {
  const g: BenchGpuSummary = {
    gpus: s.gpus, samples: s.samples, seconds: s.seconds, throttled: s.throttled, throttleReasons: [...s.throttleReasons],
    throttledSamples: s.throttledSamples, powerCappedSamples: s.powerCappedSamples, samplesPaths: [...s.samplesPaths],
  };
  for (const k of ['energyJ', 'meanPowerW', 'p95PowerW', 'meanUtilPct', 'maxMemoryUsedMiB', 'efaRxBytes', 'efaTxBytes'] as const) {
    if (s[k] !== undefined) g[k] = s[k];
  }
  return g;
}

/** The flag of a point whose GPUs throttled: its numbers may not be what the hardware does. */
export function throttleFlag(g: Pick<BenchGpuSummary, 'throttled' | 'throttleReasons' | 'throttledSamples' | 'samples'>): RecordFlag | undefined {
  if (!g.throttled) return undefined;
  return {
    kind: 'suspect',
    reason: `GPUs throttled during the benchmark (${g.throttleReasons.join(', ')} in ${g.throttledSamples} of ${g.samples} samples): clocks were held down, so the numbers may understate the hardware`,
  };
}

/**
 * The record with its GPU summary and price: `summary` from stopGpuSampling (absent when the point
 * was not sampled), `hourlyUsd` from deploymentHourlyUsd (absent without prices). A throttled point
 * gets a "suspect" flag, so it is shown but never on the frontier and never "best".
 */
export function withGpuSummary(r: BenchPointRecord, summary?: GpuSamplingSummary, hourlyUsd?: number): BenchPointRecord {
  let out: BenchPointRecord = { ...r };
  if (hourlyUsd !== undefined && Number.isFinite(hourlyUsd) && hourlyUsd > 0) out.hourlyUsd = hourlyUsd;
  if (summary && (summary.samples > 0 || summary.efaRxBytes !== undefined)) {
    out.gpu = benchGpuSummaryOf(summary);
    const flag = throttleFlag(out.gpu);
    if (flag) out = withFlags(out, [flag]);
  }
  return out;
}

/**
 * Output tokens per joule: the benchmark's output throughput over the GPUs' mean draw during it
 * (tokens/s over J/s; the same as tokens over energy in one window, and independent of how long
 * the window was). Undefined without both.
 */
export function outputTokensPerJoule(r: Pick<BenchPointRecord, 'metrics' | 'gpu'>): number | undefined {
  const tps = r.metrics?.outputThroughput;
  const watts = r.gpu?.meanPowerW;
  return tps !== undefined && watts !== undefined && watts > 0 && tps > 0 ? tps / watts : undefined;
}

/** USD per million output tokens: the deployment's price per second over its output throughput. */
export function costPerMillionOutputTokensUsd(r: Pick<BenchPointRecord, 'metrics' | 'hourlyUsd'>): number | undefined {
  const tps = r.metrics?.outputThroughput;
  return r.hourlyUsd !== undefined && tps !== undefined && tps > 0 ? (r.hourlyUsd / 3600 / tps) * 1e6 : undefined;
}
