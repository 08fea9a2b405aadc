// Pure progress arithmetic for the sweep: ETA from the plan's estimate and measured durations.
import type { Plan } from '../plan/types.js';
import type { SweepCarry } from './sweep-types.js';

export function gpuHours(gpuSeconds: number): number {
  return gpuSeconds / 3600;
}

/** Remaining points × measured (or planned) seconds per point, plus planned deploy/teardown for deployments not yet started. */
export function estimateRemainingSec(plan: Plan, s: SweepCarry): number {
  const measured = s.records.filter((r) => r.status === 'ok' && r.timings?.durationSec > 0);
  let sec = 0;
  plan.deployments.forEach((dep, i) => {
    const from = i < s.cursor.deployment ? dep.points.length : i === s.cursor.deployment ? s.cursor.point : 0;
    for (const p of dep.points.slice(from)) sec += p.estimatedSeconds;
    if (i > s.cursor.deployment || (i === s.cursor.deployment && !s.deployed && from < dep.points.length)) sec += dep.estimate.deploySeconds + dep.estimate.teardownSeconds;
    else if (i === s.cursor.deployment && s.deployed) sec += dep.estimate.teardownSeconds;
  });
  if (measured.length >= 2) {
    // Scale the remaining bench time by how the measured points compared with their estimates.
    const planned = new Map(plan.deployments.flatMap((d) => d.points.map((p) => [p.id, p.estimatedSeconds] as const)));
    const est = measured.reduce((n, r) => n + (planned.get(r.pointId) ?? 0), 0);
    const real = measured.reduce((n, r) => n + r.timings.durationSec, 0);
    if (est > 0) sec *= Math.min(10, Math.max(0.1, real / est));
  }
  return sec;
}
