// Serve activities: deploy a planned deployment with Ray Serve LLM (wait until healthy), a
// streaming smoke query, and teardown with the GPUs checked free.
import { ApplicationFailure } from '@temporalio/common';
import { validateSweep, type ClusterConfig, type SweepInput } from '../../config/index.js';
import { planSweep, type Plan, type PlannedDeployment } from '../../plan/index.js';
import type { ClusterStepInput } from '../types.js';
import type { NodeScripts } from '../node-scripts.js';
import { nodeLayout, runtimeEnv } from './layout.js';
import { answerSetOf, parseAnswerCheckJson } from '../../parse/index.js';
import type { AnswerSet } from '../../analysis/output-check.js';
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
  serveStatus?: string | null;
  ray?: 'connected' | 'unreachable' | null;
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

export interface AnswerPromptsInput extends ClusterStepInput {
  /** The remote job's step: one per deployment and generation (a retry re-reads, a redeploy asks again). */
  step: string;
  prompts: number;
  tokens: number;
}

/** The one deployment a small internal sweep of `entry` plans on the cluster (smoke, output-check reference). */
function planOneDeployment(cluster: ClusterConfig, name: string, entry: SweepInput['deployments'][number], what: string): PlannedDeployment {
  const sweep = validateSweep({
    name, model: { id: cluster.model.id, servedName: cluster.model.servedName },
    workloads: [{ isl: 128, osl: 32 }], deployments: [entry], load: { concurrency: [1], promptsPerConcurrency: 1 },
  }, name);
  if (!sweep.ok) throw ApplicationFailure.nonRetryable(`internal ${name} sweep invalid: ${sweep.issues.map((i) => i.message).join('; ')}`, 'ConfigError');
  const plan = planSweep(cluster, sweep.value);
  const dep = plan.deployments[0];
  if (!dep) throw ApplicationFailure.nonRetryable(`cluster ${cluster.name} cannot run ${what}: ${plan.rejected.map((r) => r.message).join('; ')}`, 'ConfigError');
  return dep;
}

/** A collocated deployment of one TP-`tp` replica on `node`: the output check's reference (no KV transfer). */
export function referenceDeployment(cluster: ClusterConfig, tp: number, node: string): PlannedDeployment {
  const dep = planOneDeployment(cluster, 'reference', { mode: 'collocated', replicas: [1], tp: [tp] }, `a collocated TP${tp} reference`);
  if (dep.mode !== 'collocated') return dep;
  // On the node of the deployment it is for (pack: the planner's first fit may pick another).
  const instances = dep.replicas.instances.map((i) => ({ ...i, node }));
  return { ...dep, id: `reference-tp${tp}`, label: `reference 1x TP${tp}`, replicas: { ...dep.replicas, instances }, points: [] };
}

/** The smallest PD deployment the cluster can run: 1 prefill TP1 + 1 decode TP1, packed. */
export function smallestPdDeployment(cluster: ClusterConfig): PlannedDeployment {
  return planOneDeployment(cluster, 'smoke', { mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } }, 'even 1P-TP1:1D-TP1 pack');
}

export interface DeploymentState {
  status: 'healthy' | 'deploying' | 'failed' | 'absent' | 'unreachable';
  error: string | null;
  /** Serve's own status of the application (RUNNING, DEPLOYING, UNHEALTHY, …); null when Serve could not say. */
  serveStatus: string | null;
  /** Whether Ray answered on the head (its dashboard, or its GCS when the dashboard is gone); null when not known (SSH down). */
  ray: 'connected' | 'unreachable' | null;
}

/** The head node and its work folder's layout. */
async function headLayout(workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>, cluster: ClusterConfig) {
  const head = headOf(cluster);
  return { head, l: nodeLayout(await workdirOf(cluster, head.name)) };
}

/**
 * The deployment as Serve sees it, from the head (`serve_app.py status`); with `probe`, a 2-token
 * completion must answer too. 'unreachable': the head could not be asked (SSH), which says
 * nothing of the deployment.
 */
