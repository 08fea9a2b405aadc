// Rules across fields of a sweep file, and of a sweep against a cluster. Like the cluster rules they
// read raw data defensively, so they report alongside schema problems.
import type { ClusterConfig } from './cluster.js';
import { expandDeploymentEntry } from './deployments.js';
import { IssueList, type PathSegment } from './issues.js';
import { asArray, asNumber, asRecord } from './raw.js';
import { closest } from './suggest.js';
import { DeploymentEntrySchema, GRID_AND_SEARCH_MESSAGE } from './sweep.js';
import { VLLM_BENCH_OPTIONS_SET_BY_PDFLOW, VLLM_BENCH_SERVE_OPTIONS_0_11 } from './vllm-bench-options.js';

/** TP a node can hold when no cluster file is at hand (8 GPUs, as on p5/p4d/H100 boxes). */
export const DEFAULT_MAX_TP = 8;

/** Every TP list of the deployments, with its path. */
function tpLists(raw: unknown): { path: PathSegment[]; values: unknown[] }[] {
  const out: { path: PathSegment[]; values: unknown[] }[] = [];
  asArray(asRecord(raw)?.deployments).forEach((d, i) => {
    const entry = asRecord(d);
    if (!entry) return;
    if (Array.isArray(entry.tp)) out.push({ path: ['deployments', i, 'tp'], values: entry.tp });
    for (const role of ['prefill', 'decode']) {
      const tp = asRecord(entry[role])?.tp;
      if (Array.isArray(tp)) out.push({ path: ['deployments', i, role, 'tp'], values: tp });
    }
  });
  return out;
}

export function checkTpFits(raw: unknown, maxTp: number, where: string, hint: string, issues: IssueList): void {
  for (const { path, values } of tpLists(raw)) {
    values.forEach((v, j) => {
      const tp = asNumber(v);
      if (tp !== undefined && tp > maxTp) issues.add([...path, j], `TP ${tp} is larger than ${where} (${maxTp} GPUs)`, { value: tp, hint });
    });
  }
}

function checkNoRepeats(values: unknown, path: PathSegment[], issues: IssueList): void {
  const seen = new Set<unknown>();
  asArray(values).forEach((v, j) => {
    if (typeof v !== 'number') return;
    if (seen.has(v)) issues.add([...path, j], 'repeated value', { value: v, hint: 'list each value once' });
    seen.add(v);
  });
}

export function checkSweepRules(raw: unknown, issues: IssueList): void {
  const root = asRecord(raw);
  if (!root) return;

  const deployments = asArray(root.deployments);
  const ids = new Map<string, number>();
  deployments.forEach((d, i) => {
    const entry = asRecord(d);
    if (!entry) return;
    for (const key of ['replicas', 'tp']) checkNoRepeats(entry[key], ['deployments', i, key], issues);
    for (const role of ['prefill', 'decode']) {
      for (const key of ['count', 'tp']) checkNoRepeats(asRecord(entry[role])?.[key], ['deployments', i, role, key], issues);
    }
    const parsed = DeploymentEntrySchema.safeParse(d);
    if (!parsed.success) return;
    for (const shape of expandDeploymentEntry(parsed.data, i)) {
      const first = ids.get(shape.id);
      if (first === i) continue; // a repeated list value, reported on its own
      if (first !== undefined) {
        issues.add(['deployments', i], `deployment ${shape.id} is already produced by deployments[${first}]`, {
          hint: 'remove the repeat, or give this entry a name (e.g. name: spread-tcp) if it differs in env or backend',
        });
      } else ids.set(shape.id, i);
    }
  });

  const maxModelLen = asNumber(asRecord(root.engine)?.maxModelLen) ?? 16000;
  const workloads = new Map<string, number>();
  asArray(root.workloads).forEach((w, i) => {
    const rec = asRecord(w);
    const isl = asNumber(rec?.isl);
    const osl = asNumber(rec?.osl);
    if (isl === undefined || osl === undefined) return;
    if (isl + osl > maxModelLen) {
      issues.add(['workloads', i], `isl + osl = ${isl + osl} tokens exceeds engine.maxModelLen (${maxModelLen})`, {
        hint: 'raise engine.maxModelLen (the KV cache must hold it) or shorten the workload',
      });
    }
    const key = `${isl}/${osl}/${typeof rec?.mode === 'string' ? rec.mode : 'mixed'}`;
    const first = workloads.get(key);
    if (first !== undefined) issues.add(['workloads', i], `same workload as workloads[${first}]`, { hint: 'list each workload once' });
    else workloads.set(key, i);
  });

  const load = asRecord(root.load);
  if (load) {
    checkNoRepeats(load.concurrency, ['load', 'concurrency'], issues);
    checkNoRepeats(load.requestRate, ['load', 'requestRate'], issues);
  }

  const sla = asRecord(root.sla);
  if (sla && Object.keys(sla).length === 0) issues.add(['sla'], 'sets no limit', { hint: 'set p99TtftMs and/or p99TpotMs, or remove sla' });
  if (load && 'search' in load) checkSearchRules(load, sla, issues);
}

