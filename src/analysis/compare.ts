// Two runs of benchmark points, A (the baseline) and B (the run to check): points matched by their
// content key without versions (same hardware, deployment, workload and load, whatever the stack),
// per-point changes in throughput per GPU, TTFT and TPOT, per-group frontier changes, and a
// verdict that calls a regression only beyond the noise seen between repeats. Pure.
//
// Rules:
// - A change counts only beyond the metric's threshold (DEFAULT_THRESHOLD_PCT, from the measured
//   seed-to-seed noise of bench/repeat-noise.ts; one --threshold overrides them all).
// - A point ok in A and failed in B regressed; failed in A and ok in B improved; failed in both: none.
// - Flagged points (known-bad stack, suspect, output mismatch) are shown with their deltas but never
//   judged on them: a point flagged in B and not in A regressed (B's numbers cannot be trusted);
//   flagged in A: never "improved", never "regressed" on its numbers.
// - Frontiers are compared per workload × hardware group over the matched points flagged in
//   neither run, so a point that one run did not measure, or cannot be trusted in either, moves no
//   frontier (it is listed as unmatched, or judged as a point).
import { contentKeyDifferences, contentKeyOf, contentKeyParts } from './content-key.js';
import { compareFrontiers, frontierPoints, type FrontierDelta, type FrontierPoint, type FrontierShortfall } from './compare-frontier.js';
import { flagsText, isFlagged } from './known-bad.js';
import { fmtNumber, loadLabel, loadOrder, workloadLabel } from './labels.js';
import { groupByWorkload, groupHardwareSuffix } from './pareto.js';
import type { BenchHardware, BenchMetrics, BenchPointRecord, BenchWorkload } from './records.js';

export const COMPARE_METRICS = ['outputThroughputPerGpu', 'ttftMedianMs', 'ttftP99Ms', 'tpotMedianMs'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];
/** What a threshold applies to: a point metric, or a frontier's shortfall (compare-frontier.ts). */
export type ThresholdName = CompareMetric | 'frontier';

export interface MetricInfo {
  /** "median TPOT" */
  label: string;
  unit: string;
  higherIsBetter: boolean;
  read: (m: BenchMetrics) => number | undefined;
}

export const METRIC_INFO: Record<CompareMetric, MetricInfo> = {
  outputThroughputPerGpu: { label: 'out tok/s/GPU', unit: 'tok/s', higherIsBetter: true, read: (m) => m.outputThroughputPerGpu },
  ttftMedianMs: { label: 'median TTFT', unit: 'ms', higherIsBetter: false, read: (m) => m.ttftMs.median },
  ttftP99Ms: { label: 'p99 TTFT', unit: 'ms', higherIsBetter: false, read: (m) => m.ttftMs.p99 },
  tpotMedianMs: { label: 'median TPOT', unit: 'ms', higherIsBetter: false, read: (m) => m.tpotMs.median },
};

/**
 * Default thresholds in %, from the seed-to-seed noise of the simulated perf model, measured by
 * `npx tsx bench/repeat-noise.ts --seeds 8` (bench/README.md, "repeat-noise": 6 deployments × 2
 * workloads × 6 concurrencies, 5 prompts per unit of concurrency, 28 pairs of seeds). Largest
 * difference between two seeds of a point (p95 in brackets): out tok/s/GPU 7.3% (1.9%), median
 * TTFT 87.7% (19.6%), p99 TTFT 20.0% (5.0%), median TPOT 8.8% (2.7%); a frontier's shortfall or
 * gain 2.9% (2.6%). Each default is the smallest 5% step at least 1.2 × the largest difference: a
 * run compares ~70 points × 4 metrics, so a threshold at the p95 would call noise a regression in
 * every run. The largest differences all come from collocated deployments (4xTP2 most: 20 or 40
 * prompts over 4 replicas at concurrency 4 or 8 for throughput; its median TTFT under load); on
 * the PD deployments every metric moved at most 10.2%. No real repeats exist in the fixtures to
 * say how a real cluster compares.
 */
export const DEFAULT_THRESHOLD_PCT: Readonly<Record<ThresholdName, number>> = {
  outputThroughputPerGpu: 10,
  ttftMedianMs: 110,
  ttftP99Ms: 25,
  tpotMedianMs: 15,
  frontier: 5,
};

