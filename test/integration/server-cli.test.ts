// `pdflow server`: a real dev server with its Web UI and SQLite persistence; a restart on the same
// file keeps every workflow; a taken port is reported with its address.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, isPortOpen } from '../../src/common/dev-server.js';
import { findTemporalBinary } from '../../src/common/tools.js';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-server-'));
const db = path.join(dir, 'temporal.db');
const started: ChildProcess[] = [];
after(() => { for (const c of started) if (c.exitCode === null) c.kill('SIGKILL'); });

function cli(args: string[]) {
  return run(process.execPath, ['bin/pdflow.js', ...args], { timeout: 120_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
}

async function startServer(port: number, uiPort: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['bin/pdflow.js', 'server', '--port', String(port), '--ui-port', String(uiPort), '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Press Ctrl-C')) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGINT'); });
}

test('server prints both addresses, keeps workflows across a restart, and names a taken port', async () => {
  const port = await freePort();
  const uiPort = await freePort();
  const s1 = await startServer(port, uiPort);
  assert.match(s1.output(), new RegExp(`Temporal server: 127\\.0\\.0\\.1:${port}`));
  assert.match(s1.output(), new RegExp(`Web UI: +http://127\\.0\\.0\\.1:${uiPort}`));
  assert.ok(await isPortOpen('127.0.0.1', uiPort), 'the Web UI listens');

  const hello = await cli(['--address', `127.0.0.1:${port}`, 'hello', '--inline-worker', '--name', 'restart-check']);
  assert.equal(hello.code, 0, hello.out);
  const id = /started (pdflow-local-hello-\d{8}-\d{6})/.exec(hello.out)?.[1];
  assert.ok(id, hello.out);

  const taken = await cli(['server', '--port', String(port), '--ui-port', String(await freePort()), '--db', path.join(dir, 'other.db')]);
  assert.equal(taken.code, 2);
  assert.match(taken.out, new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));

  await stop(s1.child);
  assert.equal(await isPortOpen('127.0.0.1', port), false, 'stopped cleanly');
  const s2 = await startServer(port, uiPort);
  const list = await run(findTemporalBinary(), ['workflow', 'list', '--address', `127.0.0.1:${port}`, '--query', "PdflowStage = 'hello'"]);
  assert.match(list.stdout, new RegExp(`Completed\\s+${id}`));
  await stop(s2.child);
});
