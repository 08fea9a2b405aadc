// The record of one benchmark point: what the sweep workflow keeps in its state and what every
// report is built from. JSON-serialisable (no Infinity, no Date, no undefined-only semantics).

export type DeploymentMode = 'collocated' | 'pd-pack' | 'pd-spread';

/** `count` engines of tensor-parallel size `tp`. */
export interface EngineGroup {
  count: number;
  tp: number;
}

export interface BenchDeployment {
  /** Stable id (sweep: the plan's deployment id; import: the folder name). */
  id: string;
  /** Human label and plot series name, e.g. "1P-TP4:1D-TP4 pd-pack". */
  name: string;
  mode: DeploymentMode;
  /** PD modes. */
  prefill?: EngineGroup;
  decode?: EngineGroup;
  /** Collocated mode: replicas × TP. */
  replicas?: EngineGroup;
  gpus: number;
  /** NIXL backend of the KV connector (PD modes). */
  backend?: 'UCX' | 'LIBFABRIC';
  /** Env given to the engines, e.g. { UCX_TLS: "tcp" }; secrets never go here. */
  env?: Record<string, string>;
  /** Free label, e.g. "spread-ucx120" from an imported folder name. */
  variant?: string;
}

export interface BenchWorkload {
  /** Input / output sequence lengths in tokens. */
  isl: number;
  osl: number;
  /** The seed's run_bm.sh modes: "mixed" (default), "prefill-only", "decode-only". */
  mode: string;
}

export interface BenchLoad {
  /** --max-concurrency; absent when uncapped. */
  concurrency?: number;
  /** --request-rate in req/s; absent when unlimited (inf or the seed's 1e9). */
  requestRate?: number;
  numPrompts: number;
}

export interface LatencySummary {
  mean: number;
  median: number;
  /** Absent when the run did not ask for the 99th percentile. */
  p99?: number;
}

export interface BenchMetrics {
  completed: number;
  failed?: number;
  /** Benchmark duration in seconds (vllm's "duration"). */
  durationSec: number;
  requestThroughput: number;
  /** Output tokens per second, whole deployment. */
  outputThroughput: number;
  /** Input + output tokens per second, whole deployment. */
  totalThroughput: number;
  outputThroughputPerGpu: number;
  totalThroughputPerGpu: number;
  ttftMs: LatencySummary;
  tpotMs: LatencySummary;
  itlMs?: LatencySummary;
  e2elMs?: LatencySummary;
  /** tok/s/user = 1000 / median TPOT; null when TPOT is 0 (OSL 1). */
  interactivity: number | null;
  peakOutputThroughput?: number;
  peakConcurrentRequests?: number;
}

export interface BenchPointRecord {
  /** Unique in a result set: the plan's point id (`<deployment>/<workload>/<load>`), or for an
   * imported file `<folder>/<file without .json>`. */
  pointId: string;
  deployment: BenchDeployment;
  workload: BenchWorkload;
  load: BenchLoad;
  status: 'ok' | 'failed';
  /** Why the point failed (or what is odd about it). */
  reason?: string;
  /** Present when status is "ok". */
  metrics?: BenchMetrics;
  /** e.g. "openai/gpt-oss-120b" */
  model?: string;
  /** The name the model was served and benchmarked under, e.g. "gptoss" (the seed's folder prefix). */
  servedName?: string;
  /** Where the raw `vllm bench serve` JSON is (head node path or local file). */
  rawResultPath?: string;
  /** A copy of the raw JSON on the worker's machine, when one was kept. */
  localResultPath?: string;
  /** For an imported file: the folder (its last path part) and file name it came from. */
  importedFrom?: { folder: string; file: string };
  /** Where the point's log is. */
  logPath?: string;
  /** e.g. { vllm: "0.11.0", nixl: "0.6.1", ucx: "1.20.0", ray: "2.51.0" } */
  versions?: Record<string, string>;
  timings: {
    /** ISO 8601. */
    startedAt: string;
    durationSec: number;
  };
  /** 1 for the first try. */
  attempt: number;
  /** Runs of this point cut short because its deployment died; the point was measured again on a replacement. */
  abortedAttempts?: AbortedAttempt[];
  /** Set when the run did not measure the point but reused another run's good record of the same content key. */
  reused?: { workflowId: string; pointId: string; measuredAt: string };
  /** Set when an SLA search picked the point: its number in its search and the phase that picked it. */
  probe?: { number: number; phase: 'bracket' | 'bisect' | 'fill' };
  /** The nodes the point ran on (absent in records made before pdflow kept it). */
  hardware?: BenchHardware;
  /** Why the point must not be trusted as it is (known-bad stack, suspect import...): measured and
   * shown, but never on the frontier and never "best". Absent or [] when nothing is known against it. */
  flags?: RecordFlag[];
  /** What the deployment's GPUs and EFA devices did during the benchmark (sampled about once a
   * second on every GPU node); absent when the point was not sampled. */
  gpu?: BenchGpuSummary;
  /** The deployment's price per hour in USD: each of its nodes' `pricing.hourlyUsd` (cluster file)
   * times the share of that node's GPUs it used. Absent when a node has no price. */
  hourlyUsd?: number;
}

