// The sweep: per deployment — health gate, deploy, bench every point, teardown (always).
// The workflow's state is the source of truth for results; it continues as new when the
// server suggests it, carrying the plan, the cursor and every record.
import {
  condition, continueAsNew, executeChild, setHandler, workflowInfo, CancellationScope, ActivityFailure,
  ApplicationFailure, ContinueAsNew, isCancellation, setCurrentDetails, log, upsertSearchAttributes, upsertMemo, patched,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import { pauseSignal, resumeSignal, progressQuery, type RunProgress } from './messages.js';
import { sweepResultsQuery, type SweepInput, type SweepCarry, type SweepResult, type FailedDeployment } from './sweep-types.js';
import { stepActivities, quickActivities, NON_RETRYABLE } from './activity-options.js';
import { estimateRemainingSec, gpuHours } from './sweep-progress.js';
import { rayStage } from './stages/ray.js';
import type { AbortedAttempt, BenchPointRecord } from '../analysis/records.js';
import { pointRecord } from '../analysis/point-record.js';
import type { PlannedDeployment, PlannedPoint } from '../plan/types.js';
import { PdflowCluster, PdflowFailedPoints, PdflowOutcome, PdflowRegression, PdflowStage, PdflowSweep } from '../common/search-attributes.js';
import type { RegressionVerdict } from '../activities/store.js';
import { outcomeCounts, sweepOutcome } from '../analysis/outcome.js';
import { resultsStore } from './sweep-store.js';
import { requireRunInput, resolveRun } from './run-input.js';
import { clockTime } from '../common/clock-time.js';
import { failureReason } from '../common/failures.js';
import type { ClusterConfig } from '../config/index.js';
import type { Plan } from '../plan/types.js';
import { pointCountOf, pointsOfDeployment } from '../plan/plan.js';
import { nextProbe, probeOutcomeOf, recordProbe, searchAnswer, searchProgressText, startSearch, type NextProbe, type SearchState } from '../plan/sla-search.js';
import { probePoint, searchSpecOf } from '../plan/search-points.js';
import { workloadId } from '../plan/expand.js';
import type { SweepOptions } from './sweep-types.js';
import { outputChecker, type OutputChecker } from './output-check.js';
import { withFlags } from '../analysis/known-bad.js';
import { benchWindowOf, deploymentHourlyUsd, withGpuSummary } from '../analysis/point-energy.js';
import { reusedRecord, reuseSummary } from '../analysis/reuse.js';
import { hardwareOfIdentities, versionsOfIdentities } from '../analysis/node-identity.js';
import { softwareVersions } from '../plan/plan.js';
import type { PointIdentity } from '../activities/types.js';

async function resolvedSweep(input: SweepInput, opts: SweepOptions): Promise<{ cluster: ClusterConfig; plan: Plan }> {
  try {
    const run = await resolveRun({ cluster: input.cluster, sweep: input.plan ? undefined : input.sweep }, { heartbeatTimeout: opts.heartbeatTimeout, maxPoints: opts.maxPoints });
    return { cluster: run.cluster, plan: input.plan ?? run.plan! };
  } catch (err) {
    upsertSearchAttributes([{ key: PdflowStage, value: 'sweep' }, { key: PdflowOutcome, value: 'failed' }]);
    throw err;
  }
}

export async function sweep(input: SweepInput): Promise<SweepResult> {
  requireRunInput(input, 'sweep');
  const opts = input.options ?? {};
  // A plan and a checked cluster come from the pipeline or continue-as-new; anything else is read,
  // checked and planned here (a short input from the Web UI or `temporal workflow start`).
  const given = input.plan && typeof input.cluster === 'object' ? { cluster: input.cluster as ClusterConfig, plan: input.plan } : undefined;
  if (!given && !input.plan && input.sweep === undefined) {
    throw ApplicationFailure.nonRetryable('the sweep workflow\'s input needs "sweep": a sweep YAML file\'s path on the worker\'s machine, or the sweep document itself', 'ConfigError');
  }
  const { cluster, plan } = given ?? await resolvedSweep(input, opts);
  const timeouts = { heartbeatTimeout: opts.heartbeatTimeout };
  const acts = stepActivities(timeouts, { startToCloseTimeout: `${plan.timeouts.deployMinutes + 5} minutes` });
  const pointAttempts = 1 + (opts.pointRetries ?? plan.retries);
  const pointActs = stepActivities(timeouts, {
    startToCloseTimeout: `${plan.timeouts.pointMinutes} minutes`,
    retry: { maximumAttempts: pointAttempts, initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
  });
  const checks = quickActivities(timeouts);
  const s: SweepCarry = input.carried ?? {
    records: [], failedDeployments: [], cursor: { deployment: 0, point: 0 }, generation: 0,
    paused: false, startedAt: new Date().toISOString(), gpuSecondsSpent: 0, continuedAsNew: 0,
  };
  if (s.deployed) s.deployed.heldSinceMs ??= Date.now();
  // Every record goes to the results store as it is made; the state keeps the recent ones and the
  // counts, so a sweep of any size has a bounded state (runs carried before this kept them all).
  const recordWindow = Math.max(1, opts.recordWindow ?? RECORD_WINDOW);
  const tally = s.tally ??= { ok: s.records.filter((r) => r.status === 'ok').length, failed: s.records.filter((r) => r.status !== 'ok').length };
  const counts = () => ({ ok: tally.ok, failed: tally.failed });
  const recordCount = () => tally.ok + tally.failed;
  /** Drops the oldest records the store has confirmed, down to the window. */
  const trimRecords = () => {
    const unstored = new Set(s.unstored ?? []);
    while (s.records.length > recordWindow && !unstored.has(s.recordsFrom ?? 0)) {
      s.records.shift();
      s.recordsFrom = (s.recordsFrom ?? 0) + 1;
    }
  };
  /** The current deployment's points (a lazy plan makes them per deployment; never all at once). */
  let pointsCache: { id: string; points: PlannedPoint[] } | undefined;
  const pointsOf = (dep: PlannedDeployment): PlannedPoint[] => {
    if (pointsCache?.id !== dep.id) pointsCache = { id: dep.id, points: pointsOfDeployment(plan, dep) };
    return pointsCache.points;
  };
  // However the run was started (CLI, Web UI, Temporal CLI, schedule), it is listed and filterable.
  upsertSearchAttributes([
    { key: PdflowCluster, value: cluster.name }, { key: PdflowStage, value: 'sweep' }, { key: PdflowSweep, value: plan.sweepName },
    { key: PdflowOutcome, value: 'running' }, { key: PdflowFailedPoints, value: counts().failed },
  ]);
  const totalPoints = plan.deployments.reduce((n, d) => n + pointCountOf(d), 0);
  const store = resultsStore({
    sweep: plan.sweepName, cluster: cluster.name, startedAt: s.startedAt, rejected: plan.rejected, totalPoints,
    ...(plan.sla ? { sla: plan.sla } : {}), ...(workflowInfo().parent ? { parentWorkflowId: workflowInfo().parent!.workflowId } : {}),
  }, s);
  /** Records a point's result, in the workflow and the results store; failures show at once in the Web UI (PdflowFailedPoints). */
  const record = (r0: BenchPointRecord) => {
    // The output check's verdict on the deployment goes with every point measured on it.
    const r = checker && r0.status === 'ok' ? withFlags(r0, checker.flagsOf(r0.deployment.id)) : r0;
    s.records.push(r);
    if (r.status === 'ok') tally.ok++;
    else tally.failed++;
    if (r.status !== 'ok') upsertSearchAttributes([{ key: PdflowFailedPoints, value: counts().failed }]);
    store.record(recordCount() - 1);
    trimRecords();
  };
  let activity = 'starting';
  let current: { deployment?: string; point?: string } = {};
  let lastError: string | undefined;
  let endState: RunProgress['state'] | undefined;
  /** In the pause gate (a pause signal only takes effect after the point in flight). */
  let holding = false;

  const progress = (): RunProgress => {
    const { ok: done, failed } = counts();
    const heldGpus = s.deployed ? deploymentById(s.deployed.deploymentId)?.gpus ?? 0 : 0;
    const liveGpuSec = s.deployed ? (Date.now() - (s.deployed.heldSinceMs ?? Date.now())) / 1000 * heldGpus : 0;
    return {
      kind: 'sweep', cluster: cluster.name, state: endState ?? (holding ? 'paused' : 'running'),
      activity: s.paused && !holding && !endState ? `${activity} (pause requested: stops after this step)` : activity, current,
      done, failed, total: totalPoints, remaining: totalPoints - recordCount(),
      startedAt: s.startedAt, stepStartedAt, asOf: new Date().toISOString(), elapsedSec: (Date.now() - Date.parse(s.startedAt)) / 1000,
      etaSec: estimateRemainingSec(plan, s),
      gpuHours: gpuHours(s.gpuSecondsSpent + liveGpuSec), heldGpus, lastError,
    };
  };
  setHandler(progressQuery, progress);
  /** Set when the state holds only the recent records: the rest are in the results store. */
  const windowOf = () => (s.recordsFrom ? { recordWindow: { from: s.recordsFrom, total: recordCount() } } : {});
  setHandler(sweepResultsQuery, () => ({
    records: s.records, ...windowOf(), failedDeployments: s.failedDeployments, rejected: plan.rejected,
    ...(plan.sla ? { sla: plan.sla } : {}), ...(s.outputChecks ? { outputChecks: s.outputChecks } : {}),
    ...(s.searchAnswers ? { searchAnswers: s.searchAnswers } : {}),
  }));
  setHandler(pauseSignal, () => { s.paused = true; });
  setHandler(resumeSignal, () => { s.paused = false; });

  let stepStartedAt = s.startedAt;
  const say = (what: string) => {
    activity = what;
    stepStartedAt = new Date().toISOString();
    // Absolute times: an elapsed figure would freeze between workflow tasks.
    setCurrentDetails(`**sweep ${plan.sweepName}** on ${cluster.name}: ${what} — ${recordCount()}/${totalPoints} points (${outcomeCounts(counts())})\n\nrun started ${clockTime(s.startedAt)}; this step started ${clockTime(stepStartedAt)}`);
  };
  /** Deployments of this run that are not in the plan (output-check references). */
  const extraDeployments = new Map<string, PlannedDeployment>();
  function deploymentById(id: string): PlannedDeployment | undefined {
    return plan.deployments.find((d) => d.id === id) ?? extraDeployments.get(id);
  }

  const deploy = async (dep: PlannedDeployment, o = { deployMinutes: plan.timeouts.deployMinutes, engine: plan.engine }) => {
    s.generation++;
    say(`deploying ${dep.label}`);
    // Owed a teardown from the moment the deploy starts: a deploy that fails or is cancelled
    // half-way may hold GPUs (replicas up, app never healthy).
    s.deployed = { deploymentId: dep.id, generation: s.generation, heldSinceMs: Date.now() };
    await acts.deployServe.executeWithOptions({ summary: `deploy ${dep.label}` }, [{ cluster, deployment: shapeOf(dep), generation: s.generation, ...o }]);
  };
  const teardown = async (dep: PlannedDeployment) => {
    if (!s.deployed) return;
    say(`tearing down ${dep.label}`);
    try {
      await acts.teardownServe.executeWithOptions({ summary: `tear down ${dep.label}` }, [{ cluster, deployment: shapeOf(dep), generation: s.deployed.generation }]);
    } finally {
      bankGpuTime(dep);
      s.deployed = undefined;
    }
  };
  /** Moves the GPU time of the deployment that is up so far into gpuSecondsSpent. */
  function bankGpuTime(dep: PlannedDeployment) {
    if (!s.deployed) return;
    const now = Date.now();
    s.gpuSecondsSpent += ((now - (s.deployed.heldSinceMs ?? now)) / 1000) * dep.gpus;
    s.deployed.heldSinceMs = now;
  }

  // Sweeps begun before the output check existed replay without it.
  const checker: OutputChecker | undefined = plan.outputCheck?.enabled && patched('pdflow-output-check') ? outputChecker({
    cluster, settings: plan.outputCheck, maxModelLen: plan.engine.maxModelLen, state: s, acts, store: checks, say,
    referenceDeployment: (tp, node) => checks.referenceDeployment.executeWithOptions({ summary: `plan a collocated TP${tp} reference` }, [{ cluster, tp, node }]),
    withDeployment: async (ref, use) => {
      extraDeployments.set(ref.id, ref);
      try {
        await deploy(ref);
        await use();
      } finally {
        await teardown(ref);
      }
    },
  }) : undefined;

  const checkRay = () => checks.checkRayHealth.executeWithOptions({ summary: 'Ray health gate' }, [{ cluster }]);
  /** The next deployment's health check, taken while the previous one is torn down (dropped on a pause). */
  let healthAhead: Promise<Awaited<ReturnType<typeof checkRay>> | undefined> | undefined;

  /** Ray must see every node and GPU before a deployment; if not, re-run the ray stage once. */
  const healthGate = async () => {
    say('checking Ray health');
    const ahead = healthAhead;
    healthAhead = undefined;
    const health = (ahead && (await ahead)) ?? (await checkRay());
    if (health.healthy) return;
    log.warn('Ray unhealthy before deployment; repairing with the ray stage', { missing: health.problems });
    say(`repairing Ray: ${health.problems.join('; ')}`);
    await executeChild(rayStage, {
      workflowId: `${workflowInfo().workflowId}-ray-repair-${s.cursor.deployment}-${s.generation}`,
      args: [{ cluster, heartbeatTimeout: opts.heartbeatTimeout }],
      staticSummary: `repair Ray before ${plan.deployments[s.cursor.deployment]?.label ?? 'deployment'}`,
      typedSearchAttributes: [{ key: PdflowCluster, value: cluster.name }, { key: PdflowStage, value: 'ray' }],
    });
  };

  /** Blocks while paused; a pause longer than the configured time tears the deployment down. */
  const pauseGate = async (dep: PlannedDeployment, next: string) => {
    if (!s.paused) return;
    holding = true;
    healthAhead = undefined; // stale by the time the pause ends
    try {
      say(`paused before ${next}`);
      if (!s.deployed) {
        await condition(() => !s.paused);
        return;
      }
      const teardownAfter = (opts.pauseTeardownAfterMinutes ?? plan.pauseTeardownAfterMinutes) * 60_000;
      const resumed = await condition(() => !s.paused, teardownAfter);
      if (!resumed) {
        await teardown(dep);
        say(`paused before ${next}; ${dep.label} torn down to free the GPUs`);
        await condition(() => !s.paused);
      }
    } finally {
      holding = false;
    }
  };

  // An SLA search picks each probe from the last one's verdict (deterministic: plan/sla-search.ts);
  // a grid runs the plan's points. Either way the cursor counts the deployment's points done.
  const search = plan.search;
  /** The search in progress on the current deployment (a new deployment starts at its first workload). */
  const searchNow = (): { workload: number; state: SearchState } => s.search ?? { workload: 0, state: startSearch(searchSpecOf(search!)) };
  let probeAsked: { workload: number; probe: NextProbe } | undefined;
  /** The deployment's next point, or undefined when its points (or searches) are done. */
  const nextPoint = (dep: PlannedDeployment): PlannedPoint | undefined => {
    if (!search) return s.cursor.point < pointCountOf(dep) ? pointsOf(dep)[s.cursor.point] : undefined;
    const now = searchNow();
    const probe = now.workload < search.workloads.length ? nextProbe(now.state) : null;
    probeAsked = probe ? { workload: now.workload, probe } : undefined;
    return probe ? probePoint(plan, dep, now.workload, probe) : undefined;
  };
  /** A search takes the point's verdict against its SLA; a finished search's answer is kept and the next workload's begins. */
  const afterPoint = (dep: PlannedDeployment, r: BenchPointRecord) => {
    if (!search || !probeAsked) return;
    const state = recordProbe(searchNow().state, probeAsked.probe.load, probeOutcomeOf(r, search.sla));
    const w = probeAsked.workload;
    probeAsked = undefined;
    if (nextProbe(state)) {
      s.search = { workload: w, state };
      return;
    }
    (s.searchAnswers ??= {})[`${dep.id}/${workloadId(search.workloads[w]!)}`] = searchAnswer(state);
    s.search = { workload: w + 1, state: startSearch(searchSpecOf(search)) };
  };
  /** The points a deployment that will not come up leaves unmeasured: the grid's rest, or each search's next probe. */
  const pointsLeft = (dep: PlannedDeployment): PlannedPoint[] => {
    if (!search) return pointsOf(dep).slice(s.cursor.point);
    const now = searchNow();
    const out: PlannedPoint[] = [];
    for (let w = now.workload; w < search.workloads.length; w++) {
      const probe = nextProbe(w === now.workload ? now.state : startSearch(searchSpecOf(search)));
      if (probe) out.push(probePoint(plan, dep, w, probe));
    }
    return out;
  };
  const searchText = () => (search && s.search ? ` — ${searchProgressText(s.search.state)}` : '');

  // What the GPU nodes are and run, asked once per run (records name it; sweeps begun before this
  // replay without it and keep the cluster file's declaration).
  const identifying = patched('pdflow-node-identity');
  const identifyNodes = async () => {
    if (!identifying || s.identities) return;
    say('reading the nodes\' identity (GPUs, driver, CUDA, EFA, installed versions)');
    const gpuNodes = cluster.nodes.filter((n) => n.gpus.count > 0);
    const found = await Promise.all(gpuNodes.map((n) => checks.identifyNode.executeWithOptions({ summary: `identity of ${n.name}` }, [{ cluster, node: n.name }])
      .catch((err: unknown) => {
        if (isCancellation(err)) throw err;
        // Not worth failing a sweep over: its records then keep the cluster file's facts.
        log.warn('node identity unknown: records keep the cluster file\'s hardware and pins', { node: n.name, error: failureReason(err) });
        return undefined;
      })));
    s.identities = found.filter((i) => i !== undefined);
  };
  /** The hardware and versions a deployment's points ran on (absent: not identified; the plan's then). */
  const identityOf = (dep: PlannedDeployment): PointIdentity | undefined => {
    if (!s.identities?.length) return undefined;
    const hardware = hardwareOfIdentities(s.identities, dep.nodes);
    return { ...(hardware ? { hardware } : {}), versions: versionsOfIdentities(s.identities, dep.nodes, softwareVersions(cluster)) };
  };

  /** The finished run against the last good run of the sweep: the verdict in PdflowRegression and the memo (a failed comparison is said, never fatal). */
  const compareWithLastGood = async (): Promise<RegressionVerdict> => {
    say('comparing with the last good run of this sweep');
    const v = await checks.compareWithLastGood.executeWithOptions({ summary: 'compare with the last good run' }, [{ sweep: plan.sweepName, startedAt: s.startedAt }])
      .catch((err: unknown): RegressionVerdict => ({ verdict: 'none', summary: `the comparison with the last good run failed: ${failureReason(err)}`, reasons: [] }));
    upsertSearchAttributes([{ key: PdflowRegression, value: v.verdict }]);
    upsertMemo({ regression: v.summary });
    say(`done: ${v.summary}`);
    return v;
  };

  // Reuse (opt-in): a point whose content key has a good record in the store is copied, not measured;
  // a deployment whose every point is reused is never deployed. Sweeps begun before this replay without it.
  const reuse = opts.reuse === false ? undefined : opts.reuse ?? plan.reuse;
  const reusing = reuse !== undefined && patched('pdflow-reuse');
  const reusable = async (dep: PlannedDeployment, point: PlannedPoint): Promise<BenchPointRecord | undefined> => {
    if (!reusing) return undefined;
    if (s.paused) await pauseGate(dep, point.label);
    await identifyNodes();
    const id = identityOf(dep);
    if (!id) return undefined; // what the nodes run is unknown: nothing can be known to match
    say(`looking for a reusable record of ${point.label}`);
    const wanted = pointRecord(dep, point, {
      status: 'ok', attempt: 1, startedAt: new Date().toISOString(), durationSec: 0, model: cluster.model.id, versions: id.versions, ...(id.hardware ? { hardware: id.hardware } : {}),
    });
    const found = await checks.findReusableRecord.executeWithOptions({ summary: `reuse ${point.id}?` }, [{ record: wanted, maxAgeHours: reuse.maxAgeHours }]);
    if (!found) return undefined;
    s.reuse = { points: (s.reuse?.points ?? 0) + 1, gpuSecondsSaved: (s.reuse?.gpuSecondsSaved ?? 0) + (found.record.metrics?.durationSec ?? 0) * dep.gpus };
    return reusedRecord(found.record, found, point);
  };

  /** Health gate and deploy. One that will not come up is recorded, torn down, and its remaining points failed. */
  const bringUp = async (dep: PlannedDeployment): Promise<boolean> => {
    try {
      await healthGate();
      await identifyNodes();
      await checker?.ensureReference(dep);
      await deploy(dep);
      await checker?.check(dep, s.generation);
      return true;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const reason = failureReason(err);
      lastError = `${dep.label}: ${reason}`;
      s.failedDeployments.push({ deployment: dep.label, reason } satisfies FailedDeployment);
      for (const point of pointsLeft(dep)) record(failedRecord(dep, point, `deployment did not come up: ${reason}`, 0, new Date(), identityOf(dep)));
      await teardown(dep).catch((e: unknown) => log.warn('teardown after a failed deploy failed', { deployment: dep.label, error: failureReason(e) }));
      return false;
    }
  };

  /**
   * Holds while paused, and brings the deployment up when it is not (first point, or a long pause
   * tore it down). A pause that arrives during the health gate, a repair or the deploy holds
   * before the point, never after it. False: the deployment would not come up.
   */
  const readyFor = async (dep: PlannedDeployment, point: PlannedPoint): Promise<boolean> => {
    for (;;) {
      // Paused: nothing new starts, not even the next deployment's deploy.
      await pauseGate(dep, s.deployed ? point.label : `deploying ${dep.label}`);
      if (s.deployed) return true;
      if (!(await bringUp(dep))) return false;
    }
  };

  // Every GPU node of the deployment samples nvidia-smi and the EFA counters during each point (sweeps
  // begun before this replay without it); sampling that fails costs the point nothing but its summary.
  const sampling = patched('pdflow-gpu-sampling');
  const samplingActs = stepActivities(timeouts, { startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3 } });
  const hourlyUsd = (dep: PlannedDeployment) => deploymentHourlyUsd(cluster, dep);
  const measureGpus = async (dep: PlannedDeployment, point: PlannedPoint, bench: () => Promise<BenchPointRecord>): Promise<BenchPointRecord> => {
    if (!sampling) return bench();
    const target = { cluster, deployment: shapeOf(dep), pointId: point.id };
    await samplingActs.startGpuSampling.executeWithOptions({ summary: `sample GPUs for ${point.id}` }, [{ ...target, maxSeconds: plan.timeouts.pointMinutes * 60 + 600 }])
      .catch((err: unknown) => {
        if (isCancellation(err)) throw err;
        log.warn('GPU sampling did not start', { point: point.id, error: failureReason(err) });
      });
    let r: BenchPointRecord | undefined;
    try {
      r = await bench();
    } finally {
      // Always stopped, also when the point failed or was cancelled.
      const gpu = await CancellationScope.nonCancellable(() => samplingActs.stopGpuSampling.executeWithOptions({ summary: `GPU samples of ${point.id}` }, [{ ...target, ...(r?.metrics ? { window: benchWindowOf(r) } : {}) }]))
        .catch((err: unknown) => {
          log.warn('GPU samples not read', { point: point.id, error: failureReason(err) });
          return undefined;
        });
      if (r) r = withGpuSummary(r, gpu, hourlyUsd(dep));
    }
    return r;
  };

  const runPoint = async (dep: PlannedDeployment, point: PlannedPoint, retake = 0): Promise<BenchPointRecord> => {
    say(`bench ${point.label}${retake ? ` (again, on the replaced deployment)` : ''}${searchText()}`);
    const startedAt = new Date();
    try {
      return await measureGpus(dep, point, () => pointActs.runBenchPoint.executeWithOptions({ summary: `bench ${point.id}${retake ? ` (retake ${retake})` : ''}` }, [{
        cluster, deployment: shapeOf(dep), point, sweepName: plan.sweepName, bench: plan.bench, ...(retake ? { retake } : {}),
        ...(identityOf(dep) ? { identity: identityOf(dep) } : {}),
      }]));
    } catch (err) {
      if (isCancellation(err)) throw err;
      const reason = failureReason(err);
      lastError = `${point.id}: ${reason}`;
      // Retries exhausted: every attempt ran. Otherwise (non-retryable) assume the first did.
      const attempts = err instanceof ActivityFailure && err.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED ? pointAttempts : 1;
      return failedRecord(dep, point, reason, attempts, startedAt, identityOf(dep));
    }
  };

  // A deployment that dies mid-sweep (a node reboots, Serve's controller is killed) is noticed when
  // a point fails, replaced, and the point measured again; a teardown that fails is followed by a
  // forced cleanup and never fails the sweep. Sweeps begun before this replay without it.
  const replacing = patched('pdflow-replace-dead-deployments');
  const cleanupActs = stepActivities(timeouts, {
    startToCloseTimeout: '10 minutes',
    // A rebooting node takes minutes to answer SSH again.
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '60 seconds', maximumAttempts: 12, nonRetryableErrorTypes: NON_RETRYABLE },
  });

  /** Why the deployment that should be up is dead; undefined when it still serves. */
  const deathOf = async (): Promise<string | undefined> => {
    say('a point failed: is the deployment still alive?');
    const health = await checkRay().catch((e: unknown) => ({ healthy: false, problems: [failureReason(e)] }));
    if (!health.healthy) return `Ray: ${health.problems.join('; ')}`;
    const st = await checks.deploymentStatus.executeWithOptions({ summary: 'is the deployment alive?' }, [{ cluster }]);
    return st.status === 'healthy' ? undefined : `Serve ${st.status}${st.error ? `: ${st.error}` : ''}`;
  };

  /** Ray stopped on every node (its replicas and engines with it); the next health gate starts it again. */
  const forceCleanup = async (why: string) => {
    say(`forced cleanup: stopping Ray on every node (${why})`);
    healthAhead = undefined;
    await Promise.all(cluster.nodes.map((n) => cleanupActs.stopRay.executeWithOptions({ summary: `stop Ray on ${n.name}` }, [{ cluster, node: n.name }])));
  };

  /** Tears `dep` down; a failure is recorded with its cause and followed by the forced cleanup, never thrown. */
  const tearDownSafely = async (dep: PlannedDeployment) => {
    try {
      await teardown(dep);
    } catch (err) {
      if (isCancellation(err)) throw err;
      const reason = failureReason(err);
      lastError = `teardown of ${dep.label}: ${reason}`;
      (s.teardownFailures ??= []).push({ deployment: dep.label, reason });
      log.warn('teardown failed: forced cleanup', { deployment: dep.label, error: reason });
      await forceCleanup(`teardown of ${dep.label} failed`).catch((e: unknown) => {
        if (isCancellation(e)) throw e;
        log.warn('forced cleanup failed: the next health gate repairs Ray', { error: failureReason(e) });
      });
    }
  };

  /**
   * A dead deployment's GPUs: Serve cannot be trusted to shut down what it no longer knows (a
   * restarted head, orphaned replicas), so Ray is stopped on every node; the health gate starts it again.
   */
  const abandon = async (dep: PlannedDeployment, death: string) => {
    bankGpuTime(dep);
    s.deployed = undefined;
    await forceCleanup(`${dep.label} died: ${death}`);
  };

  /**
   * Measures a point. A failure on a deployment that turns out dead is an aborted attempt: the
   * deployment is replaced (at most MAX_REPLACEMENTS times) and the point measured again under a
   * new job id. Undefined: the replacement would not come up (its points are recorded already).
   */
  const measure = async (dep: PlannedDeployment, point: PlannedPoint): Promise<BenchPointRecord | undefined> => {
    const aborted: AbortedAttempt[] = [];
    const withAborted = (r: BenchPointRecord) => (aborted.length ? { ...r, abortedAttempts: aborted } : r);
    for (;;) {
      const r = await runPoint(dep, point, aborted.length);
      // Requests that failed in an "ok" point: the deployment may have died half-way through it.
      const suspect = r.status !== 'ok' || (r.metrics?.failed ?? 0) > 0;
      if (!suspect || !replacing) return withAborted(r);
      const used = s.replacements?.[dep.id] ?? 0;
      if (used >= MAX_REPLACEMENTS) return withAborted(r);
      const death = await deathOf();
      if (!death) return withAborted(r);
      aborted.push({ reason: r.reason ?? 'failed', deploymentState: death, startedAt: r.timings.startedAt, attempts: r.attempt });
      (s.replacements ??= {})[dep.id] = used + 1;
      lastError = `${dep.label} died during ${point.id}: ${death}`;
      log.warn('deployment died: replacing it and measuring the point again', { deployment: dep.label, point: point.id, death });
      try {
        await abandon(dep, death);
      } catch (err) {
        if (isCancellation(err)) throw err;
        return withAborted({ ...r, reason: `${r.reason}; ${dep.label} died (${death}) and could not be cleaned up: ${failureReason(err)}` });
      }
      if (!(await readyFor(dep, point))) return undefined;
    }
  };

  try {
    if (!input.carried) await store.start();
    for (; s.cursor.deployment < plan.deployments.length; s.cursor = { deployment: s.cursor.deployment + 1, point: 0 }) {
      const dep = plan.deployments[s.cursor.deployment]!;
      current = { deployment: dep.label };
      for (let point = nextPoint(dep); point; point = nextPoint(dep)) {
        current = { deployment: dep.label, point: point.label };
        const reused = await reusable(dep, point);
        const r = reused ?? ((await readyFor(dep, point)) ? await measure(dep, point) : undefined);
        if (!r) break;
        record(r);
        afterPoint(dep, r);
        s.cursor.point++;
        if (workflowInfo().continueAsNewSuggested && nextPoint(dep)) {
          bankGpuTime(dep);
          s.continuedAsNew++;
          await continueAsNew<typeof sweep>({ cluster, plan, options: input.options, carried: s });
        }
      }
      s.search = undefined;
      // The next deployment's health gate needs no GPUs: check Ray while this one is torn down.
      if (s.deployed && !s.paused && !workflowInfo().continueAsNewSuggested && s.cursor.deployment + 1 < plan.deployments.length) healthAhead = checkRay().catch(() => undefined);
      await (replacing ? tearDownSafely(dep) : teardown(dep));
      if (workflowInfo().continueAsNewSuggested && s.cursor.deployment + 1 < plan.deployments.length) {
        s.cursor = { deployment: s.cursor.deployment + 1, point: 0 };
        s.continuedAsNew++;
        await continueAsNew<typeof sweep>({ cluster, plan, options: input.options, carried: s });
      }
    }
  } catch (err) {
    // Continue-as-new is thrown too: the deployment stays up for the next run (it carries `deployed`).
    if (err instanceof ContinueAsNew) throw err;
    // Cancellation or a failure outside a point: never leave GPUs held.
    const dep = s.deployed ? deploymentById(s.deployed.deploymentId) : undefined;
    if (dep) await CancellationScope.nonCancellable(() => teardown(dep));
    endState = isCancellation(err) ? 'cancelled' : 'failed';
    upsertSearchAttributes([{ key: PdflowOutcome, value: endState }]);
    const stopped = endState;
    await CancellationScope.nonCancellable(() => store.end(stopped === 'cancelled' ? 'cancelled' : sweepOutcome(counts()), { status: stopped, failedDeployments: s.failedDeployments, gpuHours: gpuHours(s.gpuSecondsSpent), summary: `${endState}: ${failureReason(err)}` }));
    throw err;
  }
  endState = 'completed';
  current = {};
  const c = counts();
  const outcome = sweepOutcome(c);
  upsertSearchAttributes([{ key: PdflowOutcome, value: outcome }, { key: PdflowFailedPoints, value: c.failed }]);
  say(`done: ${outcome.toUpperCase()}`);
  const summary = `${outcome.toUpperCase()}: ${c.ok}/${totalPoints} points ok, ${c.failed} failed, ${plan.rejected.length} configs rejected` +
    (s.reuse ? `; ${reuseSummary(s.reuse.points, totalPoints, gpuHours(s.reuse.gpuSecondsSaved))}` : '');
  await store.end(outcome, { status: 'completed', failedDeployments: s.failedDeployments, gpuHours: gpuHours(s.gpuSecondsSpent), summary });
  const regression = opts.compareWithLastGood ? await compareWithLastGood() : undefined;
  return {
    sweep: plan.sweepName, cluster: cluster.name, outcome, ok: c.ok, failed: c.failed, records: s.records, ...windowOf(), failedDeployments: s.failedDeployments,
    rejected: plan.rejected, gpuHours: gpuHours(s.gpuSecondsSpent), seconds: (Date.now() - Date.parse(s.startedAt)) / 1000,
    summary, continuedAsNew: s.continuedAsNew,
    ...(plan.sla ? { sla: plan.sla } : {}), ...(s.outputChecks ? { outputChecks: s.outputChecks } : {}),
    ...(s.replacements ? { replacements: s.replacements } : {}), ...(s.teardownFailures ? { teardownFailures: s.teardownFailures } : {}),
    ...(s.searchAnswers ? { searchAnswers: s.searchAnswers } : {}),
    ...(s.reuse ? { reused: { points: s.reuse.points, gpuHoursSaved: gpuHours(s.reuse.gpuSecondsSaved) } } : {}),
    ...(regression ? { regression } : {}),
  };
}

/** Records the state keeps (the newest); every record is in the results store. */
const RECORD_WINDOW = 500;

/** Replacements of one deployment before its failing points are recorded as failed. */
const MAX_REPLACEMENTS = 2;

/**
 * The deployment as activities get it: without its point list, which they never read and which
 * made every activity's input (and so the history) grow with the sweep (~350 B a point).
 */
function shapeOf(dep: PlannedDeployment): PlannedDeployment {
  return { ...dep, points: [] };
}

/** `attempts`: how many times the bench ran (0: never, its deployment did not come up). */
function failedRecord(dep: PlannedDeployment, point: PlannedPoint, reason: string, attempts: number, startedAt = new Date(), identity?: PointIdentity): BenchPointRecord {
  return pointRecord(dep, point, {
    status: 'failed', reason, attempt: attempts, startedAt: startedAt.toISOString(), durationSec: (Date.now() - startedAt.getTime()) / 1000,
    ...(identity?.hardware ? { hardware: identity.hardware } : {}), ...(identity ? { versions: identity.versions } : {}),
  });
}
