// Reading a run's configuration where the run executes: the cluster and sweep given to a workflow
// either as the documents themselves or as paths of YAML files on the worker's machine. Checked
// with the same rules and messages as `pdflow validate`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  formatIssue, parseClusterYaml, parseSweepYaml, validateCluster, validateSweep,
  type ClusterConfig, type ConfigIssue, type ParseResult, type SweepConfig,
} from '../config/index.js';
import { localPathIssues } from './local-paths.js';
import { expandHome } from './home.js';

/** A config as a workflow input gives it: a YAML file's path (on the worker), or the document itself. */
export type ConfigRef = string | Record<string, unknown>;

export interface RunConfigRequest {
  cluster: ConfigRef;
  sweep?: ConfigRef;
}

export interface RunConfig {
  cluster: ClusterConfig;
  sweep?: SweepConfig;
}

type Loaded<T> = { file: string; result: ParseResult<T> };

async function load<T>(ref: unknown, field: string, parse: (text: string, file: string) => ParseResult<T>, validate: (data: unknown, file: string) => ParseResult<T>): Promise<Loaded<T>> {
  if (typeof ref === 'string') {
    const file = path.resolve(expandHome(ref));
    try {
      return { file, result: parse(await readFile(file, 'utf8'), file) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const message = code === 'ENOENT' ? 'no such file on the worker\'s machine' : code === 'EISDIR' ? 'is a directory' : `cannot read: ${(err as Error).message}`;
      return { file, result: { ok: false, issues: [{ file: field, path: '(file)', message, value: file, hint: `give ${field} as the path of a YAML file the worker can read (absolute, or relative to the worker's folder ${process.cwd()}), or the document itself` }] } };
    }
  }
  if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) {
    return { file: field, result: { ok: false, issues: [{ file: field, path: '(input)', message: `must be a YAML file's path or the document itself, not ${ref === null ? 'null' : Array.isArray(ref) ? 'a list' : typeof ref}`, hint: `e.g. "${field}": "examples/${field === 'input.cluster' ? 'cluster-p5' : 'sweep-demo'}.yaml"` }] } };
  }
  return { file: field, result: validate(ref, field) };
}

/** The run's cluster (and sweep, checked against it); every problem with its path, value and fix. */
export async function loadRunConfig(req: RunConfigRequest): Promise<ParseResult<RunConfig>> {
  const c = await load(req.cluster, 'input.cluster', parseClusterYaml, (d, f) => validateCluster(d, f));
  const issues: ConfigIssue[] = c.result.ok ? await localPathIssues(c.result.value, c.file) : [...c.result.issues];
  const cluster = c.result.ok ? c.result.value : undefined;
  let sweep: SweepConfig | undefined;
  if (req.sweep !== undefined) {
    const opts = cluster ? { cluster } : {};
    const s = await load(req.sweep, 'input.sweep', (t, f) => parseSweepYaml(t, f, opts), (d, f) => validateSweep(d, f, opts));
    if (s.result.ok) sweep = s.result.value;
    else issues.push(...s.result.issues);
  }
  if (!cluster || issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { cluster, ...(sweep ? { sweep } : {}) } };
}

/** "N problems:" and one line per problem, as `pdflow validate` prints them. */
export function describeIssues(issues: readonly ConfigIssue[]): string {
  return `${issues.length} problem${issues.length === 1 ? '' : 's'} in the run's configuration:\n${issues.map(formatIssue).join('\n')}`;
}
