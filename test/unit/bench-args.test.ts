// What reaches `vllm bench serve` for a planned point: benchArgs (pure) → bench.sh (the real
// script, --dry-run) → the vLLM 0.11.0 option set (the emulated parser, itself held to the real
// option list extracted from the 0.11.0 sources in test/fixtures).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkSweepAgainstCluster, formatIssue, parseClusterYaml, parseSweepYaml, validateSweep, type SweepInput } from '../../src/config/index.js';
import { VLLM_BENCH_SERVE_OPTIONS_0_11 } from '../../src/config/vllm-bench-options.js';
import { planSweep, type Plan, type PlannedPoint } from '../../src/plan/index.js';
import { benchArgs, UNLIMITED } from '../../src/activities/stages/bench.js';
import { benchDryRun, emulatedOptions, parseWithEmulatedVllm, REAL_OPTIONS, type ParsedBench } from './helpers/vllm-bench-cli.js';

const examples = path.resolve(import.meta.dirname, '../../examples');
function ok<T>(r: { ok: true; value: T } | { ok: false; issues: unknown[] }): T {
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return r.value;
}
const p5 = ok(parseClusterYaml(readFileSync(path.join(examples, 'cluster-p5.yaml'), 'utf8'), 'cluster-p5.yaml'));
const base: SweepInput = {
  name: 's', model: { id: p5.model.id, servedName: p5.model.servedName }, workloads: [{ isl: 5000, osl: 250 }],
  deployments: [{ mode: 'pd-pack', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] } }],
  load: { concurrency: [16] },
};
const planOf = (over: Partial<SweepInput>): Plan => planSweep(p5, ok(validateSweep({ ...base, ...over }, 's.yaml')));
const firstPoint = (p: Plan): PlannedPoint => p.deployments[0]!.points[0]!;

/** bench.sh --dry-run of the point, parsed by the emulated 0.11 parser. */
function throughVllm(p: Plan, point = firstPoint(p)): { argv: string[]; parsed: ParsedBench } {
  const dry = benchDryRun(benchArgs(p5, point, '/w/results/s/x', '/w/venv', p.bench));
  assert.equal(dry.code, 0, `bench.sh refused the arguments: ${dry.stderr}`);
  const [parsed] = parseWithEmulatedVllm([dry.argv]);
  assert.equal(parsed!.error, undefined, `vllm bench serve would refuse: ${parsed!.error}\n${dry.argv.join(' ')}`);
  return { argv: dry.argv, parsed: parsed! };
}

describe('request-rate points reach vllm bench serve', () => {
  it('without maxConcurrency: --max-concurrency 1000000000 as the seed passes (bench.sh used to exit 2)', () => {
    const p = planOf({ load: { requestRate: [2, 4], numPrompts: 500 } });
    const a = benchArgs(p5, firstPoint(p), '/r', '/v', p.bench);
    assert.equal(a[a.indexOf('--max-concurrency') + 1], String(UNLIMITED));
    const { parsed } = throughVllm(p);
    assert.equal(parsed.ns!.max_concurrency, 1_000_000_000);
    assert.equal(parsed.ns!.request_rate, 2);
    assert.equal(parsed.ns!.num_prompts, 500);
  });
  it('with a cap and burstiness: both reach vllm', () => {
    const { parsed } = throughVllm(planOf({ load: { requestRate: [4], numPrompts: 100, maxConcurrency: 128, burstiness: 0.5 } }));
    assert.deepEqual([parsed.ns!.max_concurrency, parsed.ns!.request_rate, parsed.ns!.burstiness], [128, 4, 0.5]);
  });
  it('a concurrency point: the cap, and the seed\'s 1000000000 as the request rate', () => {
    const { parsed } = throughVllm(planOf({}));
    assert.deepEqual([parsed.ns!.max_concurrency, parsed.ns!.request_rate, parsed.ns!.num_prompts], [16, 1e9, 80]);
  });
});

