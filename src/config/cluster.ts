// The cluster file: the machines, how to reach them, what software to put on them, what to check.
import { z } from 'zod';
import {
  countField, envKeyField, envValueText, gitRefField, gitUrlField, hostField, idNameField, labelField,
  modelIdField, nodeNameField, noteField, pathField, portField, positiveInt, positiveNumber, servedNameField,
  userField, versionField,
} from './fields.js';
import { TimingsSchema } from './timings.js';

export const DEFAULT_WORKDIR = '~/pdflow';

const JumpHostSchema = z.strictObject({
  host: hostField().describe('Bastion host name or address.'),
  user: userField().optional().describe('User on the bastion (default: ssh.user).'),
  port: portField().default(22).describe('SSH port of the bastion (default 22).'),
}).describe('Optional SSH jump host (bastion) every node is reached through.');

const SshSchema = z.strictObject({
  user: userField().describe('Default SSH user on every node (e.g. ubuntu).'),
  port: portField().default(22).describe('Default SSH port (default 22).'),
  identityFile: pathField().default('~/.ssh/id_ed25519')
    .describe('Path of the private key ON THE WORKER machine (never the key itself). Default ~/.ssh/id_ed25519.'),
  knownHosts: pathField().default('~/.ssh/known_hosts')
    .describe('known_hosts file on the worker used to verify host keys. Default ~/.ssh/known_hosts.'),
  hostKeyPolicy: z.enum(['strict', 'accept-new']).default('strict')
    .describe('strict: the host key must already be in knownHosts; accept-new: record unknown keys on first contact, reject changed ones.'),
  jumpHost: JumpHostSchema.optional(),
  connectTimeoutSeconds: positiveNumber().default(10).describe('Seconds to wait for an SSH connection (default 10).'),
}).describe('How the worker reaches the nodes over SSH; nodes may override user and port.');

/** A secret (or any value) read from the worker's environment at run time, so it never enters a file or workflow history. */
const FromWorkerEnvSchema = z.strictObject({
  fromWorkerEnv: envKeyField().describe('Name of the environment variable on the worker whose value is passed to the node.'),
  secret: z.boolean().default(true).describe('Redact the value from logs (default true).'),
});

export const EnvValueSchema = z.union([
  envValueText(),
  z.number().int().transform(String),
  FromWorkerEnvSchema,
], { error: 'must be a string, an integer, or { fromWorkerEnv: NAME, secret: true }' })
  .describe('A literal value (quote non-integer numbers and booleans) or { fromWorkerEnv: NAME, secret: true }.');

const NodeSchema = z.strictObject({
  name: nodeNameField().describe('Unique node name (e.g. head, gpu-1); used in logs, job ids and placements.'),
  host: hostField().describe('DNS name or IP address the worker connects to.'),
  role: z.enum(['head', 'worker']).describe('head runs the Ray head (exactly one node); workers join it.'),
  gpus: z.strictObject({
    count: countField().describe('Number of GPUs the node must have (0 for a CPU-only head).'),
    model: labelField('GPU model', 'NVIDIA H100 80GB HBM3').optional()
      .describe('GPU model nvidia-smi must report, e.g. "NVIDIA H100 80GB HBM3" (optional: any model).'),
  }).describe('The GPU inventory the provision stage checks.'),
  efaDevices: countField().default(0).describe('Number of EFA devices the node must have (32 on p5.48xlarge; default 0).'),
  user: userField().optional().describe('SSH user for this node (default: ssh.user).'),
  port: portField().optional().describe('SSH port for this node (default: ssh.port).'),
  workdir: pathField().default(DEFAULT_WORKDIR).describe('Working directory on the node (venv, builds, jobs, logs). Default ~/pdflow.'),
  env: z.record(envKeyField(), EnvValueSchema).default({})
    .describe('Environment for every command run on this node, e.g. NCCL_DEBUG: WARN or HF_TOKEN: { fromWorkerEnv: HF_TOKEN, secret: true }.'),
  pricing: z.strictObject({
    hourlyUsd: positiveNumber().describe('What this machine costs per hour in USD (e.g. the instance type\'s on-demand or reserved price).'),
  }).optional().describe(
    'Optional price of the node, for cost per million output tokens in reports: a deployment costs the sum over its nodes of hourlyUsd x the share of the node\'s GPUs it uses (a CPU head is not charged). Leave it out on every node to report no cost.',
  ),
});

