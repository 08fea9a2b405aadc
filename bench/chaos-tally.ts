// bench/chaos's bookkeeping: from the sweep's records and the head's benchmark job folders, what
// became of every planned point — one ok record, a failed record with its reason, lost (no record,
// or a failure without a reason), recorded twice, or measured twice (two completed benchmark jobs
// that are not a recorded aborted attempt). No I/O: bench/chaos.ts lists the folders and reads
// their `exit` files.
import type { BenchPointRecord } from '../src/analysis/records.js';

/** One benchmark job folder on the head, as bench/chaos.ts found it. */
export interface BenchJobFolder {
  pointId: string;
  /** 0: the point's first job (`bench-<point>`); n: `bench-<point>-retake<n>` (after a replaced deployment). */
  retake: number;
  /** An earlier run of the same job id, archived by the job runner (`<job>.attempt-N`). */
  archived: boolean;
  /** The `exit` file's number; undefined: the job never ended (killed with its node, or still hung). */
  exitCode?: number;
}

export interface PointTally {
  pointId: string;
  records: number;
  status: 'ok' | 'failed with reason' | 'lost';
  reason?: string;
  /** Completed (exit 0) jobs that are not a recorded aborted attempt: 1 for a measured point, 0 for a failed one. */
  completedRuns: number;
  /** Archived attempts (cut short: lost with their node, failed, hung until the point's timeout) and restarted under the same id. */
  cutShort: number;
  /** Recorded aborted attempts: runs on a deployment that died, measured again under a retake job. */
  abortedOnDeadDeployment: number;
  /** Tries of the final run beyond the first (activity retries). */
  retries: number;
  /** Every benchmark job folder of the point (0 with no record: a sweep that stopped early never got to it). */
  folders: number;
}

export interface ChaosTally {
  points: PointTally[];
  planned: number;
  ok: number;
  failedWithReason: number;
  /** No record, or a failed record without a reason. */
  lost: string[];
  /** More than one completed benchmark job (recorded aborted attempts excluded). */
  repeated: string[];
  /** More than one record in the sweep's result. */
  recordedTwice: string[];
  /** An ok record without a completed benchmark job behind it. */
  okWithoutJob: string[];
  cutShort: number;
  abortedOnDeadDeployment: number;
  /** Bench job folders of this run that name no planned point. */
  strayFolders: number;
}

export function tallyPoints(plannedIds: readonly string[], records: readonly BenchPointRecord[], folders: readonly BenchJobFolder[], strayFolders = 0): ChaosTally {
  const recordsOf = new Map<string, BenchPointRecord[]>();
  for (const r of records) recordsOf.set(r.pointId, [...(recordsOf.get(r.pointId) ?? []), r]);
  const foldersOf = new Map<string, BenchJobFolder[]>();
  for (const f of folders) foldersOf.set(f.pointId, [...(foldersOf.get(f.pointId) ?? []), f]);

  const points = plannedIds.map((pointId): PointTally => {
    const rs = recordsOf.get(pointId) ?? [];
    const last = rs[rs.length - 1];
    const fs = foldersOf.get(pointId) ?? [];
    // Retake n follows n recorded aborted attempts: jobs 0..n-1 are those attempts, job n the measurement.
    const aborted = last?.abortedAttempts?.length ?? 0;
    const status = !last ? 'lost' : last.status === 'ok' ? 'ok' : last.reason ? 'failed with reason' : 'lost';
    return {
      pointId, records: rs.length, status, ...(last?.reason ? { reason: last.reason } : {}),
      completedRuns: fs.filter((f) => f.exitCode === 0 && f.retake >= aborted).length,
      cutShort: fs.filter((f) => f.archived && f.exitCode !== 0).length,
      abortedOnDeadDeployment: aborted,
      retries: Math.max(0, (last?.attempt ?? 1) - 1),
      folders: fs.length,
    };
  });
  const ids = (pred: (p: PointTally) => boolean) => points.filter(pred).map((p) => p.pointId);
  return {
    points, planned: plannedIds.length,
    ok: points.filter((p) => p.status === 'ok').length,
    failedWithReason: points.filter((p) => p.status === 'failed with reason').length,
    lost: ids((p) => p.status === 'lost'),
    repeated: ids((p) => p.completedRuns > 1),
    recordedTwice: ids((p) => p.records > 1),
    okWithoutJob: ids((p) => p.status === 'ok' && p.completedRuns === 0),
    cutShort: points.reduce((n, p) => n + p.cutShort, 0),
    abortedOnDeadDeployment: points.reduce((n, p) => n + p.abortedOnDeadDeployment, 0),
    strayFolders,
  };
}

/** Small seeded PRNG (mulberry32): the same seed gives the same fault kinds, gaps and targets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
