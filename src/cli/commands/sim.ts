// `pdflow sim up|status|down|fault`: a simulated cluster of real sshd nodes on loopback addresses.
import type { Command } from 'commander';
import path from 'node:path';
import { DEFAULT_SIM_DIR } from '../../sim/defaults.js';
import type { SimFault } from '../../sim/index.js';
import { BadInputError, RunFailedError } from '../errors.js';

/** For display only: a shell-safe rendering of an argv the user may copy. */
function shellWords(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new BadInputError(`${flag}: "${value}" is not a whole number in ${min}..${max}`);
  return n;
}

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new BadInputError(`${flag}: "${value}" is not a positive number`);
  return n;
}

/** The simulator, loaded when a sim command runs (never for `--help`). */
const simLib = () => import('../../sim/index.js');

/** Library errors about input become exit code 2; anything else is a failed run. */
async function cli<T>(work: () => Promise<T>): Promise<T> {
  const { SimInputError } = await simLib();
  try {
    return await work();
  } catch (err) {
    if (err instanceof SimInputError) throw new BadInputError(err.message);
    if (err instanceof BadInputError) throw err;
    throw new RunFailedError(err instanceof Error ? err.message : String(err));
  }
}

interface UpOpts { dir: string; workers: string; gpusPerNode: string; name: string; firstOctet: string; port?: string; timeScale: string }

async function up(o: UpOpts) {
  const { startSimCluster } = await simLib();
  const sim = await cli(() =>
    startSimCluster({
      dir: o.dir,
      name: o.name,
      workers: wholeNumber('--workers', o.workers, 0, 32),
      gpusPerNode: wholeNumber('--gpus-per-node', o.gpusPerNode, 0, 16),
      firstHostOctet: wholeNumber('--first-octet', o.firstOctet, 1, 254),
      port: wholeNumber('--port', o.port, 1, 65535),
      timeScale: positive('--time-scale', o.timeScale),
    }),
  );
  const rel = path.relative(process.cwd(), sim.clusterFile) || sim.clusterFile;
  console.log(`Simulated cluster "${sim.name}" is up: ${sim.nodes.length} nodes, each a real sshd (state in ${sim.dir})`);
  for (const n of sim.nodes)
    console.log(`  ${n.name.padEnd(10)} ${n.role.padEnd(7)} ${`${n.host}:${n.port}`.padEnd(22)} ${String(n.gpus).padStart(2)} GPUs  sshd pid ${n.sshdPid}`);
  console.log(`Cluster file: ${rel}`);
  console.log('Next:');
  console.log(`  pdflow validate ${rel}`);
  const worker = sim.node(sim.nodes[1]?.name ?? 'head');
  const ssh = ['ssh', '-i', sim.keyPath, '-o', `UserKnownHostsFile=${sim.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-p', String(worker.port), `${sim.user}@${worker.host}`];
  console.log(`  ${shellWords([...ssh, 'sim-work', '--seconds', '3'])}`);
  console.log(`  pdflow sim fault ${sim.nodes[1]?.name ?? 'head'} drop --dir ${o.dir}`);
  console.log(`  pdflow sim down --dir ${o.dir}`);
}

async function status(o: { dir: string; json?: boolean }) {
  const { simStatus } = await simLib();
  const s = simStatus(o.dir);
  if (!s) throw new BadInputError(`--dir: no simulated cluster in ${path.resolve(o.dir)} (no state.json); start one with \`pdflow sim up --dir ${o.dir}\``);
  if (o.json) return console.log(JSON.stringify(s, null, 2));
  console.log(`Simulated cluster "${s.name}" in ${s.dir} (cluster file ${s.clusterFile})`);
  for (const n of s.nodes) {
    const sshd = `sshd pid ${n.sshdPid} ${n.sshd === 'stopped' ? 'NOT running' : n.sshd}`;
    console.log(`  ${n.name.padEnd(10)} ${n.role.padEnd(7)} ${n.address.padEnd(22)} ${sshd}, ${n.processes.length} process(es)`);
    for (const p of n.processes) console.log(`      ${String(p.pid).padStart(7)}  ${p.command}`);
  }
}

async function down(o: { dir: string }) {
  const { loadSimCluster, simStatus } = await simLib();
  const sim = await cli(() => loadSimCluster(o.dir));
  await cli(() => sim.stop());
  const left = simStatus(o.dir)?.nodes.filter((n) => n.sshdAlive || n.processes.length) ?? [];
  if (left.length) throw new RunFailedError(`processes of ${left.map((n) => n.name).join(', ')} are still running; see \`pdflow sim status --dir ${o.dir}\``);
  console.log(`Stopped the simulated cluster in ${sim.dir}: no sshd and no job of it is left.`);
}

const FAULT_USAGE = 'use one of: drop | reboot --seconds T | fail PROGRAM --times N --exit-code C | hang PROGRAM | slow PROGRAM --factor F | clear';

