import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectFlags } from '../flags.js';
import { splitAddress } from '../probe.js';
import { projectRoot } from '../../common/source-dir.js';
import type { SimCluster } from '../../sim/index.js';
import { uiBase, uiLink } from '../ui-link.js';
import { BadInputError } from '../errors.js';
import { withSpinner } from '../spinner.js';

interface DemoState {
  /** Every Temporal dev server the demo started (one per address), for --clean. */
  serverPids?: number[];
  /** Older demo.json files. */
  serverPid?: number;
  workerPid?: number;
  /** The server the worker polls: a demo against another address needs its own worker. */
  workerAddress?: string;
}

const say = (s: string) => console.log(`demo: ${s}`);

function alive(pid: number | undefined): pid is number {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A path relative to here when it is below here, else absolute. */
function shortPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** ip and port of a loopback address, where the demo may start a dev server itself. */
export function localDevServerAddress(address: string): { ip: string; port: number } | undefined {
  const t = splitAddress(address);
  if (!t || !/^(127\.\d+\.\d+\.\d+|localhost)$/.test(t.host)) return undefined;
  return { ip: t.host === 'localhost' ? '127.0.0.1' : t.host, port: t.port };
}

export function registerDemo(program: Command) {
  program
    .command('demo')
    .description('Everything on this machine: local Temporal + Web UI, a simulated cluster of sshd nodes, a worker, the pipeline and a small sweep')
    .option('--dir <dir>', 'where the demo keeps its state', '.pdflow')
    .option('--workers <n>', 'simulated GPU nodes', '2')
    .option('--gpus-per-node <n>', 'GPUs per simulated node', '8')
    .option('--time-scale <f>', 'multiplies every emulated duration (builds, deploys, benchmarks)', '0.02')
    .option('--sweep <file>', 'sweep to run after the pipeline', path.join(projectRoot, 'examples/sweep-demo.yaml'))
    .option('--no-sweep', 'only the setup pipeline')
    .option('--clean', 'stop the server, the worker and the simulated cluster the demo started, then exit')
    .addHelpText('after', '\nThe Temporal server is the one --address (or TEMPORAL_ADDRESS, or a profile) names; when that is a\nloopback address where nothing listens yet, the demo starts a local dev server there (Web UI on port + 1000).\nThe server, worker and simulated cluster stay up afterwards so you can look around in the Web UI;\n`pdflow demo --clean` stops them.\n\nExamples:\n  npm run demo\n  pdflow demo --time-scale 0.1 --workers 2\n  pdflow --address 127.0.0.1:7300 demo        # a second demo server beside one on 7233\n  pdflow demo --clean\n')
    .action(async (o: { dir: string; workers: string; gpusPerNode: string; timeScale: string; sweep: string | false; clean?: boolean }, cmd: Command) => {
      // Everything the demo drives, loaded when it runs (never for `--help`).
      const [
        { connectClient, resolveConnectConfig }, { isPortOpen, startDevServer }, { startSimCluster, loadSimCluster, simStatus },
        { loadRunFiles, startRun }, { watchRun }, { exitForStatus }, { sweepRecords }, { emitResults }, { rejectedOfPlan },
      ] = await Promise.all([
        import('../connect.js'), import('../../common/dev-server.js'), import('../../sim/index.js'),
        import('../start-run.js'), import('../watch-run.js'), import('../describe-run.js'), import('../sweep-records.js'), import('../results-report.js'), import('../../analysis/index.js'),
      ]);
      const dir = path.resolve(o.dir);
      const stateFile = path.join(dir, 'demo.json');
      const simDir = path.join(dir, 'sim');
      mkdirSync(dir, { recursive: true });
      const state: DemoState = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {};
      const save = () => writeFileSync(stateFile, JSON.stringify(state, null, 2));

      if (o.clean) {
        const servers = [...(state.serverPids ?? []), ...(state.serverPid ? [state.serverPid] : [])];
        for (const [what, pid] of [['worker', state.workerPid], ...servers.map((p) => ['Temporal server', p] as const)] as const) {
          if (alive(pid)) {
            process.kill(pid, 'SIGTERM');
            say(`stopped the ${what} (pid ${pid})`);
          }
        }
        if (simStatus(simDir)) {
          await (await loadSimCluster(simDir)).stop();
          say('stopped the simulated cluster');
        }
        writeFileSync(stateFile, '{}');
        return;
      }
      const workers = Number(o.workers);
      const gpus = Number(o.gpusPerNode);
      const timeScale = Number(o.timeScale);
      if (!Number.isInteger(workers) || workers < 1) throw new BadInputError(`--workers: "${o.workers}" must be a whole number ≥ 1`);
      if (!Number.isInteger(gpus) || gpus < 1) throw new BadInputError(`--gpus-per-node: "${o.gpusPerNode}" must be a whole number ≥ 1`);
      if (!(timeScale > 0)) throw new BadInputError(`--time-scale: "${o.timeScale}" must be a positive number`);
      const started = Date.now();

      // 1. The Temporal server: the configured one; a local dev server is started when none listens there.
      const flags = connectFlags(cmd);
      const { address, namespace: wantedNamespace } = resolveConnectConfig(flags);
      const local = localDevServerAddress(address);
      if (!local || (await isPortOpen(local.ip, local.port))) say(`using the Temporal server at ${address}`);
      else {
        const dbFile = path.join(dir, 'temporal.db');
        const server = await withSpinner(`demo: starting a local Temporal server on ${address} (SQLite ${shortPath(dbFile)}, Web UI on ${local.port + 1000})`,
          () => startDevServer({
            ip: local.ip, port: local.port, dbFile, detached: true, logFile: path.join(dir, 'temporal.log'),
            ...(wantedNamespace !== 'default' ? { extraArgs: ['--namespace', wantedNamespace] } : {}),
          }),
          { done: (_, s) => `demo: Temporal server up (${s.toFixed(0)} s)` });
        state.serverPids = [...(state.serverPids ?? []).filter(alive), ...(server.process.pid ? [server.process.pid] : [])];
        save();
      }

      // 2. The simulated cluster.
      let sim: SimCluster;
      if (simStatus(simDir)?.nodes.every((n) => n.sshd === 'running')) {
        sim = await loadSimCluster(simDir);
        say(`using the simulated cluster in ${simDir}`);
      } else {
        if (simStatus(simDir)) await (await loadSimCluster(simDir)).stop();
        sim = await withSpinner(`demo: starting a simulated cluster: 1 head + ${workers} workers × ${gpus} GPUs, one real sshd each (time scale ${timeScale})`,
          () => startSimCluster({ dir: simDir, name: 'sim', workers, gpusPerNode: gpus, timeScale }),
          { done: (_, s) => `demo: simulated cluster up (${s.toFixed(0)} s)` });
      }
      for (const n of sim.nodes) say(`  ${n.name.padEnd(9)} ${n.role.padEnd(6)} ssh ${sim.user}@${n.host} -p ${n.port}`);

      // 3. A worker in the background (it stays for the Web UI's queries).
      if (alive(state.workerPid) && state.workerAddress !== `${address}/${wantedNamespace}`) {
        process.kill(state.workerPid, 'SIGTERM');
        say(`stopped the demo's worker for ${state.workerAddress ?? 'another server'} (pid ${state.workerPid})`);
        state.workerPid = undefined;
      }
      if (!alive(state.workerPid)) {
        say('starting a pdflow worker (task queue pdflow)');
        const log = openSync(path.join(dir, 'worker.log'), 'a');
        const global = ['--address', address, '--namespace', wantedNamespace, ...(flags.profile ? ['--profile', flags.profile] : [])];
        const child = spawn(process.execPath, [path.join(projectRoot, 'bin/pdflow.js'), ...global, 'worker', '--runs-dir', path.join(dir, 'runs'), '--grace', '5s'], {
          detached: true, stdio: ['ignore', log, log],
        });
        child.unref();
        state.workerPid = child.pid;
        state.workerAddress = `${address}/${wantedNamespace}`;
        save();
      }

      // 4. The pipeline, then the sweep, followed live.
      const { cluster, plan, docs } = await loadRunFiles(sim.clusterFile, o.sweep || undefined);
      const { client, namespace } = await connectClient(flags);
      const handle = await startRun(client, { cluster, plan, docs, stages: ['provision', 'build', 'ray', 'validate', 'smoke'], runSweep: Boolean(plan), heartbeatTimeout: '10s' });
      say(`started ${handle.workflowId}: ${uiLink(address, namespace, handle.workflowId)}`);
      const final = await watchRun(client, handle.workflowId);
      exitForStatus(final.status, final.failure);

      // 5. Results.
      if (plan) {
        const view = await sweepRecords(client, handle.workflowId);
        const out = path.join(dir, 'demo-results');
        await emitResults(view.records, { format: 'table', out }, { title: `pdflow demo: sweep ${plan.sweepName}`, rejected: rejectedOfPlan(view.rejected), ...(view.gpuHours !== undefined ? { gpuHoursTotal: view.gpuHours } : {}) });
        say(`report and plots: ${out}/report.md, ${out}/report.html (interactive), ${out}/plots/`);
      }
      say(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      say(`Web UI: ${uiBase(address)}/namespaces/${namespace}/workflows  (server, worker and cluster stay up; \`pdflow demo --clean\` stops them)`);
    });
}