export interface CompareOptions {
  /** One threshold in % for every metric and the frontiers; default DEFAULT_THRESHOLD_PCT per metric. */
  thresholdPct?: number;
}

export type Verdict = 'regressed' | 'improved' | 'none';

export interface MetricDelta {
  metric: CompareMetric;
  a: number | null;
  b: number | null;
  /** (b − a) / a × 100; null when either is unknown or a is 0. */
  deltaPct: number | null;
  /** In the metric's own direction: worse / better beyond the threshold, same within it. */
  change: 'worse' | 'better' | 'same' | 'unknown';
}

export interface VersionChange {
  /** "vllm", "driver", "cuda". */
  component: string;
  a: string | null;
  b: string | null;
}

export interface PointComparison {
  /** The content key without versions. */
  key: string;
  /** "1P-TP4:1D-TP4 pd-pack on H100, ISL 5000 / OSL 250 (mixed), conc 16" */
  label: string;
  /** The workload × hardware group (groupByWorkload's key). */
  group: string;
  a: BenchPointRecord;
  b: BenchPointRecord;
  /** [] unless both points are ok. */
  deltas: MetricDelta[];
  verdict: Verdict;
  reasons: string[];
  versionChanges: VersionChange[];
}

export interface FrontierComparison extends FrontierDelta {
  group: string;
  /** "ISL 5000 / OSL 250 (mixed) on H100" */
  label: string;
  workload: BenchWorkload;
  hardware?: BenchHardware;
  frontierA: FrontierPoint[];
  frontierB: FrontierPoint[];
  verdict: Verdict;
  reasons: string[];
}

export interface UnmatchedPoint {
  record: BenchPointRecord;
  key: string;
  label: string;
  /** When the other run has a point of the same id: what in the key differs ("hardware.gpuMemoryMiB: 81559 → unknown"). */
  differences?: string[];
}

export interface RunComparison {
  verdict: Verdict;
  /** One line per regressed frontier and point (first), then per improved one. */
  reasons: string[];
  thresholds: Record<ThresholdName, number>;
  points: PointComparison[];
  frontiers: FrontierComparison[];
  onlyInA: UnmatchedPoint[];
  onlyInB: UnmatchedPoint[];
  /** Keys held by more than one record of a run: the last one is compared. */
  duplicates: Array<{ side: 'a' | 'b'; key: string; pointIds: string[] }>;
  /** Every version that differs between matched points (the likely cause of a change). */
  versionChanges: VersionChange[];
  counts: { matched: number; regressed: number; improved: number; unchanged: number; onlyInA: number; onlyInB: number };
}

const matchKey = (r: BenchPointRecord) => contentKeyOf(r, { withVersions: false });

/** "1P-TP4:1D-TP4 pd-pack on H100, ISL 5000 / OSL 250 (mixed), conc 16" */
export function comparePointLabel(r: BenchPointRecord): string {
  return `${r.deployment.name}${groupHardwareSuffix({ hardware: r.hardware })}, ${workloadLabel(r.workload)}, ${loadLabel(r.load)}`;
}

/** "+20.0%", "-3.1%", "-" */
export function fmtPct(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '-';
  return `${p >= 0 ? '+' : ''}${p.toFixed(1)}%`;
}

function versionsOf(r: BenchPointRecord): Record<string, string> {
  const v: Record<string, string> = {};
  for (const [k, x] of Object.entries(r.versions ?? {})) v[k.trim().toLowerCase()] = x.trim();
  if (r.hardware?.driverVersion) v.driver = r.hardware.driverVersion.trim();
  if (r.hardware?.cudaVersion) v.cuda = r.hardware.cudaVersion.trim();
  return v;
}

function versionChanges(a: BenchPointRecord, b: BenchPointRecord): VersionChange[] {
  const va = versionsOf(a);
  const vb = versionsOf(b);
  return [...new Set([...Object.keys(va), ...Object.keys(vb)])].sort()
    .filter((c) => va[c] !== vb[c])
    .map((c) => ({ component: c, a: va[c] ?? null, b: vb[c] ?? null }));
}

