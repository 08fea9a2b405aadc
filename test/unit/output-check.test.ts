// The output-correctness gate's pure parts: comparing greedy answers with a reference, the flag a
// mismatching deployment's records get (never on the frontier, never "best"), the reference's
// content key, and answer_check.py's JSON line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  compareAnswers, describeOutputCheck, outputMismatchFlag, referenceKey, referenceTp, CHECK_PROMPTS_VERSION,
  type Answer, type AnswerSet,
} from '../../src/analysis/output-check.js';
import { paretoFrontier } from '../../src/analysis/pareto.js';
import { parseAnswerCheckJson, ParseError } from '../../src/parse/index.js';
import { validateSweep } from '../../src/config/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const words = (seed: number, n: number) => Array.from({ length: n }, (_, i) => ` w${(seed * 7919 + i * 104729) % 997}`);
const ok = (tokens: string[]): Answer => ({ tokens, text: tokens.join(''), error: null });
const set = (answers: Answer[], maxTokens = 16): AnswerSet => ({ maxTokens, answers, versions: { vllm: '0.11.0' } });
const reference = set(Array.from({ length: 32 }, (_, i) => ok(words(i, 16))));
const settings = { tokens: 16, minAgreement: 0.9 };

/** The reference's answers with prompts `bad` changed from token `at` on. */
function drifted(bad: number[], at: number): AnswerSet {
  return set(reference.answers.map((a, i) => (bad.includes(i) ? ok([...a.tokens!.slice(0, at), ...words(1000 + i, 16 - at)]) : a)));
}

test('compareAnswers: agreement on the first N tokens decides, with the threshold as a share of the prompts', () => {
  const cases: Array<{ name: string; candidate: AnswerSet; opts?: Partial<typeof settings>; ok: boolean; agreeing: number; first?: [number, number] }> = [
    { name: 'identical answers', candidate: reference, ok: true, agreeing: 32 },
    { name: 'corrupted from the first token (every prompt)', candidate: drifted([...Array(32).keys()], 0), ok: false, agreeing: 0, first: [0, 0] },
    { name: '3 of 32 differ late (token 12): 29/32 = 90.6% >= 90%', candidate: drifted([4, 9, 30], 12), ok: true, agreeing: 29, first: [4, 12] },
    { name: '4 of 32 differ: 28/32 = 87.5% < 90%', candidate: drifted([1, 2, 3, 5], 8), ok: false, agreeing: 28, first: [1, 8] },
    { name: 'a drift after the compared tokens does not count', candidate: drifted([...Array(32).keys()], 8), opts: { tokens: 8 }, ok: true, agreeing: 32 },
    { name: 'the same drift fails when more tokens are compared', candidate: drifted([...Array(32).keys()], 8), opts: { tokens: 16 }, ok: false, agreeing: 0, first: [0, 8] },
    { name: 'a stricter threshold', candidate: drifted([7], 3), opts: { minAgreement: 1 }, ok: false, agreeing: 31, first: [7, 3] },
    {
      name: 'an answer with an error never agrees',
      candidate: set(reference.answers.map((a, i) => (i === 2 ? { tokens: null, text: '', error: 'HTTP 500: KV transfer failed' } : a))),
      opts: { minAgreement: 1 }, ok: false, agreeing: 31, first: [2, 0],
    },
    { name: 'a shorter answer (stopped early) does not agree', candidate: set(reference.answers.map((a, i) => (i === 0 ? ok(a.tokens!.slice(0, 10)) : a))), opts: { minAgreement: 1 }, ok: false, agreeing: 31, first: [0, 10] },
  ];
  for (const c of cases) {
    const r = compareAnswers(reference, c.candidate, { ...settings, ...c.opts });
    assert.equal(r.ok, c.ok, c.name);
    assert.equal(r.agreeing, c.agreeing, c.name);
    assert.equal(r.total, 32, c.name);
    assert.deepEqual(r.firstMismatch && [r.firstMismatch.prompt, r.firstMismatch.position], c.first, c.name);
  }
});

test('compareAnswers: the mean common prefix, texts without token lists, and answers to other prompts', () => {
  const r = compareAnswers(reference, drifted([...Array(32).keys()], 4), settings);
  assert.equal(r.meanCommonPrefix, 4);
  // A server that lists no tokens: the whole text is compared as one.
  const textOnly = (s: AnswerSet) => set(s.answers.map((a) => ({ ...a, tokens: null })));
  assert.equal(compareAnswers(textOnly(reference), textOnly(reference), settings).agreeing, 32);
  assert.equal(compareAnswers(textOnly(reference), textOnly(drifted([0, 1, 2, 3, 4], 15)), settings).agreeing, 27);
  // Fewer tokens asked than compared: only those the answers have.
  assert.equal(compareAnswers(set(reference.answers.map((a) => ok(a.tokens!.slice(0, 8))), 8), set(reference.answers.map((a) => ok(a.tokens!.slice(0, 8))), 8), settings).tokens, 8);
  assert.throws(() => compareAnswers(reference, set(reference.answers.slice(0, 8)), settings), /32 answers and the deployment 8/);
  assert.throws(() => compareAnswers(set([{ tokens: null, text: '', error: 'timeout' }]), set([ok(['a'])]), settings), /reference has no answer to prompt 0/);
});

