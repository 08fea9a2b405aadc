// Everything a report shows, computed once: per workload the classified points, the frontier and
// the best point per SLA tier; failed points, rejected configs, versions, GPU-hours.
import { classifyFrontier, DEFAULT_FRONTIER_TOLERANCE, groupByWorkload, groupHardwareSuffix, type ClassifiedPoint, type FrontierStatus } from './pareto.js';
import { bestForTier, DEFAULT_SLA_TIERS, slaReport, type SlaReport, type TierBest } from './sla.js';
import { isFlagged } from './known-bad.js';
import { pointKey, workloadLabel } from './labels.js';
import type { BenchHardware, BenchPointRecord, BenchWorkload, RejectedConfig, SlaTier } from './records.js';

export interface ReportOptions {
  title?: string;
  /** Planner rejections to list with their reasons. */
  rejected?: RejectedConfig[];
  /** SLA tiers for "best config per tier"; default DEFAULT_SLA_TIERS. */
  slaTiers?: SlaTier[];
  /** The sweep's SLA: reported beside the tiers (best point, points meeting it, highest load per
   * deployment), and the frontier is computed only over points meeting it. */
  sla?: SlaTier;
  /** Frontier "near" margin; default 0.05. */
  tolerance?: number;
  /** GPU-hours of the whole run (deploys included), when the caller knows them. */
  gpuHoursTotal?: number;
  /** Free lines shown under the title (e.g. where the results came from). */
  notes?: string[];
}

export interface TierResult extends TierBest {
  tier: SlaTier;
}

export interface WorkloadSummary {
  key: string;
  label: string;
  workload: BenchWorkload;
  /** The group's GPU, when known (groups never mix GPU models). */
  hardware?: BenchHardware;
  points: ClassifiedPoint[];
  /** Frontier and near-frontier points, by decreasing interactivity. */
  frontier: ClassifiedPoint[];
  tiers: TierResult[];
  /** The sweep's SLA over this group, when one was given. */
  sla?: SlaReport;
  failed: BenchPointRecord[];
}

export interface ResultsSummary {
  title: string;
  notes: string[];
  counts: { points: number; ok: number; failed: number; deployments: number; workloads: number };
  tolerance: number;
  sla?: SlaTier;
  slaTiers: SlaTier[];
  slaTiersAreDefault: boolean;
  workloads: WorkloadSummary[];
  failed: BenchPointRecord[];
  /** Points that carry flags (shown, never on the frontier, never best). */
  flagged: BenchPointRecord[];
  rejected: RejectedConfig[];
  /** name → value → number of points, e.g. vllm → 0.11.0 → 36. */
  versions: Record<string, Record<string, number>>;
  models: string[];
  gpuHours: { benchmark: number; total?: number };
  /** Frontier status by pointKey (ok points only). */
  statusByPoint: Record<string, FrontierStatus>;
}

export function buildResultsSummary(records: BenchPointRecord[], opts: ReportOptions = {}): ResultsSummary {
  const tolerance = opts.tolerance ?? DEFAULT_FRONTIER_TOLERANCE;
  const slaTiers = opts.slaTiers && opts.slaTiers.length > 0 ? opts.slaTiers : DEFAULT_SLA_TIERS;
  const statusByPoint: Record<string, FrontierStatus> = {};
  const workloads = groupByWorkload(records).map((g): WorkloadSummary => {
    const points = classifyFrontier(g.records, { tolerance, ...(opts.sla ? { sla: opts.sla } : {}) });
    for (const p of points) statusByPoint[pointKey(p.record)] = p.status;
    const w: WorkloadSummary = {
      key: g.key,
      label: `${workloadLabel(g.workload)}${groupHardwareSuffix(g)}`,
      workload: g.workload,
      points,
      frontier: points.filter((p) => p.status === 'frontier' || p.status === 'near').sort((a, b) => b.y - a.y),
      tiers: slaTiers.map((tier) => ({ tier, ...bestForTier(g.records, tier) })),
      failed: g.records.filter((r) => r.status === 'failed'),
    };
    if (g.hardware) w.hardware = g.hardware;
    if (opts.sla) w.sla = slaReport(g.records, opts.sla);
    return w;
  });

  const versions: Record<string, Record<string, number>> = {};
  for (const r of records) {
    for (const [k, v] of Object.entries(r.versions ?? {})) {
      const byValue = (versions[k] ??= {});
      byValue[v] = (byValue[v] ?? 0) + 1;
    }
  }
  const summary: ResultsSummary = {
    title: opts.title ?? 'pdflow benchmark results',
    notes: opts.notes ?? [],
    counts: {
      points: records.length,
      ok: records.filter((r) => r.status === 'ok').length,
      failed: records.filter((r) => r.status === 'failed').length,
      deployments: new Set(records.map((r) => r.deployment.id)).size,
      workloads: workloads.length,
    },
    tolerance,
    slaTiers,
    slaTiersAreDefault: !(opts.slaTiers && opts.slaTiers.length > 0),
    workloads,
    failed: records.filter((r) => r.status === 'failed'),
    flagged: records.filter(isFlagged),
    rejected: opts.rejected ?? [],
    versions,
    models: [...new Set(records.map((r) => r.model).filter((m): m is string => !!m))],
    gpuHours: { benchmark: benchmarkGpuHours(records) },
    statusByPoint,
  };
  if (opts.sla) summary.sla = opts.sla;
  if (opts.gpuHoursTotal !== undefined) summary.gpuHours.total = opts.gpuHoursTotal;
  return summary;
}

/** GPUs × benchmark time of every point (failed ones too): what the load points cost. */
export function benchmarkGpuHours(records: BenchPointRecord[]): number {
  return records.reduce((h, r) => h + (r.deployment.gpus * r.timings.durationSec) / 3600, 0);
}
