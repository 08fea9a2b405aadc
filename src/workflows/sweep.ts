// The sweep: per deployment — health gate, deploy, bench every point, teardown (always).
// The workflow's state is the source of truth for results; it continues as new when the
// server suggests it, carrying the plan, the cursor and the recent records (all are in the store).
//
// Laid out as Temporal's safe-message-handlers sample: a state object (sweep/run.ts) with the
// handlers' bodies, small steps that read and change it (sweep/*.ts), and this loop, which waits
// for handlers in flight before continuing as new or returning. The order of what it asks of
// Temporal (search attributes, patch markers, activities) is the recorded history of running
// sweeps: keep it.
import { allHandlersFinished, ApplicationFailure, ContinueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { PdflowCluster, PdflowFailedPoints, PdflowOutcome, PdflowStage, PdflowSweep } from '../common/search-attributes.js';
import type { ClusterConfig } from '../config/index.js';
import { pointCountOf } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { pauseSignal, resumeSignal, progressQuery } from './messages.js';
import { requireRunInput, resolveRun } from './run-input.js';
import { resultsStore } from './sweep-store.js';
import { sweepResultsQuery, type SweepInput, type SweepOptions, type SweepResult } from './sweep-types.js';
import { sweepActivities } from './sweep/activities.js';
import { BringUp } from './sweep/bring-up.js';
import { sweepState } from './sweep/carry.js';
import { SweepFinish } from './sweep/finish.js';
import { handlersFinished, HandOver } from './sweep/handover.js';
import { HealthGate } from './sweep/health-gate.js';
import { DeploymentLifecycle } from './sweep/lifecycle.js';
import { PointMeasure } from './sweep/measure.js';
import { GpuSampling } from './sweep/gpu-sampling.js';
import { NodeIdentities } from './sweep/node-identity.js';
import { sweepOutputChecker, withOutputFlags } from './sweep/output-checker.js';
import { askSweepPatches } from './sweep/patches.js';
import { PauseGate } from './sweep/pause-gate.js';
import { PointSource } from './sweep/point-source.js';
import { RecordLog } from './sweep/record-log.js';
import { PointReuse } from './sweep/reuse.js';
import { SweepRun } from './sweep/run.js';

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

  // The state, then (in this order) the search attributes and the patch markers.
  const s = sweepState(input.carried, new Date());
  const log = new RecordLog(s, opts.recordWindow);
  // However the run was started (CLI, Web UI, Temporal CLI, schedule), it is listed and filterable.
  upsertSearchAttributes([
    { key: PdflowCluster, value: cluster.name }, { key: PdflowStage, value: 'sweep' }, { key: PdflowSweep, value: plan.sweepName },
    { key: PdflowOutcome, value: 'running' }, { key: PdflowFailedPoints, value: log.counts().failed },
  ]);
  const patches = askSweepPatches(plan, opts);
  const totalPoints = plan.deployments.reduce((n, d) => n + pointCountOf(d), 0);
  const parent = workflowInfo().parent;
  const store = resultsStore({
    sweep: plan.sweepName, cluster: cluster.name, startedAt: s.startedAt, rejected: plan.rejected, totalPoints,
    ...(plan.sla ? { sla: plan.sla } : {}), ...(parent ? { parentWorkflowId: parent.workflowId } : {}),
  }, s, patches.resultsStore);
  const run = new SweepRun({ cluster, plan, opts, s, log, source: new PointSource(plan, s), store, totalPoints });
  setHandler(progressQuery, () => run.progress());
  setHandler(sweepResultsQuery, () => run.results());
  setHandler(pauseSignal, () => run.pause());
  setHandler(resumeSignal, () => run.resume());

  // The steps, each over the run's state.
  const acts = sweepActivities(plan, opts);
  const health = new HealthGate(run, acts.checks);
  const lifecycle = new DeploymentLifecycle(run, acts, health, patches.replaceDeadDeployments);
  const pause = new PauseGate(run, lifecycle, health);
  const identity = new NodeIdentities(run, acts.checks, patches.nodeIdentity);
  const checker = patches.outputCheck && plan.outputCheck ? sweepOutputChecker(run, plan.outputCheck, acts, lifecycle) : undefined;
  const bringUp = new BringUp(run, { pause, health }, identity, lifecycle, checker);
  const sampling = new GpuSampling(run, acts.sampling, patches.gpuSampling);
  const measure = new PointMeasure(run, acts, { sampling, identity, health, lifecycle, bringUp }, patches.replaceDeadDeployments);
  const reuse = new PointReuse(run, acts.checks, { pause, identity }, patches.reuse);
  const handOver = new HandOver({ cluster, plan, options: input.options }, s, patches.storeSettles ? () => store.settle() : undefined);
  const finish = new SweepFinish(run, acts.checks, lifecycle);
  const hasNextDeployment = () => s.cursor.deployment + 1 < plan.deployments.length;

  try {
    if (!input.carried) await store.start();
    else if (patches.storeSettles) store.retryCarried();
    for (; s.cursor.deployment < plan.deployments.length; s.cursor = { deployment: s.cursor.deployment + 1, point: 0 }) {
      const dep = plan.deployments[s.cursor.deployment]!;
      run.status.current = { deployment: dep.label };
      for (let point = run.source.next(dep); point; point = run.source.next(dep)) {
        run.status.current = { deployment: dep.label, point: point.label };
        const reused = await reuse.find(dep, point);
        const r = reused ?? ((await bringUp.readyFor(dep, point)) ? await measure.measure(dep, point) : undefined);
        if (!r) break;
        run.record(withOutputFlags(checker, r));
        run.source.took(dep, r);
        // Mid-deployment: the deployment stays up, the next run carries it.
        if (handOver.suggested() && run.source.next(dep)) {
          lifecycle.bankGpuTime(dep);
          await handOver.now();
        }
      }
      run.source.endDeployment();
      await lifecycle.release(dep, !!s.deployed && !s.paused && !handOver.suggested() && hasNextDeployment());
      if (handOver.suggested() && hasNextDeployment()) {
        s.cursor = { deployment: s.cursor.deployment + 1, point: 0 };
        await handOver.now();
      }
    }
  } catch (err) {
    // Continue-as-new is thrown too: the deployment stays up for the next run (it carries `deployed`).
    if (err instanceof ContinueAsNew) throw err;
    await finish.stopped(err);
    throw err;
  }
  const result = await finish.completed();
  if (!allHandlersFinished()) await handlersFinished();
  return result;
}

async function resolvedSweep(input: SweepInput, opts: SweepOptions): Promise<{ cluster: ClusterConfig; plan: Plan }> {
  try {
    const run = await resolveRun({ cluster: input.cluster, sweep: input.plan ? undefined : input.sweep }, { heartbeatTimeout: opts.heartbeatTimeout, maxPoints: opts.maxPoints });
    return { cluster: run.cluster, plan: input.plan ?? run.plan! };
  } catch (err) {
    upsertSearchAttributes([{ key: PdflowStage, value: 'sweep' }, { key: PdflowOutcome, value: 'failed' }]);
    throw err;
  }
}
