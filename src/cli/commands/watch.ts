import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { Client } from '@temporalio/client';
import { connectClient } from '../connect.js';
import { connectFlags, printJson } from '../flags.js';
import { snapshotRun, progressLine, exitForStatus, type RunSnapshot } from '../describe-run.js';
import { printSnapshot } from './status.js';
import { startSpinner, type Spinner } from '../spinner.js';
import { BadInputError } from '../errors.js';

export function registerWatch(program: Command) {
  program
    .command('watch <id>')
    .description('Follow a run live (progress bar on a terminal, plain lines otherwise); exits with its outcome')
    .option('--interval <seconds>', 'refresh period', '1')
    .option('--json', 'print each change as a JSON line')
    .addHelpText('after', '\nExit code: 0 completed ok, 1 failed/cancelled/terminated or a sweep with failed points (outcome PARTIAL or FAILED).\n\nExamples:\n  pdflow watch pdflow-p5-pair-sweep-20261128-220000\n  pdflow watch pdflow-p5-pair-pipeline-20261128-220000 --json > progress.jsonl\n')
    .action(async (id: string, o: { interval: string; json?: boolean }, cmd: Command) => {
      const interval = Number(o.interval);
      if (!(interval >= 0.2 && interval <= 3600)) throw new BadInputError(`--interval: "${o.interval}" is not a number of seconds between 0.2 and 3600`);
      const { client } = await connectClient(connectFlags(cmd));
      const final = await watchRun(client, id, { intervalMs: interval * 1000, json: o.json });
      exitForStatus(final.status, final.failure, final.outcome, final.failedPoints);
    });
}

/** Polls until the run closes; follows continue-as-new. Returns the final snapshot. */
export async function watchRun(client: Client, id: string, opts: { intervalMs?: number; json?: boolean } = {}): Promise<RunSnapshot> {
  const tty = process.stdout.isTTY && !opts.json;
  const bar = tty
    ? new cliProgress.SingleBar({ format: '{bar} {line}', hideCursor: true, clearOnComplete: false, stream: process.stdout }, cliProgress.Presets.shades_classic)
    : undefined;
  // Until a worker answers the progress query there is nothing to draw a bar of: spin meanwhile.
  let waiting: Spinner | undefined = tty ? startSpinner(`${id}: waiting for a worker to report progress`) : undefined;
  let started = false;
  let last = '';
  for (;;) {
    const snap = await snapshotRun(client, id);
    const p = snap.progress;
    const closed = snap.status !== 'RUNNING' && snap.status !== 'CONTINUED_AS_NEW';
    const line = p ? progressLine(p) : closed ? '' : 'no progress yet (is a worker running on the task queue?)';
    if (bar) {
      if (p) {
        waiting?.stop();
        waiting = undefined;
        if (!started) bar.start(Math.max(p.total, 1), p.done, { line });
        started = true;
        bar.setTotal(Math.max(p.total, 1));
        bar.update(p.done + p.failed, { line });
      }
    } else if (`${snap.status} ${line}` !== last) {
      if (opts.json) printJson({ time: new Date().toISOString(), status: snap.status, progress: p });
      else console.log(`${new Date().toISOString().slice(11, 19)} ${snap.status.toLowerCase()} ${line}`.trimEnd());
    }
    last = `${snap.status} ${line}`; // a new status is news even when the progress reads the same
    if (closed) {
      waiting?.stop();
      bar?.stop();
      if (!opts.json) printSnapshot(snap);
      return snap;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
}
