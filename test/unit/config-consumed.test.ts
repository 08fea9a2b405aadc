// Every field the sweep and cluster files accept must change what runs. For each field of the
// schemas (walked from the same zod definitions, so a new field cannot slip by), a non-default
// value is set, the plan and the activity arguments are built with the real pure builders
// (deploy args, bench args, SSH targets with their env, the cross-file checks), and the outcome
// must differ. Fields consumed elsewhere (a workflow, an activity's own script) are listed with
// where; that code is checked to still read them. Known gaps are listed as todo with the issue.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkSweepAgainstCluster, clusterJsonSchema, parseClusterYaml, sweepJsonSchema, validateCluster, validateSweep,
  type ClusterConfig, type ClusterInput, type SweepConfig, type SweepInput,
} from '../../src/config/index.js';
import { planSweep } from '../../src/plan/index.js';
import { deployArgs, smallestPdDeployment } from '../../src/activities/stages/serve.js';
import { benchArgs, benchResultDir } from '../../src/activities/stages/bench.js';
import { nodeLayout } from '../../src/activities/stages/layout.js';
import { nodeSpecs } from '../../src/activities/ssh/targets.js';

const root = path.resolve(import.meta.dirname, '../..');
type Json = Record<string, unknown>;

/** Leaf field paths of a JSON schema: `a.b`, `list[].c`, `map.*`; lists of scalars are leaves. */
function fieldPaths(schema: Json): string[] {
  const defs = (schema.$defs ?? {}) as Record<string, Json>;
  const out = new Set<string>();
  const walk = (s: Json, p: string): void => {
    if (typeof s.$ref === 'string') return walk(defs[s.$ref.split('/').pop()!]!, p);
    const branches = (s.anyOf ?? s.oneOf) as Json[] | undefined;
    if (branches) { for (const b of branches) walk(b, p); return; }
    let leaf = true;
    if (s.properties) { leaf = false; for (const [k, v] of Object.entries(s.properties as Record<string, Json>)) walk(v, p ? `${p}.${k}` : k); }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') { leaf = false; walk(s.additionalProperties as Json, `${p}.*`); }
    const items = s.items as Json | undefined;
    if (items && (items.properties || items.anyOf || items.oneOf || items.$ref)) { leaf = false; walk(items, `${p}[]`); }
    if (leaf) out.add(p);
  };
  walk(schema, '');
  return [...out].sort();
}

// ---- the baseline files and the outcome of a pair ----

const p5Text = readFileSync(path.join(root, 'examples/cluster-p5.yaml'), 'utf8');
const p5 = parseClusterYaml(p5Text, 'cluster-p5.yaml');
if (!p5.ok) throw new Error('examples/cluster-p5.yaml is invalid');
const clusterBase = (): ClusterInput => structuredClone(p5.value) as unknown as ClusterInput;
const sweepBase = (): SweepInput => ({
  name: 'walk', description: 'baseline', model: { id: 'openai/gpt-oss-120b', servedName: 'gptoss' },
  workloads: [{ isl: 5000, osl: 250 }],
  deployments: [
    { mode: 'pd-pack', prefill: { count: [1], tp: [2] }, decode: { count: [1], tp: [4] } },
    { mode: 'collocated', replicas: [2], tp: [4] },
  ],
  load: { concurrency: [4, 16] },
});
const rateBase = (): SweepInput => ({ ...sweepBase(), load: { requestRate: [2], numPrompts: 100 } });
const searchBase = (): SweepInput => ({ ...sweepBase(), load: { search: { over: 'concurrency', min: 4, max: 64, sla: { p99TtftMs: 2000 } } } });

