// Crossing a sweep file's lists: workloads and load into point ids (deployment entries are
// expanded in config/deployments.ts). Ids are deterministic: the same file always yields the same names.
import type { LoadConfig, Workload } from '../config/index.js';
import type { DeploymentShape, PlannedWorkload, PointLoad } from './types.js';

export function workloadId(w: Workload | PlannedWorkload): string {
  return `isl${w.isl}-osl${w.osl}${w.mode === 'mixed' ? '' : `-${w.mode}`}`;
}

/** The load points of a sweep, in file order; none for a search (its probes are picked as it runs). */
export function expandLoad(load: LoadConfig): PointLoad[] {
  if (load.kind === 'search') return [];
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

/** e.g. `1P-TP4:1D-TP4 pd-pack, ISL/OSL 5000/250, c=16`. */
export function pointLabel(shape: Pick<DeploymentShape, 'label'>, w: PlannedWorkload, load: PointLoad): string {
  const mode = w.mode === 'mixed' ? '' : ` ${w.mode}`;
  const level = load.kind === 'concurrency' ? `c=${load.concurrency}` : `rate ${load.requestRate}/s`;
  return `${shape.label}, ISL/OSL ${w.isl}/${w.osl}${mode}, ${level}`;
}
