// The real remote scripts (scripts/remote: ray.sh, transfer_test.py, serve_app.py, smoke_query.py,
// bench.sh) on a simulated cluster: real sshd per node, real pip installing real Ray 2.51 with its
// serve/llm extras next to the emulated NIXL/torch/vLLM engine into a real venv, a real Ray
// cluster (one node per sshd, each on its own 127.0.0.x), real Serve and Serve LLM.
// Time runs 100x faster (PDFLOW_SIM_TIME_SCALE=0.01); figures in the JSON are the modelled ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimCluster } from '../../src/sim/cluster.js';
import { simRayConfig } from '../../src/sim/ray-ports.js';
import type { RayConfig } from '../../src/config/cluster.js';
import { gpuNodeEnv, prepareGpuEmulation, wheelhouseDirOf } from '../../src/sim/gpu/index.js';
import { realWheelsDir } from '../../src/sim/gpu/paths.js';
import { realWheelFiles, wheelDistName } from '../../src/sim/gpu/wheelhouse.js';
import type { SimCluster } from '../../src/sim/types.js';
import { buildCommand } from '../../src/activities/ssh/quote.js';
import { parseTransferTestResult } from '../../src/parse/transfer-test.js';
import { parseVllmBenchResult } from '../../src/parse/vllm-bench.js';

const REPO = process.cwd();
const SCRIPTS = path.join(REPO, 'scripts/remote');
const PYPKGS = path.join(REPO, 'src/sim/pypkgs');
const GPU_PY = path.join(REPO, 'src/sim/gpu/py');

interface Run { code: number; stdout: string; stderr: string }

let dir: string;
let sim: SimCluster;
let venv: string;
let port: number;
let ray: RayConfig;
const extraEnv: Record<string, Record<string, string>> = {};