/** Everything a run does with the two files that pure code can show. */
function outcome(clusterIn: ClusterInput, sweepIn: SweepInput): string {
  const c = validateCluster(clusterIn, 'cluster.yaml');
  if (!c.ok) return `cluster refused: ${c.issues.map((i) => i.path).join(', ')}`;
  const s = validateSweep(sweepIn, 'sweep.yaml');
  if (!s.ok) return `sweep refused: ${s.issues.map((i) => i.path).join(', ')}`;
  const cluster: ClusterConfig = c.value;
  const sweep: SweepConfig = s.value;
  const plan = planSweep(cluster, sweep);
  const l = nodeLayout('~/pdflow');
  return JSON.stringify({
    crossFile: checkSweepAgainstCluster(sweep, cluster).map((i) => `${i.path}: ${i.message}`),
    // What the plan decides (ids, order, nodes, estimates), not the settings it carries along:
    // a setting only counts once something that runs reads it.
    plan: plan.deployments.map((d) => ({ id: d.id, label: d.label, nodes: d.nodes, estimate: d.estimate, points: d.points.map((p) => [p.id, p.estimatedSeconds]) })),
    rejected: plan.rejected, estimate: plan.estimate,
    deployArgs: plan.deployments.map((d) => deployArgs(cluster, d, plan.timeouts.deployMinutes, plan.engine)),
    benchArgs: plan.deployments.flatMap((d) => d.points.map((p) => benchArgs(cluster, p, benchResultDir(l.results, plan.sweepName, 'run', d.id, p.workloadId), l.venv, plan.bench))),
    smoke: deployArgs(cluster, smallestPdDeployment(cluster), 20),
    ssh: nodeSpecs(cluster),
  });
}

// ---- what each field is set to, and where it is consumed when not in the outcome ----

interface Mutation {
  /** Sets a non-default value (on the baseline, or on the request-rate baseline with `rate`, the SLA search one with `search`). */
  set: (c: Json, s: Json) => void;
  rate?: true;
  search?: true;
}
/** Consumed by code the outcome does not cover: the file and what it reads there. */
interface ConsumedElsewhere { file: string; reads: RegExp; why: string }
/** Validated but read by nothing yet: a known gap, with the issue that fixes it. */
interface KnownGap { gap: string }
type Entry = Mutation | ConsumedElsewhere | KnownGap;

const dep = (s: Json, i: number) => (s.deployments as Json[])[i]!;
const node = (c: Json, i: number) => (c.nodes as Json[])[i]!;

