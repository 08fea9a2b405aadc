// The JSON `vllm bench serve --save-result` writes (vLLM 0.11 keys; docs/node-facts.md).
// Python's json writes bare Infinity / NaN, which JSON.parse refuses: they are read here.
import { ParseError } from './errors.js';

const TOOL = 'vllm bench serve';

export interface LatencyStats {
  mean: number;
  median: number;
  std?: number;
  /** By percentile as printed in the key: { "99": 761.5, "99.9": 980.1 } */
  percentiles: Record<string, number>;
}

export interface VllmBenchResult {
  date?: string;
  endpointType?: string;
  backend?: string;
  label?: string | null;
  modelId?: string;
  tokenizerId?: string;
  numPrompts: number;
  /** Requests per second; null when unlimited (Python inf). The seed passes 1e9 for "unlimited". */
  requestRate: number | null;
  burstiness?: number;
  /** null when the run had no concurrency cap. */
  maxConcurrency: number | null;
  /** Seconds. */
  duration: number;
  completed: number;
  /** Only newer vLLM (and some 0.11 builds) write it. */
  failed?: number;
  totalInputTokens: number;
  totalOutputTokens: number;
  requestThroughput: number;
  requestGoodput: number | null;
  outputThroughput: number;
  totalTokenThroughput: number;
  maxOutputTokensPerS?: number;
  maxConcurrentRequests?: number;
  ttft: LatencyStats;
  tpot: LatencyStats;
  itl?: LatencyStats;
  e2el?: LatencyStats;
  /** Other scalar top-level keys (e.g. from `--metadata k=v`); per-request arrays are dropped. */
  metadata?: Record<string, string | number | boolean | null>;
}

const REQUIRED_NUMBERS = [
  'completed', 'duration', 'total_input_tokens', 'total_output_tokens', 'request_throughput',
  'output_throughput', 'total_token_throughput', 'mean_ttft_ms', 'median_ttft_ms', 'mean_tpot_ms', 'median_tpot_ms',
] as const;

const KNOWN = new Set<string>([
  'date', 'endpoint_type', 'backend', 'label', 'model_id', 'tokenizer_id', 'num_prompts', 'request_rate', 'burstiness',
  'max_concurrency', 'duration', 'completed', 'failed', 'total_input_tokens', 'total_output_tokens', 'request_throughput',
  'request_goodput', 'output_throughput', 'total_token_throughput', 'max_output_tokens_per_s', 'max_concurrent_requests',
]);

/** A rate at or above this is "unlimited" (the seed's scripts pass 1e9). */
export const UNLIMITED_RATE = 1e9;

export function isUnlimitedRate(rate: number | null | undefined): boolean {
  return rate === null || rate === undefined || !Number.isFinite(rate) || rate >= UNLIMITED_RATE;
}

/**
 * Parses a saved `vllm bench serve` result (text or an already-parsed object) into a typed
 * record. Anything that is not such a result is refused with the missing or mistyped keys named.
 */
