// The simulated GPU side knows a process by its pid and start time: this machine reuses pids within
// minutes, and an engine or GPU claim whose process died must not come back alive when another
// process gets its pid (the emulated bench then saw a dead PD deployment's prefill engine beside a
// live collocated one, and nvidia-smi showed GPUs busy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const py = (code: string) => execFileSync('python3', ['-B', '-c', code], {
  env: { ...process.env, PYTHONPATH: [path.join(root, 'src/sim/pypkgs/pdflow-sim'), path.join(root, 'src/sim/gpu/py')].join(':') },
  encoding: 'utf8',
}).trim();

test('pid_alive and nvidia-smi\'s process check: alive only as the same process (pid and start time)', () => {
  const out = py([
    'import os, subprocess',
    'from pdflow_sim import node',
    'import simhw',
    'me, start = os.getpid(), node.pid_start(os.getpid())',
    'child = subprocess.Popen(["true"]); child.wait()',
    'print(node.pid_alive(me), node.pid_alive(me, start), node.pid_alive(me, start + 1), node.pid_alive(child.pid), simhw._alive(me, start), simhw._alive(me, start + 1), simhw._alive(me))',
  ].join('\n'));
  assert.equal(out, 'True True False False True False True');
});
