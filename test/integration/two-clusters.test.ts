// Many clusters, one Temporal server (issue "A sweep that finishes whatever the night brings",
// point 4): two simulated clusters on this machine, each with its own `pdflow worker --cluster FILE`
// (the task queue pdflow-<cluster name>), both sharing one results store; `pdflow run --cluster`
// routes each run to its cluster's queue. Both clusters are set up and then sweep at the same time;
// each run's jobs land on its own nodes only, and both sweeps complete with every point ok.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from '../helpers/stack.js';
import { sharedSimDir } from '../helpers/shared-sim.js';
import { pdflow, startPdflow, stopPdflow, waitForOutput, type CliChild } from '../helpers/cli.js';
import { sleep } from '../helpers/sweep.js';
import { startSimCluster, type SimCluster } from '../../src/sim/index.js';
import type { RunSnapshot } from '../../src/cli/describe-run.js';
import type { BenchPointRecord } from '../../src/analysis/records.js';

let a: Stack;
let b: SimCluster;
const workers: CliChild[] = [];
let storeFile = '';

before(async () => {
  a = await startStack({ shareInstalls: true, sim: { workers: 2, name: 'site-a' } });
  // Another cluster: another shape (one 8-GPU worker) on the SAME loopback addresses, as two
  // `pdflow demo`s on one machine are: its own sshd ports, Ray ports and Ray temp folder keep them apart.
  const shape = { workers: 1, gpusPerNode: 8 };
  const dir = sharedSimDir(shape) ?? path.join(a.dir, 'sim-b');
  const firstHostOctet = Number(a.sim.nodes[0]!.host.split('.').pop());
  b = await startSimCluster({ dir, keepInstalls: true, name: 'site-b', ...shape, timeScale: 0.02, firstHostOctet });
  assert.equal(b.nodes[0]!.host, a.sim.nodes[0]!.host);
  storeFile = path.join(a.dir, 'shared-results.db');
  for (const c of [a.sim, b]) {
    const w = startPdflow(['--address', a.t.address, 'worker', '--cluster', c.clusterFile, '--runs-dir', path.join(a.dir, `runs-${path.basename(c.dir)}`), '--store', storeFile, '--grace', '5s']);
    workers.push(w);
  }
  await waitForOutput(workers[0]!, /task queue pdflow-site-a; /);
  await waitForOutput(workers[1]!, /task queue pdflow-site-b; /);
});
after(async () => {
  for (const w of workers) await stopPdflow(w, 'SIGKILL');
  await b?.stop();
  await a?.teardown();
});

const cli = (...args: string[]) => pdflow(['--address', a.t.address, ...args], { timeoutMs: 600_000 });

async function statusOf(id: string): Promise<RunSnapshot> {
  const r = await cli('status', id, '--json');
  assert.ok(r.code === 0 || r.code === 1, r.out);
  return JSON.parse(r.stdout) as RunSnapshot;
}

async function finished(id: string, timeoutMs: number): Promise<RunSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = await statusOf(id);
    if (st.status !== 'RUNNING') return st;
    if (Date.now() > deadline) assert.fail(`${id} still running after ${timeoutMs} ms: ${JSON.stringify(st)}`);
    await sleep(1000);
  }
}

/** Starts `pdflow run --cluster FILE …` and returns the run's id and the task queue it was routed to. */
async function run(clusterFile: string, ...args: string[]): Promise<{ workflowId: string; taskQueue: string }> {
  const r = await cli('run', '--cluster', clusterFile, ...args, '--heartbeat-timeout', '10s', '--json');
  assert.equal(r.code, 0, r.out);
  return JSON.parse(r.stdout) as { workflowId: string; taskQueue: string };
}

/** Workflow ids of the remote jobs on a cluster's nodes (job folders are `<workflow id>.<hash>.<step>…`). */
function jobWorkflows(sim: SimCluster): Set<string> {
  const ids = new Set<string>();
  for (const n of sim.nodes) {
    let dirs: string[] = [];
    try {
      dirs = readdirSync(path.join(n.workdir, 'jobs'));
    } catch {
      continue;
    }
    for (const d of dirs) ids.add(d.split('.')[0]!);
  }
  return ids;
}

