// The Ray health gate before each deployment: Ray must see every node and GPU; if not, the ray
// stage runs again (a child workflow) once. The next deployment's check may be taken ahead,
// while the previous deployment is torn down (it needs no GPUs).
import { executeChild, log, workflowInfo } from '@temporalio/workflow';
import { PdflowCluster, PdflowStage } from '../../common/search-attributes.js';
import { rayStage } from '../stages/ray.js';
import type { ActivityProxy } from './activities.js';
import type { SweepRun } from './run.js';

type RayHealth = Awaited<ReturnType<ActivityProxy['checkRayHealth']>>;

export class HealthGate {
  /** The next deployment's check, taken ahead (undefined when it failed: the gate asks again). */
  private ahead: Promise<RayHealth | undefined> | undefined;

  constructor(private readonly run: SweepRun, private readonly checks: ActivityProxy) {}

  /** Ray's view of the nodes, now. */
  check(): Promise<RayHealth> {
    return this.checks.checkRayHealth.executeWithOptions({ summary: 'Ray health gate' }, [{ cluster: this.run.cluster }]);
  }

  /** Starts the next deployment's check now. */
  lookAhead(): void {
    this.ahead = this.check().catch(() => undefined);
  }

  /** Forgets the check taken ahead: stale after a pause or a forced cleanup. */
  drop(): void {
    this.ahead = undefined;
  }

  /** Passes when Ray is healthy, or once the ray stage has repaired it. */
  async pass(): Promise<void> {
    const { run } = this;
    const { s, plan, cluster } = run;
    run.say('checking Ray health');
    const ahead = this.ahead;
    this.ahead = undefined;
    const health = (ahead && (await ahead)) ?? (await this.check());
    if (health.healthy) return;
    log.warn('Ray unhealthy before deployment; repairing with the ray stage', { missing: health.problems });
    run.say(`repairing Ray: ${health.problems.join('; ')}`);
    await executeChild(rayStage, {
      workflowId: `${workflowInfo().workflowId}-ray-repair-${s.cursor.deployment}-${s.generation}`,
      args: [{ cluster, heartbeatTimeout: run.opts.heartbeatTimeout }],
      staticSummary: `repair Ray before ${plan.deployments[s.cursor.deployment]?.label ?? 'deployment'}`,
      typedSearchAttributes: [{ key: PdflowCluster, value: cluster.name }, { key: PdflowStage, value: 'ray' }],
    });
  }
}
