// A sweep file's deployment entries crossed into deployment shapes (one per P/D or replica
// combination). It lives in config because checking a sweep file needs it (repeated ids), and
// plan builds on config, never the other way round. Ids are deterministic.
import type { DeploymentEntry, KvBackend } from './sweep.js';

/** Instances of one role: `count` instances of `tp` GPUs each. */
export interface InstanceGroup {
  count: number;
  tp: number;
}

interface ShapeBase {
  /** Deterministic id, e.g. `pd-pack-1p-tp4-1d-tp4`, `collocated-4x-tp2` (or the entry's name). */
  id: string;
  /** Index of the entry in the sweep file's `deployments` list this came from. */
  source: number;
  /** Human label, e.g. `1P-TP4:1D-TP4 pack`, `4xTP2 collocated`. */
  label: string;
  /** Extra environment for the serving processes. */
  env: Record<string, string>;
  /** GPUs the deployment holds. */
  gpus: number;
}

export interface PdShape extends ShapeBase {
  mode: 'pd-pack' | 'pd-spread';
  prefill: InstanceGroup;
  decode: InstanceGroup;
  backend: KvBackend;
}

export interface CollocatedShape extends ShapeBase {
  mode: 'collocated';
  replicas: InstanceGroup;
}

/** One deployment of the sweep after its lists are crossed, before placement. */
export type DeploymentShape = PdShape | CollocatedShape;

function pdSuffix(pc: number, ptp: number, dc: number, dtp: number): string {
  return `${pc}p-tp${ptp}-${dc}d-tp${dtp}`;
}

/** Every deployment one entry of the sweep file stands for, in a stable order. */
export function expandDeploymentEntry(entry: DeploymentEntry, source: number): DeploymentShape[] {
  const shapes: DeploymentShape[] = [];
  if (entry.mode === 'collocated') {
    for (const count of entry.replicas) {
      for (const tp of entry.tp) {
        const suffix = `${count}x-tp${tp}`;
        shapes.push({
          id: suffix, source, mode: 'collocated', label: `${count}xTP${tp} collocated`,
          env: { ...entry.env }, gpus: count * tp, replicas: { count, tp },
        });
      }
    }
  } else {
    const how = entry.mode === 'pd-pack' ? 'pack' : 'spread';
    for (const pc of entry.prefill.count) for (const ptp of entry.prefill.tp) {
      for (const dc of entry.decode.count) for (const dtp of entry.decode.tp) {
        shapes.push({
          id: pdSuffix(pc, ptp, dc, dtp), source, mode: entry.mode,
          label: `${pc}P-TP${ptp}:${dc}D-TP${dtp} ${how}${entry.backend === 'UCX' ? '' : ` ${entry.backend}`}`,
          env: { ...entry.env }, gpus: pc * ptp + dc * dtp,
          prefill: { count: pc, tp: ptp }, decode: { count: dc, tp: dtp }, backend: entry.backend,
        });
      }
    }
  }
  const backendTag = entry.mode !== 'collocated' && entry.backend !== 'UCX' ? `-${entry.backend.toLowerCase()}` : '';
  for (const s of shapes) {
    if (entry.name === undefined) s.id = `${entry.mode}-${s.id}${backendTag}`;
    else s.id = shapes.length === 1 ? entry.name : `${entry.name}-${s.id}`;
  }
  return shapes;
}

export function expandDeployments(entries: readonly DeploymentEntry[]): DeploymentShape[] {
  return entries.flatMap((e, i) => expandDeploymentEntry(e, i));
}
