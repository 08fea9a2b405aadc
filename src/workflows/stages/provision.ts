// Provision stage, per node in parallel: upload our scripts, check the inventory against the
// cluster file (GPUs, EFA, disk, Python), then the pinned Python stack and the model weights.
import { ApplicationFailure } from '@temporalio/workflow';
import { stepActivities, quickActivities, type StepTimeouts } from '../activity-options.js';
import { StageTracker } from '../stage-progress.js';
import type { StageInput, StageResult } from '../stage-types.js';

export async function provisionStage(input: StageInput & StepTimeouts): Promise<StageResult> {
  const { cluster } = input;
  const acts = stepActivities(input);
  const quick = quickActivities(input);
  const t = new StageTracker(cluster.name, 'provision', cluster.nodes.length);
  const warnings: string[] = [];
  // Every node finishes (or fails) before the stage reports: no job is left running unseen, and
  // the first failure is what the stage reports.
  const settled = await Promise.allSettled(cluster.nodes.map(async (n) => {
    try {
      t.step(`${n.name}: uploading scripts`);
      await quick.prepareNode.executeWithOptions({ summary: `upload scripts to ${n.name}` }, [{ cluster, node: n.name }]);
      t.step(`${n.name}: inventory`);
      let inv = await quick.inventoryNode.executeWithOptions({ summary: `inventory of ${n.name}` }, [{ cluster, node: n.name }]);
      if (inv.install) {
        // Only with provision.installPrerequisites: true; then the inventory must find them.
        t.step(`${n.name}: installing ${inv.install.packages.join(' ')}`);
        await acts.installPrerequisites.executeWithOptions({ summary: `build prerequisites on ${n.name}` }, [{ cluster, node: n.name, install: inv.install }]);
        inv = await quick.inventoryNode.executeWithOptions({ summary: `inventory of ${n.name}` }, [{ cluster, node: n.name }]);
        if (inv.install) throw ApplicationFailure.nonRetryable(`node ${n.name}: still missing after the install: ${inv.install.packages.join(' ')}`, 'MissingPrerequisites');
      }
      warnings.push(...inv.warnings);
      t.step(`${n.name}: Python env`);
      const env = await acts.setupPythonEnv.executeWithOptions({ summary: `Python env + model on ${n.name}` }, [{ cluster, node: n.name }]);
      t.nodeDone(n.name, `${inv.summary}; ${env.summary}`);
    } catch (err) {
      t.nodeFailed(n.name, (err as Error).message);
      throw err;
    }
  }));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return { stage: 'provision', nodes: t.nodes, warnings, seconds: t.seconds };
}
