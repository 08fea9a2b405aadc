// Point records from the sweep's plan: the sweep workflow and its bench activity build every
// record here, so the report sees one shape. Pure and deterministic (usable in workflow code).
import type { PlannedDeployment, PlannedPoint, PointLoad, RejectedDeployment } from '../plan/types.js';
import type { VllmBenchResult } from '../parse/vllm-bench.js';
import { pointFromBench } from './metrics.js';
import { knownBadFlagsOf, withFlags } from './known-bad.js';
import type { BenchDeployment, BenchHardware, BenchLoad, BenchMetrics, BenchPointRecord, RejectedConfig, SlaTier } from './records.js';

export interface PointRecordExtra {
  status: 'ok' | 'failed';
  reason?: string;
  metrics?: BenchMetrics;
  /** 1 for the first try (0 when the point never ran, e.g. its deployment did not come up). */
  attempt: number;
  /** ISO 8601. */
  startedAt: string;
  durationSec: number;
  model?: string;
  servedName?: string;
  rawResultPath?: string;
  localResultPath?: string;
  logPath?: string;
  versions?: Record<string, string>;
  /** The nodes' hardware; default the plan's (the cluster file's declaration). */
  hardware?: BenchHardware;
}

/**
 * Hardware and flags onto a record of a planned deployment: the known-bad table checked against
 * the record's own versions and hardware, or the plan's flags when the record has no versions.
 */
function identify(r: BenchPointRecord, dep: PlannedDeployment, hardware: BenchHardware | undefined): BenchPointRecord {
  const hw = hardware ?? dep.hardware;
  const rec: BenchPointRecord = hw ? { ...r, hardware: hw } : r;
  // What it ran on wins when the record knows its versions; a record without them (a point that
  // never ran) keeps the plan's verdict.
  return withFlags(rec, rec.versions ? knownBadFlagsOf(rec) : dep.flags ?? []);
}

export function deploymentOfPlan(dep: PlannedDeployment): BenchDeployment {
  const d: BenchDeployment = { id: dep.id, name: dep.label, mode: dep.mode, gpus: dep.gpus };
  if (dep.mode === 'collocated') d.replicas = { count: dep.replicas.count, tp: dep.replicas.tp };
  else {
    d.prefill = { count: dep.prefill.count, tp: dep.prefill.tp };
    d.decode = { count: dep.decode.count, tp: dep.decode.tp };
    d.backend = dep.backend;
  }
  if (Object.keys(dep.env).length > 0) d.env = { ...dep.env };
  return d;
}

export function loadOfPlan(load: PointLoad): BenchLoad {
  if (load.kind === 'concurrency') return { concurrency: load.concurrency, numPrompts: load.numPrompts };
  const l: BenchLoad = { requestRate: load.requestRate, numPrompts: load.numPrompts };
  if (load.maxConcurrency !== undefined) l.concurrency = load.maxConcurrency;
  return l;
}

/** A record for a planned point from what the caller knows (a failed point needs only the reason). */
export function pointRecord(dep: PlannedDeployment, point: PlannedPoint, extra: PointRecordExtra): BenchPointRecord {
  const r: BenchPointRecord = {
    pointId: point.id,
    deployment: deploymentOfPlan(dep),
    workload: { isl: point.workload.isl, osl: point.workload.osl, mode: point.workload.mode },
    load: loadOfPlan(point.load),
    status: extra.status,
    timings: { startedAt: extra.startedAt, durationSec: extra.durationSec },
    attempt: extra.attempt,
  };
  if (extra.reason !== undefined) r.reason = extra.reason;
  if (extra.metrics) r.metrics = extra.metrics;
  if (extra.model) r.model = extra.model;
  if (extra.servedName) r.servedName = extra.servedName;
  if (extra.rawResultPath) r.rawResultPath = extra.rawResultPath;
  if (extra.localResultPath) r.localResultPath = extra.localResultPath;
  if (extra.logPath) r.logPath = extra.logPath;
  if (extra.versions) r.versions = extra.versions;
  return identify(withProbe(r, point), dep, extra.hardware);
}

/**
 * The record of a planned point from its parsed `vllm bench serve` result: metrics per GPU of the
 * deployment, "failed" with the reason when no request completed.
 */
export function pointRecordFromBench(
  dep: PlannedDeployment,
  point: PlannedPoint,
  result: VllmBenchResult,
  extra: Omit<PointRecordExtra, 'status' | 'reason' | 'metrics' | 'model'>,
): BenchPointRecord {
  return identify(withProbe(pointFromBench(result, {
    pointId: point.id,
    deployment: deploymentOfPlan(dep),
    workload: { isl: point.workload.isl, osl: point.workload.osl, mode: point.workload.mode },
    load: loadOfPlan(point.load),
    timings: { startedAt: extra.startedAt, durationSec: extra.durationSec },
    attempt: extra.attempt,
    ...(extra.servedName ? { servedName: extra.servedName } : {}),
    ...(extra.rawResultPath ? { rawResultPath: extra.rawResultPath } : {}),
    ...(extra.localResultPath ? { localResultPath: extra.localResultPath } : {}),
    ...(extra.logPath ? { logPath: extra.logPath } : {}),
    ...(extra.versions ? { versions: extra.versions } : {}),
  }), point), dep, extra.hardware);
}

/** Which probe of an SLA search the point was (records of grid points have none). */
function withProbe(r: BenchPointRecord, point: PlannedPoint): BenchPointRecord {
  return point.probe ? { ...r, probe: { ...point.probe } } : r;
}

/** The planner's rejections, for the report. */
export function rejectedOfPlan(rejected: RejectedDeployment[]): RejectedConfig[] {
  return rejected.map((r) => ({ name: r.label, reason: r.message }));
}

/** The sweep file's SLA (p99TtftMs, p99TpotMs) as a tier. */
export function slaTierOf(sla: { p99TtftMs?: number; p99TpotMs?: number }, name = 'sweep SLA'): SlaTier {
  const t: SlaTier = { name };
  if (sla.p99TtftMs !== undefined) t.p99TtftMs = sla.p99TtftMs;
  if (sla.p99TpotMs !== undefined) t.p99TpotMs = sla.p99TpotMs;
  return t;
}
