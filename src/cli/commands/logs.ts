import type { Command } from 'commander';
import { statSync, openSync, readSync, closeSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../errors.js';
import { printJson } from '../flags.js';
import { findLogs, type LogFile } from '../../common/run-folder.js';

export { findLogs, type LogFile } from '../../common/run-folder.js';

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
