// The real remote scripts (scripts/remote) on a simulated cluster, over plain ssh: inventory,
// python env, UCX and NIXL builds, Ray. The emulated programs answer; the scripts are unchanged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCommand } from '../../src/activities/ssh/quote.js';
import { startSimCluster } from '../../src/sim/cluster.js';
import { prepareGpuEmulation, readPackageSpecs } from '../../src/sim/gpu/index.js';
import type { SimCluster } from '../../src/sim/types.js';

const SCRIPTS = path.resolve('scripts/remote');
const TIME_SCALE = 0.02;

let dir: string;
let sim: SimCluster;
let nodeEnv: Record<string, Record<string, string>> = {};

interface Ran { code: number; stdout: string; stderr: string; json: Record<string, any>; ms: number }

function ssh(node: string, command: string, timeoutMs = 120_000): Promise<Omit<Ran, 'json'>> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile('ssh', sim.sshArgs(node, [command]), { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** Runs scripts/remote/<script> on a node and parses its last JSON line. */
async function script(node: string, name: string, args: string[]): Promise<Ran> {
  const r = await ssh(node, buildCommand(['bash', path.join(SCRIPTS, name), ...args], { env: nodeEnv[node] ?? {} }));
  const last = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}';
  return { ...r, json: JSON.parse(last) as Record<string, any> };
}

const ok = (r: Ran) => assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
const work = (node: string) => sim.node(node).workdir;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-e1-'));
  sim = await startSimCluster({ dir, name: 'e1', workers: 3, gpusPerNode: 8, perNodeGpus: { 'worker-3': 7 }, firstHostOctet: 160, timeScale: TIME_SCALE });
  const gpu = await prepareGpuEmulation({ simDir: dir, nodes: sim.nodes.map((n) => ({ name: n.name, role: n.role, host: n.host, stateDir: n.stateDir, gpus: n.gpus })) });
  // Until the sim puts these into each node's SetEnv, give them on the command line.
  const probe = await ssh('head', 'printf %s "${PIP_FIND_LINKS:-}"');
  nodeEnv = probe.stdout === gpu.wheelhouse ? {} : gpu.env;
});

