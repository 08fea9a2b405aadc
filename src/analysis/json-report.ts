// The `--format json` view: the summary without the heavy parts, frontier and tiers by point.
import { flagsText } from './known-bad.js';
import type { BenchPointRecord } from './records.js';
import type { ResultsSummary } from './summary.js';

const pointRef = (r: BenchPointRecord | undefined) => r
  ? { deployment: r.deployment.name, deploymentId: r.deployment.id, load: r.load, outputThroughputPerGpu: r.metrics?.outputThroughputPerGpu ?? null, flags: r.flags ?? [] }
  : null;

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
    flagged: s.flagged.map((r) => ({ pointId: r.pointId, deployment: r.deployment.name, load: r.load, flags: flagsText(r) })),
    workloads: s.workloads.map((w) => ({
      key: w.key,
      workload: w.workload,
      hardware: w.hardware ?? null,
      frontier: w.frontier.map((p) => ({
        deployment: p.record.deployment.name, deploymentId: p.record.deployment.id, load: p.record.load, status: p.status,
        outputThroughputPerGpu: p.x, interactivity: p.y,
      })),
      bestPerTier: w.tiers.map((t) => ({
        tier: t.tier, meeting: t.meeting, meetingFlagged: t.meetingFlagged, deployment: t.best?.deployment.name ?? null, load: t.best?.load ?? null,
        outputThroughputPerGpu: t.best?.metrics?.outputThroughputPerGpu ?? null, skippedFlagged: pointRef(t.skippedFlagged),
      })),
      sla: w.sla
        ? {
          tier: w.sla.tier, best: pointRef(w.sla.best), skippedFlagged: pointRef(w.sla.skippedFlagged), meeting: w.sla.points.map((r) => pointRef(r)),
          deployments: w.sla.deployments.map((d) => ({ deployment: d.deployment, deploymentId: d.deploymentId, flagged: d.flagged, tested: d.tested, highestLoad: d.highest?.load ?? null })),
        }
        : null,
    })),
    failed: s.failed.map((r) => ({ deployment: r.deployment.name, workload: r.workload, load: r.load, attempt: r.attempt, reason: r.reason ?? null })),
    rejected: s.rejected,
  };
}
