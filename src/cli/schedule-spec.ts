// Checks of a schedule's calendar before anything reaches Temporal, so a typo gets one line and
// exit 2 instead of a server error's stack trace.
import { CronExpressionParser } from 'cron-parser';
import { BadInputError } from './errors.js';

const FIELDS = 'minute hour day-of-month month weekday';

export function checkCron(expr: string): void {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) throw new BadInputError(`--cron: "${expr}" is not a 5-field cron expression (${FIELDS}), e.g. "0 22 * * *"`);
  try {
    CronExpressionParser.parse(expr);
  } catch (err) {
    throw new BadInputError(`--cron: "${expr}" is not valid: ${(err as Error).message} (fields: ${FIELDS}; e.g. "0 22 * * *" is 22:00 every day)`);
  }
}

export function checkTimezone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new BadInputError(`--timezone: "${tz}" is not an IANA time zone; use a name like UTC, Europe/Berlin or America/Los_Angeles`);
  }
}
