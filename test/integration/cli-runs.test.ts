// The pdflow CLI driving real runs, as a user types it: a real dev server (never 7233), a simulated
// cluster of real sshd nodes, and `pdflow worker` itself as the worker. Every command is a
// `node bin/pdflow.js --address <test server> ...` process; the test reads exit codes and output.
// Benchmarks are slowed (sim "slow" fault on vllm) so a sweep runs long enough to be watched,
// queried, paused, resumed and cancelled while it runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from '../helpers/stack.js';
import { assertGpusFree, sleep } from '../helpers/sweep.js';
import { pdflow, pdflowInTerminal, startPdflow, stopPdflow, waitForOutput, isPlain, type CliChild, type CliResult } from '../helpers/cli.js';
import type { RunSnapshot } from '../../src/cli/describe-run.js';
import { startRun } from '../../src/cli/start-run.js';

let s: Stack;
let worker: CliChild;
let sweepFile: string;
/** `pdflow --address <this test's server> ...` */
const cli = (...args: string[]) => pdflow(['--address', s.t.address, ...args]);
const ok = (r: CliResult, what: string) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.out}`);

before(async () => {
  s = await startStack({ shareInstalls: true, sim: { workers: 2, name: 'clitest' } });
  sweepFile = path.join(s.dir, 'sweep-cli.yaml');
  writeFileSync(sweepFile, [
    'name: cli',
    `model: { id: ${s.cluster.model.id}, servedName: ${s.cluster.model.servedName} }`,
    'workloads: [{ isl: 5000, osl: 250 }]',
    'deployments:',
    '  - { mode: collocated, replicas: [1], tp: [2] }',
    '  - { mode: pd-pack, prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } }',
    'load: { concurrency: [4, 8, 16], promptsPerConcurrency: 2 }',
    'timeouts: { deployMinutes: 5, pointMinutes: 5 }',
    'pauseTeardownAfterMinutes: 5',
    // The output check has its own tests (sweep, pipeline): these are about the CLI.
    'outputCheck: { enabled: false }',
    '',
  ].join('\n'));
  worker = startPdflow(['--address', s.t.address, 'worker', '--task-queue', s.taskQueue, '--runs-dir', s.runsDir, '--grace', '5s']);
  await waitForOutput(worker, /pdflow worker on 127\.0\.0\.1:\d+ namespace default task queue /);
});
after(async () => {
  if (worker) await stopPdflow(worker, 'SIGKILL');
  await s?.teardown();
});

async function statusJson(id: string): Promise<RunSnapshot> {
  const r = await cli('status', id, '--json');
  assert.ok(r.code === 0 || r.code === 1, r.out);
  return JSON.parse(r.stdout) as RunSnapshot;
}

/** Polls `pdflow status --json` until `cond` holds. */
async function waitForStatus(id: string, what: string, cond: (s: RunSnapshot) => boolean, timeoutMs = 90_000): Promise<RunSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last: RunSnapshot | undefined;
  while (Date.now() < deadline) {
    last = await statusJson(id);
    if (cond(last)) return last;
    await sleep(300);
  }
  assert.fail(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

async function startSweep(): Promise<string> {
  const r = await cli('run', '--cluster', s.sim.clusterFile, '--sweep', sweepFile, '--stages', 'sweep', '--task-queue', s.taskQueue, '--heartbeat-timeout', '5s', '--json');
  ok(r, 'run --stages sweep');
  const started = JSON.parse(r.stdout) as { workflowId: string; url: string };
  assert.match(started.workflowId, /^pdflow-clitest-sweep-\d{8}-\d{6}(-\d+)?$/);
  const uiPort = Number(s.t.address.split(':')[1]) + 1000; // the dev server's UI port (not started here: headless)
  assert.equal(started.url, `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${started.workflowId}`);
  return started.workflowId;
}

let sweepId = '';

test('run --follow: the setup stages run on the sim cluster through `pdflow worker`; exit 0, plain progress lines off a terminal', async () => {
  // Real builds (pybind11) and real Ray on 2 cores take minutes: more than the helper's default 2.
  const r = await pdflow(['--address', s.t.address, 'run', '--cluster', s.sim.clusterFile, '--stages', 'provision,build,ray', '--task-queue', s.taskQueue, '--heartbeat-timeout', '10s', '--follow'], { timeoutMs: 600_000 });
  ok(r, 'run --follow');
  const id = /^started (pdflow-clitest-pipeline-\d{8}-\d{6})$/m.exec(r.stdout)?.[1];
  assert.ok(id, r.out);
  assert.match(r.stdout, new RegExp(`Web UI: http://127\\.0\\.0\\.1:\\d+/namespaces/default/workflows/${id}`));
  assert.match(r.stdout, /^\d\d:\d\d:\d\d running [0-2]\/3 done \| (provision|build|ray): /m);
  assert.match(r.stdout, /^\d\d:\d\d:\d\d completed 3\/3 done/m);
  assert.match(r.stdout, new RegExp(`^${id} +\\(pipeline\\) +COMPLETED  outcome OK$`, 'm'));
  assert.match(r.stdout, /done +ray: .*cluster: 3 nodes, 16 GPUs/);
  assert.ok(isPlain(r.stdout), `carriage returns or escape codes in non-TTY output:\n${JSON.stringify(r.stdout)}`);

  const sim = await pdflow(['sim', 'status', '--dir', s.sim.dir, '--json']);
  ok(sim, 'sim status');
  assert.deepEqual((JSON.parse(sim.stdout) as { nodes: Array<{ name: string; sshd: string }> }).nodes.map((n) => [n.name, n.sshd]),
    [['head', 'running'], ['worker-1', 'running'], ['worker-2', 'running']]);
});

