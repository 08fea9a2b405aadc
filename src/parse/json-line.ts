// Our remote scripts print a human log and end with ONE machine-readable JSON line.
import type { z } from 'zod';
import { ParseError } from './errors.js';
import { cleanLines } from './text.js';

/**
 * The last non-blank line of `stdout`, parsed as a JSON object. Trailing blank lines, CRs and
 * colour codes are tolerated; anything else after the JSON line is an error naming that line.
 */
export function parseLastJsonLine(stdout: string, tool = 'remote script'): Record<string, unknown> {
  const lines = cleanLines(stdout);
  const last = lines[lines.length - 1];
  if (!last) throw new ParseError(tool, 'printed nothing; expected a final JSON line');
  const text = last.text.trim();
  if (!text.startsWith('{')) {
    throw new ParseError(tool, 'the last line is not the JSON result line (did the script stop early?)', { lineNumber: last.n, line: last.text });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ParseError(tool, `the last line is not valid JSON: ${(err as Error).message}`, { lineNumber: last.n, line: last.text });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ParseError(tool, 'the last line is JSON but not an object', { lineNumber: last.n, line: last.text });
  }
  return value as Record<string, unknown>;
}

/** parseLastJsonLine, then validated with a zod schema; errors name the field and the value. */
export function parseLastJsonLineWith<S extends z.ZodType>(stdout: string, tool: string, schema: S): z.output<S> {
  const value = parseLastJsonLine(stdout, tool);
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  const lines = cleanLines(stdout);
  const last = lines[lines.length - 1]!;
  throw new ParseError(tool, `the JSON result line does not have the expected shape: ${issues}`, { lineNumber: last.n, line: last.text });
}