describe('the dataset and the workload mode decide what each request is', () => {
  const cases = [
    { dataset: 'prefix_repetition', mode: 'mixed', ns: { dataset_name: 'prefix_repetition', prefix_repetition_prefix_len: 0, prefix_repetition_suffix_len: 5000, prefix_repetition_num_prefixes: 1, prefix_repetition_output_len: 250 }, input: 5000, output: 250, shared: 0 },
    { dataset: 'prefix_repetition', mode: 'prefill-only', ns: { prefix_repetition_suffix_len: 5000, prefix_repetition_output_len: 1 }, input: 5000, output: 1, shared: 0 },
    { dataset: 'prefix_repetition', mode: 'decode-only', ns: { prefix_repetition_prefix_len: 5000, prefix_repetition_suffix_len: 0, prefix_repetition_output_len: 250 }, input: 5000, output: 250, shared: 5000 },
    { dataset: 'random', mode: 'mixed', ns: { dataset_name: 'random', random_input_len: 5000, random_output_len: 250, random_prefix_len: 0 }, input: 5000, output: 250, shared: 0 },
    { dataset: 'random', mode: 'prefill-only', ns: { random_input_len: 5000, random_output_len: 1 }, input: 5000, output: 1, shared: 0 },
    { dataset: 'random', mode: 'decode-only', ns: { random_prefix_len: 5000, random_input_len: 0, random_output_len: 250 }, input: 5000, output: 250, shared: 0 },
  ] as const;
  for (const c of cases) {
    it(`${c.dataset}, ${c.mode}`, () => {
      const { parsed } = throughVllm(planOf({ workloads: [{ isl: 5000, osl: 250, mode: c.mode }], bench: { dataset: c.dataset } }));
      for (const [k, v] of Object.entries(c.ns)) assert.equal(parsed.ns![k], v, k);
      const req = parsed.requests as { inputs: number[]; outputs: number[]; sharedPrefix: number };
      assert.equal(req.inputs.length, 80);
      assert.ok(req.inputs.every((n) => n === c.input), `inputs ${req.inputs.slice(0, 3).join(',')}`);
      assert.ok(req.outputs.every((n) => n === c.output));
      assert.equal(req.sharedPrefix, c.shared);
    });
  }
});

describe('what the emulated vllm records follows 0.11\'s samplers', () => {
  it('random with a range ratio: lengths drawn around the means', () => {
    const { parsed } = throughVllm(planOf({ bench: { dataset: 'random', extraArgs: ['--random-range-ratio', '0.5'] } }));
    const req = parsed.requests as { inputs: number[]; outputs: number[] };
    assert.ok(req.inputs.every((n) => n >= 2500 && n <= 7500) && new Set(req.inputs).size > 10, `inputs ${req.inputs.slice(0, 5).join(',')}`);
    assert.ok(req.outputs.every((n) => n >= 125 && n <= 375));
  });
  it('prefix_repetition sends num_prefixes x (num_prompts // num_prefixes) requests', () => {
    const { parsed } = throughVllm(planOf({ bench: { extraArgs: ['--prefix-repetition-num-prefixes', '3'] } }));
    assert.equal((parsed.requests as { inputs: number[] }).inputs.length, 78);
  });
});

describe('every bench setting reaches vllm bench serve', () => {
  it('ignoreEos, percentiles, seed and extra args', () => {
    const on = throughVllm(planOf({ bench: { ignoreEos: true, percentileMetrics: ['ttft', 'e2el'], metricPercentiles: [50, 99.9], seed: 7, extraArgs: ['--goodput', 'ttft:500', 'tpot:50'] } }));
    assert.deepEqual([on.parsed.ns!.ignore_eos, on.parsed.ns!.percentile_metrics, on.parsed.ns!.metric_percentiles, on.parsed.ns!.seed],
      [true, 'ttft,e2el', '50,99.9', 7]);
    assert.deepEqual(on.parsed.ns!.goodput, ['ttft:500', 'tpot:50']);
    const off = throughVllm(planOf({ bench: { ignoreEos: false } }));
    assert.equal(off.parsed.ns!.ignore_eos, false);
    assert.equal(off.argv.includes('--ignore-eos'), false);
  });
  it('a flag vLLM 0.11 does not have is refused as argparse would (exit 2)', () => {
    const p = planOf({ bench: { extraArgs: ['--num-warmups', '3'] } });
    const dry = benchDryRun(benchArgs(p5, firstPoint(p), '/r', '/v', p.bench));
    const [parsed] = parseWithEmulatedVllm([dry.argv]);
    assert.match(parsed!.error ?? '', /exit 2: .*unrecognized arguments: --num-warmups 3/);
  });
});

