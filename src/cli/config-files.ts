// Reading cluster and sweep files for the CLI: validate every problem at once, or load them for a run.
import { readFile } from 'node:fs/promises';
import {
  detectKind, formatIssue, parseClusterYaml, parseConfigYaml, parseSweepYaml, summarizeCluster, summarizeSweep,
  type ClusterConfig, type ConfigIssue, type ConfigKind, type SweepConfig,
} from '../config/index.js';
import { formatDuration, planSweep } from '../plan/index.js';
import { BadInputError } from './errors.js';
import { localPathIssues } from '../config-io/local-paths.js';

export interface FileReport {
  file: string;
  kind?: ConfigKind;
  ok: boolean;
  summary?: string;
  issues: ConfigIssue[];
}

type Read = { file: string; text: string } | { file: string; issue: ConfigIssue };

async function readText(file: string): Promise<Read> {
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read: ${(err as Error).message}`;
    return { file, issue: { file, path: '(file)', message, hint: 'give the path of a cluster or sweep YAML file' } };
  }
}

export function problems(issues: ConfigIssue[]): string {
  const files = new Set(issues.map((i) => i.file)).size;
  return `${issues.length} problem${issues.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
}

/**
 * Validate files of either kind. When exactly one cluster file is among them and it is valid, every
 * sweep is also checked against it (model, TP per node) and planned on it for the summary.
 */
export async function validateFiles(files: readonly string[]): Promise<FileReport[]> {
  const reads = await Promise.all(files.map(readText));
  const kinds = reads.map((r) => ('text' in r ? detectKind(r.text) : undefined));
  const reports = new Map<number, FileReport>();
  const clusters: { index: number; value: ClusterConfig }[] = [];

  for (const [i, r] of reads.entries()) {
    if (!('text' in r)) reports.set(i, { file: r.file, ok: false, issues: [r.issue] });
    else if (kinds[i] === 'cluster') {
      const res = parseClusterYaml(r.text, r.file);
      const pathIssues = res.ok ? await localPathIssues(res.value, r.file) : [];
      if (res.ok && pathIssues.length === 0) clusters.push({ index: i, value: res.value });
      reports.set(i, res.ok && pathIssues.length === 0
        ? { file: r.file, kind: 'cluster', ok: true, summary: summarizeCluster(res.value), issues: [] }
        : { file: r.file, kind: 'cluster', ok: false, issues: res.ok ? pathIssues : res.issues });
    }
  }
  const clusterCount = kinds.filter((k) => k === 'cluster').length;
  const cluster = clusterCount === 1 ? clusters[0]?.value : undefined;

  reads.forEach((r, i) => {
    if (reports.has(i) || !('text' in r)) return;
    if (kinds[i] !== 'sweep') {
      const res = parseConfigYaml(r.text, r.file);
      reports.set(i, { file: r.file, ok: false, issues: res.ok ? [] : res.issues });
      return;
    }
    const res = parseSweepYaml(r.text, r.file, cluster ? { cluster } : {});
    if (!res.ok) {
      reports.set(i, { file: r.file, kind: 'sweep', ok: false, issues: res.issues });
      return;
    }
    let summary = summarizeSweep(res.value);
    if (cluster) {
      const plan = planSweep(cluster, res.value, { lazyPoints: true });
      summary += `; on ${cluster.name}: ${plan.estimate.rejected} rejected, about ${formatDuration(plan.estimate.totalSeconds)}`;
    }
    reports.set(i, { file: r.file, kind: 'sweep', ok: true, summary, issues: [] });
  });
  return files.map((_, i) => reports.get(i)!);
}

/** Read and validate a cluster file and a sweep file (checked against each other); BadInputError lists every problem. */
export async function loadClusterAndSweep(clusterFile: string, sweepFile: string): Promise<{ cluster: ClusterConfig; sweep: SweepConfig }> {
  const [c, s] = await Promise.all([readText(clusterFile), readText(sweepFile)]);
  const issues: ConfigIssue[] = [];
  let cluster: ClusterConfig | undefined;
  let sweep: SweepConfig | undefined;
  if ('text' in c) {
    const res = parseClusterYaml(c.text, c.file);
    if (res.ok) {
      cluster = res.value;
      issues.push(...await localPathIssues(res.value, c.file));
    } else issues.push(...res.issues);
  } else issues.push(c.issue);
  if ('text' in s) {
    const res = parseSweepYaml(s.text, s.file, cluster ? { cluster } : {});
    if (res.ok) sweep = res.value;
    else issues.push(...res.issues);
  } else issues.push(s.issue);
  if (!cluster || !sweep || issues.length > 0) {
    throw new BadInputError(`${problems(issues)}:\n${issues.map(formatIssue).join('\n')}`);
  }
  return { cluster, sweep };
}

/** Read and validate one cluster file; BadInputError lists every problem. */
export async function loadClusterFile(file: string): Promise<ClusterConfig> {
  const r = await readText(file);
  if (!('text' in r)) throw new BadInputError(formatIssue(r.issue));
  const res = parseClusterYaml(r.text, r.file);
  const issues = res.ok ? await localPathIssues(res.value, r.file) : res.issues;
  if (!res.ok || issues.length > 0) throw new BadInputError(`${problems(issues)}:\n${issues.map(formatIssue).join('\n')}`);
  return res.value;
}
