// Loading cluster and sweep files: YAML -> schema -> cross-field rules, every problem collected.
import { ClusterSchema, type ClusterConfig } from './cluster.js';
import { checkClusterRules, SECRET_NAME } from './cluster-checks.js';
import { formatPath, IssueList, type ConfigIssue, type PathSegment, type RawIssue } from './issues.js';
import { asRecord } from './raw.js';
import { SweepSchema, type SweepConfig } from './sweep.js';
import { checkSweepRules, checkSweepRulesAgainstCluster, checkTpFits, DEFAULT_MAX_TP } from './sweep-checks.js';
import { readYaml } from './yaml.js';
import { fromZodIssues } from './zod-issues.js';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ConfigIssue[] };
export type ConfigKind = 'cluster' | 'sweep';

const CLUSTER_KEYS = ['nodes', 'ssh', 'software', 'network'];
const SWEEP_KEYS = ['deployments', 'workloads', 'load'];

/** Which kind of file this data is, by its top-level keys; undefined when it cannot tell. */
export function detectKindOf(data: unknown): ConfigKind | undefined {
  const root = asRecord(data);
  if (!root) return undefined;
  const cluster = CLUSTER_KEYS.some((k) => k in root);
  const sweep = SWEEP_KEYS.some((k) => k in root);
  if (cluster === sweep) return undefined;
  return cluster ? 'cluster' : 'sweep';
}

/** Which kind of file this YAML text is; undefined when it is not YAML or cannot tell. */
export function detectKind(text: string): ConfigKind | undefined {
  const read = readYaml(text, '');
  return read.ok ? detectKindOf(read.source.data) : undefined;
}

function finish<T>(file: string, raw: RawIssue[], lineOf: (p: readonly PathSegment[]) => number | undefined, value: T | undefined): ParseResult<T> {
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const r of raw) {
    const path = formatPath(r.path);
    const key = `${path}\u0000${r.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const issue: ConfigIssue = { file, path, message: r.message };
    if (r.value !== undefined && !isSecretPath(r.path)) issue.value = r.value;
    if (r.hint) issue.hint = r.hint;
    const line = lineOf(r.path);
    if (line !== undefined) issue.line = line;
    issues.push(issue);
  }
  issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (issues.length > 0 || value === undefined) return { ok: false, issues };
  return { ok: true, value };
}

const noLines = () => undefined;

/** Values under env keys that name secrets are never echoed back. */
function isSecretPath(path: readonly PathSegment[]): boolean {
  const env = path.indexOf('env');
  return env >= 0 && path.slice(env + 1).some((s) => typeof s === 'string' && SECRET_NAME.test(s));
}

/** Validate cluster data (already parsed from YAML or JSON). */
export function validateCluster(data: unknown, file = 'cluster', lineOf: (p: readonly PathSegment[]) => number | undefined = noLines): ParseResult<ClusterConfig> {
  const parsed = ClusterSchema.safeParse(data, { reportInput: true });
  const rules = new IssueList();
  checkClusterRules(data, rules);
  const raw = [...(parsed.success ? [] : fromZodIssues(parsed.error.issues, { schema: ClusterSchema, data })), ...rules.items];
  return finish(file, raw, lineOf, parsed.success ? parsed.data : undefined);
}

export interface SweepCheckOptions {
  /** Check the sweep against this cluster (model, TP per node) instead of the default TP limit. */
  cluster?: ClusterConfig;
  /** Largest TP allowed when no cluster is given (default 8). */
  maxTp?: number;
}

/** Validate sweep data (already parsed from YAML or JSON). */
export function validateSweep(data: unknown, file = 'sweep', opts: SweepCheckOptions = {}, lineOf: (p: readonly PathSegment[]) => number | undefined = noLines): ParseResult<SweepConfig> {
  const parsed = SweepSchema.safeParse(data, { reportInput: true });
  const rules = new IssueList();
  checkSweepRules(data, rules);
  if (opts.cluster) checkSweepRulesAgainstCluster(data, opts.cluster, rules);
  else {
    const maxTp = opts.maxTp ?? DEFAULT_MAX_TP;
    checkTpFits(data, maxTp, 'a node', `a TP group runs inside one node; ${maxTp} GPUs per node are assumed without a cluster file (validate both files together to use the cluster's nodes)`, rules);
  }
  const raw = [...(parsed.success ? [] : fromZodIssues(parsed.error.issues, { schema: SweepSchema, data })), ...rules.items];
  return finish(file, raw, lineOf, parsed.success ? parsed.data : undefined);
}

/** Parse and validate a cluster file's text; `file` names it in the issues. */
export function parseClusterYaml(text: string, file: string): ParseResult<ClusterConfig> {
  const read = readYaml(text, file);
  if (!read.ok) return read;
  return validateCluster(read.source.data, file, read.source.lineOf);
}

/** Parse and validate a sweep file's text; with `opts.cluster`, also check it against that cluster. */
export function parseSweepYaml(text: string, file: string, opts: SweepCheckOptions = {}): ParseResult<SweepConfig> {
  const read = readYaml(text, file);
  if (!read.ok) return read;
  return validateSweep(read.source.data, file, opts, read.source.lineOf);
}

/** Problems of a (valid) sweep on a (valid) cluster: model mismatch, TP larger than every node. */
export function checkSweepAgainstCluster(sweep: SweepConfig, cluster: ClusterConfig, file = 'sweep'): ConfigIssue[] {
  const rules = new IssueList();
  checkSweepRulesAgainstCluster(sweep, cluster, rules);
  const result = finish(file, rules.items, noLines, true);
  return result.ok ? [] : result.issues;
}

export type AnyConfigResult =
  | { ok: true; kind: 'cluster'; value: ClusterConfig }
  | { ok: true; kind: 'sweep'; value: SweepConfig }
  | { ok: false; kind?: ConfigKind; issues: ConfigIssue[] };

/** Parse a file of either kind, telling which by its content. */
export function parseConfigYaml(text: string, file: string, opts: SweepCheckOptions = {}): AnyConfigResult {
  const read = readYaml(text, file);
  if (!read.ok) return read;
  const kind = detectKindOf(read.source.data);
  if (kind === 'cluster') {
    const r = validateCluster(read.source.data, file, read.source.lineOf);
    return r.ok ? { ok: true, kind, value: r.value } : { ok: false, kind, issues: r.issues };
  }
  if (kind === 'sweep') {
    const r = validateSweep(read.source.data, file, opts, read.source.lineOf);
    return r.ok ? { ok: true, kind, value: r.value } : { ok: false, kind, issues: r.issues };
  }
  return {
    ok: false,
    issues: [{
      file, path: '(root)', message: 'cannot tell whether this is a cluster file or a sweep file',
      hint: `a cluster file has ${CLUSTER_KEYS.join('/')}; a sweep file has ${SWEEP_KEYS.join('/')} (and not both)`,
    }],
  };
}
