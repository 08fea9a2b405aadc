// The worker's run folder, one home for its layout and its one file-name rule:
//   <runsDir>/<run>/<node>/<step>.log      a remote job's log, streamed while it runs
//   <runsDir>/<run>/results/<point>.json   a benchmark point's raw vllm bench serve JSON, copied from the head
//   <runsDir>/<run>/results/<point>.gpu-<node>.csv   that point's GPU and EFA samples from one node (gpu_sampler.sh)
// <run> is the workflow id (stage children: <id>-<stage>); every part goes through fileSafe (point
// ids contain "/"). Written by the activities, read by `pdflow logs` and the results store.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** A name safe as one path part: anything but letters, digits, "_", "." and "-" becomes "_"; no leading dot or dash. */
export function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[.-]+/, '_') || '_';
}

/** Where a remote job's log streams to on the worker. */
export function stepLogPath(runsDir: string, run: string, node: string, step: string): string {
  return path.join(runsDir, fileSafe(run), fileSafe(node), `${fileSafe(step)}.log`);
}

/** Where a point's raw result is copied on the worker. */
export function resultCopyPath(runsDir: string, run: string, pointId: string): string {
  return path.join(runsDir, fileSafe(run), 'results', `${fileSafe(pointId)}.json`);
}

/** Where a point's GPU and EFA samples from one node are copied on the worker, beside its raw result. */
export function samplesCopyPath(runsDir: string, run: string, pointId: string, node: string): string {
  return path.join(runsDir, fileSafe(run), 'results', `${fileSafe(pointId)}.gpu-${fileSafe(node)}.csv`);
}

export interface LogFile {
  run: string;
  node: string;
  step: string;
  file: string;
  bytes: number;
}

/**
 * The remote-job logs a worker streamed for a run: <runsDir>/<workflow-id>/<node>/<step>.log, for
 * the run itself and its stage children (<workflow-id>-<stage>), in the order the steps started
 * (a log is created when its step starts; where the file system keeps no birth time, the order of
 * the last write stands in).
 */
export function findLogs(runsDir: string, id: string, filter: { node?: string; step?: string } = {}): LogFile[] {
  if (!existsSync(runsDir)) return [];
  const out: Found[] = [];
  for (const run of readdirSync(runsDir).sort()) {
    if (run !== id && !run.startsWith(`${id}-`)) continue;
    for (const node of readdirSync(path.join(runsDir, run)).sort()) {
      const nodeDir = path.join(runsDir, run, node);
      if (!statSync(nodeDir).isDirectory() || (filter.node && node !== filter.node)) continue;
      for (const f of readdirSync(nodeDir).sort()) {
        if (!f.endsWith('.log')) continue;
        const step = f.slice(0, -4);
        if (filter.step && step !== filter.step && !step.startsWith(filter.step)) continue;
        const file = path.join(nodeDir, f);
        const st = statSync(file);
        out.push({ run, node, step, file, bytes: st.size, startedMs: st.birthtimeMs || st.mtimeMs });
      }
    }
  }
  // Stable: steps that started in the same millisecond keep run, node and name order.
  return out.sort((a, b) => a.startedMs - b.startedMs).map(({ startedMs: _, ...f }) => f);
}

type Found = LogFile & { startedMs: number };
