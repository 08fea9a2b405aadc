// The sweep's patch ids. Each feature added while sweeps were running is behind a patched() id, so
// those runs replay without it. patched() records a marker the first time it is asked, and a
// replay must meet the markers in the order the run recorded them: so they are asked here, once
// each, in the order every sweep so far asked them (right after the search attributes), and only
// under the conditions they always were. Never reorder, drop or add a condition to one.
import { patched } from '@temporalio/workflow';
import type { Plan } from '../../plan/types.js';
import type { SweepOptions } from '../sweep-types.js';

export interface SweepPatches {
  /** Records, the run's start and its end go to the results store. */
  resultsStore: boolean;
  /** Each deployment's answers are checked against a collocated reference (asked only when the sweep turns the check on). */
  outputCheck: boolean;
  /** The GPU nodes' identity is read once per run (records name it). */
  nodeIdentity: boolean;
  /** Reuse of stored records: its settings, when the run opted in (asked only then). */
  reuse?: { maxAgeHours: number };
  /** GPUs and EFA counters are sampled around each point. */
  gpuSampling: boolean;
  /** A deployment that died mid-sweep is replaced and the point measured again; a failed teardown is followed by a forced cleanup. */
  replaceDeadDeployments: boolean;
  /**
   * The store's writes in flight finish before a continue-as-new, and a continued run writes
   * again at its start the records its predecessor did not get into the store (before, they
   * waited for the sweep's end and held the record window open: the state outgrew 2 MB).
   */
  storeSettles: boolean;
}

export function askSweepPatches(plan: Plan, opts: SweepOptions): SweepPatches {
  const resultsStore = patched('pdflow-results-store');
  const outputCheck = !!plan.outputCheck?.enabled && patched('pdflow-output-check');
  const nodeIdentity = patched('pdflow-node-identity');
  // Opt-in (`pdflow run --reuse`, the sweep file's reuse); false never reuses.
  const reuse = opts.reuse === false ? undefined : opts.reuse ?? plan.reuse;
  const reusing = reuse !== undefined && patched('pdflow-reuse');
  const gpuSampling = patched('pdflow-gpu-sampling');
  const replaceDeadDeployments = patched('pdflow-replace-dead-deployments');
  const storeSettles = patched('pdflow-store-settles');
  return { resultsStore, outputCheck, nodeIdentity, ...(reusing ? { reuse } : {}), gpuSampling, replaceDeadDeployments, storeSettles };
}
