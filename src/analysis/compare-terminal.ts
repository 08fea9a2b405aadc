// `pdflow compare` in the terminal: the verdict, what changed in the stack, one table per workload
// × hardware group (each matched point's change per metric), each frontier's shortfall, then the
// reasons and the points only one run has. Pure.
import { COMPARE_METRICS, fmtPct, versionChangeText, type PointComparison, type RunComparison } from './compare.js';
import { isFlagged } from './known-bad.js';
import { loadLabel, loadOrder } from './labels.js';
import { textTable } from './text-table.js';

export interface CompareNames {
  /** The baseline's run id (or a description). */
  a: string;
  /** The checked run's id. */
  b: string;
}

/** Reason lines shown in the terminal; the rest are counted (JSON and compare.md have all). */
const MAX_REASONS = 20;
const HEADER = ['', 'deployment', 'load', 'out/GPU', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'verdict'];
const ALIGN: Array<'l' | 'r'> = ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'l'];

/** ✗ regressed, ↑ improved, ⚠ flagged on either side (not judged on its numbers), blank otherwise. */
export function comparisonMark(p: PointComparison): string {
  return p.verdict === 'regressed' ? '✗' : p.verdict === 'improved' ? '↑' : isFlagged(p.a) || isFlagged(p.b) ? '⚠' : '';
}

/** A metric's cell: the change, "!" when worse beyond the threshold, "+" when better beyond it. */
export function deltaCell(p: PointComparison, metric: (typeof COMPARE_METRICS)[number]): string {
  const d = p.deltas.find((x) => x.metric === metric);
  if (!d || d.deltaPct === null) return '-';
  return `${fmtPct(d.deltaPct)}${d.change === 'worse' ? ' !' : d.change === 'better' ? ' +' : ''}`;
}

/** "regressed", "ok → failed", "failed in both", "flagged in B". */
export function verdictCell(p: PointComparison): string {
  const status = p.a.status === p.b.status ? (p.a.status === 'ok' ? '' : 'failed in both') : `${p.a.status} → ${p.b.status}`;
  const flags = isFlagged(p.b) && !isFlagged(p.a) ? 'flagged in B' : isFlagged(p.a) ? 'flagged in A' : '';
  return [p.verdict === 'none' ? '' : p.verdict, status, flags].filter(Boolean).join(', ');
}

export const sortedComparisons = (points: PointComparison[]) =>
  [...points].sort((x, y) => x.a.deployment.name.localeCompare(y.a.deployment.name) || loadOrder({ record: x.a }) - loadOrder({ record: y.a }));

/** The thresholds in one line: "out tok/s/GPU 5%, median TTFT 85%, …, frontier 5%". */
export function thresholdsLine(c: RunComparison): string {
  const t = c.thresholds;
  return `out tok/s/GPU ${t.outputThroughputPerGpu}%, median TTFT ${t.ttftMedianMs}%, p99 TTFT ${t.ttftP99Ms}%, median TPOT ${t.tpotMedianMs}%, frontier ${t.frontier}%`;
}

/** "9 matched points: 2 regressed, 0 improved, 7 unchanged; 0 only in A, 1 only in B" */
export function countsLine(c: RunComparison): string {
  const n = c.counts;
  return `${n.matched} matched point${n.matched === 1 ? '' : 's'}: ${n.regressed} regressed, ${n.improved} improved, ${n.unchanged} unchanged; ${n.onlyInA} only in A, ${n.onlyInB} only in B`;
}

export function renderCompareTerminal(c: RunComparison, names: CompareNames): string {
  const out: string[] = [
    `B ${names.b} against A ${names.a}: ${c.verdict.toUpperCase()}`,
    `thresholds: ${thresholdsLine(c)} (changes within them are noise)`,
    `versions changed: ${c.versionChanges.length ? c.versionChanges.map(versionChangeText).join(', ') : 'none'}`,
    countsLine(c),
  ];
  const groups = [...new Set(c.points.map((p) => p.group))];
  for (const g of groups) {
    const f = c.frontiers.find((x) => x.group === g);
    const pts = sortedComparisons(c.points.filter((p) => p.group === g));
    out.push('', `${f?.label ?? g}   ✗ regressed  ↑ improved  ⚠ flagged (not judged)  ! worse / + better beyond the threshold`);
    out.push(textTable(HEADER, pts.map((p) => [
      comparisonMark(p), p.a.deployment.name, loadLabel(p.a.load), ...COMPARE_METRICS.map((m) => deltaCell(p, m)), verdictCell(p),
    ]), ALIGN));
    if (f) {
      const short = f.shortfallPct === null ? 'not comparable' : `B falls short of A by ${Math.max(0, f.shortfallPct).toFixed(1)}% at worst, passes it by ${Math.max(0, f.gainPct ?? 0).toFixed(1)}% at best`;
      out.push(`frontier: ${short}; peak out tok/s/GPU ${fmtPct(f.peakThroughputDeltaPct)}${f.verdict === 'none' ? '' : ` → ${f.verdict}`}`);
    }
  }
  if (c.reasons.length > 0) {
    out.push('', 'Why:');
    for (const r of c.reasons.slice(0, MAX_REASONS)) out.push(`  ${r}`);
    if (c.reasons.length > MAX_REASONS) out.push(`  … and ${c.reasons.length - MAX_REASONS} more (all of them with --json or in --out's compare.md)`);
  }
  for (const [side, list] of [['A', c.onlyInA], ['B', c.onlyInB]] as const) {
    if (list.length === 0) continue;
    out.push('', `Only in ${side} (${list.length}, not compared):`);
    for (const u of list) out.push(`  ${u.label}${u.record.status === 'ok' ? '' : ' (failed)'}${u.differences?.length ? ` — differs from the other run's ${u.record.pointId}: ${u.differences.join('; ')}` : ''}`);
  }
  for (const d of c.duplicates) out.push('', `${d.side.toUpperCase()} measured one point ${d.pointIds.length} times (${d.pointIds.join(', ')}): the last is compared`);
  return out.join('\n') + '\n';
}