const SourceSchema = z.union([
  z.enum(['system', 'pypi']),
  z.strictObject({
    git: gitUrlField().describe('Repository to build from.'),
    ref: gitRefField().describe('Tag, branch or commit to check out.'),
  }),
  z.strictObject({ path: pathField().describe('A source tree, wheel or interpreter already on the node.') }),
], { error: 'must be "system", "pypi", { git: URL, ref: REF } or { path: PATH }' })
  .describe('Where it comes from: system (already installed), pypi, { git, ref } (built from source) or { path }.');

const pin = (what: string, version: string, source: z.input<typeof SourceSchema>) =>
  z.strictObject({
    version: versionField().describe(`Version of ${what}.`),
    source: SourceSchema,
  }).prefault({ version, source }).describe(`${what} (default ${version}).`);

export const SEED_SOFTWARE = {
  python: { version: '3.11', source: 'system' },
  vllm: { version: '0.11.0', source: 'pypi' },
  flashinfer: { version: '0.2.14.post1', source: 'pypi' },
  ray: { version: '2.51.0', source: 'pypi' },
  ucx: { version: '1.20.0', source: { git: 'https://github.com/openucx/ucx.git', ref: 'v1.20.0' } },
  nixl: { version: '0.6.1', source: { git: 'https://github.com/ai-dynamo/nixl.git', ref: '0.6.1' } },
} as const;

const SoftwareSchema = z.strictObject({
  python: pin('Python interpreter for the venv', SEED_SOFTWARE.python.version, SEED_SOFTWARE.python.source),
  vllm: pin('vLLM', SEED_SOFTWARE.vllm.version, SEED_SOFTWARE.vllm.source),
  flashinfer: pin('flashinfer-python', SEED_SOFTWARE.flashinfer.version, SEED_SOFTWARE.flashinfer.source),
  ray: pin('Ray (installed as ray[serve,llm])', SEED_SOFTWARE.ray.version, SEED_SOFTWARE.ray.source),
  ucx: pin('UCX, built with EFA, CUDA and verbs', SEED_SOFTWARE.ucx.version, SEED_SOFTWARE.ucx.source),
  nixl: pin('NIXL, built against that UCX', SEED_SOFTWARE.nixl.version, SEED_SOFTWARE.nixl.source),
}).describe('Pinned software stack installed on every node; each entry defaults to the tested stack of the seed guide.');

const NetworkSchema = z.strictObject({
  backend: z.enum(['UCX', 'LIBFABRIC']).default('UCX').describe('NIXL backend the validate stage tests (default UCX).'),
  expectedTransport: labelField('transport', 'srd').default('srd')
    .describe('UCX transport the cross-node transfer must use (srd on EFA); a fallback such as tcp or ud_verbs fails the gate.'),
  minBandwidthGBps: positiveNumber().default(2)
    .describe('Cross-node KV transfer bandwidth in GB/s (median of the timed READs) below which the validate stage fails (default 2).'),
  targetBandwidthGBps: positiveNumber().default(10)
    .describe('Cross-node KV transfer bandwidth in GB/s below which the validate stage warns (default 10; the reference cluster moves 4-12 GB/s).'),
}).describe('The network gate of the validate stage.');

/** Ray's own defaults: what a real cluster uses unless the file says otherwise. */
export const RAY_DEFAULT_PORTS = { port: 6379, dashboardPort: 8265, dashboardAgentPort: 52365, clientServerPort: 10001, serveHttpPort: 8000 } as const;

