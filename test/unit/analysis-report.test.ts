import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import {
  buildResultsSummary, CSV_COLUMNS, plotSpecs, pointRecord, pointRecordFromBench, rejectedOfPlan, renderMarkdown, renderTerminal,
  slaTierOf, summaryForJson, toCsv, toJsonl, type BenchPointRecord,
} from '../../src/analysis/index.js';
import { parseVllmBenchResult } from '../../src/parse/index.js';
import type { PlannedDeployment, PlannedPoint } from '../../src/plan/types.js';
import { readFileSync } from 'node:fs';
import { fixtureRecords, PACK, SPREAD_BROKEN, COLLOCATED_2X4 } from './helpers/bench-fixtures.js';
import { sharedFixture } from './helpers/fixtures.js';

const all = fixtureRecords();
const failed: BenchPointRecord = {
  pointId: 'x/isl5000-osl250/c8', deployment: { id: 'x', name: '2P-TP2:1D-TP4 pd-pack', mode: 'pd-pack', gpus: 8, prefill: { count: 2, tp: 2 }, decode: { count: 1, tp: 4 }, backend: 'UCX', env: { UCX_TLS: 'srd,cuda_copy' } },
  workload: { isl: 5000, osl: 250, mode: 'mixed' }, load: { concurrency: 8, numPrompts: 40 }, status: 'failed',
  reason: 'RemoteJobFailed: vllm bench serve exited 1, "Connection refused", log tail ...', logPath: '/runs/x/c8.log',
  versions: { vllm: '0.11.0' }, timings: { startedAt: '2025-10-12T01:00:00Z', durationSec: 30 }, attempt: 3,
};
const records = [...all, failed];
const summary = buildResultsSummary(records, { title: 'Night 1', rejected: [{ name: '1P-TP4:1D-TP2 pd-pack', reason: 'prefill TP 4 > decode TP 2 (NixlConnector in vLLM 0.11)' }], gpuHoursTotal: 7.5 });

describe('buildResultsSummary', () => {
  it('counts, GPU-hours and versions', () => {
    assert.deepEqual(summary.counts, { points: 36, ok: 35, failed: 1, deployments: 7, workloads: 1 });
    assert.deepEqual(summary.versions, { vllm: { '0.11.0': 1 } });
    assert.ok(Math.abs(summary.gpuHours.benchmark - (all.reduce((h, r) => h + r.deployment.gpus * r.timings.durationSec, 0) + 8 * 30) / 3600) < 1e-9);
    assert.equal(summary.gpuHours.total, 7.5);
    assert.ok(summary.slaTiersAreDefault);
  });
  it('lists frontier and near points by decreasing interactivity, never the broken config', () => {
    const f = summary.workloads[0]!.frontier;
    assert.ok(f.every((p, i) => i === 0 || f[i - 1]!.y >= p.y));
    assert.ok(!f.some((p) => p.record.deployment.id === SPREAD_BROKEN));
    assert.equal(f[0]!.record.pointId, `${COLLOCATED_2X4}/conc32_rr1`);
  });
});

describe('CSV and JSONL', () => {
  const csv = toCsv(records, summary.statusByPoint);
  const lines = csv.trimEnd().split('\n');
  it('has a header and one row per record with every column', () => {
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    assert.equal(lines.length, records.length + 1);
  });
  it('writes full-precision numbers and the frontier status', () => {
    const row = lines.find((l) => l.startsWith(`${PACK},`) && l.includes(',16,,80,'))!;
    assert.ok(row.includes(',frontier,'));
    assert.ok(row.includes(',1733.4009866741944,'));
    assert.ok(row.includes(`,${1000 / 7.688778670795494},`));
  });
  it('quotes cells holding commas and quotes', () => {
    const row = lines[lines.length - 1]!;
    assert.ok(row.includes('"RemoteJobFailed: vllm bench serve exited 1, ""Connection refused"", log tail ..."'));
    assert.ok(row.includes(',"UCX_TLS=srd,cuda_copy",'));
  });
  it('JSONL round-trips the records', () => {
    const back = toJsonl(records).trimEnd().split('\n').map((l) => JSON.parse(l) as BenchPointRecord);
    assert.deepEqual(back, records);
  });
});

