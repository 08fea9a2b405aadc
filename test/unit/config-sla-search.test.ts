// load.search in the sweep file (issue 14 item 1): good blocks and what they become, bad ones
// refused at the right field with the value and the fix.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue, parseSweepYaml, summarizeSweep, sweepJsonSchema, validateSweep, type SweepInput } from '../../src/config/index.js';

const base = (over: Record<string, unknown>): SweepInput => ({
  name: 's', model: { id: 'openai/gpt-oss-120b', servedName: 'gptoss' }, workloads: [{ isl: 5000, osl: 250 }],
  deployments: [{ mode: 'pd-pack', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] } }],
  ...over,
} as SweepInput);

const SLA = { p99TtftMs: 2000, p99TpotMs: 50 };

describe('load.search: good blocks', () => {
  const table: [string, Record<string, unknown>, unknown][] = [
    ['concurrency with defaults (tolerance 10%, no fill, 5 prompts per unit)',
      { load: { search: { over: 'concurrency', min: 4, max: 256, sla: SLA } } },
      { kind: 'search', search: { over: 'concurrency', min: 4, max: 256, sla: SLA, tolerance: 0.1, fill: 0 }, probe: { kind: 'concurrency', promptsPerConcurrency: 5 } }],
    ['concurrency with every field',
      { load: { search: { over: 'concurrency', min: 1, max: 64, sla: { p99TpotMs: 20 }, tolerance: 0.05, fill: 3 }, promptsPerConcurrency: 8 } },
      { kind: 'search', search: { over: 'concurrency', min: 1, max: 64, sla: { p99TpotMs: 20 }, tolerance: 0.05, fill: 3 }, probe: { kind: 'concurrency', promptsPerConcurrency: 8 } }],
    ['request rate, the sweep\'s sla, its prompt settings',
      { load: { search: { over: 'requestRate', min: 0.5, max: 32 }, numPrompts: 200, maxConcurrency: 64, burstiness: 0.5 }, sla: SLA },
      { kind: 'search', search: { over: 'requestRate', min: 0.5, max: 32, tolerance: 0.1, fill: 0 }, probe: { kind: 'request-rate', numPrompts: 200, burstiness: 0.5, maxConcurrency: 64 } }],
    ['request rate with defaults (500 prompts, Poisson)',
      { load: { search: { over: 'requestRate', min: 1, max: 2, sla: SLA, tolerance: 1 } } },
      { kind: 'search', search: { over: 'requestRate', min: 1, max: 2, sla: SLA, tolerance: 1, fill: 0 }, probe: { kind: 'request-rate', numPrompts: 500, burstiness: 1 } }],
  ];
  for (const [name, input, want] of table) {
    it(name, () => {
      const r = validateSweep(base(input), 'sweep.yaml');
      assert.ok(r.ok, r.ok ? '' : r.issues.map(formatIssue).join('\n'));
      assert.deepEqual(r.value.load, want);
    });
  }

  it('from YAML, and summarized without a point count (the search picks its levels)', () => {
    const r = parseSweepYaml([
      'name: s', 'model: { id: openai/gpt-oss-120b, servedName: gptoss }', 'workloads: [{ isl: 5000, osl: 250 }]',
      'deployments: [{ mode: collocated, replicas: [1, 2], tp: [4] }]',
      'load:', '  search: { over: concurrency, min: 4, max: 256, sla: { p99TtftMs: 2000 }, tolerance: 0.05 }',
    ].join('\n'), 'sweep.yaml');
    assert.ok(r.ok, r.ok ? '' : r.issues.map(formatIssue).join('\n'));
    assert.equal(summarizeSweep(r.value), 'sweep s, 2 deployments x 1 workload x an SLA search over concurrency 4..256 (within 5%)');
  });

  it('the JSON Schema offers the search form with its fields', () => {
    const text = JSON.stringify(sweepJsonSchema());
    for (const key of ['"search"', '"over"', '"tolerance"', '"fill"', '"requestRate"']) assert.ok(text.includes(key), key);
  });
});