export async function serveStatus(
  scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>, cluster: ClusterConfig, o: { probe: boolean },
): Promise<DeploymentState> {
  try {
    const { head, l } = await headLayout(workdirOf, cluster);
    const { json } = await scripts.run<ServeJson>(cluster, head.name, 'serve_app.py', [
      'status', '--address', rayAddress(cluster), '--port', String(cluster.ray.serveHttpPort), '--host', head.host, '--model-id', cluster.model.servedName,
      // Serve's REST API on the head's dashboard: no Ray driver joins the cluster for each check.
      '--dashboard', `${head.host}:${cluster.ray.dashboardPort}`,
      ...(o.probe ? ['--probe'] : []),
    ], { interpreter: l.python, env: runtimeEnv(l), timeoutMs: 120_000 });
    const status = (['healthy', 'deploying', 'failed', 'absent'] as const).find((x) => x === json.status) ?? 'failed';
    const ray = json.ray === 'connected' || json.ray === 'unreachable' ? json.ray : null;
    return { status, error: json.error ?? null, serveStatus: typeof json.serveStatus === 'string' ? json.serveStatus : null, ray };
  } catch (err) {
    return { status: 'unreachable', error: (err as Error).message.split('\n')[0]!.slice(0, 400), serveStatus: null, ray: null };
  }
}

/**
 * Why a deployment that was serving is gone, by Serve's own word or because the head cannot
 * reach Ray at all (dashboard and GCS gone: the head rebooted, and Serve with it); undefined while
 * Serve says RUNNING (a slow /v1/models under a benchmark's load proves nothing) or cannot say
 * (SSH down; a controller that does not answer, e.g. while Ray restarts it: its replicas may still serve).
 */
export function deploymentGone(st: DeploymentState): string | undefined {
  if (st.ray === 'unreachable') return `Ray cannot be reached from the head${st.error ? ` (${st.error.slice(0, 300)})` : ''}`;
  if (st.status === 'absent') return 'Serve runs no application any more';
  if (st.serveStatus && st.serveStatus !== 'RUNNING') return `Serve says the application is ${st.serveStatus}${st.error ? ` (${st.error.slice(0, 300)})` : ''}`;
  return undefined;
}

export function createServeActivities(scripts: NodeScripts, workdirOf: (cluster: ClusterConfig, node: string) => Promise<string>) {
  const onHead = (cluster: ClusterConfig) => headLayout(workdirOf, cluster);
  return {
    async smokeDeployment({ cluster }: ClusterStepInput): Promise<PlannedDeployment> {
      return smallestPdDeployment(cluster);
    },

    async referenceDeployment({ cluster, tp, node }: ClusterStepInput & { tp: number; node: string }): Promise<PlannedDeployment> {
      return referenceDeployment(cluster, tp, node);
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

    /**
     * Whether the deployment that should be up still is (Serve's own status and the model on its
     * HTTP route). Never fails: a head that cannot be reached or a Ray without its GCS is an answer
     * ("unreachable"), the one a sweep asks for after a point failed.
     */
    async deploymentStatus({ cluster }: ClusterStepInput): Promise<DeploymentState> {
      return serveStatus(scripts, workdirOf, cluster, { probe: true });
    },

    /** The deployment that is up answers the output check's prompts greedily. */
    async answerPrompts({ cluster, step, prompts, tokens }: AnswerPromptsInput): Promise<AnswerSet & { summary: string }> {
      const { head, l } = await onHead(cluster);
      const { json } = await scripts.run<unknown>(cluster, head.name, 'answer_check.py', [
        '--url', serveUrl(cluster), '--model', cluster.model.servedName, '--count', String(prompts), '--max-tokens', String(tokens),
      ], { step, interpreter: l.python, hint: 'no prompt got an answer: check that the deployment still answers (serve status, the replicas\' logs)' });
      const j = parseAnswerCheckJson(json);
      if (!j.ok) throw ApplicationFailure.create({ type: 'OutputCheckFailed', message: `no prompt of the output check got an answer: ${j.error}` });
      const answered = j.answers.filter((a) => !a.error).length;
      return { ...answerSetOf(j), summary: `${answered}/${j.answers.length} prompts answered in ${j.seconds.toFixed(1)} s` };
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
