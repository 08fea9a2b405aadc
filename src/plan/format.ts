// The plan as text for `pdflow plan`: the ordered table, rejected configs, the estimate.
import { slaLimitsLabel } from '../analysis/sla.js';
import { formatDuration } from './estimate.js';
import { workloadId } from './expand.js';
import { pointCountOf } from './plan.js';
import type { Plan, PlannedDeployment, PlannedRole, PlannedSearch } from './types.js';

/** [0,1,2,3] -> "0-3"; [0,1,4] -> "0-1,4". */
export function gpuRanges(gpus: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < gpus.length) {
    let j = i;
    while (j + 1 < gpus.length && gpus[j + 1] === gpus[j]! + 1) j++;
    parts.push(i === j ? `${gpus[i]}` : `${gpus[i]}-${gpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const ROLE_TAG = { prefill: 'P', decode: 'D', replica: 'R' } as const;

/** "P gpu-1:0-1,2-3" — instances grouped by node, one GPU range per instance. */
function roleText(role: PlannedRole): string {
  const byNode = new Map<string, string[]>();
  for (const inst of role.instances) byNode.set(inst.node, [...(byNode.get(inst.node) ?? []), gpuRanges(inst.gpus)]);
  return `${ROLE_TAG[role.role]} ${[...byNode].map(([node, ranges]) => `${node}:${ranges.join(',')}`).join(' ')}`;
}

export function placementText(d: PlannedDeployment): string {
  return d.mode === 'collocated' ? roleText(d.replicas) : `${roleText(d.prefill)}  ${roleText(d.decode)}`;
}

function table(rows: string[][], rightAligned: Set<number>): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/** e.g. `SLA search over concurrency 4..256 for p99 TTFT ≤ 2000 ms, within 10%` */
export function searchText(q: PlannedSearch): string {
  const fill = q.fill > 0 ? `, then ${q.fill} fill point${q.fill === 1 ? '' : 's'}` : '';
  return `SLA search over ${q.over === 'concurrency' ? 'concurrency' : 'request rate (req/s)'} ${q.min}..${q.max} for ${slaLimitsLabel({ name: '', ...q.sla })}, within ${Math.round(q.tolerance * 1000) / 10}%${fill}`;
}

/** `SLA search: ≤9 probes per deployment (bracket ≤7 + bisect ≤4 + fill 0)`: each phase's own maximum; no single run reaches them all at once. */
export function searchWorstCaseText(q: PlannedSearch): string {
  const w = q.worstCase;
  const parts = `bracket ≤${w.bracket} + bisect ≤${w.bisect} + fill ${w.fill}`;
  const n = q.workloads.length;
  return n === 1
    ? `SLA search: ≤${w.probes} probes per deployment (${parts})`
    : `SLA search: ≤${w.probes * n} probes per deployment, ≤${w.probes} for each of its ${n} workloads (${parts})`;
}

function pointsText(d: PlannedDeployment, plan: Plan): string {
  if (plan.search) return `${plan.search.workloads.map(workloadId).join(', ')}: ${searchText(plan.search)}`;
  const byWorkload = new Map<string, string[]>();
  for (const p of d.points) byWorkload.set(p.workloadId, [...(byWorkload.get(p.workloadId) ?? []), p.loadId]);
  return [...byWorkload].map(([w, loads]) => `${w}: ${loads.join(' ')}`).join('; ');
}

export function formatPlan(plan: Plan): string {
  const e = plan.estimate;
  const out: string[] = [];
  const points = plan.search ? `≤${plural(e.points, 'probe')} (SLA search, worst case)` : plural(e.points, 'point');
  out.push(`Sweep ${plan.sweepName} on cluster ${plan.clusterName}: ${plural(e.deployments, 'deployment')}, ${points}, ${e.rejected} rejected`);
  out.push('');
  if (plan.deployments.length > 0) {
    const rows = [['#', 'deployment', 'mode', 'GPUs', 'placement', 'points', 'time']];
    for (const d of plan.deployments) {
      rows.push([`${d.index + 1}`, d.id, d.mode, `${d.gpus}`, placementText(d), `${plan.search ? '≤' : ''}${pointCountOf(d)}`, formatDuration(d.estimate.totalSeconds)]);
    }
    const lines = table(rows, new Set([0, 3, 5, 6]));
    out.push(lines[0]!);
    plan.deployments.forEach((d, i) => {
      out.push(lines[i + 1]!);
      out.push(`${' '.repeat(lines[0]!.indexOf('deployment'))}  ${pointsText(d, plan)}${Object.keys(d.env).length ? `; env ${Object.entries(d.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`);
    });
  } else out.push('Nothing to run: every deployment was rejected.');
  if (plan.warnings && plan.warnings.length > 0) {
    out.push('');
    out.push(`Warnings (${plan.warnings.length}):`);
    for (const w of plan.warnings) out.push(`  ⚠ ${w}`);
  }
  if (plan.rejected.length > 0) {
    out.push('');
    out.push(`Rejected (${plan.rejected.length}):`);
    for (const r of plan.rejected) out.push(`  ${r.id} (deployments[${r.source}]): ${r.reason}: ${r.message}`);
  }
  const t = plan.timings;
  const model = t.benchSecondsPerPoint !== undefined
    ? `${t.benchSecondsPerPoint}s per point`
    : `${t.benchStartupSeconds}s + prompts/concurrency x (${t.expectedTtftMs} ms + osl x ${t.expectedTpotMs} ms) per point`;
  out.push('');
  if (plan.search) out.push(searchWorstCaseText(plan.search));
  const bound = plan.search ? 'with every search at its worst case, no retries' : 'at least';
  out.push(`Estimate: ${formatDuration(e.totalSeconds)} ${bound} (deploys ${formatDuration(e.deploySeconds)}, benchmarks ${formatDuration(e.benchSeconds)}, teardowns ${formatDuration(e.teardownSeconds)})`);
  out.push(`GPU-hours: ${e.gpuHours.toFixed(1)} held by deployments; ${e.clusterGpuHours.toFixed(1)} for the whole cluster over the sweep`);
  out.push(`Timing model: deploy ${t.deploySeconds}s, teardown ${t.teardownSeconds}s, ${model}`);
  return out.join('\n');
}