test('hello is answered by the running `pdflow worker`', async () => {
  const r = await cli('hello', '--task-queue', s.taskQueue, '--name', 'cli-test');
  ok(r, 'hello');
  assert.match(r.stdout, /^started pdflow-local-hello-\d{8}-\d{6}$/m);
  assert.match(r.stdout, /Hello, cli-test/);
});

test('a running sweep: status --json shows progress, list finds it, pause holds it, resume lets it finish; watch exits 0', async () => {
  const slow = await pdflow(['sim', 'fault', 'head', 'slow', 'vllm', '--factor', '25', '--dir', s.sim.dir]);
  ok(slow, 'sim fault');
  assert.match(slow.stdout, /head: vllm runs 25x slower until `pdflow sim fault head clear`/);
  sweepId = await startSweep();
  const watch = startPdflow(['--address', s.t.address, 'watch', sweepId, '--interval', '0.5']);

  const running = await waitForStatus(sweepId, 'a point done', (x) => (x.progress?.done ?? 0) >= 1);
  assert.equal(running.status, 'RUNNING');
  assert.equal(running.type, 'sweep');
  assert.match(running.summary ?? '', /^sweep cli on clitest: 2 deployments, 6 points, est\. \d+ min$/);
  const p = running.progress!;
  assert.equal(p.kind, 'sweep');
  assert.equal(p.cluster, 'clitest');
  assert.equal(p.total, 6);
  assert.equal(p.done + p.failed + p.remaining, 6);
  assert.ok(typeof p.etaSec === 'number' && p.etaSec > 0, `etaSec ${p.etaSec}`);
  assert.ok(typeof p.gpuHours === 'number' && p.gpuHours > 0, `gpuHours ${p.gpuHours}`);
  assert.ok(p.elapsedSec > 0);
  assert.match(p.activity ?? '', /^(bench|deploying|tearing down) /);

  const human = await cli('status', sweepId);
  ok(human, 'status');
  assert.match(human.stdout, new RegExp(`^${sweepId} +\\(sweep\\) +RUNNING$`, 'm'));
  assert.match(human.stdout, /^ {2}\d\/6 done \| .* \| elapsed \d+s \| ETA (\d+h)?(\d+m)?\d+s \| \d\.\d\d GPU-h$/m);

  const [mine, other] = await Promise.all([
    cli('list', '--cluster', 'clitest', '--stage', 'sweep', '--json'),
    cli('list', '--cluster', 'p5-pair', '--json'),
  ]);
  const runningSweeps = await cli('list', '--stage', 'sweep', '--status', 'running', '--json');
  for (const r of [mine, other, runningSweeps]) ok(r, 'list');
  const found = (JSON.parse(mine.stdout) as Array<{ workflowId: string; status: string; cluster: string; stage: string }>).find((x) => x.workflowId === sweepId);
  assert.deepEqual(found && { status: found.status, cluster: found.cluster, stage: found.stage }, { status: 'RUNNING', cluster: 'clitest', stage: 'sweep' }, mine.stdout);
  assert.deepEqual(JSON.parse(other.stdout), []);
  assert.ok((JSON.parse(runningSweeps.stdout) as Array<{ workflowId: string }>).some((x) => x.workflowId === sweepId), runningSweeps.stdout);

  const pause = await cli('pause', sweepId);
  ok(pause, 'pause');
  assert.match(pause.stdout, /pause requested for .*: it stops after the current point/);
  const paused = await waitForStatus(sweepId, 'paused', (x) => x.progress?.state === 'paused');
  await sleep(3000);
  const still = await statusJson(sweepId);
  assert.equal(still.progress?.state, 'paused');
  assert.equal(still.progress?.done, paused.progress?.done, 'no point finished while paused');
  assert.ok(still.progress!.done < 6);

  const resume = await cli('resume', sweepId);
  ok(resume, 'resume');
  assert.match(resume.stdout, /resume sent to /);
  await waitForStatus(sweepId, 'running again', (x) => x.progress?.state !== 'paused');

  const w = await watch.exited;
  assert.equal(w.code, 0, w.out);
  assert.ok(isPlain(w.stdout), `carriage returns or escape codes in non-TTY output:\n${JSON.stringify(w.stdout)}`);
  assert.match(w.stdout, /^\d\d:\d\d:\d\d running \d\/6 done \| .*\| PAUSED$/m);
  assert.match(w.stdout, /^\d\d:\d\d:\d\d completed 6\/6 done/m);
  assert.match(w.stdout, new RegExp(`^${sweepId} +\\(sweep\\) +COMPLETED  outcome OK$`, 'm'));
  const done = await cli('status', sweepId);
  ok(done, 'status of the completed sweep');
  // pause/resume/cancel of a run that has ended: one line, exit 2, no stack trace.
  const closed = await Promise.all(['pause', 'resume', 'cancel'].map((c) => cli(c, sweepId)));
  for (const [i, r] of closed.entries()) {
    assert.equal(r.code, 2, r.out);
    assert.equal(r.stderr.trim(), `pdflow: cannot ${['pause', 'resume', 'cancel'][i]} ${sweepId}: it is completed, not running (see \`pdflow status ${sweepId}\`)`);
  }
});

