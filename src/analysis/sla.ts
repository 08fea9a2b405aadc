// SLA tiers: p99 TTFT and p99 TPOT limits; the best configuration that meets each.
import { isFlagged } from './known-bad.js';
import type { BenchPointRecord, SlaTier } from './records.js';

/** Used when the sweep names none; printed with their limits so nobody mistakes them for a promise. */
export const DEFAULT_SLA_TIERS: SlaTier[] = [
  { name: 'interactive', p99TtftMs: 1000, p99TpotMs: 10 },
  { name: 'standard', p99TtftMs: 2000, p99TpotMs: 20 },
  { name: 'batch', p99TtftMs: 10000, p99TpotMs: 50 },
];

export function slaLimitsLabel(t: SlaTier): string {
  const parts: string[] = [];
  if (t.p99TtftMs !== undefined) parts.push(`p99 TTFT ≤ ${t.p99TtftMs} ms`);
  if (t.p99TpotMs !== undefined) parts.push(`p99 TPOT ≤ ${t.p99TpotMs} ms`);
  return parts.length > 0 ? parts.join(', ') : 'no limits';
}

/** Whether an ok point meets every limit of the tier; a limit on a percentile the run lacks fails. */
export function meetsSla(r: BenchPointRecord, tier: SlaTier): { ok: boolean; why?: string } {
  const m = r.metrics;
  if (r.status !== 'ok' || !m) return { ok: false, why: 'failed point' };
  if (tier.p99TtftMs !== undefined) {
    if (m.ttftMs.p99 === undefined) return { ok: false, why: 'no p99 TTFT in the result' };
    if (m.ttftMs.p99 > tier.p99TtftMs) return { ok: false, why: `p99 TTFT ${m.ttftMs.p99.toFixed(0)} ms > ${tier.p99TtftMs} ms` };
  }
  if (tier.p99TpotMs !== undefined) {
    if (m.tpotMs.p99 === undefined) return { ok: false, why: 'no p99 TPOT in the result' };
    if (m.tpotMs.p99 > tier.p99TpotMs) return { ok: false, why: `p99 TPOT ${m.tpotMs.p99.toFixed(1)} ms > ${tier.p99TpotMs} ms` };
  }
  return { ok: true };
}

export function filterBySla(records: BenchPointRecord[], tier: SlaTier): BenchPointRecord[] {
  return records.filter((r) => meetsSla(r, tier).ok);
}

export interface TierBest {
  /** The unflagged point with the highest output tok/s per GPU that meets the tier. */
  best?: BenchPointRecord;
  /** Unflagged points that meet the tier. */
  meeting: number;
  /** Flagged points that meet it too (never "best"). */
  meetingFlagged: number;
  /** A flagged point that would have been best: the reader must know it was passed over. */
  skippedFlagged?: BenchPointRecord;
}

/**
 * The point with the highest output tok/s per GPU among those meeting the tier (one workload).
 * Flagged points are never best; the best of them is returned as skipped when it beats the best.
 */
export function bestForTier(records: BenchPointRecord[], tier: SlaTier): TierBest {
  const ok = filterBySla(records, tier);
  const top = (rs: BenchPointRecord[]) => {
    let best: BenchPointRecord | undefined;
    for (const r of rs) if (!best || r.metrics!.outputThroughputPerGpu > best.metrics!.outputThroughputPerGpu) best = r;
    return best;
  };
  const clean = ok.filter((r) => !isFlagged(r));
  const best = top(clean);
  const flaggedTop = top(ok.filter(isFlagged));
  const out: TierBest = { meeting: clean.length, meetingFlagged: ok.length - clean.length };
  if (best) out.best = best;
  if (flaggedTop && (!best || flaggedTop.metrics!.outputThroughputPerGpu > best.metrics!.outputThroughputPerGpu)) out.skippedFlagged = flaggedTop;
  return out;
}