function metricDeltas(a: BenchMetrics, b: BenchMetrics, thresholds: Record<ThresholdName, number>): MetricDelta[] {
  return COMPARE_METRICS.map((metric) => {
    const info = METRIC_INFO[metric];
    const va = info.read(a);
    const vb = info.read(b);
    const known = va !== undefined && vb !== undefined && Number.isFinite(va) && Number.isFinite(vb) && va !== 0;
    if (!known) return { metric, a: va ?? null, b: vb ?? null, deltaPct: null, change: 'unknown' };
    const deltaPct = ((vb - va) / va) * 100;
    const gain = info.higherIsBetter ? deltaPct : -deltaPct;
    const t = thresholds[metric];
    return { metric, a: va, b: vb, deltaPct, change: gain < -t ? 'worse' : gain > t ? 'better' : 'same' };
  });
}

/** "median TPOT +20.0% (9.50 → 11.40 ms, threshold 5%)" */
export function metricDeltaText(d: MetricDelta, thresholds: Record<ThresholdName, number>): string {
  const info = METRIC_INFO[d.metric];
  return `${info.label} ${fmtPct(d.deltaPct)} (${fmtNumber(d.a)} → ${fmtNumber(d.b)} ${info.unit}, threshold ${thresholds[d.metric]}%)`;
}

function judgePoint(a: BenchPointRecord, b: BenchPointRecord, thresholds: Record<ThresholdName, number>): Pick<PointComparison, 'deltas' | 'verdict' | 'reasons'> {
  const bothOk = a.status === 'ok' && b.status === 'ok' && !!a.metrics && !!b.metrics;
  const deltas = bothOk ? metricDeltas(a.metrics!, b.metrics!, thresholds) : [];
  const fa = isFlagged(a);
  const fb = isFlagged(b);
  if (fb && !fa) return { deltas, verdict: 'regressed', reasons: [`flagged in B: ${flagsText(b)}`] };
  if (fa) return { deltas, verdict: 'none', reasons: [`flagged in A (${flagsText(a)}): its numbers are not judged`] };
  if (a.status === 'ok' && b.status !== 'ok') return { deltas, verdict: 'regressed', reasons: [`ok in A, failed in B: ${b.reason ?? 'no reason recorded'}`] };
  if (a.status !== 'ok' && b.status === 'ok') return { deltas, verdict: 'improved', reasons: [`failed in A (${a.reason ?? 'no reason recorded'}), ok in B`] };
  if (!bothOk) return { deltas, verdict: 'none', reasons: ['failed in both'] };
  const worse = deltas.filter((d) => d.change === 'worse');
  if (worse.length > 0) return { deltas, verdict: 'regressed', reasons: worse.map((d) => metricDeltaText(d, thresholds)) };
  const better = deltas.filter((d) => d.change === 'better');
  if (better.length > 0) return { deltas, verdict: 'improved', reasons: better.map((d) => metricDeltaText(d, thresholds)) };
  return { deltas, verdict: 'none', reasons: [] };
}

function judgeFrontier(d: FrontierDelta, threshold: number, sizes: { a: number; b: number }): Pick<FrontierComparison, 'verdict' | 'reasons'> {
  if (sizes.a > 0 && sizes.b === 0) return { verdict: 'regressed', reasons: ['B has no ok, unflagged point of this group on a frontier'] };
  if (sizes.a === 0 && sizes.b > 0) return { verdict: 'improved', reasons: ['A had no ok, unflagged point of this group on a frontier'] };
  if (d.shortfallPct !== null && d.shortfallPct > threshold) {
    const worst = d.shortfalls.reduce((w, s) => (s.shortfallPct > w.shortfallPct ? s : w));
    return { verdict: 'regressed', reasons: [`falls short of A's frontier by ${worst.shortfallPct.toFixed(1)}% (threshold ${threshold}%): ${frontierShortfallText(worst)}`] };
  }
  if (d.gainPct !== null && d.gainPct > threshold) return { verdict: 'improved', reasons: [`passes A's frontier by up to ${d.gainPct.toFixed(1)}% (threshold ${threshold}%)`] };
  return { verdict: 'none', reasons: [] };
}

