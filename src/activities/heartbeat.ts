// Heartbeats for activities that wait on one slow call (a Ray driver connecting on a loaded node
// takes longer than a heartbeat timeout): the worker is alive while it waits, so it says so.
import { Context } from '@temporalio/activity';

/** Runs `fn`, heartbeating `details` every few seconds until it settles. */
export async function heartbeatWhile<T>(details: unknown, fn: () => Promise<T>, everyMs = 2000): Promise<T> {
  const ctx = Context.current();
  return beatingWhile(() => ctx.heartbeat(details), fn, everyMs);
}

/** Runs `fn`, calling `beat` every few seconds until it settles. */
export async function beatingWhile<T>(beat: () => void, fn: () => Promise<T>, everyMs = 2000): Promise<T> {
  const timer = setInterval(beat, everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
