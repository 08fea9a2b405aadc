// Following a run until it closes: a progress bar on a terminal, plain or JSON lines otherwise.
import cliProgress from 'cli-progress';
import type { Client } from '@temporalio/client';
import { printJson } from './flags.js';
import { snapshotRun, progressLine, type RunSnapshot } from './describe-run.js';
import { printSnapshot } from './print-snapshot.js';
import { startSpinner, type Spinner } from './spinner.js';

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
