// Provision's node scripts on a simulated cluster, over plain ssh: python-env.sh with the real pip
// and the real huggingface_hub client against the sim's emulated hub (issue 9 items 1 and 5).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCommand } from '../../src/activities/ssh/quote.js';
import { missingPrerequisites, parsePythonEnvJson, prerequisitesMessage, readInventory } from '../../src/parse/index.js';
import { startSimCluster } from '../../src/sim/cluster.js';
import { hubRequestLogOf } from '../../src/sim/hub/index.js';
import type { SimCluster } from '../../src/sim/types.js';

const SCRIPTS = path.resolve('scripts/remote');
const CONSTRAINTS = path.join(SCRIPTS, 'constraints/node-stack.txt');
const MODEL = 'openai/gpt-oss-120b';

let dir: string;
let sim: SimCluster;

interface Ran { code: number; stdout: string; stderr: string; json: Record<string, any> }

function script(node: string, name: string, args: string[]): Promise<Ran> {
  const command = buildCommand(['bash', path.join(SCRIPTS, name), ...args]);
  return new Promise((resolve) => {
    execFile('ssh', sim.sshArgs(node, [command]), { timeout: 300_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      const last = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}';
      resolve({ code, stdout, stderr, json: JSON.parse(last) as Record<string, any> });
    });
  });
}

const ok = (r: Ran) => assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
const work = (node: string) => sim.node(node).workdir;

/** Every file of the model's snapshot in a node's HF cache, relative to the snapshot. */
function cachedFiles(node: string): string[] {
  const snaps = path.join(work(node), 'hf/hub/models--openai--gpt-oss-120b/snapshots');
  if (!existsSync(snaps)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), rel ? `${rel}/${e.name}` : e.name);
      else out.push(rel ? `${rel}/${e.name}` : e.name);
    }
  };
  for (const s of readdirSync(snaps)) walk(path.join(snaps, s), '');
  return out.sort();
}

const hubRequests = () => (existsSync(hubRequestLogOf(dir)) ? readFileSync(hubRequestLogOf(dir), 'utf8').split('\n').filter(Boolean) : []);

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-prov-'));
  sim = await startSimCluster({
    dir, name: 'prov', workers: 2, gpusPerNode: 8, firstHostOctet: 190, timeScale: 0.02,
    // worker-2's disk cannot hold the 65 GB of root safetensors.
    // worker-2 also lacks the EFA software's headers (rdma-core).
    hardware: { 'worker-2': { diskTotalBytes: 100_000_000_000, diskFreeBytes: 20_000_000_000, libefa: false } },
  });
});

