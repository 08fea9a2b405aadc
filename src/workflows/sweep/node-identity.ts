// What the GPU nodes are and run (GPU model, driver, CUDA, EFA, installed versions), read once per
// run before the first deploy or reuse lookup: every record names it. Without it (a sweep begun
// before this, or nodes that would not say) records keep the cluster file's declaration.
import { isCancellation, log } from '@temporalio/workflow';
import type { PointIdentity } from '../../activities/types.js';
import { hardwareOfIdentities, versionsOfIdentities } from '../../analysis/node-identity.js';
import { failureReason } from '../../common/failures.js';
import { softwareVersions } from '../../plan/plan.js';
import type { PlannedDeployment } from '../../plan/types.js';
import type { ActivityProxy } from './activities.js';
import type { SweepRun } from './run.js';

export class NodeIdentities {
  constructor(
    private readonly run: SweepRun,
    private readonly checks: ActivityProxy,
    /** The 'pdflow-node-identity' patch. */
    private readonly enabled: boolean,
  ) {}

  /** Reads every GPU node's identity into the state, once per run (carried across continue-as-new). */
  async identify(): Promise<void> {
    const { run } = this;
    const { s, cluster } = run;
    if (!this.enabled || s.identities) return;
    run.say('reading the nodes\' identity (GPUs, driver, CUDA, EFA, installed versions)');
    const gpuNodes = cluster.nodes.filter((n) => n.gpus.count > 0);
    const found = await Promise.all(gpuNodes.map((n) => this.checks.identifyNode.executeWithOptions({ summary: `identity of ${n.name}` }, [{ cluster, node: n.name }])
      .catch((err: unknown) => {
        if (isCancellation(err)) throw err;
        // Not worth failing a sweep over: its records then keep the cluster file's facts.
        log.warn('node identity unknown: records keep the cluster file\'s hardware and pins', { node: n.name, error: failureReason(err) });
        return undefined;
      })));
    s.identities = found.filter((i) => i !== undefined);
  }

  /** The hardware and versions a deployment's points ran on (absent: not identified; the plan's then). */
  of(dep: PlannedDeployment): PointIdentity | undefined {
    const { s, cluster } = this.run;
    if (!s.identities?.length) return undefined;
    const hardware = hardwareOfIdentities(s.identities, dep.nodes);
    return { ...(hardware ? { hardware } : {}), versions: versionsOfIdentities(s.identities, dep.nodes, softwareVersions(cluster)) };
  }
}
