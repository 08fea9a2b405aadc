// bench/sweep: the sweep workflow's own cost, on the simulated cluster (1 head + 2 × 8 GPUs).
//   1. 6 PD deployments × 6 load points, deploy and bench times scaled so the plan's lower bound
//      (deploys + benchmarks + teardowns back to back, nothing else) is about 2 minutes: the pdflow
//      sweep's wall time against that bound, and against the seed scripts' way — the same remote
//      scripts run one after another on the head with a fixed 30 s sleep after each deploy and 10 s
//      after each teardown, scaled like the rest — measured in the same run. The seed-way run also
//      times each step: the plan's timings are set from those times, so the plan's bound is the
//      remote work itself (emulated durations plus the tools' own start-up on this machine).
//      Target: the sweep within 10% of the bound.
//   2. The worker's peak memory (VmHWM of the worker process) over a 500-point sweep with tiny
//      points. Target: under 400 MB.
//   3. A 100,000-point sweep: how long it takes to plan (lazily) and to start (a short input: the
//      workflow reads and plans it itself, up to its first record), then the worker's RSS and the
//      history over its first --huge-points (2,000) near-empty points. Target: bounded, under 400 MB.
// Run: npx tsx bench/sweep.ts [--lower-bound 120] [--points 500] [--huge-points 2000] [--skip-lower-bound] [--skip-memory] [--skip-huge]
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../test/helpers/stack.js';
import { prepareCluster, planFor } from '../test/helpers/sweep.js';
import type { SweepInput as SweepFile } from '../src/config/index.js';
import type { Plan, PlannedDeployment } from '../src/plan/index.js';
import { simulateBenchBatch, type PerfDeployment } from '../src/sim/perf-model.js';
import { deployArgs } from '../src/activities/stages/serve.js';
import { benchArgs } from '../src/activities/stages/bench.js';
import { nodeLayout, runtimeEnv } from '../src/activities/stages/layout.js';
import { rayAddress } from '../src/activities/stages/ray.js';
import { buildCommand } from '../src/activities/ssh/quote.js';
import { sweep } from '../src/workflows/sweep.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const TARGET_LOWER_BOUND_S = Number(arg('lower-bound', '120'));
const MEMORY_POINTS = Number(arg('points', '500'));
const HUGE_POINTS = Number(arg('huge-points', '2000'));
/** The sim's time scale while the cluster is prepared (builds, Ray); the sweep is slowed on top. */
const PREP_SCALE = 0.02;
/** Modelled (unscaled) seconds of the emulation: Serve PD bring-up and GPU release on shutdown. */
const PD_DEPLOY_S = 175;
const TEARDOWN_RELEASE_S = 6;
const SEED_SLEEP_AFTER_DEPLOY_S = 30;
const SEED_SLEEP_AFTER_TEARDOWN_S = 10;
/** The tools' own start-up per sweep on this machine (python, ray.init, serve's 1 s ready poll), for the first guess of the scale. */
const STARTUP_GUESS_S = 20;

const log = (s: string) => console.log(`bench/sweep: ${s}`);
const fmt = (s: number) => `${s.toFixed(1)} s`;

const benchSweep = (timings?: SweepFile['timings']): Omit<SweepFile, 'model'> => ({
  name: 'bench',
  workloads: [{ isl: 5000, osl: 250 }],
  deployments: [
    { mode: 'pd-pack', prefill: { count: [1, 2], tp: [1, 2] }, decode: { count: [1], tp: [2] } },
    { mode: 'pd-spread', prefill: { count: [1], tp: [2, 4] }, decode: { count: [1], tp: [4] } },
  ],
  load: { concurrency: [4, 8, 16, 32, 48, 64], promptsPerConcurrency: 5 },
  retries: 0,
  ...(timings ? { timings } : {}),
});

function perfDeployment(d: PlannedDeployment): PerfDeployment {
  if (d.mode === 'collocated') return { mode: 'collocated', replicas: d.replicas.count, tp: d.replicas.tp };
  return { mode: d.mode, prefill: { num: d.prefill.count, tp: d.prefill.tp }, decode: { num: d.decode.count, tp: d.decode.tp } };
}

/** The modelled (real-hardware) duration of every point, from the sim's performance model. */
async function modelledPointSeconds(plan: Plan): Promise<Map<string, number>> {
  const points = plan.deployments.flatMap((d) => d.points.map((p) => ({ d, p })));
  const res = await simulateBenchBatch(points.map(({ d, p }) => ({
    deployment: perfDeployment(d),
    workload: { isl: p.workload.isl, osl: p.workload.osl, numPrompts: p.load.numPrompts, maxConcurrency: p.load.kind === 'concurrency' ? p.load.concurrency : null, seed: 0 },
  })));
  return new Map(points.map(({ p }, i) => [p.id, Number(res[i]!.duration)]));
}

