// planSweep: sweep file x cluster file -> the ordered, placed, estimated list of work.
import { expandDeployments, type ClusterConfig, type SweepConfig } from '../config/index.js';
import { estimatePointSeconds, resolveTimings } from './estimate.js';
import { expandLoad, loadId, pointLabel, workloadId } from './expand.js';
import { plannedSearch, worstCaseSeconds } from './search-points.js';
import { placeDeployment, type GpuNode } from './place.js';
import { hardwareOfClusterNodes } from '../analysis/hardware.js';
import { flagText, knownBadFlags } from '../analysis/known-bad.js';
import type {
  DeploymentShape, Plan, PlannedDeployment, PlannedPoint, PlannedRole, PlannedWorkload, PlanTimings, PointLoad,
  RejectedDeployment,
} from './types.js';

export interface PlanOptions {
  /** Timing overrides with the last word (e.g. from a flag or a benchmark harness). */
  timings?: Partial<PlanTimings>;
  /** Leave the point lists out (pointsOfDeployment makes them): what a sweep of any size runs on. */
  lazyPoints?: boolean;
}

const hours = (gpus: number, seconds: number) => Math.round((gpus * seconds / 3600) * 1000) / 1000;
const tenths = (s: number) => Math.round(s * 10) / 10;

export function gpuNodesOf(cluster: ClusterConfig): GpuNode[] {
  return cluster.nodes.filter((n) => n.gpus.count > 0).map((n) => ({ name: n.name, gpus: n.gpus.count }));
}

/**
 * Expand the sweep into deployments x workloads x load points, place each deployment on the
 * cluster, and order the work so each deployment is brought up once, runs all its points, and is
 * torn down. Deployments that cannot run are listed in `rejected` with a reason; they are not errors.
 */
export function planSweep(cluster: ClusterConfig, sweep: SweepConfig, opts: PlanOptions = {}): Plan {
  const timings = resolveTimings(cluster.timings, sweep.timings, opts.timings);
  const gpuNodes = gpuNodesOf(cluster);
  const workloads: PlannedWorkload[] = sweep.workloads.map((w) => ({ isl: w.isl, osl: w.osl, mode: w.mode }));
  const loads = expandLoad(sweep.load);
  // An SLA search picks its probes as it runs: a deployment reserves its worst case (points and time).
  const search = plannedSearch(sweep, workloads);
  const searchSeconds = search ? workloads.map((w) => worstCaseSeconds(search, timings, w)) : [];
  const deployments: PlannedDeployment[] = [];
  const rejected: RejectedDeployment[] = [];
  const warnings: string[] = [];
  let pointIndex = 0;

  for (const shape of expandDeployments(sweep.deployments)) {
    const placed = placeDeployment(shape, gpuNodes);
    if (!placed.ok) {
      rejected.push({ id: shape.id, source: shape.source, mode: shape.mode, label: shape.label, gpus: shape.gpus, reason: placed.reason, message: placed.message });
      continue;
    }
    const firstPointIndex = pointIndex;
    const pointCount = workloads.length * (search ? search.worstCase.probes : loads.length);
    pointIndex += pointCount;
    const points = opts.lazyPoints || search ? [] : makePoints(shape, workloads, loads, timings, firstPointIndex);
    // Every deployment runs the same workloads x loads: its bench estimate needs no point list
    // (summed in run order, as over the points).
    let benchSum = searchSeconds.reduce((a, b) => a + b, 0);
    for (const w of workloads) for (const load of loads) benchSum += estimatePointSeconds(timings, w, load);
    const benchSeconds = tenths(benchSum);
    const totalSeconds = tenths(timings.deploySeconds + benchSeconds + timings.teardownSeconds);
    const base = {
      id: shape.id, index: deployments.length, source: shape.source, label: shape.label, env: shape.env, gpus: shape.gpus,
      nodes: placed.nodes, points, pointCount, firstPointIndex,
      estimate: {
        deploySeconds: timings.deploySeconds, benchSeconds, teardownSeconds: timings.teardownSeconds, totalSeconds,
        gpuHours: hours(shape.gpus, totalSeconds),
      },
    };
    const role = (name: PlannedRole['role']) => placed.roles.find((r) => r.role === name)!;
    const dep: PlannedDeployment = shape.mode === 'collocated'
      ? { ...base, mode: 'collocated', replicas: role('replica') }
      : { ...base, mode: shape.mode, backend: shape.backend, prefill: role('prefill'), decode: role('decode') };
    const hardware = hardwareOfClusterNodes(cluster, placed.nodes);
    if (hardware) dep.hardware = hardware;
    const flags = knownBadFlags({
      mode: dep.mode, ...(dep.mode !== 'collocated' ? { backend: dep.backend } : {}),
      versions: softwareVersions(cluster), ...(hardware ? { hardware } : {}),
    });
    if (flags.length > 0) {
      dep.flags = flags;
      warnings.push(...flags.map((f) => `${dep.id}: ${flagText(f)}; its points will be measured but never on the frontier or "best"`));
    }
    deployments.push(dep);
  }

  const sum = (f: (d: PlannedDeployment) => number) => deployments.reduce((s, d) => s + f(d), 0);
  const totalSeconds = sum((d) => d.estimate.totalSeconds);
  const clusterGpus = cluster.nodes.reduce((s, n) => s + n.gpus.count, 0);
  const plan: Plan = {
    version: 1,
    clusterName: cluster.name,
    sweepName: sweep.name,
    model: { id: sweep.model.id, servedName: sweep.model.servedName },
    deployments,
    rejected,
    retries: sweep.retries,
    pauseTeardownAfterMinutes: sweep.pauseTeardownAfterMinutes,
    timeouts: { ...sweep.timeouts },
    engine: { ...sweep.engine },
    outputCheck: { ...sweep.outputCheck },
    bench: { ...sweep.bench },
    timings,
    estimate: {
      deployments: deployments.length,
      points: pointIndex,
      rejected: rejected.length,
      deploySeconds: sum((d) => d.estimate.deploySeconds),
      benchSeconds: tenths(sum((d) => d.estimate.benchSeconds)),
      teardownSeconds: sum((d) => d.estimate.teardownSeconds),
      totalSeconds: tenths(totalSeconds),
      gpuHours: hours(1, sum((d) => d.gpus * d.estimate.totalSeconds)),
      clusterGpuHours: hours(clusterGpus, totalSeconds),
    },
  };
  // The report judges points by the sweep's SLA; a search's own stands in when the sweep sets none.
  if (sweep.sla) plan.sla = { ...sweep.sla };
  else if (search) plan.sla = { ...search.sla };
  if (search) plan.search = search;
  if (sweep.reuse) plan.reuse = { maxAgeHours: sweep.reuse.maxAgeDays * 24 };
  if (warnings.length > 0) plan.warnings = warnings;
  if (opts.lazyPoints) plan.lazy = { workloads, loads };
  return plan;
}

