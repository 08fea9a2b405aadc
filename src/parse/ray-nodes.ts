// What ray.sh prints: its start result, and Ray's own node list (the state API of Ray 2.x,
// `GET /api/v0/nodes?detail=1` on the head's dashboard, as `ray list nodes --detail` shows it),
// judged against the cluster file. Nodes are matched by the `pdflow-node` label ray.sh gives
// each one, so the gate does not depend on how the worker reaches a node (DNS name, public IP,
// bastion): it reports the address each node uses inside Ray.
import { z } from 'zod';
import { ParseError } from './errors.js';
import { parseLastJsonLineWith } from './json-line.js';

export const NODE_LABEL = 'pdflow-node';

const RayStateNodeSchema = z.looseObject({
  node_id: z.string(),
  node_ip: z.string(),
  state: z.string().describe('ALIVE or DEAD'),
  is_head_node: z.boolean(),
  labels: z.record(z.string(), z.string()).nullish(),
  resources_total: z.record(z.string(), z.number()).nullish(),
});
export type RayStateNode = z.output<typeof RayStateNodeSchema>;

const RayProbeSchema = z.looseObject({
  connected: z.boolean(),
  dashboard: z.string().optional(),
  error: z.string().nullish(),
  nodes: z.array(RayStateNodeSchema).optional(),
});
export type RayProbe = z.output<typeof RayProbeSchema>;

export const RayStartResultSchema = z.looseObject({
  script: z.literal('ray'),
  action: z.enum(['start-head', 'start-worker']),
  status: z.enum(['started', 'restarted', 'unchanged']),
  address: z.string(),
  nodeIp: z.string().nullable(),
  nodeName: z.string().nullable(),
  nodeId: z.string().nullable(),
  gpus: z.number().nullable(),
});
export type RayStartResult = z.output<typeof RayStartResultSchema>;

export const RayStatusResultSchema = z.looseObject({
  script: z.literal('ray'),
  action: z.literal('status'),
  rayStatusExitCode: z.number(),
  probe: RayProbeSchema,
});
export type RayStatusResult = z.output<typeof RayStatusResultSchema>;

export const parseRayStartResult = (stdout: string) => parseLastJsonLineWith(stdout, 'ray.sh start', RayStartResultSchema);
export const parseRayStatusResult = (stdout: string) => parseLastJsonLineWith(stdout, 'ray.sh status', RayStatusResultSchema);

/** An already-read JSON line checked against a schema; the error names the field and the value. */
export function checkRayJson<S extends z.ZodType>(value: unknown, tool: string, schema: S): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new ParseError(tool, `the JSON result line does not have the expected shape: ${issues}`, { line: JSON.stringify(value).slice(0, 500) });
}

export interface ExpectedRayNode {
  name: string;
  gpus: number;
}

export interface RayNodeSeen {
  name: string;
  /** The address the node has inside Ray (its --node-ip-address). */
  address: string;
  gpus: number;
  head: boolean;
}

export interface RayHealth {
  healthy: boolean;
  problems: string[];
  /** e.g. "3 nodes, 16 GPUs: head 10.0.0.10, gpu-1 10.0.1.5 (8 GPUs), gpu-2 10.0.1.6 (8 GPUs)" */
  summary: string;
  nodes: RayNodeSeen[];
}

const gpusOf = (n: RayStateNode) => n.resources_total?.GPU ?? 0;

/** Pure: Ray's node list against the cluster file; names what is missing and where each node is. */
export function judgeRayNodes(expected: ExpectedRayNode[], probe: RayProbe): RayHealth {
  const problems: string[] = [];
  const alive = (probe.nodes ?? []).filter((n) => n.state === 'ALIVE');
  const byName = new Map(alive.flatMap((n) => {
    const name = n.labels?.[NODE_LABEL];
    return name ? [[name, n] as const] : [];
  }));
  const seen: RayNodeSeen[] = [];
  if (!probe.connected) {
    problems.push(`Ray is not running on the head (${probe.error ?? 'its dashboard does not answer'})`);
  } else {
    const missing: string[] = [];
    for (const want of expected) {
      const n = byName.get(want.name);
      if (!n) {
        missing.push(want.name);
        continue;
      }
      seen.push({ name: want.name, address: n.node_ip, gpus: gpusOf(n), head: n.is_head_node });
      if (gpusOf(n) < want.gpus) problems.push(`${want.name} (${n.node_ip}) shows ${gpusOf(n)} of ${want.gpus} GPUs in Ray; restart it with --num-gpus ${want.gpus} (re-run the ray stage)`);
    }
    if (missing.length) {
      const unlabelled = alive.filter((n) => !n.labels?.[NODE_LABEL]).map((n) => n.node_ip);
      const extra = unlabelled.length ? `; Ray also has node(s) ${unlabelled.join(', ')} not started by pdflow` : '';
      const have = seen.reduce((n, x) => n + x.gpus, 0);
      const want = expected.reduce((n, x) => n + x.gpus, 0);
      problems.push(`missing node(s) ${missing.join(', ')}: ${seen.length} of ${expected.length} nodes alive in Ray, ${have} of ${want} GPUs${extra}; re-run the ray stage to (re)start Ray on them`);
    }
  }
  const gpus = seen.reduce((s, n) => s + n.gpus, 0);
  const where = seen.map((n) => `${n.name} ${n.address}${n.gpus ? ` (${n.gpus} GPUs)` : ''}`).join(', ');
  const summary = problems.length ? problems.join('; ') : `${seen.length} nodes, ${gpus} GPUs: ${where}`;
  return { healthy: problems.length === 0, problems, summary, nodes: seen };
}
