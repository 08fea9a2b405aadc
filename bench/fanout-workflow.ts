// bench/fanout's workflow: one per-node step on every node at once, as the setup stages fan out.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import type { ClusterConfig } from '../src/config/index.js';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 1 } });

export async function fanoutProbe(input: { cluster: ClusterConfig; step: 'prepareNode' | 'inventoryNode' }): Promise<number> {
  const t = Date.now();
  await Promise.all(input.cluster.nodes.map((n) => acts[input.step]({ cluster: input.cluster, node: n.name })));
  return Date.now() - t;
}