function makePoints(shape: Pick<DeploymentShape, 'id' | 'label'>, workloads: PlannedWorkload[], loads: PointLoad[], timings: PlanTimings, first: number): PlannedPoint[] {
  const points: PlannedPoint[] = [];
  let index = first;
  for (const w of workloads) {
    for (const load of loads) {
      const wid = workloadId(w);
      const lid = loadId(load);
      points.push({
        id: `${shape.id}/${wid}/${lid}`, index: index++, deploymentId: shape.id, workloadId: wid, loadId: lid,
        workload: { ...w }, load, label: pointLabel(shape as DeploymentShape, w, load), estimatedSeconds: estimatePointSeconds(timings, w, load),
      });
    }
  }
  return points;
}

/**
 * A deployment's points in run order: its list in an eager plan, made from the plan's workloads and
 * loads in a lazy one; none in a search plan (probePoint makes each probe the search asks for).
 */
export function pointsOfDeployment(plan: Pick<Plan, 'lazy' | 'timings'>, dep: PlannedDeployment): PlannedPoint[] {
  if (!plan.lazy || dep.points.length > 0) return dep.points;
  return makePoints(dep, plan.lazy.workloads, plan.lazy.loads, plan.timings, dep.firstPointIndex ?? 0);
}

/** How many points a deployment has (eager or lazy plan). */
export function pointCountOf(dep: PlannedDeployment): number {
  return dep.pointCount ?? dep.points.length;
}

/** The pinned versions every node gets (vllm, nixl, ucx, ray): what records and known-bad checks name. */
export function softwareVersions(cluster: Pick<ClusterConfig, 'software'>): Record<string, string> {
  const s = cluster.software;
  return { vllm: s.vllm.version, nixl: s.nixl.version, ucx: s.ucx.version, ray: s.ray.version };
}

/** Every point of a plan in run order. */
export function planPoints(plan: Plan): PlannedPoint[] {
  return plan.deployments.flatMap((d) => pointsOfDeployment(plan, d));
}
