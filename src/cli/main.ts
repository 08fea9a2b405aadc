// The `pdflow` command. Each command lives in src/cli/commands and registers itself here.
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './errors.js';
import { registerServer } from './commands/server.js';
import { registerWorker } from './commands/worker.js';
import { registerHello } from './commands/hello.js';
import { registerValidate } from './commands/validate.js';
import { registerSchema } from './commands/schema.js';
import { registerPlan } from './commands/plan.js';
import { registerList } from './commands/list.js';
import { registerStatus } from './commands/status.js';
import { registerWatch } from './commands/watch.js';
import { registerControl } from './commands/control.js';
import { registerRun } from './commands/run.js';
import { registerDemo } from './commands/demo.js';
import { registerSchedule } from './commands/schedule.js';
import { registerLogs } from './commands/logs.js';
import { registerSim } from './commands/sim.js';
import { registerResults } from './commands/results.js';
import { registerCompare } from './commands/compare.js';

export function buildProgram(): Command {
  const program = new Command('pdflow')
    .description('Turn GPU machines into a prefill/decode disaggregation testbed and benchmark it overnight, on Temporal.')
    .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS, profile, or 127.0.0.1:7233)')
    .option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE, profile, or default)')
    .option('--profile <name>', 'Temporal environment-config profile (TEMPORAL_PROFILE)')
    .showHelpAfterError()
    .exitOverride();
  registerServer(program);
  registerWorker(program);
  registerHello(program);
  registerValidate(program);
  registerSchema(program);
  registerPlan(program);
  registerList(program);
  registerStatus(program);
  registerWatch(program);
  registerControl(program);
  registerRun(program);
  registerDemo(program);
  registerSchedule(program);
  registerLogs(program);
  registerSim(program);
  registerResults(program);
  registerCompare(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT.ok; // --help, --version
      return EXIT.badInput;
    }
    if (err instanceof CliError) {
      console.error(`pdflow: ${err.message}`);
      return err.exitCode;
    }
    console.error(err);
    return EXIT.runFailed;
  }
}

