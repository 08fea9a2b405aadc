// The seed's result layout: names from the plan's records (pure), raw JSON written byte for byte,
// and a round trip through the real fixtures: import → export → same files → import → same records.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { deploymentFromFolderName, pointRecord, seedLayout, type BenchPointRecord } from '../../src/analysis/index.js';
import { importBenchFolders, writeSeedLayout } from '../../src/analysis-io/index.js';
import { registerResults } from '../../src/cli/commands/results.js';
import { BadInputError } from '../../src/cli/errors.js';
import { parseClusterYaml, validateSweep, type SweepInput } from '../../src/config/index.js';
import { planSweep, type PlannedDeployment, type PlannedPoint } from '../../src/plan/index.js';
import { BENCH_DIR } from './helpers/bench-fixtures.js';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = await mkdtemp(path.join(tmpdir(), 'pdflow-seed-layout-'));
after(() => rm(tmp, { recursive: true, force: true }));

const p5r = parseClusterYaml(await readFile(path.join(root, 'examples/cluster-p5.yaml'), 'utf8'), 'cluster-p5.yaml');
if (!p5r.ok) throw new Error('examples/cluster-p5.yaml is invalid');
const p5 = p5r.value;

/** The records a sweep would make (the real planner and record builder), one per point. */
function sweepRecords(over: Partial<SweepInput>, extra: Partial<Parameters<typeof pointRecord>[2]> = {}): Array<{ dep: PlannedDeployment; point: PlannedPoint; record: BenchPointRecord }> {
  const v = validateSweep({ name: 's', model: { id: p5.model.id, servedName: 'gptoss' }, workloads: [{ isl: 5000, osl: 250 }], deployments: [], load: { concurrency: [16] }, ...over }, 's.yaml');
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const plan = planSweep(p5, v.value);
  return plan.deployments.flatMap((dep) => dep.points.map((point) => ({
    dep, point, record: pointRecord(dep, point, { status: 'ok', attempt: 1, startedAt: '', durationSec: 1, servedName: p5.model.servedName, ...extra }),
  })));
}
const pathOf = (rs: BenchPointRecord[]) => { const l = seedLayout(rs); return rs.map((r) => { const p = l.paths.get(r.pointId)!; return `${p.folder}/${p.file}`; }); };

// viz.py (the seed's plotter) reads the GPU count from the folder name with these patterns.
const VIZ_PD = /[a-z]?(\d+)x(tp|tpep)(\d+)-[a-z]?(\d+)x(tp|tpep)(\d+)/;
const VIZ_SIMPLE = /(\d+)x(tp|tpep)(\d+)/;
function vizGpus(folder: string): number | undefined {
  const pd = VIZ_PD.exec(folder);
  if (pd) return Number(pd[1]) * Number(pd[3]) + Number(pd[4]) * Number(pd[6]);
  const s = VIZ_SIMPLE.exec(folder);
  return s ? Number(s[1]) * Number(s[3]) : undefined;
}

