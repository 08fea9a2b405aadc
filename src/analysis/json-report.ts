// The `--format json` view: the summary without the heavy parts, frontier and tiers by point.
import type { ResultsSummary } from './summary.js';

/** ResultsSummary without the heavy parts, for `--format json`: frontier and tiers by point. */
export function summaryForJson(s: ResultsSummary): Record<string, unknown> {
  return {
    title: s.title,
    counts: s.counts,
    gpuHours: s.gpuHours,
    tolerance: s.tolerance,
    sla: s.sla ?? null,
    versions: s.versions,
    models: s.models,
    workloads: s.workloads.map((w) => ({
      key: w.key,
      workload: w.workload,
      frontier: w.frontier.map((p) => ({
        deployment: p.record.deployment.name, deploymentId: p.record.deployment.id, load: p.record.load, status: p.status,
        outputThroughputPerGpu: p.x, interactivity: p.y,
      })),
      bestPerTier: w.tiers.map((t) => ({ tier: t.tier, meeting: t.meeting, deployment: t.best?.deployment.name ?? null, load: t.best?.load ?? null, outputThroughputPerGpu: t.best?.metrics?.outputThroughputPerGpu ?? null })),
    })),
    failed: s.failed.map((r) => ({ deployment: r.deployment.name, workload: r.workload, load: r.load, attempt: r.attempt, reason: r.reason ?? null })),
    rejected: s.rejected,
  };
}
