// Remote jobs against real sim sshd nodes and a real Temporal dev server: the acceptance
// list (worker killed and replaced, cancellation, dropped connections, reboot, bad credentials,
// injection in jobs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { startTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.js';
import { createPdflowWorker, workflowInterceptorModules } from '../../src/worker.js';
import { killWorkerProcess, startWorkerProcess, TEST_WORKER_TUNING, type WorkerChild } from '../helpers/worker-process.js';
import { startSimCluster } from '../../src/sim/index.js';
import type { SimCluster } from '../../src/sim/index.js';
import { ClusterSchema } from '../../src/config/cluster.js';
import { SshPool } from '../../src/activities/ssh/pool.js';
import { nodeSpecs, type NodeSpec } from '../../src/activities/ssh/targets.js';
import type { RemoteJobInput } from '../../src/activities/remote.js';
import type { RemoteJobResult } from '../../src/activities/ssh/remote-job.js';
import { remoteJobTest, type RemoteJobTestInput } from '../../src/workflows/remote-job-test.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

/** Live (non-zombie) processes in a process group, from /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') out.push(Number(d));
    } catch {
      // gone while we looked
    }
  }
  return out;
}

let t: TestTemporal;
let sim: SimCluster;
let dir: string;
let bundlePath: string;
let head: NodeSpec;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-remote-job-'));
  const [temporal, cluster, bundle] = await Promise.all([
    startTestTemporal(),
    startSimCluster({ dir: path.join(dir, 'sim'), workers: 0, firstHostOctet: 171 }),
    bundleWorkflowCode({ workflowsPath: path.resolve(here, '../../src/workflows/remote-job-test.ts'), workflowInterceptorModules, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } }),
  ]);
  t = temporal;
  sim = cluster;
  bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  head = nodeSpecs(ClusterSchema.parse(YAML.parse(readFileSync(sim.clusterFile, 'utf8'))))[0]!;
});

after(async () => {
  await sim?.stop();
  await t?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function jobInput(step: string, argv: string[], extra: Partial<RemoteJobInput> = {}): RemoteJobInput {
  return { node: { spec: head }, step, argv, pollIntervalMs: 250, killGraceSeconds: 2, ...extra };
}

function start(taskQueue: string, input: RemoteJobTestInput, id: string): Promise<WorkflowHandleWithFirstExecutionRunId<typeof remoteJobTest>> {
  return t.env.client.workflow.start(remoteJobTest, { taskQueue, workflowId: `pdflow-test-${id}-${Date.now()}`, args: [input] });
}

/** An in-process worker with the test's pool (so the test can look at reconnects). */
async function inProcessWorker(taskQueue: string, pool: SshPool, runsDir: string) {
  return createPdflowWorker({
    connection: t.env.nativeConnection, namespace: 'default', taskQueue, bundle: { codePath: bundlePath },
    deps: { runsDir, sshPool: pool }, ...TEST_WORKER_TUNING, shutdownGraceTime: '1 second',
  });
}

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the workflow to fail');
}

