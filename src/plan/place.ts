// Placing one deployment on the cluster's GPU nodes. Every deployment has the cluster to itself
// (they run one after another), so each is placed from scratch: pd-pack puts prefill and decode on
// one node, pd-spread prefill on one node and decode on another, collocated replicas fill nodes in
// order (fewest nodes). A TP group never spans nodes.
import type { DeploymentShape, PlacedInstance, PlannedRole, RejectionReason, RoleName } from './types.js';

export interface GpuNode {
  name: string;
  gpus: number;
}

export type PlacementResult =
  | { ok: true; nodes: string[]; roles: PlannedRole[] }
  | { ok: false; reason: RejectionReason; message: string };

const describeNodes = (nodes: readonly GpuNode[]) => nodes.map((n) => `${n.name} (${n.gpus})`).join(', ');

/** Hands out GPU indices node by node, lowest first. */
class GpuLedger {
  private readonly next = new Map<string, number>();
  constructor(private readonly nodes: readonly GpuNode[]) {}
  free(node: GpuNode): number {
    return node.gpus - (this.next.get(node.name) ?? 0);
  }
  take(node: GpuNode, count: number): number[] {
    const start = this.next.get(node.name) ?? 0;
    this.next.set(node.name, start + count);
    return Array.from({ length: count }, (_, i) => start + i);
  }
  usedNodes(): string[] {
    return this.nodes.filter((n) => (this.next.get(n.name) ?? 0) > 0).map((n) => n.name);
  }
}

function placeGroup(ledger: GpuLedger, node: GpuNode, role: RoleName, count: number, tp: number): PlannedRole {
  const instances: PlacedInstance[] = [];
  for (let index = 0; index < count; index++) instances.push({ role, index, node: node.name, gpus: ledger.take(node, tp) });
  return { role, count, tp, instances };
}

export function placeDeployment(shape: DeploymentShape, gpuNodes: readonly GpuNode[]): PlacementResult {
  const largest = Math.max(0, ...gpuNodes.map((n) => n.gpus));
  if (gpuNodes.length === 0) return { ok: false, reason: 'gpus-short', message: 'the cluster has no GPU nodes' };

  if (shape.mode === 'collocated') {
    const { count, tp } = shape.replicas;
    if (tp > largest) return { ok: false, reason: 'tp-exceeds-node', message: `TP ${tp} is larger than the largest GPU node (${largest} GPUs)` };
    const ledger = new GpuLedger(gpuNodes);
    const instances: PlacedInstance[] = [];
    for (let index = 0; index < count; index++) {
      const node = gpuNodes.find((n) => ledger.free(n) >= tp);
      if (!node) {
        return {
          ok: false, reason: 'gpus-short',
          message: `${count}xTP${tp} needs ${count * tp} GPUs in groups of ${tp}; only ${index} replicas fit on ${describeNodes(gpuNodes)}`,
        };
      }
      instances.push({ role: 'replica', index, node: node.name, gpus: ledger.take(node, tp) });
    }
    return { ok: true, nodes: ledger.usedNodes(), roles: [{ role: 'replica', count, tp, instances }] };
  }

  const { prefill, decode } = shape;
  if (prefill.tp > decode.tp) {
    return {
      ok: false, reason: 'prefill-tp-exceeds-decode-tp',
      message: `prefill TP ${prefill.tp} > decode TP ${decode.tp}: vLLM 0.11's NixlConnector needs prefill TP <= decode TP`,
    };
  }
  if (decode.tp > largest) {
    return { ok: false, reason: 'tp-exceeds-node', message: `TP ${decode.tp} is larger than the largest GPU node (${largest} GPUs)` };
  }
  const pGpus = prefill.count * prefill.tp;
  const dGpus = decode.count * decode.tp;
  const ledger = new GpuLedger(gpuNodes);

  if (shape.mode === 'pd-pack') {
    const node = gpuNodes.find((n) => n.gpus >= pGpus + dGpus);
    if (!node) {
      return {
        ok: false, reason: 'gpus-short',
        message: `pd-pack needs ${pGpus + dGpus} GPUs on one node (${pGpus} prefill + ${dGpus} decode); the largest GPU node has ${largest}`,
      };
    }
    const roles = [placeGroup(ledger, node, 'prefill', prefill.count, prefill.tp), placeGroup(ledger, node, 'decode', decode.count, decode.tp)];
    return { ok: true, nodes: ledger.usedNodes(), roles };
  }

  if (gpuNodes.length < 2) {
    return {
      ok: false, reason: 'spread-needs-two-nodes',
      message: `pd-spread puts prefill and decode on different nodes; the cluster has one GPU node (${describeNodes(gpuNodes)})`,
    };
  }
  for (const a of gpuNodes) {
    if (a.gpus < pGpus) continue;
    const b = gpuNodes.find((n) => n !== a && n.gpus >= dGpus);
    if (!b) continue;
    const roles = [placeGroup(ledger, a, 'prefill', prefill.count, prefill.tp), placeGroup(ledger, b, 'decode', decode.count, decode.tp)];
    return { ok: true, nodes: ledger.usedNodes(), roles };
  }
  return {
    ok: false, reason: 'gpus-short',
    message: `pd-spread needs ${pGpus} GPUs on one node for prefill and ${dGpus} on another for decode; GPU nodes: ${describeNodes(gpuNodes)}`,
  };
}
