// Reuse of measured points: which records may stand in for a new measurement, and the copy a run
// keeps of one. Pure.
import type { PlannedDeployment, PlannedPoint } from '../plan/types.js';
import { pointRecord } from './point-record.js';
import type { BenchHardware, BenchPointRecord } from './records.js';

/**
 * The record a point would have if measured on nodes with this hardware and these versions: what
 * its content key is computed from when looking for one to reuse (the sweep, `pdflow plan --reuse`).
 */
export function wantedRecord(dep: PlannedDeployment, point: PlannedPoint, on: { model: string; versions: Record<string, string>; hardware?: BenchHardware }, now: Date): BenchPointRecord {
  return pointRecord(dep, point, {
    status: 'ok', attempt: 1, startedAt: now.toISOString(), durationSec: 0, model: on.model, versions: on.versions, ...(on.hardware ? { hardware: on.hardware } : {}),
  });
}

/** A record another run may reuse: measured (not itself a copy), ok, no failed request, unflagged. */
export function isReusable(r: BenchPointRecord): boolean {
  return r.status === 'ok' && !r.reused && !(r.flags?.length) && (r.metrics?.failed ?? 0) === 0 && !r.abortedAttempts?.length;
}

/**
 * The record a run keeps for a point it did not measure: the source's measurement under this run's
 * point id, marked with where it came from. Paths stay the source run's (its files).
 */
export function reusedRecord(source: BenchPointRecord, from: { workflowId: string }, point: { id: string; probe?: BenchPointRecord['probe'] }): BenchPointRecord {
  const { probe: _sourceProbe, ...rest } = source;
  return {
    ...rest, pointId: point.id, ...(point.probe ? { probe: { ...point.probe } } : {}),
    reused: { workflowId: from.workflowId, pointId: source.pointId, measuredAt: source.timings.startedAt },
  };
}

/** "7 of 12 points reused (0.8 GPU-hours of benchmarks saved)". */
export function reuseSummary(reused: number, total: number, gpuHoursSaved: number): string {
  return `${reused} of ${total} points reused (${gpuHoursSaved.toFixed(2)} GPU-hours of benchmarks saved)`;
}