test('two clusters set up and sweep at the same time, each through its own worker and queue, with one results store', async () => {
  // Both clusters set up at once (site-b installs its nodes the first time it is used).
  const setups = await Promise.all([run(a.sim.clusterFile, '--stages', 'provision,build,ray'), run(b.clusterFile, '--stages', 'provision,build,ray')]);
  assert.deepEqual(setups.map((x) => x.taskQueue), ['pdflow-site-a', 'pdflow-site-b']);
  for (const x of setups) {
    const st = await finished(x.workflowId, 540_000);
    assert.equal(st.status, 'COMPLETED', JSON.stringify(st));
  }

  const sweepFile = path.join(a.dir, 'sweep-two.yaml');
  writeFileSync(sweepFile, [
    'name: two',
    `model: { id: ${a.cluster.model.id}, servedName: ${a.cluster.model.servedName} }`,
    'workloads: [{ isl: 1000, osl: 100 }]',
    'deployments:',
    '  - { mode: collocated, replicas: [1], tp: [2] }',
    '  - { mode: pd-pack, prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } }',
    'load: { concurrency: [2, 4], promptsPerConcurrency: 2 }',
    'outputCheck: { enabled: false }',
    '',
  ].join('\n'));
  const sweeps = await Promise.all([a.sim.clusterFile, b.clusterFile].map((f) => run(f, '--sweep', sweepFile, '--stages', 'sweep')));
  const final = await Promise.all(sweeps.map((x) => finished(x.workflowId, 400_000)));
  for (const st of final) assert.equal(st.status, 'COMPLETED', JSON.stringify(st));

  // At the same time: each sweep started before the other ended.
  const described = await Promise.all(sweeps.map((x) => a.t.env.client.workflow.getHandle(x.workflowId).describe()));
  assert.deepEqual(described.map((d) => d.taskQueue), ['pdflow-site-a', 'pdflow-site-b']);
  const [da, db] = described;
  assert.ok(da!.startTime < db!.closeTime! && db!.startTime < da!.closeTime!, 'the two sweeps did not overlap');

  // Each run's jobs ran on its own cluster's nodes only.
  const onA = jobWorkflows(a.sim);
  const onB = jobWorkflows(b);
  assert.ok(onA.has(sweeps[0]!.workflowId) && onB.has(sweeps[1]!.workflowId), `jobs: A ${[...onA].join(', ')}; B ${[...onB].join(', ')}`);
  assert.ok(!onA.has(sweeps[1]!.workflowId) && !onB.has(sweeps[0]!.workflowId), 'a run\'s job ran on the other cluster');

  // One store for both workers: each run's records, all ok, named after its own cluster's hardware.
  for (const [i, x] of sweeps.entries()) {
    const r = await cli('results', x.workflowId, '--store', storeFile, '--format', 'json');
    assert.equal(r.code, 0, r.out);
    const records = (JSON.parse(r.stdout) as { records: BenchPointRecord[] }).records;
    assert.equal(records.length, 4, r.stdout);
    assert.ok(records.every((rec) => rec.status === 'ok'), JSON.stringify(records.map((rec) => [rec.pointId, rec.status, rec.reason])));
    assert.equal(records[0]!.hardware?.gpusPerNode, 8, `run ${i}`);
  }
  const listed = await cli('list', '--from-store', '--json', '--store', storeFile);
  assert.equal(listed.code, 0, listed.out);
  const clusters = (JSON.parse(listed.stdout) as Array<{ workflowId: string; cluster?: string }>).filter((x) => sweeps.some((y) => y.workflowId === x.workflowId)).map((x) => x.cluster).sort();
  assert.deepEqual(clusters, ['site-a', 'site-b'], `${listed.stdout}\nworkers:\n${workers.map((w) => w.stdout().split('\n').filter((l) => /store|error|warn/i.test(l)).slice(-8).join('\n')).join('\n---\n')}`);
});
