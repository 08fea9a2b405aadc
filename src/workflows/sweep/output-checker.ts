// The output-correctness check in the sweep (workflows/output-check.ts does the checking): its
// reference deployments are deployed and torn down like the sweep's own, so their GPU time and
// teardown are the sweep's; the points of a deployment whose answers differ are flagged.
import type { BenchPointRecord } from '../../analysis/records.js';
import { withFlags } from '../../analysis/known-bad.js';
import type { OutputCheckConfig } from '../../config/index.js';
import { outputChecker, type OutputChecker } from '../output-check.js';
import type { SweepActivities } from './activities.js';
import type { DeploymentLifecycle } from './lifecycle.js';
import type { SweepRun } from './run.js';

export function sweepOutputChecker(run: SweepRun, settings: OutputCheckConfig, acts: Pick<SweepActivities, 'deploy' | 'checks'>, lifecycle: DeploymentLifecycle): OutputChecker {
  const { cluster, plan, s } = run;
  return outputChecker({
    cluster, settings, maxModelLen: plan.engine.maxModelLen, state: s, acts: acts.deploy, store: acts.checks, say: (what) => run.say(what),
    referenceDeployment: (tp, node) => acts.checks.referenceDeployment.executeWithOptions({ summary: `plan a collocated TP${tp} reference` }, [{ cluster, tp, node }]),
    withDeployment: async (ref, use) => {
      run.extraDeployments.set(ref.id, ref);
      try {
        await lifecycle.deploy(ref);
        await use();
      } finally {
        await lifecycle.teardown(ref);
      }
    },
  });
}

/** The output check's verdict on the deployment goes with every ok point measured on it. */
export function withOutputFlags(checker: OutputChecker | undefined, r: BenchPointRecord): BenchPointRecord {
  return checker && r.status === 'ok' ? withFlags(r, checker.flagsOf(r.deployment.id)) : r;
}
