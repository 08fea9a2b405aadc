import type { Command } from 'commander';
import { connectFlags, printJson } from '../flags.js';
import { formatTable } from '../table.js';
import { BadInputError } from '../errors.js';
import { DEFAULT_TASK_QUEUE } from '../../common/task-queue.js';

/** The client, loaded when a command runs (never for `--help`). */
async function connect(cmd: Command) {
  const { connectClient } = await import('../connect.js');
  return connectClient(connectFlags(cmd));
}

export function registerSchedule(program: Command) {
  const schedule = program
    .command('schedule')
    .description('Nightly sweeps as Temporal Schedules')
    .addHelpText('after', '\nExamples:\n  pdflow schedule create --cluster examples/cluster-p5.yaml --sweep examples/sweep-pd-ratio.yaml --cron "0 22 * * *"\n  pdflow schedule list\n  pdflow schedule delete pdflow-p5-pair-pd-ratio-nightly\n');
  schedule
    .command('create')
    .description('Run the checks and a sweep on a calendar (the plan is made now, from the files as they are)')
    .requiredOption('--cluster <file>', 'cluster file')
    .requiredOption('--sweep <file>', 'sweep file')
    .requiredOption('--cron <expr>', 'when, as a cron expression, e.g. "0 22 * * *" (22:00 every day)')
    .option('--timezone <tz>', 'time zone of the cron expression', 'UTC')
    .option('--id <id>', 'schedule id (default pdflow-<cluster>-<sweep>-nightly)')
    .option('--stages <list>', 'checks before the sweep', 'provision,build,ray,validate,smoke,sweep')
    .option('--task-queue <name>', 'task queue', DEFAULT_TASK_QUEUE)
    .addHelpText('after', '\nA run that would overlap the previous one is skipped. Re-create the schedule after editing the files.\n\nExamples:\n  pdflow schedule create --cluster examples/cluster-p5.yaml --sweep examples/sweep-pd-ratio.yaml --cron "0 22 * * *"\n  pdflow schedule create --cluster c.yaml --sweep s.yaml --cron "30 1 * * 1-5" --timezone Europe/Berlin --stages ray,validate,sweep\n')
    .action(async (o: { cluster: string; sweep: string; cron: string; timezone: string; id?: string; stages: string; taskQueue: string }, cmd: Command) => {
      const [{ ScheduleAlreadyRunning, ScheduleOverlapPolicy }, { checkCron, checkTimezone }, { loadRunFiles, parseStages, runInput }, { PdflowCluster, PdflowStage, PdflowSweep }] = await Promise.all([
        import('@temporalio/client'), import('../schedule-spec.js'), import('../start-run.js'), import('../../common/search-attributes.js'),
      ]);
      checkCron(o.cron);
      checkTimezone(o.timezone);
      const { cluster, plan, docs } = await loadRunFiles(o.cluster, o.sweep);
      const { stages, sweep } = parseStages(o.stages, true);
      // The documents as they are now; every run checks and plans them afresh.
      // A scheduled run exists to measure again: it never reuses, whatever the sweep file says.
      // and compares itself with the last good run of its sweep (PdflowRegression, its memo and result).
      const input = runInput({ cluster, plan, docs, stages, runSweep: sweep, sweepOptions: { reuse: false, compareWithLastGood: true } });
      const scheduleId = o.id ?? `pdflow-${cluster.name}-${plan!.sweepName}-nightly`;
      const { client } = await connect(cmd);
      try {
        await client.schedule.create({
          scheduleId,
          spec: { cronExpressions: [o.cron], timezone: o.timezone },
          action: {
            type: 'startWorkflow', workflowType: 'pipeline', args: [input], taskQueue: o.taskQueue,
            workflowId: `pdflow-${cluster.name}-pipeline-scheduled`,
            staticSummary: `nightly: checks then sweep ${plan!.sweepName} on ${cluster.name}`,
            typedSearchAttributes: [{ key: PdflowCluster, value: cluster.name }, { key: PdflowStage, value: 'pipeline' }, { key: PdflowSweep, value: plan!.sweepName }],
          },
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
        });
      } catch (err) {
        if (err instanceof ScheduleAlreadyRunning) throw new BadInputError(`schedule "${scheduleId}" already exists; delete it first (\`pdflow schedule delete ${scheduleId}\`) or give another --id`);
        throw err;
      }
      console.log(`schedule ${scheduleId}: "${o.cron}" ${o.timezone}, ${plan!.estimate.points} points, est. ${Math.round(plan!.estimate.totalSeconds / 60)} min a run`);
    });
  schedule
    .command('list')
    .description('pdflow schedules and their next runs')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  pdflow schedule list\n  pdflow schedule list --json\n')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const { client } = await connect(cmd);
      const rows: Array<Record<string, unknown>> = [];
      for await (const s of client.schedule.list()) {
        if (!s.scheduleId.startsWith('pdflow-')) continue;
        rows.push({ id: s.scheduleId, next: s.info.nextActionTimes[0]?.toISOString(), paused: s.state.paused, recent: s.info.recentActions.length });
      }
      if (o.json) return printJson(rows);
      console.log(rows.length ? formatTable(rows) : 'no pdflow schedules');
    });
  schedule
    .command('delete <id>')
    .description('Delete a schedule (runs already started go on)')
    .addHelpText('after', '\nExamples:\n  pdflow schedule delete pdflow-p5-pair-pd-ratio-nightly\n')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { client } = await connect(cmd);
      try {
        await client.schedule.getHandle(id).delete();
      } catch (err) {
        if ((err as Error).name === 'ScheduleNotFoundError') throw new BadInputError(`no schedule "${id}" (see \`pdflow schedule list\`)`);
        throw err;
      }
      console.log(`deleted schedule ${id}`);
    });
}
