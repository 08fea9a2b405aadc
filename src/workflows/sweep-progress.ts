// Pure progress arithmetic for the sweep: ETA from the plan's estimate and measured durations,
// GPU time held, the `progress` query's answer and the Web UI's current details.
import type { Plan, PlannedDeployment } from '../plan/types.js';
import { pointCountOf } from '../plan/plan.js';
import type { BenchPointRecord } from '../analysis/records.js';
import { outcomeCounts } from '../analysis/outcome.js';
import { clockTime } from '../common/clock-time.js';
import type { RunProgress } from './messages.js';
import type { SweepCarry } from './sweep-types.js';

export function gpuHours(gpuSeconds: number): number {
  return gpuSeconds / 3600;
}

/** GPU-seconds of `gpus` held from `heldSinceMs` to `nowMs` (no start known: none). */
export function heldGpuSeconds(heldSinceMs: number | undefined, gpus: number, nowMs: number): number {
  return ((nowMs - (heldSinceMs ?? nowMs)) / 1000) * gpus;
}

/** What the sweep is doing, as `progress` and the current details tell it. */
export interface SweepStatus {
  /** The step in words ("deploying ...", "bench ..."). */
  activity: string;
  current: { deployment?: string; point?: string };
  /** When the step began (ISO). */
  stepStartedAt: string;
  lastError?: string;
  /** Set once the run completed, failed or was cancelled. */
  endState?: RunProgress['state'];
  /** In the pause gate (a pause signal only takes effect after the point in flight). */
  holding: boolean;
}

export interface SweepProgressInput {
  plan: Plan;
  cluster: string;
  s: SweepCarry;
  status: SweepStatus;
  counts: { ok: number; failed: number };
  total: number;
  /** GPUs of the deployment that is up (0: none). */
  heldGpus: number;
  nowMs: number;
}

/** The `progress` query's answer. */
export function sweepProgress({ plan, cluster, s, status, counts, total, heldGpus, nowMs }: SweepProgressInput): RunProgress {
  const { ok: done, failed } = counts;
  const liveGpuSec = s.deployed ? heldGpuSeconds(s.deployed.heldSinceMs, heldGpus, nowMs) : 0;
  const { activity, endState, holding } = status;
  return {
    kind: 'sweep', cluster, state: endState ?? (holding ? 'paused' : 'running'),
    activity: s.paused && !holding && !endState ? `${activity} (pause requested: stops after this step)` : activity, current: status.current,
    done, failed, total, remaining: total - (done + failed),
    startedAt: s.startedAt, stepStartedAt: status.stepStartedAt, asOf: new Date(nowMs).toISOString(), elapsedSec: (nowMs - Date.parse(s.startedAt)) / 1000,
    etaSec: estimateRemainingSec(plan, s),
    gpuHours: gpuHours(s.gpuSecondsSpent + liveGpuSec), heldGpus, lastError: status.lastError,
  };
}

/** The Web UI's current details. Absolute times: an elapsed figure would freeze between workflow tasks. */
export function sweepDetails(a: { sweep: string; cluster: string; what: string; counts: { ok: number; failed: number }; total: number; startedAt: string; stepStartedAt: string }): string {
  const made = a.counts.ok + a.counts.failed;
  return `**sweep ${a.sweep}** on ${a.cluster}: ${a.what} — ${made}/${a.total} points (${outcomeCounts(a.counts)})\n\nrun started ${clockTime(a.startedAt)}; this step started ${clockTime(a.stepStartedAt)}`;
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
