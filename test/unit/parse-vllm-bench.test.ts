import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ParseError, isUnlimitedRate, parsePythonJson, parseVllmBenchResult } from '../../src/parse/index.js';
import { sharedFixture } from './helpers/fixtures.js';

const fx = (p: string) => readFileSync(new URL(`../fixtures/node-outputs/vllm-bench/${p}`, import.meta.url), 'utf8');

describe('parseVllmBenchResult', () => {
  it('reads a real vLLM 0.11 result with every metric', () => {
    const r = parseVllmBenchResult(readFileSync(sharedFixture('vllm-bench-0.11/gptoss_itl5000_otl250_mixed_1xtp4-1xtp4/conc16.json'), 'utf8'));
    assert.equal(r.date, '20251012-141044');
    assert.equal(r.modelId, 'openai/gpt-oss-120b');
    assert.equal(r.numPrompts, 80);
    assert.equal(r.completed, 80);
    assert.equal(r.maxConcurrency, 16);
    assert.equal(r.requestRate, 1e9);
    assert.ok(isUnlimitedRate(r.requestRate));
    assert.equal(r.outputThroughput, 1733.4009866741944);
    assert.equal(r.totalTokenThroughput, 36401.42072015809);
    assert.equal(r.maxOutputTokensPerS, 2103);
    assert.equal(r.maxConcurrentRequests, 31);
    assert.deepEqual(r.ttft, { mean: 299.35965379918343, median: 237.00430398457684, std: 173.59298625530803, percentiles: { '99': 761.5224002336615 } });
    assert.equal(r.tpot.median, 7.688778670795494);
    assert.equal(r.itl!.percentiles['99'], 11.072275585029276);
    assert.equal(r.e2el, undefined);
    assert.equal(r.requestGoodput, null);
    assert.equal(r.label, null);
    assert.equal(r.metadata, undefined);
  });

  it('reads the ucx120 files that carry "failed"', () => {
    const r = parseVllmBenchResult(readFileSync(sharedFixture('vllm-bench-0.11/gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx120/conc4.json'), 'utf8'));
    assert.equal(r.failed, 0);
  });

  const cases: Array<{ file: string; check: (r: ReturnType<typeof parseVllmBenchResult>) => void }> = [
    { file: 'rate-infinity.json', check: (r) => { assert.equal(r.requestRate, null); assert.ok(isUnlimitedRate(r.requestRate)); } },
    { file: 'rate-inf-string.json', check: (r) => assert.equal(r.requestRate, null) },
    {
      file: 'detailed-e2el-percentiles.json',
      check: (r) => {
        assert.deepEqual(Object.keys(r.ttft.percentiles).sort(), ['50', '90', '99', '99.9']);
        assert.equal(r.e2el!.median, 2150.2);
        assert.deepEqual(r.metadata, { gpu: 'H100', sweep: 'night-1' });
      },
    },
    {
      file: 'minimal-keys.json',
      check: (r) => {
        assert.equal(r.itl, undefined);
        assert.equal(r.ttft.std, undefined);
        assert.equal(r.maxOutputTokensPerS, undefined);
        assert.equal(r.burstiness, undefined);
        assert.equal(r.tpot.percentiles['99'], 7.841917609893643);
      },
    },
    { file: 'all-failed.json', check: (r) => { assert.equal(r.completed, 0); assert.equal(r.failed, 80); } },
  ];
  for (const c of cases) it(`reads ${c.file}`, () => c.check(parseVllmBenchResult(fx(c.file), c.file)));

  const bad: Array<{ file: string; match: RegExp }> = [
    { file: 'not-a-result.json', match: /not-a-result\.json is not a vllm bench serve result: missing completed, duration/ },
    { file: 'truncated.json', match: /truncated\.json is not valid JSON/ },
    { file: 'string-metric.json', match: /"output_throughput" should be a number, found "1733\.4"/ },
  ];
  for (const b of bad) {
    it(`refuses ${b.file}`, () => {
      assert.throws(() => parseVllmBenchResult(fx(b.file), b.file), (e: unknown) => e instanceof ParseError && e.tool === 'vllm bench serve' && b.match.test(e.message));
    });
  }
  it('refuses a JSON array and a scalar', () => {
    assert.throws(() => parseVllmBenchResult('[]'), /not a JSON object/);
    assert.throws(() => parseVllmBenchResult(42), /not a JSON object/);
  });
});

describe('parsePythonJson', () => {
  it('reads bare Infinity, -Infinity and NaN but leaves them alone inside strings', () => {
    const v = parsePythonJson('{"a": Infinity, "b": -Infinity, "c": [NaN, 1], "s": "NaN and Infinity \\" x"}') as Record<string, unknown>;
    assert.equal(v.a, Infinity);
    assert.equal(v.b, -Infinity);
    assert.ok(Number.isNaN((v.c as number[])[0]));
    assert.equal(v.s, 'NaN and Infinity " x');
  });
});
