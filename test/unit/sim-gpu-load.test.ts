// The load an emulated benchmark puts on the simulated GPUs and EFA devices (pdflow_sim.gpu_load,
// pdflow_sim.efa_counters, simhw.gpu_state): busy engines draw more power the harder they work,
// idle ones stay near 70 W, and a pd-spread run's KV bytes reach the EFA counters of both nodes,
// exactly, only over EFA transports.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pdflow-sim-gpu-load-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs python with a two-node simulated cluster under `dir`; prints what `code` prints. */
function py(dir: string, code: string): unknown {
  const setup = `
import json, os, sys, time
root = ${JSON.stringify(dir)}
cl = os.path.join(root, "cluster"); os.makedirs(cl, exist_ok=True)
nodes = []
for k, name in enumerate(("gpu-1", "gpu-2")):
    st = os.path.join(root, name)
    for dev in ("rdmap79s0", "rdmap80s0", "rdmap81s0"):
        d = os.path.join(st, "sysfs/sys/class/infiniband", dev, "ports/1/hw_counters"); os.makedirs(d, exist_ok=True)
        for c in ("rx_bytes", "tx_bytes"): open(os.path.join(d, c), "w").write("0\\n")
    json.dump({"gpus": 8, "efaDevices": 3}, open(os.path.join(st, "hardware.json"), "w"))
    nodes.append({"name": name, "role": "worker", "host": "127.0.0.%d" % (k + 2), "stateDir": st, "gpus": 8})
json.dump({"nodes": nodes}, open(os.path.join(cl, "state.json"), "w"))
os.environ["PDFLOW_SIM_CLUSTER"] = cl
from pdflow_sim import node as simnode, gpu_load, efa_counters
import simhw
def counters(node):
    base = os.path.join(root, node, "sysfs/sys/class/infiniband")
    return [sum(int(open(os.path.join(base, d, "ports/1/hw_counters", c)).read()) for d in sorted(os.listdir(base))) for c in ("rx_bytes", "tx_bytes")]
def smi(node):
    os.environ["PDFLOW_SIM_STATE"] = os.path.join(root, node)
    return simhw.gpu_state(simhw.load())
`;
  const out = execFileSync('python3', ['-B', '-c', `${setup}\n${code}`], {
    env: { ...process.env, PYTHONPATH: [path.join(root, 'src/sim/pypkgs/pdflow-sim'), path.join(root, 'src/sim/gpu/py')].join(':') },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const RES = '{"completed": 160, "duration": 60.0, "total_input_tokens": 800000, "total_output_tokens": 40000, "mean_tpot_ms": 20.0}';
const ENTRIES = '[{"engineId": "p0", "role": "prefill", "tp": 4, "node": "gpu-1"}, {"engineId": "d0", "role": "decode", "tp": 4, "node": "gpu-2"}]';

describe('engine_loads', () => {
  const loads = py(path.join(tmp, 'a'), `
res = json.loads('${RES}')
pd = gpu_load.engine_loads({"mode": "pd-spread"}, json.loads('${ENTRIES}'), res)
light = gpu_load.engine_loads({"mode": "pd-spread"}, json.loads('${ENTRIES}'), dict(res, completed=4, total_input_tokens=20000, total_output_tokens=1000))
col = gpu_load.engine_loads({"mode": "collocated", "tp": 4}, [{"engineId": "r0", "tp": 4, "node": "gpu-1"}, {"engineId": "r1", "tp": 4, "node": "gpu-2"}], res)
print(json.dumps({"pd": pd, "light": light, "col": col}))
`) as Record<string, Record<string, [string, number, number]>>;
  it('decode engines with many requests in flight compute all the time and hard', () => {
    assert.equal(loads.pd!.d0![0], 'decode');
    assert.equal(loads.pd!.d0![1], 100);
    assert.ok(loads.pd!.d0![2] > loads.light!.d0![2], 'a fuller batch draws more');
  });
  it('prefill engines are busy the share of the run their prompts take', () => {
    assert.ok(loads.pd!.p0![1] > 0 && loads.pd!.p0![1] < 100);
    assert.ok(loads.light!.p0![1] < loads.pd!.p0![1]);
  });
  it('collocated replicas do both', () => {
    assert.deepEqual(Object.keys(loads.col!).sort(), ['r0', 'r1']);
    assert.equal(loads.col!.r0![0], 'collocated');
  });
});

describe('gpu_load.start and finish', () => {
  const got = py(path.join(tmp, 'b'), `
me = os.getpid()
simnode.claim_gpus("gpu-1", [0, 1, 2, 3], me, 73902, "ray::RayWorkerWrapper", 0, "p0")
simnode.claim_gpus("gpu-2", [0, 1, 2, 3], me, 73902, "ray::RayWorkerWrapper", 0, "d0")
out = {"idle": [g["power"] for g in smi("gpu-2")]}
load = gpu_load.start(json.loads('${ENTRIES}'), {"mode": "pd-spread", "transport": "srd"}, json.loads('${RES}'), 1.2)
out["busy"] = [[g["util"], g["power"], g["smMHz"], g["reasons"]] for g in smi("gpu-2")]
time.sleep(0.8)
out["midway"] = counters("gpu-2")[0]
load.finish()
out["after"] = [g["util"] for g in smi("gpu-2")]
out["files"] = os.listdir(os.path.join(root, "cluster", "gpu-activity"))
out["c1"], out["c2"] = counters("gpu-1"), counters("gpu-2")
load2 = gpu_load.start(json.loads('${ENTRIES}'), {"mode": "pd-spread", "transport": "tcp"}, json.loads('${RES}'), 0)
load2.finish()
load3 = gpu_load.start(json.loads('${ENTRIES}'), {"mode": "pd-pack", "transport": "cuda_ipc"}, json.loads('${RES}'), 0)
load3.finish()
out["c2after"] = counters("gpu-2")
print(json.dumps(out))
`) as { idle: number[]; busy: Array<[number, number, number, number]>; midway: number; after: number[]; files: string[]; c1: number[]; c2: number[]; c2after: number[] };
  const kv = 800000 * 73728;
  it('the decode GPUs look busy while the run lasts, the others idle', () => {
    for (const [util, power, mhz, reasons] of got.busy.slice(0, 4)) {
      assert.ok(util >= 97, `util ${util}`);
      assert.ok(power > 400 && power <= 700, `power ${power}`);
      assert.equal(mhz, 1980);
      assert.equal(reasons, 0);
    }
    for (const [util, power, , reasons] of got.busy.slice(4)) {
      assert.equal(util, 0);
      assert.ok(power < 90);
      assert.equal(reasons, 1);
    }
    assert.ok(got.idle.slice(0, 4).every((w) => w > 110 && w < 140), 'weights loaded, nothing running');
  });
  it('the KV bytes grow during the run and add up exactly at its end', () => {
    assert.ok(got.midway > 0 && got.midway < kv, `midway ${got.midway}`);
    assert.deepEqual(got.c2, [kv, Math.floor(kv * 0.004)]);
    assert.deepEqual(got.c1, [Math.floor(kv * 0.004), kv]);
  });
  it('finish idles the GPUs and removes the activity files; tcp and NVLink runs add no EFA bytes', () => {
    assert.ok(got.after.every((u) => u === 0));
    assert.deepEqual(got.files, []);
    assert.deepEqual(got.c2after, got.c2);
  });
});

describe('efa_counters.add', () => {
  it('spreads the bytes over the devices without losing one', () => {
    const got = py(path.join(tmp, 'c'), `
efa_counters.add("gpu-1", rx=10, tx=3)
base = os.path.join(root, "gpu-1", "sysfs/sys/class/infiniband")
print(json.dumps([int(open(os.path.join(base, d, "ports/1/hw_counters/rx_bytes")).read()) for d in sorted(os.listdir(base))] + counters("gpu-1")))
`);
    assert.deepEqual(got, [4, 3, 3, 10, 3]);
  });
});