/** "A's 1P-TP4:1D-TP4 … (412.0 tok/s/GPU at 95.1 tok/s/user) against B's closest … (371.2 at 94.8: -9.9% / -0.3%)" */
export function frontierShortfallText(s: FrontierShortfall): string {
  const p = s.point;
  const q = s.closest;
  return `A's ${p.pointId} (${fmtNumber(p.throughputPerGpu, 1)} tok/s/GPU at ${fmtNumber(p.interactivity, 1)} tok/s/user), B's closest ${q.pointId} ` +
    `(${fmtNumber(q.throughputPerGpu, 1)} at ${fmtNumber(q.interactivity, 1)}: throughput ${fmtPct(s.throughputDeltaPct)}, interactivity ${fmtPct(s.interactivityDeltaPct)})`;
}

/** Records by match key, in order; a key held twice keeps the last record and is reported. */
function byKey(records: BenchPointRecord[], side: 'a' | 'b', duplicates: RunComparison['duplicates']): Map<string, BenchPointRecord> {
  const out = new Map<string, BenchPointRecord>();
  const ids = new Map<string, string[]>();
  for (const r of records) {
    const k = matchKey(r);
    out.set(k, r);
    ids.set(k, [...(ids.get(k) ?? []), r.pointId]);
  }
  for (const [key, pointIds] of ids) if (pointIds.length > 1) duplicates.push({ side, key, pointIds });
  return out;
}

function unmatched(r: BenchPointRecord, key: string, other: BenchPointRecord[], fromA: boolean): UnmatchedPoint {
  const u: UnmatchedPoint = { record: r, key, label: comparePointLabel(r) };
  const twin = other.find((o) => o.pointId === r.pointId);
  if (twin) {
    const [x, y] = fromA ? [r, twin] : [twin, r];
    u.differences = contentKeyDifferences(contentKeyParts(x, { withVersions: false }), contentKeyParts(y, { withVersions: false }));
  }
  return u;
}

/** Compares run B against baseline A (see the rules at the top of this file). */
export function compareRuns(a: BenchPointRecord[], b: BenchPointRecord[], opts: CompareOptions = {}): RunComparison {
  if (opts.thresholdPct !== undefined && !(opts.thresholdPct > 0 && Number.isFinite(opts.thresholdPct))) {
    throw new RangeError(`thresholdPct must be a positive number of percent, got ${opts.thresholdPct}`);
  }
  const thresholds = { ...DEFAULT_THRESHOLD_PCT };
  if (opts.thresholdPct !== undefined) for (const k of Object.keys(thresholds) as ThresholdName[]) thresholds[k] = opts.thresholdPct;

  const duplicates: RunComparison['duplicates'] = [];
  const mapA = byKey(a, 'a', duplicates);
  const mapB = byKey(b, 'b', duplicates);
  const points: PointComparison[] = [];
  const onlyInA: UnmatchedPoint[] = [];
  for (const [key, ra] of mapA) {
    const rb = mapB.get(key);
    if (!rb) {
      onlyInA.push(unmatched(ra, key, b, true));
      continue;
    }
    const group = groupByWorkload([ra])[0]!.key;
    points.push({ key, label: comparePointLabel(ra), group, a: ra, b: rb, ...judgePoint(ra, rb, thresholds), versionChanges: versionChanges(ra, rb) });
  }
  // Group by group, then deployment and load: the order of every table and of the reasons.
  const groupOrder = [...new Set(points.map((p) => p.group))];
  points.sort((x, y) => groupOrder.indexOf(x.group) - groupOrder.indexOf(y.group) || x.a.deployment.name.localeCompare(y.a.deployment.name) || loadOrder({ record: x.a }) - loadOrder({ record: y.a }));
  const onlyInB = [...mapB].filter(([key]) => !mapA.has(key)).map(([key, rb]) => unmatched(rb, key, a, false));

  // Frontiers over the pairs trusted on both sides: a point flagged in either run moves neither frontier.
  const trusted = points.filter((p) => !isFlagged(p.a) && !isFlagged(p.b));
  const groupsA = groupByWorkload(trusted.map((p) => p.a));
  const groupsB = new Map(groupByWorkload(trusted.map((p) => p.b)).map((g) => [g.key, g]));
  const frontiers: FrontierComparison[] = groupsA.map((ga) => {
    const gb = groupsB.get(ga.key);
    const frontierA = frontierPoints(ga.records);
    const frontierB = frontierPoints(gb?.records ?? []);
    const delta = compareFrontiers(frontierA, frontierB);
    const f: FrontierComparison = {
      group: ga.key, label: `${workloadLabel(ga.workload)}${groupHardwareSuffix(ga)}`, workload: ga.workload, ...delta, frontierA, frontierB,
      ...judgeFrontier(delta, thresholds.frontier, { a: frontierA.length, b: frontierB.length }),
    };
    if (ga.hardware) f.hardware = ga.hardware;
    return f;
  });

  const changes = new Map<string, VersionChange>();
  for (const p of points) for (const c of p.versionChanges) changes.set(`${c.component}|${c.a}|${c.b}`, c);

  const regressed = points.filter((p) => p.verdict === 'regressed');
  const improved = points.filter((p) => p.verdict === 'improved');
  const reasons = [
    ...frontiers.filter((f) => f.verdict === 'regressed').map((f) => `regressed: frontier ${f.label}: ${f.reasons.join('; ')}`),
    ...regressed.map((p) => `regressed: ${p.label}: ${p.reasons.join('; ')}`),
    ...frontiers.filter((f) => f.verdict === 'improved').map((f) => `improved: frontier ${f.label}: ${f.reasons.join('; ')}`),
    ...improved.map((p) => `improved: ${p.label}: ${p.reasons.join('; ')}`),
  ];
  const anyRegressed = regressed.length > 0 || frontiers.some((f) => f.verdict === 'regressed');
  const anyImproved = improved.length > 0 || frontiers.some((f) => f.verdict === 'improved');
  return {
    verdict: anyRegressed ? 'regressed' : anyImproved ? 'improved' : 'none',
    reasons, thresholds, points, frontiers, onlyInA, onlyInB, duplicates,
    versionChanges: [...changes.values()].sort((x, y) => x.component.localeCompare(y.component)),
    counts: {
      matched: points.length, regressed: regressed.length, improved: improved.length,
      unchanged: points.length - regressed.length - improved.length, onlyInA: onlyInA.length, onlyInB: onlyInB.length,
    },
  };
}

