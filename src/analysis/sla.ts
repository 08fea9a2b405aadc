// SLA tiers: p99 TTFT and p99 TPOT limits; the best configuration that meets each.
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

/** The point with the highest output tok/s per GPU among those meeting the tier (one workload). */
export function bestForTier(records: BenchPointRecord[], tier: SlaTier): { best?: BenchPointRecord; meeting: number } {
  const ok = filterBySla(records, tier);
  let best: BenchPointRecord | undefined;
  for (const r of ok) if (!best || r.metrics!.outputThroughputPerGpu > best.metrics!.outputThroughputPerGpu) best = r;
  return best ? { best, meeting: ok.length } : { meeting: 0 };
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
