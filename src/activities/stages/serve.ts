// Serve activities: deploy a planned deployment with Ray Serve LLM (wait until healthy), a
// streaming smoke query, and teardown with the GPUs checked free.
import { ApplicationFailure } from '@temporalio/common';
import { validateSweep, type ClusterConfig } from '../../config/index.js';
import { planSweep, type Plan, type PlannedDeployment } from '../../plan/index.js';
import type { ClusterStepInput } from '../../workflows/stage-types.js';
import type { NodeScripts } from '../node-scripts.js';
import { nodeLayout, runtimeEnv } from './layout.js';
import { headOf, rayAddress } from './ray.js';

export interface DeployInput extends ClusterStepInput {
  deployment: PlannedDeployment;
  /** Bumped per (re)deploy so a redeploy is a new remote job, not a re-read of the last one. */
  generation: number;
  /** The sweep's engine settings; absent for the smoke deployment (serve_app.py's defaults). */
  engine?: EngineSettings;
}

/** The sweep file's `engine` section, as the plan carries it. */
export type EngineSettings = Plan['engine'];

interface ServeJson {
  status: string;
  url?: string;
  seconds?: number;
  error?: string | null;
}

interface SmokeJson {
  ok: boolean;
  ttftMs: number | null;
  tpotMs: number | null;
  tokens: number;
  text: string;
  error: string | null;
}

export function serveUrl(cluster: ClusterConfig): string {
  return `http://${headOf(cluster).host}:${cluster.ray.serveHttpPort}`;
}

/** Arguments of `serve_app.py deploy` for a planned deployment (pure). */
export function deployArgs(cluster: ClusterConfig, dep: PlannedDeployment, deployMinutes: number, engine?: EngineSettings): string[] {
  // Nodes by their cluster-file names: ray.sh labels each Ray node pdflow-node=<name>, and
  // serve_app.py finds them by that label (the SSH host may be a name Ray never sees).
  const args = ['deploy', '--mode', dep.mode, '--model-id', cluster.model.servedName, '--model-source', cluster.model.id];
  if (dep.mode === 'collocated') {
    args.push('--replicas', String(dep.replicas.count), '--tp', String(dep.replicas.tp));
    const nodes = new Set(dep.replicas.instances.map((i) => i.node));
    if (nodes.size === 1) args.push('--node', [...nodes][0]!);
  } else {
    args.push('--p-num', String(dep.prefill.count), '--p-tp', String(dep.prefill.tp), '--d-num', String(dep.decode.count), '--d-tp', String(dep.decode.tp));
    args.push('--backend', dep.backend);
    const p = dep.prefill.instances[0]?.node;
    const d = dep.decode.instances[0]?.node;
    if (p) args.push('--prefill-node', p);
    if (d) args.push('--decode-node', d);
  }
  if (engine) args.push('--max-model-len', String(engine.maxModelLen));
  for (const [k, v] of Object.entries(dep.env)) args.push('--env', `${k}=${v}`);
  const replicas = String(cluster.ray.serveIngressReplicas);
  args.push('--ingress-replicas', replicas, ...(dep.mode === 'collocated' ? [] : ['--proxy-replicas', replicas]));
  args.push('--port', String(cluster.ray.serveHttpPort), '--host', headOf(cluster).host, '--address', rayAddress(cluster), '--timeout', String(deployMinutes * 60));
  return args;
}

/** The smallest PD deployment the cluster can run: 1 prefill TP1 + 1 decode TP1, packed. */
export function smallestPdDeployment(cluster: ClusterConfig): PlannedDeployment {
  const sweep = validateSweep({
    name: 'smoke',
    model: { id: cluster.model.id, servedName: cluster.model.servedName },
    workloads: [{ isl: 128, osl: 32 }],
    deployments: [{ mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } }],
    load: { concurrency: [1], promptsPerConcurrency: 1 },
  }, 'smoke');
  if (!sweep.ok) throw ApplicationFailure.nonRetryable(`internal smoke sweep invalid: ${sweep.issues.map((i) => i.message).join('; ')}`, 'ConfigError');
  const plan = planSweep(cluster, sweep.value);
  const dep = plan.deployments[0];
  if (!dep) throw ApplicationFailure.nonRetryable(`cluster ${cluster.name} cannot run even 1P-TP1:1D-TP1 pack: ${plan.rejected.map((r) => r.message).join('; ')}`, 'ConfigError');
  return dep;
}

export function createServeActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>) {
  const onHead = async (cluster: ClusterConfig) => {
    const head = headOf(cluster);
    const l = nodeLayout(await workdirOf(cluster, head.name));
    return { head, l };
  };
  return {
    async smokeDeployment({ cluster }: ClusterStepInput): Promise<PlannedDeployment> {
      return smallestPdDeployment(cluster);
    },

    async deployServe({ cluster, deployment, generation, deployMinutes, engine }: DeployInput & { deployMinutes?: number }): Promise<{ summary: string; url: string; seconds?: number }> {
      const { head, l } = await onHead(cluster);
      const { json } = await scripts.run<ServeJson>(cluster, head.name, 'serve_app.py', deployArgs(cluster, deployment, deployMinutes ?? 20, engine), {
        step: `deploy-${deployment.id}-g${generation}`, interpreter: l.python, env: runtimeEnv(l),
        hint: 'the log shows the Serve replicas and vLLM engine start-up; check GPU memory (nvidia-smi) and `serve status` on the head',
      });
      if (json.status !== 'healthy') throw ApplicationFailure.create({ type: 'DeploymentFailed', message: `${deployment.label} did not become healthy: ${json.error ?? json.status}` });
      return { summary: `${deployment.label} healthy${json.seconds ? ` after ${json.seconds.toFixed(0)}s` : ''}`, url: json.url ?? serveUrl(cluster), seconds: json.seconds };
    },

    async smokeQuery({ cluster }: ClusterStepInput): Promise<{ summary: string; ttftMs: number | null; tpotMs: number | null; text: string }> {
      const { head, l } = await onHead(cluster);
      const { json } = await scripts.run<SmokeJson>(cluster, head.name, 'smoke_query.py', ['--url', serveUrl(cluster), '--model', cluster.model.servedName, '--max-tokens', '32'], {
        interpreter: l.python, timeoutMs: 10 * 60_000,
      });
      if (!json.ok) throw ApplicationFailure.create({ type: 'SmokeFailed', message: `streaming completion failed: ${json.error}` });
      return { summary: `TTFT ${json.ttftMs?.toFixed(0)} ms, TPOT ${json.tpotMs?.toFixed(1)} ms, ${json.tokens} tokens: "${json.text.slice(0, 40)}"`, ttftMs: json.ttftMs, tpotMs: json.tpotMs, text: json.text };
    },

    async teardownServe({ cluster, deployment, generation }: DeployInput): Promise<{ summary: string }> {
      const { head, l } = await onHead(cluster);
      const { json } = await scripts.run<ServeJson>(cluster, head.name, 'serve_app.py', ['shutdown', '--address', rayAddress(cluster)], {
        step: `teardown-${deployment.id}-g${generation}`, interpreter: l.python, env: runtimeEnv(l),
        hint: 'GPUs still busy after `serve shutdown`: look for leftover vLLM processes with nvidia-smi',
      });
      return { summary: `${deployment.label} ${json.status}, GPUs free` };
    },
  };
}
