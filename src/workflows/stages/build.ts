// Build stage, per node in parallel (head included): UCX with EFA, then NIXL against it.
// Each build is a remote job (re-attached after a worker crash) and is skipped when its marker
// and the installed tool agree.
import { stepActivities, type StepTimeouts } from '../activity-options.js';
import { StageTracker } from '../stage-progress.js';
import type { StageInput, StageResult } from '../stage-types.js';

export async function buildStage(input: StageInput & StepTimeouts): Promise<StageResult> {
  const { cluster } = input;
  const acts = stepActivities(input);
  const t = new StageTracker(cluster.name, 'build', cluster.nodes.length);
  // Every node finishes (or fails) before the stage reports: no job is left running unseen, and
  // the first failure is what the stage reports.
  const settled = await Promise.allSettled(cluster.nodes.map(async (n) => {
    try {
      t.step(`${n.name}: UCX`);
      const ucx = await acts.buildUcx.executeWithOptions({ summary: `build UCX on ${n.name}` }, [{ cluster, node: n.name }]);
      t.step(`${n.name}: NIXL`);
      const nixl = await acts.buildNixl.executeWithOptions({ summary: `build NIXL on ${n.name}` }, [{ cluster, node: n.name }]);
      t.nodeDone(n.name, `${ucx.summary}; ${nixl.summary}`);
    } catch (err) {
      t.nodeFailed(n.name, (err as Error).message);
      throw err;
    }
  }));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return { stage: 'build', nodes: t.nodes, warnings: [], seconds: t.seconds };
}
