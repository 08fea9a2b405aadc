// The report.md section of a comparison: verdict, thresholds, stack changes, per group the
// frontier's change, its overlay plot and the points' changes, then the reasons and the points one
// run lacks. A section (## heading), so it can stand alone (compare.md) or go into a run's report.md. Pure.
import { COMPARE_METRICS, fmtPct, frontierShortfallText, versionChangeText, type RunComparison } from './compare.js';
import { comparisonMark, countsLine, deltaCell, sortedComparisons, thresholdsLine, verdictCell, type CompareNames } from './compare-terminal.js';
import { loadLabel } from './labels.js';
import { markdownTable } from './text-table.js';

export interface ComparePlotRef {
  /** Relative to the markdown file, e.g. "plots/compare/isl5000-osl250-mixed-h100.svg". */
  file: string;
  title: string;
  /** The workload × hardware group it shows. */
  group: string;
}

export function renderCompareMarkdown(c: RunComparison, names: CompareNames, plots: ComparePlotRef[] = [], heading = '##'): string {
  const out: string[] = [`${heading} Compared with ${names.a}: ${c.verdict}`, ''];
  out.push(`Run **${names.b}** (B) against the baseline **${names.a}** (A), points matched by content key without versions (same hardware, deployment, env, workload and load).`, '');
  out.push(`Thresholds (a change within them is noise between repeats): ${thresholdsLine(c)}.`, '');
  out.push(`Versions changed: ${c.versionChanges.length ? c.versionChanges.map(versionChangeText).join(', ') : 'none'}.`, '');
  out.push(`${countsLine(c)}.`, '');
  if (c.reasons.length > 0) {
    out.push(`${heading}# Why`, '');
    for (const r of c.reasons) out.push(`- ${r}`);
    out.push('');
  }
  for (const g of [...new Set(c.points.map((p) => p.group))]) {
    const f = c.frontiers.find((x) => x.group === g);
    out.push(`${heading}# ${f?.label ?? g}`, '');
    if (f) {
      if (f.shortfallPct === null) out.push('Frontier: not comparable (one run has no trusted ok point here).', '');
      else {
        const worst = f.shortfalls.reduce((w, s) => (s.shortfallPct > w.shortfallPct ? s : w));
        out.push(`Frontier (${f.verdict}): B falls short of A by ${Math.max(0, f.shortfallPct).toFixed(1)}% at worst — ${frontierShortfallText(worst)}; it passes A by ${Math.max(0, f.gainPct ?? 0).toFixed(1)}% at best; peak out tok/s/GPU ${fmtPct(f.peakThroughputDeltaPct)}.`, '');
      }
    }
    for (const p of plots.filter((x) => x.group === g)) out.push(`![${p.title}](${p.file})`, '');
    out.push(markdownTable(
      ['', 'deployment', 'load', 'out tok/s/GPU', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'verdict'],
      sortedComparisons(c.points.filter((p) => p.group === g)).map((p) => [
        comparisonMark(p), p.a.deployment.name, loadLabel(p.a.load), ...COMPARE_METRICS.map((m) => deltaCell(p, m)), verdictCell(p),
      ]),
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'l'],
    ), '');
  }
  out.push('Cells: change of B against A; "!" worse and "+" better beyond the threshold. ✗ regressed, ↑ improved, ⚠ flagged in a run (shown, never judged on its numbers).', '');
  for (const [side, list] of [['A', c.onlyInA], ['B', c.onlyInB]] as const) {
    if (list.length === 0) continue;
    out.push(`${heading}# Only in ${side} (not compared)`, '');
    for (const u of list) out.push(`- ${u.label}${u.record.status === 'ok' ? '' : ' (failed)'}${u.differences?.length ? `: differs from the other run's ${u.record.pointId} in ${u.differences.join('; ')}` : ''}`);
    out.push('');
  }
  return out.join('\n');
}