interface JobTimes { deploy: number; bench: number; teardown: number; count: number }

/** Seconds the remote jobs of one workflow ran (job folder: `command` written at start, `exit` at the end). */
function jobTimes(s: Stack, workflowId: string): JobTimes {
  const jobs = path.join(s.sim.node('head').workdir, 'jobs');
  const t: JobTimes = { deploy: 0, bench: 0, teardown: 0, count: 0 };
  for (const d of readdirSync(jobs).filter((x) => x.startsWith(`${workflowId}.`) && !/\.attempt-\d+$/.test(x))) {
    const secs = (statSync(path.join(jobs, d, 'exit')).mtimeMs - statSync(path.join(jobs, d, 'command')).mtimeMs) / 1000;
    const kind = d.slice(workflowId.length + 1).split('-')[0] as keyof JobTimes;
    if (kind === 'deploy' || kind === 'bench' || kind === 'teardown') t[kind] += secs;
    t.count++;
  }
  return t;
}

function ssh(s: Stack, node: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ssh', s.sim.sshArgs(node, [buildCommand(argv)]), { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

interface StepTimes { deploy: number[]; bench: number[]; teardown: number[] }

/**
 * The seed's way: one shell script on the head runs the same remote scripts one after another,
 * sleeping a fixed time after each deploy and each teardown instead of asking whether it is ready.
 * Each step is timed on the node (`STEP <kind> <start> <end>` lines).
 */
async function seedWay(s: Stack, plan: Plan, scale: number): Promise<{ wall: number; steps: StepTimes }> {
  const l = nodeLayout(s.sim.node('head').workdir);
  const scripts = `${l.workdir}/scripts`;
  const env = runtimeEnv(l);
  const lines = ['set -e'];
  const step = (kind: keyof StepTimes, command: string) => lines.push(`t0=$(date +%s.%N); ${command} >/dev/null; echo "STEP ${kind} $t0 $(date +%s.%N)"`);
  for (const d of plan.deployments) {
    step('deploy', buildCommand([l.python, `${scripts}/serve_app.py`, ...deployArgs(s.cluster, d, plan.timeouts.deployMinutes)], { env }));
    lines.push(`sleep ${(SEED_SLEEP_AFTER_DEPLOY_S * scale).toFixed(3)}`);
    for (const p of d.points) step('bench', buildCommand(['bash', `${scripts}/bench.sh`, ...benchArgs(s.cluster, p, `${l.results}/seed-way/${d.id}/${p.workloadId}`, l.venv, plan.bench)]));
    step('teardown', buildCommand([l.python, `${scripts}/serve_app.py`, 'shutdown', '--address', rayAddress(s.cluster)], { env }));
    lines.push(`sleep ${(SEED_SLEEP_AFTER_TEARDOWN_S * scale).toFixed(3)}`);
  }
  const t0 = performance.now();
  const r = await ssh(s, 'head', ['bash', '-c', lines.join('\n')]);
  const wall = (performance.now() - t0) / 1000;
  if (r.code !== 0) throw new Error(`seed-way script failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  const steps: StepTimes = { deploy: [], bench: [], teardown: [] };
  for (const m of r.stdout.matchAll(/^STEP (deploy|bench|teardown) ([\d.]+) ([\d.]+)$/gm)) steps[m[1] as keyof StepTimes].push(Number(m[3]) - Number(m[2]));
  return { wall, steps };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;

async function runSweep(s: Stack, plan: Plan, onProgress?: (done: number) => void) {
  const h = await s.t.env.client.workflow.start(sweep, {
    taskQueue: s.taskQueue, workflowId: `pdflow-bench-sweep-${plan.sweepName}-${Date.now()}`,
    args: [{ cluster: s.cluster, plan, options: { heartbeatTimeout: '30s' } }],
  });
  const t0 = performance.now();
  let finished = false;
  const done = h.result().finally(() => { finished = true; });
  while (onProgress && !finished) {
    await new Promise((r) => setTimeout(r, 2000));
    const p = await h.query<{ done: number; failed: number }>('progress').catch(() => undefined);
    if (p) onProgress(p.done + p.failed);
  }
  const result = await done;
  return { result, wall: (performance.now() - t0) / 1000, workflowId: h.workflowId };
}

/** RSS and peak RSS (VmHWM) of a process, MB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Stretches emulated time by `factor` where the sweep's work is: the vLLM engines' start (their
 * weight loading, the sim point vllm-engine on each GPU node) and the benchmarks (vllm on the head). */
async function slowDown(s: Stack, factor: number): Promise<void> {
  for (const n of s.sim.nodes.filter((x) => x.gpus > 0)) await s.sim.fault(n.name, { kind: 'slow', program: 'vllm-engine', factor });
  await s.sim.fault('head', { kind: 'slow', program: 'vllm', factor });
}

async function sweepVsLowerBound(s: Stack): Promise<void> {
  // The slow-down E that makes the work (emulated deploys + benchmarks + teardowns, plus a guess of
  // the tools' start-up) about the target.
  const probe = planFor(s, benchSweep());
  const modelled = await modelledPointSeconds(probe);
  const benchModelled = sum([...modelled.values()]);
  const nDeps = probe.deployments.length;
  const scale = (TARGET_LOWER_BOUND_S - STARTUP_GUESS_S - nDeps * TEARDOWN_RELEASE_S * PREP_SCALE) / (nDeps * PD_DEPLOY_S + benchModelled);
  const slow = scale / PREP_SCALE;
  const emulatedOnly = scale * (nDeps * PD_DEPLOY_S + benchModelled) + nDeps * TEARDOWN_RELEASE_S * PREP_SCALE;
  log(`${nDeps} deployments × ${probe.estimate.points / nDeps} points; emulated time × ${scale.toFixed(4)} (sim ${PREP_SCALE} × slow ${slow.toFixed(2)} on the engines' start and vllm bench)`);
  await slowDown(s, slow);

  // 1. The seed's way, each step timed: the plan's timings (so its lower bound) come from it.
  log('running the seed\'s way (one script on the head, fixed sleeps) ...');
  const seed = await seedWay(s, probe, scale);
  const plan = planFor(s, benchSweep({ deploySeconds: mean(seed.steps.deploy), teardownSeconds: mean(seed.steps.teardown), benchSecondsPerPoint: mean(seed.steps.bench) }));
  const lowerBound = plan.estimate.totalSeconds;
  const points = plan.estimate.points;
  log(`plan lower bound ${fmt(lowerBound)}: deploys ${fmt(plan.estimate.deploySeconds)} (${fmt(mean(seed.steps.deploy))} each), benchmarks ${fmt(plan.estimate.benchSeconds)}, teardowns ${fmt(plan.estimate.teardownSeconds)} (${fmt(mean(seed.steps.teardown))} each)`);
  log(`  of which emulated work ${fmt(emulatedOnly)}, the tools' start-up ${fmt(lowerBound - emulatedOnly)}`);

  // 2. The pdflow sweep.
  log('running the pdflow sweep ...');
  const worker = await s.startWorkerProcess();
  const { result, wall, workflowId } = await runSweep(s, plan);
  await s.killWorkerProcess(worker, 'SIGTERM');
  const ok = result.records.filter((r) => r.status === 'ok').length;
  if (ok !== points) throw new Error(`the sweep recorded ${ok}/${points} points ok: ${result.summary}`);
  const drift = Math.max(...result.records.map((r) => Math.abs(r.metrics!.durationSec - modelled.get(r.pointId)!) / modelled.get(r.pointId)!));
  const jobs = jobTimes(s, workflowId);
  const work = jobs.deploy + jobs.bench + jobs.teardown;

  const seedComputed = lowerBound + nDeps * (SEED_SLEEP_AFTER_DEPLOY_S + SEED_SLEEP_AFTER_TEARDOWN_S) * scale;
  const seedMeasured = seed.wall;
  await s.sim.clearFaults();

  console.log('');
  console.log('| run | wall s | × lower bound |');
  console.log('|---|---|---|');
  console.log(`| plan lower bound | ${lowerBound.toFixed(1)} | 1.00 |`);
  console.log(`| pdflow sweep (Temporal workflow, ready checks) | ${wall.toFixed(1)} | ${(wall / lowerBound).toFixed(3)} |`);
  console.log(`| seed's way, measured (one script on the head, fixed sleeps ${(SEED_SLEEP_AFTER_DEPLOY_S * scale).toFixed(2)} s / ${(SEED_SLEEP_AFTER_TEARDOWN_S * scale).toFixed(2)} s) | ${seedMeasured.toFixed(1)} | ${(seedMeasured / lowerBound).toFixed(3)} |`);
  console.log(`| seed's way, computed (lower bound + fixed sleeps) | ${seedComputed.toFixed(1)} | ${(seedComputed / lowerBound).toFixed(3)} |`);
  console.log('');
  log(`pdflow / seed's way (measured): ${(wall / seedMeasured).toFixed(3)}×`);
  log(`inside the pdflow sweep: remote jobs ran ${fmt(work)} (deploy ${fmt(jobs.deploy)}, bench ${fmt(jobs.bench)}, teardown ${fmt(jobs.teardown)}; ${jobs.count} jobs; ` +
    `the same steps took ${fmt(sum(seed.steps.deploy) + sum(seed.steps.bench) + sum(seed.steps.teardown))} in the seed-way run), ` +
    `orchestration between them ${fmt(wall - work)} (${((wall - work) / (points + 2 * nDeps)).toFixed(2)} s per step: health gate, activity dispatch, job start, result copy)`);
  log(`modelled vs recorded benchmark durations: max drift ${(drift * 100).toFixed(2)}% (the plan's bound is calibrated on the model)`);
  log(`target: within 10% of the lower bound — ${wall <= 1.1 * lowerBound ? 'MET' : 'NOT MET'} (${((wall / lowerBound - 1) * 100).toFixed(1)}% over)`);
}

/** A fresh worker process and its RSS sampled every 250 ms (maxRss: the highest seen so far). */
async function watchedWorker(s: Stack) {
  const worker = await s.startWorkerProcess();
  const pid = worker.child.pid!;
  const start = memoryOf(pid);
  let max = start.rss;
  const sampler = setInterval(() => { max = Math.max(max, memoryOf(pid).rss); }, 250);
  return { worker, pid, start, maxRss: () => max, stopSampling: () => clearInterval(sampler) };
}

async function workerMemory(s: Stack): Promise<void> {
  // 2 deployments × 10 workloads × 25 concurrencies, one prompt per unit of concurrency; fast emulation.
  const perDep = MEMORY_POINTS / 2;
  const concurrency = Array.from({ length: 25 }, (_, i) => i + 1);
  const workloads = Array.from({ length: Math.ceil(perDep / concurrency.length) }, (_, i) => ({ isl: 500 + 100 * i, osl: 20 }));
  const plan = planFor(s, {
    name: 'memory', workloads,
    deployments: [
      { mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } },
      { mode: 'collocated', replicas: [1], tp: [2] },
    ],
    load: { concurrency, promptsPerConcurrency: 1 }, retries: 0,
  });
  await slowDown(s, 0.1);
  const { worker, pid, start, maxRss, stopSampling } = await watchedWorker(s);
  log(`${plan.estimate.points}-point sweep (${plan.deployments.length} deployments) on a fresh worker process (pid ${pid}, RSS ${start.rss.toFixed(0)} MB at start)`);
  let lastShown = 0;
  const { result, wall } = await runSweep(s, plan, (done) => {
    if (done - lastShown >= 100) {
      lastShown = done;
      log(`  ${done} points, worker RSS ${memoryOf(pid).rss.toFixed(0)} MB`);
    }
  });
  stopSampling();
  const end = memoryOf(pid);
  await s.killWorkerProcess(worker, 'SIGTERM');
  await s.sim.clearFaults();
  const ok = result.records.filter((r) => r.status === 'ok').length;
  log(`${ok}/${result.records.length} points ok in ${fmt(wall)} (${(wall / result.records.length).toFixed(2)} s per point), continued as new ${result.continuedAsNew}×`);
  log(`worker peak RSS (VmHWM) ${end.peak.toFixed(0)} MB (sampled max ${maxRss().toFixed(0)} MB, at the end ${end.rss.toFixed(0)} MB) — target under 400 MB: ${end.peak < 400 ? 'MET' : 'NOT MET'}`);
}

/** The history of a run as the server counts it (events, bytes), across its continue-as-new chain's latest run. */
async function historyOf(s: Stack, workflowId: string): Promise<{ events: number; bytes: number }> {
  const d = await s.t.env.client.workflow.getHandle(workflowId).describe();
  return { events: d.historyLength, bytes: Number(d.raw.workflowExecutionInfo?.historySizeBytes ?? 0) };
}

async function hugeSweep(s: Stack): Promise<void> {
  // 2 deployments × 50 workloads × 1,000 load levels = 100,000 points.
  const sweepDoc: SweepFile = {
    name: 'huge', model: { id: s.cluster.model.id, servedName: s.cluster.model.servedName },
    workloads: Array.from({ length: 50 }, (_, i) => ({ isl: 100 + 10 * i, osl: 4 })),
    deployments: [
      { mode: 'collocated', replicas: [1], tp: [1] },
      { mode: 'collocated', replicas: [1], tp: [2] },
    ],
    // One prompt a point: request rates that differ only to make 1,000 distinct load levels.
    load: { requestRate: Array.from({ length: 1000 }, (_, i) => 1000 + i), numPrompts: 1 },
    retries: 0, outputCheck: { enabled: false },
  };
  const { validateSweep } = await import('../src/config/index.js');
  const { planSweep } = await import('../src/plan/index.js');
  const v = validateSweep(sweepDoc, 'huge.yaml', { cluster: s.cluster });
  if (!v.ok) throw new Error(v.issues.map((i) => i.message).join('; '));
  let t0 = performance.now();
  const lazy = planSweep(s.cluster, v.value, { lazyPoints: true });
  const planLazyMs = performance.now() - t0;
  t0 = performance.now();
  const eager = planSweep(s.cluster, v.value);
  const planEagerMs = performance.now() - t0;
  log(`${lazy.estimate.points}-point sweep planned lazily in ${planLazyMs.toFixed(0)} ms (${(JSON.stringify(lazy).length / 1024).toFixed(1)} KB); eagerly in ${planEagerMs.toFixed(0)} ms (${(JSON.stringify(eager).length / 1e6).toFixed(1)} MB)`);

  await slowDown(s, 0.1);
  const { worker, pid, start, maxRss, stopSampling } = await watchedWorker(s);
  const h = await s.t.env.client.workflow.start(sweep, {
    taskQueue: s.taskQueue, workflowId: `pdflow-bench-huge-${Date.now()}`,
    args: [{ cluster: s.cluster, sweep: sweepDoc as unknown as Record<string, unknown>, options: { heartbeatTimeout: '30s' } }],
  });
  const started = performance.now();
  let firstRecordS: number | undefined;
  let lastShown = 0;
  let done = 0;
  const rows: string[] = [];
  while (done < HUGE_POINTS) {
    await new Promise((r) => setTimeout(r, 2000));
    const p = await h.query<{ done: number; failed: number; total: number }>('progress').catch(() => undefined);
    if (!p) continue;
    done = p.done + p.failed;
    if (done > 0 && firstRecordS === undefined) firstRecordS = (performance.now() - started) / 1000;
    if (done - lastShown >= 250) {
      lastShown = done;
      const hist = await historyOf(s, h.workflowId);
      rows.push(`| ${done} | ${memoryOf(pid).rss.toFixed(0)} | ${hist.events} | ${(hist.bytes / 1024).toFixed(0)} |`);
      log(`  ${done}/${p.total} points, worker RSS ${memoryOf(pid).rss.toFixed(0)} MB, history ${hist.events} events / ${(hist.bytes / 1024).toFixed(0)} KB`);
    }
  }
  const wall = (performance.now() - started) / 1000;
  const view = await h.query<{ records: unknown[]; recordWindow?: { from: number; total: number } }>('results');
  await h.cancel();
  await h.result().catch(() => undefined);
  stopSampling();
  const end = memoryOf(pid);
  await s.killWorkerProcess(worker, 'SIGTERM');
  await s.sim.clearFaults();
  console.log('');
  console.log('| points done | worker RSS MB | history events (current run) | history KB |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('');
  log(`start: ${firstRecordS?.toFixed(1)} s from the workflow's start to its first record (reads and plans the sweep itself, Ray gate, identity, deploy, one point)`);
  log(`${done} points in ${fmt(wall)} (${(wall / done).toFixed(2)} s per point); the state kept ${view.records.length} records (window ${JSON.stringify(view.recordWindow)})`);
  log(`worker peak RSS (VmHWM) ${end.peak.toFixed(0)} MB (sampled max ${maxRss().toFixed(0)} MB, ${start.rss.toFixed(0)} MB at start) — target bounded, under 400 MB: ${end.peak < 400 ? 'MET' : 'NOT MET'}`);
}

log(`${os.cpus().length} CPUs; preparing a simulated cluster (provision, build, ray at time scale ${PREP_SCALE})`);
const s = await startStack({ sim: { workers: 2, timeScale: PREP_SCALE } });
try {
  await prepareCluster(s);
  if (!flag('skip-lower-bound')) await sweepVsLowerBound(s);
  if (!flag('skip-memory')) await workerMemory(s);
  if (!flag('skip-huge')) await hugeSweep(s);
} finally {
  await s.teardown();
}
