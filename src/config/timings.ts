// Planning estimates (not timeouts): how long a deploy, a teardown and a benchmark point take.
// Both files may carry them; the sweep's win over the cluster's, and each falls back to a default.
import { z } from 'zod';
import { positiveNumber } from './fields.js';

const seconds = z.number().min(0);

export const TimingsSchema = z.strictObject({
  deploySeconds: seconds.optional().describe('Seconds from deploy start until the deployment answers (default 180; 2-4 min warm on p5).'),
  teardownSeconds: seconds.optional().describe('Seconds to tear a deployment down and free the GPUs (default 20).'),
  benchSecondsPerPoint: seconds.optional()
    .describe('Fixed seconds per benchmark point; when set it replaces the per-request model below.'),
  benchStartupSeconds: seconds.optional().describe('Seconds vllm bench needs before the first request (start-up and test prompt; default 15).'),
  expectedTtftMs: positiveNumber().optional().describe('Expected time to first token in ms, for the per-request model (default 500).'),
  expectedTpotMs: positiveNumber().optional().describe('Expected time per output token in ms, for the per-request model (default 12).'),
}).describe(
  'Planning estimates. A point takes benchSecondsPerPoint, or else benchStartupSeconds + waves x (expectedTtftMs + osl x expectedTpotMs) / 1000, ' +
  'where waves = prompts / concurrency (request-rate points: prompts / rate + one request).',
);

/** The `timings` section of a cluster or sweep file (every field optional). */
export type TimingsConfig = z.output<typeof TimingsSchema>;
