// The failure catalogue: every failure type the product raises is declared once, with whether a
// retry can help; retry policies are derived from it and per-stage overrides only add to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { FAILURES, NON_RETRYABLE, failureReason, rootCause } from '../../src/common/failures.js';
import { SshErrorType, NON_RETRYABLE_SSH_ERRORS } from '../../src/activities/ssh/errors.js';
import { mergeRetry } from '../../src/workflows/activity-options.js';

const root = path.resolve(import.meta.dirname, '../..');
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every failure type raised in src/ is in the catalogue', () => {
  const raised = new Set<string>();
  for (const file of sources(path.join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/ApplicationFailure\.(?:create|nonRetryable|retryable)\(([\s\S]{0,400}?)\)/g)) {
      const t = /type: '([A-Za-z]+)'/.exec(m[1]!)?.[1] ?? /, '([A-Z][A-Za-z]+)'\s*$/.exec(m[1]!)?.[1];
      if (t) raised.add(t);
    }
  }
  assert.ok(raised.size >= 10, `only ${raised.size} types found: the scan is broken`);
  const missing = [...raised].filter((t) => !(t in FAILURES));
  assert.deepEqual(missing, [], 'declare these in src/common/failures.ts');
  for (const t of Object.values(SshErrorType)) assert.ok(t in FAILURES, t);
});

test('non-retryable: configuration, gates and SSH trust; never the ones a node can recover from', () => {
  for (const t of ['ConfigError', 'GateFailed', 'InventoryMismatch', 'SshHostKeyMismatch', 'SshAuthFailed', 'InvalidRemoteCommand', 'OutputMismatch']) assert.ok(NON_RETRYABLE.includes(t as never), t);
  for (const t of ['SshUnreachable', 'RemoteJobLost', 'RemoteCommandFailed', 'DeploymentFailed', 'BenchFailed']) assert.ok(!NON_RETRYABLE.includes(t as never), t);
  assert.deepEqual([...NON_RETRYABLE_SSH_ERRORS].sort(), ['InvalidRemoteCommand', 'RemoteJobStopped', 'SshAuthFailed', 'SshHostKeyMismatch', 'SshHostKeyUnknown', 'SshKeyUnreadable']);
});

test('a stage\'s retry override merges with the defaults: its non-retryable types add to the catalogue\'s', () => {
  const r = mergeRetry({ maximumAttempts: 2, nonRetryableErrorTypes: ['GateFailed', 'Custom'] });
  assert.equal(r.maximumAttempts, 2);
  assert.equal(r.initialInterval, '1 second');
  assert.equal(r.maximumInterval, '30 seconds');
  for (const t of [...NON_RETRYABLE, 'Custom']) assert.ok(r.nonRetryableErrorTypes!.includes(t), t);
  assert.equal(new Set(r.nonRetryableErrorTypes).size, r.nonRetryableErrorTypes!.length);
  assert.deepEqual(mergeRetry().nonRetryableErrorTypes, NON_RETRYABLE);
});

test('rootCause / failureReason unwrap child-workflow and activity failures to what went wrong', () => {
  const app = ApplicationFailure.create({ type: 'GateFailed', message: 'spread transfer 0.1 GB/s over tcp' });
  const act = new ActivityFailure('activity failed', 'runTransferTest', '3', RetryState.NON_RETRYABLE_FAILURE, 'w', app);
  const child = new ChildWorkflowFailure('default', { workflowId: 'x-validate', runId: 'r' }, 'validateStage', RetryState.NON_RETRYABLE_FAILURE, act);
  assert.equal(rootCause(child), app);
  assert.equal(failureReason(child), 'GateFailed: spread transfer 0.1 GB/s over tcp');
  assert.equal(failureReason(new Error('plain')), 'plain');
  assert.equal(failureReason('text'), 'text');
});
