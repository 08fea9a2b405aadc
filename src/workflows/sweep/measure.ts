// Measuring a point: the benchmark (with GPU sampling), a failed one recorded with its cause, and
// the replacement of a deployment that died under it. A failure on a deployment that turns out
// dead (a node rebooted, Serve's controller was killed) is an aborted attempt: the deployment is
// replaced and the point measured again under a new job id.
import { ActivityFailure, isCancellation, log } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { AbortedAttempt, BenchPointRecord } from '../../analysis/records.js';
import { failureReason } from '../../common/failures.js';
import type { PlannedDeployment, PlannedPoint } from '../../plan/types.js';
import type { SweepActivities } from './activities.js';
import type { BringUp } from './bring-up.js';
import { shapeOf } from './deployment-shape.js';
import { failedRecord } from './failed-record.js';
import type { GpuSampling } from './gpu-sampling.js';
import type { HealthGate } from './health-gate.js';
import type { DeploymentLifecycle } from './lifecycle.js';
import type { NodeIdentities } from './node-identity.js';
import type { SweepRun } from './run.js';

/** Replacements of one deployment before its failing points are recorded as failed. */
export const MAX_REPLACEMENTS = 2;

export interface PointSteps {
  sampling: GpuSampling;
  identity: NodeIdentities;
  health: HealthGate;
  lifecycle: DeploymentLifecycle;
  bringUp: BringUp;
}

export class PointMeasure {
  constructor(
    private readonly run: SweepRun,
    private readonly acts: Pick<SweepActivities, 'point' | 'pointAttempts' | 'checks'>,
    private readonly steps: PointSteps,
    /** The 'pdflow-replace-dead-deployments' patch: sweeps begun before it record the failure as it is. */
    private readonly replacing: boolean,
  ) {}

  /**
   * Measures a point. A failure on a deployment that turns out dead is an aborted attempt: the
   * deployment is replaced (at most MAX_REPLACEMENTS times) and the point measured again under a
   * new job id. Undefined: the replacement would not come up (its points are recorded already).
   */
  async measure(dep: PlannedDeployment, point: PlannedPoint): Promise<BenchPointRecord | undefined> {
    const { run } = this;
    const { s } = run;
    const aborted: AbortedAttempt[] = [];
    const withAborted = (r: BenchPointRecord) => (aborted.length ? { ...r, abortedAttempts: aborted } : r);
    for (;;) {
      const r = await this.runPoint(dep, point, aborted.length);
      // Requests that failed in an "ok" point: the deployment may have died half-way through it.
      const suspect = r.status !== 'ok' || (r.metrics?.failed ?? 0) > 0;
      if (!suspect || !this.replacing) return withAborted(r);
      const used = s.replacements?.[dep.id] ?? 0;
      if (used >= MAX_REPLACEMENTS) return withAborted(r);
      const death = await this.deathOf();
      if (!death) return withAborted(r);
      aborted.push({ reason: r.reason ?? 'failed', deploymentState: death, startedAt: r.timings.startedAt, attempts: r.attempt });
      (s.replacements ??= {})[dep.id] = used + 1;
      run.status.lastError = `${dep.label} died during ${point.id}: ${death}`;
      log.warn('deployment died: replacing it and measuring the point again', { deployment: dep.label, point: point.id, death });
      try {
        await this.steps.lifecycle.abandon(dep, death);
      } catch (err) {
        if (isCancellation(err)) throw err;
        return withAborted({ ...r, reason: `${r.reason}; ${dep.label} died (${death}) and could not be cleaned up: ${failureReason(err)}` });
      }
      if (!(await this.steps.bringUp.readyFor(dep, point))) return undefined;
    }
  }

  /** One benchmark of the point; a failure (after its retries) is a failed record, never thrown. */
  private async runPoint(dep: PlannedDeployment, point: PlannedPoint, retake = 0): Promise<BenchPointRecord> {
    const { run } = this;
    const { cluster, plan } = run;
    const identityOf = (d: PlannedDeployment) => this.steps.identity.of(d);
    run.say(`bench ${point.label}${retake ? ` (again, on the replaced deployment)` : ''}${run.source.searchText()}`);
    const startedAt = new Date();
    try {
      return await this.steps.sampling.around(dep, point, () => this.acts.point.runBenchPoint.executeWithOptions({ summary: `bench ${point.id}${retake ? ` (retake ${retake})` : ''}` }, [{
        cluster, deployment: shapeOf(dep), point, sweepName: plan.sweepName, bench: plan.bench, ...(retake ? { retake } : {}),
        ...(identityOf(dep) ? { identity: identityOf(dep) } : {}),
      }]));
    } catch (err) {
      if (isCancellation(err)) throw err;
      const reason = failureReason(err);
      run.status.lastError = `${point.id}: ${reason}`;
      // Retries exhausted: every attempt ran. Otherwise (non-retryable) assume the first did.
      const attempts = err instanceof ActivityFailure && err.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED ? this.acts.pointAttempts : 1;
      return failedRecord(dep, point, reason, attempts, startedAt, identityOf(dep));
    }
  }

  /** Why the deployment that should be up is dead; undefined when it still serves. */
  private async deathOf(): Promise<string | undefined> {
    const { run } = this;
    run.say('a point failed: is the deployment still alive?');
    const health = await this.steps.health.check().catch((e: unknown) => ({ healthy: false, problems: [failureReason(e)] }));
    if (!health.healthy) return `Ray: ${health.problems.join('; ')}`;
    const st = await this.acts.checks.deploymentStatus.executeWithOptions({ summary: 'is the deployment alive?' }, [{ cluster: run.cluster }]);
    return st.status === 'healthy' ? undefined : `Serve ${st.status}${st.error ? `: ${st.error}` : ''}`;
  }
}
