import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { connectFlags } from '../flags.js';
import { BadInputError } from '../errors.js';

/** The client, loaded when a command runs (never for `--help`). */
async function connect(cmd: Command) {
  const { connectClient } = await import('../connect.js');
  return connectClient(connectFlags(cmd));
}

/** pause/resume/cancel only mean something to a run that is still going: one line otherwise. */
async function requireRunning(client: Client, id: string, verb: string): Promise<void> {
  let status: string;
  try {
    status = (await client.workflow.getHandle(id).describe()).status.name;
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') throw new BadInputError(`no run with id "${id}" (see \`pdflow list\`)`);
    throw err;
  }
  if (status !== 'RUNNING') throw new BadInputError(`cannot ${verb} ${id}: it is ${status.toLowerCase()}, not running (see \`pdflow status ${id}\`)`);
}

export function registerControl(program: Command) {
  program
    .command('pause <id>')
    .description('Pause a sweep after its current point (signal "pause", no payload)')
    .addHelpText('after', '\nThe Web UI\'s Signal dialog sends the same: signal name "pause", no input.\n\nExamples:\n  pdflow pause pdflow-p5-pair-sweep-20261128-220000\n  pdflow status pdflow-p5-pair-sweep-20261128-220000   # shows PAUSED once the point in flight is done\n')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { client } = await connect(cmd);
      await requireRunning(client, id, 'pause');
      const { pauseSignal } = await import('../../workflows/messages.js');
      await client.workflow.getHandle(id).signal(pauseSignal);
      console.log(`pause requested for ${id}: it stops after the current point`);
    });
  program
    .command('resume <id>')
    .description('Resume a paused sweep (signal "resume", no payload)')
    .addHelpText('after', '\nThe Web UI\'s Signal dialog sends the same: signal name "resume", no input.\n\nExamples:\n  pdflow resume pdflow-p5-pair-sweep-20261128-220000\n')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { client } = await connect(cmd);
      await requireRunning(client, id, 'resume');
      const { resumeSignal } = await import('../../workflows/messages.js');
      await client.workflow.getHandle(id).signal(resumeSignal);
      console.log(`resume sent to ${id}`);
    });
  program
    .command('cancel <id>')
    .description('Cancel a run: running steps are stopped and deployments torn down')
    .addHelpText('after', '\nA pipeline passes the cancellation on to its running stage or sweep.\n\nExamples:\n  pdflow cancel pdflow-p5-pair-sweep-20261128-220000\n  pdflow cancel pdflow-p5-pair-pipeline-20261128-220000 && pdflow watch pdflow-p5-pair-pipeline-20261128-220000\n')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { client } = await connect(cmd);
      await requireRunning(client, id, 'cancel');
      await client.workflow.getHandle(id).cancel();
      console.log(`cancellation requested for ${id}; it tears down what it deployed (see \`pdflow status ${id}\`)`);
    });
}