/** "vllm 0.11.0 → 0.11.1" */
export function versionChangeText(c: VersionChange): string {
  return `${c.component} ${c.a ?? 'unknown'} → ${c.b ?? 'unknown'}`;
}

const pointRef = (r: BenchPointRecord) => ({ pointId: r.pointId, status: r.status, flags: r.flags ?? [], versions: r.versions ?? {} });

/** RunComparison for `--json`: records reduced to their ids, status, flags and versions. */
export function comparisonForJson(c: RunComparison, about: { a?: string; b?: string } = {}): Record<string, unknown> {
  return {
    a: about.a ?? null,
    b: about.b ?? null,
    verdict: c.verdict,
    reasons: c.reasons,
    thresholdsPct: c.thresholds,
    counts: c.counts,
    versionChanges: c.versionChanges,
    points: c.points.map((p) => ({
      key: p.key, label: p.label, group: p.group, verdict: p.verdict, reasons: p.reasons, deltas: p.deltas, versionChanges: p.versionChanges,
      a: pointRef(p.a), b: pointRef(p.b),
    })),
    frontiers: c.frontiers.map((f) => ({
      group: f.group, label: f.label, verdict: f.verdict, reasons: f.reasons, shortfallPct: f.shortfallPct, gainPct: f.gainPct,
      shortfalls: f.shortfalls.map((s) => ({ pointId: s.point.pointId, closest: s.closest.pointId, shortfallPct: s.shortfallPct, throughputDeltaPct: s.throughputDeltaPct, interactivityDeltaPct: s.interactivityDeltaPct })),
      peakThroughputA: f.peakThroughputA, peakThroughputB: f.peakThroughputB, peakThroughputDeltaPct: f.peakThroughputDeltaPct,
      frontierA: f.frontierA, frontierB: f.frontierB,
    })),
    onlyInA: c.onlyInA.map((u) => ({ key: u.key, label: u.label, ...pointRef(u.record), differences: u.differences ?? null })),
    onlyInB: c.onlyInB.map((u) => ({ key: u.key, label: u.label, ...pointRef(u.record), differences: u.differences ?? null })),
    duplicates: c.duplicates,
  };
}
