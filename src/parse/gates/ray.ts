// The ray gate: does `ray status` show every node and every GPU the cluster file declares?
import type { RayStatus } from '../ray-status.js';

export interface ExpectedRayCluster {
  /** Ray nodes, head included. */
  nodes: number;
  gpus: number;
}

/** What is missing, one message each (nodes, GPUs, recent failures); [] when complete. */
export function checkRayStatus(expected: ExpectedRayCluster, status: RayStatus): string[] {
  const problems: string[] = [];
  if (status.nodesActive < expected.nodes) {
    const missing = expected.nodes - status.nodesActive;
    const pending = status.nodesPending > 0 ? `, ${status.nodesPending} pending` : '';
    const dead = status.failures.length > 0 ? `; recent failures: ${status.failures.map((f) => `${f.id} ${f.cause}${f.ip ? ` (ip ${f.ip})` : ''}`).join(', ')}` : '';
    problems.push(`ray status shows ${status.nodesActive} of ${expected.nodes} nodes (${missing} missing${pending})${dead}; re-run the ray stage to (re)start Ray on the missing nodes`);
  }
  if (status.gpu.total < expected.gpus) {
    problems.push(`ray status shows ${fmt(status.gpu.total)} of ${expected.gpus} GPUs (${fmt(expected.gpus - status.gpu.total)} missing); a worker is down or was started without its GPUs (--num-gpus)`);
  }
  return problems;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? `${x}` : x.toFixed(1);
}
