// Two pareto frontiers of one workload × hardware group, side by side. Each point of A's frontier
// (output tok/s per GPU, interactivity) is matched with the point of B's frontier that comes
// closest to covering it: how much that point would have to grow, on both axes at once, to reach
// A's (the multiplicative epsilon indicator of multi-objective optimisation). Unlike throughput
// read at a fixed interactivity, this does not jump where a frontier drops steeply (two points of
// nearly equal interactivity and very different throughput): a 0.3% move in interactivity there
// stays a 0.3% shortfall, not a 30% one. Pure.
import { paretoFrontier } from './pareto.js';
import type { BenchPointRecord } from './records.js';

export interface FrontierPoint {
  pointId: string;
  /** tok/s/user. */
  interactivity: number;
  /** Output tok/s per GPU. */
  throughputPerGpu: number;
}

export interface FrontierShortfall {
  /** A point of A's frontier. */
  point: FrontierPoint;
  /** The point of B's frontier that comes closest to covering it. */
  closest: FrontierPoint;
  /** % by which `closest` must grow on both axes to reach `point` (≤ 0: B's point reaches or passes it). */
  shortfallPct: number;
  /** B's point against A's on each axis, in %. */
  throughputDeltaPct: number;
  interactivityDeltaPct: number;
}

export interface FrontierDelta {
  /** One per point of A's frontier, by increasing interactivity ([] when either frontier is empty). */
  shortfalls: FrontierShortfall[];
  /** The largest shortfall: B's frontier falls short of A's by at most this much anywhere (null when either is empty). */
  shortfallPct: number | null;
  /** The same with A and B swapped: B's frontier passes A's by at most this much somewhere. */
  gainPct: number | null;
  /** Highest throughput per GPU on each frontier, and its change in %. */
  peakThroughputA: number | null;
  peakThroughputB: number | null;
  peakThroughputDeltaPct: number | null;
}

/** The frontier of ONE group's records, by increasing interactivity (unflagged ok points only). */
export function frontierPoints(records: BenchPointRecord[]): FrontierPoint[] {
  return paretoFrontier(records).map((r) => ({ pointId: r.pointId, interactivity: r.metrics!.interactivity!, throughputPerGpu: r.metrics!.outputThroughputPerGpu }));
}

const pct = (a: number, b: number) => ((b - a) / a) * 100;

/** How much `by` must grow on both axes (one factor) to cover `p`, as a factor (≤ 1: it covers it). */
const coverFactor = (p: FrontierPoint, by: FrontierPoint) => Math.max(p.throughputPerGpu / by.throughputPerGpu, p.interactivity / by.interactivity);

function shortfalls(from: FrontierPoint[], to: FrontierPoint[]): FrontierShortfall[] {
  if (from.length === 0 || to.length === 0) return [];
  return from.map((p) => {
    const closest = to.reduce((best, q) => (coverFactor(p, q) < coverFactor(p, best) ? q : best));
    return {
      point: p, closest, shortfallPct: (coverFactor(p, closest) - 1) * 100,
      throughputDeltaPct: pct(p.throughputPerGpu, closest.throughputPerGpu), interactivityDeltaPct: pct(p.interactivity, closest.interactivity),
    };
  });
}

/** B's frontier against A's. */
export function compareFrontiers(a: FrontierPoint[], b: FrontierPoint[]): FrontierDelta {
  const short = shortfalls(a, b);
  const gain = shortfalls(b, a);
  const peak = (c: FrontierPoint[]) => (c.length ? Math.max(...c.map((p) => p.throughputPerGpu)) : null);
  const peakA = peak(a);
  const peakB = peak(b);
  return {
    shortfalls: short,
    shortfallPct: short.length ? Math.max(...short.map((s) => s.shortfallPct)) : null,
    gainPct: gain.length ? Math.max(...gain.map((s) => s.shortfallPct)) : null,
    peakThroughputA: peakA,
    peakThroughputB: peakB,
    peakThroughputDeltaPct: peakA !== null && peakB !== null && peakA > 0 ? pct(peakA, peakB) : null,
  };
}