describe('load.search: bad blocks name the field, the value and the fix', () => {
  const search = (s: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ load: { search: { over: 'concurrency', min: 4, max: 256, sla: SLA, ...s }, ...extra } });
  const table: [string, Record<string, unknown>, string[], RegExp, RegExp?][] = [
    ['a grid and a search', { load: { concurrency: [4, 8], search: { over: 'concurrency', min: 4, max: 256, sla: SLA } } }, ['load'], /a load is a grid or a search, not both/, /remove the list/],
    ['a rate grid and a search', { load: { requestRate: [1], search: { over: 'requestRate', min: 1, max: 16 } }, sla: SLA }, ['load'], /not both/],
    ['no sla anywhere', { load: { search: { over: 'concurrency', min: 4, max: 256 } } }, ['load.search.sla'], /"sla" is required when the sweep sets no sla/, /set load\.search\.sla/],
    ['an empty sla', search({ sla: {} }), ['load.search.sla'], /sets no limit/, /p99TtftMs/],
    ['a misspelt sla key', search({ sla: { p99TTFTms: 2000 } }), ['load.search.sla.p99TTFTms'], /unknown key "p99TTFTms"/, /did you mean "p99TtftMs"/],
    ['a fractional concurrency', search({ min: 4.5 }), ['load.search.min'], /whole number of requests \(got 4\.5\)/, /use an integer, e\.g\. 5/],
    ['max below min', search({ min: 256, max: 4 }), ['load.search.max'], /must be above min \(256\) \(got 4\)/, /swap min and max/],
    ['max equal to min', search({ min: 8, max: 8 }), ['load.search.max'], /must be above min/, /use load\.concurrency: \[8\] instead/],
    ['a range too wide', { load: { search: { over: 'requestRate', min: 0.000001, max: 16, sla: SLA } } }, ['load.search.max'], /more than 1000000 x min/, /narrow the range/],
    ['a negative min', { load: { search: { over: 'requestRate', min: -1, max: 16, sla: SLA } } }, ['load.search.min'], /must be > 0 \(got -1\)/],
    ['a misspelt over', search({ over: 'concurency' }), ['load.search.over'], /must be one of "concurrency", "requestRate"/, /did you mean "concurrency"/],
    ['no min', { load: { search: { over: 'concurrency', max: 16, sla: SLA } } }, ['load.search.min'], /"min" is required/],
    ['tolerance 0', search({ tolerance: 0 }), ['load.search.tolerance'], /must be ≥ 0\.001 \(got 0\)/, /Relative precision/],
    ['tolerance as a percent', search({ tolerance: 10 }), ['load.search.tolerance'], /must be ≤ 1 \(got 10\)/, /0\.1 = 10%/],
    ['a fractional fill', search({ fill: 2.5 }), ['load.search.fill'], /expected an integer/],
    ['too much fill', search({ fill: 50 }), ['load.search.fill'], /must be ≤ 16/],
    ['numPrompts on a concurrency search', search({}, { numPrompts: 100 }), ['load.numPrompts'], /applies to a search over requestRate; this search is over concurrency/, /promptsPerConcurrency/],
    ['burstiness and maxConcurrency on a concurrency search', search({}, { burstiness: 2, maxConcurrency: 8 }), ['load.burstiness', 'load.maxConcurrency'], /applies to a search over requestRate/],
    ['promptsPerConcurrency on a rate search', { load: { search: { over: 'requestRate', min: 1, max: 16, sla: SLA }, promptsPerConcurrency: 2 } }, ['load.promptsPerConcurrency'], /applies to a search over concurrency/, /numPrompts/],
    ['an unknown key in search', search({ step: 2 }), ['load.search.step'], /unknown key "step"/, /allowed here: over, min, max, sla, tolerance, fill/],
  ];
  for (const [name, input, paths, message, hint] of table) {
    it(name, () => {
      const r = validateSweep(base(input), 'sweep.yaml');
      assert.equal(r.ok, false, `${name} was accepted`);
      if (r.ok) return;
      const text = r.issues.map(formatIssue).join('\n');
      assert.deepEqual([...new Set(r.issues.map((i) => i.path))].sort(), [...paths].sort(), text);
      assert.ok(r.issues.some((i) => message.test(formatIssue(i))), text);
      if (hint) assert.ok(r.issues.some((i) => hint.test(i.hint ?? '') || hint.test(i.message)), text);
      for (const i of r.issues) assert.ok(i.hint, `no hint: ${formatIssue(i)}`);
    });
  }

  it('the grid forms keep their errors', () => {
    const r = validateSweep(base({ load: { concurrency: [4, 16], numPrompts: 500 } }), 'sweep.yaml');
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.issues.map((i) => `${i.path}: ${i.message}`), ['load.numPrompts: unknown key "numPrompts"']);
    const empty = validateSweep(base({ load: {} }), 'sweep.yaml');
    assert.equal(empty.ok, false);
    if (!empty.ok) assert.match(empty.issues[0]!.message, /concurrency.*or.*requestRate.*or.*search/);
  });
});
