// Pure helpers of bench/perf-model.ts: which deployment a result folder holds, the errors of the
// performance model against real points, and the small pattern search that refits the model's
// calibrated constants.
import type { PerfBenchResult, PerfCalibration, PerfDeployment } from '../src/sim/perf-model.js';

/** The metrics the bench compares, in print order. */
export const METRICS = ['output_throughput', 'mean_ttft_ms', 'median_ttft_ms', 'p99_ttft_ms', 'mean_tpot_ms', 'median_tpot_ms', 'mean_itl_ms'] as const;
export type Metric = (typeof METRICS)[number];
export const SHORT: Record<Metric, string> = {
  output_throughput: 'thr', mean_ttft_ms: 'ttft', median_ttft_ms: 'ttft50', p99_ttft_ms: 'ttft99', mean_tpot_ms: 'tpot', median_tpot_ms: 'tpot50', mean_itl_ms: 'itl',
};

export interface RealPoint {
  config: string;
  file: string;
  deployment: PerfDeployment;
  isl: number;
  osl: number;
  real: Record<string, unknown>;
  /** conc128 / rr16: past what the seed's sweeps measure (overload). */
  overload: boolean;
}

/**
 * The deployment of an anyscale result folder (`gptoss[_H200]_itl<I>_otl<O>[_mixed]_<exp>`), as the
 * study's viz.py reads it: `<N>xtp<T>` collocated, `<P>xtp<T>-<D>xtp<T>[-suffix]` or
 * `<P>ptp<T>-<D>dtp<T>-packed-ucx` PD. Spread when the name says so or it needs more than one 8-GPU
 * node; `-spread-ucx` is the wheel's UCX (ud_verbs), `-spread-libfabric` EFA, any other spread SRD.
 * null for what the model does not cover (expert parallel, prefill-only / decode-only runs, backups).
 */
export function parseResultFolder(name: string): { deployment: PerfDeployment; isl: number; osl: number } | null {
  const m = /^gptoss(_H200)?_itl(\d+)_otl(\d+)_(?:mixed_)?(.+)$/.exec(name);
  if (!m) return null;
  const gpuModel = m[1] ? 'NVIDIA H200' : undefined;
  const isl = Number(m[2]);
  const osl = Number(m[3]);
  const exp = m[4]!;
  if (/tpep|only|bck|before/.test(exp)) return null;
  const gpu = gpuModel ? { gpuModel } : {};
  const coll = /^(\d+)xtp(\d+)$/.exec(exp);
  if (coll) return { deployment: { mode: 'collocated', replicas: Number(coll[1]), tp: Number(coll[2]), ...gpu }, isl, osl };
  const pd = /^(\d+)(?:x|p)tp(\d+)-(\d+)(?:x|d)tp(\d+)(?:-(.*))?$/.exec(exp);
  if (!pd) return null;
  const [pNum, pTp, dNum, dTp] = [1, 2, 3, 4].map((i) => Number(pd[i]));
  const suffix = pd[5] ?? '';
  const spread = suffix.includes('spread') || pNum! * pTp! + dNum! * dTp! > 8;
  const transport = !spread ? 'cuda_ipc' : suffix === 'spread-ucx' ? 'ud_verbs' : suffix.includes('libfabric') ? 'efa' : 'srd';
  return {
    deployment: { mode: spread ? 'pd-spread' : 'pd-pack', prefill: { num: pNum!, tp: pTp! }, decode: { num: dNum!, tp: dTp! }, transport, ...gpu },
    isl,
    osl,
  };
}

export const isOverload = (file: string) => /^conc128\.json$|rr16\.json$/.test(file);

const num = (o: Record<string, unknown>, k: string) => (typeof o[k] === 'number' ? (o[k] as number) : NaN);

/** |model / real - 1| of one metric at one point (NaN when the real value is missing or zero). */
export function relError(sim: PerfBenchResult, real: Record<string, unknown>, k: Metric): number {
  const r = num(real, k);
  const s = sim[k];
  return typeof s === 'number' && r > 0 ? Math.abs(s / r - 1) : NaN;
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const mid = (s.length - 1) / 2;
  return (s[Math.floor(mid)]! + s[Math.ceil(mid)]!) / 2;
}

/** The fit's loss: mean over points and metrics of |ln(model/real)|, each capped at ln 3 so no overload point dominates. */
export function loss(sims: PerfBenchResult[], points: RealPoint[]): number {
  let total = 0;
  let n = 0;
  sims.forEach((sim, i) => {
    for (const k of METRICS) {
      const r = num(points[i]!.real, k);
      const s = sim[k];
      if (typeof s !== 'number' || !(r > 0) || !(s > 0)) continue;
      total += Math.min(Math.abs(Math.log(s / r)), Math.log(3));
      n += 1;
    }
  });
  return n ? total / n : Infinity;
}

export type Bounds = Record<keyof PerfCalibration, [number, number]>;

/**
 * Pattern search (Hooke-Jeeves) in relative steps: each constant in turn times (1 +- step), kept
 * when the loss drops; after a pass that moved, one more move the same way (so two constants that
 * trade off, such as the ingress time and the prefill speed, can move together); passes repeat
 * while they help, then the step shrinks. Cheap (a few dozen evaluations) and deterministic.
 */
export async function patternSearch(
  start: Required<PerfCalibration>,
  names: Array<keyof PerfCalibration>,
  bounds: Bounds,
  evaluate: (c: PerfCalibration) => Promise<number>,
  steps = [0.25, 0.08],
  maxPasses = 2,
): Promise<{ calibration: Required<PerfCalibration>; loss: number; evaluations: number }> {
  let best = { ...start };
  let bestLoss = await evaluate(best);
  let evaluations = 1;
  const clamp = (k: keyof PerfCalibration, v: number) => Math.min(bounds[k][1], Math.max(bounds[k][0], v));
  const tryCand = async (cand: Required<PerfCalibration>) => {
    const l = await evaluate(cand);
    evaluations += 1;
    if (l < bestLoss) {
      best = cand;
      bestLoss = l;
      return true;
    }
    return false;
  };
  for (const step of steps) {
    for (let pass = 0; pass < maxPasses; pass++) {
      const base = best;
      for (const k of names) {
        for (const dir of [1, -1]) {
          const v = clamp(k, best[k] * (1 + dir * step));
          if (v !== best[k] && (await tryCand({ ...best, [k]: v }))) break;
        }
      }
      if (best === base) break;
      const moved = best;
      const pattern = { ...moved };
      for (const k of names) pattern[k] = clamp(k, moved[k] * (moved[k] / base[k]));
      await tryCand(pattern);
    }
  }
  return { calibration: best, loss: bestLoss, evaluations };
}
