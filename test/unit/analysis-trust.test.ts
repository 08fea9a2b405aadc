// Results you can trust: known-bad stacks flagged (never frontier, never best), hardware kept
// apart, placement judged against the node size, and the sweep's SLA in the report.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildResultsSummary, deploymentFromFolderName, FolderNameError, gpuFamilyOf, hardwareKey, hardwareOfClusterNodes, hardwareOfImport,
  knownBadFlags, parseSweepSla, plotSpecs, renderMarkdown, renderTerminal, slaReport, summaryForJson, toCsv, toJsonl, versionInRange,
  type BenchPointRecord, type StackFacts,
} from '../../src/analysis/index.js';
import { importBenchFolders } from '../../src/analysis-io/index.js';
import { BENCH_DIR, COLLOCATED_2X4, COLLOCATED_4X2, PACK, PD_1P2_2D2, SPREAD_UCX120 } from './helpers/bench-fixtures.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'pdflow-trust-'));
after(() => rm(tmp, { recursive: true, force: true }));

describe('versionInRange', () => {
  const cases: Array<[string, string, boolean]> = [
    ['0.11.0', '0.11.x', true], ['0.11.2rc1', '0.11.x', true], ['v0.11.1', '0.11.x', true], ['0.11', '0.11.x', true],
    ['0.12.0', '0.11.x', false], ['0.1.0', '0.11.x', false], ['0.110.0', '0.11.x', false],
    ['0.6.1', '0.6.1', true], ['0.6.10', '0.6.1', false], ['0.6.1+cu12', '0.6.1', true],
  ];
  for (const [v, r, want] of cases) it(`${v} in ${r}: ${want}`, () => assert.equal(versionInRange(v, r), want));
});

describe('knownBadFlags', () => {
  const bad = { vllm: '0.11.0', nixl: '0.6.1' };
  const cases: Array<[string, StackFacts, Array<'known-bad' | 'suspect'>, RegExp?]> = [
    ['LIBFABRIC, vLLM 0.11, NIXL 0.6.1, EFA: known-bad', { mode: 'pd-spread', backend: 'LIBFABRIC', versions: bad, hardware: { efaDevices: 32 } }, ['known-bad']],
    ['the same packed on one node (EFA still used): known-bad', { mode: 'pd-pack', backend: 'LIBFABRIC', versions: bad, hardware: { efaDevices: 32 } }, ['known-bad']],
    ['versions unknown (an import): suspect', { mode: 'pd-spread', backend: 'LIBFABRIC' }, ['suspect'], /vllm version, nixl version, whether EFA was used unknown/],
    ['versions known, EFA unknown: suspect', { mode: 'pd-spread', backend: 'LIBFABRIC', versions: bad }, ['suspect'], /whether EFA was used unknown/],
    ['NIXL unknown only: suspect', { mode: 'pd-spread', backend: 'LIBFABRIC', versions: { vllm: '0.11.2' }, hardware: { efaDevices: 32 } }, ['suspect'], /nixl version unknown/],
    ['UCX: none', { mode: 'pd-spread', backend: 'UCX', versions: bad, hardware: { efaDevices: 32 } }, []],
    ['vLLM 0.12: none', { mode: 'pd-spread', backend: 'LIBFABRIC', versions: { vllm: '0.12.0', nixl: '0.6.1' }, hardware: { efaDevices: 32 } }, []],
    ['NIXL 0.7 with vLLM unknown: none (a known fact rules it out)', { mode: 'pd-spread', backend: 'LIBFABRIC', versions: { nixl: '0.7.0' } }, []],
    ['no EFA on the nodes: none', { mode: 'pd-spread', backend: 'LIBFABRIC', versions: bad, hardware: { efaDevices: 0 } }, []],
    ['collocated (no KV transfer): none', { mode: 'collocated', versions: bad, hardware: { efaDevices: 32 } }, []],
  ];
  for (const [name, facts, kinds, re] of cases) {
    it(name, () => {
      const flags = knownBadFlags(facts);
      assert.deepEqual(flags.map((f) => f.kind), kinds);
      for (const f of flags) assert.equal(f.link, 'https://github.com/vllm-project/vllm/issues/27055');
      if (re) assert.match(flags[0]!.reason, re);
    });
  }
});

