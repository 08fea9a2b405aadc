// The emulated Ray's Python API on a simulated cluster started by scripts/remote/ray.sh: what the
// transfer test and the Serve emulation rely on (placement groups, actors, tasks, node death).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCommand } from '../../src/activities/ssh/quote.js';
import { startSimCluster } from '../../src/sim/cluster.js';
import { prepareGpuEmulation } from '../../src/sim/gpu/index.js';
import type { SimCluster } from '../../src/sim/types.js';

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

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-e1ray-'));
  sim = await startSimCluster({ dir, name: 'e1ray', workers: 2, gpusPerNode: 8, firstHostOctet: 170, timeScale: 0.02 });
  const gpu = await prepareGpuEmulation({ simDir: dir, nodes: sim.nodes.map((n) => ({ name: n.name, role: n.role, host: n.host, stateDir: n.stateDir, gpus: n.gpus })) });
  const probe = await ssh('head', ['printenv', 'PIP_FIND_LINKS']);
  nodeEnv = probe.stdout.trim() === gpu.wheelhouse ? {} : gpu.env;
  const names = sim.nodes.map((n) => n.name);
  const envs = await Promise.all(names.map((n) => ssh(n, ['bash', `${SCRIPTS}/python-env.sh`, '--venv', `${work(n)}/venv`, '--pin', 'ray==2.51.0'])));
  envs.forEach((r, i) => assert.equal(r.code, 0, `python-env on ${names[i]}: ${r.stdout.slice(-2000)}${r.stderr}`));
  const common = (n: string) => ['--venv', `${work(n)}/venv`, '--state-dir', `${work(n)}/ray`];
  const head = await ssh('head', ['bash', `${SCRIPTS}/ray.sh`, 'start-head', ...common('head')]);
  assert.equal(head.code, 0, head.stdout + head.stderr);
  const address = lastJson(head.stdout).address as string;
  const workers = await Promise.all(['worker-1', 'worker-2'].map((n) =>
    ssh(n, ['bash', `${SCRIPTS}/ray.sh`, 'start-worker', '--address', address, '--env', `UCX_TLS=srd,cuda_copy`, ...common(n)])));
  for (const w of workers) assert.equal(w.code, 0, w.stdout + w.stderr);
});

after(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
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

spread = placement_group([{"GPU": 1, "CPU": 1}] * 2, strategy="SPREAD")
ray.get(spread.ready(), timeout=10)
sa = actors(spread, 2)
s = ray.get([a.where.remote() for a in sa])
assert s[0]["node"] != s[1]["node"], s
assert all(w["ucx"] == "srd,cuda_copy" and w["job"] == "from-job" and w["cvd"] == str(w["gpus"][0]) for w in s), s

pack = placement_group([{"GPU": 1, "CPU": 1}] * 2, strategy="STRICT_PACK")
assert pack.wait(10)
pa = actors(pack, 2)
p = ray.get([a.where.remote() for a in pa])
assert p[0]["node"] == p[1]["node"] and p[0]["gpus"] != p[1]["gpus"], p

status = subprocess.run([RAY, "status"], capture_output=True, text=True).stdout
assert " 4.0/16.0 GPU (4.0 used of 4.0 reserved in placement groups)" in status, status

too_big = placement_group([{"GPU": 8}] * 3, strategy="STRICT_SPREAD")
try:
    ray.get(too_big.ready(), timeout=0.5)
    raise AssertionError("an infeasible placement group became ready")
except ray.exceptions.GetTimeoutError:
    pass
assert "(STRICT_SPREAD): 1+ pending placement groups" in subprocess.run([RAY, "status"], capture_output=True, text=True).stdout
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
target = [n for n in nodes if n["NodeManagerHostname"] == "worker-2"][0]["NodeID"]
ids, where = ray.get(gpus.options(scheduling_strategy=NodeAffinitySchedulingStrategy(target, soft=False)).remote())
assert len(ids) == 2 and where == "worker-2", (ids, where)

named = Engine.options(name="keeper", num_gpus=0).remote("k")
assert ray.get(ray.get_actor("keeper").where.remote())["job"] == "from-job"
ray.kill(named)
try:
    ray.get(named.where.remote())
    raise AssertionError("killed actor answered")
except ray.exceptions.RayActorError:
    pass

# The node of an actor dies (what a reboot does): its calls fail with ActorDiedError.
doomed = [a for a, w in zip(sa, s) if w["node"] == "worker-2"][0]
state = json.load(open(os.path.join(os.environ["PDFLOW_SIM_CLUSTER"], "shared", "ray.json")))
pid = [n["pid"] for n in state["nodes"].values() if n["simNode"] == "worker-2" and n["state"] == "ALIVE"][0]
os.kill(pid, 9)
import time; time.sleep(0.2)
try:
    ray.get(doomed.where.remote())
    raise AssertionError("actor on a dead node answered")
except ray.exceptions.ActorDiedError as e:
    assert "node has died" in str(e), e
assert len([n for n in ray.nodes() if n["Alive"]]) == 2
print("ALL OK")
`;

void test('placement groups, actors and tasks follow the registered nodes; node death fails the actor', async () => {
  const r = await ssh('head', [`${work('head')}/venv/bin/python`, '-c', DRIVER]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /ALL OK/);
  // The driver is gone: its placement groups and actors freed the GPUs.
  const status = await ssh('head', [`${work('head')}/venv/bin/ray`, 'status']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^ 0\.0\/8\.0 GPU$/m);
  assert.match(status.stdout, /NodeTerminated \(ip: 127\.0\.0\.172\)/);
});
