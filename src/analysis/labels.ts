// Short human labels for deployments, workloads and loads, shared by tables, plots and keys.
import type { BenchDeployment, BenchLoad, BenchPointRecord, BenchWorkload } from './records.js';

/** "1P-TP4:1D-TP4" for PD, "4xTP2" for collocated. */
export function shapeLabel(d: Pick<BenchDeployment, 'mode' | 'prefill' | 'decode' | 'replicas'>): string {
  if (d.mode === 'collocated') return d.replicas ? `${d.replicas.count}xTP${d.replicas.tp}` : 'collocated';
  const p = d.prefill ? `${d.prefill.count}P-TP${d.prefill.tp}` : '?P';
  const dd = d.decode ? `${d.decode.count}D-TP${d.decode.tp}` : '?D';
  return `${p}:${dd}`;
}

/** "ISL 5000 / OSL 250 (mixed)" */
export function workloadLabel(w: BenchWorkload): string {
  return `ISL ${w.isl} / OSL ${w.osl} (${w.mode})`;
}

/** "isl5000-osl250-mixed": a file-name-safe key. */
export function workloadKey(w: BenchWorkload): string {
  return `isl${w.isl}-osl${w.osl}-${w.mode.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

/** "conc 16", "4 req/s, conc ≤ 128", "4 req/s", "uncapped" */
export function loadLabel(l: BenchLoad): string {
  const rate = l.requestRate !== undefined ? `${fmtNumber(l.requestRate)} req/s` : undefined;
  if (rate && l.concurrency !== undefined) return `${rate}, conc ≤ ${l.concurrency}`;
  if (rate) return rate;
  if (l.concurrency !== undefined) return `conc ${l.concurrency}`;
  return 'uncapped';
}

/** Unique per point within a result set (the record's pointId). */
export function pointKey(r: BenchPointRecord): string {
  return r.pointId;
}

/** Fixed decimals that shrink for big numbers: 7.65, 299.4, 36401. */
export function fmtNumber(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (Number.isInteger(x)) return `${x}`;
  const abs = Math.abs(x);
  const d = abs >= 1000 ? 0 : abs >= 100 ? Math.min(digits, 1) : digits;
  return x.toFixed(d);
}

/** The deployment name with " ⚠" when the record is flagged: every table shows it at a glance. */
export function flaggedName(r: BenchPointRecord): string {
  return (r.flags?.length ?? 0) > 0 ? `${r.deployment.name} ⚠` : r.deployment.name;
}

/** Sort key within a deployment: concurrency, then rate. */
export function loadOrder(p: { record: { load: { concurrency?: number; requestRate?: number } } }): number {
  const l = p.record.load;
  return (l.requestRate ?? 0) * 1e6 + (l.concurrency ?? 0);
}
