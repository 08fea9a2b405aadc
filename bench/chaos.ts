// bench/chaos: measured chaos. One sweep on the simulated cluster (1 head + 2 × 8 GPUs, a real
// Temporal dev server on a SQLite file, the worker in a child process) while a seeded injector
// brings faults, one after another once the sweep has recovered from the last: worker SIGKILLs
// (a new worker started), server kill -9 then restart on the same database and port, SSH drops,
// reboots of the head and of a GPU node of the deployment in flight, a hung, a failing and a slow
// `vllm bench serve`. Afterwards it counts, per planned point, the records and the benchmark job
// folders on the head (a completed run is a folder whose `exit` says 0; archived `.attempt-N`
// folders and recorded aborted attempts are counted apart), and prints faults injected /
// survived / points lost / points repeated / attempts aborted.
//   Goal: at least 30 faults in one run, every planned point with exactly one record (ok, or
//   failed with its reason), no point lost and no point measured twice.
// Run: npx tsx bench/chaos.ts [--faults 30] [--seed 1] [--points N (default 3 × faults)]
//        [--point-seconds 4] [--max-minutes 180]
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startStack, type Stack } from '../test/helpers/stack.js';
import type { WorkerChild } from '../test/helpers/worker-process.js';
import { prepareCluster, planFor, sleep } from '../test/helpers/sweep.js';
import { freePort, startDevServer, type DevServer } from '../src/common/dev-server.js';
import { runJobId, runName } from '../src/activities/remote.js';
import { simulateBenchBatch, type PerfDeployment } from '../src/sim/perf-model.js';
import { sweep } from '../src/workflows/sweep.js';
import type { RunProgress } from '../src/workflows/messages.js';
import type { SweepResult, SweepResultsView } from '../src/workflows/sweep-types.js';
import type { SweepInput as SweepFile } from '../src/config/index.js';
import type { Plan, PlannedDeployment } from '../src/plan/index.js';
import type { BenchPointRecord } from '../src/analysis/records.js';
import { seededRandom, tallyPoints, type BenchJobFolder, type ChaosTally } from './chaos-tally.js';

const log = (s: string) => console.log(`bench/chaos: ${s}`);
// The in-process worker that prepares the cluster logs every job line otherwise.
Runtime.install({ logger: new DefaultLogger('WARN') });

function numberFlag(name: string, dflt: number, ok: (n: number) => boolean, want: string): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const raw = process.argv[i + 1];
  const n = Number(raw);
  if (raw === undefined || !ok(n)) {
    console.error(`bench/chaos: --${name} ${JSON.stringify(raw ?? '')} is not valid; use ${want}`);
    process.exit(2);
  }
  return n;
}
const isCount = (n: number) => Number.isInteger(n) && n >= 1;
const FAULTS = numberFlag('faults', 30, isCount, 'a whole number of faults >= 1, e.g. --faults 30');
const SEED = numberFlag('seed', 1, Number.isInteger, 'a whole number, e.g. --seed 1');
const POINTS = numberFlag('points', 3 * FAULTS, isCount, 'a whole number of sweep points >= 1 (about 3 per fault keeps the sweep going until the last fault)');
const POINT_SECONDS = numberFlag('point-seconds', 4, (n) => n > 0 && n <= 120, 'seconds a benchmark point should last, in (0, 120]');
const MAX_MINUTES = numberFlag('max-minutes', 180, (n) => n > 0, 'minutes the sweep may take before it is ended and counted as it stands, > 0');

/** The sim's time scale (every emulated duration × this); benchmarks are slowed on top to last POINT_SECONDS. */
const SIM_SCALE = 0.02;
/** Replacements of one deployment before its failing points are recorded as failed (MAX_REPLACEMENTS in src/workflows/sweep/measure.ts). */
const REPLACEMENTS_PER_DEPLOYMENT = 2;
/** A fault that the sweep has not recovered from (no new record) in this long stops the injection. */
const RECOVERY_MS = 10 * 60_000;
/** Retries of a failing point (the sweep's): a "fail" fault fails at most this many runs in a row, so the point survives. */
const POINT_RETRIES = 2;
/** The "slow" fault: the next benchmark this many times slower than the baseline. */
const SLOW_FAULT_FACTOR = 2;

