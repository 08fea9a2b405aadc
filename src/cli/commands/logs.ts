import type { Command } from 'commander';
import { existsSync, readdirSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../errors.js';
import { printJson } from '../flags.js';

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

function readFrom(file: string, offset: number): { text: string; size: number } {
  const size = statSync(file).size;
  if (size <= offset) return { text: '', size };
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    return { text: buf.toString('utf8'), size };
  } finally {
    closeSync(fd);
  }
}

export function registerLogs(program: Command) {
  program
    .command('logs <id>')
    .description("A run's remote-job logs as the worker streamed them (its stage children included)")
    .option('--node <name>', 'only this node')
    .option('--step <step>', 'only this step (prefix), e.g. build-ucx, bench-')
    .option('--follow', 'keep printing what is appended (Ctrl-C stops)')
    .option('--runs-dir <dir>', "the worker's run folder", '.pdflow/runs')
    .option('--json', 'list the log files instead of printing them')
    .addHelpText('after', "\nLogs live where the worker runs (its --runs-dir); run this there.\n\nExamples:\n  pdflow logs pdflow-p5-pair-pipeline-20261128-220000 --node gpu-1 --step build-ucx\n  pdflow logs pdflow-p5-pair-sweep-20261128-220000 --step bench- --follow\n")
    .action(async (id: string, o: { node?: string; step?: string; follow?: boolean; runsDir: string; json?: boolean }) => {
      const runsDir = path.resolve(o.runsDir);
      let files = findLogs(runsDir, id, o);
      if (o.json) return printJson(files);
      if (files.length === 0 && !o.follow) {
        throw new BadInputError(`no logs for ${id}${o.node ? ` on node ${o.node}` : ''}${o.step ? ` for step ${o.step}` : ''} in ${runsDir} (is this the worker's --runs-dir?)`);
      }
      const offsets = new Map<string, number>();
      const many = () => files.length > 1;
      const print = (f: LogFile) => {
        const { text, size } = readFrom(f.file, offsets.get(f.file) ?? 0);
        if (!text) return;
        const prefix = many() ? `${f.node}/${f.step}| ` : '';
        const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
        process.stdout.write(lines.map((l) => prefix + l).join('\n') + '\n');
        offsets.set(f.file, size);
      };
      for (const f of files) {
        if (many() && !o.follow) console.log(`==> ${f.run} ${f.node} ${f.step} <==`);
        print(f);
      }
      if (!o.follow) return;
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        files = findLogs(runsDir, id, o);
        for (const f of files) print(f);
      }
    });
}
