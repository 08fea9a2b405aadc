// How a sweep ended, in one word, from its records: what `list`, `status`, the Web UI's
// PdflowOutcome and the exit codes say. A sweep whose every point failed is never "ok".
export type SweepOutcome = 'ok' | 'partial' | 'failed';

export function sweepOutcome(counts: { ok: number; failed: number }): SweepOutcome {
  if (counts.ok === 0) return 'failed';
  return counts.failed > 0 ? 'partial' : 'ok';
}

/** "7 ok / 2 failed" */
export const outcomeCounts = (counts: { ok: number; failed: number }) => `${counts.ok} ok / ${counts.failed} failed`;
