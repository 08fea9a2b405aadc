// Real Ray 2.51 on a simulated cluster, installed by python-env.sh and started by ray.sh: the
// extras Serve needs, each node on its own 127.0.0.x, its own session, real placement groups,
// actors and tasks across the nodes, and a node reboot that takes that node's Ray with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCommand } from '../../src/activities/ssh/quote.js';
import { startSimCluster } from '../../src/sim/cluster.js';
import { prepareGpuEmulation } from '../../src/sim/gpu/index.js';
import type { SimCluster } from '../../src/sim/types.js';
import { simRayConfig } from '../../src/sim/ray-ports.js';
import type { RayConfig } from '../../src/config/cluster.js';
import { judgeRayNodes, parseRayStatusResult } from '../../src/parse/index.js';

const SCRIPTS = path.resolve('scripts/remote');
let dir: string;
let sim: SimCluster;
let nodeEnv: Record<string, Record<string, string>> = {};

function ssh(node: string, argv: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = buildCommand(argv, { env: nodeEnv[node] ?? {} });
  return new Promise((resolve) => {
    execFile('ssh', sim.sshArgs(node, [command]), { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
const work = (node: string) => sim.node(node).workdir;
const lastJson = (s: string) => JSON.parse(s.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as Record<string, any>;

let rayCfg: RayConfig;
const rayArgs = (n: string) => ['--venv', `${work(n)}/venv`, '--state-dir', `${work(n)}/ray`, '--node-name', n,
  '--port', String(rayCfg.port), '--dashboard-port', String(rayCfg.dashboardPort), '--dashboard-agent-port', String(rayCfg.dashboardAgentPort),
  '--client-server-port', String(rayCfg.clientServerPort), '--num-cpus', '16'];

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-e1ray-'));
  sim = await startSimCluster({ dir, name: 'e1ray', workers: 2, gpusPerNode: 8, firstHostOctet: 170, timeScale: 0.02 });
  const gpu = await prepareGpuEmulation({ simDir: dir, nodes: sim.nodes.map((n) => ({ name: n.name, role: n.role, host: n.host, stateDir: n.stateDir, gpus: n.gpus })) });
  const probe = await ssh('head', ['printenv', 'PIP_FIND_LINKS']);
  nodeEnv = probe.stdout.trim() === gpu.wheelhouse ? {} : gpu.env;
  rayCfg = await simRayConfig();
});

after(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

void test('plain ray (no serve/llm extras) cannot start: ray.sh says what to install; python-env then installs the extras, not "unchanged"', async () => {
  const plain = await ssh('head', ['bash', `${SCRIPTS}/python-env.sh`, '--venv', `${work('head')}/venv`, '--pin', 'ray==2.51.0'], 300_000);
  assert.equal(plain.code, 0, plain.stdout.slice(-2000) + plain.stderr);
  const start = await ssh('head', ['bash', `${SCRIPTS}/ray.sh`, 'start-head', ...rayArgs('head')]);
  assert.equal(start.code, 1, start.stdout.slice(-2000));
  assert.match(String(lastJson(start.stdout).error), /has ray without its serve\/llm extras \(ModuleNotFoundError: No module named '[a-z_]+'.*\); install ray\[serve,llm\]==2\.51\.0/);
  const names = sim.nodes.map((n) => n.name);
  const envs = await Promise.all(names.map((n) => ssh(n, ['bash', `${SCRIPTS}/python-env.sh`, '--venv', `${work(n)}/venv`, '--pin', 'ray[serve,llm]==2.51.0'], 300_000)));
  envs.forEach((r, i) => assert.equal(r.code, 0, `python-env on ${names[i]}: ${r.stdout.slice(-2000)}${r.stderr}`));
  assert.deepEqual(lastJson(envs[0]!.stdout).installed, ['ray[serve,llm]==2.51.0']);
  // Plain ray is there at the right version, but its extras' requirements are not: a change, named.
  assert.match(envs[0]!.stdout, /ray\[serve,llm\]==2\.51\.0: extras incomplete: [^\n]*\(for \[(serve|llm)\]\) is not installed/);
  const again = await ssh('head', ['bash', `${SCRIPTS}/python-env.sh`, '--venv', `${work('head')}/venv`, '--pin', 'ray[serve,llm]==2.51.0']);
  assert.deepEqual(lastJson(again.stdout).unchanged, ['ray[serve,llm]==2.51.0']);
});

void test('ray.sh: each node joins on its own address (from SSH_CONNECTION), labelled, with its GPUs; in its own session; a repeat is "unchanged"', async () => {
  const head = await ssh('head', ['bash', `${SCRIPTS}/ray.sh`, 'start-head', '--num-gpus', '0', ...rayArgs('head')], 300_000);
  assert.equal(head.code, 0, head.stdout + head.stderr);
  const h = lastJson(head.stdout);
  assert.equal(h.nodeIp, sim.node('head').host);
  assert.equal(h.address, `${sim.node('head').host}:${rayCfg.port}`);
  const workers = await Promise.all(['worker-1', 'worker-2'].map((n) =>
    ssh(n, ['bash', `${SCRIPTS}/ray.sh`, 'start-worker', '--address', h.address as string, '--num-gpus', '8', '--env', 'UCX_TLS=srd,cuda_copy', ...rayArgs(n)], 300_000)));
  for (const [i, w] of workers.entries()) {
    assert.equal(w.code, 0, w.stdout + w.stderr);
    assert.equal(lastJson(w.stdout).nodeIp, sim.node(`worker-${i + 1}`).host);
    assert.equal(lastJson(w.stdout).gpus, 8);
  }
  // The raylet runs in the session ray.sh recorded, not in the one of the command that started it.
  const session = JSON.parse(readFileSync(path.join(work('worker-1'), 'ray/session.json'), 'utf8')) as { sid: string };
  const raylets = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('raylet/raylet') && readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[3] === session.sid; } catch { return false; }
  });
  assert.equal(raylets.length, 1, `one raylet in session ${session.sid}`);
  const again = await ssh('worker-1', ['bash', `${SCRIPTS}/ray.sh`, 'start-worker', '--address', h.address as string, '--num-gpus', '8', '--env', 'UCX_TLS=srd,cuda_copy', ...rayArgs('worker-1')]);
  assert.equal(lastJson(again.stdout).status, 'unchanged', again.stdout.slice(-1500));
  const status = await ssh('head', ['bash', `${SCRIPTS}/ray.sh`, 'status', '--address', h.address as string, ...rayArgs('head')]);
  const parsed = parseRayStatusResult(status.stdout);
  const health = judgeRayNodes(sim.nodes.map((n) => ({ name: n.name, gpus: n.gpus })), parsed.probe);
  assert.equal(health.healthy, true, health.summary);
  assert.equal(health.summary, `3 nodes, 16 GPUs: head ${sim.node('head').host}, worker-1 ${sim.node('worker-1').host} (8 GPUs), worker-2 ${sim.node('worker-2').host} (8 GPUs)`);
});

const DRIVER = String.raw`
import json, os, subprocess, sys
import ray
from ray.util.placement_group import placement_group, remove_placement_group
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy, PlacementGroupSchedulingStrategy

RAY = os.path.join(os.path.dirname(sys.executable), "ray")
ray.init(address="auto", runtime_env={"env_vars": {"JOBVAR": "from-job"}})
nodes = [n for n in ray.nodes() if n["Alive"]]
assert len(nodes) == 3, nodes
assert ray.cluster_resources()["GPU"] == 16.0

@ray.remote(num_gpus=1)
class Engine:
    def __init__(self, role):
        self.role = role
    def where(self):
        return {"ip": ray.util.get_node_ip_address(), "gpus": ray.get_gpu_ids(), "node": os.environ["PDFLOW_SIM_NODE"],
                "cvd": os.environ["CUDA_VISIBLE_DEVICES"], "ucx": os.environ.get("UCX_TLS"), "job": os.environ.get("JOBVAR"),
                "nodeId": ray.get_runtime_context().get_node_id()}
    def fail(self):
        raise ValueError("bad block")

def actors(pg, n):
    return [Engine.options(scheduling_strategy=PlacementGroupSchedulingStrategy(pg, placement_group_bundle_index=i)).remote(i) for i in range(n)]

import time
spread = placement_group([{"GPU": 1, "CPU": 1}] * 2, strategy="STRICT_SPREAD")
ray.get(spread.ready(), timeout=60)
sa = actors(spread, 2)
s = ray.get([a.where.remote() for a in sa])
assert s[0]["node"] != s[1]["node"], s
assert all(w["ucx"] == "srd,cuda_copy" and w["job"] == "from-job" and w["cvd"] == str(w["gpus"][0]) for w in s), s

pack = placement_group([{"GPU": 1, "CPU": 1}] * 2, strategy="STRICT_PACK")
assert pack.wait(60)
pa = actors(pack, 2)
p = ray.get([a.where.remote() for a in pa])
assert p[0]["node"] == p[1]["node"] and p[0]["gpus"] != p[1]["gpus"], p

def status_shows(text, seconds=30):
    """ray status reads the autoscaler's report, which lags the cluster by a few seconds."""
    end = time.time() + seconds
    while True:
        out = subprocess.run([RAY, "status"], capture_output=True, text=True).stdout
        if text in out or time.time() > end:
            return out

status = status_shows(" 4.0/16.0 GPU (4.0 used of 4.0 reserved in placement groups)")
assert " 4.0/16.0 GPU (4.0 used of 4.0 reserved in placement groups)" in status, status

too_big = placement_group([{"GPU": 8}] * 3, strategy="STRICT_SPREAD")
try:
    ray.get(too_big.ready(), timeout=2)
    raise AssertionError("an infeasible placement group became ready")
except ray.exceptions.GetTimeoutError:
    pass
pending = status_shows("pending placement group")
assert "STRICT_SPREAD" in pending and "pending placement group" in pending, pending
remove_placement_group(too_big)

try:
    ray.get(Engine.remote(9).fail.remote())
    raise AssertionError("no error")
except ValueError as e:
    assert isinstance(e, ray.exceptions.RayTaskError) and "bad block" in str(e), e

@ray.remote
def pair(x):
    return x, x * 2
a, b = pair.options(num_returns=2).remote(21)
assert ray.get([a, b]) == [21, 42]
ready, rest = ray.wait([a, b], num_returns=2, timeout=1)
assert len(ready) == 2 and not rest

@ray.remote(num_gpus=2)
def gpus():
    return ray.get_gpu_ids(), os.environ["PDFLOW_SIM_NODE"]
target = [n for n in nodes if n["Labels"].get("pdflow-node") == "worker-2"][0]["NodeID"]
ids, where = ray.get(gpus.options(scheduling_strategy=NodeAffinitySchedulingStrategy(target, soft=False)).remote())
assert len(ids) == 2 and where == "worker-2", (ids, where)

named = Engine.options(name="keeper", num_gpus=0).remote("k")
assert ray.get(ray.get_actor("keeper").where.remote())["job"] == "from-job"
ray.kill(named)
# The kill goes through the GCS: a call made in the same instant may still be answered; within
# seconds every call must fail with RayActorError.
killed_by = time.time() + 30
while True:
    try:
        ray.get(named.where.remote(), timeout=10)
    except ray.exceptions.RayActorError:
        break
    if time.time() > killed_by:
        raise AssertionError("a killed actor still answers 30 s later")
    time.sleep(0.2)

# The node of an actor dies (what a reboot does): its calls fail with ActorDiedError.
doomed = [a for a, w in zip(sa, s) if w["node"] == "worker-2"][0]
print("READY", flush=True)
sys.stdin.readline()  # the test reboots worker-2 (the sim kills every process of that node)
deadline = time.time() + 60
while True:
    try:
        ray.get(doomed.where.remote(), timeout=10)
        if time.time() > deadline:
            raise AssertionError("actor on a rebooted node still answers")
        time.sleep(1)
    except (ray.exceptions.ActorDiedError, ray.exceptions.ActorUnavailableError, ray.exceptions.GetTimeoutError):
        break
while len([n for n in ray.nodes() if n["Alive"]]) != 2:
    assert time.time() < deadline + 60, "worker-2 still alive in Ray"
    time.sleep(1)
print("ALL OK")
`;

void test('real placement groups, actors and tasks across the simulated nodes; a rebooted node takes its Ray processes with it', async () => {
  const command = buildCommand([`${work('head')}/venv/bin/python`, '-c', DRIVER], { env: nodeEnv.head ?? {} });
  const child = spawn('ssh', sim.sshArgs('head', [command]), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  const t0 = Date.now();
  while (!stdout.includes('READY') && child.exitCode === null && Date.now() - t0 < 240_000) await new Promise((r) => setTimeout(r, 200));
  assert.match(stdout, /READY/, `${stdout}\n${stderr}`);
  const session = JSON.parse(readFileSync(path.join(work('worker-2'), 'ray/session.json'), 'utf8')) as { sid: string };
  // Live members of that session (a killed process may linger as a zombie until it is reaped).
  const inSession = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const [state, , , sid] = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return sid === session.sid && state !== 'Z' && state !== 'X';
    } catch { return false; }
  });
  assert.ok(inSession().length >= 3, 'worker-2 runs a raylet and its agents');
  await sim.fault('worker-2', { kind: 'reboot', seconds: 3 });
  assert.deepEqual(inSession(), [], 'every process of worker-2\'s Ray session died with the reboot');
  child.stdin.write('\n');
  const code = await exited;
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.match(stdout, /ALL OK/);
  // The driver is gone: its placement groups and actors freed the GPUs; the gate names the lost node.
  let status = await ssh('head', [`${work('head')}/venv/bin/ray`, 'status']);
  for (let i = 0; i < 30 && !/^ 0\.0\/8\.0 GPU$/m.test(status.stdout); i++) {
    await new Promise((r) => setTimeout(r, 1000)); // the autoscaler's report lags by seconds
    status = await ssh('head', [`${work('head')}/venv/bin/ray`, 'status']);
  }
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^ 0\.0\/8\.0 GPU$/m);
  const gate = judgeRayNodes(sim.nodes.map((n) => ({ name: n.name, gpus: n.gpus })),
    parseRayStatusResult((await ssh('head', ['bash', `${SCRIPTS}/ray.sh`, 'status', ...rayArgs('head')])).stdout).probe);
  assert.equal(gate.healthy, false);
  assert.match(gate.summary, /missing node\(s\) worker-2: 2 of 3 nodes alive in Ray, 8 of 16 GPUs/);

  // Once the node is back, a rerun of start-worker repairs the cluster.
  let repaired: { code: number; stdout: string; stderr: string } | undefined;
  for (let i = 0; i < 40 && !(repaired && repaired.code === 0); i++) {
    if (i) await new Promise((r) => setTimeout(r, 500));
    repaired = await ssh('worker-2', ['bash', `${SCRIPTS}/ray.sh`, 'start-worker', '--address', `${sim.node('head').host}:${rayCfg.port}`, '--num-gpus', '8', ...rayArgs('worker-2')], 300_000);
  }
  assert.equal(repaired!.code, 0, repaired!.stdout.slice(-2000));
  assert.equal(lastJson(repaired!.stdout).status, 'started');
  const healed = judgeRayNodes(sim.nodes.map((n) => ({ name: n.name, gpus: n.gpus })),
    parseRayStatusResult((await ssh('head', ['bash', `${SCRIPTS}/ray.sh`, 'status', ...rayArgs('head')])).stdout).probe);
  assert.equal(healed.healthy, true, healed.summary);
});
