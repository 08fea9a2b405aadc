// How big a sweep may be. A run's state is bounded whatever its size (a lazy plan, the newest
// records; every record is in the results store), so the hard limit is about sense, not payloads:
// a million points is years of benchmarking. Warnings come far earlier, on points and GPU-hours.
import type { Plan } from './types.js';

export interface SizeLimits {
  /** Warn above this many points. */
  warnPoints: number;
  /** Warn above this many GPU-hours held by deployments. */
  warnGpuHours: number;
  /** Refuse above this many points. */
  maxPoints: number;
}

export const DEFAULT_SIZE_LIMITS: SizeLimits = { warnPoints: 300, warnGpuHours: 200, maxPoints: 1_000_000 };

export interface SizeCheck {
  warnings: string[];
  /** Why the sweep is refused (exit 2 / a ConfigError), or undefined. */
  refusal?: string;
}

export function checkPlanSize(plan: Plan, limits: Partial<SizeLimits> = {}): SizeCheck {
  const l = { ...DEFAULT_SIZE_LIMITS, ...limits };
  const { points, gpuHours } = plan.estimate;
  const warnings: string[] = [];
  if (points > l.maxPoints) {
    return {
      warnings,
      refusal: `sweep ${plan.sweepName} has ${points} points, above the limit of ${l.maxPoints} for one run (about ${Math.round(plan.estimate.totalSeconds / 86400)} days of benchmarking); ` +
        `split it into sweeps of at most ${l.maxPoints} points (fewer deployments, workloads or load levels per file), or raise the limit with --max-points (or options.maxPoints)`,
    };
  }
  if (points > l.warnPoints) warnings.push(`sweep ${plan.sweepName} has ${points} points (more than ${l.warnPoints}): about ${Math.round(plan.estimate.totalSeconds / 3600)} h of wall time; check the load levels and deployments are all needed`);
  if (gpuHours > l.warnGpuHours) warnings.push(`sweep ${plan.sweepName} holds GPUs for about ${gpuHours.toFixed(0)} GPU-hours (more than ${l.warnGpuHours}); ${plan.estimate.clusterGpuHours.toFixed(0)} GPU-hours of the whole cluster`);
  return { warnings };
}
