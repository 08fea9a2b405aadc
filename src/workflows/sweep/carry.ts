// The state a sweep run starts from: a fresh one, or the one the previous run carried through
// continue-as-new. Pure, no Temporal (the workflow passes its own clock).
import type { SweepCarry } from '../sweep-types.js';

export function sweepState(carried: SweepCarry | undefined, now: Date): SweepCarry {
  const s: SweepCarry = carried ?? {
    records: [], failedDeployments: [], cursor: { deployment: 0, point: 0 }, generation: 0,
    paused: false, startedAt: now.toISOString(), gpuSecondsSpent: 0, continuedAsNew: 0,
  };
  // Carried by a version that did not note since when the deployment is held: from now on.
  if (s.deployed) s.deployed.heldSinceMs ??= now.getTime();
  return s;
}
