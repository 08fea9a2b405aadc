// Sweep planning: expansion, placement, feasibility, ordering, estimates. Pure: no I/O.
export { planSweep, planPoints, pointsOfDeployment, pointCountOf, gpuNodesOf, softwareVersions, type PlanOptions } from './plan.js';
export { expandLoad, workloadId, loadId, pointLabel } from './expand.js';
export { expandDeployments, expandDeploymentEntry } from '../config/index.js';
export { placeDeployment, type GpuNode, type PlacementResult } from './place.js';
export { DEFAULT_TIMINGS, resolveTimings, estimatePointSeconds, formatDuration } from './estimate.js';
export { formatPlan, placementText, gpuRanges, searchText, searchWorstCaseText } from './format.js';
export {
  startSearch, nextProbe, recordProbe, searchAnswer, searchProgressText, worstCaseProbes, slaVerdict, probeOutcomeOf, midpoint,
  type SearchState, type SearchProbe, type NextProbe, type ProbeOutcome, type ProbeResult, type SearchAnswer, type SearchStatus,
} from './sla-search.js';
export { plannedSearch, probeLoad, probePoint, searchSpecOf, worstCaseSeconds } from './search-points.js';
export type * from './types.js';
export { NODE_CONSTRAINTS_FILE, nodePins, nodeStackLines, parseConstraints, weightsFor } from './node-stack.js';
export { unrunnableReason } from './runnable.js';
export { checkPlanSize, DEFAULT_SIZE_LIMITS, type SizeLimits, type SizeCheck } from './size-limits.js';