function ssh(node: string, argv: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Run> {
  const cmd = buildCommand(argv, { env: { ...extraEnv[node], ...env } });
  return new Promise((resolve) => {
    execFile('ssh', sim.sshArgs(node, [cmd]), { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function lastJson(r: Run): Record<string, unknown> {
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  assert.ok(line, `no JSON line (exit ${r.code})\nstdout:\n${r.stdout.slice(-3000)}\nstderr:\n${r.stderr.slice(-3000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

const py = () => path.join(venv, 'bin/python');
const headHost = () => sim.node('head').host;

/** GPU memory used (MiB per GPU) that the emulated nvidia-smi reports on a node. */
async function gpuMemory(node: string): Promise<number[]> {
  const r = await ssh(node, ['nvidia-smi', '--query-gpu=memory.used', '--format=csv,noheader,nounits']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map(Number);
}

/**
 * `serve_app.py status` both ways against the same real Serve: through a Ray driver, and through
 * the head dashboard's Serve REST API (what pdflow's checks use: no driver per check). They must agree.
 */
async function serveStatusBothWays(): Promise<{ driver: Record<string, unknown>; dashboard: Record<string, unknown> }> {
  const common = [py(), path.join(SCRIPTS, 'serve_app.py'), 'status', '--port', String(port), '--host', headHost(), '--model-id', 'gptoss', '--address', `${headHost()}:${ray.port}`];
  const driver = lastJson(await ssh('head', common));
  const dashboard = lastJson(await ssh('head', [...common, '--dashboard', `${headHost()}:${ray.dashboardPort}`]));
  for (const k of ['status', 'serveStatus', 'ray', 'url', 'deployment']) {
    assert.deepEqual(dashboard[k], driver[k], `${k}: the dashboard says ${JSON.stringify(dashboard)}, the driver ${JSON.stringify(driver)}`);
  }
  console.log(`serve_app.py status (${String(driver.status)}): ${String(driver.seconds)} s through a Ray driver, ${String(dashboard.seconds)} s through the dashboard`);
  return { driver, dashboard };
}

async function transfer(strategy: 'spread' | 'pack', env: Record<string, string> = {}) {
  const r = await ssh('head', [py(), path.join(SCRIPTS, 'transfer_test.py'), '--strategy', strategy, '--backends', 'UCX',
    '--num-blocks', '3750', '--num-layers', '50', '--blocks', '512'], env);
  const json = lastJson(r);
  return { r, json, parsed: parseTransferTestResult(r.stdout) };
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-serve-'));
  sim = await startSimCluster({ dir, name: 'servetest', workers: 2, gpusPerNode: 8, firstHostOctet: 203, timeScale: 0.01 });
  // The GPU side (hardware.json, fake sysfs, wheelhouse): prepared by the sim when it wires it in,
  // else here; its per-node env is passed on each command (the same values the sim's SetEnv has).
  const wired = existsSync(path.join(sim.node('worker-1').stateDir, 'hardware.json')) && existsSync(wheelhouseDirOf(dir));
  if (!wired) {
    await prepareGpuEmulation({ simDir: dir, nodes: sim.nodes.map((n) => ({ name: n.name, role: n.role, host: n.host, stateDir: n.stateDir, gpus: n.gpus })) });
  }
  for (const n of sim.nodes) extraEnv[n.name] = gpuNodeEnv(dir, n);
  // One venv on the shared disk serves every node (as a shared home would): the real Ray with
  // the extras real nodes get, the emulated vLLM engine and NIXL.
  venv = path.join(dir, 'venv');
  const mk = await ssh('head', ['python3', '-m', 'venv', venv], {}, 120_000);
  assert.equal(mk.code, 0, mk.stderr);
  const pip = await ssh('head', [path.join(venv, 'bin/pip'), 'install', 'vllm==0.11.0', 'ray[serve,llm]==2.51.0', 'nixl==0.6.1'], {}, 300_000);
  assert.equal(pip.code, 0, `${pip.stdout}\n${pip.stderr}`);
  // The weights the replicas load (vLLM reads the model's config.json from the HF cache).
  for (const n of sim.nodes) extraEnv[n.name]!.HF_HOME = path.join(dir, 'hf');
  const dl = await ssh('head', [py(), '-c', 'from huggingface_hub import snapshot_download; snapshot_download("openai/gpt-oss-120b")'], {}, 300_000);
  assert.equal(dl.code, 0, dl.stderr);
  ray = await simRayConfig();
  const ports = ['--port', String(ray.port), '--dashboard-port', String(ray.dashboardPort), '--dashboard-agent-port', String(ray.dashboardAgentPort),
    '--client-server-port', String(ray.clientServerPort), '--num-cpus', '16'];
  const rayArgs = (n: string) => ['--venv', venv, '--state-dir', path.join(dir, n, 'ray'), '--node-name', n, '--env', `HF_HOME=${path.join(dir, 'hf')}`, ...ports];
  const head = await ssh('head', ['bash', path.join(SCRIPTS, 'ray.sh'), 'start-head', '--num-gpus', '0', ...rayArgs('head')], {}, 300_000);
  assert.equal(head.code, 0, `${head.stdout}\n${head.stderr}`);
  for (const w of ['worker-1', 'worker-2']) {
    const r = await ssh(w, ['bash', path.join(SCRIPTS, 'ray.sh'), 'start-worker', '--address', `${headHost()}:${ray.port}`, '--num-gpus', '8', ...rayArgs(w)], {}, 600_000);
    assert.equal(r.code, 0, `${w}: ${r.stdout}\n${r.stderr}`);
  }
  port = ray.serveHttpPort;
});

after(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

void test('transfer test, spread, with the nixl wheel (bundled UCX, no srd): ud_verbs at ~0.18 GB/s, data validated', async () => {
  const { r, json, parsed } = await transfer('spread');
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  // The script sends UCX's log; the transport is read from its READ table (src/parse).
  assert.equal(json.transport, null);
  assert.equal(parsed.transport, 'ud_verbs', parsed.transportEvidence);
  assert.equal(json.warmup, 1);
  assert.equal(parsed.placement, 'STRICT_SPREAD');
  assert.equal((parsed.ranks[0]!.samples ?? []).length, 3);
  assert.equal(json.validated, true);
  assert.equal(json.crossNode, true);
  // STRICT_SPREAD: one actor on each worker; which rank lands where is Ray's choice.
  assert.deepEqual([...(json.nodes as string[])].sort(), [sim.node('worker-1').host, sim.node('worker-2').host].sort());
  assert.equal(json.bytes, 1_677_721_600);
  assert.ok((json.gbps as number) > 0.1 && (json.gbps as number) < 0.2, `gbps ${json.gbps}`);
  assert.equal(parsed.ok, true);
  assert.ok(parsed.ranks[0]!.mbps > 100 && parsed.ranks[0]!.mbps < 200);
  assert.match(r.stdout, /::phase transfer/);
  assert.match(r.stdout, /✓ Actors distributed across 2 NODES/);
});

void test('transfer test, spread, UCX_TLS=tcp: tcp at 0.1-0.2 GB/s', async () => {
  const { json, parsed } = await transfer('spread', { UCX_TLS: 'tcp' });
  assert.equal(parsed.transport, 'tcp');
  assert.ok((json.gbps as number) >= 0.1 && (json.gbps as number) <= 0.2, `gbps ${json.gbps}`);
});

void test('transfer test against NIXL built on a UCX with EFA: spread over srd at 10-12 GB/s, pack over cuda_ipc', async () => {
  // A UCX install like build-ucx.sh leaves (emulated ucx_info reading its build record), and the
  // NIXL bindings recording it as their ucx_path (what build-nixl.sh's meson step records).
  const ucx = path.join(dir, 'ucx-efa');
  mkdirSync(path.join(ucx, 'bin'), { recursive: true });
  mkdirSync(path.join(ucx, 'share/ucx'), { recursive: true });
  writeFileSync(path.join(ucx, 'share/ucx/sim-build.json'), JSON.stringify({ version: '1.20.0', revision: '7e03b78', branch: 'master', prefix: ucx, withEfa: true, withCuda: true, withVerbs: true, configureArgs: ['--with-efa', '--with-cuda=/usr/local/cuda', '--with-verbs'] }));
  writeFileSync(path.join(ucx, 'bin/ucx_info'), `#!/bin/sh\nexec python3 ${path.join(GPU_PY, 'ucx_info.py')} --build ${path.join(ucx, 'share/ucx/sim-build.json')} "$@"\n`);
  chmodSync(path.join(ucx, 'bin/ucx_info'), 0o755);
  const info = path.join(dir, 'nixl-build.json');
  writeFileSync(info, JSON.stringify({ ucxPath: ucx, ucxVersion: '1.20.0', plugins: ['UCX', 'UCX_MO', 'LIBFABRIC', 'POSIX'] }));
  const wheels = path.join(dir, 'nixl-efa-wheel');
  const mk = await ssh('head', ['python3', path.join(GPU_PY, 'mkwheel.py'), 'one', path.join(PYPKGS, 'nixl'), wheels, '--extra', `nixl/_sim_build.json=${info}`]);
  assert.equal(mk.code, 0, mk.stderr);
  const inst = await ssh('head', [path.join(venv, 'bin/pip'), 'install', '--force-reinstall', '--no-deps', path.join(wheels, 'nixl-0.6.1-py3-none-any.whl')]);
  assert.equal(inst.code, 0, inst.stderr);

  const spread = await transfer('spread');
  assert.equal(spread.parsed.transport, 'srd', spread.r.stdout.slice(-1500));
  assert.ok((spread.json.gbps as number) >= 10 && (spread.json.gbps as number) <= 12, `gbps ${spread.json.gbps}`);
  assert.equal(spread.json.validated, true);
  const pack = await transfer('pack');
  assert.equal(pack.parsed.transport, 'cuda_ipc');
  assert.equal(pack.json.crossNode, false);
  assert.equal(pack.parsed.placement, 'STRICT_PACK');
  assert.equal(pack.json.validated, true);
  assert.match(pack.r.stdout, /All actors on SAME NODE/);
});

void test('deploy pd-pack: healthy, the GPUs show as used, Ray accounts for them', async () => {
  const r = await ssh('head', [py(), path.join(SCRIPTS, 'serve_app.py'), 'deploy', '--mode', 'pd-pack', '--p-num', '1', '--p-tp', '4',
    '--d-num', '1', '--d-tp', '4', '--port', String(port), '--host', headHost(), '--timeout', '300', '--poll-seconds', '0.5', '--ingress-replicas', '1', '--proxy-replicas', '1']);
  const json = lastJson(r);
  assert.equal(json.status, 'healthy', JSON.stringify(json));
  assert.equal(json.url, `http://${headHost()}:${port}`);
  const dep = json.deployment as Record<string, unknown>;
  assert.equal(dep.mode, 'pd-pack');
  assert.deepEqual(dep.prefill, { num: 1, tp: 4, node: sim.node('worker-1').host });
  assert.deepEqual(dep.decode, { num: 1, tp: 4, node: sim.node('worker-1').host });
  assert.deepEqual(await gpuMemory('worker-1'), Array(8).fill(73902));
  assert.deepEqual(await gpuMemory('worker-2'), Array(8).fill(0));
  // Ray started with the node env: every replica's engine sees the HF_HOME provision filled.
  const engines = readdirSync(path.join(sim.dir, 'vllm-engines')).map((f) => JSON.parse(readFileSync(path.join(sim.dir, 'vllm-engines', f), 'utf8')) as { hfHome?: string });
  assert.ok(engines.length >= 2, `engines registered: ${engines.length}`);
  for (const e of engines) assert.equal(e.hfHome, path.join(dir, 'hf'));
  const st = await ssh('head', [path.join(venv, 'bin/ray'), 'status']);
  assert.match(st.stdout, /8\.0\/16\.0 GPU/);
  const { dashboard } = await serveStatusBothWays();
  assert.equal(dashboard.status, 'healthy', JSON.stringify(dashboard));
  assert.equal(dashboard.serveStatus, 'RUNNING');
});

void test('smoke query: a streaming completion with TTFT, TPOT and the text', async () => {
  const r = await ssh('head', [py(), path.join(SCRIPTS, 'smoke_query.py'), '--url', `http://${headHost()}:${port}`, '--model', 'gptoss',
    '--prompt', 'Explain prefill/decode disaggregation', '--max-tokens', '32']);
  const json = lastJson(r);
  assert.equal(r.code, 0, JSON.stringify(json));
  assert.equal(json.ok, true);
  assert.equal(json.tokens, 32);
  assert.ok((json.ttftMs as number) > 0);
  assert.ok((json.tpotMs as number) > 0);
  assert.ok(typeof json.text === 'string' && (json.text as string).split(' ').length > 10);
  const wrong = lastJson(await ssh('head', [py(), path.join(SCRIPTS, 'smoke_query.py'), '--url', `http://${headHost()}:${port}`, '--model', 'llama', '--max-tokens', '4']));
  assert.equal(wrong.ok, false);
  // Ray Serve LLM's ingress answers for an unknown model (the engine never sees the request).
  assert.match(String(wrong.error), /HTTP 404.*Could not find base model with ID \\"llama\\"/);
});

void test('the venv runs the real transformers and tokenizers wheels; the engines count prompt tokens with the model tokenizer', async () => {
  const wheel = (dist: string) => realWheelFiles().find((f) => wheelDistName(f) === dist);
  assert.ok(wheel('transformers') && wheel('tokenizers'), 'the real wheels of transformers and tokenizers are in the download');
  const r = await ssh('head', [py(), path.join(REPO, 'test/helpers/real_transformers_probe.py'), '--model', 'openai/gpt-oss-120b',
    '--url', `http://${headHost()}:${port}`, '--served', 'gptoss', '--wheel', path.join(realWheelsDir(), wheel('transformers')!),
    'the model streams tokens', 'tokenizer disaggregation', 'Explain prefill/decode disaggregation']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const j = lastJson(r) as { version: string; file: string; generator: string; recordMatchesWheel: boolean; tokenizers: string;
    configClass: string; tokenizerClass: string; prompts: { text: string; tokens: string[]; ids: number[]; engine: number }[] };
  // The installed transformers is the PyPI wheel (its RECORD), not a package built by the sim's mkwheel.
  assert.equal(j.version, '4.57.1');
  assert.ok(j.file.startsWith(path.join(venv, 'lib')), j.file);
  assert.equal(j.recordMatchesWheel, true);
  assert.doesNotMatch(j.generator, /pdflow/);
  assert.equal(j.tokenizers, '0.22.1');
  assert.equal(j.configClass, 'GptOssConfig');
  assert.equal(j.tokenizerClass, 'PreTrainedTokenizerFast');
  // The ids are the vocabulary's of the hub's tokenizer.json (a word of it is one token; another
  // word splits into pieces), and the engine's prompt_tokens is the tokenizer's count.
  const snaps = path.join(dir, 'hf/hub/models--openai--gpt-oss-120b/snapshots');
  const vocab = (JSON.parse(readFileSync(path.join(snaps, readdirSync(snaps)[0]!, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  const [known, unknown, mixed] = j.prompts;
  assert.deepEqual(known!.tokens, ['the', 'model', 'streams', 'tokens']);
  assert.deepEqual(known!.ids, known!.tokens.map((t) => vocab[t]));
  assert.deepEqual(unknown!.tokens, ['token', 'i', 'z', 'e', 'r', 'disaggregation']);
  assert.deepEqual(mixed!.tokens, ['Explain', 'prefill', '/', 'decode', 'disaggregation']);
  for (const p of j.prompts) assert.equal(p.engine, p.ids.length, `${p.text}: engine counted ${p.engine}, the tokenizer ${p.ids.length}`);
});

void test('bench one point: vllm bench serve writes the 0.11 result the parser reads', async () => {
  const results = path.join(dir, 'results');
  const r = await ssh('head', ['bash', path.join(SCRIPTS, 'bench.sh'), '--base-url', `http://${headHost()}:${port}`, '--model', 'openai/gpt-oss-120b',
    '--served-model-name', 'gptoss', '--isl', '5000', '--osl', '250', '--num-prompts', '40', '--concurrency', '8',
    '--result-dir', results, '--result-filename', 'conc8.json', '--seed', '7', '--venv', venv]);
  assert.equal(r.code, 0, `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  const summary = lastJson(r);
  assert.equal(summary.ok, true);
  assert.equal(summary.resultFile, path.join(results, 'conc8.json'));
  assert.match(r.stdout, /Namespace\(/);
  assert.match(r.stdout, /Initial test run completed\. Starting main benchmark run\.\.\./);
  assert.match(r.stdout, /=+ Serving Benchmark Result =+\nSuccessful requests: +40/);
  const text = readFileSync(path.join(results, 'conc8.json'), 'utf8');
  const res = parseVllmBenchResult(text, 'conc8.json');
  assert.equal(res.completed, 40);
  assert.equal(res.maxConcurrency, 8);
  assert.equal(res.totalInputTokens, 200_000);
  assert.equal(res.backend, 'vllm'); // the seed's --backend vllm
  assert.ok(res.outputThroughput > 700 && res.outputThroughput < 1400, `output ${res.outputThroughput}`);
  assert.ok(res.tpot.median > 5 && res.tpot.median < 9, `tpot ${res.tpot.median}`);
  assert.deepEqual(Object.keys(res.e2el?.percentiles ?? {}).sort(), ['50', '90', '99']);
  const raw = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(raw).slice(0, 12), ['date', 'endpoint_type', 'backend', 'label', 'model_id', 'tokenizer_id', 'num_prompts',
    'request_rate', 'burstiness', 'max_concurrency', 'duration', 'completed']);
  assert.equal('failed' in raw, false);
});

void test('a request-rate point without a cap runs as the seed runs it (--max-concurrency 1000000000), decode-only on a shared prefix', async () => {
  const results = path.join(dir, 'results');
  const r = await ssh('head', ['bash', path.join(SCRIPTS, 'bench.sh'), '--base-url', `http://${headHost()}:${port}`, '--model', 'openai/gpt-oss-120b',
    '--served-model-name', 'gptoss', '--isl', '2000', '--osl', '50', '--num-prompts', '20', '--request-rate', '8', '--burstiness', '0.5',
    '--mode', 'decode-only', '--result-dir', results, '--result-filename', 'rr8.json', '--venv', venv]);
  assert.equal(r.code, 0, `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /--max-concurrency 1000000000 --request-rate 8 --burstiness 0\.5 --dataset-name prefix_repetition --prefix-repetition-prefix-len 2000 --prefix-repetition-suffix-len 0/);
  const raw = JSON.parse(readFileSync(path.join(results, 'rr8.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual([raw.request_rate, raw.burstiness, raw.max_concurrency, raw.completed, raw.total_input_tokens, raw.total_output_tokens],
    [8, 0.5, 1_000_000_000, 20, 40_000, 1000]);
});

void test('a fault injected into vllm fails the point with its exit code (and counts the run)', async () => {
  const before = sim.countRuns('head', 'vllm');
  await sim.fault('head', { kind: 'fail', program: 'vllm', times: 1, exitCode: 3 });
  try {
    const r = await ssh('head', ['bash', path.join(SCRIPTS, 'bench.sh'), '--base-url', `http://${headHost()}:${port}`, '--model', 'openai/gpt-oss-120b',
      '--served-model-name', 'gptoss', '--isl', '100', '--osl', '10', '--num-prompts', '4', '--concurrency', '2',
      '--result-dir', path.join(dir, 'results'), '--result-filename', 'faulted.json', '--venv', venv]);
    assert.equal(r.code, 3, r.stdout.slice(-1000));
    assert.match(r.stderr, /vllm: injected failure/);
    assert.equal(lastJson(r).ok, false);
    assert.equal(sim.countRuns('head', 'vllm'), before + 1);
  } finally {
    await sim.clearFaults('head');
  }
});

void test('shutdown: the `serve` CLI without its dashboard exits 0 and stops nothing; serve_app.py shuts Serve down and the GPUs are free', async () => {
  // The CLI talks to the dashboard (default localhost:8265; this cluster's is elsewhere): it logs
  // an error and exits 0 while the replicas keep their GPUs. A teardown that trusted it would wait forever.
  const cli = await ssh('head', [path.join(venv, 'bin/serve'), 'shutdown', '-y']);
  assert.equal(cli.code, 0, cli.stderr.slice(-1000));
  assert.match(cli.stdout + cli.stderr, /8265|Failed to connect|Connection refused|ConnectionError/i);
  assert.deepEqual(await gpuMemory('worker-1'), Array(8).fill(73902));
  const r = await ssh('head', [py(), path.join(SCRIPTS, 'serve_app.py'), 'shutdown', '--timeout', '60']);
  const json = lastJson(r);
  assert.equal(json.status, 'stopped', JSON.stringify(json));
  assert.equal(json.gpusFree, true);
  assert.deepEqual(Object.keys(json.gpuMemoryUsedMiB as object).sort(), [sim.node('worker-1').host, sim.node('worker-2').host]);
  assert.deepEqual(await gpuMemory('worker-1'), Array(8).fill(0));
  // Serve is gone: both ways say so (the benchmark watch stops a benchmark on it), with Ray up.
  const { dashboard } = await serveStatusBothWays();
  assert.equal(dashboard.status, 'absent', JSON.stringify(dashboard));
  assert.equal(dashboard.ray, 'connected');
  // `ray status` reads the autoscaler's view, refreshed every few seconds: wait for it to catch up.
  let st = await ssh('head', [path.join(venv, 'bin/ray'), 'status']);
  for (let i = 0; i < 30 && !/ 0\.0\/16\.0 GPU/.test(st.stdout); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    st = await ssh('head', [path.join(venv, 'bin/ray'), 'status']);
  }
  assert.match(st.stdout, / 0\.0\/16\.0 GPU/);
});

void test('bench against a deployment that is gone fails like the real one (endpoint never ready)', async () => {
  const r = await ssh('head', ['bash', path.join(SCRIPTS, 'bench.sh'), '--base-url', `http://${headHost()}:${port}`, '--model', 'openai/gpt-oss-120b',
    '--served-model-name', 'gptoss', '--isl', '100', '--osl', '10', '--num-prompts', '4', '--concurrency', '2',
    '--result-dir', path.join(dir, 'results'), '--result-filename', 'down.json', '--venv', venv, '--', '--ready-check-timeout-sec', '60']);
  assert.equal(r.code, 1, r.stdout.slice(-1000));
  assert.match(r.stderr, /did not become ready within 60 seconds/);
  assert.equal(lastJson(r).ok, false);
});

void test('pd-spread with UCX_TLS=tcp for the replicas: KV over tcp, TTFT in tens of seconds', async () => {
  const r = await ssh('head', [py(), path.join(SCRIPTS, 'serve_app.py'), 'deploy', '--mode', 'pd-spread', '--p-tp', '4', '--d-tp', '4',
    '--env', 'UCX_TLS=tcp', '--port', String(port), '--host', headHost(), '--timeout', '300', '--poll-seconds', '0.5', '--ingress-replicas', '1', '--proxy-replicas', '1']);
  const json = lastJson(r);
  assert.equal(json.status, 'healthy', JSON.stringify(json));
  const dep = json.deployment as { prefill: { node: string }; decode: { node: string }; env: Record<string, string> };
  assert.notEqual(dep.prefill.node, dep.decode.node);
  assert.equal(dep.env.UCX_TLS, 'tcp');
  // What the emulated decode engine chose for the KV READs, from the engines' own registry.
  const described = await ssh('head', [py(), '-c', 'from vllm._sim import engines; print(engines.deployment("gptoss")["transport"])']);
  assert.equal(described.stdout.trim(), 'tcp', described.stderr);
  const results = path.join(dir, 'results');
  const b = await ssh('head', ['bash', path.join(SCRIPTS, 'bench.sh'), '--base-url', `http://${headHost()}:${port}`, '--model', 'openai/gpt-oss-120b',
    '--served-model-name', 'gptoss', '--isl', '5000', '--osl', '250', '--num-prompts', '20', '--concurrency', '4',
    '--result-dir', results, '--result-filename', 'spread-tcp.json', '--venv', venv]);
  assert.equal(b.code, 0, b.stderr.slice(-1500));
  const res = parseVllmBenchResult(readFileSync(path.join(results, 'spread-tcp.json'), 'utf8'));
  assert.ok(res.ttft.mean > 10_000, `TTFT ${res.ttft.mean}`);
  assert.ok(res.outputThroughput < 120, `output ${res.outputThroughput}`);
  assert.ok(res.tpot.median < 10, `TPOT ${res.tpot.median}`);
  const down = lastJson(await ssh('head', [py(), path.join(SCRIPTS, 'serve_app.py'), 'shutdown', '--timeout', '60']));
  assert.equal(down.gpusFree, true);
});
