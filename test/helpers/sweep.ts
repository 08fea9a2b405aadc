// Helpers for the sweep integration tests: prepare the simulated cluster once (provision, build,
// ray), plan a sweep from a sweep-file object, start the sweep workflow, poll its queries, read
// the GPUs the nodes report, and read back what each run of the workflow scheduled.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { before, after, afterEach } from 'node:test';
import { startStack, type Stack, type StackOptions } from './stack.js';
import { validateSweep, type SweepInput as SweepFile } from '../../src/config/index.js';
import { planSweep, type Plan, type PlannedDeployment } from '../../src/plan/index.js';
import { pipeline } from '../../src/workflows/pipeline.js';
import { sweep } from '../../src/workflows/sweep.js';
import type { SweepOptions, SweepResultsView } from '../../src/workflows/sweep-types.js';
import type { RunProgress } from '../../src/workflows/messages.js';
import type { SimCluster } from '../../src/sim/index.js';

/** Provision, build and start Ray on the stack's cluster (once per test file; ~20 s at time scale 0.02). */
export async function prepareCluster(s: Stack): Promise<void> {
  await s.withWorker(() => s.t.env.client.workflow.execute(pipeline, {
    taskQueue: s.taskQueue, workflowId: `pdflow-test-prepare-${Date.now()}`,
    args: [{ cluster: s.cluster, heartbeatTimeout: '10s', stages: ['provision', 'build', 'ray'] }],
  }));
}

/** The plan of a test sweep for the stack's model (validated, then planned on the cluster). The output check is off unless the file turns it on: tests about other
 * things keep their step lists (and minutes); sweep.test.ts checks it. */
export function planFor(s: Stack, file: Omit<SweepFile, 'model'>): Plan {
  const v = validateSweep({ outputCheck: { enabled: false }, ...file, model: { id: s.cluster.model.id, servedName: s.cluster.model.servedName } }, `${file.name}.yaml`);
  if (!v.ok) throw new Error(`test sweep invalid: ${v.issues.map((i) => i.message).join('; ')}`);
  return planSweep(s.cluster, v.value);
}

let seq = 0;
const started: WorkflowHandle[] = [];
export async function startSweep(s: Stack, plan: Plan, options: SweepOptions = {}) {
  const h = await s.t.env.client.workflow.start(sweep, {
    taskQueue: s.taskQueue, workflowId: `pdflow-test-sweep-${plan.sweepName}-${Date.now()}-${seq++}`,
    args: [{ cluster: s.cluster, plan, options: { heartbeatTimeout: '5s', ...options } }],
  });
  started.push(h);
  return h;
}

/** Terminates sweeps a failed test left running (afterEach), so they cannot touch the next test's deployment. */
export async function terminateLeftoverSweeps(): Promise<void> {
  for (const h of started.splice(0)) {
    const open = await h.describe().then((d) => d.status.name === 'RUNNING', () => false);
    if (open) await h.terminate('test over').catch(() => undefined);
  }
}

