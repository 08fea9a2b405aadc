// bench/ssh: 200 short commands on one sim node, three ways, in one run:
//   pool   — pdflow's SSH pool (one pooled connection, a channel per command)
//   fresh  — the OpenSSH client, a new connection per command
//   cm     — the OpenSSH client through a ControlMaster connection (ControlPersist)
// Prints median and p90 per command and the ratios. Target: pool <= 1.5x cm, >= 3x faster than fresh.
// Run: npx tsx bench/ssh.ts [--n 200] [--command true]
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { startSimCluster } from '../src/sim/index.js';
import { ClusterSchema } from '../src/config/cluster.js';
import { SshPool } from '../src/activities/ssh/pool.js';
import { execOnNode } from '../src/activities/ssh/exec.js';
import { nodeTargets } from '../src/activities/ssh/targets.js';

const run = promisify(execFile);

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

const N = Number(arg('n', '200'));
const COMMAND = arg('command', 'true');

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<{ median: number; p90: number; total: number }> {
  const ms: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  ms.sort((a, b) => a - b);
  return { median: quantile(ms, 0.5), p90: quantile(ms, 0.9), total };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-bench-ssh-'));
const sim = await startSimCluster({ dir: path.join(dir, 'sim'), workers: 0, firstHostOctet: 201 });
const pool = new SshPool();
const cmPath = path.join(dir, 'cm-%C');
const cmOpts = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${cmPath}`, '-o', 'ControlPersist=120'];
try {
  const target = nodeTargets(ClusterSchema.parse(YAML.parse(readFileSync(sim.clusterFile, 'utf8'))))[0]!;
  const sshArgs = (extra: string[]) => {
    const base = sim.sshArgs('head', [COMMAND]);
    return [...extra, ...base];
  };
  console.log(`bench/ssh: ${N} × \`${COMMAND}\` on sim node head (${target.host}:${target.port}), ${os.cpus().length} CPUs\n`);

  // Connection set-up is excluded from every series: one warm-up command each.
  let t = performance.now();
  await execOnNode(pool, target, [COMMAND]);
  const poolConnect = performance.now() - t;
  t = performance.now();
  await run('ssh', sshArgs(cmOpts));
  const cmConnect = performance.now() - t;

  const results = {
    pool: await timeEach(N, () => execOnNode(pool, target, [COMMAND])),
    cm: await timeEach(N, () => run('ssh', sshArgs(cmOpts))),
    fresh: await timeEach(N, () => run('ssh', sshArgs([]))),
  };
  if (pool.connectCount(target) !== 1) throw new Error(`the pool reconnected ${pool.connectCount(target) - 1} times during the bench`);

  const f = (x: number) => x.toFixed(1).padStart(8);
  console.log('mode                                median ms   p90 ms   total s');
  console.log(`pool (pdflow, 1 connection)       ${f(results.pool.median)} ${f(results.pool.p90)} ${f(results.pool.total / 1000)}`);
  console.log(`ssh + ControlMaster               ${f(results.cm.median)} ${f(results.cm.p90)} ${f(results.cm.total / 1000)}`);
  console.log(`ssh, fresh connection each        ${f(results.fresh.median)} ${f(results.fresh.p90)} ${f(results.fresh.total / 1000)}`);
  console.log(`\nfirst connection: pool ${poolConnect.toFixed(0)} ms, ControlMaster ${cmConnect.toFixed(0)} ms`);
  const vsCm = results.pool.median / results.cm.median;
  const vsFresh = results.fresh.median / results.pool.median;
  console.log(`pool / ControlMaster median: ${vsCm.toFixed(2)}×  (target ≤ 1.5×) ${vsCm <= 1.5 ? 'OK' : 'MISSED'}`);
  console.log(`fresh / pool median:         ${vsFresh.toFixed(2)}×  (target ≥ 3×)  ${vsFresh >= 3 ? 'OK' : 'MISSED'}`);
} finally {
  await run('ssh', [...cmOpts, '-O', 'exit', ...sim.sshArgs('head')]).catch(() => undefined);
  await pool.closeAll();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
