// Our remote scripts print a human log and end with ONE machine-readable JSON line.
import type { z } from 'zod';
import { ParseError } from './errors.js';
import { cleanLines, type NumberedLine } from './text.js';

/**
 * The script's JSON result line: the last line of `stdout` that is a JSON object. Blank lines, CRs,
 * colour codes and late log lines after it (Ray streams actor logs until exit) are tolerated; no
 * such line is an error naming the last line.
 */
export function parseLastJsonLine(stdout: string, tool = 'remote script'): Record<string, unknown> {
  return findJsonLine(stdout, tool).value;
}

function findJsonLine(stdout: string, tool: string): { value: Record<string, unknown>; line: NumberedLine } {
  const lines = cleanLines(stdout);
  const last = lines[lines.length - 1];
  if (!last) throw new ParseError(tool, 'printed nothing; expected a final JSON line');
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = lines[i]!.text.trim();
    if (!text.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { value: value as Record<string, unknown>, line: lines[i]! };
    } catch {
      // a cut or non-JSON line that merely starts with "{": keep looking
    }
  }
  const text = last.text.trim();
  if (text.startsWith('{')) {
    let why = 'not a JSON object';
    try { JSON.parse(text); } catch (err) { why = `not valid JSON: ${(err as Error).message}`; }
    throw new ParseError(tool, `the last line is ${why} (did the script stop while printing its result?)`, { lineNumber: last.n, line: last.text });
  }
  throw new ParseError(tool, 'no JSON result line; the script stopped before printing it', { lineNumber: last.n, line: last.text });
}

/** parseLastJsonLine, then validated with a zod schema; errors name the field and the value. */
export function parseLastJsonLineWith<S extends z.ZodType>(stdout: string, tool: string, schema: S): z.output<S> {
  const { value, line } = findJsonLine(stdout, tool);
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new ParseError(tool, `the JSON result line does not have the expected shape: ${issues}`, { lineNumber: line.n, line: line.text });
}

/** An already-parsed JSON result (a remote job's JSON line), validated with a zod schema. */
export function parseJsonWith<S extends z.ZodType>(value: unknown, tool: string, schema: S): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new ParseError(tool, `the JSON result line does not have the expected shape: ${issues}`, { line: JSON.stringify(value) });
}
