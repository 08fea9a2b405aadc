import type { Command } from 'commander';
import { connectFlags } from '../flags.js';
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
      const [{ connectClient }, { watchRun }, { exitForStatus }] = await Promise.all([import('../connect.js'), import('../watch-run.js'), import('../describe-run.js')]);
      const { client } = await connectClient(connectFlags(cmd));
      const final = await watchRun(client, id, { intervalMs: interval * 1000, json: o.json });
      exitForStatus(final.status, final.failure, final.outcome, final.failedPoints);
    });
}
