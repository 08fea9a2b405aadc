// The plan of a sweep: plain, JSON-serialisable data (no functions, no classes, no undefined
// values) so a workflow can carry it in its input and through continue-as-new.
import type { DeploymentMode, KvBackend, SlaConfig, SweepConfig, WorkloadMode } from '../config/index.js';
import type { BenchHardware, RecordFlag } from '../analysis/records.js';
import type { InstanceGroup } from '../config/deployments.js';

export type { DeploymentMode, KvBackend, WorkloadMode };
// Deployment shapes come from config, where checking a sweep file expands them (one direction
// only: config never imports plan).
export type { CollocatedShape, DeploymentShape, InstanceGroup, PdShape } from '../config/deployments.js';

export type RoleName = 'prefill' | 'decode' | 'replica';

/** One vLLM instance pinned to GPUs of one node. */
export interface PlacedInstance {
  role: RoleName;
  /** 0-based index within its role. */
  index: number;
  /** Cluster node name. */
  node: string;
  /** GPU indices on that node (as nvidia-smi / CUDA_VISIBLE_DEVICES count them). */
  gpus: number[];
}

export interface PlannedRole extends InstanceGroup {
  role: RoleName;
  instances: PlacedInstance[];
}

export type PointLoad =
  | { kind: 'concurrency'; concurrency: number; numPrompts: number }
  | { kind: 'request-rate'; requestRate: number; numPrompts: number; burstiness: number; maxConcurrency?: number };

export interface PlannedWorkload {
  isl: number;
  osl: number;
  mode: WorkloadMode;
}

export type SearchOver = 'concurrency' | 'requestRate';
/** bracket: doubling from min; bisect: between the last load met and the first missed; fill: extra curve points. */
export type SearchPhase = 'bracket' | 'bisect' | 'fill';

/** What the SLA search state machine needs (src/plan/sla-search.ts). */
export interface SlaSearchSpec {
  over: SearchOver;
  min: number;
  max: number;
  /** Relative: stop once the failing load is at most (1 + tolerance) x the load met. */
  tolerance: number;
  /** Extra curve points below the found load. */
  fill: number;
}

/** The most probes one search (one deployment, one workload) can take, by phase (each phase's own maximum). */
export interface SearchWorstCase {
  probes: number;
  bracket: number;
  bisect: number;
  fill: number;
}

/** How a probe's load becomes a benchmark point (the fields of a grid load of the same kind). */
export type ProbeLoadSettings =
  | { kind: 'concurrency'; promptsPerConcurrency: number }
  | { kind: 'request-rate'; numPrompts: number; burstiness: number; maxConcurrency?: number };

/** A sweep whose load is an SLA search: per deployment and workload, one search. */
export interface PlannedSearch extends SlaSearchSpec {
  /** The limits each probe is judged by (the search's own, else the sweep's). */
  sla: SlaConfig;
  probe: ProbeLoadSettings;
  /** Searched one after another on each deployment, in this order. */
  workloads: PlannedWorkload[];
  /** Per search; a deployment's pointCount is workloads x worstCase.probes. */
  worstCase: SearchWorstCase;
}

/** One benchmark run: a workload at a load level on a deployment. */
export interface PlannedPoint {
  /** `<deployment>/<workload>/<load>`, e.g. `pd-pack-1p-tp4-1d-tp4/isl5000-osl250/c16`. */
  id: string;
  /** 0-based position in the whole plan's run order. */
  index: number;
  deploymentId: string;
  /** e.g. `isl5000-osl250`, `isl5000-osl1-prefill-only`. */
  workloadId: string;
  /** e.g. `c16` (concurrency) or `rr2` (request rate). */
  loadId: string;
  workload: PlannedWorkload;
  load: PointLoad;
  /** Human label, e.g. `ISL 5000 / OSL 250, concurrency 16`. */
  label: string;
  /** Estimated benchmark seconds. */
  estimatedSeconds: number;
  /** Set on a point an SLA search picked: its number in its search (1 for the first) and the phase that picked it. */
  probe?: { number: number; phase: SearchPhase };
}

export interface DeploymentEstimate {
  deploySeconds: number;
  benchSeconds: number;
  teardownSeconds: number;
  totalSeconds: number;
  /** GPUs held x total time. */
  gpuHours: number;
}

