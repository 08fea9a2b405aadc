// The hardware a point ran on: from the cluster file (sweeps) or a folder name / the command line
// (imports), a short label for tables and a key that keeps different GPUs apart. Pure.
import type { BenchHardware } from './records.js';

/** GPU families a folder name or a model string may name, longest first (GB200 before B200). */
const GPU_FAMILIES = ['GB200', 'GB300', 'B200', 'B300', 'H200', 'H100', 'H800', 'H20', 'A100', 'A800', 'L40S', 'L40', 'L4', 'A10G'] as const;

/** Nodes of the seed's clusters (p5.48xlarge, p5en.48xlarge): the import's default node size. */
export const DEFAULT_GPUS_PER_NODE = 8;

/** The GPU family a text names as a token ("…_H200_…", "NVIDIA H100 80GB HBM3"), upper case; undefined when none. */
export function gpuFamilyOf(text: string): string | undefined {
  for (const f of GPU_FAMILIES) {
    if (new RegExp(`(?:^|[^A-Za-z0-9])${f}(?=$|[^A-Za-z0-9]|\\d+GB)`, 'i').test(text)) return f;
  }
  return undefined;
}

/** "H100 80GB HBM3" for "NVIDIA H100 80GB HBM3"; the model as given otherwise. */
export function shortGpuModel(model: string): string {
  return model.replace(/^NVIDIA\s+/i, '').trim();
}

/** "8x H100 80GB HBM3 per node (81559 MiB, driver 580.95.05, CUDA 13.0, 32 EFA)", "8 GPUs per node (model unknown)". */
export function hardwareLabel(h: BenchHardware | undefined): string {
  if (!h) return 'hardware not recorded';
  const gpus = h.gpuModel ? `${h.gpusPerNode}x ${shortGpuModel(h.gpuModel)} per node` : `${h.gpusPerNode} GPUs per node (model unknown)`;
  const details = [
    h.gpuMemoryMiB !== undefined ? `${h.gpuMemoryMiB} MiB` : undefined,
    h.driverVersion ? `driver ${h.driverVersion}` : undefined,
    h.cudaVersion ? `CUDA ${h.cudaVersion}` : undefined,
    h.efaDevices !== undefined && (h.driverVersion || h.gpuMemoryMiB !== undefined) ? `${h.efaDevices} EFA` : undefined,
  ].filter((d) => d !== undefined);
  return details.length ? `${gpus} (${details.join(', ')})` : gpus;
}

/**
 * What keeps records of different hardware apart in groups, series and file names: the GPU family
 * ("h100"), else the model made file-name safe; "" when the model is unknown (such records group
 * together, as before pdflow kept the hardware).
 */
export function hardwareKey(h: BenchHardware | undefined): string {
  if (!h?.gpuModel) return '';
  const family = gpuFamilyOf(h.gpuModel);
  return (family ?? h.gpuModel).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** The short name of the hardware in a group title: "H100", or the model; "" when unknown. */
export function hardwareShortName(h: BenchHardware | undefined): string {
  if (!h?.gpuModel) return '';
  return gpuFamilyOf(h.gpuModel) ?? shortGpuModel(h.gpuModel);
}

export interface ImportHardwareOptions {
  /** --gpu: the GPU model when the folder name does not say. */
  gpu?: string;
  /** --gpus-per-node; default DEFAULT_GPUS_PER_NODE. */
  gpusPerNode?: number;
}

/**
 * An imported folder's hardware: the GPU model from the folder name when it names one (it wins: it
 * was written when the run was made), else --gpu; the node size from --gpus-per-node, else 8.
 * Memory, driver, CUDA and EFA are unknown to an import and stay absent.
 */
export function hardwareOfImport(folderName: string, opts: ImportHardwareOptions = {}): BenchHardware {
  const fromName = gpuFamilyOf(folderName);
  const gpusPerNode = opts.gpusPerNode ?? DEFAULT_GPUS_PER_NODE;
  if (fromName) return { gpuModel: fromName, gpusPerNode, source: 'folder-name' };
  if (opts.gpu) return { gpuModel: opts.gpu, gpusPerNode, source: 'command-line' };
  return { gpusPerNode, source: opts.gpusPerNode !== undefined ? 'command-line' : 'default' };
}

/** The cluster-file facts hardwareOfClusterNodes reads (a structural subset of ClusterConfig). */
export interface ClusterNodeFacts {
  nodes: Array<{ name: string; gpus: { count: number; model?: string | undefined }; efaDevices: number }>;
}

/**
 * The hardware of the nodes a deployment occupies, as the cluster file declares it. The provision
 * stage checks the file against each node's inventory (GPU count, model, EFA) and fails on a
 * mismatch, so these facts were verified on a provisioned cluster; memory, driver and CUDA are not
 * in the file and stay absent rather than guessed. Nodes that differ: the first node's model and
 * the smallest node and EFA count.
 */
export function hardwareOfClusterNodes(cluster: ClusterNodeFacts, nodeNames: readonly string[]): BenchHardware | undefined {
  const gpuNodes = cluster.nodes.filter((n) => n.gpus.count > 0);
  const mine = gpuNodes.filter((n) => nodeNames.includes(n.name));
  const nodes = mine.length > 0 ? mine : gpuNodes;
  if (nodes.length === 0) return undefined;
  const h: BenchHardware = {
    gpusPerNode: Math.min(...nodes.map((n) => n.gpus.count)),
    efaDevices: Math.min(...nodes.map((n) => n.efaDevices)),
    source: 'cluster-file',
  };
  const model = nodes.find((n) => n.gpus.model)?.gpus.model;
  if (model) h.gpuModel = model;
  return h;
}
