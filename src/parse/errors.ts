/** Where in a tool's output the parser gave up (1-based line number and the line itself). */
export interface ParseLocation {
  lineNumber?: number;
  line?: string;
}

/**
 * A tool printed something its parser cannot read. The message names the tool, what was expected
 * and the offending line, so an activity can pass it on as-is (ApplicationFailure type "ParseError").
 * `code` lets callers tell states apart from garbage, e.g. "not-running" for `ray status` without Ray.
 */
export class ParseError extends Error {
  readonly tool: string;
  readonly reason: string;
  readonly lineNumber?: number;
  readonly line?: string;
  readonly code?: string;

  constructor(tool: string, reason: string, where: ParseLocation = {}, code?: string) {
    const at = where.line !== undefined
      ? ` (line ${where.lineNumber ?? '?'}: ${JSON.stringify(clip(where.line))})`
      : '';
    super(`${tool}: ${reason}${at}`);
    this.name = 'ParseError';
    this.tool = tool;
    this.reason = reason;
    this.lineNumber = where.lineNumber;
    this.line = where.line;
    this.code = code;
  }
}

function clip(s: string): string {
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
