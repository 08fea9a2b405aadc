// bench/fanout: how a setup stage's per-node steps scale with the number of nodes. In one run,
// on simulated clusters of 1, 8 and 32 nodes (one real sshd each on this machine), a workflow runs
// one step on every node at once through the production activities and SSH pool:
//   waitJob       — a remote job that waits 2 s on each node (the production remote-job path: job
//                   runner, log following, heartbeats, result), as most per-node setup work waits
//                   on the node's own CPUs, disks and network: the orchestration's fan-out
//   prepareNode   — scripts uploaded when changed (a hash check when not) and old job folders
//                   pruned: two short commands per node
//   inventoryNode — inventory.sh (nvidia-smi, fi_info, sysfs, disk, Python)
// The last two are CPU work on the node: here every node shares this machine's 2 cores, so 32
// nodes' worth of it queues for them (reported apart, not held to the goal).
// Prints wall times and the 32-node / 1-node ratio. Goal for the waiting step: ≤ 1.5×.
// Run: npx tsx bench/fanout.ts [--sizes 1,8,32] [--repeat 3]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { Worker, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { startSimCluster } from '../src/sim/index.js';
import { ClusterSchema, type ClusterConfig } from '../src/config/cluster.js';
import { SshPool } from '../src/activities/ssh/pool.js';
import { createActivities } from '../src/activities/index.js';
import { startDevServer, freePort } from '../src/common/dev-server.js';
import type { fanoutProbe, FanoutStep } from './fanout-workflow.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const SIZES = arg('sizes', '1,8,32').split(',').map(Number);
const REPEAT = Number(arg('repeat', '3'));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };

Runtime.install({ logger: new DefaultLogger('WARN') });
const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-bench-fanout-'));
const server = await startDevServer({ port: await freePort(), headless: true, stdio: 'ignore', logLevel: 'error' });
const pool = new SshPool();
const rows: Array<{ nodes: number; step: string; ms: number }> = [];
try {
  let connection: NativeConnection | undefined;
  for (let i = 0; !connection; i++) {
    try { connection = await NativeConnection.connect({ address: server.address }); } catch (err) { if (i > 100) throw err; await new Promise((r) => setTimeout(r, 200)); }
  }
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const taskQueue = `bench-fanout-${process.pid}`;
  const worker = await Worker.create({
    connection, taskQueue, workflowsPath: fileURLToPath(new URL('./fanout-workflow.ts', import.meta.url)),
    activities: createActivities({ runsDir: path.join(dir, 'runs'), sshPool: pool }),
    maxConcurrentActivityTaskExecutions: 100,
  });
  await worker.runUntil(async () => {
    let octet = 230;
    for (const size of SIZES) {
      // `size` nodes: a head and size-1 workers (GPU-less head, 8 GPUs per worker); addresses not used by the last size.
      octet -= size;
      const sim = await startSimCluster({ dir: path.join(dir, `sim-${size}`), workers: size - 1, firstHostOctet: octet });
      try {
        const cluster: ClusterConfig = ClusterSchema.parse(YAML.parse(readFileSync(sim.clusterFile, 'utf8')));
        for (const step of ['waitJob', 'prepareNode', 'inventoryNode'] as FanoutStep[]) {
          // The first run uploads the scripts (and connects): left out, as on a cluster set up before.
          await client.workflow.execute<typeof fanoutProbe>('fanoutProbe', { taskQueue, workflowId: `fanout-${size}-${step}-warm-${Date.now()}`, args: [{ cluster, step }] });
          const ms: number[] = [];
          for (let i = 0; i < REPEAT; i++) ms.push(await client.workflow.execute<typeof fanoutProbe>('fanoutProbe', { taskQueue, workflowId: `fanout-${size}-${step}-${i}-${Date.now()}`, args: [{ cluster, step }] }));
          rows.push({ nodes: size, step, ms: median(ms) });
          console.log(`${String(size).padStart(3)} nodes  ${step.padEnd(14)} median ${median(ms).toFixed(0).padStart(6)} ms  (${ms.map((x) => x.toFixed(0)).join(', ')})`);
        }
      } finally {
        await sim.stop();
      }
    }
  });
  await connection.close();
  const pm = (size: number, step: string) => rows.find((r) => r.nodes === size && r.step === step)?.ms;
  const lo = Math.min(...SIZES);
  const hi = Math.max(...SIZES);
  console.log(`\nbench/fanout on ${os.cpus().length} CPUs; SSH: one pooled connection per node, at most ${new SshPool().maxChannelsPerNode} channels per node; activities: up to 100 at once per worker`);
  for (const step of ['waitJob', 'prepareNode', 'inventoryNode']) {
    const ratio = pm(hi, step)! / pm(lo, step)!;
    const held = step === 'waitJob';
    console.log(`${step}: ${hi} nodes / ${lo} node = ${ratio.toFixed(2)}×${held ? ` (goal ≤ 1.5×) ${ratio <= 1.5 ? 'OK' : 'MISSED'}` : ' (CPU-bound on this machine: reported, not held to the goal)'}`);
  }
} finally {
  await pool.closeAll();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
