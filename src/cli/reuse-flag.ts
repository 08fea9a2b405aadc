// --reuse [max-age] / --no-reuse: whether a run copies good points of earlier runs instead of measuring them.
import { BadInputError } from './errors.js';

const DEFAULT_MAX_AGE_HOURS = 7 * 24;

/**
 * undefined: the flag was not given (the sweep file decides); false: --no-reuse; else the age limit:
 * the flag's ("7d", "12h", "90m"), or with a bare --reuse the sweep file's, else 7 days.
 */
export function reuseFlag(v: string | boolean | undefined, fromSweepFile?: { maxAgeHours: number }): { maxAgeHours: number } | false | undefined {
  if (v === undefined) return undefined;
  if (v === false) return false;
  if (v === true) return { maxAgeHours: fromSweepFile?.maxAgeHours ?? DEFAULT_MAX_AGE_HOURS };
  const m = /^(\d+(?:\.\d+)?)\s*(d|h|m)$/.exec(v.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || !(n > 0)) throw new BadInputError(`--reuse: "${v}" is not an age such as 7d, 12h or 90m (records older than it are measured again)`);
  return { maxAgeHours: m[2] === 'd' ? n * 24 : m[2] === 'h' ? n : n / 60 };
}