describe('the emulated vllm bench serve has the option set of vLLM 0.11.0', () => {
  const emulated = emulatedOptions();
  it('every option of the real one, and no other', () => {
    assert.deepEqual(Object.keys(emulated).filter((o) => o.startsWith('--')).sort(), Object.keys(REAL_OPTIONS).sort());
  });
  it('each takes values as the real one does, with its choices and defaults', () => {
    for (const [name, real] of Object.entries(REAL_OPTIONS)) {
      const e = emulated[name]!;
      assert.equal(e.takes, real.takes, `${name} takes`);
      assert.deepEqual(e.choices, real.choices, `${name} choices`);
      assert.equal(e.required ?? false, real.required ?? false, `${name} required`);
      if (typeof real.default !== 'string' || !real.default.startsWith('(')) assert.deepEqual(e.default ?? null, real.default ?? null, `${name} default`);
    }
  });
  it('every flag pdflow passes for the example sweeps is one the real 0.11.0 has', () => {
    for (const f of ['sweep-demo.yaml', 'sweep-pack-vs-spread.yaml', 'sweep-pd-ratio.yaml', 'sweep-tp-baselines.yaml']) {
      const p = planSweep(p5, ok(parseSweepYaml(readFileSync(path.join(examples, f), 'utf8'), f)));
      const { argv } = throughVllm(p);
      for (const a of argv.filter((x) => x.startsWith('--'))) assert.ok(REAL_OPTIONS[a], `${f}: ${a} is not a vllm 0.11.0 bench serve option`);
    }
  });
});

describe('the emulated engine honours the shared prefix (decode-only)', () => {
  it('a prefix every prompt shares is computed once per engine: TTFT well below the same prompts uncached', () => {
    const code = `
import json
from pdflow_sim import perf_model
dep = {"mode": "pd-pack", "prefill": {"num": 1, "tp": 4}, "decode": {"num": 1, "tp": 4}, "transport": "cuda_ipc"}
a = perf_model.simulate_bench(dep, 8000, 100, 64, 16, None, 1.0, 0)
b = perf_model.simulate_bench(dep, 8000, 100, 64, 16, None, 1.0, 0, cached_prefix=8000)
print(json.dumps([a["median_ttft_ms"], b["median_ttft_ms"], a["total_input_tokens"], b["total_input_tokens"]]))
`;
    const r = spawnSync('python3', ['-c', code], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.resolve(import.meta.dirname, '../../src/sim/pypkgs/pdflow-sim') } });
    assert.equal(r.status, 0, r.stderr);
    const [uncached, cached, inA, inB] = JSON.parse(r.stdout) as number[];
    assert.ok(cached! < uncached! * 0.7, `median TTFT cached ${cached} vs uncached ${uncached}`);
    assert.equal(inA, inB, 'the requests still carry the whole prompt');
  });
});

describe('bench.extraArgs is checked against vLLM 0.11.0 before anything runs', () => {
  const issuesOf = (extraArgs: string[], version = '0.11.0') => {
    const cluster = { ...p5, software: { ...p5.software, vllm: { ...p5.software.vllm, version } } };
    return checkSweepAgainstCluster(ok(validateSweep({ ...base, bench: { extraArgs } }, 's.yaml')), cluster, 's.yaml').map(formatIssue);
  };
  it('the option list pdflow checks with is the one extracted from the 0.11.0 sources', () => {
    assert.deepEqual([...VLLM_BENCH_SERVE_OPTIONS_0_11].sort(), Object.keys(REAL_OPTIONS).sort());
  });
  const cases: Array<[string[], RegExp | null]> = [
    [['--goodput', 'ttft:500', 'tpot:50', '--temperature=0'], null],
    [['--ready_check_timeout_sec', '60'], null],
    [['--num-warmups', '3'], /bench\.extraArgs\[0\]: is not an option of vllm bench serve 0\.11\.0 \(it would exit 2 at every point\) \(got "--num-warmups"\)/],
    [['--goodputt', 'ttft:500'], /did you mean --goodput\?/],
    [['--request-rate', '5'], /bench\.extraArgs\[0\]: --request-rate is set by pdflow for every point \(got "--request-rate"\); set load\.requestRate instead/],
    [['--dataset-name=sharegpt'], /set bench\.dataset instead/],
  ];
  for (const [args, re] of cases) {
    it(`${args.join(' ')}: ${re ? 'refused' : 'accepted'}`, () => {
      const issues = issuesOf(args);
      if (!re) assert.deepEqual(issues, []);
      else assert.ok(issues.some((i) => re.test(i)), issues.join('\n'));
    });
  }
  it('another vLLM version: its option set is not known here, nothing is refused', () => {
    assert.deepEqual(issuesOf(['--num-warmups', '3'], '0.12.0'), []);
  });
});