export function parseVllmBenchResult(json: string | unknown, source = 'result'): VllmBenchResult {
  const obj = typeof json === 'string' ? parsePythonJson(json, source) : json;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new ParseError(TOOL, `${source} is not a JSON object, so not a saved benchmark result`);
  }
  const o = obj as Record<string, unknown>;
  const missing = REQUIRED_NUMBERS.filter((k) => !(k in o));
  if (missing.length > 0) {
    throw new ParseError(TOOL, `${source} is not a vllm bench serve result: missing ${missing.join(', ')} (expected the JSON of --save-result)`);
  }
  const num = (k: string): number => {
    const v = o[k];
    if (typeof v !== 'number') throw new ParseError(TOOL, `${source}: "${k}" should be a number, found ${JSON.stringify(v)}`);
    return v;
  };
  const optNum = (k: string): number | undefined => (o[k] === undefined || o[k] === null ? undefined : num(k));
  const optStr = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);

  const rate = o.request_rate;
  // vLLM writes an unlimited rate as Infinity, or as the string "inf" in some builds.
  const unlimited = rate === undefined || rate === null || rate === Infinity || (typeof rate === 'string' && /^[+]?inf(inity)?$/i.test(rate));
  const requestRate = unlimited ? null : num('request_rate');
  const completed = num('completed');
  const failed = optNum('failed');
  const r: VllmBenchResult = {
    numPrompts: optNum('num_prompts') ?? completed + (failed ?? 0),
    requestRate,
    maxConcurrency: optNum('max_concurrency') ?? null,
    duration: num('duration'),
    completed,
    totalInputTokens: num('total_input_tokens'),
    totalOutputTokens: num('total_output_tokens'),
    requestThroughput: num('request_throughput'),
    requestGoodput: optNum('request_goodput') ?? null,
    outputThroughput: num('output_throughput'),
    totalTokenThroughput: num('total_token_throughput'),
    ttft: latency(o, 'ttft', source)!,
    tpot: latency(o, 'tpot', source)!,
  };
  const date = optStr('date'); if (date !== undefined) r.date = date;
  const endpointType = optStr('endpoint_type'); if (endpointType !== undefined) r.endpointType = endpointType;
  const backend = optStr('backend'); if (backend !== undefined) r.backend = backend;
  if ('label' in o) r.label = typeof o.label === 'string' ? o.label : null;
  const modelId = optStr('model_id'); if (modelId !== undefined) r.modelId = modelId;
  const tokenizerId = optStr('tokenizer_id'); if (tokenizerId !== undefined) r.tokenizerId = tokenizerId;
  const burstiness = optNum('burstiness'); if (burstiness !== undefined) r.burstiness = burstiness;
  if (failed !== undefined) r.failed = failed;
  const peak = optNum('max_output_tokens_per_s'); if (peak !== undefined) r.maxOutputTokensPerS = peak;
  const peakConc = optNum('max_concurrent_requests'); if (peakConc !== undefined) r.maxConcurrentRequests = peakConc;
  const itl = latency(o, 'itl', source); if (itl) r.itl = itl;
  const e2el = latency(o, 'e2el', source); if (e2el) r.e2el = e2el;

  const metadata: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(o)) {
    if (KNOWN.has(k) || /^(mean|median|std|p[\d.]+)_\w+_ms$/.test(k)) continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) metadata[k] = v as string | number | boolean | null;
  }
  if (Object.keys(metadata).length > 0) r.metadata = metadata;
  return r;
}

function latency(o: Record<string, unknown>, metric: string, source: string): LatencyStats | undefined {
  const mean = o[`mean_${metric}_ms`];
  const median = o[`median_${metric}_ms`];
  if (mean === undefined && median === undefined) return undefined;
  if (typeof mean !== 'number' || typeof median !== 'number') {
    throw new ParseError(TOOL, `${source}: mean_${metric}_ms and median_${metric}_ms should be numbers, found ${JSON.stringify(mean)} and ${JSON.stringify(median)}`);
  }
  const out: LatencyStats = { mean, median, percentiles: {} };
  const std = o[`std_${metric}_ms`];
  if (typeof std === 'number') out.std = std;
  const re = new RegExp(`^p([\\d.]+)_${metric}_ms$`);
  for (const [k, v] of Object.entries(o)) {
    const m = re.exec(k);
    if (m && typeof v === 'number') out.percentiles[m[1]!] = v;
  }
  return out;
}

const SENTINEL = '\u0000pyjson:';

/** JSON.parse that also reads Python's bare NaN, Infinity and -Infinity (outside strings). */
export function parsePythonJson(text: string, source = 'input'): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    if (!/NaN|Infinity/.test(text)) throw new ParseError(TOOL, `${source} is not valid JSON: ${(first as Error).message}`);
  }
  // Strings are matched first so a "NaN" inside a string stays text.
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (m) => (m.startsWith('"') ? m : JSON.stringify(SENTINEL + m)));
  try {
    return JSON.parse(marked, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(SENTINEL) ? Number(v.slice(SENTINEL.length)) : v));
  } catch (err) {
    throw new ParseError(TOOL, `${source} is not valid JSON: ${(err as Error).message}`);
  }
}