test('results of the finished sweep: --format json|csv on stdout, --out writes report.md, report.html, results.csv and SVG plots', async () => {
  assert.ok(sweepId, 'the sweep test ran');
  const jsonDir = path.join(s.dir, 'results-json');
  const csvDir = path.join(s.dir, 'results-csv');
  const [json, csv] = await Promise.all([
    cli('results', sweepId, '--format', 'json', '--out', jsonDir),
    cli('results', sweepId, '--format', 'csv', '--out', csvDir),
  ]);
  const table = await cli('results', sweepId);
  ok(json, 'results --format json');
  const parsed = JSON.parse(json.stdout) as { summary: { counts: { points: number; ok: number } }; records: Array<{ status: string; versions?: Record<string, string> }> };
  assert.deepEqual(parsed.summary.counts, { ...parsed.summary.counts, points: 6, ok: 6 });
  assert.equal(parsed.records.length, 6);
  // Versions as installed on the nodes (the venv's metadata, the built UCX), not only the pins.
  for (const r of parsed.records) {
    assert.match(r.versions?.ray ?? '', /^2\.51/, JSON.stringify(r.versions));
    assert.match(r.versions?.torch ?? '', /^\d+\.\d+/, JSON.stringify(r.versions));
    assert.match(r.versions?.ucx ?? '', /^1\.\d+/, JSON.stringify(r.versions));
  }
  ok(csv, 'results --format csv');
  const rows = csv.stdout.trim().split('\n');
  assert.match(rows[0]!, /^deployment_id,deployment,mode,/);
  assert.equal(rows.length, 7, csv.stdout);
  // Every record names its hardware as the nodes' own tools report it (nvidia-smi, sysfs, the venv).
  const header = rows[0]!.split(',');
  for (const row of rows.slice(1)) {
    // From the end: these columns come last, and earlier cells (env, reason) may hold quoted commas.
    const cell = (name: string) => row.split(',').at(header.indexOf(name) - header.length);
    assert.match(cell('gpu_model') ?? '', /\S/, row);
    assert.equal(cell('gpus_per_node'), '8', row);
    assert.equal(cell('efa_devices'), '32', row);
    assert.equal(cell('gpu_memory_mib'), '81559', row);
    assert.match(cell('driver') ?? '', /^\d+\.\d+/, row);
    assert.match(cell('cuda') ?? '', /^\d+\.\d+$/, row);
    assert.equal(cell('hardware_source'), 'inventory', row);
    assert.equal(cell('flags'), '', row);
  }
  ok(table, 'results (table)');
  assert.match(table.stdout, /^6 points \(6 ok, 0 failed\), 2 deployments/);
  assert.match(table.stdout, /\(mixed\) on \S+/);
  assert.ok(table.stdout.endsWith('\n'));
  for (const [dir, r] of [[jsonDir, json], [csvDir, csv]] as const) {
    assert.match(r.stderr, /wrote \d+ files to .*: report\.md, report\.html \(interactive charts\), results\.csv, results\.jsonl, summary\.json and 4 plots/);
    for (const f of ['report.md', 'report.html', 'results.csv']) assert.ok(existsSync(path.join(dir, f)), `${dir}/${f}`);
    const svgs = readdirSync(path.join(dir, 'plots'), { recursive: true }).map(String).filter((f) => f.endsWith('.svg'));
    assert.equal(svgs.length, 4, svgs.join(', '));
    assert.match(readFileSync(path.join(dir, 'plots', svgs[0]!), 'utf8'), /^<svg/);
  }
  assert.match(readFileSync(path.join(jsonDir, 'report.md'), 'utf8'), new RegExp(`^Run \\*\\*${sweepId}\\*\\* \\(completed\\), started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, cluster clitest, hardware: 8x H100`, 'm'));
});