/** The summary of a point's GPU samples (src/analysis/gpu-energy.ts has the per-GPU detail). */
export interface BenchGpuSummary {
  /** GPUs summarized (the deployment's) and their samples (one GPU at one instant). */
  gpus: number;
  samples: number;
  /** Seconds the samples cover (the benchmark's run). */
  seconds: number;
  /** Joules the GPUs drew over those seconds (trapezoid of power over time, summed over GPUs). */
  energyJ?: number;
  /** The GPUs' draw together, mean and 95th percentile, in W. */
  meanPowerW?: number;
  p95PowerW?: number;
  meanUtilPct?: number;
  maxMemoryUsedMiB?: number;
  /** Any sample with HW slowdown, thermal slowdown or HW power brake active (not the SW power cap). */
  throttled: boolean;
  /** NVML reason names seen, e.g. ["hw_thermal_slowdown"]. */
  throttleReasons: string[];
  throttledSamples: number;
  /** Samples at the power limit (SW power cap): the normal state of a GPU under full load. */
  powerCappedSamples?: number;
  /** Bytes the deployment's nodes received / sent over EFA (hardware counters). */
  efaRxBytes?: number;
  efaTxBytes?: number;
  /** The raw sample files, one per node (on the worker). */
  samplesPaths: string[];
}

/** known-bad: the stack matches a known-bad combination; suspect: it may, what would tell is unknown;
 * output-mismatch: the deployment's greedy answers differ from a run without KV transfer (output check). */
export type RecordFlagKind = 'known-bad' | 'suspect' | 'output-mismatch';

export interface RecordFlag {
  kind: RecordFlagKind;
  reason: string;
  /** Where the problem is described, e.g. an upstream issue. */
  link?: string;
}

export interface AbortedAttempt {
  /** Why the run failed, e.g. "BenchFailed: … connection refused". */
  reason: string;
  /** Why the deployment was judged dead, e.g. "Serve status: unreachable (…)". */
  deploymentState: string;
  startedAt: string;
  /** Tries of the bench before the deployment was checked. */
  attempts: number;
}

/** What the point ran on. Fields nobody reported are absent, never guessed. */
export interface BenchHardware {
  /** e.g. "NVIDIA H100 80GB HBM3" (inventory, cluster file) or "H200" (a folder name). */
  gpuModel?: string;
  /** GPUs per node: placement labels are judged against it. */
  gpusPerNode: number;
  gpuMemoryMiB?: number;
  driverVersion?: string;
  cudaVersion?: string;
  /** EFA devices per node. */
  efaDevices?: number;
  /** Where these facts come from. */
  source: 'inventory' | 'cluster-file' | 'folder-name' | 'command-line' | 'default';
}

/** A configuration the planner refused, with its reason (for the report). */
export interface RejectedConfig {
  name: string;
  reason: string;
}

/** Latency limits of one SLA tier; a point meets the tier when every given limit holds. */
export interface SlaTier {
  name: string;
  p99TtftMs?: number;
  p99TpotMs?: number;
}
