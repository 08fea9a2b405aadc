// Ray stage: head first, then every worker in parallel, then wait until `ray status` shows
// every node and every GPU the cluster file declares.
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { stepActivities, type StepTimeouts } from '../activity-options.js';
import { StageTracker } from '../stage-progress.js';
import type { StageInput, StageResult } from '../stage-types.js';

export async function rayStage(input: StageInput & StepTimeouts & { readyTimeoutSeconds?: number }): Promise<StageResult> {
  const { cluster } = input;
  const acts = stepActivities(input);
  const head = cluster.nodes.find((n) => n.role === 'head')!;
  const workers = cluster.nodes.filter((n) => n.role !== 'head');
  const t = new StageTracker(cluster.name, 'ray', cluster.nodes.length + 1);

  t.step(`starting the Ray head on ${head.name}`);
  const h = await acts.startRay.executeWithOptions({ summary: `ray start --head on ${head.name}` }, [{ cluster, node: head.name }]);
  t.nodeDone(head.name, h.summary);
  await Promise.all(workers.map(async (w) => {
    const r = await acts.startRay.executeWithOptions({ summary: `ray start on ${w.name} (joins ${head.name})` }, [{ cluster, node: w.name }]);
    t.nodeDone(w.name, r.summary);
  }));

  t.step('waiting for every node and GPU in `ray status`');
  const wait = () => acts.waitForRay.executeWithOptions({ summary: 'ray status: every node and GPU' }, [{ cluster, timeoutSeconds: input.readyTimeoutSeconds ?? 120 }]);
  let health = await wait();
  // A raylet that registered and then died (or never showed in the node list) gets one more
  // start, as its own remote job (the first one's job has ended: re-reading it would restart
  // nothing); ray.sh restarts Ray on a node the GCS does not list as alive.
  const missing = workers.filter((w) => !health.nodes.some((n) => n.name === w.name));
  if (!health.healthy && missing.length > 0 && patched('pdflow-ray-start-again')) {
    t.step(`starting Ray again on ${missing.map((w) => w.name).join(', ')} (not in Ray after the first start)`);
    await Promise.all(missing.map(async (w) => {
      const r = await acts.startRay.executeWithOptions({ summary: `ray start on ${w.name} again (joins ${head.name})` }, [{ cluster, node: w.name, again: true }]);
      t.nodes[w.name] = `${r.summary} (second start)`;
    }));
    health = await wait();
  }
  if (!health.healthy) {
    throw ApplicationFailure.nonRetryable(
      `Ray is missing resources after ${input.readyTimeoutSeconds ?? 120}s: ${health.problems.join('; ')}. ` +
        `Check that the missing nodes are up and can reach the head on port ${cluster.ray.port}, then re-run the ray stage (\`pdflow run --stages ray\`).`,
      'GateFailed',
    );
  }
  t.nodeDone('cluster', health.summary);
  return { stage: 'ray', nodes: t.nodes, warnings: [], seconds: t.seconds };
}