const SWEEP: Record<string, Entry> = {
  name: { set: (_c, s) => { s.name = 'walk-two'; } },
  description: { gap: 'shown in no report (issue 11: the report)' },
  'model.id': { set: (_c, s) => { s.model = { ...(s.model as Json), id: 'openai/gpt-oss-20b' }; } },
  'model.servedName': { set: (_c, s) => { s.model = { ...(s.model as Json), servedName: 'other' }; } },
  'workloads[].isl': { set: (_c, s) => { s.workloads = [{ isl: 8000, osl: 250 }]; } },
  'workloads[].osl': { set: (_c, s) => { s.workloads = [{ isl: 5000, osl: 1000 }]; } },
  'workloads[].mode': { set: (_c, s) => { s.workloads = [{ isl: 5000, osl: 250, mode: 'decode-only' }]; } },
  'deployments[].mode': { set: (_c, s) => { dep(s, 0).mode = 'pd-spread'; } },
  'deployments[].name': { set: (_c, s) => { dep(s, 0).name = 'mine'; } },
  'deployments[].env.*': { set: (_c, s) => { dep(s, 0).env = { UCX_TLS: 'tcp' }; } },
  'deployments[].prefill.count': { set: (_c, s) => { dep(s, 0).prefill = { count: [2], tp: [2] }; } },
  'deployments[].prefill.tp': { set: (_c, s) => { dep(s, 0).prefill = { count: [1], tp: [4] }; } },
  'deployments[].decode.count': { set: (_c, s) => { dep(s, 0).decode = { count: [2], tp: [4] }; } },
  'deployments[].decode.tp': { set: (_c, s) => { dep(s, 0).decode = { count: [1], tp: [2] }; } },
  'deployments[].backend': { set: (_c, s) => { dep(s, 0).backend = 'LIBFABRIC'; } },
  'deployments[].replicas': { set: (_c, s) => { dep(s, 1).replicas = [1]; } },
  'deployments[].tp': { set: (_c, s) => { dep(s, 1).tp = [2]; } },
  'load.concurrency': { set: (_c, s) => { s.load = { concurrency: [8] }; } },
  'load.promptsPerConcurrency': { set: (_c, s) => { s.load = { concurrency: [4, 16], promptsPerConcurrency: 10 }; } },
  'load.requestRate': { rate: true, set: (_c, s) => { s.load = { requestRate: [3], numPrompts: 100 }; } },
  'load.numPrompts': { rate: true, set: (_c, s) => { s.load = { requestRate: [2], numPrompts: 200 }; } },
  'load.maxConcurrency': { rate: true, set: (_c, s) => { s.load = { requestRate: [2], numPrompts: 100, maxConcurrency: 64 }; } },
  'load.burstiness': { rate: true, set: (_c, s) => { s.load = { requestRate: [2], numPrompts: 100, burstiness: 0.5 }; } },
  // An SLA search reserves its worst case of probes: the plan's points and estimates change.
  'load.search.over': { search: true, set: (_c, s) => { s.load = { search: { over: 'requestRate', min: 4, max: 64, sla: { p99TtftMs: 2000 } } }; } },
  'load.search.min': { search: true, set: (_c, s) => { s.load = { search: { over: 'concurrency', min: 1, max: 64, sla: { p99TtftMs: 2000 } } }; } },
  'load.search.max': { search: true, set: (_c, s) => { s.load = { search: { over: 'concurrency', min: 4, max: 512, sla: { p99TtftMs: 2000 } } }; } },
  'load.search.tolerance': { search: true, set: (_c, s) => { s.load = { search: { over: 'concurrency', min: 4, max: 64, tolerance: 0.02, sla: { p99TtftMs: 2000 } } }; } },
  'load.search.fill': { search: true, set: (_c, s) => { s.load = { search: { over: 'concurrency', min: 4, max: 64, fill: 3, sla: { p99TtftMs: 2000 } } }; } },
  'load.search.sla.p99TtftMs': { file: 'src/plan/sla-search.ts', reads: /p99TtftMs: sla\.p99TtftMs/, why: 'slaVerdict judges every probe (the sweep workflow calls probeOutcomeOf)' },
  'load.search.sla.p99TpotMs': { file: 'src/plan/sla-search.ts', reads: /p99TpotMs: sla\.p99TpotMs/, why: 'slaVerdict judges every probe (the sweep workflow calls probeOutcomeOf)' },
  'sla.p99TtftMs': { gap: 'the sweep SLA reaches the plan but no report (issue 11 item 5)' },
  'sla.p99TpotMs': { gap: 'the sweep SLA reaches the plan but no report (issue 11 item 5)' },
  'engine.maxModelLen': { set: (_c, s) => { s.engine = { maxModelLen: 32000 }; } },
  'bench.dataset': { set: (_c, s) => { s.bench = { dataset: 'random' }; } },
  'bench.seed': { set: (_c, s) => { s.bench = { seed: 42 }; } },
  'bench.ignoreEos': { set: (_c, s) => { s.bench = { ignoreEos: false }; } },
  'bench.percentileMetrics': { set: (_c, s) => { s.bench = { percentileMetrics: ['ttft', 'e2el'] }; } },
  'bench.metricPercentiles': { set: (_c, s) => { s.bench = { metricPercentiles: [99.9] }; } },
  'bench.extraArgs': { set: (_c, s) => { s.bench = { extraArgs: ['--goodput', 'ttft:500'] }; } },
  'timings.deploySeconds': { set: (_c, s) => { s.timings = { deploySeconds: 999 }; } },
  'timings.teardownSeconds': { set: (_c, s) => { s.timings = { teardownSeconds: 99 }; } },
  'timings.benchSecondsPerPoint': { set: (_c, s) => { s.timings = { benchSecondsPerPoint: 77 }; } },
  'timings.benchStartupSeconds': { set: (_c, s) => { s.timings = { benchStartupSeconds: 55 }; } },
  'timings.expectedTtftMs': { set: (_c, s) => { s.timings = { expectedTtftMs: 2000 }; } },
  'timings.expectedTpotMs': { set: (_c, s) => { s.timings = { expectedTpotMs: 40 }; } },
  'timeouts.deployMinutes': { set: (_c, s) => { s.timeouts = { deployMinutes: 45 }; } },
  // The sweep workflow reads these from the plan to time out, retry and pause.
  'timeouts.pointMinutes': { file: 'src/workflows/sweep/activities.ts', reads: /plan\.timeouts\.pointMinutes/, why: 'the bench activity\'s start-to-close timeout' },
  retries: { file: 'src/workflows/sweep/activities.ts', reads: /plan\.retries/, why: 'attempts per point' },
  pauseTeardownAfterMinutes: { file: 'src/workflows/sweep/pause-gate.ts', reads: /plan\.pauseTeardownAfterMinutes/, why: 'a long pause tears the deployment down' },
  // The output check runs in the sweep workflow (answer_check.py's arguments, the comparison).
  'outputCheck.enabled': { file: 'src/workflows/sweep/patches.ts', reads: /plan\.outputCheck\?\.enabled/, why: 'whether deployments answer the check prompts' },
  'outputCheck.prompts': { file: 'src/workflows/output-check.ts', reads: /settings\.prompts/, why: 'answer_check.py --count and the reference key' },
  'outputCheck.tokens': { file: 'src/workflows/output-check.ts', reads: /settings\.tokens/, why: 'answer_check.py --max-tokens and the reference key' },
  'outputCheck.minAgreement': { file: 'src/analysis/output-check.ts', reads: /settings\.minAgreement/, why: 'the share of prompts that must agree' },
  'reuse.maxAgeDays': { file: 'src/workflows/sweep/patches.ts', reads: /opts\.reuse \?\? plan\.reuse/, why: 'whether the sweep reuses stored points, and how old they may be' },
};

