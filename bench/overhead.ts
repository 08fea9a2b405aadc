// bench/overhead: what pdflow's orchestration costs per remote step. In one run, on one sim node:
//   direct   — the command through pdflow's SSH pool (no Temporal)
//   step     — the same command as an activity of a workflow on the local dev server (schedule,
//              worker poll, pooled SSH, completion, next workflow task), timed inside the workflow
// Prints the medians and the orchestration cost (step − direct). Goal: ≤ 50 ms median.
// Run: npx tsx bench/overhead.ts [--n 100] [--command true]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { Worker, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { startSimCluster } from '../src/sim/index.js';
import { ClusterSchema } from '../src/config/cluster.js';
import { SshPool } from '../src/activities/ssh/pool.js';
import { execOnNode } from '../src/activities/ssh/exec.js';
import { nodeTargets } from '../src/activities/ssh/targets.js';
import { startDevServer, freePort } from '../src/common/dev-server.js';
import { overheadActivities } from './overhead-activities.js';
import type { overheadProbe } from './overhead-workflow.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const N = Number(arg('n', '100'));
const COMMAND = arg('command', 'true');
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };
const p90 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(0.9 * s.length) - 1)]!; };

Runtime.install({ logger: new DefaultLogger('WARN') });
const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-bench-overhead-'));
const sim = await startSimCluster({ dir: path.join(dir, 'sim'), workers: 0, firstHostOctet: 202 });
const server = await startDevServer({ port: await freePort(), headless: true, stdio: 'ignore', logLevel: 'error' });
const pool = new SshPool();
try {
  const target = nodeTargets(ClusterSchema.parse(YAML.parse(readFileSync(sim.clusterFile, 'utf8'))))[0]!;
  await execOnNode(pool, target, [COMMAND]); // connection set-up excluded
  const direct: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await execOnNode(pool, target, [COMMAND]);
    direct.push(performance.now() - t);
  }

  let connection: NativeConnection | undefined;
  for (let i = 0; !connection; i++) {
    try {
      connection = await NativeConnection.connect({ address: server.address });
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const taskQueue = `bench-overhead-${process.pid}`;
  const worker = await Worker.create({
    connection, taskQueue, workflowsPath: fileURLToPath(new URL('./overhead-workflow.ts', import.meta.url)),
    activities: overheadActivities(pool, target, [COMMAND]),
  });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const steps = await worker.runUntil(async () => {
    // One warm-up workflow (worker caches, first poll), then the measured one.
    await client.workflow.execute<typeof overheadProbe>('overheadProbe', { taskQueue, workflowId: `overhead-warmup-${Date.now()}`, args: [{ n: 5 }] });
    return client.workflow.execute<typeof overheadProbe>('overheadProbe', { taskQueue, workflowId: `overhead-${Date.now()}`, args: [{ n: N }] });
  });
  await connection.close();

  const f = (x: number) => x.toFixed(1).padStart(8);
  console.log(`bench/overhead: ${N} × \`${COMMAND}\` on sim node head, local dev server, ${os.cpus().length} CPUs\n`);
  console.log('way                                          median ms   p90 ms');
  console.log(`direct: pdflow's SSH pool                    ${f(median(direct))} ${f(p90(direct))}`);
  console.log(`step: activity on the dev server + the pool  ${f(median(steps))} ${f(p90(steps))}`);
  const cost = median(steps) - median(direct);
  console.log(`\norchestration cost per step (median step − median direct): ${cost.toFixed(1)} ms (goal ≤ 50 ms) ${cost <= 50 ? 'OK' : 'MISSED'}`);
  console.log(`step / direct: ${(median(steps) / median(direct)).toFixed(1)}×`);
} finally {
  await pool.closeAll();
  await server.stop();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