test('logs of the sweep: per node and step, from the worker\'s runs folder', async () => {
  assert.ok(sweepId, 'the sweep test ran');
  const [files, bench] = await Promise.all([
    pdflow(['logs', sweepId, '--runs-dir', s.runsDir, '--json']),
    pdflow(['logs', sweepId, '--runs-dir', s.runsDir, '--node', 'head', '--step', 'bench-collocated']),
  ]);
  ok(files, 'logs --json');
  const list = JSON.parse(files.stdout) as Array<{ node: string; step: string }>;
  assert.ok(list.some((f) => f.step.startsWith('deploy-')) && list.some((f) => f.step.startsWith('teardown-')), files.stdout);
  assert.equal(list.filter((f) => f.step.startsWith('bench-')).length, 6, files.stdout);
  ok(bench, 'logs --step');
  assert.match(bench.stdout, /==> .* head bench-collocated-1x-tp2_isl5000-osl250_c4 <==/);
  assert.match(bench.stdout, /Serving Benchmark Result/);
});

test('cancel a running sweep: watch on a terminal draws a bar and exits 1 "run cancelled"; the deployment is torn down', async () => {
  const id = await startSweep();
  const watching = pdflowInTerminal(['--address', s.t.address, 'watch', id, '--interval', '0.5']);
  await waitForStatus(id, 'a point done', (x) => (x.progress?.done ?? 0) >= 1);
  const cancel = await cli('cancel', id);
  ok(cancel, 'cancel');
  assert.match(cancel.stdout, new RegExp(`cancellation requested for ${id}; it tears down what it deployed`));
  const w = await watching;
  assert.equal(w.code, 1, w.out);
  assert.match(w.out, /[░█]{10,} \d\/6 done \|/, 'a progress bar');
  assert.match(w.out, new RegExp(`${id} +\\(sweep\\) +CANCELLED`));
  assert.match(w.out, /pdflow: run cancelled/);

  const status = await cli('status', id);
  assert.equal(status.code, 1, status.out);
  assert.match(status.stderr, /run cancelled/);
  const list = await cli('list', '--cluster', 'clitest', '--status', 'cancelled', '--json');
  ok(list, 'list --status cancelled');
  assert.deepEqual((JSON.parse(list.stdout) as Array<{ workflowId: string }>).map((x) => x.workflowId), [id]);
  await assertGpusFree(s.sim, 'after cancel');
  ok(await pdflow(['sim', 'fault', 'all', 'clear', '--dir', s.sim.dir]), 'sim fault all clear');
});