const FAULT_KINDS = ['worker-kill', 'server-kill', 'ssh-drop', 'reboot-head', 'reboot-gpu', 'hang', 'fail', 'slow'] as const;
type FaultKind = (typeof FAULT_KINDS)[number];
/** How often each kind comes after the first of each (the first 8 faults are one of each, in seeded order). */
const WEIGHTS: Record<FaultKind, number> = { 'worker-kill': 3, 'server-kill': 2, 'ssh-drop': 3, 'reboot-head': 1, 'reboot-gpu': 1.5, hang: 1, fail: 1.5, slow: 1 };
const REBOOTS: ReadonlySet<FaultKind> = new Set(['reboot-head', 'reboot-gpu']);
/** Faults on the next `vllm bench serve` (read when it starts): set now, taken back once a run has taken them. */
const PROGRAM_FAULTS: ReadonlySet<FaultKind> = new Set(['hang', 'fail', 'slow']);

interface FaultRecord {
  n: number;
  kind: FaultKind;
  target: string;
  /** Seconds since the sweep started. */
  atSec: number;
  /** The point in flight when the fault hit (program faults: the point whose benchmark took it). */
  pointId?: string;
  injected: boolean;
  error?: string;
  /** A program fault no benchmark started to take before the sweep ended. */
  neverHit?: boolean;
  /** Seconds from the fault to the sweep's next record. */
  recoveredAfterSec?: number;
  survived?: boolean;
}

// ---------------------------------------------------------------------------------------------
// The sweep

const BASE_DEPLOYMENTS: SweepFile['deployments'] = [
  { mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } },
  { mode: 'pd-spread', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } },
  { mode: 'collocated', replicas: [1], tp: [1] },
  { mode: 'collocated', replicas: [1], tp: [2] },
  { mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [2] } },
  { mode: 'pd-spread', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [2] } },
];

/**
 * Enough deployments that the reboots (about a fifth of the faults) fit their replacement budget,
 * and about `points` tiny points spread over them (workloads × concurrencies).
 */
function chaosSweep(points: number, pointMinutes?: number): Omit<SweepFile, 'model'> {
  const deps = Math.min(BASE_DEPLOYMENTS.length, Math.max(3, Math.ceil((FAULTS * 0.2) / REPLACEMENTS_PER_DEPLOYMENT) + 1));
  const perDep = Math.ceil(points / deps);
  const workloads = Math.ceil(perDep / 8);
  const levels = Math.ceil(perDep / workloads);
  return {
    name: 'chaos',
    workloads: Array.from({ length: workloads }, (_, i) => ({ isl: 3000 + 250 * i, osl: 200 })),
    deployments: BASE_DEPLOYMENTS.slice(0, deps),
    load: { concurrency: Array.from({ length: levels }, (_, i) => 2 * (i + 1)), promptsPerConcurrency: 2 },
    retries: POINT_RETRIES,
    ...(pointMinutes ? { timeouts: { pointMinutes } } : {}),
  };
}

function perfDeployment(d: PlannedDeployment): PerfDeployment {
  if (d.mode === 'collocated') return { mode: 'collocated', replicas: d.replicas.count, tp: d.replicas.tp };
  return { mode: d.mode, prefill: { num: d.prefill.count, tp: d.prefill.tp }, decode: { num: d.decode.count, tp: d.decode.tp } };
}