after(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const envArgs = (node: string, weights: 'full' | 'tokenizer', pins: string[] = []) => [
  '--venv', `${work(node)}/venv`, '--python', '3.11', ...pins.flatMap((p) => ['--pin', p]),
  '--constraints', CONSTRAINTS, '--model', MODEL, '--weights', weights, '--hf-home', `${work(node)}/hf`,
];

void test('weights: the CPU head gets the tokenizer and config only, a GPU node the root safetensors and json; nobody fetches original/ or metal/', async () => {
  const [head, gpu] = await Promise.all([script('head', 'python-env.sh', envArgs('head', 'tokenizer')), script('worker-1', 'python-env.sh', envArgs('worker-1', 'full'))]);
  ok(head);
  ok(gpu);
  const headJson = parsePythonEnvJson(head.json);
  const gpuJson = parsePythonEnvJson(gpu.json);
  assert.equal(headJson.model?.kind, 'tokenizer');
  assert.equal(gpuJson.model?.kind, 'full');

  const headFiles = cachedFiles('head');
  assert.ok(headFiles.includes('tokenizer.json') && headFiles.includes('tokenizer_config.json') && headFiles.includes('config.json'), headFiles.join(' '));
  assert.deepEqual(headFiles.filter((f) => f.endsWith('.safetensors') || f.includes('/')), [], 'the head holds no weights');

  const gpuFiles = cachedFiles('worker-1');
  assert.equal(gpuFiles.filter((f) => /^model-\d{5}-of-00014\.safetensors$/.test(f)).length, 15, gpuFiles.join(' '));
  for (const f of ['config.json', 'model.safetensors.index.json', 'tokenizer.json', 'chat_template.jinja']) assert.ok(gpuFiles.includes(f), `${f} missing: ${gpuFiles.join(' ')}`);
  assert.deepEqual(gpuFiles.filter((f) => f.startsWith('original/') || f.startsWith('metal/')), []);

  // The declared sizes (the real model's), not the emulated files', are what the disk check saw.
  assert.ok(gpuJson.model!.bytes! > 65e9 && gpuJson.model!.bytes! < 66e9, `${gpuJson.model!.bytes}`);
  assert.ok(headJson.model!.bytes! < 100e6, `${headJson.model!.bytes}`);
  assert.match(gpu.stdout, /22 files .* for a GPU node, 65\.3 GB/);

  const fetched = hubRequests().filter((l) => /\/resolve\//.test(l));
  assert.ok(fetched.length > 0);
  assert.deepEqual(fetched.filter((l) => /\/resolve\/[^/]+\/(original|metal)\//.test(l)), [], 'a request for original/ or metal/');

  // Again: everything in the cache, nothing downloaded.
  const again = await script('worker-1', 'python-env.sh', envArgs('worker-1', 'full'));
  ok(again);
  assert.equal(parsePythonEnvJson(again.json).model?.downloaded, false);
});

void test('too little disk fails before any download, naming what is needed and what is free', async () => {
  const before = hubRequests().length;
  const r = await script('worker-2', 'python-env.sh', envArgs('worker-2', 'full'));
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.json.error as string, /not enough disk for openai\/gpt-oss-120b: 22 files to download, 65\.3 GB .* has 20\.0 GB free/);
  assert.deepEqual(hubRequests().slice(before).filter((l) => /\/resolve\//.test(l)), [], 'files were requested despite the disk check');
  assert.deepEqual(cachedFiles('worker-2'), []);
});

void test('a pin with extras is not "unchanged" while a requirement of its extras is missing; the constraints file is used and shown', async () => {
  // uvicorn[standard] (as ray[serve] asks for it): httptools, uvloop, watchfiles, websockets ...
  const plain = await script('head', 'python-env.sh', ['--venv', `${work('head')}/venv-x`, '--python', '3.11', '--pin', 'uvicorn==0.38.0', '--constraints', CONSTRAINTS]);
  ok(plain);
  assert.deepEqual(plain.json.installed, ['uvicorn==0.38.0']);
  assert.equal(parsePythonEnvJson(plain.json).constraints?.pins, 182);

  const extras = await script('head', 'python-env.sh', ['--venv', `${work('head')}/venv-x`, '--python', '3.11', '--pin', 'uvicorn[standard]==0.38.0', '--constraints', CONSTRAINTS]);
  ok(extras);
  assert.deepEqual(extras.json.unchanged, []);
  assert.deepEqual(extras.json.installed, ['uvicorn[standard]==0.38.0']);
  assert.match(extras.stdout, /uvicorn\[standard\]==0\.38\.0: extras incomplete: .*httptools \(for \[standard\]\) is not installed/);

  const again = await script('head', 'python-env.sh', ['--venv', `${work('head')}/venv-x`, '--python', '3.11', '--pin', 'uvicorn[standard]==0.38.0', '--constraints', CONSTRAINTS]);
  ok(again);
  assert.deepEqual(again.json.unchanged, ['uvicorn[standard]==0.38.0']);
  assert.deepEqual(again.json.installed, []);
});

void test('inventory reports the build prerequisites as facts; the judge names what is missing and the one command', async () => {
  const [w1, w2] = await Promise.all(['worker-1', 'worker-2'].map((n) => script(n, 'inventory.sh', ['--workdir', work(n), '--python', '3.11'])));
  ok(w1!);
  ok(w2!);
  const [one, two] = [readInventory(w1!.json), readInventory(w2!.json)];
  assert.deepEqual(missingPrerequisites(one.prerequisites, '3.11'), [], `this machine (the sim's nodes) lacks build tools: ${prerequisitesMessage('worker-1', one.prerequisites, '3.11')}`);
  assert.match(one.prerequisites.headers['infiniband/efadv.h'] ?? '', /include\/infiniband\/efadv\.h$/);
  assert.deepEqual(missingPrerequisites(two.prerequisites, '3.11').map((m) => m.what), ['infiniband/verbs.h (rdma-core headers)', 'infiniband/efadv.h (rdma-core headers for EFA)']);
  assert.match(prerequisitesMessage('worker-2', two.prerequisites, '3.11') ?? '', /install them with: sudo (apt-get update && sudo apt-get install -y libibverbs-dev|dnf install -y rdma-core-devel)/);
});
