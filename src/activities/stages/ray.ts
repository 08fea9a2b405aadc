// Ray activities: start the head and the workers (idempotent), and the health gate: every node
// of the cluster file and every GPU visible in Ray's own node list, with the missing ones named
// and the address each node has inside Ray.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ClusterConfig } from '../../config/index.js';
import { checkRayJson, judgeRayNodes, RayStartResultSchema, RayStatusResultSchema, type RayHealth } from '../../parse/index.js';
import type { ClusterStepInput, NodeStepInput } from '../types.js';
import type { NodeScripts } from '../node-scripts.js';
import { nodeLayout } from './layout.js';
import { nodeOf } from './provision.js';
import { heartbeatWhile } from '../heartbeat.js';

export type { RayHealth } from '../../parse/index.js';

export function headOf(cluster: ClusterConfig) {
  const head = cluster.nodes.find((n) => n.role === 'head');
  if (!head) throw ApplicationFailure.nonRetryable(`cluster ${cluster.name} has no head node`, 'ConfigError');
  return head;
}

/** <head>:<GCS port>, where workers join and drivers connect. */
export const rayAddress = (cluster: ClusterConfig) => `${headOf(cluster).host}:${cluster.ray.port}`;

/** The ports every ray.sh call passes, from the cluster file (Ray's defaults unless it says otherwise). */
export const rayPortArgs = (cluster: ClusterConfig) => [
  '--port', String(cluster.ray.port), '--dashboard-port', String(cluster.ray.dashboardPort),
  '--dashboard-agent-port', String(cluster.ray.dashboardAgentPort), '--client-server-port', String(cluster.ray.clientServerPort),
];

/**
 * What every ray.sh call on a node gets: its venv, the UCX/NIXL builds, the state folder and the
 * env Ray starts with. HF_HOME goes into the raylet's environment so every replica (not only the
 * driver) finds the weights provision fetched, instead of downloading them again into ~/.cache.
 */
export function rayNodeArgs(cluster: ClusterConfig, l: ReturnType<typeof nodeLayout>): string[] {
  return ['--venv', l.venv, '--ucx-prefix', l.ucxPrefix, '--nixl-prefix', l.nixlPrefix, '--state-dir', `${l.workdir}/ray`,
    '--env', `HF_HOME=${l.hfHome}`, ...rayPortArgs(cluster)];
}

export function createRayActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>) {
  const common = async (cluster: ClusterConfig, node: string) => rayNodeArgs(cluster, nodeLayout(await workdirOf(cluster, node)));
  const status = async (cluster: ClusterConfig): Promise<RayHealth> => {
    const head = headOf(cluster);
    const { json } = await scripts.run<unknown>(cluster, head.name, 'ray.sh', ['status', '--address', rayAddress(cluster), ...(await common(cluster, head.name))]);
    const s = checkRayJson(json, 'ray.sh status', RayStatusResultSchema);
    return judgeRayNodes(cluster.nodes.map((n) => ({ name: n.name, gpus: n.gpus.count })), s.probe);
  };
  return {
    /** `again`: a second start in the same stage (a node that did not show up): a new remote job. */
    async startRay({ cluster, node, again }: NodeStepInput & { again?: boolean }): Promise<{ summary: string; address: string | null }> {
      const n = nodeOf(cluster, node);
      const action = n.role === 'head' ? ['start-head'] : ['start-worker', '--address', rayAddress(cluster)];
      const cpus = cluster.ray.numCpus ? ['--num-cpus', String(cluster.ray.numCpus)] : [];
      const { json } = await scripts.run<unknown>(cluster, node, 'ray.sh', [...action, '--node-name', n.name, '--num-gpus', String(n.gpus.count), ...cpus, ...(await common(cluster, node))], {
        step: `ray-${action[0]}${again ? '-again' : ''}`, hint: `check that ${node} reaches the head ${rayAddress(cluster)} and that the venv has ray[serve,llm]`,
      });
      const r = checkRayJson(json, 'ray.sh start', RayStartResultSchema);
      return { summary: `Ray ${n.role} ${r.status} on ${r.nodeIp ?? '?'}${r.gpus !== null ? `, ${r.gpus} GPUs` : ''}`, address: r.nodeIp };
    },

    /** Stops Ray on one node (every Ray process of its session: raylet, replicas, engines): the forced cleanup after a deployment died. */
    async stopRay({ cluster, node }: NodeStepInput): Promise<{ summary: string }> {
      const { json } = await scripts.run<{ status?: string }>(cluster, node, 'ray.sh', ['stop', ...(await common(cluster, node))], {
        hint: `stop Ray on ${node} by hand (ray stop --force) and look for leftover vLLM processes with nvidia-smi`,
      });
      return { summary: `Ray ${json.status ?? 'stopped'} on ${node}` };
    },

    async checkRayHealth({ cluster }: ClusterStepInput): Promise<RayHealth> {
      return heartbeatWhile({ ray: 'checking' }, () => status(cluster));
    },

    /** Polls Ray's node list until every node and GPU shows, or the timeout passes. */
    async waitForRay({ cluster, timeoutSeconds }: ClusterStepInput & { timeoutSeconds: number }): Promise<RayHealth> {
      const ctx = Context.current();
      const deadline = Date.now() + timeoutSeconds * 1000;
      let last = 'waiting for the first ray status';
      for (;;) {
        const h = await heartbeatWhile({ ray: last }, () => status(cluster));
        last = h.summary;
        ctx.heartbeat({ ray: h.summary });
        if (h.healthy || Date.now() > deadline) return h;
        await ctx.sleep(2000);
      }
    },
  };
}
