// The `pdflow` command as a user runs it, for the CLI integration tests: a real process
// (`node bin/pdflow.js ...`), its exit code and output; long-running ones (worker, watch) as
// children; and a run inside a pseudo-terminal (util-linux `script`) to see what a terminal gets.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin/pdflow.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Both streams, for failure messages. */
  out: string;
}

export interface CliChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the result once the process exits. */
  exited: Promise<CliResult>;
}

/** Starts `pdflow ...args` (cwd: the project root; stdin closed, so never a TTY). */
export function startPdflow(args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliChild {
  const child = spawn(process.execPath, [bin, ...args], { cwd: o.cwd ?? root, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : null), stdout, stderr, out: `${stdout}\n--- stderr ---\n${stderr}` }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs `pdflow ...args` to the end (killed after `timeoutMs`). */
export async function pdflow(args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const c = startPdflow(args, o);
  const timer = setTimeout(() => c.child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
  const r = await c.exited;
  clearTimeout(timer);
  return r;
}

/** Waits until the child's stdout matches `re`; fails with its output if it exits or times out first. */
export async function waitForOutput(c: CliChild, re: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(c.stdout())) {
    if (c.child.exitCode !== null || c.child.signalCode !== null) throw new Error(`pdflow exited before printing ${re}:\n${c.stdout()}\n${c.stderr()}`);
    if (Date.now() > deadline) throw new Error(`pdflow did not print ${re} within ${timeoutMs} ms:\n${c.stdout()}\n${c.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops a child this test started (by its pid), and waits for it. */
export async function stopPdflow(c: CliChild, signal: NodeJS.Signals = 'SIGTERM'): Promise<CliResult> {
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill(signal);
  return c.exited;
}

const shellQuote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/**
 * Runs `pdflow ...args` on a pseudo-terminal (`script` from util-linux/bsdutils, always on Debian):
 * what a user sees in a terminal, escape codes included. The output is both streams, as a terminal shows them.
 */
export function pdflowInTerminal(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; out: string }> {
  const command = [process.execPath, bin, ...args].map(shellQuote).join(' ');
  // Its own process group, so a timeout kills pdflow too, not only `script`.
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, COLUMNS: '160', LINES: '40' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** True when the text has no carriage return and no escape code: what CI logs want. */
export function isPlain(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\r\x1b]/.test(text);
}
