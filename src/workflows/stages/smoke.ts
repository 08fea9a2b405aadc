// Smoke stage: deploy the smallest PD config, stream a completion, tear down (always).
import { CancellationScope } from '@temporalio/workflow';
import { stepActivities, type StepTimeouts } from '../activity-options.js';
import { StageTracker } from '../stage-progress.js';
import type { StageInput, StageResult } from '../stage-types.js';

export async function smokeStage(input: StageInput & StepTimeouts): Promise<StageResult> {
  const { cluster } = input;
  const acts = stepActivities(input);
  const t = new StageTracker(cluster.name, 'smoke', 3);
  t.step('planning the smallest PD deployment');
  const deployment = await acts.smokeDeployment.executeWithOptions({ summary: 'pick the smallest PD config' }, [{ cluster }]);
  try {
    t.step(`deploying ${deployment.label}`);
    await acts.deployServe.executeWithOptions({ summary: `deploy ${deployment.label}` }, [{ cluster, deployment, generation: 1 }]);
    t.nodeDone('deploy', deployment.label);
    t.step('streaming completion');
    const q = await acts.smokeQuery.executeWithOptions({ summary: 'streaming completion' }, [{ cluster }]);
    t.nodeDone('query', q.summary);
  } finally {
    await CancellationScope.nonCancellable(async () => {
      t.step(`tearing down ${deployment.label}`);
      const td = await acts.teardownServe.executeWithOptions({ summary: `tear down ${deployment.label}` }, [{ cluster, deployment, generation: 1 }]);
      t.nodeDone('teardown', td.summary);
    });
  }
  return { stage: 'smoke', nodes: t.nodes, warnings: [], seconds: t.seconds };
}