after(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

void test('inventory reports each node as its hardware is: CPU head, 8-GPU worker with 32 EFA, 7-GPU worker', async () => {
  const [head, w1, w3] = await Promise.all(['head', 'worker-1', 'worker-3'].map((n) => script(n, 'inventory.sh', ['--workdir', work(n), '--python', '3.11'])));
  for (const r of [head, w1, w3]) ok(r!);
  assert.equal(head!.json.gpuCount, 0);
  assert.equal(head!.json.nvidiaSmi.present, false);
  assert.equal(head!.json.efa.sysfsDevices, 0);
  assert.equal(head!.json.efa.fiInfo.present, false);
  assert.match(head!.json.python.version, /^3\.11\./);
  assert.equal(w1!.json.gpuCount, 8);
  assert.equal(w1!.json.gpuModel, 'NVIDIA H100 80GB HBM3');
  assert.equal(w1!.json.gpus[0].memoryMiB, 81559);
  assert.equal(w1!.json.cuda, '12.4');
  assert.equal(w1!.json.efa.sysfsDevices, 32);
  assert.equal(w1!.json.efa.fiInfo.efaDomains, 32);
  assert.ok(w1!.json.disk.freeBytes > 0);
  assert.equal(w3!.json.gpuCount, 7);
  assert.match(w1!.stdout, /^::phase gpus$/m);
});

const PINS = ['ray==2.51.0', 'flashinfer-python==0.2.14.post1'];
if (readPackageSpecs().some((p) => p.name === 'vllm')) PINS.unshift('vllm==0.11.0');
const pythonEnvArgs = (node: string) => [
  '--venv', `${work(node)}/venv`, '--python', '3.11', ...PINS.flatMap((p) => ['--pin', p]),
  '--model', 'openai/gpt-oss-120b', '--hf-home', `${work(node)}/hf`,
];

void test('python-env installs the pins and downloads the model, then reports everything unchanged', async () => {
  const first = await Promise.all(['head', 'worker-1', 'worker-2'].map((n) => script(n, 'python-env.sh', pythonEnvArgs(n))));
  for (const r of first) {
    ok(r);
    assert.deepEqual([...r.json.installed].filter((p: string) => PINS.includes(p)).sort(), [...PINS].sort());
    assert.equal(r.json.model.downloaded, true);
    assert.equal(r.json.venv.created, true);
  }
  const again = await script('worker-1', 'python-env.sh', pythonEnvArgs('worker-1'));
  ok(again);
  assert.deepEqual(again.json.installed, []);
  assert.deepEqual([...again.json.unchanged].sort(), [...PINS].sort());
  assert.equal(again.json.model.downloaded, false);
  assert.equal(again.json.model.path, first[1]!.json.model.path);
  assert.ok(again.ms < first[1]!.ms, `rerun ${again.ms} ms vs first ${first[1]!.ms} ms`);
});

const ucxArgs = (node: string, extra: string[] = []) => [
  '--src', 'https://github.com/openucx/ucx.git', '--ref', 'v1.20.0', '--prefix', `${work(node)}/opt/ucx`, '--build-root', `${work(node)}/build`, ...extra,
];

void test('build-ucx builds UCX with srd on every EFA device, then skips; --with-efa no leaves ud_verbs only', async () => {
  const [built, noEfa] = await Promise.all([script('worker-1', 'build-ucx.sh', ucxArgs('worker-1')), script('worker-2', 'build-ucx.sh', ucxArgs('worker-2', ['--with-efa', 'no']))]);
  ok(built);
  assert.equal(built.json.status, 'built');
  assert.equal(built.json.version, '1.20.0');
  assert.ok(built.json.flags.includes('--with-efa'));
  assert.equal(built.json.ucxInfo.srdDevices, 32);
  assert.deepEqual(built.json.ucxInfo.transports['rdmap79s0:1'], ['srd', 'ud_verbs']);
  for (const phase of ['fetch', 'configure', 'make', 'install']) assert.match(built.stdout, new RegExp(`^::phase ${phase}$`, 'm'));
  assert.match(built.stdout, /checking for efadv_query_device in -lefa\.\.\. yes/);
  assert.match(built.stdout, / {2}CC {7}libuct_ib_efa_la-srd_ep\.lo/);

  ok(noEfa);
  assert.ok(noEfa.json.flags.includes('--without-efa'));
  assert.equal(noEfa.json.ucxInfo.srdDevices, 0);
  assert.deepEqual(noEfa.json.ucxInfo.transports['rdmap79s0:1'], ['ud_verbs']);

  const again = await script('worker-1', 'build-ucx.sh', ucxArgs('worker-1'));
  ok(again);
  assert.equal(again.json.status, 'unchanged');
  assert.equal(again.json.ucxInfo.srdDevices, 32);
  assert.equal(sim.countRuns('worker-1', 'configure'), 1, 'configure ran once');
  const ucxInfo = await ssh('worker-1', buildCommand([`${work('worker-1')}/opt/ucx/bin/ucx_info`, '-d'], { env: nodeEnv['worker-1'] ?? {} }));
  assert.equal(ucxInfo.stdout.match(/Transport: srd/g)?.length, 32);
});

void test('build-nixl builds NIXL against that UCX and installs bindings with the UCX backend', async () => {
  const args = [
    '--src', 'https://github.com/ai-dynamo/nixl.git', '--ref', '0.6.1', '--ucx-prefix', `${work('worker-1')}/opt/ucx`,
    '--prefix', `${work('worker-1')}/opt/nixl`, '--venv', `${work('worker-1')}/venv`, '--build-root', `${work('worker-1')}/build`,
  ];
  const built = await script('worker-1', 'build-nixl.sh', args);
  ok(built);
  assert.equal(built.json.status, 'built');
  assert.equal(built.json.version, '0.6.1');
  assert.equal(built.json.ucxVersion, '1.20.0');
  assert.match(built.stdout, /Run-time dependency ucx found: YES 1\.20\.0/);
  if (Array.isArray(built.json.python.plugins)) assert.ok(built.json.python.plugins.includes('UCX'), JSON.stringify(built.json.python));
  const again = await script('worker-1', 'build-nixl.sh', args);
  ok(again);
  assert.equal(again.json.status, 'unchanged');
});