describe('Markdown and terminal reports', () => {
  const md = renderMarkdown(summary, [{ file: 'plots/isl5000-osl250-mixed/pareto.svg', title: 'Pareto', workloadKey: 'isl5000-osl250-mixed' }]);
  it('has every section', () => {
    for (const h of ['# Night 1', '## ISL 5000 / OSL 250 (mixed)', '### Pareto frontier', '### Best config per SLA tier (default tiers)', '### Plots', '### All points', '## Failed points', '## Rejected configs', '## Versions']) {
      assert.ok(md.includes(`\n${h}\n`) || md.startsWith(`${h}\n`), `missing ${h}`);
    }
  });
  it('shows the failed point with its reason and attempt, the rejection, versions, GPU-hours and the plot', () => {
    assert.match(md, /\| 2P-TP2:1D-TP4 pd-pack \| ISL 5000 \/ OSL 250 \(mixed\) \| conc 8 \| 3 \| RemoteJobFailed: .* \| \/runs\/x\/c8\.log \|/);
    assert.match(md, /\| 1P-TP4:1D-TP2 pd-pack \| prefill TP 4 > decode TP 2/);
    assert.match(md, /\| vllm \| 0\.11\.0 \(1\) \|/);
    assert.match(md, /GPU-hours: \d+\.\d\d in benchmarks, 7\.50 in total/);
    assert.match(md, /!\[Pareto\]\(plots\/isl5000-osl250-mixed\/pareto\.svg\)/);
    assert.match(md, /\| interactive \| p99 TTFT ≤ 1000 ms, p99 TPOT ≤ 10 ms \| 1P-TP4:1D-TP4 pd-pack \| conc 16 \| 216\.7 \| 130\.1 \|/);
  });
  it('marks frontier (★) and near (≈) rows', () => {
    assert.match(md, /\| ★ \| 1P-TP4:1D-TP4 pd-pack \| 8 \| conc 64 \| 527\.2 \| 78\.7 \|/);
    assert.match(md, /\| ≈ \| 1P-TP4:1D-TP4 pd-spread \[spread-ucx120\] \| 8 \| conc 64 \| 518\.8 \|/);
  });
  it('renders a terminal table', () => {
    const t = renderTerminal(summary);
    assert.match(t, /^36 points \(35 ok, 1 failed\), 7 deployments/);
    assert.match(t, /★ {2}1P-TP4:1D-TP4 pd-pack {2,}conc 64 {2,}527\.2/);
    assert.match(t, /best for interactive: 1P-TP4:1D-TP4 pd-pack at conc 16/);
    assert.match(t, /Failed points:\n {2}2P-TP2:1D-TP4 pd-pack, .* \(attempt 3\): RemoteJobFailed/);
    assert.match(t, /Rejected configs:\n {2}1P-TP4:1D-TP2 pd-pack: prefill TP 4 > decode TP 2/);
  });
  it('summaryForJson carries frontier and tiers without the records', () => {
    const j = summaryForJson(summary) as { workloads: Array<{ frontier: Array<{ deployment: string; status: string }>; bestPerTier: Array<{ deployment: string | null }> }>; failed: unknown[] };
    assert.ok(j.workloads[0]!.frontier.some((p) => p.deployment === '1P-TP4:1D-TP4 pd-pack' && p.status === 'frontier'));
    assert.equal(j.workloads[0]!.bestPerTier[0]!.deployment, '1P-TP4:1D-TP4 pd-pack');
    assert.equal(j.failed.length, 1);
    assert.doesNotThrow(() => JSON.stringify(j));
  });
});

describe('plotSpecs', () => {
  const plots = plotSpecs(summary);
  it('makes the seed\'s plots, plus request-rate ones when there are request-rate points', () => {
    assert.deepEqual(plots.map((p) => p.file.split('/').pop()), [
      'tpot-vs-concurrency.svg', 'ttft-vs-concurrency.svg', 'tpot-vs-request-rate.svg', 'ttft-vs-request-rate.svg', 'throughput-vs-tpot.svg', 'pareto.svg',
    ]);
    assert.ok(plots.every((p) => p.file.startsWith('plots/isl5000-osl250-mixed/')));
  });
  it('compiles every spec with vega-lite, one series per deployment, log axes', () => {
    for (const p of plots) assert.doesNotThrow(() => compile(p.spec), p.file);
    const tpot = plots[0]!.spec as { data: { values: Array<{ deployment: string }> }; encoding: { x: { scale: { type: string } }; y: { scale: { type: string } }; color: { field: string } } };
    assert.equal(tpot.encoding.color.field, 'deployment');
    assert.equal(tpot.encoding.x.scale.type, 'log');
    assert.equal(tpot.encoding.y.scale.type, 'log');
    assert.equal(new Set(tpot.data.values.map((v) => v.deployment)).size, 4);
  });
  it('draws the frontier line from frontier points only', () => {
    const pareto = plots.find((p) => p.file.endsWith('pareto.svg'))!.spec as { layer: Array<{ mark: { type: string }; transform?: Array<{ filter: string }> }> };
    assert.equal(pareto.layer.find((l) => l.mark.type === 'line')!.transform![0]!.filter, "datum.status === 'frontier'");
  });
});

