// Sweep size limits as the CLI applies them (plan, run): refuse above the limit, warn above the sizes.
import { checkPlanSize } from '../plan/index.js';
import type { Plan } from '../plan/types.js';
import { BadInputError } from './errors.js';

/** A sweep above the size limit is refused before anything starts; above the warning sizes, said. */
export function requireSize(plan: Plan, limits: { maxPoints?: number } = {}): void {
  const check = checkPlanSize(plan, limits.maxPoints ? { maxPoints: limits.maxPoints } : {});
  if (check.refusal) throw new BadInputError(check.refusal);
  for (const w of check.warnings) console.error(`warning: ${w}`);
}

/** --max-points N: a whole number ≥ 1. */
export function maxPointsFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new BadInputError(`--max-points: "${v}" is not a whole number ≥ 1, e.g. --max-points 5000`);
  return n;
}
