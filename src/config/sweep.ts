// The sweep file: deployments x workloads x load points to benchmark on a cluster.
import { z } from 'zod';
import {
  envKeyField, envValueText, idNameField, modelIdField, noteField, positiveInt, positiveNumber,
  servedNameField, tpField,
} from './fields.js';
import { TimingsSchema } from './timings.js';

const intList = (description: string) => z.array(positiveInt()).min(1).describe(description);
const crossed = (what: string) => intList(`${what}: a list; each value is crossed with the other lists (e.g. [1, 2]).`);
const tpList = (what: string) =>
  z.array(tpField()).min(1).describe(`${what}: a list of powers of two; each value is crossed with the other lists (e.g. [2, 4]).`);

const RoleSchema = (role: string) => z.strictObject({
  count: crossed(`Number of ${role} instances`),
  tp: tpList(`Tensor-parallel size of each ${role} instance`),
}).describe(`${role[0]!.toUpperCase()}${role.slice(1)} instances: count x TP, both lists to cross.`);

const deploymentCommon = {
  name: idNameField('deployment name').optional()
    .describe('Name for the deployment (default: from its shape, e.g. pd-pack-1p-tp4-1d-tp4); when the lists expand to several, the shape is appended.'),
  env: z.record(envKeyField(), z.union([envValueText(), z.number().int().transform(String)], { error: 'must be a string or an integer (quote other values)' }))
    .default({}).describe('Extra environment for the serving processes, e.g. UCX_TLS: tcp.'),
};

const PdDeployment = (mode: 'pd-pack' | 'pd-spread', what: string) => z.strictObject({
  mode: z.literal(mode).describe(what),
  ...deploymentCommon,
  prefill: RoleSchema('prefill'),
  decode: RoleSchema('decode'),
  backend: z.enum(['UCX', 'LIBFABRIC']).default('UCX').describe('NIXL backend for the KV transfer (default UCX).'),
});

const CollocatedDeployment = z.strictObject({
  mode: z.literal('collocated').describe('collocated: independent vLLM replicas, each doing prefill and decode.'),
  ...deploymentCommon,
  replicas: crossed('Number of replicas'),
  tp: tpList('Tensor-parallel size of each replica'),
});

export const DeploymentEntrySchema = z.discriminatedUnion('mode', [
  CollocatedDeployment,
  PdDeployment('pd-pack', 'pd-pack: prefill and decode instances on the same node.'),
  PdDeployment('pd-spread', 'pd-spread: prefill on one node, decode on another (KV over the network).'),
]).describe('One deployment entry; its lists are crossed into one deployment per combination.');

const WorkloadSchema = z.strictObject({
  isl: positiveInt().describe('Input sequence length in tokens (prompt length), e.g. 5000.'),
  osl: positiveInt().describe('Output sequence length in tokens, e.g. 250.'),
  mode: z.enum(['mixed', 'prefill-only', 'decode-only']).default('mixed')
    .describe('What each request is (as the seed\'s run_bm.sh): mixed (default); prefill-only asks for 1 output token; decode-only sends the isl tokens as one shared prefix, so prefill is a prefix-cache hit and decode dominates.'),
}).describe('One ISL/OSL pair.');

const ConcurrencyLoad = z.strictObject({
  concurrency: intList('Concurrency levels (maximum concurrent requests), one point each, e.g. [4, 8, 16, 32, 48, 64].'),
  promptsPerConcurrency: positiveInt().default(5).describe('Prompts per unit of concurrency: num_prompts = concurrency x this (default 5).'),
}).transform((v) => ({ kind: 'concurrency' as const, ...v }));

const RequestRateLoad = z.strictObject({
  requestRate: z.array(positiveNumber()).min(1).describe('Request rates in requests/s, one point each (e.g. [1, 2, 4]).'),
  numPrompts: positiveInt().default(500).describe('Prompts per point (default 500).'),
  maxConcurrency: positiveInt().optional().describe('Optional cap on concurrent requests.'),
  burstiness: positiveNumber().default(1).describe('Arrival burstiness; 1 = Poisson (default).'),
}).transform((v) => ({ kind: 'request-rate' as const, ...v }));

const SlaSchema = z.strictObject({
  p99TtftMs: positiveNumber().optional().describe('Maximum p99 time to first token, ms.'),
  p99TpotMs: positiveNumber().optional().describe('Maximum p99 time per output token, ms.'),
}).describe('Optional service-level objective; the report marks points that meet it.');

/** Search bounds a run can still afford (a wider ratio or finer tolerance only adds probes). */
export const SEARCH_LIMITS = { minTolerance: 0.001, maxRatio: 1e6, maxFill: 16 } as const;

