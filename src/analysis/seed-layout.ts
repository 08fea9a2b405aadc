// Where each point goes in the seed's result layout (its run_bm.sh and the published
// bm_results folders), so the seed's viz.py and notebooks read pdflow's results unchanged:
//   <served>_itl<ISL>_otl<OSL>[_<mode>]_<config>/conc<N>.json | conc<N>_rr<R>.json | rr<R>.json
// with <config> 2xtp4 (collocated replicas x TP) or 1xtp4-1xtp4 (prefill-decode; UCX pack has no
// suffix, "-spread-<backend>" for spread, "-<backend>" for a non-UCX pack), then "-<key>-<value>"
// per engine env entry. An imported point keeps the folder and file it came from.
import type { BenchDeployment, BenchLoad, BenchPointRecord } from './records.js';

export interface SeedPath {
  folder: string;
  file: string;
}

/** "4", "0.5": the seed writes rates as given on the command line. */
function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(x).replace(/e\+?/i, 'e');
}

/** A name part: lower case, only letters, digits, "." and "-". */
function part(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.-]+/g, '');
}

/** `2xtp4`, `1xtp4-1xtp4`, `1xtp4-1xtp4-spread-ucx`, `1xtp4-1xtp4-spread-ucx-ucxtls-tcp`. */
export function seedConfigName(d: BenchDeployment): string {
  let name: string;
  if (d.mode === 'collocated') {
    const r = d.replicas ?? { count: 1, tp: d.gpus };
    name = `${r.count}xtp${r.tp}`;
  } else {
    const p = d.prefill ?? { count: 1, tp: 1 };
    const dd = d.decode ?? { count: 1, tp: 1 };
    name = `${p.count}xtp${p.tp}-${dd.count}xtp${dd.tp}`;
    const backend = (d.backend ?? 'UCX').toLowerCase();
    if (d.mode === 'pd-spread') name += `-spread-${backend}`;
    else if (backend !== 'ucx') name += `-${backend}`;
  }
  for (const [k, v] of Object.entries(d.env ?? {}).sort(([a], [b]) => a.localeCompare(b))) name += `-${part(k)}-${part(v)}`;
  return name;
}

/** The seed's SERVED_MODEL_NAME_SAFE: slashes become "--". */
export function seedServedName(r: Pick<BenchPointRecord, 'servedName' | 'model'>): string {
  const name = r.servedName ?? r.model?.split('/').pop() ?? 'model';
  return name.replace(/\//g, '--');
}

/** `gptoss_itl5000_otl250_mixed_1xtp4-1xtp4`. */
export function seedFolderName(r: BenchPointRecord): string {
  return `${seedServedName(r)}_itl${r.workload.isl}_otl${r.workload.osl}_${r.workload.mode}_${seedConfigName(r.deployment)}`;
}

/** `conc16.json`, `conc128_rr4.json` (a rate with a concurrency cap), `rr4.json` (uncapped rate). */
export function seedFileName(l: BenchLoad): string {
  const conc = l.concurrency !== undefined ? `conc${l.concurrency}` : '';
  const rate = l.requestRate !== undefined ? `rr${num(l.requestRate)}` : '';
  return `${[conc, rate].filter(Boolean).join('_') || `n${l.numPrompts}`}.json`;
}

export interface SeedLayout {
  /** pointId → where its raw JSON goes. */
  paths: Map<string, SeedPath>;
}

/**
 * The seed path of every record. Imported points keep their folder and file. Two pdflow
 * deployments that would share a folder (e.g. the same shape under two names) each get their
 * deployment id appended, so no file overwrites another.
 */
export function seedLayout(records: BenchPointRecord[]): SeedLayout {
  const folderOf = new Map<string, string>();
  const idsByFolder = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.importedFrom) continue;
    const f = seedFolderName(r);
    folderOf.set(r.pointId, f);
    idsByFolder.set(f, (idsByFolder.get(f) ?? new Set()).add(r.deployment.id));
  }
  const paths = new Map<string, SeedPath>();
  for (const r of records) {
    if (r.importedFrom) {
      paths.set(r.pointId, { ...r.importedFrom });
      continue;
    }
    const f = folderOf.get(r.pointId)!;
    const shared = idsByFolder.get(f)!.size > 1;
    paths.set(r.pointId, { folder: shared ? `${f}-${part(r.deployment.id)}` : f, file: seedFileName(r.load) });
  }
  return { paths };
}
