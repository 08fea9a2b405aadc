// The stage activities, built on the SSH layer: one factory per stage, sharing the pool.
import type { ClusterConfig } from '../../config/index.js';
import type { SshPool } from '../ssh/pool.js';
import { resolveWorkdir } from '../ssh/workdir.js';
import { createNodeScripts } from '../node-scripts.js';
import { createProvisionActivities } from './provision.js';
import { createBuildActivities } from './build.js';
import { createRayActivities } from './ray.js';
import { createValidateActivities } from './validate.js';
import { createServeActivities } from './serve.js';
import { createBenchActivities } from './bench.js';
import { createGpuSamplingActivities } from './gpu-sampling.js';

export function createStageActivities(deps: { pool: () => SshPool; runsDir: string }) {
  const scripts = createNodeScripts(deps);
  const workdirOf = (cluster: ClusterConfig, node: string) => resolveWorkdir(deps.pool(), scripts.target(cluster, node));
  return {
    ...createProvisionActivities(scripts, workdirOf),
    ...createBuildActivities(scripts, workdirOf),
    ...createRayActivities(scripts, workdirOf),
    ...createValidateActivities(scripts, workdirOf),
    ...createServeActivities(scripts, workdirOf),
    ...createBenchActivities(scripts, workdirOf, deps),
    ...createGpuSamplingActivities(scripts, workdirOf, deps),
  };
}