test('a mismatching deployment is flagged output-mismatch with the first difference, and never on the frontier', () => {
  const r = compareAnswers(reference, drifted([...Array(32).keys()], 0), settings);
  const flag = outputMismatchFlag(r, 'the collocated TP2 reference');
  assert.equal(flag.kind, 'output-mismatch');
  assert.match(flag.reason, /0\/32 prompts agree with the collocated TP2 reference on their first 16 tokens \(mean common prefix 0\); first difference: prompt 0, token 0/);
  assert.match(describeOutputCheck(compareAnswers(reference, reference, settings), 'ref'), /^32\/32 prompts agree with ref/);
  const rec = (id: string, tput: number, flags?: ReturnType<typeof outputMismatchFlag>[]) => ({
    pointId: id, status: 'ok' as const, deployment: { id, name: id, mode: 'pd-pack' as const, gpus: 2 }, workload: { isl: 1000, osl: 100, mode: 'mixed' },
    load: { concurrency: 4, numPrompts: 8 }, timings: { startedAt: '2026-12-07T00:00:00Z', durationSec: 1 }, attempt: 1,
    metrics: { completed: 8, durationSec: 1, requestThroughput: 1, outputThroughput: tput * 2, totalThroughput: tput * 3, outputThroughputPerGpu: tput, totalThroughputPerGpu: tput * 1.5, ttftMs: { mean: 100, median: 100, p99: 200 }, tpotMs: { mean: 10, median: 10, p99: 20 }, interactivity: 100 },
    ...(flags ? { flags } : {}),
  });
  const frontier = paretoFrontier([rec('healthy', 100), rec('corrupt', 500, [flag])]);
  assert.deepEqual(frontier.map((p) => p.pointId), ['healthy']);
});

test('the reference content key changes with everything that decides a greedy answer', () => {
  const base = { modelId: 'openai/gpt-oss-120b', modelSource: 'huggingface', vllmVersion: '0.11.0', tp: 2, maxModelLen: 16000, prompts: 32, tokens: 16 };
  const key = referenceKey(base);
  for (const [field, value] of Object.entries({ modelId: 'x/y', modelSource: '/models/gpt', vllmVersion: '0.11.1', tp: 4, maxModelLen: 8000, prompts: 16, tokens: 32 })) {
    assert.notEqual(referenceKey({ ...base, [field]: value }), key, field);
  }
  assert.equal(referenceKey({ ...base }), key);
  assert.equal(referenceTp({ mode: 'pd-spread', decode: { tp: 4 } }), 4);
  assert.equal(referenceTp({ mode: 'collocated', replicas: { tp: 2 } }), 2);
});

test('the check prompts: 32 of them, and a change to them bumps CHECK_PROMPTS_VERSION (old references never compare)', () => {
  const file = JSON.parse(readFileSync(path.join(root, 'scripts/remote/check_prompts.json'), 'utf8')) as { version: number; prompts: string[] };
  assert.equal(file.prompts.length, 32);
  assert.equal(new Set(file.prompts).size, 32);
  assert.equal(file.version, CHECK_PROMPTS_VERSION);
  const digest = createHash('sha256').update(JSON.stringify(file.prompts)).digest('hex').slice(0, 16);
  // Changing the prompts? Bump "version" in the file and CHECK_PROMPTS_VERSION, then this pair.
  assert.deepEqual([file.version, digest], [1, '94bfcc8aca4b016a'], 'the prompts changed: bump their version');
});

test('the sweep file: outputCheck defaults and bounds', () => {
  const base = { name: 's', model: { id: 'openai/gpt-oss-120b', servedName: 'gptoss' }, workloads: [{ isl: 100, osl: 10 }], deployments: [{ mode: 'collocated', replicas: [1], tp: [1] }], load: { concurrency: [1] } };
  const v = validateSweep(base, 's.yaml');
  assert.ok(v.ok);
  assert.deepEqual(v.value.outputCheck, { enabled: true, prompts: 32, tokens: 16, minAgreement: 0.9 });
  for (const bad of [{ prompts: 33 }, { tokens: 0 }, { minAgreement: 0 }, { minAgreement: 1.5 }, { extra: 1 }]) {
    const r = validateSweep({ ...base, outputCheck: bad }, 's.yaml');
    assert.ok(!r.ok, JSON.stringify(bad));
    assert.match(r.issues.map((i) => i.path).join(' '), /outputCheck/, JSON.stringify(bad));
  }
});

test('answer_check.py JSON line: parsed with its schema; a wrong shape names the field', () => {
  const line = { ok: true, maxTokens: 16, answers: [{ tokens: [' a', ' b'], text: ' a b', error: null }, { tokens: null, text: '', error: 'HTTP 500: x' }], versions: { vllm: '0.11.0' }, seconds: 1.2, error: null };
  assert.equal(parseAnswerCheckJson(line).answers.length, 2);
  assert.throws(() => parseAnswerCheckJson({ ...line, answers: [{ tokens: 'a b', text: '', error: null }] }), (e: unknown) => e instanceof ParseError && /answers\.0\.tokens/.test(e.message));
});