const RaySchema = z.strictObject({
  port: portField().default(RAY_DEFAULT_PORTS.port).describe('GCS port of the Ray head (`ray start --port`, default 6379); workers join <head>:port.'),
  dashboardPort: portField().default(RAY_DEFAULT_PORTS.dashboardPort).describe('Ray dashboard on the head (default 8265); pdflow reads the node list from its state API, and the `serve` CLI talks to it.'),
  dashboardAgentPort: portField().default(RAY_DEFAULT_PORTS.dashboardAgentPort).describe('Dashboard agent HTTP port on every node (`--dashboard-agent-listen-port`, default 52365).'),
  clientServerPort: portField().default(RAY_DEFAULT_PORTS.clientServerPort).describe('Ray Client server port on the head (default 10001).'),
  serveHttpPort: portField().default(RAY_DEFAULT_PORTS.serveHttpPort).describe('HTTP port of the Serve proxy on the head, where the OpenAI API is served (default 8000).'),
  numCpus: positiveInt().optional().describe('CPUs each node declares to Ray (`ray start --num-cpus`; default: what Ray detects).'),
  serveIngressReplicas: positiveInt().default(16)
    .describe('Replicas of the OpenAI ingress and of the PD proxy of every deployment (default 16, as the seed; each takes one CPU).'),
}).superRefine((r, ctx) => {
  const seen = new Map<number, string>();
  const ports = { port: r.port, dashboardPort: r.dashboardPort, dashboardAgentPort: r.dashboardAgentPort, clientServerPort: r.clientServerPort, serveHttpPort: r.serveHttpPort };
  for (const [k, v] of Object.entries(ports)) {
    const other = seen.get(v);
    if (other) ctx.addIssue({ code: 'custom', path: [k], message: `${k} ${v} is also ${other}; give every Ray port its own number` });
    seen.set(v, k);
  }
  if (r.port >= 10002 && r.port <= 19999) ctx.addIssue({ code: 'custom', path: ['port'], message: `port ${r.port} lies in Ray's worker port range 10002-19999; choose another (default 6379)` });
}).describe('The Ray cluster and Serve: ports (the defaults are Ray\'s own; change them when several clusters share machines), CPUs, ingress replicas.');

export const ModelSchema = z.strictObject({
  id: modelIdField().describe('Hugging Face model id, e.g. openai/gpt-oss-120b.'),
  source: z.union([
    z.literal('huggingface'),
    z.strictObject({ path: pathField().describe('Directory holding the weights on every GPU node.') }),
  ], { error: 'must be "huggingface" or { path: DIR }' }).default('huggingface')
    .describe('huggingface (downloaded during provision) or { path } (already on the nodes).'),
  servedName: servedNameField().describe('Name clients and vllm bench use for the model, e.g. gptoss.'),
}).describe('The model every node pre-downloads and serves.');

const ProvisionSchema = z.strictObject({
  installPrerequisites: z.boolean().default(false)
    .describe('Let provision install the missing build prerequisites (python3.11-dev, autotools, rdma-core headers, ...) with apt-get or dnf through sudo (default false: it fails naming them and the command).'),
}).describe('What the provision stage may change on the nodes beyond pdflow\'s own folders.');

export const ClusterSchema = z.strictObject({
  name: idNameField('cluster name').describe('Cluster name: lower-case letters, digits, "-" (used in workflow ids).'),
  description: noteField().optional().describe('Free text shown in reports.'),
  ssh: SshSchema,
  nodes: z.array(NodeSchema).min(1).describe('Every machine: exactly one head (may be CPU-only) and the GPU workers.'),
  software: SoftwareSchema.prefault({}),
  network: NetworkSchema.prefault({}),
  provision: ProvisionSchema.prefault({}),
  ray: RaySchema.prefault({}),
  model: ModelSchema,
  timings: TimingsSchema.optional().describe('Planning estimates for this cluster (a sweep file can override them).'),
}).describe('pdflow cluster file: the machines of a PD-disaggregation testbed and what they must have.');

export type ClusterInput = z.input<typeof ClusterSchema>;
/** A cluster file after validation, with every default applied. */
export type ClusterConfig = z.output<typeof ClusterSchema>;
export type ClusterNode = ClusterConfig['nodes'][number];
export type EnvValue = z.output<typeof EnvValueSchema>;
export type SoftwarePin = ClusterConfig['software']['python'];
export type SoftwareSource = SoftwarePin['source'];
export type ModelConfig = ClusterConfig['model'];
export type RayConfig = ClusterConfig['ray'];
