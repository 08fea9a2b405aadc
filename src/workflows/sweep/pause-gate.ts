// The pause gate, passed before every step that starts something (a point, a deploy, a reuse
// lookup): a paused sweep holds here. A pause longer than the configured time tears the
// deployment down, so a forgotten pause does not keep the GPUs booked.
import { condition } from '@temporalio/workflow';
import type { PlannedDeployment } from '../../plan/types.js';
import type { HealthGate } from './health-gate.js';
import type { DeploymentLifecycle } from './lifecycle.js';
import type { SweepRun } from './run.js';

export class PauseGate {
  constructor(private readonly run: SweepRun, private readonly lifecycle: DeploymentLifecycle, private readonly health: HealthGate) {}

  /** Blocks while paused; `next` names what waits ("deploying ...", a point's label). */
  async hold(dep: PlannedDeployment, next: string): Promise<void> {
    const { run } = this;
    const { s, plan, opts } = run;
    if (!s.paused) return;
    run.status.holding = true;
    this.health.drop(); // stale by the time the pause ends
    try {
      run.say(`paused before ${next}`);
      if (!s.deployed) {
        await condition(() => !s.paused);
        return;
      }
      const teardownAfter = (opts.pauseTeardownAfterMinutes ?? plan.pauseTeardownAfterMinutes) * 60_000;
      const resumed = await condition(() => !s.paused, teardownAfter);
      if (!resumed) {
        await this.lifecycle.teardown(dep);
        run.say(`paused before ${next}; ${dep.label} torn down to free the GPUs`);
        await condition(() => !s.paused);
      }
    } finally {
      run.status.holding = false;
    }
  }
}