export interface DeploymentSlaLine {
  deploymentId: string;
  deployment: string;
  /** Ok points of the deployment in the group. */
  tested: number;
  /** The highest load (rate, then concurrency) whose point met the SLA. */
  highest?: BenchPointRecord;
  flagged: boolean;
}

export interface SlaReport extends TierBest {
  tier: SlaTier;
  /** Every point that meets it, flagged ones included (marked where shown), best first. */
  points: BenchPointRecord[];
  /** One line per deployment that has an ok point. */
  deployments: DeploymentSlaLine[];
}

const loadRank = (r: BenchPointRecord) => (r.load.requestRate ?? 0) * 1e6 + (r.load.concurrency ?? 0);

/** The sweep's SLA over one workload group: best point, the points meeting it, the highest load per deployment. */
export function slaReport(records: BenchPointRecord[], tier: SlaTier): SlaReport {
  const points = filterBySla(records, tier).sort((a, b) => b.metrics!.outputThroughputPerGpu - a.metrics!.outputThroughputPerGpu);
  const deployments = new Map<string, DeploymentSlaLine>();
  for (const r of records) {
    if (r.status !== 'ok' || !r.metrics) continue;
    const line = deployments.get(r.deployment.id) ?? { deploymentId: r.deployment.id, deployment: r.deployment.name, tested: 0, flagged: false };
    deployments.set(r.deployment.id, line);
    line.tested++;
    if (isFlagged(r)) line.flagged = true;
    if (meetsSla(r, tier).ok && (!line.highest || loadRank(r) > loadRank(line.highest))) line.highest = r;
  }
  return { tier, ...bestForTier(records, tier), points, deployments: [...deployments.values()] };
}

/** Parses "name:ttft=1000,tpot=10" (either limit may be left out). */
export function parseSlaTier(spec: string): SlaTier {
  const m = /^([A-Za-z0-9_-]+):(.+)$/.exec(spec.trim());
  if (!m) throw new Error(`SLA tier "${spec}": expected NAME:ttft=MS,tpot=MS, e.g. interactive:ttft=1000,tpot=10`);
  const tier: SlaTier = { name: m[1]! };
  for (const part of m[2]!.split(',')) {
    const kv = /^\s*(ttft|tpot)\s*=\s*(\d+(?:\.\d+)?)\s*(ms)?\s*$/i.exec(part);
    if (!kv) throw new Error(`SLA tier "${spec}": "${part}" is not ttft=MS or tpot=MS (p99 limits in milliseconds)`);
    if (kv[1]!.toLowerCase() === 'ttft') tier.p99TtftMs = Number(kv[2]);
    else tier.p99TpotMs = Number(kv[2]);
  }
  return tier;
}

/** Whether an --sla value is the sweep-file form (p99TtftMs=...,p99TpotMs=...) rather than a NAME:... tier. */
export function isSweepSlaSpec(spec: string): boolean {
  return /^\s*p99(Ttft|Tpot)Ms\s*=/i.test(spec);
}

/**
 * Parses "p99TtftMs=2000,p99TpotMs=50" (the sweep file's `sla` keys; either may be left out) into
 * the tier the report names "sweep SLA".
 */
export function parseSweepSla(spec: string, name = 'sweep SLA'): SlaTier {
  const tier: SlaTier = { name };
  for (const part of spec.split(',')) {
    const kv = /^\s*(p99TtftMs|p99TpotMs)\s*=\s*(\d+(?:\.\d+)?)\s*$/i.exec(part);
    if (!kv || !(Number(kv[2]) > 0)) throw new Error(`SLA "${spec}": "${part.trim()}" is not p99TtftMs=MS or p99TpotMs=MS (positive limits in milliseconds, as the sweep file's sla names them), e.g. p99TtftMs=2000,p99TpotMs=50`);
    if (kv[1]!.toLowerCase() === 'p99ttftms') tier.p99TtftMs = Number(kv[2]);
    else tier.p99TpotMs = Number(kv[2]);
  }
  return tier;
}
