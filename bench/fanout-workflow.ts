// bench/fanout's workflow: one per-node step on every node at once, as the setup stages fan out.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import type { ClusterConfig } from '../src/config/index.js';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '30 seconds', retry: { maximumAttempts: 1 } });

export type FanoutStep = 'prepareNode' | 'inventoryNode' | 'waitJob';

export async function fanoutProbe(input: { cluster: ClusterConfig; step: FanoutStep; waitSeconds?: number }): Promise<number> {
  const t = Date.now();
  await Promise.all(input.cluster.nodes.map((n) => input.step === 'waitJob'
    // A remote job that waits on the node, as most of a real node's setup work does (pip, builds, downloads on its own CPUs).
    ? acts.remoteJob({ node: { cluster: input.cluster, node: n.name }, step: 'fanout-wait', argv: ['sleep', String(input.waitSeconds ?? 2)] })
    : acts[input.step]({ cluster: input.cluster, node: n.name })));
  return Date.now() - t;
}
