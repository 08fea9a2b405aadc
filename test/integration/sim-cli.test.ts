// `pdflow sim up/status/fault/down` as a user runs them: sshd outlives `sim up`, and `sim down`
// leaves no process behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../../src/sim/processes.js';
import type { SimNodeStatus } from '../../src/sim/index.js';

const pdflow = path.resolve('bin/pdflow.js');

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

void test('sim up keeps sshd running after the CLI exits; fault and down work from other processes', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-simcli-'));
  const up = await run('node', [pdflow, 'sim', 'up', '--dir', dir, '--workers', '1', '--gpus-per-node', '2', '--first-octet', '160']);
  try {
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /worker-1 +worker +127\.0\.0\.161:\d+ +2 GPUs/);
    assert.match(up.stdout, /pdflow validate .*cluster\.yaml/);

    const status = await run('node', [pdflow, 'sim', 'status', '--dir', dir, '--json']);
    const nodes = (JSON.parse(status.stdout) as { nodes: SimNodeStatus[] }).nodes;
    assert.deepEqual(nodes.map((n) => [n.name, n.sshd]), [['head', 'running'], ['worker-1', 'running']]);

    const bad = await run('node', [pdflow, 'sim', 'fault', 'worker-1', 'fail', 'sim-work', '--times', 'two', '--dir', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--times: "two" is not a whole number/);
    const fault = await run('node', [pdflow, 'sim', 'fault', 'worker-1', 'reboot', '--seconds', '20', '--dir', dir]);
    assert.equal(fault.code, 0, fault.stderr);
    const rebooting = (JSON.parse((await run('node', [pdflow, 'sim', 'status', '--dir', dir, '--json'])).stdout) as { nodes: SimNodeStatus[] }).nodes;
    assert.equal(rebooting[1]?.sshd, 'rebooting');

    const down = await run('node', [pdflow, 'sim', 'down', '--dir', dir]);
    assert.equal(down.code, 0, down.stderr);
    for (const n of [...nodes, ...rebooting]) assert.equal(isAlive(n.sshdPid), false, `${n.name} pid ${n.sshdPid}`);
  } finally {
    await run('node', [pdflow, 'sim', 'down', '--dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});