function faultFrom(action: string, program: string | undefined, o: { seconds?: string; times?: string; exitCode?: string; factor?: string }): SimFault | 'clear' {
  const needProgram = () => {
    if (!program) throw new BadInputError(`sim fault ${action}: PROGRAM is missing (e.g. \`pdflow sim fault worker-1 ${action} sim-work\`)`);
    return program;
  };
  const required = (flag: string, v: number | undefined) => {
    if (v === undefined) throw new BadInputError(`sim fault ${action}: ${flag} is required`);
    return v;
  };
  switch (action) {
    case 'drop': return { kind: 'drop' };
    case 'clear': return 'clear';
    case 'reboot': return { kind: 'reboot', seconds: required('--seconds', positive('--seconds', o.seconds)) };
    case 'hang': return { kind: 'hang', program: needProgram() };
    case 'slow': return { kind: 'slow', program: needProgram(), factor: required('--factor', positive('--factor', o.factor)) };
    case 'fail':
      return {
        kind: 'fail',
        program: needProgram(),
        times: wholeNumber('--times', o.times ?? '1', 1, 1_000_000)!,
        exitCode: wholeNumber('--exit-code', o.exitCode ?? '1', 1, 255)!,
      };
    default:
      throw new BadInputError(`sim fault: action "${action}" is unknown; ${FAULT_USAGE}`);
  }
}

function describeFault(node: string, f: SimFault): string {
  switch (f.kind) {
    case 'drop': return `${node}: every SSH connection dropped; new connections are accepted.`;
    case 'reboot': return `${node}: "rebooting" — sshd down and every process of the node killed; sshd is back in ${f.seconds} s with the same host key.`;
    case 'fail': return `${node}: the next ${f.times} run(s) of ${f.program} exit with code ${f.exitCode}.`;
    case 'hang': return `${node}: ${f.program} hangs (sleeps until killed) until \`pdflow sim fault ${node} clear\`.`;
    case 'slow': return `${node}: ${f.program} runs ${f.factor}x slower until \`pdflow sim fault ${node} clear\`.`;
  }
}

async function fault(node: string, action: string, program: string | undefined, o: { dir: string; seconds?: string; times?: string; exitCode?: string; factor?: string }) {
  const f = faultFrom(action, program, o);
  const { loadSimCluster } = await simLib();
  const sim = await cli(() => loadSimCluster(o.dir));
  if (f === 'clear') {
    await cli(() => sim.clearFaults(node === 'all' ? undefined : node));
    return console.log(`${node}: program faults cleared.`);
  }
  await cli(() => sim.fault(node, f));
  console.log(describeFault(node, f));
}

export function registerSim(program: Command) {
  const sim = program
    .command('sim')
    .description('A simulated cluster: one real OpenSSH sshd per node on 127.0.0.x, with emulated GPU tools and fault injection')
    .addHelpText('after', '\nExamples:\n  pdflow sim up && pdflow run --cluster .pdflow/sim/cluster.yaml --follow\n  pdflow sim status\n  pdflow sim down\n');
  const dirOpt = ['--dir <dir>', 'folder of the simulated cluster', DEFAULT_SIM_DIR] as const;

  sim
    .command('up')
    .description('Start a head and N workers, write keys, known_hosts and a cluster file')
    .option(...dirOpt)
    .option('--workers <n>', 'worker nodes', '2')
    .option('--gpus-per-node <n>', 'emulated GPUs per worker (the head is a CPU node)', '8')
    .option('--name <name>', 'cluster name in the cluster file', 'sim')
    .option('--first-octet <n>', 'the head listens on 127.0.0.<n>, workers on the next addresses', '10')
    .option('--port <port>', 'one port for every node (default: a free port per node)')
    .option('--time-scale <x>', 'multiplies emulated durations (0.1 = ten times faster)', '1')
    .addHelpText('after', '\nExamples:\n  pdflow sim up\n  pdflow sim up --workers 1 --gpus-per-node 4 --dir /tmp/sim\n')
    .action(up);

  sim
    .command('status')
    .description('Nodes, whether their sshd runs, and the processes running on each')
    .option(...dirOpt)
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  pdflow sim status\n  pdflow sim status --dir /tmp/sim --json\n')
    .action(status);

  sim
    .command('down')
    .description('Stop exactly the processes the simulated cluster started (by pid), and every job run on it')
    .option(...dirOpt)
    .addHelpText('after', '\nExamples:\n  pdflow sim down\n  pdflow sim down --dir /tmp/sim\n')
    .action(down);

  sim
    .command('fault <node> <action> [program]')
    .description(`Inject a fault on a node; ${FAULT_USAGE} (clear: NODE may be "all")`)
    .option(...dirOpt)
    .option('--seconds <t>', 'reboot: how long sshd stays down')
    .option('--times <n>', 'fail: how many runs fail', '1')
    .option('--exit-code <c>', 'fail: exit code of the failed runs', '1')
    .option('--factor <f>', 'slow: duration multiplier')
    .addHelpText(
      'after',
      '\nExamples:\n  pdflow sim fault worker-1 drop\n  pdflow sim fault worker-1 reboot --seconds 10\n  pdflow sim fault head fail sim-work --times 2 --exit-code 3\n  pdflow sim fault worker-2 hang sim-work\n  pdflow sim fault worker-2 slow sim-work --factor 4\n  pdflow sim fault all clear\n',
    )
    .action(fault);
}
