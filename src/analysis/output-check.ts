// The output-correctness gate: a deployment's greedy answers to fixed prompts against those of a
// collocated reference (no KV transfer). Corrupted KV breaks an answer from its first tokens;
// healthy engines of another TP may drift apart late, so only the first N tokens count. Pure.
import type { RecordFlag } from './records.js';

/** One prompt's greedy answer: its tokens when the server listed them (logprobs), else its text. */
export interface Answer {
  tokens: string[] | null;
  text: string;
  error: string | null;
}

/** A deployment's answers to the check's prompts, in prompt order. */
export interface AnswerSet {
  maxTokens: number;
  answers: Answer[];
  /** Package versions where the answers were made (vllm, transformers, …). */
  versions: Record<string, string>;
}

export interface OutputCheckSettings {
  /** Generated tokens compared per prompt. */
  tokens: number;
  /** Share of prompts whose first `tokens` tokens must agree. */
  minAgreement: number;
}

export interface OutputMismatch {
  prompt: number;
  /** Token position of the first difference (0-based); for an error, 0. */
  position: number;
  expected: string;
  got: string;
}

export interface OutputCheckResult {
  ok: boolean;
  agreeing: number;
  total: number;
  /** Mean length, in tokens, of the common prefix with the reference (over the compared tokens). */
  meanCommonPrefix: number;
  tokens: number;
  minAgreement: number;
  firstMismatch?: OutputMismatch;
}

/**
 * The answer's first `n` tokens. A server that did not list tokens gives one "token": the text (so
 * a difference anywhere in it is a difference at position 0).
 */
function headTokens(a: Answer, n: number): string[] {
  return (a.tokens ?? (a.text ? [a.text] : [])).slice(0, n);
}

function commonPrefix(a: string[], b: string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Compares `candidate` with `reference` prompt by prompt; an answer with an error never agrees. */
export function compareAnswers(reference: AnswerSet, candidate: AnswerSet, settings: OutputCheckSettings): OutputCheckResult {
  if (reference.answers.length !== candidate.answers.length) {
    throw new Error(`the reference has ${reference.answers.length} answers and the deployment ${candidate.answers.length}: they did not answer the same prompts`);
  }
  const n = Math.min(settings.tokens, reference.maxTokens, candidate.maxTokens);
  let agreeing = 0;
  let prefixSum = 0;
  let firstMismatch: OutputMismatch | undefined;
  reference.answers.forEach((ref, i) => {
    const got = candidate.answers[i]!;
    if (ref.error) throw new Error(`the reference has no answer to prompt ${i} (${ref.error}): make it again`);
    const want = headTokens(ref, n);
    if (got.error) {
      firstMismatch ??= { prompt: i, position: 0, expected: want.join(''), got: `error: ${got.error}` };
      return;
    }
    const have = headTokens(got, n);
    const common = commonPrefix(want, have);
    prefixSum += common;
    if (common === want.length && have.length === want.length) agreeing++;
    else firstMismatch ??= { prompt: i, position: common, expected: want.slice(common, common + 4).join(''), got: have.slice(common, common + 4).join('') };
  });
  const total = reference.answers.length;
  const result: OutputCheckResult = {
    ok: total > 0 && agreeing >= Math.ceil(settings.minAgreement * total - 1e-9),
    agreeing, total, meanCommonPrefix: total ? Math.round((prefixSum / total) * 10) / 10 : 0, tokens: n, minAgreement: settings.minAgreement,
  };
  if (firstMismatch) result.firstMismatch = firstMismatch;
  return result;
}

/** e.g. "3/32 prompts agree with the collocated TP2 reference on their first 16 tokens (mean common prefix 1.2); first difference: prompt 0, token 0" */
export function describeOutputCheck(r: OutputCheckResult, referenceLabel: string): string {
  const base = `${r.agreeing}/${r.total} prompts agree with ${referenceLabel} on their first ${r.tokens} tokens (mean common prefix ${r.meanCommonPrefix})`;
  if (!r.firstMismatch) return base;
  const m = r.firstMismatch;
  return `${base}; first difference: prompt ${m.prompt}, token ${m.position}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.got.slice(0, 60))}`;
}

/** The flag a deployment's records get when its answers do not match the reference. */
export function outputMismatchFlag(r: OutputCheckResult, referenceLabel: string): RecordFlag {
  return { kind: 'output-mismatch', reason: `output differs from a run without KV transfer: ${describeOutputCheck(r, referenceLabel)}` };
}

/** The TP of the engines whose answers a deployment's must match: the decode TP (PD) or the replicas' TP. */
export function referenceTp(dep: { mode: string; decode?: { tp: number }; replicas?: { tp: number } }): number {
  return dep.mode === 'collocated' ? dep.replicas!.tp : dep.decode!.tp;
}

/** Bumped whenever scripts/remote/check_prompts.json changes: answers to other prompts never compare. */
export const CHECK_PROMPTS_VERSION = 1;

export interface ReferenceKeyFacts {
  modelId: string;
  /** Where the weights come from ("huggingface" or the path on the nodes). */
  modelSource: string;
  vllmVersion: string;
  tp: number;
  maxModelLen: number;
  prompts: number;
  tokens: number;
}

/**
 * The content key of a reference: what decides a collocated deployment's greedy answers. Two runs
 * with the same key may share one reference (through the results store); any change makes a new one.
 */
export function referenceKey(f: ReferenceKeyFacts): string {
  return [`model=${f.modelId}`, `source=${f.modelSource}`, `vllm=${f.vllmVersion}`, `tp=${f.tp}`, `maxModelLen=${f.maxModelLen}`,
    `prompts=${f.prompts}@v${CHECK_PROMPTS_VERSION}`, `tokens=${f.tokens}`].join(';');
}
