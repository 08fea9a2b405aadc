// The terminal view: one aligned table per workload, frontier marked, then the failures.
import { fmtNumber, loadLabel, loadOrder, statusMark, workloadLabel } from './labels.js';
import type { ResultsSummary } from './summary.js';
import { textTable } from './text-table.js';

export function renderTerminal(s: ResultsSummary): string {
  const out: string[] = [];
  const c = s.counts;
  out.push(`${c.points} points (${c.ok} ok, ${c.failed} failed), ${c.deployments} deployments, ${s.gpuHours.benchmark.toFixed(2)} benchmark GPU-hours`);
  for (const w of s.workloads) {
    out.push('', `${w.label}   ★ frontier  ≈ within ${(s.tolerance * 100).toFixed(0)}%${s.sla ? '  ✗ misses the SLA' : ''}`);
    const pts = [...w.points].sort((a, b) => a.record.deployment.name.localeCompare(b.record.deployment.name) || loadOrder(a) - loadOrder(b));
    out.push(textTable(
      ['', 'deployment', 'load', 'out/GPU', 'tok/s/user', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'TPOT p99'],
      pts.map((p) => {
        const m = p.record.metrics!;
        return [statusMark(p), p.record.deployment.name, loadLabel(p.record.load), fmtNumber(m.outputThroughputPerGpu, 1), fmtNumber(m.interactivity, 1),
          fmtNumber(m.ttftMs.median, 0), fmtNumber(m.ttftMs.p99, 0), fmtNumber(m.tpotMs.median, 2), fmtNumber(m.tpotMs.p99, 2)];
      }),
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ));
    for (const t of w.tiers) {
      out.push(`best for ${t.tier.name}: ${t.best ? `${t.best.deployment.name} at ${loadLabel(t.best.load)} (${fmtNumber(t.best.metrics!.outputThroughputPerGpu, 1)} out tok/s/GPU)` : 'none meets it'}`);
    }
  }
  if (s.failed.length > 0) {
    out.push('', 'Failed points:');
    for (const r of s.failed) out.push(`  ${r.deployment.name}, ${workloadLabel(r.workload)}, ${loadLabel(r.load)} (attempt ${r.attempt}): ${r.reason ?? 'no reason recorded'}`);
  }
  if (s.rejected.length > 0) {
    out.push('', 'Rejected configs:');
    for (const r of s.rejected) out.push(`  ${r.name}: ${r.reason}`);
  }
  return out.join('\n') + '\n';
}
