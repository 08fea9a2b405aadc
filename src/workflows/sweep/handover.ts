// The hand-over to the next run (continue-as-new) when the server suggests it: after a point
// (the deployment stays up: the next run carries `deployed`) or after a teardown. The next run
// gets the cluster, the plan and the options as they are, and the whole state.
import { allHandlersFinished, CancellationScope, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { ClusterConfig } from '../../config/index.js';
import type { Plan } from '../../plan/types.js';
import type { SweepCarry, SweepInput, SweepResult } from '../sweep-types.js';

/** The sweep workflow's signature (the workflow itself imports this module). */
type SweepWorkflow = (input: SweepInput) => Promise<SweepResult>;

export class HandOver {
  constructor(
    private readonly next: { cluster: ClusterConfig; plan: Plan; options: SweepInput['options'] },
    private readonly s: SweepCarry,
    /** Awaited first (the store's writes in flight), so the hand-over does not cut them short. */
    private readonly settle?: () => Promise<void>,
  ) {}

  /** The server suggests continuing as new (the history grew long). */
  suggested(): boolean {
    return workflowInfo().continueAsNewSuggested;
  }

  /** Continues as new, carrying the state; once the signal handlers in flight are done. */
  async now(): Promise<never> {
    if (this.settle) await this.settle();
    this.s.continuedAsNew++;
    if (!allHandlersFinished()) await handlersFinished();
    // The input is serialized here, at the call.
    return continueAsNew<SweepWorkflow>({ ...this.next, carried: this.s });
  }
}

/**
 * Waits until no signal or update handler is in flight (the safe-message-handlers rule: a run
 * must not end under one). Callers ask allHandlersFinished() first and await this only when one
 * is: the sweep's pause and resume handlers are synchronous, so there nearly never is, and an
 * await that is not needed would let other coroutines (the store's writes) run first and so could
 * change what the hand-over carries. Non-cancellable: a cancel request that comes now must not
 * turn a finished sweep into a cancelled one.
 */
export function handlersFinished(): Promise<void> {
  return CancellationScope.nonCancellable(() => condition(allHandlersFinished));
}
