// Fault injection on the simulated cluster, seen through the real OpenSSH client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimCluster, loadSimCluster } from '../../src/sim/cluster.js';
import { isAlive } from '../../src/sim/processes.js';
import type { SimCluster } from '../../src/sim/types.js';

function run(args: string[], timeoutMs = 15_000): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: SimCluster;
before(async () => {
  sim = await startSimCluster({ dir: mkdtempSync(path.join(os.tmpdir(), 'pdflow-simf-')), workers: 1, firstHostOctet: 150 });
});
after(async () => {
  await sim?.stop();
  if (sim) rmSync(sim.dir, { recursive: true, force: true });
});

void test('drop kills a live session; the listener stays and a new connection works', async () => {
  const before = sim.node('worker-1').sshdPid;
  const child = spawn('ssh', sim.sshArgs('worker-1', ['sim-work', '--seconds', '30', '--lines-per-second', '10']), { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise<void>((r) => child.stdout.once('data', () => r()));
  await sim.fault('worker-1', { kind: 'drop' });
  const code = await Promise.race([exited, sleep(3000).then(() => 'still running')]);
  assert.equal(code, 255);
  const again = await run(sim.sshArgs('worker-1', ['echo', 'back']));
  assert.equal(again.stdout.trim(), 'back', again.stderr);
  assert.equal(sim.node('worker-1').sshdPid, before);
});

void test('reboot refuses connections for T seconds, kills the node\'s jobs, then comes back with the same host key', async () => {
  const started = await run(sim.sshArgs('worker-1', ['setsid sim-work --seconds 60 >/dev/null 2>&1 </dev/null & echo $!']));
  const jobPid = Number(started.stdout.trim());
  const other = await run(sim.sshArgs('head', ['setsid sim-work --seconds 60 >/dev/null 2>&1 </dev/null & echo $!']));
  const headJob = Number(other.stdout.trim());
  assert.ok(isAlive(jobPid) && isAlive(headJob));
  const oldPid = sim.node('worker-1').sshdPid;

  const t0 = Date.now();
  await sim.fault('worker-1', { kind: 'reboot', seconds: 1.5 });
  assert.equal(isAlive(jobPid), false, 'the job on the rebooted node is gone');
  assert.equal(isAlive(headJob), true, 'jobs on other nodes live on');
  const refused = await run(sim.sshArgs('worker-1', ['true']));
  assert.equal(refused.code, 255);
  assert.match(refused.stderr, /Connection refused/);

  let back: Awaited<ReturnType<typeof run>> | undefined;
  while (Date.now() - t0 < 8000) {
    back = await run(sim.sshArgs('worker-1', ['echo', '$PDFLOW_SIM_NODE']));
    if (back.code === 0) break;
    await sleep(100);
  }
  // StrictHostKeyChecking=yes against the generated known_hosts: same host key.
  assert.equal(back?.stdout.trim(), 'worker-1', back?.stderr);
  assert.ok(Date.now() - t0 >= 1500);
  const newPid = sim.node('worker-1').sshdPid;
  assert.notEqual(newPid, oldPid);
  assert.equal((await loadSimCluster(sim.dir)).node('worker-1').sshdPid, newPid, 'state.json follows the restart');
  process.kill(headJob, 'SIGKILL');
});

void test('fail makes the next N runs exit with the code; then the program works again', async () => {
  const runsBefore = sim.countRuns('head', 'sim-work');
  await sim.fault('head', { kind: 'fail', program: 'sim-work', times: 2, exitCode: 7 });
  const argv = sim.sshArgs('head', ['sim-work', '--seconds', '0']);
  const r1 = await run(argv);
  const r2 = await run(argv);
  const r3 = await run(argv);
  assert.deepEqual([r1.code, r2.code, r3.code], [7, 7, 0]);
  assert.match(r1.stderr, /sim-work: injected failure \(pdflow sim fault\), exit 7/);
  assert.equal(sim.countRuns('head', 'sim-work') - runsBefore, 3);
  // A named program is faulted on its own.
  await sim.fault('head', { kind: 'fail', program: 'build-step', times: 1, exitCode: 9 });
  assert.equal((await run(sim.sshArgs('head', ['sim-work', '--seconds', '0']))).code, 0);
  assert.equal((await run(sim.sshArgs('head', ['sim-work', '--seconds', '0', '--name', 'build-step']))).code, 9);
  await sim.clearFaults('head');
});

void test('hang makes a program sleep until killed; clearFaults lifts it', async () => {
  await sim.fault('head', { kind: 'hang', program: 'sim-work' });
  const hung = await run(sim.sshArgs('head', ['timeout', '0.8', 'sim-work', '--seconds', '0']));
  assert.equal(hung.code, 124, 'timeout had to kill it');
  await sim.clearFaults();
  assert.equal((await run(sim.sshArgs('head', ['timeout', '5', 'sim-work', '--seconds', '0']))).code, 0);
});

void test('slow multiplies the program\'s durations', async () => {
  const argv = sim.sshArgs('head', ['sim-work', '--seconds', '0.2', '--lines-per-second', '10']);
  const normal = await run(argv);
  await sim.fault('head', { kind: 'slow', program: 'sim-work', factor: 5 });
  const slow = await run(argv);
  await sim.clearFaults('head');
  assert.equal(normal.code, 0);
  assert.equal(slow.code, 0);
  assert.equal(slow.stdout.trim().split('\n').length, 2);
  assert.ok(slow.ms - normal.ms >= 600, `slow ${slow.ms} ms vs normal ${normal.ms} ms`);
});

void test('bad fault input is refused with the field, the value and the fix', async () => {
  await assert.rejects(sim.fault('head', { kind: 'fail', program: 'x; rm', times: 1, exitCode: 1 }), /program "x; rm" is not valid/);
  await assert.rejects(sim.fault('head', { kind: 'fail', program: 'p', times: 0, exitCode: 1 }), /times 0 is not valid; use a whole number >= 1/);
  await assert.rejects(sim.fault('nope', { kind: 'drop' }), /no sim node "nope"; nodes are head, worker-1/);
});
