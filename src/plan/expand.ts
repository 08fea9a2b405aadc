// Crossing a sweep file's lists: deployment entries into deployment shapes, workloads and load
// into point ids. Ids are deterministic: the same file always yields the same names.
import type { DeploymentEntry, LoadConfig, Workload } from '../config/index.js';
import type { DeploymentShape, PlannedWorkload, PointLoad } from './types.js';

function pdSuffix(pc: number, ptp: number, dc: number, dtp: number): string {
  return `${pc}p-tp${ptp}-${dc}d-tp${dtp}`;
}

/** Every deployment one entry of the sweep file stands for, in a stable order. */
export function expandDeploymentEntry(entry: DeploymentEntry, source: number): DeploymentShape[] {
  const shapes: DeploymentShape[] = [];
  if (entry.mode === 'collocated') {
    for (const count of entry.replicas) {
      for (const tp of entry.tp) {
        const suffix = `${count}x-tp${tp}`;
        shapes.push({
          id: suffix, source, mode: 'collocated', label: `${count}xTP${tp} collocated`,
          env: { ...entry.env }, gpus: count * tp, replicas: { count, tp },
        });
      }
    }
  } else {
    const how = entry.mode === 'pd-pack' ? 'pack' : 'spread';
    for (const pc of entry.prefill.count) for (const ptp of entry.prefill.tp) {
      for (const dc of entry.decode.count) for (const dtp of entry.decode.tp) {
        shapes.push({
          id: pdSuffix(pc, ptp, dc, dtp), source, mode: entry.mode,
          label: `${pc}P-TP${ptp}:${dc}D-TP${dtp} ${how}${entry.backend === 'UCX' ? '' : ` ${entry.backend}`}`,
          env: { ...entry.env }, gpus: pc * ptp + dc * dtp,
          prefill: { count: pc, tp: ptp }, decode: { count: dc, tp: dtp }, backend: entry.backend,
        });
      }
    }
  }
  const backendTag = entry.mode !== 'collocated' && entry.backend !== 'UCX' ? `-${entry.backend.toLowerCase()}` : '';
  for (const s of shapes) {
    if (entry.name === undefined) s.id = `${entry.mode}-${s.id}${backendTag}`;
    else s.id = shapes.length === 1 ? entry.name : `${entry.name}-${s.id}`;
  }
  return shapes;
}

export function expandDeployments(entries: readonly DeploymentEntry[]): DeploymentShape[] {
  return entries.flatMap((e, i) => expandDeploymentEntry(e, i));
}

export function workloadId(w: Workload | PlannedWorkload): string {
  return `isl${w.isl}-osl${w.osl}${w.mode === 'mixed' ? '' : `-${w.mode}`}`;
}

/** The load points of a sweep, in file order. */
export function expandLoad(load: LoadConfig): PointLoad[] {
  if (load.kind === 'concurrency') {
    return load.concurrency.map((c) => ({ kind: 'concurrency', concurrency: c, numPrompts: c * load.promptsPerConcurrency }));
  }
  return load.requestRate.map((r) => {
    const p: PointLoad = { kind: 'request-rate', requestRate: r, numPrompts: load.numPrompts, burstiness: load.burstiness };
    if (load.maxConcurrency !== undefined) p.maxConcurrency = load.maxConcurrency;
    return p;
  });
}

export function loadId(load: PointLoad): string {
  return load.kind === 'concurrency' ? `c${load.concurrency}` : `rr${load.requestRate}`;
}
