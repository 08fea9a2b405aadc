// Ray activities: start the head and the workers (idempotent), and the health gate: every node
// of the cluster file and every GPU visible, with the missing ones named.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ClusterConfig } from '../../config/index.js';
import type { ClusterStepInput, NodeStepInput } from '../../workflows/stage-types.js';
import type { NodeScripts } from '../node-scripts.js';
import { nodeLayout } from './layout.js';
import { nodeOf } from './provision.js';

export const RAY_PORT = 6379;

interface RayStartJson {
  status: string;
  nodeIp: string | null;
  gpus: number | null;
}

interface RayStatusJson {
  rayStatusExitCode: number;
  summary: {
    connected: boolean;
    error?: string | null;
    aliveNodes: number;
    totalGpus: number;
    nodes: Array<{ ip: string; alive: boolean; gpus: number; isHead?: boolean }>;
  };
}

export interface RayHealth {
  healthy: boolean;
  problems: string[];
  summary: string;
}

export function headOf(cluster: ClusterConfig) {
  const head = cluster.nodes.find((n) => n.role === 'head');
  if (!head) throw ApplicationFailure.nonRetryable(`cluster ${cluster.name} has no head node`, 'ConfigError');
  return head;
}

/** Pure: compares `ray.sh status` with the cluster file; names what is missing. */
export function judgeRay(cluster: ClusterConfig, s: RayStatusJson['summary']): RayHealth {
  const wantGpus = cluster.nodes.reduce((n, x) => n + x.gpus.count, 0);
  const alive = new Set(s.nodes.filter((n) => n.alive).map((n) => n.ip));
  const problems: string[] = [];
  if (!s.connected) problems.push(`Ray is not running on the head (${s.error ?? 'no GCS at the head address'})`);
  else {
    const missing = cluster.nodes.filter((n) => !alive.has(n.host));
    if (missing.length) problems.push(`missing node(s) ${missing.map((n) => `${n.name} (${n.host})`).join(', ')}: ${s.aliveNodes} of ${cluster.nodes.length} nodes alive`);
    if (s.totalGpus < wantGpus) problems.push(`${s.totalGpus} of ${wantGpus} GPUs visible to Ray`);
  }
  return { healthy: problems.length === 0, problems, summary: problems.length ? problems.join('; ') : `${s.aliveNodes} nodes, ${s.totalGpus} GPUs` };
}

export function createRayActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>) {
  const common = async (cluster: ClusterConfig, node: string) => {
    const l = nodeLayout(await workdirOf(cluster, node));
    return ['--venv', l.venv, '--ucx-prefix', l.ucxPrefix, '--nixl-prefix', l.nixlPrefix, '--state-dir', `${l.workdir}/ray`];
  };
  const status = async (cluster: ClusterConfig): Promise<RayHealth> => {
    const head = headOf(cluster);
    const { json } = await scripts.run<RayStatusJson>(cluster, head.name, 'ray.sh', ['status', '--address', `${head.host}:${RAY_PORT}`, ...(await common(cluster, head.name))]);
    return judgeRay(cluster, json.summary);
  };
  return {
    async startRay({ cluster, node }: NodeStepInput): Promise<{ summary: string }> {
      const n = nodeOf(cluster, node);
      const head = headOf(cluster);
      const action = n.role === 'head'
        ? ['start-head', '--port', String(RAY_PORT)]
        : ['start-worker', '--address', `${head.host}:${RAY_PORT}`];
      const { json } = await scripts.run<RayStartJson>(cluster, node, 'ray.sh', [...action, '--node-ip', n.host, '--num-gpus', String(n.gpus.count), ...(await common(cluster, node))], {
        step: `ray-${action[0]}`, hint: `check that ${node} reaches the head ${head.host}:${RAY_PORT} and that the venv has ray`,
      });
      return { summary: `Ray ${n.role} ${json.status}${json.gpus !== null ? `, ${json.gpus} GPUs` : ''}` };
    },

    async checkRayHealth({ cluster }: ClusterStepInput): Promise<RayHealth> {
      return status(cluster);
    },

    /** Polls `ray status` until every node and GPU shows, or the timeout passes. */
    async waitForRay({ cluster, timeoutSeconds }: ClusterStepInput & { timeoutSeconds: number }): Promise<RayHealth> {
      const ctx = Context.current();
      const deadline = Date.now() + timeoutSeconds * 1000;
      for (;;) {
        const h = await status(cluster);
        ctx.heartbeat({ ray: h.summary });
        if (h.healthy || Date.now() > deadline) return h;
        await ctx.sleep(2000);
      }
    },
  };
}
