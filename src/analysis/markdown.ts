// The Markdown report: frontier per workload, best config per SLA tier, failures, rejections,
// versions and GPU-hours, with the plots embedded.
import { energyCostSection } from './energy-markdown.js';
import { flaggedDeploymentLines, pointLine, skippedText } from './flag-lines.js';
import { hardwareLabel, hardwareShortName } from './hardware.js';
import { flagsText } from './known-bad.js';
import { flaggedName, fmtNumber, loadLabel, loadOrder, workloadLabel } from './labels.js';
import { slaLimitsLabel } from './sla.js';
import { statusMark, type ClassifiedPoint } from './pareto.js';
import type { ResultsSummary } from './summary.js';
import { markdownTable } from './text-table.js';

export interface PlotRef {
  /** Relative to the report, e.g. "plots/isl5000-osl250-mixed/pareto.svg". */
  file: string;
  title: string;
  /** The workload the plot belongs to (workloadKey). */
  workloadKey: string;
}

export function renderMarkdown(s: ResultsSummary, plots: PlotRef[] = []): string {
  const out: string[] = [`# ${s.title}`, ''];
  for (const n of s.notes) out.push(n, '');
  const c = s.counts;
  out.push(`${c.points} points (${c.ok} ok, ${c.failed} failed) over ${c.deployments} deployments and ${c.workloads} workload${c.workloads === 1 ? '' : 's'}.`);
  if (s.models.length > 0) out.push(`Model: ${s.models.join(', ')}.`);
  out.push(`GPU-hours: ${s.gpuHours.benchmark.toFixed(2)} in benchmarks${s.gpuHours.total !== undefined ? `, ${s.gpuHours.total.toFixed(2)} in total (deploys included)` : ''}.`, '');
  out.push(
    `Interactivity is 1000 / median TPOT (tok/s per user). The frontier maximises output tok/s per GPU and interactivity; ` +
      `"≈" marks points within ${(s.tolerance * 100).toFixed(0)}% of it on both axes (measurement noise).` +
      (s.sla ? ` Only points meeting the SLA (${slaLimitsLabel(s.sla)}) take part.` : ''),
    '',
  );
  if (s.flagged.length > 0) {
    out.push(`## ⚠ Flagged points`, '', `${s.flagged.length} point${s.flagged.length === 1 ? '' : 's'} ran on a stack known (or suspected) to give wrong results, or on GPUs that throttled. They are measured and listed (marked ⚠), but never on the frontier and never "best":`, '');
    for (const l of flaggedDeploymentLines(s.flagged)) out.push(`- ⚠ ${l}`);
    out.push('');
  }

  for (const w of s.workloads) {
    out.push(`## ${w.label}`, '');
    if (w.hardware) out.push(`Hardware: ${hardwareLabel(w.hardware)} (from the ${w.hardware.source.replace('-', ' ')}).`, '');
    out.push('### Pareto frontier', '');
    if (w.frontier.length === 0) out.push('No successful point.', '');
    else out.push(markdownTable(POINT_HEADER, w.frontier.map(pointRow), POINT_ALIGN), '');

    out.push(`### Best config per SLA tier${s.slaTiersAreDefault ? ' (default tiers)' : ''}`, '');
    const tiers = s.sla && w.sla ? [...w.tiers, { ...w.sla, tier: { ...w.sla.tier, name: `${w.sla.tier.name} (sweep)` } }] : w.tiers;
    out.push(markdownTable(
      ['tier', 'limits', 'deployment', 'load', 'out tok/s/GPU', 'tok/s/user', 'p99 TTFT ms', 'p99 TPOT ms', 'points meeting'],
      tiers.map((t) => {
        const m = t.best?.metrics;
        return [t.tier.name, slaLimitsLabel(t.tier), t.best?.deployment.name ?? 'none meets it', t.best ? loadLabel(t.best.load) : '-',
          fmtNumber(m?.outputThroughputPerGpu, 1), fmtNumber(m?.interactivity, 1), fmtNumber(m?.ttftMs.p99, 0), fmtNumber(m?.tpotMs.p99, 2),
          `${t.meeting}${t.meetingFlagged > 0 ? ` (+${t.meetingFlagged} flagged)` : ''}`];
      }),
      ['l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'],
    ), '');
    const skipped = tiers.filter((t) => t.skippedFlagged);
    for (const t of skipped) out.push(`- ${t.tier.name}: ⚠ ${skippedText(t.skippedFlagged).slice(2)} — ${flagsText(t.skippedFlagged!)}`);
    if (skipped.length > 0) out.push('');

    if (w.sla) {
      const r = w.sla;
      out.push(`### Sweep SLA: ${slaLimitsLabel(r.tier)}`, '');
      out.push(r.best ? `Best point meeting it: ${pointLine(r.best)}.` : 'No unflagged point meets it.', '');
      out.push('Highest load meeting it, per deployment:', '');
      for (const d of r.deployments) out.push(`- ${d.deployment}${d.flagged ? ' ⚠' : ''}: ${d.highest ? loadLabel(d.highest.load) : `none of ${d.tested} loads`}`);
      out.push('', `Points meeting it (${r.points.length}):`, '');
      if (r.points.length > 0) {
        out.push(markdownTable(['', 'deployment', 'load', 'out tok/s/GPU', 'p99 TTFT ms', 'p99 TPOT ms'], r.points.map((p) => [
          (p.flags?.length ?? 0) > 0 ? '⚠' : '', p.deployment.name, loadLabel(p.load), fmtNumber(p.metrics!.outputThroughputPerGpu, 1), fmtNumber(p.metrics!.ttftMs.p99, 0), fmtNumber(p.metrics!.tpotMs.p99, 2),
        ]), ['l', 'l', 'l', 'r', 'r', 'r']), '');
      }
    }

    const mine = plots.filter((p) => p.workloadKey === w.key);
    if (mine.length > 0) {
      out.push('### Plots', '');
      for (const p of mine) out.push(`![${p.title}](${p.file})`, '');
    }

    out.push('### All points', '');
    const sorted = [...w.points].sort((a, b) => a.record.deployment.name.localeCompare(b.record.deployment.name) || loadOrder(a) - loadOrder(b));
    out.push(markdownTable(POINT_HEADER, sorted.map(pointRow), POINT_ALIGN), '');
  }

  out.push(...energyCostSection(s.workloads.flatMap((w) => w.points.map((p) => p.record))));

  out.push('## Failed points', '');
  if (s.failed.length === 0) out.push('None.', '');
  else {
    out.push(markdownTable(['deployment', 'workload', 'load', 'attempt', 'reason', 'log'], s.failed.map((r) => [
      `${r.deployment.name}${hardwareShortName(r.hardware) ? ` on ${hardwareShortName(r.hardware)}` : ''}`, workloadLabel(r.workload), loadLabel(r.load), `${r.attempt}`, r.reason ?? '(no reason recorded)', r.logPath ?? r.rawResultPath ?? '-',
    ])), '');
  }

  out.push('## Rejected configs', '');
  if (s.rejected.length === 0) out.push('None.', '');
  else out.push(markdownTable(['config', 'reason'], s.rejected.map((r) => [r.name, r.reason])), '');

  out.push('## Versions', '');
  const names = Object.keys(s.versions).sort();
  if (names.length === 0) out.push('Not recorded (imported results carry no versions).', '');
  else {
    out.push(markdownTable(['component', 'version (points)'], names.map((n) => [n, Object.entries(s.versions[n]!).map(([v, k]) => `${v} (${k})`).join(', ')])), '');
  }
  return out.join('\n');
}

const POINT_HEADER = ['', 'deployment', 'GPUs', 'load', 'out tok/s/GPU', 'tok/s/user', 'TTFT p50 ms', 'TTFT p99 ms', 'TPOT p50 ms', 'TPOT p99 ms', 'ITL p99 ms'];
const POINT_ALIGN: Array<'l' | 'r'> = ['l', 'l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];

function pointRow(p: ClassifiedPoint): string[] {
  const r = p.record;
  const m = r.metrics!;
  return [statusMark(p), flaggedName(r), `${r.deployment.gpus}`, loadLabel(r.load), fmtNumber(m.outputThroughputPerGpu, 1), fmtNumber(m.interactivity, 1),
    fmtNumber(m.ttftMs.median, 0), fmtNumber(m.ttftMs.p99, 0), fmtNumber(m.tpotMs.median, 2), fmtNumber(m.tpotMs.p99, 2), fmtNumber(m.itlMs?.p99, 2)];
}
