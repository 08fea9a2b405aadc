import type { Plan } from './types.js';

/** Why a plan has nothing to run (every deployment rejected), or undefined when it has points. A
 * sweep with nothing to run is bad input, never a no-op run that ends green. */
export function unrunnableReason(plan: Plan): string | undefined {
  if (plan.estimate.points > 0) return undefined;
  const why = plan.rejected.map((r) => `  ${r.label}: ${r.message}`).join('\n');
  return `sweep ${plan.sweepName} has no point that can run on cluster ${plan.clusterName}` +
    `${why ? `; every deployment was rejected:\n${why}` : ''}\n  fix the sweep's deployments (see \`pdflow plan\`) or use a cluster with the GPUs they need`;
}
