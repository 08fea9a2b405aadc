// The cluster file of a simulated cluster, in the same shape as a real one (shared contract
// "Cluster file"), so product code cannot tell a simulated node from a real one.
import YAML from 'yaml';
import type { SimState } from './types.js';

export const DEFAULT_GPU_MODEL = 'NVIDIA H100 80GB HBM3';

export function clusterFileText(state: SimState, sessionEnv: (nodeName: string) => Record<string, string>, gpuModel: string): string {
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
    software: {
      python: { version: '3.11', source: 'system' },
      vllm: { version: '0.11.0', source: 'pypi' },
      flashinfer: { version: '0.2.14.post1', source: 'pypi' },
      ray: { version: '2.51.0', source: 'pypi' },
      ucx: { version: '1.20.0', source: { git: 'https://github.com/openucx/ucx.git', ref: 'v1.20.0' } },
      nixl: { version: '0.6.1', source: { git: 'https://github.com/ai-dynamo/nixl.git', ref: '0.6.1' } },
    },
    network: { backend: 'UCX', expectedTransport: 'srd', minBandwidthGBps: 10 },
    model: { id: 'openai/gpt-oss-120b', source: 'huggingface', servedName: 'gptoss' },
  };
  return `# Simulated cluster written by pdflow sim (state: ${state.dir}/state.json)\n` + YAML.stringify(doc);
}
