// The contracts between workflows and activities: the inputs every step activity takes. A leaf
// module (types only) that workflows may import; activities never import src/workflows.
import type { ClusterConfig } from '../config/cluster.js';
import type { BenchHardware } from '../analysis/records.js';

/** Input of every per-node activity. */
export interface NodeStepInput {
  cluster: ClusterConfig;
  node: string;
}

/** Input of activities that drive the cluster from its head node. */
export interface ClusterStepInput {
  cluster: ClusterConfig;
}

/** What a point ran on, as the nodes reported it (the sweep reads it once per run). */
export interface PointIdentity {
  hardware?: BenchHardware;
  versions: Record<string, string>;
}
