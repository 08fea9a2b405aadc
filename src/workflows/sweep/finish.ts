// The end of a sweep: completed (outcome, store, the comparison with the last good run, the
// result), or stopped by a cancellation or a failure outside a point (GPUs released, the store
// told). Continue-as-new is not an end: sweep/handover.ts.
import { CancellationScope, isCancellation, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { RegressionVerdict } from '../../activities/store.js';
import { sweepOutcome } from '../../analysis/outcome.js';
import { reuseSummary } from '../../analysis/reuse.js';
import { failureReason } from '../../common/failures.js';
import { PdflowFailedPoints, PdflowOutcome, PdflowRegression } from '../../common/search-attributes.js';
import { gpuHours } from '../sweep-progress.js';
import type { SweepResult } from '../sweep-types.js';
import type { ActivityProxy } from './activities.js';
import type { DeploymentLifecycle } from './lifecycle.js';
import type { SweepRun } from './run.js';

export class SweepFinish {
  constructor(private readonly run: SweepRun, private readonly checks: ActivityProxy, private readonly lifecycle: DeploymentLifecycle) {}

  /** Every deployment is done: the outcome in the search attributes and the store, and the result. */
  async completed(): Promise<SweepResult> {
    const { run } = this;
    const { s, plan, cluster, opts, totalPoints } = run;
    run.status.endState = 'completed';
    run.status.current = {};
    const c = run.log.counts();
    const outcome = sweepOutcome(c);
    upsertSearchAttributes([{ key: PdflowOutcome, value: outcome }, { key: PdflowFailedPoints, value: c.failed }]);
    run.say(`done: ${outcome.toUpperCase()}`);
    const summary = `${outcome.toUpperCase()}: ${c.ok}/${totalPoints} points ok, ${c.failed} failed, ${plan.rejected.length} configs rejected` +
      (s.reuse ? `; ${reuseSummary(s.reuse.points, totalPoints, gpuHours(s.reuse.gpuSecondsSaved))}` : '');
    await run.store.end(outcome, { status: 'completed', failedDeployments: s.failedDeployments, gpuHours: gpuHours(s.gpuSecondsSpent), summary });
    const regression = opts.compareWithLastGood ? await this.compareWithLastGood() : undefined;
    return {
      sweep: plan.sweepName, cluster: cluster.name, outcome, ok: c.ok, failed: c.failed, records: s.records, ...run.log.windowOf(), failedDeployments: s.failedDeployments,
      rejected: plan.rejected, gpuHours: gpuHours(s.gpuSecondsSpent), seconds: (Date.now() - Date.parse(s.startedAt)) / 1000,
      summary, continuedAsNew: s.continuedAsNew,
      ...(plan.sla ? { sla: plan.sla } : {}), ...(s.outputChecks ? { outputChecks: s.outputChecks } : {}),
      ...(s.replacements ? { replacements: s.replacements } : {}), ...(s.teardownFailures ? { teardownFailures: s.teardownFailures } : {}),
      ...(s.searchAnswers ? { searchAnswers: s.searchAnswers } : {}),
      ...(s.reuse ? { reused: { points: s.reuse.points, gpuHoursSaved: gpuHours(s.reuse.gpuSecondsSaved) } } : {}),
      ...(regression ? { regression } : {}),
    };
  }

  /**
   * Cancelled, or failed outside a point: never leave GPUs held (the teardown runs even under a
   * cancellation), and the store gets the end. The caller rethrows `err`.
   */
  async stopped(err: unknown): Promise<void> {
    const { run } = this;
    const { s } = run;
    const dep = s.deployed ? run.deploymentById(s.deployed.deploymentId) : undefined;
    if (dep) await CancellationScope.nonCancellable(() => this.lifecycle.teardown(dep));
    const endState = run.status.endState = isCancellation(err) ? 'cancelled' : 'failed';
    upsertSearchAttributes([{ key: PdflowOutcome, value: endState }]);
    await CancellationScope.nonCancellable(() => run.store.end(endState === 'cancelled' ? 'cancelled' : sweepOutcome(run.log.counts()), { status: endState, failedDeployments: s.failedDeployments, gpuHours: gpuHours(s.gpuSecondsSpent), summary: `${endState}: ${failureReason(err)}` }));
  }

  /** The finished run against the last good run of the sweep: the verdict in PdflowRegression and the memo (a failed comparison is said, never fatal). */
  private async compareWithLastGood(): Promise<RegressionVerdict> {
    const { run } = this;
    run.say('comparing with the last good run of this sweep');
    const v = await this.checks.compareWithLastGood.executeWithOptions({ summary: 'compare with the last good run' }, [{ sweep: run.plan.sweepName, startedAt: run.s.startedAt }])
      .catch((err: unknown): RegressionVerdict => ({ verdict: 'none', summary: `the comparison with the last good run failed: ${failureReason(err)}`, reasons: [] }));
    upsertSearchAttributes([{ key: PdflowRegression, value: v.verdict }]);
    upsertMemo({ regression: v.summary });
    run.say(`done: ${v.summary}`);
    return v;
  }
}
