// The record of a point that was not measured: its benchmark failed, or its deployment never came up.
import { pointRecord } from '../../analysis/point-record.js';
import type { BenchPointRecord } from '../../analysis/records.js';
import type { PointIdentity } from '../../activities/types.js';
import type { PlannedDeployment, PlannedPoint } from '../../plan/types.js';

/** `attempts`: how many times the bench ran (0: never, its deployment did not come up). */
export function failedRecord(dep: PlannedDeployment, point: PlannedPoint, reason: string, attempts: number, startedAt = new Date(), identity?: PointIdentity): BenchPointRecord {
  return pointRecord(dep, point, {
    status: 'failed', reason, attempt: attempts, startedAt: startedAt.toISOString(), durationSec: (Date.now() - startedAt.getTime()) / 1000,
    ...(identity?.hardware ? { hardware: identity.hardware } : {}), ...(identity ? { versions: identity.versions } : {}),
  });
}
