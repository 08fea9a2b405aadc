// A deployment's life in the sweep: deploy, teardown, the GPU time it held, and the forced
// cleanup (Ray stopped on every node) after a teardown that failed or a deployment that died.
// The carried state says which deployment is up (`deployed`), so a continue-as-new keeps it.
import { isCancellation, log } from '@temporalio/workflow';
import { failureReason } from '../../common/failures.js';
import type { PlannedDeployment } from '../../plan/types.js';
import { heldGpuSeconds } from '../sweep-progress.js';
import type { SweepActivities } from './activities.js';
import { shapeOf } from './deployment-shape.js';
import type { HealthGate } from './health-gate.js';
import type { SweepRun } from './run.js';

export class DeploymentLifecycle {
  constructor(
    private readonly run: SweepRun,
    private readonly acts: Pick<SweepActivities, 'deploy' | 'cleanup'>,
    private readonly health: HealthGate,
    /** The 'pdflow-replace-dead-deployments' patch: a failed teardown is followed by a forced cleanup, never thrown. */
    private readonly safeTeardown: boolean,
  ) {}

  async deploy(dep: PlannedDeployment): Promise<void> {
    const { run } = this;
    const { s, plan, cluster } = run;
    s.generation++;
    run.say(`deploying ${dep.label}`);
    // Owed a teardown from the moment the deploy starts: a deploy that fails or is cancelled
    // half-way may hold GPUs (replicas up, app never healthy).
    s.deployed = { deploymentId: dep.id, generation: s.generation, heldSinceMs: Date.now() };
    await this.acts.deploy.deployServe.executeWithOptions({ summary: `deploy ${dep.label}` }, [{
      cluster, deployment: shapeOf(dep), generation: s.generation, deployMinutes: plan.timeouts.deployMinutes, engine: plan.engine,
    }]);
  }

  /** Tears down the deployment that is up, if any (`dep` is it). */
  async teardown(dep: PlannedDeployment): Promise<void> {
    const { run } = this;
    const { s, cluster } = run;
    if (!s.deployed) return;
    run.say(`tearing down ${dep.label}`);
    try {
      await this.acts.deploy.teardownServe.executeWithOptions({ summary: `tear down ${dep.label}` }, [{ cluster, deployment: shapeOf(dep), generation: s.deployed.generation }]);
    } finally {
      this.bankGpuTime(dep);
      s.deployed = undefined;
    }
  }

  /**
   * The end of a deployment's points: the next deployment's health check starts now (`lookAhead`:
   * it needs no GPUs), then the teardown.
   */
  async release(dep: PlannedDeployment, lookAhead: boolean): Promise<void> {
    if (lookAhead) this.health.lookAhead();
    await (this.safeTeardown ? this.tearDownSafely(dep) : this.teardown(dep));
  }

  /** Moves the GPU time of the deployment that is up so far into gpuSecondsSpent. */
  bankGpuTime(dep: PlannedDeployment): void {
    const { s } = this.run;
    if (!s.deployed) return;
    const now = Date.now();
    s.gpuSecondsSpent += heldGpuSeconds(s.deployed.heldSinceMs, dep.gpus, now);
    s.deployed.heldSinceMs = now;
  }

  /**
   * A dead deployment's GPUs: Serve cannot be trusted to shut down what it no longer knows (a
   * restarted head, orphaned replicas), so Ray is stopped on every node; the health gate starts it again.
   */
  async abandon(dep: PlannedDeployment, death: string): Promise<void> {
    this.bankGpuTime(dep);
    this.run.s.deployed = undefined;
    await this.forceCleanup(`${dep.label} died: ${death}`);
  }

  /** Tears `dep` down; a failure is recorded with its cause and followed by the forced cleanup, never thrown. */
  private async tearDownSafely(dep: PlannedDeployment): Promise<void> {
    const { run } = this;
    try {
      await this.teardown(dep);
    } catch (err) {
      if (isCancellation(err)) throw err;
      const reason = failureReason(err);
      run.status.lastError = `teardown of ${dep.label}: ${reason}`;
      (run.s.teardownFailures ??= []).push({ deployment: dep.label, reason });
      log.warn('teardown failed: forced cleanup', { deployment: dep.label, error: reason });
      await this.forceCleanup(`teardown of ${dep.label} failed`).catch((e: unknown) => {
        if (isCancellation(e)) throw e;
        log.warn('forced cleanup failed: the next health gate repairs Ray', { error: failureReason(e) });
      });
    }
  }

  /** Ray stopped on every node (its replicas and engines with it); the next health gate starts it again. */
  private async forceCleanup(why: string): Promise<void> {
    const { run } = this;
    run.say(`forced cleanup: stopping Ray on every node (${why})`);
    this.health.drop();
    await Promise.all(run.cluster.nodes.map((n) => this.acts.cleanup.stopRay.executeWithOptions({ summary: `stop Ray on ${n.name}` }, [{ cluster: run.cluster, node: n.name }])));
  }
}
