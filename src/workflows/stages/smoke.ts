// Smoke stage: deploy the smallest PD config, stream a completion, check its answers against a
// collocated reference (made here when the results store has none), tear down (always).
import { ApplicationFailure, CancellationScope, patched } from '@temporalio/workflow';
import { quickActivities, stepActivities, type StepTimeouts } from '../activity-options.js';
import { StageTracker } from '../stage-progress.js';
import type { StageInput, StageResult } from '../stage-types.js';
import { outputChecker, type OutputCheckState } from '../output-check.js';
import { describeOutputCheck } from '../../analysis/output-check.js';
import { SweepSchema } from '../../config/sweep.js';
import type { PlannedDeployment } from '../../plan/types.js';

/** The sweep file's defaults (32 prompts, 16 tokens, 90%): the smoke stage has no sweep file. */
const DEFAULT_OUTPUT_CHECK = SweepSchema.shape.outputCheck.parse({});
const DEFAULT_MAX_MODEL_LEN = SweepSchema.shape.engine.parse({}).maxModelLen;

export async function smokeStage(input: StageInput & StepTimeouts): Promise<StageResult> {
  const { cluster } = input;
  const acts = stepActivities(input);
  const checks = quickActivities(input);
  const withCheck = patched('pdflow-smoke-output-check');
  const t = new StageTracker(cluster.name, 'smoke', withCheck ? 4 : 3);
  const warnings: string[] = [];
  t.step('planning the smallest PD deployment');
  const deployment = await acts.smokeDeployment.executeWithOptions({ summary: 'pick the smallest PD config' }, [{ cluster }]);
  const tearDown = (dep: PlannedDeployment) => CancellationScope.nonCancellable(async () => {
    t.step(`tearing down ${dep.label}`);
    const td = await acts.teardownServe.executeWithOptions({ summary: `tear down ${dep.label}` }, [{ cluster, deployment: dep, generation: 1 }]);
    t.nodeDone(dep === deployment ? 'teardown' : 'reference teardown', td.summary);
  });
  const state: OutputCheckState = {};
  const checker = withCheck ? outputChecker({
    cluster, settings: DEFAULT_OUTPUT_CHECK, maxModelLen: DEFAULT_MAX_MODEL_LEN, state, acts, store: checks, say: (what) => t.step(what),
    referenceDeployment: (tp, node) => checks.referenceDeployment.executeWithOptions({ summary: `plan a collocated TP${tp} reference` }, [{ cluster, tp, node }]),
    withDeployment: async (ref, use) => {
      try {
        t.step(`deploying ${ref.label}`);
        await acts.deployServe.executeWithOptions({ summary: `deploy ${ref.label}` }, [{ cluster, deployment: ref, generation: 1 }]);
        await use();
      } finally {
        await tearDown(ref);
      }
    },
  }) : undefined;

  await checker?.ensureReference(deployment);
  try {
    t.step(`deploying ${deployment.label}`);
    await acts.deployServe.executeWithOptions({ summary: `deploy ${deployment.label}` }, [{ cluster, deployment, generation: 1 }]);
    t.nodeDone('deploy', deployment.label);
    t.step('streaming completion');
    const q = await acts.smokeQuery.executeWithOptions({ summary: 'streaming completion' }, [{ cluster }]);
    t.nodeDone('query', q.summary);
    if (checker) {
      await checker.check(deployment, 1);
      const c = state.outputChecks?.[deployment.id];
      if (c?.skipped) {
        warnings.push(`output not checked: ${c.skipped}`);
        t.nodeDone('answers', 'not checked (no reference)');
      } else if (c?.result) {
        const text = describeOutputCheck(c.result, c.reference);
        if (!c.result.ok) {
          throw ApplicationFailure.nonRetryable(`${deployment.label}'s answers differ from a deployment without KV transfer: ${text}. `
            + 'The KV transfer corrupts output: check the NIXL backend and UCX/EFA set-up (pdflow results flags such runs; see docs/node-facts.md)', 'OutputMismatch');
        }
        t.nodeDone('answers', text);
      }
    }
  } finally {
    await tearDown(deployment);
  }
  return { stage: 'smoke', nodes: t.nodes, warnings, seconds: t.seconds };
}