describe('hardware identity', () => {
  const families: Array<[string, string | undefined]> = [
    ['gptoss_H200_itl5000_otl250_mixed_2xtp4', 'H200'], ['h100-run_1xtp4-1xtp4', 'H100'], ['NVIDIA H100 80GB HBM3', 'H100'],
    ['NVIDIA B200', 'B200'], ['gb200_4xtp2', 'GB200'], ['NVIDIA A100-SXM4-80GB', 'A100'], ['gptoss_itl5000_otl250_2xtp4', undefined],
    ['tph100x', undefined],
  ];
  for (const [text, want] of families) it(`gpuFamilyOf(${JSON.stringify(text)}) = ${want}`, () => assert.equal(gpuFamilyOf(text), want));

  it('an import takes the GPU from the folder name, else --gpu; the node size from --gpus-per-node, else 8', () => {
    assert.deepEqual(hardwareOfImport('x_H200_2xtp4', { gpu: 'H100' }), { gpuModel: 'H200', gpusPerNode: 8, source: 'folder-name' });
    assert.deepEqual(hardwareOfImport('x_2xtp4', { gpu: 'H100', gpusPerNode: 4 }), { gpuModel: 'H100', gpusPerNode: 4, source: 'command-line' });
    assert.deepEqual(hardwareOfImport('x_2xtp4'), { gpusPerNode: 8, source: 'default' });
  });
  it('a sweep takes what the cluster file declares for the deployment\'s nodes, nothing invented', () => {
    const cluster = { nodes: [
      { name: 'head', gpus: { count: 0 }, efaDevices: 0 },
      { name: 'a', gpus: { count: 8, model: 'NVIDIA H100 80GB HBM3' }, efaDevices: 32 },
      { name: 'b', gpus: { count: 8, model: 'NVIDIA H100 80GB HBM3' }, efaDevices: 32 },
    ] };
    const h = hardwareOfClusterNodes(cluster, ['a', 'b'])!;
    assert.deepEqual(h, { gpusPerNode: 8, efaDevices: 32, source: 'cluster-file', gpuModel: 'NVIDIA H100 80GB HBM3' });
    assert.equal(h.driverVersion, undefined);
    assert.equal(hardwareKey(h), 'h100');
    assert.equal(hardwareKey({ gpusPerNode: 8, source: 'default' }), '');
  });

  const placements: Array<[string, number | undefined, string | RegExp]> = [
    ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4', undefined, '1P-TP4:1D-TP4 pd-pack'],
    ['gptoss_itl5000_otl250_mixed_3ptp2-1dtp2', undefined, '3P-TP2:1D-TP2 pd-pack'],
    ['gptoss_itl5000_otl250_mixed_2xtp4-1xtp4', undefined, '2P-TP4:1D-TP4 pd-spread'],
    ['gptoss_itl5000_otl250_mixed_2xtp4-2xtp4', undefined, '2P-TP4:2D-TP4 pd-spread'],
    ['gptoss_itl5000_otl250_mixed_2xtp4-1xtp4', 16, '2P-TP4:1D-TP4 pd-pack'],
    ['gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx', undefined, '1P-TP4:1D-TP4 pd-spread [spread-ucx]'],
    ['gptoss_itl5000_otl250_mixed_2xtp4-2xtp4-packed-ucx', undefined, /says "pack" but its 16 GPUs do not fit on one node of 8/],
    ['gptoss_itl5000_otl250_4xtp4', undefined, '4xTP4 collocated'],
  ];
  for (const [name, perNode, want] of placements) {
    it(`${name}${perNode ? ` on ${perNode}-GPU nodes` : ''}: ${want}`, () => {
      if (want instanceof RegExp) {
        assert.throws(() => deploymentFromFolderName(name, undefined, perNode ? { gpusPerNode: perNode } : {}), (e: unknown) => e instanceof FolderNameError && want.test((e as Error).message));
      } else assert.equal(deploymentFromFolderName(name, undefined, perNode ? { gpusPerNode: perNode } : {}).deployment.name, want);
    });
  }

  it('H200 and H100 copies of one config stay apart: two groups, two frontiers, two plot folders', async () => {
    const h200 = path.join(tmp, 'hw', 'gptoss_H200_itl5000_otl250_mixed_1xtp4-1xtp4');
    const h100 = path.join(tmp, 'hw', 'gptoss_H100_itl5000_otl250_mixed_1xtp4-1xtp4');
    await cp(path.join(BENCH_DIR, PACK), h200, { recursive: true });
    await cp(path.join(BENCH_DIR, PACK), h100, { recursive: true });
    const { records } = await importBenchFolders([path.join(tmp, 'hw')]);
    const s = buildResultsSummary(records);
    assert.deepEqual(s.workloads.map((w) => [w.key, w.label, w.points.length]), [
      ['isl5000-osl250-mixed-h100', 'ISL 5000 / OSL 250 (mixed) on H100', 7],
      ['isl5000-osl250-mixed-h200', 'ISL 5000 / OSL 250 (mixed) on H200', 7],
    ]);
    for (const w of s.workloads) assert.ok(w.frontier.every((p) => p.record.hardware?.gpuModel === w.hardware?.gpuModel));
    const dirs = new Set(plotSpecs(s).map((p) => p.file.split('/')[1]));
    assert.deepEqual([...dirs].sort(), ['isl5000-osl250-mixed-h100', 'isl5000-osl250-mixed-h200']);
    assert.match(renderTerminal(s), /ISL 5000 \/ OSL 250 \(mixed\) on H200/);
    assert.match(toCsv(records), /,H200,8,,,,,folder-name/);
  });
});