/** The plan, and the `slow` factor on vllm that makes its mean point last POINT_SECONDS (from the sim's performance model). */
async function chaosPlan(s: Stack): Promise<{ plan: Plan; slow: number }> {
  const probe = planFor(s, chaosSweep(POINTS));
  const points = probe.deployments.flatMap((d) => d.points.map((p) => ({ d, p })));
  const res = await simulateBenchBatch(points.map(({ d, p }) => ({
    deployment: perfDeployment(d),
    workload: { isl: p.workload.isl, osl: p.workload.osl, numPrompts: p.load.numPrompts, maxConcurrency: p.load.kind === 'concurrency' ? p.load.concurrency : null, seed: 0 },
  })));
  const modelled = res.map((r) => Number(r.duration));
  const mean = modelled.reduce((a, b) => a + b, 0) / modelled.length;
  const slow = Math.min(1000, POINT_SECONDS / (SIM_SCALE * mean));
  const longest = Math.max(...modelled) * SIM_SCALE * slow;
  // Room for a point slowed by a "slow" fault and the tools' start-up. As short as that allows: a
  // hung benchmark, and every try of a point on a deployment that died, costs this much.
  const pointMinutes = Math.max(0.5, Math.ceil(((SLOW_FAULT_FACTOR * longest + 15) / 60) * 4) / 4);
  return { plan: planFor(s, chaosSweep(POINTS, pointMinutes)), slow };
}

// ---------------------------------------------------------------------------------------------
// The harness: the worker process and the server, which faults kill and start again

class Harness {
  worker!: WorkerChild;
  workerStarts = 0;
  finished = false;
  status?: string;
  /** A fault is restarting the worker or the server: the watchdog keeps off. */
  busy = false;
  unexpectedExits = { worker: 0, server: 0 };

  constructor(readonly s: Stack, public server: DevServer, readonly dbFile: string, readonly port: number, readonly logDir: string, readonly slow: number) {}

  async startWorker(): Promise<void> {
    this.worker = await this.s.startWorkerProcess();
    this.workerStarts++;
  }

  saveWorkerLog(): void {
    writeFileSync(path.join(this.logDir, `worker-${this.workerStarts}.log`), this.worker.output());
  }

  async killWorker(): Promise<void> {
    await this.s.killWorkerProcess(this.worker, 'SIGKILL');
    this.saveWorkerLog();
  }

  /** kill -9 of the server process, then a new server on the same SQLite file and port after `downMs`. */
  async killAndRestartServer(downMs: number): Promise<void> {
    const p = this.server.process;
    if (p.exitCode === null && p.signalCode === null) {
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGKILL');
      });
    }
    await sleep(downMs);
    await this.startServer();
  }

  async startServer(): Promise<void> {
    this.server = await startDevServer({ port: this.port, dbFile: this.dbFile, headless: true, stdio: 'ignore', logLevel: 'error' });
  }

  /** Starts again what died without a fault (counted: the figures say so). */
  async keepAlive(): Promise<void> {
    if (this.busy) return;
    const sp = this.server.process;
    if (sp.exitCode !== null || sp.signalCode !== null) {
      this.unexpectedExits.server++;
      log(`the server exited by itself (${sp.exitCode ?? sp.signalCode}): starting it again`);
      await this.startServer();
    }
    const wp = this.worker.child;
    if (wp.exitCode !== null || wp.signalCode !== null) {
      this.unexpectedExits.worker++;
      log(`the worker exited by itself (${wp.exitCode ?? wp.signalCode}); its last output:\n${this.worker.output().slice(-2000)}`);
      this.saveWorkerLog();
      await this.startWorker();
    }
  }

  vllmRuns(): number {
    return this.s.sim.countRuns('head', 'vllm');
  }

  /** The head's program faults back to the baseline: only vllm slowed so a point lasts POINT_SECONDS. */
  async baselineHeadFaults(): Promise<void> {
    await this.s.sim.clearFaults('head');
    await this.s.sim.fault('head', { kind: 'slow', program: 'vllm', factor: this.slow });
  }
}

