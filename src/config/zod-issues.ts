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

/**
 * How badly a value misses a schema. A key the alternative does not know weighs more than any
 * number of bad values: `{ concurrency: [-4, 0, 1.5] }` means the concurrency form, however wrong
 * its values, not the request-rate form that lacks `requestRate`.
 */
function issueWeight(issues: readonly ZodIssue[]): number {
  return issues.reduce((n, i) => n + (i.code === 'unrecognized_keys' && i.path.length === 0 ? 1000 * i.keys.length : 1), 0);
}

/**
 * Object alternatives of a union that fit `input` best: those agreeing on literal fields (e.g. mode),
 * then those with the fewest problems parsing it.
 */
function matchingOptions(options: AnySchema[], input: unknown): AnySchema[] {
  const objects = options.filter((o) => defOf(unwrap(o).schema).type === 'object');
  const rec = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const agree = objects.filter((o) => Object.entries(defOf(unwrap(o).schema).shape ?? {}).every(([k, f]) => {
    const fd = defOf(unwrap(f).schema);
    return fd.type !== 'literal' || (fd.values ?? []).includes(rec[k]);
  }));
  const candidates = agree.length > 0 ? agree : objects;
  const scored = candidates.map((o) => {
    const r = (o as unknown as z.ZodType).safeParse(input);
    return { o, w: r.success ? 0 : issueWeight(r.error.issues) };
  });
  const best = Math.min(...scored.map((x) => x.w));
  return scored.filter((x) => x.w === best).map((x) => unwrap(x.o).schema);
}

const pathKey = (path: readonly PathSegment[]) => JSON.stringify(path);

/**
 * The schema (and its description) at `path`, following the data where a union must choose.
 * `chosen` pins union alternatives already picked for a path (see convertUnion).
 */
export function schemaAt(
  root: AnySchema, path: readonly PathSegment[], data: unknown, chosen?: ReadonlyMap<string, AnySchema>,
): { schema: AnySchema; description?: string } | undefined {
  let cur = unwrap(root);
  let value = data;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const pinned = chosen?.get(pathKey(path.slice(0, i)));
    if (pinned) cur = { ...unwrap(pinned), ...(cur.description ? { description: cur.description } : {}) };
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
  const pinned = chosen?.get(pathKey(path));
  return pinned ? { ...unwrap(pinned), ...(cur.description ? { description: cur.description } : {}) } : cur;
}

/** Keys allowed in the object at `path`. */
function keysAt(ctx: ConvertContext, path: readonly PathSegment[], input: unknown): string[] {
  const at = schemaAt(ctx.schema, path, ctx.data, ctx.chosen);
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
  /** Union alternatives picked so far, by path (filled in while converting). */
  chosen?: Map<string, AnySchema>;
}

/** Convert zod issues to RawIssues. */
export function fromZodIssues(issues: readonly ZodIssue[], ctx: ConvertContext, prefix: PathSegment[] = []): RawIssue[] {
  return issues.flatMap((issue) => convert(issue, ctx, [...prefix, ...(issue.path as PathSegment[])]));
}

function convert(issue: ZodIssue, ctx: ConvertContext, path: PathSegment[]): RawIssue[] {
  const input = issue.input;
  // The field's own description, else its list's or mapping's (list items rarely have their own).
  const hintOf = (p: PathSegment[] = path) => {
    for (let up = 0; up <= Math.min(2, p.length); up++) {
      const d = schemaAt(ctx.schema, p.slice(0, p.length - up), ctx.data, ctx.chosen)?.description;
      if (d) return d;
    }
    return undefined;
  };
  const one = (message: string, extra: { value?: unknown; hint?: string | undefined; path?: PathSegment[] } = {}): RawIssue[] => {
    const raw: RawIssue = { path: extra.path ?? path, message };
    if (extra.value !== undefined) raw.value = extra.value;
    if (extra.hint) raw.hint = extra.hint;
    return [raw];
  };

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAt(ctx, path, input);
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
      if (typeof input === 'number' && !Number.isFinite(input)) return one('must be a finite number', { value: input, hint: hintOf() });
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      let hint = hintOf();
      if (issue.expected === 'array' && input !== null && typeof input !== 'object') hint = `write a list, e.g. [${formatValue(input)}]`;
      if (issue.expected === 'string' && typeof input === 'number') {
        hint = Number.isInteger(input) ? `quote it: "${input}"` : 'quote it as written, e.g. "3.10" (YAML reads an unquoted 3.10 as the number 3.1)';
      }
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

/** The alternatives of the union at `path`, in declaration order (zod reports branch errors in that order). */
function unionOptions(ctx: ConvertContext, path: readonly PathSegment[]): AnySchema[] {
  const at = schemaAt(ctx.schema, path, ctx.data, ctx.chosen);
  return at && defOf(at.schema).type === 'union' ? defOf(at.schema).options ?? [] : [];
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
  const scored = issue.errors.map((branch) => ({ branch, score: mismatch(branch) ? Infinity : issueWeight(branch) }));
  const best = Math.min(...scored.map((s) => s.score));
  const winners = scored.filter((s) => s.score === best);
  if (best !== Infinity && winners.length === 1) {
    const option = unionOptions(ctx, path)[scored.indexOf(winners[0]!)];
    const chosen = new Map(ctx.chosen);
    if (option) chosen.set(pathKey(path), option);
    return fromZodIssues(winners[0]!.branch, { ...ctx, chosen }, path);
  }
  const quote = typeof input === 'boolean' || (typeof input === 'number' && !Number.isInteger(input));
  const hint = quote ? `quote it: "${String(input)}"` : schemaAt(ctx.schema, path, ctx.data, ctx.chosen)?.description
    ?? schemaAt(ctx.schema, path.slice(0, -1), ctx.data, ctx.chosen)?.description;
  const raw: RawIssue = { path, message: issue.message };
  if (input !== undefined && (typeof input !== 'object' || input === null)) raw.value = input;
  if (hint) raw.hint = hint;
  return [raw];
}