describe('seed names for a sweep\'s points (as the fixtures and run_bm.sh name them)', () => {
  const cases: Array<{ name: string; sweep: Partial<SweepInput>; expect: string[] }> = [
    { name: 'PD pack with UCX: no suffix', sweep: { deployments: [{ mode: 'pd-pack', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] } }], load: { concurrency: [4, 16] } },
      expect: ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4/conc4.json', 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4/conc16.json'] },
    { name: 'a P:D ratio', sweep: { deployments: [{ mode: 'pd-pack', prefill: { count: [1], tp: [2] }, decode: { count: [2], tp: [2] } }], load: { concurrency: [128] } },
      expect: ['gptoss_itl5000_otl250_mixed_1xtp2-2xtp2/conc128.json'] },
    { name: 'PD spread: -spread-<backend>', sweep: { deployments: [{ mode: 'pd-spread', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] } }, { mode: 'pd-spread', backend: 'LIBFABRIC', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] } }] },
      expect: ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx/conc16.json', 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-libfabric/conc16.json'] },
    { name: 'engine env, e.g. UCX over TCP', sweep: { deployments: [{ mode: 'pd-spread', env: { UCX_TLS: 'tcp' }, prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] } }] },
      expect: ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx-ucxtls-tcp/conc16.json'] },
    { name: 'collocated request-rate points with a cap: conc<N>_rr<R>', sweep: { deployments: [{ mode: 'collocated', replicas: [2], tp: [4] }], load: { requestRate: [1, 4], numPrompts: 500, maxConcurrency: 128 } },
      expect: ['gptoss_itl5000_otl250_mixed_2xtp4/conc128_rr1.json', 'gptoss_itl5000_otl250_mixed_2xtp4/conc128_rr4.json'] },
    { name: 'uncapped rates: rr<R> (run_bm.sh)', sweep: { deployments: [{ mode: 'collocated', replicas: [4], tp: [2] }], load: { requestRate: [0.5, 2], numPrompts: 500 } },
      expect: ['gptoss_itl5000_otl250_mixed_4xtp2/rr0.5.json', 'gptoss_itl5000_otl250_mixed_4xtp2/rr2.json'] },
    { name: 'the workload mode', sweep: { workloads: [{ isl: 5000, osl: 1, mode: 'prefill-only' }], deployments: [{ mode: 'collocated', replicas: [1], tp: [2] }] },
      expect: ['gptoss_itl5000_otl1_prefill-only_1xtp2/conc16.json'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const rs = sweepRecords(c.sweep);
      assert.deepEqual(pathOf(rs.map((x) => x.record)), c.expect);
    });
  }
  it('each name reads back as the same deployment (our import) and the same GPU count (viz.py)', () => {
    const rs = cases.flatMap((c) => sweepRecords(c.sweep));
    const paths = pathOf(rs.map((x) => x.record));
    rs.forEach(({ dep, point }, i) => {
      const folder = paths[i]!.split('/')[0]!;
      const back = deploymentFromFolderName(folder);
      assert.equal(back.deployment.mode, dep.mode, folder);
      assert.equal(back.deployment.gpus, dep.gpus, folder);
      assert.equal(vizGpus(folder), dep.gpus, folder);
      if (dep.mode !== 'collocated') assert.equal(back.deployment.backend, dep.backend, folder);
      assert.deepEqual([back.isl, back.osl, back.workloadMode], [point.workload.isl, point.workload.osl, point.workload.mode], folder);
    });
  });
  it('a served name with a slash becomes "--" (run_bm.sh)', () => {
    const [r] = sweepRecords({ deployments: [{ mode: 'collocated', replicas: [1], tp: [2] }] });
    assert.equal(pathOf([{ ...r!.record, servedName: 'org/model' }])[0], 'org--model_itl5000_otl250_mixed_1xtp2/conc16.json');
  });
  it('two deployments of one shape under different names get their ids appended, so nothing is overwritten', () => {
    const rs = sweepRecords({ deployments: [
      { mode: 'collocated', name: 'first', replicas: [2], tp: [4] }, { mode: 'collocated', name: 'second', replicas: [2], tp: [4] },
    ] });
    assert.deepEqual(pathOf(rs.map((x) => x.record)), ['gptoss_itl5000_otl250_mixed_2xtp4-first/conc16.json', 'gptoss_itl5000_otl250_mixed_2xtp4-second/conc16.json']);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of await readdir(dir, { withFileTypes: true })) {
    if (f.isDirectory()) for (const g of await readdir(path.join(dir, f.name))) out.push(`${f.name}/${g}`);
  }
  return out.sort();
}
const withoutPath = (rs: BenchPointRecord[]) => rs.map(({ rawResultPath: _p, ...r }) => r);

