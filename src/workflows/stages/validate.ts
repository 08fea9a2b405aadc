// Validate stage: the NIXL KV-block transfer test across nodes (spread) and inside one (pack).
// The spread test gates on bandwidth and transport; the activity explains a slow fallback.
import { ApplicationFailure } from '@temporalio/workflow';
import { stepActivities, type StepTimeouts } from '../activity-options.js';
import { StageTracker } from '../stage-progress.js';
import type { StageInput, StageResult } from '../stage-types.js';

export async function validateStage(input: StageInput & StepTimeouts): Promise<StageResult> {
  const { cluster } = input;
  const acts = stepActivities(input, { retry: { maximumAttempts: 2, nonRetryableErrorTypes: ['GateFailed', 'ConfigError'] } });
  const t = new StageTracker(cluster.name, 'validate', 3);
  t.step('Ray health before the transfer test');
  const health = await acts.checkRayHealth.executeWithOptions({ summary: 'Ray health gate' }, [{ cluster }]);
  if (!health.healthy) {
    throw ApplicationFailure.nonRetryable(
      `Ray is not healthy: ${health.problems.join('; ')}. Re-run the ray stage (\`pdflow run --stages ray,validate\`) to repair it.`,
      'GateFailed',
    );
  }
  t.nodeDone('ray', health.summary);
  const warnings: string[] = [];
  for (const strategy of ['pack', 'spread'] as const) {
    t.step(`transfer test (${strategy})`);
    const r = await acts.runTransferTest.executeWithOptions({ summary: `NIXL transfer test, ${strategy}` }, [{ cluster, strategy }]);
    warnings.push(...r.warnings);
    t.nodeDone(strategy, r.summary);
  }
  return { stage: 'validate', nodes: t.nodes, warnings, seconds: t.seconds };
}