void test('(a) a worker SIGKILLed at second 3 of a 10 s job: a new worker re-attaches, the job ran once, the real output comes back', { timeout: 120_000 }, async () => {
  const taskQueue = uniqueTaskQueue('rj-a');
  const runsDir = path.join(dir, 'runs-a');
  const counter = path.join(dir, 'counter-a');
  const cfg = { address: t.address, taskQueue, runsDir, bundlePath };
  let w1: WorkerChild | undefined = await startWorkerProcess(cfg);
  let w2: WorkerChild | undefined;
  try {
    const handle = await start(taskQueue, { job: jobInput('ten-seconds', ['sim-work', '--seconds', '10', '--counter', counter]), heartbeatTimeout: '5 seconds' }, 'a');
    await waitFor('the job to start', () => lines(counter) === 1);
    await sleep(3000);
    await killWorkerProcess(w1);
    w1 = undefined;
    w2 = await startWorkerProcess(cfg);
    const result: RemoteJobResult = await handle.result();
    assert.equal(result.exitCode, 0);
    assert.equal(result.attached, true, 'the second attempt attached to the running job');
    assert.match(result.logTail, /sim-work tick 10\/10/);
    assert.equal(lines(counter), 1, 'the job ran exactly once');
    assert.equal(sim.countRuns('head', 'sim-work'), 1);
    const local = readFileSync(result.logFile, 'utf8');
    for (let i = 1; i <= 10; i++) assert.equal(local.split(`tick ${i}/10\n`).length, 2, `tick ${i} is in the worker's log exactly once`);
    const started = (await handle.fetchHistory()).events!.filter((e) => e.activityTaskStartedEventAttributes);
    assert.ok((started[0]?.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2, 'the activity ran again after the heartbeat timeout');
  } finally {
    if (w1) await killWorkerProcess(w1);
    if (w2) await killWorkerProcess(w2, 'SIGTERM');
  }
});

void test('a worker shut down gracefully mid-job leaves the job running; the next worker re-attaches (ran once)', { timeout: 120_000 }, async () => {
  const taskQueue = uniqueTaskQueue('rj-shutdown');
  const runsDir = path.join(dir, 'runs-shutdown');
  const counter = path.join(dir, 'counter-shutdown');
  const cfg = { address: t.address, taskQueue, runsDir, bundlePath, shutdownGraceTime: '300 milliseconds' };
  const w1 = await startWorkerProcess(cfg);
  let w2: WorkerChild | undefined;
  try {
    const handle = await start(taskQueue, { job: jobInput('shutdown', ['sim-work', '--seconds', '6', '--counter', counter]) }, 'shutdown');
    await waitFor('the job to start', () => lines(counter) === 1);
    await sleep(1500);
    await killWorkerProcess(w1, 'SIGTERM');
    assert.match(w1.output(), /keeps running/, 'the activity left the job running on WORKER_SHUTDOWN');
    w2 = await startWorkerProcess(cfg);
    const result = await handle.result();
    assert.equal(result.exitCode, 0);
    assert.equal(result.attached, true);
    assert.equal(lines(counter), 1, 'the job ran once');
  } finally {
    await killWorkerProcess(w1);
    if (w2) await killWorkerProcess(w2, 'SIGTERM');
  }
});

void test('(b) cancelling the workflow kills the job\'s whole process group within 5 s', { timeout: 120_000 }, async (tc) => {
  const taskQueue = uniqueTaskQueue('rj-b');
  const pool = new SshPool();
  const worker = await inProcessWorker(taskQueue, pool, path.join(dir, 'runs-b'));
  const counter = path.join(dir, 'counter-b');
  await worker.runUntil(async () => {
    // A job with children: sim-work under a shell that also starts a background sleeper.
    const argv = ['bash', '-c', 'sleep 300 & sim-work --seconds 60 --counter "$1"; wait', 'job', counter];
    const handle = await start(taskQueue, { job: jobInput('cancel-me', argv), heartbeatTimeout: '5 seconds' }, 'b');
    await waitFor('the job to start', () => lines(counter) === 1);
    const jobDir = path.join(head.workdir, 'jobs', (await jobIdOf(handle, 'cancel-me', 'head')));
    const pgid = Number(readFileSync(path.join(jobDir, 'pid'), 'utf8'));
    await waitFor('the job\'s group to hold its processes', () => groupMembers(pgid).length >= 3);
    await sleep(1000);
    const t0 = Date.now();
    await handle.cancel();
    await waitFor('the process group to be gone', () => groupMembers(pgid).length === 0, 5000, 50);
    const ms = Date.now() - t0;
    const err = await failureOf(handle.result());
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `workflow ended cancelled, got ${err}`);
    assert.ok(ms <= 5000, `group gone after ${ms} ms`);
    tc.diagnostic(`process group gone ${ms} ms after the cancel request`);
  });
  await pool.closeAll();
});

async function jobIdOf(handle: WorkflowHandleWithFirstExecutionRunId, step: string, node: string): Promise<string> {
  const { runJobId } = await import('../../src/activities/remote.js');
  return runJobId(handle.workflowId, handle.firstExecutionRunId, step, node);
}

void test('(c) dropping every SSH connection of the node mid-job: the activity recovers and completes; the job ran once', { timeout: 120_000 }, async () => {
  const taskQueue = uniqueTaskQueue('rj-c');
  const pool = new SshPool();
  const worker = await inProcessWorker(taskQueue, pool, path.join(dir, 'runs-c'));
  const counter = path.join(dir, 'counter-c');
  const result = await worker.runUntil(async () => {
    const handle = await start(taskQueue, { job: jobInput('drop', ['sim-work', '--seconds', '5', '--counter', counter]) }, 'c');
    await waitFor('the job to start', () => lines(counter) === 1);
    await sleep(1500);
    await sim.fault('head', { kind: 'drop' });
    await sleep(1000);
    await sim.fault('head', { kind: 'drop' });
    return handle.result();
  });
  assert.equal(result.exitCode, 0);
  assert.match(result.logTail, /tick 5\/5/);
  assert.equal(lines(counter), 1, 'the job ran once');
  assert.ok(pool.connectCount({ ...head, hostKeyPolicy: head.hostKeyPolicy }) >= 2, 'the pool reconnected');
  await pool.closeAll();
});

