// zod issues -> RawIssues a person can act on: one per problem, with the field's own description as
// the hint, misspelt keys and values matched to what was meant, and union errors narrowed to the
// alternative the user evidently wrote.
import type { z } from 'zod';
import { formatValue, type PathSegment, type RawIssue } from './issues.js';
import { closest } from './suggest.js';

type ZodIssue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  valueType?: AnySchema;
  options?: AnySchema[];
  getter?: () => AnySchema;
  values?: unknown[];
}

const defOf = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const descriptionOf = (s: AnySchema): string | undefined => (s as unknown as { description?: string }).description;

/** Strip wrappers (optional, default, pipe...) and collect the first description met. */
function unwrap(schema: AnySchema): { schema: AnySchema; description?: string } {
  let s = schema;
  let description = descriptionOf(s);
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    const next = d.innerType ?? (d.type === 'pipe' ? d.in : undefined) ?? (d.type === 'lazy' ? d.getter?.() : undefined);
    if (!next) break;
    s = next;
    description ??= descriptionOf(s);
  }
  return description === undefined ? { schema: s } : { schema: s, description };
}

/** Object alternatives of a union that agree with `input` on their literal fields (e.g. mode). */
function matchingOptions(options: AnySchema[], input: unknown): AnySchema[] {
  const objects = options.map((o) => unwrap(o).schema).filter((o) => defOf(o).type === 'object');
  const rec = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const agree = objects.filter((o) => Object.entries(defOf(o).shape ?? {}).every(([k, f]) => {
    const fd = defOf(unwrap(f).schema);
    return fd.type !== 'literal' || (fd.values ?? []).includes(rec[k]);
  }));
  return agree.length > 0 ? agree : objects;
}

/** The schema (and its description) at `path`, following the data where a union must choose. */
export function schemaAt(root: AnySchema, path: readonly PathSegment[], data: unknown): { schema: AnySchema; description?: string } | undefined {
  let cur = unwrap(root);
  let value = data;
  for (const seg of path) {
    const d = defOf(cur.schema);
    let next: AnySchema | undefined;
    if (d.type === 'object') next = d.shape?.[String(seg)];
    else if (d.type === 'array') next = d.element;
    else if (d.type === 'record') next = d.valueType;
    else if (d.type === 'union') next = matchingOptions(d.options ?? [], value).map((o) => defOf(o).shape?.[String(seg)]).find(Boolean);
    if (!next) return undefined;
    cur = unwrap(next);
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[String(seg)] : undefined;
  }
  return cur;
}

/** Keys allowed in the object at `path`. */
function keysAt(root: AnySchema, path: readonly PathSegment[], data: unknown, input: unknown): string[] {
  const at = schemaAt(root, path, data);
  if (!at) return [];
  const d = defOf(at.schema);
  if (d.type === 'object') return Object.keys(d.shape ?? {});
  if (d.type === 'union') return [...new Set(matchingOptions(d.options ?? [], input).flatMap((o) => Object.keys(defOf(o).shape ?? {})))];
  return [];
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal number';
  if (typeof v === 'boolean') return 'true/false';
  if (typeof v === 'string') return 'text';
  return typeof v;
}

const EXPECTED: Record<string, string> = {
  string: 'text', number: 'a number', int: 'an integer', boolean: 'true or false', array: 'a list',
  object: 'a mapping (key: value)', record: 'a mapping (key: value)',
};

export interface ConvertContext {
  schema: AnySchema;
  data: unknown;
}

/** Convert zod issues to RawIssues. */
export function fromZodIssues(issues: readonly ZodIssue[], ctx: ConvertContext, prefix: PathSegment[] = []): RawIssue[] {
  return issues.flatMap((issue) => convert(issue, ctx, [...prefix, ...(issue.path as PathSegment[])]));
}