/** A search load: a grid beside it, and the SLA it judges probes by (its own, else the sweep's). */
function checkSearchRules(load: Record<string, unknown>, sweepSla: Record<string, unknown> | undefined, issues: IssueList): void {
  const grid = ['concurrency', 'requestRate'].find((k) => k in load);
  if (grid) issues.add(['load'], GRID_AND_SEARCH_MESSAGE, { hint: `remove load.${grid} or load.search` });
  const search = asRecord(load.search);
  if (!search) return;
  const own = asRecord(search.sla);
  if (own && Object.keys(own).length === 0) {
    issues.add(['load', 'search', 'sla'], 'sets no limit', { hint: 'set p99TtftMs and/or p99TpotMs, or remove it to use the sweep\'s sla' });
  } else if (search.sla === undefined && !sweepSla) {
    issues.add(['load', 'search', 'sla'], '"sla" is required when the sweep sets no sla: the search judges every probe by it', {
      hint: 'set load.search.sla (e.g. { p99TtftMs: 2000, p99TpotMs: 50 }) or the sweep\'s sla',
    });
  }
}

/** The GPUs of the largest GPU node of a cluster. */
export function largestNodeGpus(cluster: ClusterConfig): number {
  return Math.max(0, ...cluster.nodes.map((n) => n.gpus.count));
}

/** Rules that need both files: the model and the TP sizes against the cluster's nodes. */
export function checkSweepRulesAgainstCluster(raw: unknown, cluster: ClusterConfig, issues: IssueList): void {
  const root = asRecord(raw);
  if (!root) return;
  const id = asRecord(root.model)?.id;
  if (typeof id === 'string' && id !== cluster.model.id) {
    issues.add(['model', 'id'], `is not the model of cluster ${cluster.name} (${cluster.model.id})`, {
      value: id,
      hint: 'the nodes hold the cluster file\'s model; change one of the two',
    });
  }
  // Deployments are served, and benchmarked, under the cluster's served name.
  const served = asRecord(root.model)?.servedName;
  if (typeof served === 'string' && served !== cluster.model.servedName) {
    issues.add(['model', 'servedName'], `is not the served name of cluster ${cluster.name} (${cluster.model.servedName})`, {
      value: served,
      hint: `deployments answer to the cluster file's model.servedName; use "${cluster.model.servedName}" here or change both`,
    });
  }
  checkBenchExtraArgs(asRecord(root.bench)?.extraArgs, cluster.software.vllm.version, issues);
  checkTpFits(raw, largestNodeGpus(cluster), `the largest GPU node of cluster ${cluster.name}`,
    'a TP group runs inside one node; use a TP no larger than a node\'s GPUs', issues);
}

/**
 * bench.extraArgs against the option set of the cluster's vLLM (known for 0.11.x): an option it
 * lacks would make every point exit 2 after its deployment came up; one pdflow sets itself from
 * the sweep file would silently fight that field.
 */
export function checkBenchExtraArgs(raw: unknown, vllmVersion: string, issues: IssueList): void {
  if (!/^0\.11(\.|$)/.test(vllmVersion)) return;
  asArray(raw).forEach((a, i) => {
    if (typeof a !== 'string' || !a.startsWith('--')) return;
    // vLLM's FlexibleArgumentParser reads --foo_bar as --foo-bar.
    const name = a.split('=', 1)[0]!.replace(/_/g, '-');
    const setBy = VLLM_BENCH_OPTIONS_SET_BY_PDFLOW[name];
    if (setBy) {
      issues.add(['bench', 'extraArgs', i], `${name} is set by pdflow for every point`, { value: a, hint: `set ${setBy} instead` });
    } else if (!VLLM_BENCH_SERVE_OPTIONS_0_11.includes(name)) {
      const near = closest(name, VLLM_BENCH_SERVE_OPTIONS_0_11);
      issues.add(['bench', 'extraArgs', i], `is not an option of vllm bench serve ${vllmVersion} (it would exit 2 at every point)`, {
        value: a, hint: near ? `did you mean ${near}?` : 'see `vllm bench serve --help` of that version',
      });
    }
  });
}
