// The real remote scripts (scripts/remote) on a simulated cluster, over plain ssh: inventory,
// python env, UCX and NIXL builds, Ray. The emulated programs answer; the scripts are unchanged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCommand } from '../../src/activities/ssh/quote.js';
import { judgeNixlInstall, nixlBuildJsonSchema, readInventory, ucxBuildFacts, ucxBuildJsonSchema } from '../../src/parse/index.js';
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
  // Raw tool output in the JSON line, read by src/parse's parsers.
  const [h, one, three] = [head!, w1!, w3!].map((r) => readInventory(r.json));
  assert.equal(h!.gpus.length, 0);
  assert.match(h!.gpuNote ?? '', /not installed/);
  assert.equal(h!.efaDevices.length, 0);
  assert.equal(h!.fiInfo, null);
  assert.match(h!.python.version ?? '', /^3\.11\./);
  assert.equal(one!.gpus.length, 8);
  assert.equal(one!.gpus[0]!.name, 'NVIDIA H100 80GB HBM3');
  assert.equal(one!.gpus[0]!.memoryTotalMiB, 81559);
  assert.equal(one!.cuda, '12.4');
  assert.equal(one!.efaDevices.length, 32);
  assert.equal(one!.fiInfo?.devices.length, 32);
  assert.ok((one!.disk.freeBytes ?? 0) > 0);
  assert.equal(three!.gpus.length, 7);
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
  const builtJson = ucxBuildJsonSchema.parse(built.json);
  const facts = ucxBuildFacts(builtJson);
  assert.equal(builtJson.status, 'built');
  assert.equal(facts.version, '1.20.0');
  assert.ok(builtJson.flags.includes('--with-efa'));
  assert.equal(facts.configuredWithEfa, true);
  assert.equal(facts.srdDevices, 32);
  assert.deepEqual(facts.transports['rdmap79s0'], ['srd', 'ud_verbs']);
  for (const phase of ['fetch', 'configure', 'make', 'install']) assert.match(built.stdout, new RegExp(`^::phase ${phase}$`, 'm'));
  assert.match(built.stdout, /checking for efadv_query_device in -lefa\.\.\. yes/);
  assert.match(built.stdout, / {2}CC {7}libuct_ib_efa_la-srd_ep\.lo/);

  ok(noEfa);
  const noEfaFacts = ucxBuildFacts(ucxBuildJsonSchema.parse(noEfa.json));
  assert.ok(noEfa.json.flags.includes('--without-efa'));
  assert.equal(noEfaFacts.srdDevices, 0);
  assert.deepEqual(noEfaFacts.transports['rdmap79s0'], ['ud_verbs']);

  const again = await script('worker-1', 'build-ucx.sh', ucxArgs('worker-1'));
  ok(again);
  assert.equal(again.json.status, 'unchanged');
  assert.equal(ucxBuildFacts(ucxBuildJsonSchema.parse(again.json)).srdDevices, 32);
  assert.equal(sim.countRuns('worker-1', 'configure'), 1, 'configure ran once');
  const ucxInfo = await ssh('worker-1', buildCommand([`${work('worker-1')}/opt/ucx/bin/ucx_info`, '-d'], { env: nodeEnv['worker-1'] ?? {} }));
  assert.equal(ucxInfo.stdout.match(/Transport: srd/g)?.length, 32);
});

const nixlArgs = (node: string, extra: string[] = []) => [
  '--src', 'https://github.com/ai-dynamo/nixl.git', '--ref', '0.6.1', '--ucx-prefix', `${work(node)}/opt/ucx`,
  '--prefix', `${work(node)}/opt/nixl`, '--venv', `${work(node)}/venv`, '--build-root', `${work(node)}/build`, ...extra,
];

