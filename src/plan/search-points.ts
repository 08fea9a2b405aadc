// The SLA search in a plan: the search block a plan carries, a probe as a benchmark point, and the
// worst case the estimates use. The probes' loads are picked at run time (sla-search.ts).
import type { SweepConfig } from '../config/index.js';
import { estimatePointSeconds } from './estimate.js';
import { loadId, pointLabel, workloadId } from './expand.js';
import { worstCaseProbes, type NextProbe } from './sla-search.js';
import type { Plan, PlannedDeployment, PlannedPoint, PlannedSearch, PlannedWorkload, PlanTimings, PointLoad, SlaSearchSpec } from './types.js';

/** The search of a sweep whose load is one (undefined otherwise). Its SLA: its own, else the sweep's. */
export function plannedSearch(sweep: SweepConfig, workloads: PlannedWorkload[]): PlannedSearch | undefined {
  if (sweep.load.kind !== 'search') return undefined;
  const q = sweep.load.search;
  const sla = q.sla ?? sweep.sla;
  // The sweep file's checks refuse this; a hand-made config must not plan a search that judges nothing.
  if (!sla) throw new Error('load.search has no sla and the sweep sets none: set load.search.sla or the sweep\'s sla');
  const spec = searchSpecOf(q);
  const { probes, bracket, bisect, fill } = worstCaseProbes(spec);
  return { ...spec, sla: { ...sla }, probe: { ...sweep.load.probe }, workloads: workloads.map((w) => ({ ...w })), worstCase: { probes, bracket, bisect, fill } };
}

/** The state machine's part of a search block. */
export function searchSpecOf(s: SlaSearchSpec): SlaSearchSpec {
  return { over: s.over, min: s.min, max: s.max, tolerance: s.tolerance, fill: s.fill };
}

/** A probe's load as a benchmark load, with the search's prompt settings. */
export function probeLoad(search: Pick<PlannedSearch, 'probe'>, load: number): PointLoad {
  const p = search.probe;
  if (p.kind === 'concurrency') return { kind: 'concurrency', concurrency: load, numPrompts: load * p.promptsPerConcurrency };
  const out: PointLoad = { kind: 'request-rate', requestRate: load, numPrompts: p.numPrompts, burstiness: p.burstiness };
  if (p.maxConcurrency !== undefined) out.maxConcurrency = p.maxConcurrency;
  return out;
}

/** Estimated bench seconds of one search's worst case on a workload (the slowest path of probes). */
export function worstCaseSeconds(search: PlannedSearch, timings: PlanTimings, workload: PlannedWorkload): number {
  const seconds = worstCaseProbes(searchSpecOf(search), (load) => estimatePointSeconds(timings, workload, probeLoad(search, load))).seconds;
  return Math.round(seconds * 10) / 10;
}

/**
 * The benchmark point of a probe the search asked for, on workload `workloadIndex` of the plan's
 * search. Its id says it is a probe: `<deployment>/<workload>/<load>-probe<n>`, e.g.
 * `pd-pack-1p-tp4-1d-tp4/isl5000-osl250/c48-probe5` (n from 1; a search never probes a load twice, so
 * `<load>` alone is unique too). Its plan-wide index is inside the block the plan reserved for the
 * deployment's worst case, so indexes never collide.
 */
export function probePoint(
  plan: Pick<Plan, 'search' | 'timings'>, dep: Pick<PlannedDeployment, 'id' | 'label' | 'firstPointIndex'>, workloadIndex: number, probe: NextProbe,
): PlannedPoint {
  const search = plan.search;
  if (!search) throw new Error('probePoint: the plan has no SLA search');
  const workload = search.workloads[workloadIndex];
  if (!workload) throw new Error(`probePoint: the search has no workload ${workloadIndex} (it has ${search.workloads.length})`);
  if (probe.probeIndex >= search.worstCase.probes) throw new Error(`probePoint: probe ${probe.probeIndex + 1} is beyond the search's worst case (${search.worstCase.probes})`);
  const load = probeLoad(search, probe.load);
  const wid = workloadId(workload);
  const lid = loadId(load);
  const n = probe.probeIndex + 1;
  return {
    id: `${dep.id}/${wid}/${lid}-probe${n}`,
    index: (dep.firstPointIndex ?? 0) + workloadIndex * search.worstCase.probes + probe.probeIndex,
    deploymentId: dep.id, workloadId: wid, loadId: lid, workload: { ...workload }, load,
    label: `${pointLabel(dep, workload, load)}, SLA search probe ${n} (${probe.phase})`,
    estimatedSeconds: estimatePointSeconds(plan.timings, workload, load),
    probe: { number: n, phase: probe.phase },
  };
}