const CLUSTER: Record<string, Entry> = {
  name: { file: 'src/workflows/pipeline.ts', reads: /cluster\.name/, why: 'workflow ids, search attributes and summaries' },
  description: { gap: 'shown in no report or summary' },
  'ssh.user': { set: (c) => { c.ssh = { ...(c.ssh as Json), user: 'ec2-user' }; } },
  'ssh.port': { set: (c) => { c.ssh = { ...(c.ssh as Json), port: 2222 }; } },
  'ssh.identityFile': { set: (c) => { c.ssh = { ...(c.ssh as Json), identityFile: '~/.ssh/other' }; } },
  'ssh.knownHosts': { set: (c) => { c.ssh = { ...(c.ssh as Json), knownHosts: '~/.ssh/other_hosts' }; } },
  'ssh.hostKeyPolicy': { set: (c) => { c.ssh = { ...(c.ssh as Json), hostKeyPolicy: 'accept-new' }; } },
  'ssh.jumpHost.host': { set: (c) => { c.ssh = { ...(c.ssh as Json), jumpHost: { host: 'bastion.example.com' } }; } },
  'ssh.jumpHost.user': { set: (c) => { c.ssh = { ...(c.ssh as Json), jumpHost: { host: 'b', user: 'jump' } }; } },
  'ssh.jumpHost.port': { set: (c) => { c.ssh = { ...(c.ssh as Json), jumpHost: { host: 'b', port: 2200 } }; } },
  'ssh.connectTimeoutSeconds': { set: (c) => { c.ssh = { ...(c.ssh as Json), connectTimeoutSeconds: 30 }; } },
  'nodes[].name': { set: (c) => { node(c, 1).name = 'gpu-a'; } },
  'nodes[].host': { set: (c) => { node(c, 0).host = '10.0.0.99'; } },
  'nodes[].role': { set: (c) => { node(c, 0).role = 'worker'; node(c, 1).role = 'head'; } },
  'nodes[].gpus.count': { set: (c) => { node(c, 1).gpus = { count: 4 }; } },
  'nodes[].gpus.model': { file: 'src/activities/stages/provision.ts', reads: /gpus\.model/, why: 'the inventory gate compares nvidia-smi\'s GPU name' },
  'nodes[].efaDevices': { file: 'src/activities/stages/provision.ts', reads: /efaDevices/, why: 'the inventory gate counts EFA devices' },
  'nodes[].user': { set: (c) => { node(c, 1).user = 'root'; } },
  'nodes[].port': { set: (c) => { node(c, 1).port = 2222; } },
  'nodes[].workdir': { set: (c) => { node(c, 1).workdir = '/data/pdflow'; } },
  'nodes[].env.*': { set: (c) => { node(c, 1).env = { NCCL_DEBUG: 'WARN' }; } },
  'nodes[].env.*.fromWorkerEnv': { set: (c) => { node(c, 1).env = { HF_TOKEN: { fromWorkerEnv: 'MY_TOKEN' } }; } },
  'nodes[].env.*.secret': { set: (c) => { node(c, 1).env = { HF_TOKEN: { fromWorkerEnv: 'HF_TOKEN', secret: false } }; } },
  'nodes[].pricing.hourlyUsd': { file: 'src/analysis/point-energy.ts', reads: /pricing\?\.hourlyUsd/, why: 'the deployment\'s hourly price: cost per million output tokens in the record and reports' },
  'network.backend': { file: 'src/activities/stages/validate.ts', reads: /network\.backend/, why: 'the backend the transfer test uses' },
  'network.expectedTransport': { file: 'src/activities/stages/validate.ts', reads: /expectedTransport/, why: 'the transport the network gate demands' },
  'network.minBandwidthGBps': { file: 'src/activities/stages/validate.ts', reads: /minBandwidthGBps/, why: 'the network gate\'s floor' },
  'network.targetBandwidthGBps': { file: 'src/activities/stages/validate.ts', reads: /targetBandwidthGBps/, why: 'the level below which the network gate warns' },
  'ray.port': { file: 'src/activities/stages/ray.ts', reads: /cluster\.ray\.port/, why: 'ray start --port and the address workers join' },
  'ray.dashboardPort': { file: 'src/activities/stages/ray.ts', reads: /dashboardPort/, why: 'ray start --dashboard-port (the state API and the serve CLI)' },
  'ray.dashboardAgentPort': { file: 'src/activities/stages/ray.ts', reads: /dashboardAgentPort/, why: 'ray start --dashboard-agent-listen-port on every node' },
  'ray.clientServerPort': { file: 'src/activities/stages/ray.ts', reads: /clientServerPort/, why: 'ray start --ray-client-server-port' },
  'ray.serveHttpPort': { file: 'src/activities/stages/serve.ts', reads: /serveHttpPort/, why: 'the Serve proxy port deploys and benchmarks use' },
  'ray.numCpus': { file: 'src/activities/stages/ray.ts', reads: /numCpus/, why: 'ray start --num-cpus' },
  'ray.serveIngressReplicas': { file: 'src/activities/stages/serve.ts', reads: /serveIngressReplicas/, why: 'replicas of the ingress and PD proxy of every deployment' },
  'model.id': { set: (c) => { c.model = { ...(c.model as Json), id: 'openai/gpt-oss-20b' }; } },
  'model.servedName': { set: (c) => { c.model = { ...(c.model as Json), servedName: 'oss' }; } },
  'model.source': { file: 'src/activities/stages/provision.ts', reads: /model\.source === 'huggingface'/, why: 'provision downloads the weights only from Hugging Face' },
  'model.source.path': { gap: 'serve loads the model by its id; a path on the nodes is not passed to the engine yet' },
  'provision.installPrerequisites': { file: 'src/activities/stages/provision.ts', reads: /provision\.installPrerequisites/, why: 'provision installs the missing build prerequisites instead of failing' },
  'timings.deploySeconds': { set: (c) => { c.timings = { deploySeconds: 999 }; } },
  'timings.teardownSeconds': { set: (c) => { c.timings = { teardownSeconds: 99 }; } },
  'timings.benchSecondsPerPoint': { set: (c) => { c.timings = { benchSecondsPerPoint: 77 }; } },
  'timings.benchStartupSeconds': { set: (c) => { c.timings = { benchStartupSeconds: 55 }; } },
  'timings.expectedTtftMs': { set: (c) => { c.timings = { expectedTtftMs: 2000 }; } },
  'timings.expectedTpotMs': { set: (c) => { c.timings = { expectedTpotMs: 40 }; } },
};
// The pinned software: pip pins and source builds happen in provision and build.
for (const name of ['python', 'vllm', 'flashinfer', 'ray']) {
  CLUSTER[`software.${name}.version`] = name === 'python'
    ? { file: 'src/activities/stages/provision.ts', reads: /python\.version/, why: 'the venv\'s interpreter' }
    : { file: 'src/plan/node-stack.ts', reads: new RegExp(`${name}\\.version`), why: 'the pip pins provision passes (nodePins)' };
  for (const k of ['source', 'source.git', 'source.ref', 'source.path']) {
    CLUSTER[`software.${name}.${k}`] = { gap: `provision installs ${name} from ${name === 'python' ? 'the system' : 'PyPI'} whatever the source says` };
  }
}
// UCX and NIXL are built from source by the build stage (build.ts's sourceArgs → build-*.sh).
for (const name of ['ucx', 'nixl']) {
  CLUSTER[`software.${name}.version`] = { file: 'src/activities/stages/build.ts', reads: new RegExp(`software\\.${name}\\b`), why: 'the version the build checks out and verifies' };
  for (const k of ['source', 'source.git', 'source.ref', 'source.path']) {
    CLUSTER[`software.${name}.${k}`] = { file: 'src/activities/stages/build.ts', reads: /software\.(ucx|nixl)\b[^\n]*\bsource|sourceArgs\(/, why: 'build-ucx.sh / build-nixl.sh get --git/--ref or --src' };
  }
}

function check(kind: 'sweep' | 'cluster', table: Record<string, Entry>, paths: string[]): void {
  it('every field of the schema has an entry here (a new field needs one: make it change what runs)', () => {
    assert.deepEqual(paths.filter((p) => !(p in table)), [], `${kind} fields without an entry`);
    assert.deepEqual(Object.keys(table).filter((p) => !paths.includes(p)), [], `${kind} entries for fields the schema no longer has`);
  });
  for (const p of paths) {
    const e = table[p];
    if (!e) continue;
    if ('gap' in e) {
      it(`${p}: ${e.gap}`, { todo: 'validated but not consumed yet' }, () => {});
    } else if ('file' in e) {
      it(`${p}: consumed in ${e.file} (${e.why})`, () => {
        assert.match(readFileSync(path.join(root, e.file), 'utf8'), e.reads, `${e.file} no longer reads ${p}`);
      });
    } else {
      it(`${p}: a non-default value changes the plan or the activity arguments`, () => {
        const base = () => ({ c: clusterBase() as unknown as Json, s: (e.rate ? rateBase() : e.search ? searchBase() : sweepBase()) as unknown as Json });
        const before = base();
        const after = base();
        e.set(after.c, after.s);
        const o0 = outcome(before.c as ClusterInput, before.s as SweepInput);
        assert.doesNotMatch(o0, /refused/, 'the baseline is valid');
        assert.notEqual(outcome(after.c as ClusterInput, after.s as SweepInput), o0, `${kind} field ${p} changed nothing that runs`);
      });
    }
  }
}

describe('sweep file: every field changes what runs', () => check('sweep', SWEEP, fieldPaths(sweepJsonSchema())));
describe('cluster file: every field changes what runs', () => check('cluster', CLUSTER, fieldPaths(clusterJsonSchema())));
