// The simulator's performance model from TypeScript. The model itself lives in one place, the
// Python module pdflow_sim.perf_model (src/sim/pypkgs/pdflow-sim), because the emulated GPU-side
// packages on the simulated nodes (nixl, ray.serve, vllm) use it; this runs it as a subprocess.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { sourceDir } from '../common/source-dir.js';

export const PERF_MODEL_PYTHONPATH = path.resolve(sourceDir(import.meta.url), 'pypkgs/pdflow-sim');

export type PerfTransport = 'cuda_ipc' | 'srd' | 'efa' | 'ud_verbs' | 'tcp';

/**
 * What the model needs of a deployment (vllm._sim.engines.deployment() in the emulated vLLM has this shape).
 * gpuModel: the GPU name nvidia-smi prints ("NVIDIA H100 80GB HBM3", "NVIDIA H200"); its public specs
 * (HBM bandwidth and size, FLOP/s) scale the step times and the KV pool. Missing or unknown: H100 SXM,
 * the calibration's. A PD role may name its own (nodes of two kinds). slowdown: an engine build that
 * is that many times slower per step (default 1; a `slow` fault on vllm-engine in the simulator).
 */
export type PerfDeployment = (
  | { mode: 'collocated'; replicas: number; tp: number; gpuModel?: string }
  | {
    mode: 'pd-pack' | 'pd-spread';
    prefill: { num: number; tp: number; gpuModel?: string };
    decode: { num: number; tp: number; gpuModel?: string };
    transport?: PerfTransport;
    backend?: string;
    gpuModel?: string;
  }
) & { slowdown?: number };

/**
 * The model's calibrated constants (pdflow_sim.perf_model.CALIBRATION): what the H100 fixtures can
 * tell. Pass some to override the shipped values (bench/perf-model.ts refits them).
 */
export interface PerfCalibration {
  /** Fixed cost of one engine step, ms. */
  decode_overhead_ms?: number;
  /** Fraction of HBM bandwidth a decode step achieves. */
  hbm_efficiency?: number;
  /** Saturation past 16 sequences per GPU: ms per step per sequence per GPU over 16. */
  knee_ms?: number;
  /** Fraction of dense BF16 FLOP/s a prefill reaches with full GEMM tiles. */
  prefill_mfu?: number;
  /** Client -> Ray Serve -> LLM server request path, ms (PD adds its proxy hop). */
  ingress_ms?: number;
  /** What the PD proxy adds to a PD request's path, ms. */
  pd_proxy_ms?: number;
  /** Prefill efficiency of a collocated engine's mixed steps. */
  collocated_prefill_efficiency?: number;
}

export interface PerfWorkload {
  isl: number;
  osl: number;
  numPrompts: number;
  maxConcurrency?: number | null;
  /** Requests per second; null/undefined/Infinity or >= 1e8 = all at once. */
  requestRate?: number | null;
  burstiness?: number;
  seed?: number;
  percentileMetrics?: Array<'ttft' | 'tpot' | 'itl' | 'e2el'>;
  percentiles?: number[];
}

/** The benchmark part of a vLLM 0.11 result: `duration` .. the last `<stat>_<metric>_ms`, in 0.11 key order. */
export type PerfBenchResult = Record<string, number | null>;

export interface PerfModelOptions {
  python?: string;
  timeoutMs?: number;
  /** Overrides of the calibrated constants for this call. */
  calibration?: PerfCalibration;
}

function run<T>(request: unknown, opts: PerfModelOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      opts.python ?? 'python3',
      ['-m', 'pdflow_sim.perf_model'],
      {
        env: { ...process.env, PYTHONPATH: PERF_MODEL_PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' },
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(stdout);
        } catch {
          reject(new Error(`perf model (python3 -m pdflow_sim.perf_model) failed: ${err?.message ?? 'no JSON output'}\n${stderr}`));
          return;
        }
        if (parsed && typeof parsed === 'object' && 'error' in parsed) {
          reject(new Error(`perf model: ${String((parsed as { error: unknown }).error)}`));
          return;
        }
        if (err) {
          reject(new Error(`perf model exited with an error: ${err.message}\n${stderr}`));
          return;
        }
        resolve(parsed as T);
      },
    );
    child.stdin?.end(JSON.stringify(request));
  });
}

const workloadJson = (w: PerfWorkload) => ({
  ...w,
  requestRate: w.requestRate === undefined || w.requestRate === null || !Number.isFinite(w.requestRate) ? null : w.requestRate,
});

/** Models several benchmark points in one python process (in order); an item's calibration wins over opts'. */
export function simulateBenchBatch(
  items: Array<{ deployment: PerfDeployment; workload: PerfWorkload; calibration?: PerfCalibration }>,
  opts?: PerfModelOptions,
): Promise<PerfBenchResult[]> {
  return run<PerfBenchResult[]>({
    op: 'batch',
    ...(opts?.calibration ? { calibration: opts.calibration } : {}),
    items: items.map((i) => ({ deployment: i.deployment, workload: workloadJson(i.workload), ...(i.calibration ? { calibration: i.calibration } : {}) })),
  }, opts);
}

export async function simulateBench(deployment: PerfDeployment, workload: PerfWorkload, opts?: PerfModelOptions): Promise<PerfBenchResult> {
  return run<PerfBenchResult>({ op: 'bench', deployment, workload: workloadJson(workload), ...(opts?.calibration ? { calibration: opts.calibration } : {}) }, opts);
}

/** The shipped calibrated constants (with opts.calibration applied) and each one's allowed range. */
export function perfCalibration(opts?: PerfModelOptions): Promise<{ values: Required<PerfCalibration>; bounds: Record<keyof PerfCalibration, [number, number]> }> {
  return run({ op: 'calibration', ...(opts?.calibration ? { calibration: opts.calibration } : {}) }, opts);
}

/** (TTFT, TPOT) in seconds of one request while `inflight` run at once, without queueing (the emulated server's smoke timings). */
export function singleRequestModel(deployment: PerfDeployment, isl: number, osl: number, inflight = 1, opts?: PerfModelOptions): Promise<{ ttftS: number; tpotS: number }> {
  return run({ op: 'single', deployment, isl, osl, inflight, ...(opts?.calibration ? { calibration: opts.calibration } : {}) }, opts);
}

/** Bandwidth (GB/s, 1e9 B) and duration of one bulk NIXL READ of `bytes` over a transport. */
export function transferModel(transport: PerfTransport, bytes: number, seed = 0, opts?: PerfModelOptions): Promise<{ gbps: number; seconds: number }> {
  return run({ op: 'transfer', transport, bytes, seed }, opts);
}
