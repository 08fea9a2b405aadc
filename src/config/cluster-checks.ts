// Rules across fields of a cluster file. They read the raw data defensively so they run even when
// the schema found problems elsewhere: the user sees every problem in one pass.
import { IssueList } from './issues.js';
import { asArray, asRecord } from './raw.js';

/** Env names whose literal values are secrets; those must come from the worker's environment. */
export const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|ACCESS_KEY|PRIVATE_KEY)/i;

export function checkClusterRules(raw: unknown, issues: IssueList): void {
  const root = asRecord(raw);
  if (!root) return;
  const ssh = asRecord(root.ssh);
  const nodes = asArray(root.nodes).map((n) => asRecord(n) ?? {});
  if (nodes.length === 0) return;

  const heads = nodes.flatMap((n, i) => (n.role === 'head' ? [i] : []));
  if (heads.length === 0 && nodes.every((n) => typeof n.role === 'string')) {
    issues.add(['nodes'], 'no node has role "head"', { hint: 'mark exactly one node, the Ray head, with role: head (it may be a CPU-only machine)' });
  }
  for (const i of heads.slice(1)) {
    issues.add(['nodes', i, 'role'], `a second head: nodes[${heads[0]}] is already the head`, { value: 'head', hint: 'exactly one node has role: head; make the others role: worker' });
  }

  const names = new Map<string, number>();
  const endpoints = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (typeof n.name === 'string') {
      const first = names.get(n.name);
      if (first !== undefined) issues.add(['nodes', i, 'name'], `node name is already used by nodes[${first}]`, { value: n.name, hint: 'give every node its own name' });
      else names.set(n.name, i);
    }
    if (typeof n.host === 'string') {
      const port = typeof n.port === 'number' ? n.port : typeof ssh?.port === 'number' ? ssh.port : 22;
      const key = `${n.host.toLowerCase()}:${port}`;
      const first = endpoints.get(key);
      if (first !== undefined) issues.add(['nodes', i, 'host'], `host and port ${key} are already used by nodes[${first}]`, { value: n.host, hint: 'every node needs its own host (or SSH port)' });
      else endpoints.set(key, i);
    }
    const env = asRecord(n.env);
    for (const [key, value] of Object.entries(env ?? {})) {
      if (SECRET_NAME.test(key) && (typeof value === 'string' || typeof value === 'number')) {
        issues.add(['nodes', i, 'env', key], 'looks like a secret written into the cluster file', {
          hint: `use ${key}: { fromWorkerEnv: ${key}, secret: true } so the value stays on the worker, out of files and workflow history`,
        });
      }
    }
  });

  const network = asRecord(root.network);
  const floor = network?.minBandwidthGBps;
  const target = network?.targetBandwidthGBps;
  if (typeof floor === 'number' && typeof target === 'number' && target < floor) {
    issues.add(['network', 'targetBandwidthGBps'], `is below network.minBandwidthGBps (${floor})`, {
      value: target, hint: 'the target (warn below) must be at least the floor (fail below): raise targetBandwidthGBps or lower minBandwidthGBps',
    });
  }

  const gpuCounts = nodes.map((n) => asRecord(n.gpus)?.count);
  if (gpuCounts.every((c) => typeof c === 'number') && gpuCounts.every((c) => c === 0)) {
    issues.add(['nodes'], 'no node has GPUs', { hint: 'set gpus.count on the GPU nodes (e.g. gpus: { count: 8, model: "NVIDIA H100 80GB HBM3" })' });
  }
}
