// The cluster file of a simulated cluster, in the same shape as a real one (shared contract
// "Cluster file"), so product code cannot tell a simulated node from a real one.
import YAML from 'yaml';
import type { SimState } from './types.js';
import { SEED_SOFTWARE, type RayConfig } from '../config/cluster.js';

export const DEFAULT_GPU_MODEL = 'NVIDIA H100 80GB HBM3';

export function clusterFileText(state: SimState, sessionEnv: (nodeName: string) => Record<string, string>, gpuModel: string, ray: RayConfig): string {
  const head = state.nodes.find((n) => n.role === 'head');
  const doc = {
    name: state.name,
    ssh: {
      user: state.user,
      port: head?.port ?? 22,
      identityFile: state.keyPath,
      knownHosts: state.knownHostsPath,
      hostKeyPolicy: 'strict',
      connectTimeoutSeconds: 5,
    },
    nodes: state.nodes.map((n) => {
      // sshd already sets these (SetEnv); repeating them here keeps them for commands that
      // start from a clean environment. HOME stays sshd's business.
      const { HOME: _home, ...env } = sessionEnv(n.name);
      return {
        name: n.name,
        host: n.host,
        role: n.role,
        gpus: n.gpus > 0 ? { count: n.gpus, model: gpuModel } : { count: 0 },
        efaDevices: n.role === 'worker' ? 32 : 0,
        port: n.port,
        workdir: n.workdir,
        env,
      };
    }),
    // The seed's pinned stack; the sim redirects the UCX/NIXL git URLs to its fake sources.
    software: SEED_SOFTWARE,
    network: { backend: 'UCX', expectedTransport: 'srd', minBandwidthGBps: 2, targetBandwidthGBps: 10 },
    // The nodes are this machine: provision never installs packages here.
    provision: { installPrerequisites: false },
    // Its own ports, so several simulated nodes and clusters share this machine.
    ray,
    model: { id: 'openai/gpt-oss-120b', source: 'huggingface', servedName: 'gptoss' },
  };
  return `# Simulated cluster written by pdflow sim (state: ${state.dir}/state.json)\n` + YAML.stringify(doc);
}
