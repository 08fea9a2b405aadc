// What a node is, as its own tools say (inventory.sh): the GPUs, driver, CUDA, EFA, and the stack
// pdflow installed there (vLLM, NIXL, Ray, torch, flashinfer from the venv's metadata, the built
// UCX, the model snapshot). Records carry it as their hardware and versions, so two runs on
// different drivers or vLLM builds are never mistaken for the same measurement. Pure.
import type { Inventory } from '../parse/inventory.js';
import type { BenchHardware } from './records.js';

export interface NodeIdentity {
  node: string;
  gpuCount: number;
  gpuModel?: string;
  gpuMemoryMiB?: number;
  driverVersion?: string;
  cudaVersion?: string;
  efaDevices: number;
  /** libfabric's version (fi_info --version), the EFA software's. */
  libfabric?: string;
  /** Installed distributions in the node's venv: name → version. */
  packages: Record<string, string>;
  /** The built UCX's version (ucx_info -v). */
  ucx?: string;
  /** The model snapshot (commit sha) in the node's Hugging Face cache. */
  modelRevision?: string;
}

export function identityOfInventory(node: string, inv: Inventory): NodeIdentity {
  const gpu = inv.gpus[0];
  const id: NodeIdentity = { node, gpuCount: inv.gpus.length, efaDevices: inv.efaDevices.length, packages: { ...inv.packages } };
  if (gpu) id.gpuModel = gpu.name;
  if (gpu?.memoryTotalMiB !== undefined) id.gpuMemoryMiB = Math.min(...inv.gpus.map((g) => g.memoryTotalMiB ?? Infinity));
  if (inv.driver) id.driverVersion = inv.driver;
  if (inv.cuda) id.cudaVersion = inv.cuda;
  if (inv.fiVersion) id.libfabric = inv.fiVersion;
  if (inv.ucxVersion) id.ucx = inv.ucxVersion;
  if (inv.modelRevision) id.modelRevision = inv.modelRevision;
  return id;
}

/** The identities of a deployment's nodes (all GPU nodes when it names none of them). */
function nodesOf(ids: readonly NodeIdentity[], nodeNames: readonly string[]): NodeIdentity[] {
  const gpuNodes = ids.filter((i) => i.gpuCount > 0);
  const mine = gpuNodes.filter((i) => nodeNames.includes(i.node));
  return mine.length > 0 ? mine : gpuNodes;
}

/** One value for a fact the nodes report; nodes that differ show every value ("580.1 / 575.5"). */
function agreed(values: Array<string | undefined>): string | undefined {
  const distinct = [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
  return distinct.length ? distinct.sort().join(' / ') : undefined;
}

/**
 * The hardware of the nodes a deployment occupies, as their inventory reports it: the GPU model
 * (nodes that differ: every model), the smallest GPU count, memory and EFA count, the driver and
 * CUDA. Undefined when no identity covers a GPU node.
 */
export function hardwareOfIdentities(ids: readonly NodeIdentity[], nodeNames: readonly string[]): BenchHardware | undefined {
  const nodes = nodesOf(ids, nodeNames);
  if (nodes.length === 0) return undefined;
  const h: BenchHardware = {
    gpusPerNode: Math.min(...nodes.map((n) => n.gpuCount)),
    efaDevices: Math.min(...nodes.map((n) => n.efaDevices)),
    source: 'inventory',
  };
  const model = agreed(nodes.map((n) => n.gpuModel));
  if (model) h.gpuModel = model;
  const memories = nodes.map((n) => n.gpuMemoryMiB).filter((m): m is number => m !== undefined);
  if (memories.length) h.gpuMemoryMiB = Math.min(...memories);
  const driver = agreed(nodes.map((n) => n.driverVersion));
  if (driver) h.driverVersion = driver;
  const cuda = agreed(nodes.map((n) => n.cudaVersion));
  if (cuda) h.cudaVersion = cuda;
  return h;
}

/** Record version names → the venv distribution that holds them. */
const PACKAGE_OF: Record<string, string> = { vllm: 'vllm', nixl: 'nixl', ray: 'ray', torch: 'torch', flashinfer: 'flashinfer-python' };

/**
 * The versions a deployment's points ran with: the pins (what was asked for) overridden by what the
 * nodes report (what is there), plus what only the nodes know (torch, flashinfer, libfabric, the
 * model revision). Nodes that differ show every value.
 */
export function versionsOfIdentities(ids: readonly NodeIdentity[], nodeNames: readonly string[], pinned: Record<string, string>): Record<string, string> {
  const nodes = nodesOf(ids, nodeNames);
  const out: Record<string, string> = { ...pinned };
  const put = (name: string, v: string | undefined) => { if (v) out[name] = v; };
  for (const [name, dist] of Object.entries(PACKAGE_OF)) put(name, agreed(nodes.map((n) => n.packages[dist])));
  put('ucx', agreed(nodes.map((n) => n.ucx)));
  put('libfabric', agreed(nodes.map((n) => n.libfabric)));
  put('model', agreed(nodes.map((n) => n.modelRevision)));
  return out;
}