const SearchSchema = z.strictObject({
  over: z.enum(['concurrency', 'requestRate']).describe('What the search varies: concurrency (closed loop, whole numbers) or requestRate (open loop, requests/s).'),
  min: positiveNumber().describe('Lowest load probed, where the search starts (concurrency: a whole number; requestRate: requests/s).'),
  max: positiveNumber().describe('Highest load probed; the search never goes above it (concurrency: a whole number; requestRate: requests/s).'),
  sla: SlaSchema.optional()
    .describe('The limits a probe must meet, with the keys of the sweep\'s sla (p99TtftMs, p99TpotMs); default: the sweep\'s sla.'),
  tolerance: z.number().min(SEARCH_LIMITS.minTolerance).max(1).default(0.1)
    .describe('Relative precision (default 0.1 = 10%): the search stops once the highest load L that met the SLA has a failing load at most L x (1 + tolerance) above it (concurrency also stops at neighbours L and L + 1).'),
  fill: z.number().int().min(0).max(SEARCH_LIMITS.maxFill).default(0)
    .describe('Extra points below the found load for the throughput/latency curve, each in the widest gap between the loads probed (default 0: the probes are the curve).'),
}).superRefine((s, ctx) => {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
  if (s.over === 'concurrency') {
    for (const key of ['min', 'max'] as const) {
      if (ok(s[key]) && !Number.isInteger(s[key])) {
        ctx.addIssue({ code: 'custom', path: [key], input: s[key], message: 'a concurrency is a whole number of requests', params: { hint: `use an integer, e.g. ${Math.max(1, Math.round(s[key]))}` } });
      }
    }
  }
  if (ok(s.min) && ok(s.max)) {
    if (s.max <= s.min) {
      ctx.addIssue({
        code: 'custom', path: ['max'], input: s.max, message: `must be above min (${s.min})`,
        params: { hint: s.max === s.min ? `to measure one level, use load.${s.over}: [${s.min}] instead of a search` : 'swap min and max' },
      });
    } else if (s.max / s.min > SEARCH_LIMITS.maxRatio) {
      ctx.addIssue({ code: 'custom', path: ['max'], input: s.max, message: `is more than ${SEARCH_LIMITS.maxRatio} x min (${s.min})`, params: { hint: 'narrow the range to the loads the deployments can plausibly serve' } });
    }
  }
}).describe('SLA-constrained load search: per deployment and workload, find the highest load that meets every SLA limit, probing from min up by doubling, then bisecting.');

/** Fields of a search load that belong to one kind of search only. */
const SEARCH_PROBE_FIELDS = {
  concurrency: ['promptsPerConcurrency'],
  requestRate: ['numPrompts', 'maxConcurrency', 'burstiness'],
} as const;

const SearchLoad = z.strictObject({
  search: SearchSchema,
  promptsPerConcurrency: positiveInt().optional().describe('Search over concurrency: prompts per unit of concurrency at each probe (default 5).'),
  numPrompts: positiveInt().optional().describe('Search over requestRate: prompts per probe (default 500).'),
  maxConcurrency: positiveInt().optional().describe('Search over requestRate: optional cap on concurrent requests.'),
  burstiness: positiveNumber().optional().describe('Search over requestRate: arrival burstiness; 1 = Poisson (default).'),
}).superRefine((v, ctx) => {
  const over = v.search?.over;
  if (over !== 'concurrency' && over !== 'requestRate') return;
  const other = over === 'concurrency' ? 'requestRate' : 'concurrency';
  for (const key of SEARCH_PROBE_FIELDS[other]) {
    if (v[key] === undefined) continue;
    ctx.addIssue({
      code: 'custom', path: [key], input: v[key], message: `applies to a search over ${other}; this search is over ${over}`,
      params: { hint: over === 'concurrency' ? 'prompts per probe come from promptsPerConcurrency (num_prompts = concurrency x it); remove this field' : 'prompts per probe come from numPrompts; remove this field' },
    });
  }
}).transform((v) => {
  const search = { ...v.search };
  const probe = search.over === 'concurrency'
    ? { kind: 'concurrency' as const, promptsPerConcurrency: v.promptsPerConcurrency ?? 5 }
    : { kind: 'request-rate' as const, numPrompts: v.numPrompts ?? 500, burstiness: v.burstiness ?? 1, ...(v.maxConcurrency !== undefined ? { maxConcurrency: v.maxConcurrency } : {}) };
  return { kind: 'search' as const, search, probe };
});

/** A load that sets a grid list and a search: one message, whichever alternative zod tried. */
export const GRID_AND_SEARCH_MESSAGE = 'sets both a list of levels and a search: a load is a grid or a search, not both; remove the list to let the search pick the levels, or remove search to run the list';

function loadUnionMessage(input: unknown): string {
  const rec = input && typeof input === 'object' ? input as Record<string, unknown> : {};
  if ('search' in rec && ('concurrency' in rec || 'requestRate' in rec)) return GRID_AND_SEARCH_MESSAGE;
  return 'must be { concurrency: [...], promptsPerConcurrency: N } or { requestRate: [...], numPrompts: N } or { search: { over, min, max, sla } }';
}

export const LoadSchema = z.union([ConcurrencyLoad, RequestRateLoad, SearchLoad], {
  error: (issue) => loadUnionMessage(issue.input),
}).describe('Load points: a concurrency list (closed loop), a request-rate list (open loop), or a search for the highest load meeting an SLA (search: { over, min, max, sla, tolerance, fill }).');

