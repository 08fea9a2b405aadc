// The pareto frontier of one workload: maximise output throughput per GPU and interactivity.
import { meetsSla } from './sla.js';
import { isFlagged } from './known-bad.js';
import { hardwareKey, hardwareShortName } from './hardware.js';
import type { BenchHardware, BenchPointRecord, BenchWorkload, SlaTier } from './records.js';
import { workloadKey } from './labels.js';

/**
 * frontier: no other point is at least as good on both axes and better on one.
 * near: dominated, but by less than the tolerance on both axes (within measurement noise).
 * dominated: another point is at least as good on both axes and better by more than the tolerance on one.
 * out-of-sla: filtered out by the SLA before the frontier was computed.
 * flagged: the record carries flags (known-bad stack, suspect import): shown, never a contender.
 */
export type FrontierStatus = 'frontier' | 'near' | 'dominated' | 'out-of-sla' | 'flagged';

export interface FrontierOptions {
  /** Relative margin under which a dominated point still counts as "near"; default 0.05 (5%). */
  tolerance?: number;
  /** Only points meeting this tier take part. */
  sla?: SlaTier;
}

export const DEFAULT_FRONTIER_TOLERANCE = 0.05;

export interface ClassifiedPoint {
  record: BenchPointRecord;
  /** Output tok/s per GPU. */
  x: number;
  /** Interactivity, tok/s/user. */
  y: number;
  status: FrontierStatus;
}

/** ★ frontier, ≈ near it, ✗ out of the SLA, ⚠ flagged (never on the frontier), blank otherwise. */
export function statusMark(p: ClassifiedPoint): string {
  return p.status === 'frontier' ? '★' : p.status === 'near' ? '≈' : p.status === 'out-of-sla' ? '✗' : p.status === 'flagged' ? '⚠' : '';
}

/** The points that can be placed: status ok, with metrics and a finite interactivity. */
export function plottable(records: BenchPointRecord[]): BenchPointRecord[] {
  return records.filter((r) => r.status === 'ok' && r.metrics && r.metrics.interactivity !== null && Number.isFinite(r.metrics.outputThroughputPerGpu));
}

/** Classifies every placeable point of ONE workload (group first with groupByWorkload). */
export function classifyFrontier(records: BenchPointRecord[], opts: FrontierOptions = {}): ClassifiedPoint[] {
  const tol = opts.tolerance ?? DEFAULT_FRONTIER_TOLERANCE;
  const pts: ClassifiedPoint[] = plottable(records).map((record) => ({
    record,
    x: record.metrics!.outputThroughputPerGpu,
    y: record.metrics!.interactivity!,
    status: isFlagged(record) ? 'flagged' : opts.sla && !meetsSla(record, opts.sla).ok ? 'out-of-sla' : 'frontier',
  }));
  const contenders = pts.filter((p) => p.status === 'frontier');
  for (const p of contenders) {
    let dominated = false;
    let clearly = false;
    for (const q of contenders) {
      if (q === p || q.x < p.x || q.y < p.y || (q.x === p.x && q.y === p.y)) continue;
      dominated = true;
      if (q.x > p.x * (1 + tol) || q.y > p.y * (1 + tol)) { clearly = true; break; }
    }
    p.status = !dominated ? 'frontier' : clearly ? 'dominated' : 'near';
  }
  return pts;
}

/** The frontier of ONE workload, by increasing interactivity. */
export function paretoFrontier(records: BenchPointRecord[], opts: FrontierOptions = {}): BenchPointRecord[] {
  return classifyFrontier(records, opts).filter((p) => p.status === 'frontier').sort((a, b) => a.y - b.y).map((p) => p.record);
}

export interface WorkloadGroup {
  /** workloadKey, then "-<hardware>" when the GPU model is known: "isl5000-osl250-mixed-h200". */
  key: string;
  workload: BenchWorkload;
  /** The GPU of the group's records ("H200"), absent when unknown. */
  hardware?: BenchHardware;
  records: BenchPointRecord[];
}

/**
 * Records by workload (ISL, OSL, mode) AND hardware (GPU family), in order of first appearance:
 * an H200 and an H100 run of one config are two comparisons, never one series or one frontier.
 */
export function groupByWorkload(records: BenchPointRecord[]): WorkloadGroup[] {
  const groups = new Map<string, WorkloadGroup>();
  for (const r of records) {
    const hw = hardwareKey(r.hardware);
    const key = hw ? `${workloadKey(r.workload)}-${hw}` : workloadKey(r.workload);
    let g = groups.get(key);
    if (!g) {
      groups.set(key, (g = { key, workload: r.workload, records: [] }));
      if (hw && r.hardware) g.hardware = r.hardware;
    }
    g.records.push(r);
  }
  return [...groups.values()];
}

/** " on H200" for a group of known hardware, "" otherwise. */
export function groupHardwareSuffix(g: Pick<WorkloadGroup, 'hardware'>): string {
  const name = hardwareShortName(g.hardware);
  return name ? ` on ${name}` : '';
}