export const progressOf = (h: WorkflowHandle) => h.query<RunProgress>('progress');
export const resultsOf = (h: WorkflowHandle) => h.query<SweepResultsView>('results');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `get` until `ok` holds; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(what: string, get: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await get();
      if (ok(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}${lastErr ? `; last error: ${(lastErr as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}

/** Waits for progress to satisfy `ok` (queries fail briefly while a workflow task is in flight after a restart). */
export const waitForProgress = (h: WorkflowHandle, what: string, ok: (p: RunProgress) => boolean, timeoutMs?: number) =>
  waitFor(what, () => progressOf(h), ok, timeoutMs);

/** memory.used (MiB) of each GPU on a node, from the node's own nvidia-smi over ssh. */
export function gpuMemoryUsed(sim: SimCluster, node: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile('ssh', sim.sshArgs(node, ['nvidia-smi', '--query-gpu=memory.used', '--format=csv,noheader,nounits']), { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`nvidia-smi on ${node}: ${err.message} ${stderr}`));
      else resolve(stdout.trim().split('\n').map(Number));
    });
  });
}

/** Every GPU node's memory.used per GPU. */
export async function gpuMemoryByNode(sim: SimCluster): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const n of sim.nodes.filter((x) => x.gpus > 0)) out[n.name] = await gpuMemoryUsed(sim, n.name);
  return out;
}

export async function assertGpusFree(sim: SimCluster, what: string): Promise<void> {
  const used = await gpuMemoryByNode(sim);
  assert.ok(Object.keys(used).length > 0, 'no GPU nodes');
  for (const [node, mib] of Object.entries(used)) {
    assert.ok(mib.length > 0 && mib.every((m) => Number.isFinite(m) && m < 100), `${what}: GPUs on ${node} still hold memory (MiB per GPU): ${mib.join(', ')}`);
  }
}

export interface ScheduledActivity {
  type: string;
  /** The first argument the workflow passed. */
  input: Record<string, unknown>;
  runId: string;
}

/** Run ids of a workflow from its first run along its continue-as-new chain. */
export async function runChain(client: Client, workflowId: string, firstRunId: string): Promise<string[]> {
  const ids = [firstRunId];
  for (;;) {
    const h = client.workflow.getHandle(workflowId, ids[ids.length - 1]);
    const history = await h.fetchHistory();
    const last = history.events?.[history.events.length - 1];
    const next = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return ids;
    ids.push(next);
  }
}

/** The activities every run of the workflow scheduled, in order. */
export async function scheduledActivities(client: Client, workflowId: string, firstRunId: string): Promise<ScheduledActivity[]> {
  const out: ScheduledActivity[] = [];
  for (const runId of await runChain(client, workflowId, firstRunId)) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    for (const e of history.events ?? []) {
      const a = e.activityTaskScheduledEventAttributes;
      if (!a) continue;
      const first = a.input?.payloads?.[0];
      out.push({ type: a.activityType?.name ?? '?', input: first ? defaultPayloadConverter.fromPayload(first) as Record<string, unknown> : {}, runId });
    }
  }
  return out;
}

/**
 * Not steps of the sweep's order: writes to the results store (test/integration/results-store.test.ts
 * checks them), the nodes' identity, read once per run (sweep-continue-as-new.test.ts checks it), and
 * the GPU sampling around each point (sweep.test.ts checks it).
 */
const STORE_ACTIVITIES = new Set(['storeSweepRecord', 'storeSweepRun', 'loadAnswerReference', 'saveAnswerReference', 'identifyNode', 'startGpuSampling', 'stopGpuSampling']);

/** What the sweep did in order, as short lines: "deploy <id>", "bench <point>", "teardown <id>", "health". */
export function sweepSteps(acts: ScheduledActivity[]): string[] {
  return acts.filter((a) => !STORE_ACTIVITIES.has(a.type)).map((a) => {
    const dep = (a.input.deployment as { id?: string } | undefined)?.id;
    const point = (a.input.point as { id?: string } | undefined)?.id;
    switch (a.type) {
      case 'checkRayHealth': return 'health';
      case 'deployServe': return `deploy ${dep}`;
      case 'teardownServe': return `teardown ${dep}`;
      case 'runBenchPoint': return `bench ${point}`;
      case 'answerPrompts': return 'answers';
      case 'referenceDeployment': return 'plan reference';
      default: return a.type;
    }
  });
}

/**
 * The steps a sweep of `plan` takes when nothing fails: per deployment a health gate, deploy, its
 * points, teardown. `healthAhead`: the next deployment's health check is scheduled just before
 * the previous teardown (so they overlap), as it is unless a pause is pending at that moment.
 */
export function expectedSteps(plan: Plan, o: { healthAhead?: boolean } = {}): string[] {
  const ahead = o.healthAhead ?? true;
  // With the output check on, every deployment answers the check prompts once it is healthy.
  const answers = plan.outputCheck?.enabled ? ['answers'] : [];
  return plan.deployments.flatMap((d, i) => [
    ...(i === 0 || !ahead ? ['health'] : []),
    `deploy ${d.id}`, ...answers, ...d.points.map((p) => `bench ${p.id}`),
    ...(ahead && i + 1 < plan.deployments.length ? ['health'] : []),
    `teardown ${d.id}`,
  ]);
}

/** Engine starts on the GPU nodes: runs of the emulated vLLM engine's sim point "vllm-engine"
 * (one per engine a Serve replica starts; a replica that Serve restarts starts another). */
export const engineStarts = (sim: SimCluster): number =>
  sim.nodes.filter((n) => n.gpus > 0).reduce((sum, n) => sum + sim.countRuns(n.name, 'vllm-engine'), 0);

/** The engines a deployment starts when it comes up: one per replica, or per prefill and decode instance. */
export const enginesOf = (d: PlannedDeployment): number =>
  (d.mode === 'collocated' ? [d.replicas] : [d.prefill, d.decode]).reduce((sum, r) => sum + r.instances.length, 0);

export interface ActivityRun { type: string; deployment?: string; attempt: number }

/** Every activity that started in the workflow's runs, with the attempt it ended on (Temporal writes
 * one started event per scheduled activity, carrying the last attempt's number). */
export async function activityAttempts(client: Client, workflowId: string, firstRunId: string): Promise<ActivityRun[]> {
  const out: ActivityRun[] = [];
  for (const runId of await runChain(client, workflowId, firstRunId)) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const scheduled = new Map<string, { type: string; deployment?: string }>();
    for (const e of history.events ?? []) {
      const a = e.activityTaskScheduledEventAttributes;
      if (a) {
        const first = a.input?.payloads?.[0];
        const input = first ? defaultPayloadConverter.fromPayload(first) as { deployment?: { id?: string } } : {};
        scheduled.set(String(e.eventId), { type: a.activityType?.name ?? '?', deployment: input.deployment?.id });
      }
      const st = e.activityTaskStartedEventAttributes;
      if (st) {
        const what = scheduled.get(String(st.scheduledEventId));
        if (what) out.push({ ...what, attempt: st.attempt ?? 1 });
      }
    }
  }
  return out;
}

/** deployServe attempts per deployment id (a deploy retried four times counts 5). */
export async function deployAttempts(client: Client, workflowId: string, firstRunId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const a of await activityAttempts(client, workflowId, firstRunId)) {
    if (a.type === 'deployServe' && a.deployment) out[a.deployment] = (out[a.deployment] ?? 0) + a.attempt;
  }
  return out;
}

/**
 * The sweep's steps match `expected` up to Ray health checks, and a health check precedes every
 * deploy. A health check taken ahead (during the previous teardown) that fails or times out on a
 * loaded machine is simply taken again before the deploy: one more "health", not a defect.
 */
export function assertStepsWithHealthGates(steps: string[], expected: string[], what = 'steps'): void {
  const noHealth = (xs: string[]) => xs.filter((x) => x !== 'health');
  assert.deepEqual(noHealth(steps), noHealth(expected), what);
  let sinceDeploy: string[] = [];
  for (const step of steps) {
    if (step.startsWith('deploy ')) {
      assert.ok(sinceDeploy.includes('health'), `${what}: no Ray health check before ${step}: ${JSON.stringify(steps)}`);
      sinceDeploy = [];
    } else sinceDeploy.push(step);
  }
}

/**
 * The hooks of a file that sweeps on a prepared cluster (by default the shared prepared sim, 1 head
 * + 2 workers): the stack reaches `use` once provision, build and ray have run; leftover sweeps
 * are ended after each test and the stack torn down after the file.
 */
export function onPreparedStack(use: (s: Stack) => void, opts: StackOptions = { shareInstalls: true, sim: { workers: 2 } }): void {
  let s: Stack | undefined;
  before(async () => {
    s = await startStack(opts);
    await prepareCluster(s);
    use(s);
  });
  afterEach(terminateLeftoverSweeps);
  after(async () => { await s?.teardown(); });
}
