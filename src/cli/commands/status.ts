import type { Command } from 'commander';
import { connectFlags, printJson } from '../flags.js';
import { withSpinner } from '../spinner.js';

export function registerStatus(program: Command) {
  program
    .command('status <id>')
    .description('A run\'s stage or point progress, ETA, GPU-hours and last error')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExit code: 0 running or completed ok, 1 failed/cancelled/terminated or a sweep with failed points (outcome PARTIAL or FAILED).\n\nExamples:\n  pdflow status pdflow-p5-pair-sweep-20261128-220000\n  pdflow status pdflow-sim-pipeline-20261128-101500 --json\n')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      // Loaded when the command runs: `pdflow --help` and the other commands never load the client.
      const [{ connectClient }, { snapshotRun, exitForStatus }, { printSnapshot }] = await Promise.all([
        import('../connect.js'), import('../describe-run.js'), import('../print-snapshot.js'),
      ]);
      const { client } = await connectClient(connectFlags(cmd));
      // On a terminal, a spinner while the progress query waits for a worker (up to 10 s).
      const snap = await withSpinner(`reading ${id}`, () => snapshotRun(client, id), { stream: process.stderr, plainStart: false });
      if (o.json) printJson(snap);
      else printSnapshot(snap);
      exitForStatus(snap.status, snap.failure, snap.outcome, snap.failedPoints);
    });
}
