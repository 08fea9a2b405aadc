// bench/overhead's workflow: N trivial remote steps one after another, each timed on the
// workflow's clock (a workflow task's start time): schedule → activity → SSH → result → next task.
import { proxyActivities } from '@temporalio/workflow';
import type { OverheadActivities } from './overhead-activities.js';

const { runTrivialStep } = proxyActivities<OverheadActivities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } });

export async function overheadProbe(input: { n: number }): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < input.n; i++) {
    const t = Date.now();
    await runTrivialStep();
    ms.push(Date.now() - t);
  }
  return ms;
}
