// bench/cli: how long the `pdflow` command takes, against `temporal workflow describe` on the same
// server in the same run (so a busy machine slows both alike). Starts a dev server and a
// `pdflow worker` (from the compiled CLI), runs `pdflow hello` twice, then times N runs each of
// `pdflow --help`, `pdflow status <id>`, `pdflow list` and `temporal workflow describe -w <id>`,
// round-robin, after one warm-up each. Reference rows: Node's own start-up, importing
// @temporalio/client alone, and the sources run through tsx as bin/pdflow.js did before.
// Goals: --help <= 0.3 s, status and list <= 0.5 s (median, idle 2-core machine).
// Run: npx tsx bench/cli.ts [--n 10] [--no-tsx]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestTemporal } from '../test/helpers/temporal.js';
import { root, startPdflow, stopPdflow, waitForOutput } from '../test/helpers/cli.js';
import { findTemporalBinary } from '../src/common/tools.js';
import { build } from '../scripts/build-cli.js';

const run = promisify(execFile);

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const N = Number(arg('n', '10'));
const WITH_TSX = !process.argv.includes('--no-tsx');

const bin = path.join(root, 'bin/pdflow.js');
// The old bin/pdflow.js: the sources compiled by tsx at the call (lazy loading included).
const viaTsx = `import { register } from 'tsx/esm/api'; register(); const { main } = await import('./src/cli/main.ts'); process.exitCode = await main(process.argv.slice(1));`;

interface Row { name: string; file: string; args: string[]; cwd?: string; ms: number[] }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timeOnce(r: Row): Promise<number> {
  const t0 = performance.now();
  await run(r.file, r.args, { cwd: r.cwd ?? root, maxBuffer: 16 << 20 });
  return performance.now() - t0;
}

async function main() {
  await build(); // a build for the sources as they are, so no timed call compiles
  const temporal = await startTestTemporal();
  const address = temporal.address;
  // Its own folder, where the worker keeps its runs and results store.
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'pdflow-bench-cli-'));
  // The worker's default runs dir and store (.pdflow/ there), so `list` reads a store as in a lab.
  const worker = startPdflow(['--address', address, 'worker'], { cwd });
  try {
    await waitForOutput(worker, /pdflow worker on/, 120_000);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { stdout } = await run(process.execPath, [bin, '--address', address, 'hello', '--name', `bench-${i}`], { cwd });
      ids.push(/started (\S+)/.exec(stdout)![1]!);
      await new Promise((r) => setTimeout(r, 1100)); // hello ids carry the second
    }
    const id = ids[0]!;
    const temporalBin = findTemporalBinary();
    const rows: Row[] = [
      { name: 'node -e 0 (Node start-up)', file: process.execPath, args: ['-e', '0'], ms: [] },
      { name: "node: import('@temporalio/client') alone", file: process.execPath, args: ['--input-type=module', '-e', "await import('@temporalio/client')"], ms: [] },
      { name: 'pdflow --help', file: process.execPath, args: [bin, '--help'], cwd, ms: [] },
      { name: 'pdflow status <id>', file: process.execPath, args: [bin, '--address', address, 'status', id], cwd, ms: [] },
      { name: 'pdflow list', file: process.execPath, args: [bin, '--address', address, 'list'], cwd, ms: [] },
      ...(WITH_TSX ? [
        { name: 'pdflow --help, sources via tsx (old bin)', file: process.execPath, args: ['--input-type=module', '-e', viaTsx, '--', '--help'], ms: [] },
        { name: 'pdflow status <id>, sources via tsx (old bin)', file: process.execPath, args: ['--input-type=module', '-e', viaTsx, '--', '--address', address, 'status', id], ms: [] },
      ] : []),
      { name: 'temporal workflow describe -w <id>', file: temporalBin, args: ['workflow', 'describe', '--address', address, '-w', id], ms: [] },
    ];
    for (const r of rows) await timeOnce(r); // warm-up: page cache, tsx's cache
    for (let i = 0; i < N; i++) for (const r of rows) r.ms.push(await timeOnce(r));

    const base = median(rows.at(-1)!.ms);
    const goal: Record<string, number> = { 'pdflow --help': 300, 'pdflow status <id>': 500, 'pdflow list': 500 };
    console.log(`\nN=${N} each, round-robin; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${os.cpus().length} CPUs\n`);
    console.log('| command | median ms | min ms | max ms | × temporal describe | goal ms |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) {
      const m = median(r.ms);
      console.log(`| ${r.name} | ${m.toFixed(0)} | ${Math.min(...r.ms).toFixed(0)} | ${Math.max(...r.ms).toFixed(0)} | ${(m / base).toFixed(2)} | ${goal[r.name] ?? ''} |`);
    }
  } finally {
    await stopPdflow(worker);
    await temporal.teardown();
    rmSync(cwd, { recursive: true, force: true });
  }
}

await main();
