// A run's snapshot as `pdflow status` prints it (and `watch` at the end).
import { progressLine, type RunSnapshot } from './describe-run.js';

export function printSnapshot(s: RunSnapshot): void {
  console.log(`${s.workflowId}  (${s.type})  ${s.status}${s.outcome && s.outcome !== 'running' ? `  outcome ${s.outcome.toUpperCase()}` : ''}${s.failedPoints ? `  ${s.failedPoints} failed point(s)` : ''}${s.regression ? `  vs last good run: ${s.regression.toUpperCase()}` : ''}`);
  if (s.summary) console.log(`  ${s.summary}`);
  console.log(`  started ${s.startTime}${s.closeTime ? `, closed ${s.closeTime}` : ''}`);
  const p = s.progress;
  if (p) {
    console.log(`  ${progressLine(p)}`);
    for (const st of p.stages ?? []) console.log(`    ${st.status.padEnd(8)} ${st.name}${st.summary ? `: ${st.summary}` : ''}`);
    if (p.current?.deployment) console.log(`  deployment: ${p.current.deployment}${p.current.point ? `, point: ${p.current.point}` : ''}`);
    if (p.lastError) console.log(`  last error: ${p.lastError}`);
  }
  if (s.failure) console.log(`  failure: ${s.failure}`);
}