void test('(d) a reboot mid-job: the attempt fails with a retryable "lost" error, the retry runs the job again and completes', { timeout: 120_000 }, async () => {
  const taskQueue = uniqueTaskQueue('rj-d');
  const pool = new SshPool();
  const worker = await inProcessWorker(taskQueue, pool, path.join(dir, 'runs-d'));
  const counter = path.join(dir, 'counter-d');
  const { result, handle } = await worker.runUntil(async () => {
    const handle = await start(taskQueue, { job: jobInput('reboot', ['sim-work', '--seconds', '4', '--counter', counter]) }, 'd');
    await waitFor('the job to start', () => lines(counter) === 1);
    await sleep(1500);
    await sim.fault('head', { kind: 'reboot', seconds: 2 });
    return { result: await handle.result(), handle };
  });
  assert.equal(result.exitCode, 0);
  assert.equal(lines(counter), 2, 'the retry ran the job again');
  const events = (await handle.fetchHistory()).events!;
  const startedEv = events.find((e) => e.activityTaskStartedEventAttributes)!.activityTaskStartedEventAttributes!;
  assert.ok((startedEv.attempt ?? 0) >= 2);
  const last = startedEv.lastFailure!;
  assert.equal(last.applicationFailureInfo?.type, 'RemoteJobLost');
  assert.equal(last.applicationFailureInfo?.nonRetryable ?? false, false);
  assert.match(last.message ?? '', /was lost/);
  assert.ok(readdirSync(path.join(head.workdir, 'jobs')).some((d) => /\.attempt-1$/.test(d)), 'the lost run is archived');
  await pool.closeAll();
});

void test('a job that failed is started afresh by the retry, and its failure names node, command, exit code and log', { timeout: 120_000 }, async () => {
  const taskQueue = uniqueTaskQueue('rj-fail');
  const pool = new SshPool();
  const worker = await inProcessWorker(taskQueue, pool, path.join(dir, 'runs-fail'));
  const counter = path.join(dir, 'counter-fail');
  await sim.fault('head', { kind: 'fail', program: 'sim-work', times: 1, exitCode: 3 });
  try {
    const { result, handle } = await worker.runUntil(async () => {
      const handle = await start(taskQueue, { job: jobInput('flaky', ['sim-work', '--seconds', '1', '--counter', counter]) }, 'fail');
      return { result: await handle.result(), handle };
    });
    assert.equal(result.exitCode, 0);
    assert.equal(lines(counter), 2, 'started afresh after the failure');
    const startedEv = (await handle.fetchHistory()).events!.find((e) => e.activityTaskStartedEventAttributes)!.activityTaskStartedEventAttributes!;
    const last = startedEv.lastFailure!;
    assert.equal(last.applicationFailureInfo?.type, 'RemoteCommandFailed');
    for (const m of ['head', 'sim-work', 'code 3', 'injected failure', 'A retry starts the job afresh']) assert.ok(last.message?.includes(m), `names ${m}: ${last.message}`);
  } finally {
    await sim.clearFaults('head');
    await pool.closeAll();
  }
});

void test('(e) bad credentials fail at once, without retries, naming host, user and key path', { timeout: 120_000 }, async () => {
  const taskQueue = uniqueTaskQueue('rj-e');
  const pool = new SshPool();
  const worker = await inProcessWorker(taskQueue, pool, path.join(dir, 'runs-e'));
  const strangerKey = path.join(dir, 'stranger_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
  const badNode: NodeSpec = { ...head, identityFile: strangerKey };
  const t0 = Date.now();
  const err = await worker.runUntil(async () => {
    const handle = await start(taskQueue, { job: { ...jobInput('bad-key', ['true']), node: { spec: badNode } }, retry: { initialInterval: '1 second', maximumAttempts: 5 } }, 'e');
    const e = await failureOf(handle.result());
    const started = (await handle.fetchHistory()).events!.find((ev) => ev.activityTaskStartedEventAttributes)!;
    assert.equal(started.activityTaskStartedEventAttributes!.attempt, 1, 'no retry');
    return e;
  });
  assert.ok(Date.now() - t0 < 5000, 'failed at once');
  assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ActivityFailure);
  const app = err.cause.cause;
  assert.ok(app instanceof ApplicationFailure);
  assert.equal(app.type, 'SshAuthFailed');
  assert.equal(app.nonRetryable, true);
  for (const m of [head.host, head.user, strangerKey]) assert.ok(app.message.includes(m), `message names ${m}: ${app.message}`);
  await pool.closeAll();
});

void test('(f) `x; touch /tmp/pwned-$RANDOM` reaches a job as one literal argument', { timeout: 120_000 }, async () => {
  const taskQueue = uniqueTaskQueue('rj-f');
  const pool = new SshPool();
  const worker = await inProcessWorker(taskQueue, pool, path.join(dir, 'runs-f'));
  const evil = 'x; touch /tmp/pwned-$RANDOM';
  const pwnedBefore = readdirSync('/tmp').filter((f) => f.startsWith('pwned-')).length;
  const result = await worker.runUntil(async () => {
    const argv = ['python3', '-c', 'import json, sys; print(json.dumps(sys.argv[1:]))', evil];
    const handle = await start(taskQueue, { job: jobInput('inject', argv, { env: { EVIL: evil } }) }, 'f');
    return handle.result();
  });
  assert.deepEqual(result.stdoutJson, [evil]);
  assert.equal(readdirSync('/tmp').filter((f) => f.startsWith('pwned-')).length, pwnedBefore, 'no file was created');
  await pool.closeAll();
});