describe('a LIBFABRIC run imported from a real fixture folder', async () => {
  // The fastest real run (1P-TP4:1D-TP4 pack), renamed as a LIBFABRIC spread run: without flags
  // it would be the frontier and "best" for every tier, as the corrupted run was in issue 11.
  const lf = 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-libfabric';
  const dir = path.join(tmp, 'lf');
  await cp(path.join(BENCH_DIR, PACK), path.join(dir, lf), { recursive: true });
  for (const f of [SPREAD_UCX120, PD_1P2_2D2, COLLOCATED_4X2, COLLOCATED_2X4]) await cp(path.join(BENCH_DIR, f), path.join(dir, f), { recursive: true });
  const { records } = await importBenchFolders([dir]);
  const sla = parseSweepSla('p99TtftMs=2000,p99TpotMs=50');
  const s = buildResultsSummary(records, { sla });
  const flagged = records.filter((r) => r.deployment.id === lf);

  it('flags every point of it "suspect" with the reason and the link', () => {
    assert.equal(flagged.length, 7);
    for (const r of flagged) {
      assert.equal(r.deployment.backend, 'LIBFABRIC');
      assert.deepEqual(r.flags?.map((f) => f.kind), ['suspect']);
      assert.match(r.flags![0]!.reason, /LIBFABRIC.*corrupts or hangs KV transfers on EFA/);
    }
    assert.ok(records.filter((r) => r.deployment.id !== lf).every((r) => !r.flags));
  });
  it('keeps it off the frontier and never names it best; says which flagged point was skipped', () => {
    const w = s.workloads[0]!;
    assert.ok(w.points.filter((p) => p.record.deployment.id === lf).every((p) => p.status === 'flagged'));
    assert.ok(!w.frontier.some((p) => p.record.deployment.id === lf));
    for (const t of [...w.tiers, w.sla!]) assert.notEqual(t.best?.deployment.id, lf, t.tier.name);
    // It beats the honest best of the standard tier: the report must say it was passed over.
    const standard = w.tiers.find((t) => t.tier.name === 'standard')!;
    assert.equal(standard.skippedFlagged?.deployment.id, lf);
    assert.notEqual(standard.best?.deployment.id, undefined);
  });
  it('shows the flag in the terminal table, report.md, CSV, JSONL, summary JSON and the plots', () => {
    const term = renderTerminal(s);
    assert.match(term, /⚠ 7 flagged points/);
    assert.match(term, /⚠ {2}1P-TP4:1D-TP4 pd-spread \[spread-libfabric\] ⚠ {2}conc 64/);
    assert.match(term, /best for standard: .* skipped suspect 1P-TP4:1D-TP4 pd-spread \[spread-libfabric\] at conc 64/);
    assert.ok(!/best for \w+: 1P-TP4:1D-TP4 pd-spread \[spread-libfabric\]/.test(term));
    const md = renderMarkdown(s);
    assert.match(md, /## ⚠ Flagged points/);
    assert.match(md, /issues\/27055/);
    assert.match(md, /\| ⚠ \| 1P-TP4:1D-TP4 pd-spread \[spread-libfabric\] ⚠ \|/);
    const csv = toCsv(records, s.statusByPoint).split('\n');
    const col = csv[0]!.split(',').indexOf('flags');
    assert.ok(col > 0);
    assert.equal(csv.filter((l) => /suspect: NIXL backend LIBFABRIC/.test(l) && /,flagged,/.test(l)).length, 7);
    const jsonl = toJsonl(records).trimEnd().split('\n').map((l) => JSON.parse(l) as BenchPointRecord);
    assert.equal(jsonl.filter((r) => r.flags?.[0]?.kind === 'suspect').length, 7);
    const json = summaryForJson(s) as { flagged: unknown[]; workloads: Array<{ frontier: Array<{ deploymentId: string }> }> };
    assert.equal(json.flagged.length, 7);
    assert.ok(!json.workloads[0]!.frontier.some((p) => p.deploymentId === lf));
    const pareto = plotSpecs(s).find((p) => p.file.endsWith('pareto.svg'))!.spec as unknown as { data: { values: Array<{ flagged: boolean; status: string }> }; layer: Array<{ mark: { filled?: boolean }; transform?: Array<{ filter: string }> }> };
    assert.equal(pareto.data.values.filter((v) => v.flagged && v.status === 'flagged').length, 7);
    const hollow = pareto.layer.find((l) => l.mark.filled === false)!;
    assert.equal(hollow.transform![0]!.filter, 'datum.flagged');
  });
  it('with --versions vllm=0.11.0,nixl=0.6.1 it stays flagged (EFA unknown), with vLLM 0.12 it is clean', async () => {
    const known = await importBenchFolders([path.join(dir, lf)], { versions: { vllm: '0.11.0', nixl: '0.6.1' } });
    assert.ok(known.records.every((r) => r.flags?.[0]?.kind === 'suspect' && /whether EFA was used unknown/.test(r.flags[0].reason)));
    const newer = await importBenchFolders([path.join(dir, lf)], { versions: { vllm: '0.12.0', nixl: '0.7.0' } });
    assert.ok(newer.records.every((r) => !r.flags));
  });
});

describe('the sweep SLA in the report', () => {
  const rec = (dep: string, conc: number, ttftP99: number, tpotP99: number, out: number, flagged = false): BenchPointRecord => ({
    pointId: `${dep}/w/c${conc}`, deployment: { id: dep, name: dep, mode: 'pd-pack', gpus: 8 }, workload: { isl: 1000, osl: 100, mode: 'mixed' },
    load: { concurrency: conc, numPrompts: 10 * conc }, status: 'ok', timings: { startedAt: '', durationSec: 60 }, attempt: 1,
    metrics: {
      completed: 10, durationSec: 60, requestThroughput: 1, outputThroughput: out * 8, totalThroughput: out * 80, outputThroughputPerGpu: out, totalThroughputPerGpu: out * 10,
      ttftMs: { mean: ttftP99 / 2, median: ttftP99 / 2, p99: ttftP99 }, tpotMs: { mean: tpotP99 / 2, median: tpotP99 / 2, p99: tpotP99 }, interactivity: 2000 / tpotP99,
    },
    ...(flagged ? { flags: [{ kind: 'known-bad' as const, reason: 'bad stack' }] } : {}),
  });
  const records = [
    rec('a', 4, 500, 10, 100), rec('a', 16, 900, 30, 300), rec('a', 64, 4000, 80, 500),
    rec('b', 4, 3000, 10, 90),
    rec('bad', 4, 400, 10, 200, true), rec('bad', 64, 1000, 20, 900, true),
  ];
  const tier = parseSweepSla('p99TtftMs=2000,p99TpotMs=50');

  it('parses the sweep file\'s keys, either one alone, and refuses the rest with an example', () => {
    assert.deepEqual(parseSweepSla('p99TtftMs=2000'), { name: 'sweep SLA', p99TtftMs: 2000 });
    assert.deepEqual(tier, { name: 'sweep SLA', p99TtftMs: 2000, p99TpotMs: 50 });
    assert.throws(() => parseSweepSla('p99TtftMs=fast'), /"p99TtftMs=fast" is not p99TtftMs=MS or p99TpotMs=MS .* e\.g\. p99TtftMs=2000,p99TpotMs=50/);
    assert.throws(() => parseSweepSla('ttft=1'), /not p99TtftMs=MS/);
  });
  it('best point, the points meeting it, the highest load per deployment; flagged never best', () => {
    const r = slaReport(records, tier);
    assert.equal(r.best?.pointId, 'a/w/c16');
    assert.equal(r.skippedFlagged?.pointId, 'bad/w/c64');
    assert.deepEqual(r.points.map((p) => p.pointId), ['bad/w/c64', 'a/w/c16', 'bad/w/c4', 'a/w/c4']);
    assert.deepEqual(r.deployments.map((d) => [d.deployment, d.highest?.load.concurrency ?? null, d.flagged]), [['a', 16, false], ['b', null, false], ['bad', 64, true]]);
  });
  it('the terminal and report.md say it beside the default tiers', () => {
    const s = buildResultsSummary(records, { sla: tier });
    const term = renderTerminal(s);
    assert.match(term, /best for batch: a at conc 16/);
    assert.match(term, /sweep SLA \(p99 TTFT ≤ 2000 ms, p99 TPOT ≤ 50 ms\): best a at conc 16 \(300 out tok\/s\/GPU\); skipped known-bad bad at conc 64/);
    assert.match(term, / {2}a: highest load meeting it conc 16\n {2}b: no load met it \(1 tried\)\n {2}bad ⚠: highest load meeting it conc 64/);
    const md = renderMarkdown(s);
    assert.match(md, /### Sweep SLA: p99 TTFT ≤ 2000 ms, p99 TPOT ≤ 50 ms/);
    assert.match(md, /\| sweep SLA \(sweep\) \| p99 TTFT ≤ 2000 ms, p99 TPOT ≤ 50 ms \| a \| conc 16 \|/);
    assert.match(md, /- b: none of 1 loads/);
  });
});
