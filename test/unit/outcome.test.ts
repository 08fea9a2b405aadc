import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outcomeCounts, sweepOutcome } from '../../src/analysis/outcome.js';
import { exitForStatus } from '../../src/cli/describe-run.js';
import { RunFailedError } from '../../src/cli/errors.js';

test('sweep outcome: ok only when no point failed; failed when none was ok', () => {
  const cases: Array<[number, number, string]> = [[9, 0, 'ok'], [7, 2, 'partial'], [0, 9, 'failed'], [0, 0, 'failed'], [1, 0, 'ok']];
  for (const [ok, failed, want] of cases) assert.equal(sweepOutcome({ ok, failed }), want, `${ok} ok, ${failed} failed`);
  assert.equal(outcomeCounts({ ok: 7, failed: 2 }), '7 ok / 2 failed');
});

test('exit codes: 1 for failed runs and for completed sweeps with failed points; 0 otherwise', () => {
  const exits = (status: string, outcome?: string, failed?: number) => {
    try {
      exitForStatus(status, undefined, outcome, failed);
      return 0;
    } catch (err) {
      assert.ok(err instanceof RunFailedError);
      return err.exitCode;
    }
  };
  const cases: Array<[string, string | undefined, number]> = [
    ['COMPLETED', 'ok', 0], ['COMPLETED', undefined, 0], ['RUNNING', 'running', 0], ['RUNNING', 'partial', 0],
    ['COMPLETED', 'partial', 1], ['COMPLETED', 'failed', 1], ['FAILED', 'failed', 1], ['CANCELLED', 'cancelled', 1], ['TERMINATED', undefined, 1],
  ];
  for (const [status, outcome, want] of cases) assert.equal(exits(status, outcome, 2), want, `${status} ${outcome}`);
});
