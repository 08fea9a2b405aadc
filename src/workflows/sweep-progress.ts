// Pure progress arithmetic for the sweep: ETA from the plan's estimate and measured durations.
import type { Plan, PlannedDeployment } from '../plan/types.js';
import { pointCountOf } from '../plan/plan.js';
import type { BenchPointRecord } from '../analysis/records.js';
import type { SweepCarry } from './sweep-types.js';

export function gpuHours(gpuSeconds: number): number {
  return gpuSeconds / 3600;
}

/**
 * Remaining points × measured (or planned) seconds per point, plus planned deploy/teardown for
 * deployments not yet started. A lazy plan has no point lists: its deployments' points count at
 * their average estimate.
 */
export function estimateRemainingSec(plan: Plan, s: SweepCarry): number {
  const measured = s.records.filter((r) => r.status === 'ok' && r.timings?.durationSec > 0);
  const perPoint = (dep: PlannedDeployment) => dep.estimate.benchSeconds / Math.max(1, pointCountOf(dep));
  /** Planned seconds of the deployment's points from `from` on. */
  const benchFrom = (dep: PlannedDeployment, from: number) => dep.points.length
    ? dep.points.slice(from).reduce((n, p) => n + p.estimatedSeconds, 0)
    : Math.max(0, pointCountOf(dep) - from) * perPoint(dep);
  let sec = 0;
  plan.deployments.forEach((dep, i) => {
    const count = pointCountOf(dep);
    const from = i < s.cursor.deployment ? count : i === s.cursor.deployment ? s.cursor.point : 0;
    sec += benchFrom(dep, from);
    if (i > s.cursor.deployment || (i === s.cursor.deployment && !s.deployed && from < count)) sec += dep.estimate.deploySeconds + dep.estimate.teardownSeconds;
    else if (i === s.cursor.deployment && s.deployed) sec += dep.estimate.teardownSeconds;
  });
  if (measured.length >= 2) {
    // Scale the remaining bench time by how the measured points compared with their estimates.
    const byId = new Map(plan.deployments.map((d) => [d.id, d] as const));
    const plannedOf = (r: BenchPointRecord) => {
      const dep = byId.get(r.deployment?.id ?? '');
      if (!dep) return 0;
      return dep.points.find((p) => p.id === r.pointId)?.estimatedSeconds ?? perPoint(dep);
    };
    const est = measured.reduce((n, r) => n + plannedOf(r), 0);
    const real = measured.reduce((n, r) => n + r.timings.durationSec, 0);
    if (est > 0) sec *= Math.min(10, Math.max(0.1, real / est));
  }
  return sec;
}
