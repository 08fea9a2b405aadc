// One problem found in a cluster or sweep file: where (file, path, line), what, the bad value and the fix.

export type PathSegment = string | number;

export interface ConfigIssue {
  /** The file the problem is in, as the user named it. */
  file: string;
  /** Where in the file, e.g. `nodes[1].host`; `(root)` for the whole document, `(yaml)` for syntax errors. */
  path: string;
  message: string;
  /** The offending value, when there is one (never the value of a secret). */
  value?: unknown;
  /** How to fix it. */
  hint?: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['nodes', 1, 'host']` -> `nodes[1].host`; odd keys are quoted: `env["a b"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return '(root)';
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** A short, single-line rendering of a bad value for messages. */
export function formatValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'nothing';
  else if (typeof value === 'string') text = JSON.stringify(value);
  // JSON has no NaN or infinities (it would print null); YAML's 1e309 reads as Infinity.
  else if (typeof value === 'number' && !Number.isFinite(value)) text = Number.isNaN(value) ? '.nan (not a number)' : `${value < 0 ? '-' : ''}.inf (infinite, or too large to be a number)`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `file:line: path: message (got "value"); hint` */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}` : issue.file;
  const got = issue.value !== undefined ? ` (got ${formatValue(issue.value)})` : '';
  const hint = issue.hint ? `; ${issue.hint}` : '';
  return `${where}: ${issue.path}: ${issue.message}${got}${hint}`;
}

/** Collects issues with structured paths; the loader turns them into ConfigIssues with lines. */
export interface RawIssue {
  path: PathSegment[];
  message: string;
  value?: unknown;
  hint?: string;
}

export class IssueList {
  readonly items: RawIssue[] = [];
  add(path: PathSegment[], message: string, extra: { value?: unknown; hint?: string } = {}): void {
    const issue: RawIssue = { path, message };
    if ('value' in extra && extra.value !== undefined) issue.value = extra.value;
    if (extra.hint) issue.hint = extra.hint;
    this.items.push(issue);
  }
}
