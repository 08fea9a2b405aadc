// The simulated cluster against the real OpenSSH client: nodes, identity, host keys, SFTP, and
// a `stop` that leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { startSimCluster, loadSimCluster, simStatus } from '../../src/sim/cluster.js';
import { isAlive } from '../../src/sim/processes.js';
import type { SimCluster } from '../../src/sim/types.js';
import { ClusterSchema } from '../../src/config/cluster.js';

function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let sim: SimCluster;
before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-sim-'));
  sim = await startSimCluster({ dir, name: 'simtest', workers: 2, gpusPerNode: 4, firstHostOctet: 140 });
});
after(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

void test('each node answers ssh with its own identity, HOME and the emulators first on PATH', async () => {
  assert.deepEqual(sim.nodes.map((n) => [n.name, n.role, n.host]), [
    ['head', 'head', '127.0.0.140'],
    ['worker-1', 'worker', '127.0.0.141'],
    ['worker-2', 'worker', '127.0.0.142'],
  ]);
  for (const n of sim.nodes) {
    const r = await run('ssh', sim.sshArgs(n.name, ['printf "%s\\n" "$PDFLOW_SIM_NODE" "$HOME" "$PATH" "$PDFLOW_SIM_STATE" "$PWD"; command -v sim-work']));
    assert.equal(r.code, 0, r.stderr);
    const [node, home, pathVar, stateDir, cwd, simWork] = r.stdout.trim().split('\n');
    assert.equal(node, n.name);
    assert.equal(home, n.home);
    assert.ok(pathVar?.startsWith(path.join(process.cwd(), 'src/sim/emulators/bin') + ':'), pathVar);
    assert.equal(stateDir, n.stateDir);
    assert.equal(cwd, n.home);
    assert.equal(simWork, path.join(process.cwd(), 'src/sim/emulators/bin/sim-work'));
  }
});

void test('sim-work runs on a node, prints its ticks, counts its run and exits with the chosen code', async () => {
  const counter = path.join(sim.node('worker-1').workdir, 'counter');
  const r = await run('ssh', sim.sshArgs('worker-1', ['sim-work', '--seconds', '0.3', '--lines-per-second', '10', '--exit-code', '3', '--counter', counter]));
  assert.equal(r.code, 3, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['sim-work tick 1/3', 'sim-work tick 2/3', 'sim-work tick 3/3']);
  assert.match(readFileSync(counter, 'utf8'), /^\S+ \d+ worker-1\n$/);
  assert.equal(sim.countRuns('worker-1', 'sim-work'), 1);
  assert.equal(sim.countRuns('worker-2', 'sim-work'), 0);
});

void test('host keys are checked strictly: the generated known_hosts passes, a swapped key is refused', async () => {
  const head = sim.node('head');
  const worker = sim.node('worker-1');
  const lines = readFileSync(sim.knownHostsPath, 'utf8').trim().split('\n');
  const workerKey = lines.find((l) => l.startsWith(`[${worker.host}]:${worker.port} `))!.split(' ').slice(1).join(' ');
  const wrong = path.join(dir, 'wrong_known_hosts');
  writeFileSync(wrong, `[${head.host}]:${head.port} ${workerKey}\n`);
  const args = sim.sshArgs('head', ['true']).map((a) => (a === `UserKnownHostsFile=${sim.knownHostsPath}` ? `UserKnownHostsFile=${wrong}` : a));
  const r = await run('ssh', args);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
});

void test('SFTP works (scp uses it), so uploads reach the node workdir', async () => {
  const head = sim.node('head');
  const src = path.join(dir, 'upload.txt');
  writeFileSync(src, 'hello node\n');
  const opts = sim.sshArgs('head').filter((a, i, all) => a !== '-p' && all[i - 1] !== '-p' && !a.includes('@'));
  const r = await run('scp', [...opts, '-P', String(head.port), src, `${sim.user}@${head.host}:${head.workdir}/upload.txt`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(path.join(head.workdir, 'upload.txt'), 'utf8'), 'hello node\n');
});

void test('the cluster file names every node with its port, workdir, GPUs, EFA devices and the generated key', async () => {
  const doc = YAML.parse(readFileSync(sim.clusterFile, 'utf8'));
  const parsed = ClusterSchema.safeParse(doc);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  assert.equal(doc.name, 'simtest');
  assert.equal(doc.ssh.identityFile, sim.keyPath);
  assert.equal(doc.ssh.knownHosts, sim.knownHostsPath);
  assert.equal(doc.ssh.hostKeyPolicy, 'strict');
  assert.deepEqual(
    doc.nodes.map((n: any) => [n.name, n.role, n.host, n.port, n.gpus.count, n.efaDevices, n.workdir, n.env.PDFLOW_SIM_NODE]),
    sim.nodes.map((n) => [n.name, n.role, n.host, n.port, n.role === 'head' ? 0 : 4, n.role === 'head' ? 0 : 32, n.workdir, n.name]),
  );
});

void test('another process can load the cluster; status lists nodes and their processes', async () => {
  const loaded = await loadSimCluster(dir);
  assert.deepEqual(loaded.nodes.map((n) => n.sshdPid), sim.nodes.map((n) => n.sshdPid));
  const started = await run('ssh', sim.sshArgs('worker-2', ['setsid sim-work --seconds 30 >/dev/null 2>&1 </dev/null & echo $!']));
  const jobPid = Number(started.stdout.trim());
  const status = simStatus(dir)!;
  assert.ok(status.nodes.every((n) => n.sshdAlive));
  assert.ok(status.nodes.find((n) => n.name === 'worker-2')!.processes.some((p) => p.pid === jobPid));
  process.kill(jobPid, 'SIGKILL');
});

void test('stop leaves no process behind: listeners, sessions and detached jobs', async () => {
  const other = await startSimCluster({ dir: mkdtempSync(path.join(os.tmpdir(), 'pdflow-sim-down-')), workers: 1, firstHostOctet: 145 });
  const started = await run('ssh', other.sshArgs('worker-1', ['setsid sim-work --seconds 60 >/dev/null 2>&1 </dev/null & echo $!']));
  const jobPid = Number(started.stdout.trim());
  assert.ok(isAlive(jobPid));
  const live = run('ssh', other.sshArgs('head', ['sim-work', '--seconds', '60']));
  await new Promise((r) => setTimeout(r, 300));
  const pids = [...other.nodes.map((n) => n.sshdPid), jobPid];
  await other.stop();
  for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} still alive`);
  assert.deepEqual(simStatus(other.dir)!.nodes.map((n) => [n.sshdAlive, n.processes.length]), [[false, 0], [false, 0]]);
  assert.equal((await live).code, 255);
  assert.equal((await run('ssh', other.sshArgs('head', ['true']))).code, 255);
  assert.ok(existsSync(other.clusterFile));
  rmSync(other.dir, { recursive: true, force: true });
});

void test('a second start in a running folder is refused with the way out', async () => {
  await assert.rejects(startSimCluster({ dir, firstHostOctet: 140 }), /already runs in .*pdflow sim down --dir/);
});
