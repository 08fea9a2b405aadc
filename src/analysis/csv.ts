// One CSV row per point, every number at full precision, for spreadsheets and pandas.
import { flagsText } from './known-bad.js';
import { pointKey } from './labels.js';
import { costPerMillionOutputTokensUsd, outputTokensPerJoule } from './point-energy.js';
import type { FrontierStatus } from './pareto.js';
import type { BenchPointRecord, LatencySummary } from './records.js';

const LATENCIES = ['ttft', 'tpot', 'itl', 'e2el'] as const;

export const CSV_COLUMNS = [
  'deployment_id', 'deployment', 'mode', 'prefill_count', 'prefill_tp', 'decode_count', 'decode_tp', 'replicas', 'replica_tp',
  'gpus', 'backend', 'variant', 'env', 'model', 'isl', 'osl', 'workload_mode', 'concurrency', 'request_rate', 'num_prompts',
  'status', 'reason', 'frontier', 'completed', 'failed_requests', 'bench_duration_s', 'request_throughput', 'output_tps',
  'total_tps', 'output_tps_per_gpu', 'total_tps_per_gpu', 'interactivity',
  ...LATENCIES.flatMap((m) => [`${m}_mean_ms`, `${m}_median_ms`, `${m}_p99_ms`]),
  'started_at', 'duration_s', 'attempt', 'raw_result_path', 'log_path', 'versions',
  'flags', 'gpu_model', 'gpus_per_node', 'gpu_memory_mib', 'driver', 'cuda', 'efa_devices', 'hardware_source',
  // What the GPUs drew and the EFA devices moved during the benchmark, and what it cost (point-energy.ts).
  'energy_j', 'mean_power_w', 'p95_power_w', 'tokens_per_joule', 'cost_per_mtok_usd', 'efa_rx_bytes', 'efa_tx_bytes', 'throttled',
] as const;

type Cell = string | number | undefined | null;

export function toCsv(records: BenchPointRecord[], statusByPoint: Record<string, FrontierStatus> = {}): string {
  const rows = records.map((r) => {
    const d = r.deployment;
    const m = r.metrics;
    const h = r.hardware;
    const lat = (s: LatencySummary | undefined): Cell[] => [s?.mean, s?.median, s?.p99];
    const cells: Cell[] = [
      d.id, d.name, d.mode, d.prefill?.count, d.prefill?.tp, d.decode?.count, d.decode?.tp, d.replicas?.count, d.replicas?.tp,
      d.gpus, d.backend, d.variant, kv(d.env), r.model, r.workload.isl, r.workload.osl, r.workload.mode,
      r.load.concurrency, r.load.requestRate, r.load.numPrompts,
      r.status, r.reason, statusByPoint[pointKey(r)], m?.completed, m?.failed, m?.durationSec, m?.requestThroughput, m?.outputThroughput,
      m?.totalThroughput, m?.outputThroughputPerGpu, m?.totalThroughputPerGpu, m?.interactivity,
      ...lat(m?.ttftMs), ...lat(m?.tpotMs), ...lat(m?.itlMs), ...lat(m?.e2elMs),
      r.timings.startedAt, r.timings.durationSec, r.attempt, r.rawResultPath, r.logPath, kv(r.versions),
      flagsText(r) || undefined, h?.gpuModel, h?.gpusPerNode, h?.gpuMemoryMiB, h?.driverVersion, h?.cudaVersion, h?.efaDevices, h?.source,
      r.gpu?.energyJ, r.gpu?.meanPowerW, r.gpu?.p95PowerW, outputTokensPerJoule(r), costPerMillionOutputTokensUsd(r),
      r.gpu?.efaRxBytes, r.gpu?.efaTxBytes, r.gpu ? String(r.gpu.throttled) : undefined,
    ];
    return cells.map(csvCell).join(',');
  });
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

function kv(o: Record<string, string> | undefined): string | undefined {
  return o && Object.keys(o).length > 0 ? Object.entries(o).map(([k, v]) => `${k}=${v}`).join(';') : undefined;
}

function csvCell(v: Cell): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One JSON record per line: the records as they are, re-importable. */
export function toJsonl(records: BenchPointRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length > 0 ? '\n' : '');
}
