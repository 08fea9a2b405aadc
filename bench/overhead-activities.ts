// bench/overhead's one activity: the trivial command on the node, through pdflow's SSH pool.
import type { SshPool } from '../src/activities/ssh/pool.js';
import { execOnNode } from '../src/activities/ssh/exec.js';
import type { NodeTarget } from '../src/activities/ssh/targets.js';

export function overheadActivities(pool: SshPool, target: NodeTarget, argv: string[]) {
  return {
    async runTrivialStep(): Promise<void> {
      await execOnNode(pool, target, argv);
    },
  };
}
export type OverheadActivities = ReturnType<typeof overheadActivities>;
