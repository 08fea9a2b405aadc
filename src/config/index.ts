// Cluster and sweep files: schemas, loaders and the problems they report. Pure: no I/O.
export {
  ClusterSchema, EnvValueSchema, ModelSchema, SEED_SOFTWARE, DEFAULT_WORKDIR,
  type ClusterConfig, type ClusterInput, type ClusterNode, type EnvValue, type ModelConfig, type SoftwarePin, type SoftwareSource,
} from './cluster.js';
export {
  SweepSchema, DeploymentEntrySchema, LoadSchema, SEARCH_LIMITS,
  type SweepConfig, type SearchLoadConfig, type SlaSearchConfig, type SweepInput, type DeploymentEntry, type PdDeploymentEntry, type CollocatedDeploymentEntry,
  type DeploymentMode, type Workload, type WorkloadMode, type LoadConfig, type BenchSettings, type SlaConfig, type KvBackend, type OutputCheckConfig,
} from './sweep.js';
export {
  expandDeployments, expandDeploymentEntry,
  type DeploymentShape, type PdShape, type CollocatedShape, type InstanceGroup,
} from './deployments.js';
export { TimingsSchema, type TimingsConfig } from './timings.js';
export { formatIssue, formatPath, formatValue, type ConfigIssue, type PathSegment } from './issues.js';
export {
  parseClusterYaml, parseSweepYaml, parseConfigYaml, validateCluster, validateSweep, checkSweepAgainstCluster,
  detectKind, detectKindOf, type ParseResult, type ConfigKind, type SweepCheckOptions, type AnyConfigResult,
} from './load.js';
export { DEFAULT_MAX_TP, largestNodeGpus } from './sweep-checks.js';
export { clusterJsonSchema, sweepJsonSchema } from './json-schema.js';
export { summarizeCluster, summarizeSweep } from './summary.js';
export { isPowerOfTwo } from './fields.js';