/** A query answered within `ms`, else undefined (no worker, or the server down). */
async function progressOf(h: WorkflowHandle, ms = 5000): Promise<RunProgress | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); });
  try {
    return await Promise.race([h.query<RunProgress>('progress').catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const recordedOf = (p: RunProgress | undefined) => (p ? p.done + p.failed : undefined);

/** Polls `cond` until it holds (true), `timeoutMs` passes or the sweep ends (false). */
async function until(c: Harness, cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!c.finished && Date.now() < deadline) {
    if (await cond()) return true;
    await sleep(everyMs);
  }
  return false;
}

function pointIdOf(plan: Plan, current: RunProgress['current']): string | undefined {
  const dep = plan.deployments.find((d) => d.label === current?.deployment);
  return dep?.points.find((p) => p.label === current?.point)?.id;
}

/** Ends the watch when the sweep leaves RUNNING (or the bench's own limit passes); restarts what died by itself. */
async function watchSweep(c: Harness, h: WorkflowHandle, deadline: number): Promise<void> {
  while (!c.finished) {
    await c.keepAlive().catch((err: unknown) => log(`restart failed: ${(err as Error).message}`));
    const st = await h.describe().then((d) => d.status.name, () => undefined);
    if (st && st !== 'RUNNING') {
      c.status = st;
      c.finished = true;
    } else if (Date.now() > deadline) {
      c.status = `still running after ${MAX_MINUTES} minutes`;
      c.finished = true;
    } else await sleep(1000);
  }
}

// ---------------------------------------------------------------------------------------------
// The injector

async function injectFaults(c: Harness, h: WorkflowHandle, plan: Plan, t0: number): Promise<FaultRecord[]> {
  const rand = seededRandom(SEED);
  const between = (lo: number, hi: number) => lo + (hi - lo) * rand();
  const firstOfEach = [...FAULT_KINDS];
  for (let i = firstOfEach.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [firstOfEach[i], firstOfEach[j]] = [firstOfEach[j]!, firstOfEach[i]!];
  }
  const weighted = (allowed: readonly FaultKind[]): FaultKind => {
    const total = allowed.reduce((n, k) => n + WEIGHTS[k], 0);
    let x = rand() * total;
    for (const k of allowed) if ((x -= WEIGHTS[k]) < 0) return k;
    return allowed[allowed.length - 1]!;
  };
  const rebootsOf = new Map<string, number>();
  const faults: Array<{ f: FaultRecord; recordedAtFault: number }> = [];
  const at = () => (Date.now() - t0) / 1000;

  for (let n = 1; n <= FAULTS && !c.finished; n++) {
    // Recovered from the last fault: the sweep recorded a point since.
    const prev = faults[faults.length - 1];
    if (prev) {
      const since = prev.recordedAtFault;
      const ok = await until(c, async () => (recordedOf(await progressOf(h)) ?? -1) > since, RECOVERY_MS, 500);
      if (ok) prev.f.recoveredAfterSec = at() - prev.f.atSec;
      else if (!c.finished) {
        log(`no record within ${RECOVERY_MS / 60_000} minutes of fault ${prev.f.n} (${prev.f.kind}): injection stops`);
        break;
      }
      if (c.finished) break;
    }
    // A seeded gap, then a seeded kind.
    await sleep(between(0.5, 1.5) * POINT_SECONDS * 1000);
    let kind = n <= firstOfEach.length ? firstOfEach[n - 1]! : weighted(FAULT_KINDS);
    const midBench = REBOOTS.has(kind) || (!PROGRAM_FAULTS.has(kind) && rand() < 0.7);
    if (midBench) {
      // Into a benchmark that has started: its job is in flight on the head.
      const v0 = c.vllmRuns();
      if (!(await until(c, () => c.vllmRuns() > v0, RECOVERY_MS))) break;
      await sleep(between(0.1, 0.5) * POINT_SECONDS * 1000);
    }
    const p = await progressOf(h);
    const dep = plan.deployments.find((d) => d.label === p?.current?.deployment);
    // A deployment replaced more often than the sweep allows has its points recorded as failed:
    // a reboot beyond the budget becomes another fault (the figures would measure the budget).
    if (REBOOTS.has(kind) && (!dep || !p?.activity?.startsWith('bench ') || (rebootsOf.get(dep.id) ?? 0) >= REPLACEMENTS_PER_DEPLOYMENT)) {
      kind = weighted(FAULT_KINDS.filter((k) => !REBOOTS.has(k) && !PROGRAM_FAULTS.has(k)));
    }
    const f: FaultRecord = { n, kind, target: '', atSec: at(), injected: false };
    const entry = { f, recordedAtFault: recordedOf(p) ?? 0 };
    if (!PROGRAM_FAULTS.has(kind)) f.pointId = pointIdOf(plan, p?.current);
    try {
      f.target = await inject(c, h, plan, kind, dep, between, entry);
      f.injected = true;
      if (REBOOTS.has(kind) && dep) rebootsOf.set(dep.id, (rebootsOf.get(dep.id) ?? 0) + 1);
    } catch (err) {
      f.error = (err as Error).message;
      c.busy = false;
    }
    faults.push(entry);
    log(`fault ${n}/${FAULTS} at ${f.atSec.toFixed(1)} s: ${kind} ${f.target}${f.pointId ? ` (point ${f.pointId})` : ''}${f.error ? ` — NOT injected: ${f.error}` : ''}`);
  }
  // The last fault's recovery.
  const last = faults[faults.length - 1];
  if (last) {
    if (await until(c, async () => (recordedOf(await progressOf(h)) ?? -1) > last.recordedAtFault, RECOVERY_MS, 500)) last.f.recoveredAfterSec = at() - last.f.atSec;
  }
  return faults.map((x) => x.f);
}

/** Applies one fault; returns what it hit, in words. */
async function inject(
  c: Harness, h: WorkflowHandle, plan: Plan, kind: FaultKind, dep: PlannedDeployment | undefined,
  between: (lo: number, hi: number) => number, entry: { f: FaultRecord; recordedAtFault: number },
): Promise<string> {
  const s = c.s;
  switch (kind) {
    case 'worker-kill': {
      c.busy = true;
      await c.killWorker();
      const downMs = between(0, 3000);
      await sleep(downMs);
      await c.startWorker();
      c.busy = false;
      return `worker process (SIGKILL; a new one ${(downMs / 1000).toFixed(1)} s later)`;
    }
    case 'server-kill': {
      c.busy = true;
      const downMs = between(2000, 6000);
      await c.killAndRestartServer(downMs);
      c.busy = false;
      return `Temporal server (kill -9, restarted on the same db and port after ${(downMs / 1000).toFixed(1)} s)`;
    }
    case 'ssh-drop': {
      const nodes = s.sim.nodes.map((n) => n.name);
      const node = nodes[Math.floor(between(0, nodes.length))] ?? 'head';
      await s.sim.fault(node, { kind: 'drop' });
      return `SSH sessions of ${node}`;
    }
    case 'reboot-head': {
      const seconds = Math.round(between(3, 8));
      await s.sim.fault('head', { kind: 'reboot', seconds });
      return `head (reboot, ${seconds} s)`;
    }
    case 'reboot-gpu': {
      const gpuNodes = (dep?.nodes ?? []).filter((name) => (s.sim.nodes.find((x) => x.name === name)?.gpus ?? 0) > 0);
      const node = gpuNodes[Math.floor(between(0, gpuNodes.length))] ?? 'worker-1';
      const seconds = Math.round(between(2, 5));
      await s.sim.fault(node, { kind: 'reboot', seconds });
      return `${node} (reboot, ${seconds} s)`;
    }
    default: {
      // Program faults on the head's next `vllm bench serve`: set, wait until a run took it, then back to the baseline.
      const times = kind === 'fail' ? Math.min(POINT_RETRIES, 1 + Math.floor(between(0, 2))) : 1;
      const v0 = c.vllmRuns();
      if (kind === 'hang') await s.sim.fault('head', { kind: 'hang', program: 'vllm' });
      if (kind === 'fail') await s.sim.fault('head', { kind: 'fail', program: 'vllm', times, exitCode: 1 });
      if (kind === 'slow') await s.sim.fault('head', { kind: 'slow', program: 'vllm', factor: c.slow * SLOW_FAULT_FACTOR });
      try {
        const hit = await until(c, () => c.vllmRuns() >= v0 + 1, RECOVERY_MS);
        entry.f.pointId = hit ? pointIdOf(plan, (await progressOf(h))?.current) : undefined;
        entry.recordedAtFault = recordedOf(await progressOf(h)) ?? entry.recordedAtFault;
        entry.f.neverHit = !hit;
        if (hit && times > 1) await until(c, () => c.vllmRuns() >= v0 + times, RECOVERY_MS);
        // The run reads its fault just after it counts itself: give it that moment.
        await sleep(1500);
      } finally {
        await c.baselineHeadFaults();
      }
      return kind === 'hang' ? 'vllm bench serve on head (hangs until the point\'s timeout)'
        : kind === 'fail' ? `vllm bench serve on head (exits 1, ${times} run${times > 1 ? 's' : ''})`
          : `vllm bench serve on head (${SLOW_FAULT_FACTOR}× slower, one run)`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Counting

/** The head's benchmark job folders of this run, by planned point (retake and archived attempts told apart). */
function benchFolders(s: Stack, plan: Plan, workflowId: string, runKey: string): { folders: BenchJobFolder[]; stray: number; all: number } {
  const head = s.cluster.nodes.find((n) => n.role === 'head')!.name;
  const byJob = new Map<string, { pointId: string; retake: number }>();
  for (const d of plan.deployments) {
    for (const p of d.points) {
      for (let retake = 0; retake <= REPLACEMENTS_PER_DEPLOYMENT + 2; retake++) {
        byJob.set(runJobId(workflowId, runKey, retake ? `bench-${p.id}-retake${retake}` : `bench-${p.id}`, head), { pointId: p.id, retake });
      }
    }
  }
  const jobsDir = path.join(s.sim.node(head).workdir, 'jobs');
  const prefix = `${runName(workflowId, runKey)}.bench-`.replace(/[^A-Za-z0-9_.-]+/g, '_');
  const folders: BenchJobFolder[] = [];
  let stray = 0;
  let all = 0;
  for (const name of readdirSync(jobsDir)) {
    const m = /^(.*)\.attempt-\d+$/.exec(name);
    const job = byJob.get(m ? m[1]! : name);
    if (!job) {
      if (name.startsWith(prefix)) stray++;
      continue;
    }
    all++;
    let exitCode: number | undefined;
    try {
      exitCode = Number(readFileSync(path.join(jobsDir, name, 'exit'), 'utf8').trim());
    } catch {
      exitCode = undefined;
    }
    folders.push({ ...job, archived: Boolean(m), ...(exitCode === undefined || Number.isNaN(exitCode) ? {} : { exitCode }) });
  }
  return { folders, stray, all };
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)]! : NaN;
};

function report(faults: FaultRecord[], t: ChaosTally, x: { completed: boolean; status: string; wall: number; replacements: number; vllmRuns: number; benchFolders: number; storePoints: number; restarts: Harness['unexpectedExits'] }): void {
  const pointOf = new Map(t.points.map((p) => [p.pointId, p]));
  for (const f of faults) {
    const p = f.pointId ? pointOf.get(f.pointId) : undefined;
    f.survived = f.injected && x.completed && (!p || (p.records === 1 && p.status !== 'lost' && p.completedRuns <= 1));
  }
  console.log('');
  console.log('| # | at s | fault | target | point in flight | that point ended | next record after s | survived |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const f of faults) {
    const p = f.pointId ? pointOf.get(f.pointId) : undefined;
    const ended = !p ? (f.neverHit ? '(no benchmark took it)' : '—') : p.status === 'ok' ? `ok${p.abortedOnDeadDeployment ? `, ${p.abortedOnDeadDeployment} aborted` : ''}${p.retries ? `, ${p.retries} retr${p.retries > 1 ? 'ies' : 'y'}` : ''}` : p.status;
    console.log(`| ${f.n} | ${f.atSec.toFixed(0)} | ${f.kind} | ${f.injected ? f.target : `not injected: ${f.error}`} | ${f.pointId ?? '—'} | ${ended} | ${f.recoveredAfterSec?.toFixed(1) ?? '—'} | ${f.survived ? 'yes' : 'NO'} |`);
  }
  console.log('');
  console.log('| fault | injected | survived | next record after s (median / max) |');
  console.log('|---|---|---|---|');
  for (const k of FAULT_KINDS) {
    const fs = faults.filter((f) => f.kind === k && f.injected);
    if (!fs.length) continue;
    const rec = fs.map((f) => f.recoveredAfterSec).filter((v): v is number => v !== undefined);
    console.log(`| ${k} | ${fs.length} | ${fs.filter((f) => f.survived).length} | ${rec.length ? `${median(rec).toFixed(1)} / ${Math.max(...rec).toFixed(1)}` : '—'} |`);
  }
  const injected = faults.filter((f) => f.injected).length;
  const survived = faults.filter((f) => f.survived).length;
  console.log('');
  console.log('| faults injected | survived | points planned | ok | failed, reason recorded | lost | repeated | recorded twice | attempts aborted (cut short + on a dead deployment) | deployments replaced | sweep wall s |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  console.log(`| ${injected} | ${survived} | ${t.planned} | ${t.ok} | ${t.failedWithReason} | ${t.lost.length} | ${t.repeated.length} | ${t.recordedTwice.length} | ${t.cutShort + t.abortedOnDeadDeployment} (${t.cutShort} + ${t.abortedOnDeadDeployment}) | ${x.replacements} | ${x.wall.toFixed(0)} |`);
  console.log('');
  log(`sweep ${x.status}; ${x.vllmRuns} vllm bench runs on the head, ${x.benchFolders} benchmark job folders of this run (${t.strayFolders} naming no planned point); the results store holds ${x.storePoints} of ${t.planned} points`);
  log(`retries (activity attempts beyond the first, final runs): ${t.points.reduce((n, p) => n + p.retries, 0)}; processes that died without a fault: worker ${x.restarts.worker}, server ${x.restarts.server}`);
  for (const p of t.points.filter((q) => q.status === 'failed with reason')) log(`  failed: ${p.pointId}: ${p.reason}`);
  if (t.lost.length) {
    // A sweep that did not complete never got to some points: those are not lost by a fault.
    const unreached = x.completed ? [] : t.points.filter((p) => p.status === 'lost' && p.records === 0 && p.folders === 0).map((p) => p.pointId);
    if (unreached.length) log(`  not reached (the sweep did not complete): ${unreached.length} points`);
    const lost = t.lost.filter((id) => !unreached.includes(id));
    if (lost.length) log(`  LOST: ${lost.join(', ')}`);
  }
  if (t.repeated.length) log(`  REPEATED (two completed benchmark jobs): ${t.repeated.join(', ')}`);
  if (t.recordedTwice.length) log(`  RECORDED TWICE: ${t.recordedTwice.join(', ')}`);
  if (t.okWithoutJob.length) log(`  ok without a completed job folder: ${t.okWithoutJob.join(', ')}`);
  const met = injected >= 30 && x.completed && t.lost.length === 0 && t.repeated.length === 0 && t.recordedTwice.length === 0;
  log(`goal (≥ 30 faults in one run, the sweep completes, 0 points lost, 0 repeated, one record a point): ${met ? 'MET' : 'NOT MET'} — ` +
    `${injected} faults, ${survived} survived, ${t.lost.length} lost, ${t.repeated.length} repeated, ${t.recordedTwice.length} recorded twice, ${t.failedWithReason} failed with a reason`);
}

// ---------------------------------------------------------------------------------------------

log(`${os.cpus().length} CPUs; ${FAULTS} faults, seed ${SEED}; preparing a simulated cluster (provision, build, ray at time scale ${SIM_SCALE})`);
const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'pdflow-chaos-db-')), 'temporal.db');
const port = await freePort();
const s = await startStack({ shareInstalls: true, sim: { workers: 2, timeScale: SIM_SCALE }, dbFile, port });
const logDir = path.join(s.dir, 'chaos');
mkdirSync(logDir, { recursive: true });
let c: Harness | undefined;
try {
  await prepareCluster(s);
  const { plan, slow } = await chaosPlan(s);
  log(`${plan.deployments.length} deployments × ${plan.estimate.points / plan.deployments.length} points = ${plan.estimate.points} points; vllm slowed ×${slow.toFixed(1)} (a point lasts ~${POINT_SECONDS} s), point timeout ${plan.timeouts.pointMinutes} min, retries ${POINT_RETRIES}`);
  c = new Harness(s, s.t.server, dbFile, port, logDir, slow);
  await c.baselineHeadFaults();
  await c.startWorker();
  const vllm0 = c.vllmRuns();
  const h = await s.t.env.client.workflow.start(sweep, {
    taskQueue: s.taskQueue, workflowId: `pdflow-bench-chaos-${Date.now()}`,
    args: [{ cluster: s.cluster, plan, options: { heartbeatTimeout: '5s', pointRetries: POINT_RETRIES, recordWindow: plan.estimate.points + 10 } }],
  });
  const t0 = Date.now();
  const watching = watchSweep(c, h, t0 + MAX_MINUTES * 60_000);
  const faults = await injectFaults(c, h, plan, t0);
  const overTime = () => c?.status?.startsWith('still running') === true;
  if (faults.length < FAULTS) {
    if (overTime()) log(`the sweep ran past --max-minutes ${MAX_MINUTES} after ${faults.length} of ${FAULTS} faults`);
    else if (c.finished) log(`the sweep ended after ${faults.length} of ${FAULTS} faults: run again with more points (--points ${Math.ceil((POINTS * FAULTS) / Math.max(1, faults.length) * 1.3)})`);
    else log(`injection stopped after ${faults.length} faults`);
  }
  log(`${faults.length} faults injected; waiting for the sweep to end`);
  await watching;
  const wall = (Date.now() - t0) / 1000;
  const completed = c.status === 'COMPLETED';
  // A sweep over its time is counted as it stands: its records from its own state, then ended.
  const view = overTime() ? await h.query<SweepResultsView>('results').catch(() => undefined) : undefined;
  if (overTime()) await h.terminate('bench/chaos: over its time limit').catch(() => undefined);
  const result: SweepResult | undefined = completed ? await h.result() : undefined;
  const runKey = h.firstExecutionRunId;
  const stored = await s.resultsStore.records({ workflowId: h.workflowId, firstRunId: runKey });
  const fromWorkflow = result ?? view;
  // The workflow's records unless it kept only the newest (or none came back): then the store's.
  const records: BenchPointRecord[] = fromWorkflow && !fromWorkflow.recordWindow ? fromWorkflow.records : stored.map((r) => r.record);
  log(`records counted: ${fromWorkflow && !fromWorkflow.recordWindow ? (result ? 'the sweep\'s result' : 'the sweep\'s state (results query)') : 'the results store\'s'}`);
  const plannedIds = plan.deployments.flatMap((d) => d.points.map((p) => p.id));
  const jobs = benchFolders(s, plan, h.workflowId, runKey);
  const tally = tallyPoints(plannedIds, records, jobs.folders, jobs.stray);
  c.saveWorkerLog();
  report(faults, tally, {
    completed, status: c.status ?? '?', wall, replacements: Object.values(result?.replacements ?? {}).reduce((a, b) => a + b, 0),
    vllmRuns: c.vllmRuns() - vllm0, benchFolders: jobs.all, storePoints: new Set(stored.map((r) => r.record.pointId)).size, restarts: c.unexpectedExits,
  });
  writeFileSync(path.join(logDir, 'chaos.json'), JSON.stringify({ seed: SEED, faults, tally, status: c.status, result: result && { ...result, records: undefined } }, null, 2));
  log(`fault log, tally and worker logs: ${logDir}`);
} finally {
  await s.sim.clearFaults().catch(() => undefined);
  await s.teardown();
  if (c && c.server !== s.t.server) await c.server.stop();
}
