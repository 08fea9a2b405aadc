// Time estimates: a lower bound for the sweep (no retries, no waits beyond the work itself).
import type { TimingsConfig } from '../config/index.js';
import type { PlannedWorkload, PlanTimings, PointLoad } from './types.js';

/** Defaults from the seed's runs: 2-4 min per warm Ray Serve deployment, 8-20 s per point at ISL/OSL 5000/250. */
export const DEFAULT_TIMINGS: PlanTimings = {
  deploySeconds: 180,
  teardownSeconds: 20,
  benchStartupSeconds: 15,
  expectedTtftMs: 500,
  expectedTpotMs: 12,
};

/** Later sources win field by field: defaults < cluster file < sweep file < explicit overrides. */
export function resolveTimings(...sources: (TimingsConfig | Partial<PlanTimings> | undefined)[]): PlanTimings {
  const out: PlanTimings = { ...DEFAULT_TIMINGS };
  for (const src of sources) {
    if (!src) continue;
    for (const [k, v] of Object.entries(src) as [keyof PlanTimings, number | undefined][]) {
      if (v !== undefined) out[k] = v;
    }
  }
  return out;
}

/** Seconds one benchmark point takes under the timing model. */
export function estimatePointSeconds(t: PlanTimings, workload: PlannedWorkload, load: PointLoad): number {
  if (t.benchSecondsPerPoint !== undefined) return t.benchSecondsPerPoint;
  const request = (t.expectedTtftMs + workload.osl * t.expectedTpotMs) / 1000;
  if (load.kind === 'concurrency') {
    return round(t.benchStartupSeconds + Math.ceil(load.numPrompts / load.concurrency) * request);
  }
  // Open loop: arrivals take numPrompts / rate; a concurrency cap can make it slower than that.
  const arrivals = load.numPrompts / load.requestRate + request;
  const capped = load.maxConcurrency !== undefined ? Math.ceil(load.numPrompts / load.maxConcurrency) * request : 0;
  return round(t.benchStartupSeconds + Math.max(arrivals, capped));
}

const round = (s: number) => Math.round(s * 10) / 10;

/** `1h 02m`, `7m 30s`, `45s`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s % 60).padStart(2, '0')}s`;
}