describe('point records from the plan', () => {
  const dep = {
    id: 'pd-spread-1p-tp4-1d-tp4', index: 0, source: 0, label: '1P-TP4:1D-TP4 spread', env: { UCX_TLS: 'srd,cuda_copy' }, gpus: 8, nodes: ['w1', 'w2'], points: [],
    estimate: { deploySeconds: 180, benchSeconds: 60, teardownSeconds: 10, totalSeconds: 250, gpuHours: 0.5 },
    mode: 'pd-spread', backend: 'UCX',
    prefill: { role: 'prefill', count: 1, tp: 4, instances: [{ role: 'prefill', index: 0, node: 'w1', gpus: [0, 1, 2, 3] }] },
    decode: { role: 'decode', count: 1, tp: 4, instances: [{ role: 'decode', index: 0, node: 'w2', gpus: [0, 1, 2, 3] }] },
  } as PlannedDeployment;
  const point: PlannedPoint = {
    id: 'pd-spread-1p-tp4-1d-tp4/isl5000-osl250/c16', index: 3, deploymentId: dep.id, workloadId: 'isl5000-osl250', loadId: 'c16',
    workload: { isl: 5000, osl: 250, mode: 'mixed' }, load: { kind: 'concurrency', concurrency: 16, numPrompts: 80 }, label: 'ISL 5000 / OSL 250, concurrency 16', estimatedSeconds: 12,
  };
  it('builds a failed record with the plan\'s ids and shape', () => {
    const r = pointRecord(dep, point, { status: 'failed', reason: 'deployment did not come up', attempt: 0, startedAt: '2025-10-12T01:00:00Z', durationSec: 0 });
    assert.equal(r.pointId, point.id);
    assert.deepEqual(r.deployment, { id: dep.id, name: '1P-TP4:1D-TP4 spread', mode: 'pd-spread', gpus: 8, prefill: { count: 1, tp: 4 }, decode: { count: 1, tp: 4 }, backend: 'UCX', env: { UCX_TLS: 'srd,cuda_copy' } });
    assert.deepEqual(r.load, { concurrency: 16, numPrompts: 80 });
    assert.equal(r.status, 'failed');
  });
  it('builds an ok record from a bench result, metrics per the deployment\'s GPUs', () => {
    const result = parseVllmBenchResult(readFileSync(sharedFixture(`vllm-bench-0.11/${PACK}/conc16.json`), 'utf8'));
    const r = pointRecordFromBench(dep, point, result, { attempt: 1, startedAt: '2025-10-12T14:10:32Z', durationSec: 14.2, rawResultPath: '/head/results/c16.json', versions: { vllm: '0.11.0' } });
    assert.equal(r.status, 'ok');
    assert.equal(r.metrics!.outputThroughputPerGpu, result.outputThroughput / 8);
    assert.equal(r.rawResultPath, '/head/results/c16.json');
    assert.equal(r.model, 'openai/gpt-oss-120b');
  });
  it('maps request-rate loads, rejections and the sweep SLA', () => {
    const rr = pointRecord(dep, { ...point, load: { kind: 'request-rate', requestRate: 4, numPrompts: 500, burstiness: 1, maxConcurrency: 128 } }, { status: 'failed', attempt: 1, startedAt: '', durationSec: 0 });
    assert.deepEqual(rr.load, { requestRate: 4, numPrompts: 500, concurrency: 128 });
    assert.deepEqual(rejectedOfPlan([{ id: 'a', source: 1, mode: 'pd-pack', label: '1P-TP4:1D-TP2 pack', gpus: 6, reason: 'prefill-tp-exceeds-decode-tp', message: 'prefill TP 4 > decode TP 2' }]), [{ name: '1P-TP4:1D-TP2 pack', reason: 'prefill TP 4 > decode TP 2' }]);
    assert.deepEqual(slaTierOf({ p99TtftMs: 2000 }), { name: 'sweep SLA', p99TtftMs: 2000 });
  });
});