describe('round trip through the real fixtures', () => {
  it('import → export --layout seed: the same folders, files and bytes; import again: the same records', async () => {
    const first = await importBenchFolders([BENCH_DIR]);
    const out = path.join(tmp, 'roundtrip');
    const w = await writeSeedLayout(first.records, out);
    assert.deepEqual(w.skipped, []);
    const want = await listFiles(BENCH_DIR);
    assert.deepEqual(await listFiles(out), want);
    for (const f of want) assert.ok((await readFile(path.join(out, f))).equals(await readFile(path.join(BENCH_DIR, f))), `${f} differs`);
    const again = await importBenchFolders([out]);
    assert.deepEqual(withoutPath(again.records), withoutPath(first.records));
  });

  it('a sweep\'s points: the worker\'s raw copies land under seed names, byte for byte, and import as the same deployments', async () => {
    const src = path.join(BENCH_DIR, 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx120', 'conc16.json');
    const rs = sweepRecords({ deployments: [{ mode: 'pd-spread', prefill: { count: [1], tp: [4] }, decode: { count: [1], tp: [4] } }, { mode: 'collocated', replicas: [2], tp: [4] }] },
      { rawResultPath: 'head:/home/ubuntu/pdflow/results/x.json', localResultPath: src });
    const out = path.join(tmp, 'from-sweep');
    const w = await writeSeedLayout(rs.map((x) => x.record), out);
    assert.deepEqual(w.files, ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx/conc16.json', 'gptoss_itl5000_otl250_mixed_2xtp4/conc16.json']);
    assert.ok((await readFile(path.join(out, w.files[0]!))).equals(await readFile(src)));
    const back = await importBenchFolders([out]);
    assert.deepEqual(back.records.map((r) => [r.deployment.mode, r.deployment.gpus, r.workload.mode]).sort(), [['collocated', 8, 'mixed'], ['pd-spread', 8, 'mixed']]);
  });

  it('a point whose raw JSON is not on this machine is named, not silently dropped', async () => {
    const [r] = sweepRecords({ deployments: [{ mode: 'collocated', replicas: [1], tp: [2] }] }, { rawResultPath: 'head:/gone/c16.json' });
    const w = await writeSeedLayout([r!.record], path.join(tmp, 'missing'));
    assert.deepEqual(w.files, []);
    assert.match(w.skipped[0]!, /collocated-1x-tp2\/isl5000-osl250\/c16: its raw JSON is not on this machine \(head:\/gone\/c16\.json\)/);
  });
});

describe('pdflow results --out DIR --layout seed', () => {
  async function run(args: string[]): Promise<{ out: string; err: string }> {
    const program = new Command('pdflow').exitOverride();
    const out: string[] = [];
    const err: string[] = [];
    registerResults(program, { out: (t) => out.push(t), err: (t) => err.push(t) });
    await program.parseAsync(['results', ...args], { from: 'user' });
    return { out: out.join(''), err: err.join('') };
  }
  it('writes the seed\'s folders of raw results and says so', async () => {
    const dir = path.join(tmp, 'cli-seed');
    const r = await run(['--import', BENCH_DIR, '--out', dir, '--layout', 'seed', '--format', 'csv']);
    assert.equal(r.out.trimEnd().split('\n').length, 36);
    assert.match(r.err, /wrote 35 raw vllm bench serve results in 6 folders to .*cli-seed \(the seed's layout/);
    assert.deepEqual(await listFiles(dir), await listFiles(BENCH_DIR));
  });
  const bad: Array<[string[], RegExp]> = [
    [['--import', BENCH_DIR, '--layout', 'seed'], /--layout seed writes folders: give --out DIR/],
    [['--import', BENCH_DIR, '--out', 'x', '--layout', 'flat'], /--layout: "flat" is not one of report, seed/],
  ];
  for (const [args, re] of bad) {
    it(`exits 2 on ${args.join(' ')}`, async () => {
      await assert.rejects(run(args), (e: unknown) => e instanceof BadInputError && e.exitCode === 2 && re.test(e.message));
    });
  }
});