void test('build-nixl builds NIXL with the real meson/pybind11 against that UCX: UCX and LIBFABRIC plugins, bindings in the venv', async () => {
  const built = await script('worker-1', 'build-nixl.sh', nixlArgs('worker-1'));
  ok(built);
  const json = nixlBuildJsonSchema.parse(built.json);
  assert.equal(json.status, 'built');
  assert.equal(json.version, '0.6.1');
  // The real meson, from the venv on PATH, found pybind11 and the venv's python3.
  assert.match(built.stdout, /^Run-time dependency pybind11 found: YES 3\.0\.1$/m);
  assert.match(built.stdout, new RegExp(`^Program python3 found: YES \\(${work('worker-1')}/venv/bin/python3\\)$`, 'm'));
  assert.ok(json.flags.includes(`-Ducx_path=${work('worker-1')}/opt/ucx`), json.flags.join(' '));
  // The worker has the EFA installer's libfabric: -Dlibfabric_path and a LIBFABRIC plugin.
  assert.match(json.libfabricPath ?? '', /\/opt\/amazon\/efa$/);
  assert.deepEqual(json.plugins, ['LIBFABRIC', 'POSIX', 'UCX', 'UCX_MO']);
  // The venv imports the wheel meson-python built from this source, whose UCX plugin loads our UCX.
  const verdict = judgeNixlInstall(json.python, json.ucxPrefix);
  assert.equal(verdict.source, 'this-build', verdict.problem);
  assert.equal(verdict.ucxLibrary, `${work('worker-1')}/opt/ucx/lib/libucp.so.0`);
  assert.equal(json.python.directUrl, `file://${work('worker-1')}/build/nixl`);
  assert.deepEqual(json.python.bundledLibs, []);

  const again = await script('worker-1', 'build-nixl.sh', nixlArgs('worker-1'));
  ok(again);
  assert.equal(again.json.status, 'unchanged');
});

void test('the NIXL tree holds a build to the venv: without it on PATH meson finds no pybind11', async () => {
  // What build-nixl.sh did before: meson by its full path, the venv not on PATH.
  const src = `${work('worker-1')}/build/nixl`;
  const r = await ssh('worker-1', buildCommand([`${work('worker-1')}/venv/bin/meson`, 'setup', '--wipe', `${work('worker-1')}/build/nixl-nopath`, src, `-Ducx_path=${work('worker-1')}/opt/ucx`], { env: nodeEnv['worker-1'] ?? {} }));
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stdout + r.stderr, /Dependency "pybind11" not found, tried pkgconfig, config-tool and cmake/);
});

void test('a head without libfabric gets no LIBFABRIC plugin; the PyPI nixl wheel (bundled UCX) installed over the build is replaced', async () => {
  const ucx = await script('head', 'build-ucx.sh', ucxArgs('head'));
  ok(ucx);
  const built = await script('head', 'build-nixl.sh', nixlArgs('head'));
  ok(built);
  assert.equal(built.json.libfabricPath, null);
  assert.deepEqual(built.json.plugins, ['POSIX', 'UCX', 'UCX_MO']);
  assert.match(built.stdout, /no libfabric at .*\/opt\/amazon\/efa\/lib: the LIBFABRIC plugin is not built/);

  // What pip does when ray[llm] comes after the build: PyPI's nixl (here the emulated one) wins.
  const venv = `${work('head')}/venv`;
  const pip = await ssh('head', buildCommand([`${venv}/bin/pip`, 'install', '--force-reinstall', '--no-deps', 'nixl==0.6.1'], { env: nodeEnv.head ?? {} }));
  assert.equal(pip.code, 0, pip.stdout + pip.stderr);
  const pypi = judgeNixlInstall({ ...(await probeNixl('head')), imported: true }, `${work('head')}/opt/ucx`);
  assert.equal(pypi.source, 'pypi-wheel');
  assert.match(pypi.problem ?? "", /PyPI nixl wheel .* with its own UCX in nixl\.libs\/ \(libucp-e470a167\.so\.0\.0\.0/);

  const repaired = await script('head', 'build-nixl.sh', nixlArgs('head'));
  ok(repaired);
  const json = nixlBuildJsonSchema.parse(repaired.json);
  assert.equal(json.status, 'built');
  assert.equal(json.repairedPypiWheel, true);
  assert.equal(judgeNixlInstall(json.python, json.ucxPrefix).source, 'this-build');
});

/** What the venv's nixl looks like on disk (as build-nixl.sh's probe sees it, without importing it). */
async function probeNixl(node: string): Promise<{ module: string; bundledLibs: string[]; pluginDir: string | null }> {
  const code = [
    'import importlib.util, json, os',
    'pkg = os.path.dirname(importlib.util.find_spec("nixl").origin); site = os.path.dirname(pkg)',
    'libs = os.path.join(site, "nixl.libs"); plugins = os.path.join(site, ".nixl.mesonpy.libs", "plugins")',
    'print(json.dumps({"module": pkg, "bundledLibs": sorted(os.listdir(libs)) if os.path.isdir(libs) else [], "pluginDir": plugins if os.path.isdir(plugins) else None}))',
  ].join('\n');
  const r = await ssh(node, buildCommand([`${work(node)}/venv/bin/python`, '-c', code], { env: nodeEnv[node] ?? {} }));
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { module: string; bundledLibs: string[]; pluginDir: string | null };
}