const BenchSchema = z.strictObject({
  dataset: z.enum(['prefix_repetition', 'random']).default('prefix_repetition')
    .describe('vllm bench dataset: prefix_repetition with prefix 0 (as the seed runs; default) or random.'),
  seed: z.number().int().min(0).optional().describe('Random seed passed as --seed.'),
  ignoreEos: z.boolean().default(true).describe('Pass --ignore-eos so every request produces exactly osl tokens (default true).'),
  percentileMetrics: z.array(z.enum(['ttft', 'tpot', 'itl', 'e2el'])).min(1).default(['ttft', 'tpot', 'itl'])
    .describe('--percentile-metrics (default ttft, tpot, itl).'),
  metricPercentiles: z.array(z.number().gt(0).lt(100)).min(1).default([50, 90, 99])
    .describe('--metric-percentiles (default 50, 90, 99).'),
  extraArgs: z.array(envValueText()).default([])
    .describe('Further vllm bench serve arguments, one list item per argument (passed quoted).'),
}).describe('How vllm bench serve is run at every point.');

const EngineSchema = z.strictObject({
  maxModelLen: positiveInt().default(16000).describe('vLLM max_model_len (default 16000); every isl + osl must fit.'),
}).describe('vLLM engine settings shared by every deployment.');

const OutputCheckSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Check every deployment\'s answers before benchmarking it (default true).'),
  prompts: positiveInt().max(32).default(32).describe('How many of the 32 built-in prompts to ask (default 32).'),
  tokens: positiveInt().max(256).default(16)
    .describe('Generated tokens compared per prompt (default 16): healthy engines of different TP may drift apart later in an answer.'),
  minAgreement: z.number().gt(0).max(1).default(0.9)
    .describe('Share of prompts whose first tokens must match the collocated reference (default 0.9).'),
}).describe('Output-correctness gate: each deployment answers fixed prompts greedily and is compared with a collocated deployment of the decode TP (no KV transfer); a deployment that differs has its points flagged, never "best".');

const ReuseSchema = z.strictObject({
  maxAgeDays: z.number().gt(0).max(365).default(7).describe('Reuse only records measured within this many days (default 7).'),
}).describe('Reuse of measured points (opt-in): a point whose content key (hardware, software versions, deployment, workload, load) already has a good, unflagged record in the results store, no older than maxAgeDays, is copied into this run marked "reused" instead of measured. A scheduled run never reuses.');

const TimeoutsSchema = z.strictObject({
  deployMinutes: positiveNumber().default(20).describe('Give up on a deployment that is not healthy after this long (default 20).'),
  pointMinutes: positiveNumber().default(30).describe('Give up on a benchmark point after this long (default 30).'),
}).describe('Hard limits (unlike timings, which are estimates).');

export const SweepSchema = z.strictObject({
  name: idNameField('sweep name').describe('Sweep name: lower-case letters, digits, "-" (used in workflow ids).'),
  description: noteField().optional().describe('Free text shown in reports.'),
  model: z.strictObject({
    id: modelIdField().describe('Hugging Face model id; must be the model of the cluster file.'),
    servedName: servedNameField().describe('Model name used in requests, e.g. gptoss.'),
  }).describe('The model to serve.'),
  workloads: z.array(WorkloadSchema).min(1).describe('ISL/OSL pairs; every deployment runs every workload.'),
  deployments: z.array(DeploymentEntrySchema).min(1).describe('Deployments to benchmark, in run order.'),
  load: LoadSchema,
  sla: SlaSchema.optional(),
  engine: EngineSchema.prefault({}),
  outputCheck: OutputCheckSchema.prefault({}),
  reuse: ReuseSchema.optional(),
  bench: BenchSchema.prefault({}),
  timings: TimingsSchema.optional(),
  timeouts: TimeoutsSchema.prefault({}),
  retries: z.number().int().min(0).max(10).default(2).describe('Retries of a failed point before it is recorded as failed (default 2).'),
  pauseTeardownAfterMinutes: z.number().min(0).default(30)
    .describe('When paused longer than this, tear the deployment down to free the GPUs (default 30).'),
}).describe('pdflow sweep file: deployments x workloads x load points.');

export type SweepInput = z.input<typeof SweepSchema>;
/** A sweep file after validation, with every default applied. */
export type SweepConfig = z.output<typeof SweepSchema>;
export type DeploymentEntry = SweepConfig['deployments'][number];
export type PdDeploymentEntry = Extract<DeploymentEntry, { mode: 'pd-pack' | 'pd-spread' }>;
export type CollocatedDeploymentEntry = Extract<DeploymentEntry, { mode: 'collocated' }>;
export type DeploymentMode = DeploymentEntry['mode'];
export type Workload = SweepConfig['workloads'][number];
export type WorkloadMode = Workload['mode'];
export type LoadConfig = SweepConfig['load'];
export type SearchLoadConfig = Extract<LoadConfig, { kind: 'search' }>;
export type SlaSearchConfig = SearchLoadConfig['search'];
export type BenchSettings = SweepConfig['bench'];
export type SlaConfig = NonNullable<SweepConfig['sla']>;
export type OutputCheckConfig = SweepConfig['outputCheck'];
export type KvBackend = PdDeploymentEntry['backend'];