interface PlannedBase {
  id: string;
  /** 0-based position in run order. */
  index: number;
  source: number;
  label: string;
  env: Record<string, string>;
  gpus: number;
  /** Nodes it occupies, in cluster order. */
  nodes: string[];
  /** Its points in run order; [] in a lazy plan (pointsOfDeployment makes them on demand). */
  points: PlannedPoint[];
  /** How many points it has (whether or not `points` holds them). */
  pointCount?: number;
  /** The plan-wide index of its first point. */
  firstPointIndex?: number;
  estimate: DeploymentEstimate;
  /** Its nodes' hardware as the cluster file declares it (every record of it carries this). */
  hardware?: BenchHardware;
  /** Known-bad stack flags (src/analysis/known-bad.ts): it runs, its points are never "best". */
  flags?: RecordFlag[];
}

export interface PlannedPdDeployment extends PlannedBase {
  mode: 'pd-pack' | 'pd-spread';
  backend: KvBackend;
  prefill: PlannedRole;
  decode: PlannedRole;
}

export interface PlannedCollocatedDeployment extends PlannedBase {
  mode: 'collocated';
  replicas: PlannedRole;
}

/** A deployment placed on the cluster, with its points in run order. */
export type PlannedDeployment = PlannedPdDeployment | PlannedCollocatedDeployment;

export type RejectionReason =
  | 'prefill-tp-exceeds-decode-tp'
  | 'tp-exceeds-node'
  | 'spread-needs-two-nodes'
  | 'gpus-short';

/** A deployment of the sweep that cannot run on this cluster, and why. */
export interface RejectedDeployment {
  id: string;
  source: number;
  mode: DeploymentMode;
  label: string;
  gpus: number;
  reason: RejectionReason;
  message: string;
}

/** The timing model used for the estimate (defaults < cluster file < sweep file < planSweep opts). */
export interface PlanTimings {
  deploySeconds: number;
  teardownSeconds: number;
  benchStartupSeconds: number;
  expectedTtftMs: number;
  expectedTpotMs: number;
  /** When set, every point is estimated at this many seconds. */
  benchSecondsPerPoint?: number;
}

export interface PlanEstimate {
  deployments: number;
  points: number;
  rejected: number;
  deploySeconds: number;
  benchSeconds: number;
  teardownSeconds: number;
  /** Lower bound of the sweep's wall time (no retries, no waits). */
  totalSeconds: number;
  /** Sum over deployments of GPUs held x time. */
  gpuHours: number;
  /** Every GPU of the cluster for the whole sweep: what the machines cost. */
  clusterGpuHours: number;
}

export interface Plan {
  version: 1;
  clusterName: string;
  sweepName: string;
  model: { id: string; servedName: string };
  /** Runnable deployments in run order; each is deployed once, runs all its points, is torn down. */
  deployments: PlannedDeployment[];
  /** Deployments of the sweep that cannot run on this cluster, with reasons (not errors). */
  rejected: RejectedDeployment[];
  /** Retries of a failing point before it is recorded as failed. */
  retries: number;
  /** A pause longer than this tears the deployment down. */
  pauseTeardownAfterMinutes: number;
  timeouts: SweepConfig['timeouts'];
  engine: SweepConfig['engine'];
  /** Absent in plans made before the output check existed (continue-as-new of an older run): off. */
  outputCheck?: SweepConfig['outputCheck'];
  /** Reuse of measured points, when the sweep file asks for it (run options may turn it on or off). */
  reuse?: { maxAgeHours: number };
  bench: SweepConfig['bench'];
  sla?: SlaConfig;
  /** One line per flagged deployment: `pdflow plan` prints them before anyone spends GPU-hours. */
  warnings?: string[];
  /**
   * Set in a lazy plan: deployments carry no point lists (a sweep of any size fits in memory and in
   * a workflow); their points come from these by pointsOfDeployment, the same as an eager plan's.
   */
  lazy?: { workloads: PlannedWorkload[]; loads: PointLoad[] };
  /**
   * Set when the load is an SLA search: deployments carry no points (the search picks each probe
   * at run time: probePoint); their pointCount and estimates are the worst case.
   */
  search?: PlannedSearch;
  timings: PlanTimings;
  estimate: PlanEstimate;
}