function convert(issue: ZodIssue, ctx: ConvertContext, path: PathSegment[]): RawIssue[] {
  const input = issue.input;
  const hintOf = (p: PathSegment[] = path) => schemaAt(ctx.schema, p, ctx.data)?.description;
  const one = (message: string, extra: { value?: unknown; hint?: string | undefined; path?: PathSegment[] } = {}): RawIssue[] => {
    const raw: RawIssue = { path: extra.path ?? path, message };
    if (extra.value !== undefined) raw.value = extra.value;
    if (extra.hint) raw.hint = extra.hint;
    return [raw];
  };

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAt(ctx.schema, path, ctx.data, input);
      return issue.keys.flatMap((key) => {
        const guess = closest(key, allowed);
        const hint = `${guess ? `did you mean "${guess}"? ` : ''}allowed here: ${allowed.join(', ')}`;
        return one(`unknown key "${key}"`, { path: [...path, key], hint });
      });
    }
    case 'invalid_type': {
      if (input === undefined) {
        const key = path[path.length - 1];
        return one(typeof key === 'string' ? `"${key}" is required` : 'a value is required', { hint: hintOf() });
      }
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      let hint = hintOf();
      if (issue.expected === 'array' && input !== null && typeof input !== 'object') hint = `write a list, e.g. [${formatValue(input)}]`;
      if (issue.expected === 'string' && typeof input === 'number') hint = `${hint ? `${hint} ` : ''}(quote it: "${input}")`;
      return one(`expected ${expected}, got ${typeName(input)}`, { value: input, hint });
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const guess = typeof input === 'string' ? closest(input, options) : undefined;
      const list = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return one(options.length === 1 ? `must be ${list}` : `must be one of ${list}`, {
        value: input,
        hint: guess ? `did you mean "${guess}"?` : hintOf(),
      });
    }
    case 'invalid_union':
      return convertUnion(issue, ctx, path);
    case 'invalid_key': {
      const key = path[path.length - 1];
      const inner = issue.issues.find((i) => i.code === 'custom') as z.core.$ZodIssueCustom | undefined;
      return one(inner?.message ?? `invalid key "${String(key)}"`, { value: key, hint: inner?.params?.hint as string | undefined });
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      const message = issue.origin === 'array'
        ? `needs at least ${min} item${min === 1 ? '' : 's'}`
        : issue.origin === 'string' ? 'must not be empty' : `must be ${issue.inclusive ? '≥' : '>'} ${min}`;
      return one(message, { value: issue.origin === 'array' ? undefined : input, hint: hintOf() });
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      const message = issue.origin === 'array' ? `has more than ${max} items`
        : issue.origin === 'string' ? `is longer than ${max} characters` : `must be ${issue.inclusive ? '≤' : '<'} ${max}`;
      return one(message, { value: issue.origin === 'array' ? undefined : input, hint: hintOf() });
    }
    case 'custom':
      return one(issue.message, { value: input, hint: (issue.params?.hint as string | undefined) ?? hintOf() });
    default:
      return one(issue.message, { value: input, hint: hintOf() });
  }
}

/** Report the errors of the alternative the user evidently meant, or the union's own message. */
function convertUnion(issue: z.core.$ZodIssueInvalidUnion, ctx: ConvertContext, path: PathSegment[]): RawIssue[] {
  const input = issue.input;
  if ('discriminator' in issue && issue.discriminator && issue.errors.length === 0 && 'options' in issue) {
    const options = (issue.options ?? []).map(String);
    const rec = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
    const given = rec[issue.discriminator];
    const list = options.map((o) => JSON.stringify(o)).join(', ');
    const guess = typeof given === 'string' ? closest(given, options) : undefined;
    if (given === undefined) return [{ path, message: `"${issue.discriminator}" is required: one of ${list}` }];
    return [{ path, message: `must be one of ${list}`, value: given, ...(guess ? { hint: `did you mean "${guess}"?` } : {}) }];
  }
  const mismatch = (branch: ZodIssue[]) => branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'));
  const scored = issue.errors.map((branch) => ({ branch, score: mismatch(branch) ? Infinity : branch.length }));
  const best = Math.min(...scored.map((s) => s.score));
  const winners = scored.filter((s) => s.score === best);
  if (best !== Infinity && winners.length === 1) {
    return fromZodIssues(winners[0]!.branch, ctx, path);
  }
  const hint = schemaAt(ctx.schema, path, ctx.data)?.description;
  const raw: RawIssue = { path, message: issue.message };
  if (input !== undefined && (typeof input !== 'object' || input === null)) raw.value = input;
  if (hint) raw.hint = hint;
  return [raw];
}
