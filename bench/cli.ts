// bench/cli: how long the `pdflow` command takes, against `temporal workflow describe` on the same
// server in the same run (so a busy machine slows both alike). Starts a dev server and a
// `pdflow worker` (from the compiled CLI), runs `pdflow hello` twice, then times N runs each of
// `pdflow --help`, `pdflow status <id>`, `pdflow list` and `temporal workflow describe -w <id>`,
// round-robin, after one warm-up each. Reference rows: Node's own start-up, importing
// @temporalio/client alone, and the sources run through tsx as bin/pdflow.js did before.
// With --before DIR (an older checkout, e.g. `git archive <commit> | tar -x -C DIR` with its
// node_modules linked), its bin/pdflow.js is timed too. Then the steps of `status`, timed inside one
// process running the compiled modules: where its time goes.
// Goals: --help <= 0.3 s, status and list <= 0.5 s (median, idle 2-core machine).
// Run: npx tsx bench/cli.ts [--n 10] [--no-tsx] [--before DIR]
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
const BEFORE = arg('before', '');

const bin = path.join(root, 'bin/pdflow.js');
// The old bin/pdflow.js: the sources compiled by tsx at the call (lazy loading included).
const viaTsx = `import { register } from 'tsx/esm/api'; register(); const { main } = await import('./src/cli/main.ts'); process.exitCode = await main(process.argv.slice(1));`;

interface Row { name: string; file: string; args: string[]; cwd?: string; ms: number[]; cpuMs: number[] }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// CPU time (user + system, the process and its threads) too, through GNU time: on a machine
// busy with other work it moves far less than the wall time, so it says more about an idle one.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

async function timeOnce(r: Row): Promise<{ ms: number; cpuMs?: number }> {
  const t0 = performance.now();
  const [file, args] = GNU_TIME ? [GNU_TIME, ['-f', 'cpu %U %S', r.file, ...r.args]] : [r.file, r.args];
  const { stderr } = await run(file, args, { cwd: r.cwd ?? root, maxBuffer: 16 << 20 });
  const ms = performance.now() - t0;
  const cpu = /cpu (\d+\.\d+) (\d+\.\d+)\s*$/.exec(stderr);
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined };
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
      { name: 'node -e 0 (Node start-up)', file: process.execPath, args: ['-e', '0'], ms: [], cpuMs: [] },
      { name: "node: import('@temporalio/client') alone", file: process.execPath, args: ['--input-type=module', '-e', "await import('@temporalio/client')"], ms: [], cpuMs: [] },
      { name: 'pdflow --help', file: process.execPath, args: [bin, '--help'], cwd, ms: [], cpuMs: [] },
      { name: 'pdflow status <id>', file: process.execPath, args: [bin, '--address', address, 'status', id], cwd, ms: [], cpuMs: [] },
      { name: 'pdflow list', file: process.execPath, args: [bin, '--address', address, 'list'], cwd, ms: [], cpuMs: [] },
      ...(WITH_TSX ? [
        { name: 'pdflow --help, sources via tsx (old bin)', file: process.execPath, args: ['--input-type=module', '-e', viaTsx, '--', '--help'], ms: [], cpuMs: [] },
        { name: 'pdflow status <id>, sources via tsx (old bin)', file: process.execPath, args: ['--input-type=module', '-e', viaTsx, '--', '--address', address, 'status', id], ms: [], cpuMs: [] },
      ] : []),
      ...(BEFORE ? [
        { name: 'pdflow --help, --before checkout', file: process.execPath, args: [path.join(BEFORE, 'bin/pdflow.js'), '--help'], cwd, ms: [], cpuMs: [] },
        { name: 'pdflow status <id>, --before checkout', file: process.execPath, args: [path.join(BEFORE, 'bin/pdflow.js'), '--address', address, 'status', id], cwd, ms: [], cpuMs: [] },
        { name: 'pdflow list, --before checkout', file: process.execPath, args: [path.join(BEFORE, 'bin/pdflow.js'), '--address', address, 'list'], cwd, ms: [], cpuMs: [] },
      ] : []),
      { name: 'temporal workflow describe -w <id>', file: temporalBin, args: ['workflow', 'describe', '--address', address, '-w', id], ms: [], cpuMs: [] },
    ];
    for (const r of rows) await timeOnce(r); // warm-up: page cache, tsx's cache
    for (let i = 0; i < N; i++) {
      for (const r of rows) {
        const t = await timeOnce(r);
        r.ms.push(t.ms);
        if (t.cpuMs !== undefined) r.cpuMs.push(t.cpuMs);
      }
    }

    const base = median(rows.at(-1)!.ms);
    const cpuBase = GNU_TIME ? median(rows.at(-1)!.cpuMs) : NaN;
    const goal: Record<string, number> = { 'pdflow --help': 300, 'pdflow status <id>': 500, 'pdflow list': 500 };
    console.log(`\nN=${N} each, round-robin; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${os.cpus().length} CPUs\n`);
    console.log('| command | median ms | min ms | max ms | × temporal describe | CPU ms (median) | CPU × temporal describe | goal ms |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const m = median(r.ms);
      const cpu = GNU_TIME ? median(r.cpuMs) : NaN;
      console.log(`| ${r.name} | ${m.toFixed(0)} | ${Math.min(...r.ms).toFixed(0)} | ${Math.max(...r.ms).toFixed(0)} | ${(m / base).toFixed(2)} | ${cpu.toFixed(0)} | ${(cpu / cpuBase).toFixed(2)} | ${goal[r.name] ?? ''} |`);
    }
    await statusSteps(address, id);
  } finally {
    await stopPdflow(worker);
    await temporal.teardown();
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The steps of `pdflow status`, timed in a fresh process running the compiled modules. */
async function statusSteps(address: string, id: string) {
  const dist = path.dirname(path.dirname(await build()));
  const script = `
    const t0 = performance.now(); let t = t0; const steps = [];
    const lap = (what) => { const n = performance.now(); steps.push([what, n - t]); t = n; };
    await import('commander'); lap('commander');
    await import('@temporalio/client'); lap('import @temporalio/client (with proto, common)');
    const { connectClient } = await import(${JSON.stringify(path.join(dist, 'cli/connect.js'))}); lap('import @temporalio/envconfig, connect.js');
    await import(${JSON.stringify(path.join(dist, 'cli/describe-run.js'))}); lap('import describe-run.js (@temporalio/workflow, for the query definition)');
    const { client } = await connectClient({ address: ${JSON.stringify(address)} }); lap('probe + gRPC connect');
    const h = client.workflow.getHandle(${JSON.stringify(id)});
    const d = await h.describe(); lap('describe');
    await d.staticSummary?.(); lap('static summary');
    await h.query('progress').catch(() => undefined); lap('progress query (answered by the worker)');
    console.log(JSON.stringify(steps));
  `;
  const cwdForModules = path.dirname(dist); // resolves commander and @temporalio/* from the checkout
  const runs: Array<Array<[string, number]>> = [];
  for (let i = 0; i < 5; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: cwdForModules });
    runs.push(JSON.parse(stdout.trim().split('\n').at(-1)!));
  }
  console.log('\nWhere `pdflow status` spends its time (median of 5, in one process, compiled modules):\n');
  console.log('| step | median ms |');
  console.log('|---|---|');
  for (const [i, [name]] of runs[0]!.entries()) console.log(`| ${name} | ${median(runs.map((r) => r[i]![1])).toFixed(0)} |`);
}

await main();
