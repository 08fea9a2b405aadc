import type { Command } from 'commander';
import { connectClient } from '../connect.js';
import { connectFlags, printJson } from '../flags.js';
import { snapshotRun, progressLine, exitForStatus, type RunSnapshot } from '../describe-run.js';
import { withSpinner } from '../spinner.js';

export function registerStatus(program: Command) {
  program
    .command('status <id>')
    .description('A run\'s stage or point progress, ETA, GPU-hours and last error')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExit code: 0 running or completed ok, 1 failed/cancelled/terminated or a sweep with failed points (outcome PARTIAL or FAILED).\n\nExamples:\n  pdflow status pdflow-p5-pair-sweep-20261128-220000\n  pdflow status pdflow-sim-pipeline-20261128-101500 --json\n')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      const { client } = await connectClient(connectFlags(cmd));
      // On a terminal, a spinner while the progress query waits for a worker (up to 10 s).
      const snap = await withSpinner(`reading ${id}`, () => snapshotRun(client, id), { stream: process.stderr, plainStart: false });
      if (o.json) printJson(snap);
      else printSnapshot(snap);
      exitForStatus(snap.status, snap.failure, snap.outcome, snap.failedPoints);
    });
}

export function printSnapshot(s: RunSnapshot): void {
  console.log(`${s.workflowId}  (${s.type})  ${s.status}${s.outcome && s.outcome !== 'running' ? `  outcome ${s.outcome.toUpperCase()}` : ''}${s.failedPoints ? `  ${s.failedPoints} failed point(s)` : ''}`);
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