test('schedule create | list | delete: a nightly sweep as a Temporal Schedule; a second create and an unknown delete exit 2', async () => {
  const scheduleId = 'pdflow-clitest-cli-nightly';
  const create = await cli('schedule', 'create', '--cluster', s.sim.clusterFile, '--sweep', sweepFile, '--cron', '0 22 * * *', '--task-queue', s.taskQueue);
  ok(create, 'schedule create');
  assert.match(create.stdout, new RegExp(`^schedule ${scheduleId}: "0 22 \\* \\* \\*" UTC, 6 points`, 'm'));
  const listed = async () => JSON.parse((await cli('schedule', 'list', '--json')).stdout) as Array<{ id: string; next?: string; paused: boolean }>;
  let rows = await listed();
  for (let i = 0; i < 20 && !rows.some((r) => r.id === scheduleId); i++) rows = (await sleep(500), await listed()); // visibility lags a little
  const row = rows.find((r) => r.id === scheduleId);
  assert.ok(row, JSON.stringify(rows));
  assert.match(row.next ?? '', /T22:00:00\.000Z$/);
  assert.equal(row.paused, false);
  const human = await cli('schedule', 'list');
  ok(human, 'schedule list');
  assert.match(human.stdout, new RegExp(`^${scheduleId} +\\d{4}-`, 'm'));

  const again = await cli('schedule', 'create', '--cluster', s.sim.clusterFile, '--sweep', sweepFile, '--cron', '0 23 * * *');
  assert.equal(again.code, 2, again.out);
  assert.match(again.stderr, new RegExp(`schedule "${scheduleId}" already exists; delete it first \\(\`pdflow schedule delete ${scheduleId}\`\\) or give another --id`));

  const del = await cli('schedule', 'delete', scheduleId);
  ok(del, 'schedule delete');
  assert.match(del.stdout, new RegExp(`deleted schedule ${scheduleId}`));
  const gone = await cli('schedule', 'delete', scheduleId);
  assert.equal(gone.code, 2, gone.out);
  assert.match(gone.stderr, new RegExp(`no schedule "${scheduleId}" \\(see \`pdflow schedule list\`\\)`));
});

test('unknown run ids: status, watch, pause, resume, cancel, results exit 2 naming the id', async () => {
  const unknown = 'pdflow-clitest-sweep-19990101-000000';
  const results: CliResult[] = [];
  for (const pair of [['status', 'watch'], ['pause', 'resume'], ['cancel', 'results']]) results.push(...(await Promise.all(pair.map((c) => cli(c, unknown)))));
  for (const r of results) {
    assert.equal(r.code, 2, r.out);
    assert.match(r.stderr, /no run with id "pdflow-clitest-sweep-19990101-000000" \(see `pdflow list`\)/);
  }
});

test('runs started in the same second get the next free id (-2, -3) and all run; ids are never reused', async () => {
  const now = new Date(Date.UTC(2026, 10, 28, 3, 0, 0));
  const client = s.t.env.client;
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const h = await startRun(client, { cluster: s.cluster, stages: [], runSweep: false, taskQueue: s.taskQueue, now });
    ids.push(h.workflowId);
    await h.result(); // closed before the next start: a closed run's id is not taken again either
  }
  assert.deepEqual(ids, ['', '-2', '-3'].map((x) => `pdflow-clitest-pipeline-20261128-030000${x}`));
  for (const id of ids) assert.equal((await client.workflow.getHandle(id).describe()).status.name, 'COMPLETED');
});

test('worker --cluster serves the cluster\'s own queue (pdflow-<name>) beside the default one; run --cluster routes there without --task-queue', async () => {
  const own = startPdflow(['--address', s.t.address, 'worker', '--cluster', s.sim.clusterFile, '--runs-dir', s.runsDir, '--grace', '5s']);
  try {
    await waitForOutput(own, /pdflow worker on 127\.0\.0\.1:\d+ namespace default task queue pdflow-clitest; /);
    const r = await cli('run', '--cluster', s.sim.clusterFile, '--stages', 'ray', '--json');
    ok(r, 'run routed by cluster');
    const started = JSON.parse(r.stdout) as { workflowId: string; taskQueue: string };
    assert.equal(started.taskQueue, 'pdflow-clitest');
    const final = await waitForStatus(started.workflowId, 'the ray stage on the cluster\'s queue', (x) => x.status !== 'RUNNING', 180_000);
    assert.equal(final.status, 'COMPLETED', JSON.stringify(final));
    const d = await s.t.env.client.workflow.getHandle(started.workflowId).describe();
    assert.equal(d.taskQueue, 'pdflow-clitest');
    assert.match(own.stdout() + own.stderr(), /(started|attached to) job \S*ray-start-head/, 'the cluster\'s worker ran the stage');
  } finally {
    await stopPdflow(own, 'SIGINT');
  }
  const bad = await cli('worker', '--cluster', path.join(s.dir, 'nope.yaml'));
  assert.equal(bad.code, 2, bad.out);
  assert.match(bad.stderr, /nope\.yaml.*no such file/);
});

test('the worker stops gracefully on Ctrl-C (SIGINT): exit 0, "worker stopped"', async () => {
  const r = await stopPdflow(worker, 'SIGINT');
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /worker stopped/);
});
