// One-line descriptions of valid files, for `pdflow validate`.
import type { ClusterConfig } from './cluster.js';
import { expandDeployments } from './deployments.js';
import type { SweepConfig } from './sweep.js';

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** e.g. `cluster p5-pair, 3 nodes (head + 2 workers), 16 GPUs` */
export function summarizeCluster(c: ClusterConfig): string {
  const workers = c.nodes.filter((n) => n.role === 'worker').length;
  const gpus = c.nodes.reduce((sum, n) => sum + n.gpus.count, 0);
  return `cluster ${c.name}, ${plural(c.nodes.length, 'node')} (head + ${plural(workers, 'worker')}), ${plural(gpus, 'GPU')}`;
}

/** e.g. `sweep pd-ratio, 8 deployments x 1 workload x 6 concurrency levels = 48 points` */
export function summarizeSweep(s: SweepConfig): string {
  if (s.load.kind === 'search') {
    // The levels are picked while it runs: `pdflow plan` gives the worst case.
    const q = s.load.search;
    return `sweep ${s.name}, ${plural(expandDeployments(s.deployments).length, 'deployment')} x ${plural(s.workloads.length, 'workload')} x ` +
      `an SLA search over ${q.over} ${q.min}..${q.max} (within ${q.tolerance * 100}%)`;
  }
  const loads = s.load.kind === 'concurrency' ? s.load.concurrency.length : s.load.requestRate.length;
  const loadWord = s.load.kind === 'concurrency' ? 'concurrency level' : 'request rate';
  const deployments = expandDeployments(s.deployments).length;
  return `sweep ${s.name}, ${plural(deployments, 'deployment')} x ${plural(s.workloads.length, 'workload')} x ` +
    `${plural(loads, loadWord)} = ${plural(deployments * s.workloads.length * loads, 'point')}`;
}
