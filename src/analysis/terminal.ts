// The terminal view: one aligned table per workload, frontier marked, then the failures.
import { flaggedDeploymentLines, pointLine, skippedText } from './flag-lines.js';
import { hardwareShortName } from './hardware.js';
import { flaggedName, fmtNumber, loadLabel, loadOrder, workloadLabel } from './labels.js';
import { statusMark } from './pareto.js';
import { slaLimitsLabel } from './sla.js';
import type { ResultsSummary } from './summary.js';
import { textTable } from './text-table.js';

export function renderTerminal(s: ResultsSummary): string {
  const out: string[] = [];
  const c = s.counts;
  out.push(`${c.points} points (${c.ok} ok, ${c.failed} failed), ${c.deployments} deployments, ${s.gpuHours.benchmark.toFixed(2)} benchmark GPU-hours`);
  if (s.flagged.length > 0) {
    out.push('', `⚠ ${s.flagged.length} flagged point${s.flagged.length === 1 ? '' : 's'}: measured and shown, never on the frontier, never best:`);
    for (const l of flaggedDeploymentLines(s.flagged)) out.push(`  ⚠ ${l}`);
  }
  for (const w of s.workloads) {
    const flagged = w.points.some((p) => p.status === 'flagged');
    out.push('', `${w.label}   ★ frontier  ≈ within ${(s.tolerance * 100).toFixed(0)}%${s.sla ? '  ✗ misses the SLA' : ''}${flagged ? '  ⚠ flagged' : ''}`);
    const pts = [...w.points].sort((a, b) => a.record.deployment.name.localeCompare(b.record.deployment.name) || loadOrder(a) - loadOrder(b));
    out.push(textTable(
      ['', 'deployment', 'load', 'out/GPU', 'tok/s/user', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'TPOT p99'],
      pts.map((p) => {
        const m = p.record.metrics!;
        return [statusMark(p), flaggedName(p.record), loadLabel(p.record.load), fmtNumber(m.outputThroughputPerGpu, 1), fmtNumber(m.interactivity, 1),
          fmtNumber(m.ttftMs.median, 0), fmtNumber(m.ttftMs.p99, 0), fmtNumber(m.tpotMs.median, 2), fmtNumber(m.tpotMs.p99, 2)];
      }),
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ));
    for (const t of w.tiers) out.push(`best for ${t.tier.name}: ${t.best ? pointLine(t.best) : 'none meets it'}${skippedText(t.skippedFlagged)}`);
    if (w.sla) {
      const r = w.sla;
      out.push(`sweep SLA (${slaLimitsLabel(r.tier)}): ${r.best ? `best ${pointLine(r.best)}` : 'no unflagged point meets it'}${skippedText(r.skippedFlagged)}; ${r.points.length === 1 ? '1 point meets' : `${r.points.length} points meet`} it${r.meetingFlagged > 0 ? ` (${r.meetingFlagged} flagged)` : ''}`);
      for (const d of r.deployments) {
        out.push(`  ${d.deployment}${d.flagged ? ' ⚠' : ''}: ${d.highest ? `highest load meeting it ${loadLabel(d.highest.load)}` : `no load met it (${d.tested} tried)`}`);
      }
    }
  }
  if (s.failed.length > 0) {
    out.push('', 'Failed points:');
    for (const r of s.failed) out.push(`  ${r.deployment.name}${hardwareShortName(r.hardware) ? ` on ${hardwareShortName(r.hardware)}` : ''}, ${workloadLabel(r.workload)}, ${loadLabel(r.load)} (attempt ${r.attempt}): ${r.reason ?? 'no reason recorded'}`);
  }
  if (s.rejected.length > 0) {
    out.push('', 'Rejected configs:');
    for (const r of s.rejected) out.push(`  ${r.name}: ${r.reason}`);
  }
  return out.join('\n') + '\n';
}
