// Bringing a deployment up for its next point: the pause gate, the Ray health gate, the nodes'
// identity, the output check's reference, the deploy and the output check. A deployment that
// will not come up is recorded, torn down, and its remaining points recorded as failed.
import { isCancellation, log } from '@temporalio/workflow';
import { failureReason } from '../../common/failures.js';
import type { PlannedDeployment, PlannedPoint } from '../../plan/types.js';
import type { OutputChecker } from '../output-check.js';
import type { FailedDeployment } from '../sweep-types.js';
import { failedRecord } from './failed-record.js';
import type { HealthGate } from './health-gate.js';
import type { DeploymentLifecycle } from './lifecycle.js';
import type { NodeIdentities } from './node-identity.js';
import type { PauseGate } from './pause-gate.js';
import type { SweepRun } from './run.js';

export class BringUp {
  constructor(
    private readonly run: SweepRun,
    private readonly gates: { pause: PauseGate; health: HealthGate },
    private readonly identity: NodeIdentities,
    private readonly lifecycle: DeploymentLifecycle,
    private readonly checker: OutputChecker | undefined,
  ) {}

  /**
   * Holds while paused, and brings the deployment up when it is not (first point, or a long pause
   * tore it down). A pause that arrives during the health gate, a repair or the deploy holds
   * before the point, never after it. False: the deployment would not come up.
   */
  async readyFor(dep: PlannedDeployment, point: PlannedPoint): Promise<boolean> {
    const { s } = this.run;
    for (;;) {
      // Paused: nothing new starts, not even the next deployment's deploy.
      await this.gates.pause.hold(dep, s.deployed ? point.label : `deploying ${dep.label}`);
      if (s.deployed) return true;
      if (!(await this.bringUp(dep))) return false;
    }
  }

  /** Health gate and deploy. False: it would not come up (recorded, torn down, its points failed). */
  private async bringUp(dep: PlannedDeployment): Promise<boolean> {
    const { run, checker } = this;
    try {
      await this.gates.health.pass();
      await this.identity.identify();
      await checker?.ensureReference(dep);
      await this.lifecycle.deploy(dep);
      await checker?.check(dep, run.s.generation);
      return true;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const reason = failureReason(err);
      run.status.lastError = `${dep.label}: ${reason}`;
      run.s.failedDeployments.push({ deployment: dep.label, reason } satisfies FailedDeployment);
      for (const point of run.source.left(dep)) run.record(failedRecord(dep, point, `deployment did not come up: ${reason}`, 0, new Date(), this.identity.of(dep)));
      await this.lifecycle.teardown(dep).catch((e: unknown) => log.warn('teardown after a failed deploy failed', { deployment: dep.label, error: failureReason(e) }));
      return false;
    }
  }
}
