// What `--reuse` would save, before a run: each planned point's content key, built with the
// hardware and versions the cluster's newest stored record reports (the nodes are not asked: the
// CLI never touches them), looked up in the results store. An estimate: the run itself reads the
// nodes and may find that something changed since.
import { contentKeyOf } from '../analysis/content-key.js';
import { wantedRecord } from '../analysis/reuse.js';
import { pointsOfDeployment } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import type { ResultsStore } from '../results-store/store.js';

export interface ReuseEstimate {
  points: number;
  of: number;
  gpuHoursSaved: number;
  /** What the keys were built from, or why nothing can be reused. */
  basis: string;
}

export async function estimateReuse(store: ResultsStore, plan: Plan, maxAgeHours: number, now = new Date()): Promise<ReuseEstimate> {
  const of = plan.estimate.points;
  if (plan.search) return { points: 0, of, gpuHoursSaved: 0, basis: 'an SLA search picks its loads as it runs: reuse is decided point by point then' };
  const newest = await store.newestClusterRecord(plan.clusterName);
  if (!newest?.hardware || !newest.versions) return { points: 0, of, gpuHoursSaved: 0, basis: `the results store (${store.where}) has no measured record of cluster ${plan.clusterName}` };
  const since = new Date(now.getTime() - maxAgeHours * 3600_000).toISOString();
  let points = 0;
  let gpuSeconds = 0;
  for (const dep of plan.deployments) {
    for (const point of pointsOfDeployment(plan, dep)) {
      const wanted = wantedRecord(dep, point, { model: newest.model ?? '', hardware: newest.hardware, versions: newest.versions }, now);
      if (!(await store.findReusable(contentKeyOf(wanted), since, ''))) continue;
      points++;
      gpuSeconds += point.estimatedSeconds * dep.gpus;
    }
  }
  return { points, of, gpuHoursSaved: gpuSeconds / 3600, basis: `keys built with the hardware and versions of ${plan.clusterName}'s newest record (${newest.timings.startedAt})` };
}
