// From a parsed `vllm bench serve` result to the metrics and the point record.
import { isUnlimitedRate, type LatencyStats, type VllmBenchResult } from '../parse/vllm-bench.js';
import type { BenchDeployment, BenchLoad, BenchMetrics, BenchPointRecord, BenchWorkload, LatencySummary } from './records.js';

/** Interactivity in tok/s/user: 1000 / median TPOT (ms); null when TPOT is 0 or not finite. */
export function interactivity(medianTpotMs: number): number | null {
  return medianTpotMs > 0 && Number.isFinite(medianTpotMs) ? 1000 / medianTpotMs : null;
}

/** Throughputs (whole and per GPU), latencies and interactivity of one run on `gpus` GPUs. */
export function benchMetrics(result: VllmBenchResult, gpus: number): BenchMetrics {
  if (!(gpus > 0)) throw new RangeError(`gpus must be a positive number, got ${gpus}`);
  const m: BenchMetrics = {
    completed: result.completed,
    durationSec: result.duration,
    requestThroughput: result.requestThroughput,
    outputThroughput: result.outputThroughput,
    totalThroughput: result.totalTokenThroughput,
    outputThroughputPerGpu: result.outputThroughput / gpus,
    totalThroughputPerGpu: result.totalTokenThroughput / gpus,
    ttftMs: summary(result.ttft),
    tpotMs: summary(result.tpot),
    interactivity: interactivity(result.tpot.median),
  };
  if (result.failed !== undefined) m.failed = result.failed;
  if (result.itl) m.itlMs = summary(result.itl);
  if (result.e2el) m.e2elMs = summary(result.e2el);
  if (result.maxOutputTokensPerS !== undefined) m.peakOutputThroughput = result.maxOutputTokensPerS;
  if (result.maxConcurrentRequests !== undefined) m.peakConcurrentRequests = result.maxConcurrentRequests;
  return m;
}

function summary(s: LatencyStats): LatencySummary {
  const out: LatencySummary = { mean: s.mean, median: s.median };
  const p99 = s.percentiles['99'];
  if (p99 !== undefined) out.p99 = p99;
  return out;
}

/** The load a result was run with: the concurrency cap and the rate, unless unlimited. */
export function loadFromBench(result: VllmBenchResult): BenchLoad {
  const load: BenchLoad = { numPrompts: result.numPrompts };
  if (result.maxConcurrency !== null && result.maxConcurrency < 1e9) load.concurrency = result.maxConcurrency;
  if (!isUnlimitedRate(result.requestRate)) load.requestRate = result.requestRate!;
  return load;
}

export interface PointContext {
  pointId: string;
  deployment: BenchDeployment;
  workload: BenchWorkload;
  /** Default: from the result (loadFromBench). */
  load?: BenchLoad;
  timings: { startedAt: string; durationSec: number };
  attempt?: number;
  rawResultPath?: string;
  localResultPath?: string;
  logPath?: string;
  versions?: Record<string, string>;
  servedName?: string;
  importedFrom?: { folder: string; file: string };
}

/**
 * The record of a finished run. A run where no request completed, or whose latencies are not
 * numbers, is recorded as failed with the reason; partial failures stay "ok" with a reason.
 */
export function pointFromBench(result: VllmBenchResult, ctx: PointContext): BenchPointRecord {
  const rec: BenchPointRecord = {
    pointId: ctx.pointId,
    deployment: ctx.deployment,
    workload: ctx.workload,
    load: ctx.load ?? loadFromBench(result),
    status: 'ok',
    timings: ctx.timings,
    attempt: ctx.attempt ?? 1,
  };
  if (result.modelId) rec.model = result.modelId;
  if (ctx.servedName) rec.servedName = ctx.servedName;
  if (ctx.rawResultPath) rec.rawResultPath = ctx.rawResultPath;
  if (ctx.localResultPath) rec.localResultPath = ctx.localResultPath;
  if (ctx.importedFrom) rec.importedFrom = ctx.importedFrom;
  if (ctx.logPath) rec.logPath = ctx.logPath;
  if (ctx.versions) rec.versions = ctx.versions;
  const failed = result.failed ?? Math.max(0, result.numPrompts - result.completed);
  if (result.completed === 0) {
    return { ...rec, status: 'failed', reason: `no request completed (${failed} of ${result.numPrompts} failed)` };
  }
  const latencies = [result.ttft.median, result.ttft.mean, result.tpot.median, result.tpot.mean, result.outputThroughput];
  if (latencies.some((x) => !Number.isFinite(x))) {
    return { ...rec, status: 'failed', reason: 'the result holds non-numeric metrics (NaN or Infinity)' };
  }
  rec.metrics = benchMetrics(result, ctx.deployment.gpus);
  if (failed > 0) rec.reason = `${failed} of ${result.numPrompts} requests failed`;
  return rec;
}
