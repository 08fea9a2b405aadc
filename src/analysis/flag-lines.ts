// The flagged deployments, one line each with the reason: the same words in the terminal table,
// report.md and the "best for" lines, so nobody reads a flagged number as a result. Pure.
import { flagsText } from './known-bad.js';
import { fmtNumber, loadLabel } from './labels.js';
import { hardwareShortName } from './hardware.js';
import type { BenchPointRecord } from './records.js';

/** "<deployment> (<n> points): <flags>", one per flagged deployment, in order of appearance. */
export function flaggedDeploymentLines(flagged: BenchPointRecord[]): string[] {
  const byDeployment = new Map<string, { name: string; n: number; text: string }>();
  for (const r of flagged) {
    const hw = hardwareShortName(r.hardware);
    const key = `${r.deployment.id}|${hw}`;
    const e = byDeployment.get(key) ?? { name: `${r.deployment.name}${hw ? ` on ${hw}` : ''}`, n: 0, text: flagsText(r) };
    e.n++;
    byDeployment.set(key, e);
  }
  return [...byDeployment.values()].map((e) => `${e.name} (${e.n} point${e.n === 1 ? '' : 's'}): ${e.text}`);
}

/** "1P-TP4:1D-TP4 pd-spread [spread-libfabric] at conc 64 (812.3 out tok/s/GPU)" */
export function pointLine(r: BenchPointRecord): string {
  return `${r.deployment.name} at ${loadLabel(r.load)} (${fmtNumber(r.metrics?.outputThroughputPerGpu, 1)} out tok/s/GPU)`;
}

/** "; skipped flagged <point> (<kind>)" when a flagged point would have won, else "". */
export function skippedText(skipped: BenchPointRecord | undefined): string {
  if (!skipped) return '';
  const kinds = [...new Set((skipped.flags ?? []).map((f) => f.kind))].join(', ');
  return `; skipped ${kinds} ${pointLine(skipped)}`;
}
