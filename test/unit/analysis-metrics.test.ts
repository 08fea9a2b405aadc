import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { benchMetrics, importBenchFile, interactivity, loadFromBench, pointFromBench, startedAt } from '../../src/analysis/index.js';
import { parseVllmBenchResult } from '../../src/parse/index.js';
import { fixtureRecords, PACK, PD_1P2_2D2, COLLOCATED_2X4, SPREAD_BROKEN } from './helpers/bench-fixtures.js';
import { sharedFixture } from './helpers/fixtures.js';

const node = (p: string) => readFileSync(new URL(`../fixtures/node-outputs/vllm-bench/${p}`, import.meta.url), 'utf8');
const close = (a: number | null | undefined, b: number, eps = 1e-9) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

describe('metrics on the real fixtures', () => {
  const all = fixtureRecords();
  const find = (folder: string, file: string) => all.find((r) => r.pointId === `${folder}/${file}`)!;

  // Expected values straight from the JSON files (output_throughput, total_token_throughput, median_tpot_ms, ...).
  const cases: Array<{ folder: string; file: string; gpus: number; load: object }> = [
    { folder: PACK, file: 'conc16', gpus: 8, load: { numPrompts: 80, concurrency: 16 } },
    { folder: PACK, file: 'conc128', gpus: 8, load: { numPrompts: 640, concurrency: 128 } },
    { folder: SPREAD_BROKEN, file: 'conc64', gpus: 8, load: { numPrompts: 320, concurrency: 64 } },
    { folder: PD_1P2_2D2, file: 'conc16', gpus: 6, load: { numPrompts: 80, concurrency: 16 } },
    { folder: COLLOCATED_2X4, file: 'conc32_rr1', gpus: 8, load: { numPrompts: 64, concurrency: 32, requestRate: 1 } },
  ];
  for (const c of cases) {
    it(`${c.folder}/${c.file}`, () => {
      const r = find(c.folder, c.file);
      const raw = JSON.parse(readFileSync(sharedFixture(`vllm-bench-0.11/${c.folder}/${c.file}.json`), 'utf8')) as Record<string, number>;
      const m = r.metrics!;
      assert.equal(r.status, 'ok');
      assert.equal(r.deployment.gpus, c.gpus);
      assert.deepEqual(r.load, c.load);
      assert.equal(m.outputThroughput, raw.output_throughput);
      assert.equal(m.totalThroughput, raw.total_token_throughput);
      close(m.outputThroughputPerGpu, raw.output_throughput! / c.gpus);
      close(m.totalThroughputPerGpu, raw.total_token_throughput! / c.gpus);
      close(m.interactivity, 1000 / raw.median_tpot_ms!);
      assert.deepEqual(m.ttftMs, { mean: raw.mean_ttft_ms, median: raw.median_ttft_ms, p99: raw.p99_ttft_ms });
      assert.deepEqual(m.tpotMs, { mean: raw.mean_tpot_ms, median: raw.median_tpot_ms, p99: raw.p99_tpot_ms });
      assert.deepEqual(m.itlMs, { mean: raw.mean_itl_ms, median: raw.median_itl_ms, p99: raw.p99_itl_ms });
      assert.equal(r.workload.isl, 5000);
      assert.equal(r.workload.osl, 250);
    });
  }

  it('pack at concurrency 16: 130.06 tok/s/user (1000 / 7.6888 ms), 216.68 out tok/s/GPU (1733.40 / 8)', () => {
    close(find(PACK, 'conc16').metrics!.interactivity, 1000 / 7.688778670795494);
    close(find(PACK, 'conc16').metrics!.interactivity, 130.0597, 1e-5);
    close(find(PACK, 'conc16').metrics!.outputThroughputPerGpu, 216.6751, 1e-5);
    close(find(PACK, 'conc64').metrics!.outputThroughputPerGpu, 527.22, 1e-4);
  });

  it('keeps the broken network\'s huge TTFT and normal TPOT', () => {
    const m = find(SPREAD_BROKEN, 'conc4').metrics!;
    assert.ok(m.ttftMs.median > 16000);
    assert.ok(m.tpotMs.median < 6);
  });

  it('imports all 35 fixture files with start times from "date" minus duration', () => {
    assert.equal(all.length, 35);
    const r = find(PACK, 'conc16');
    assert.equal(r.timings.startedAt, '2025-10-12T14:10:32');
    close(r.timings.durationSec, 11.538011200958863);
    assert.equal(r.model, 'openai/gpt-oss-120b');
    assert.equal(r.attempt, 1);
  });
});

describe('pointFromBench', () => {
  const ctx = {
    pointId: 'd/isl5000-osl250/c16',
    deployment: { id: 'd', name: 'd', mode: 'pd-pack' as const, gpus: 8 },
    workload: { isl: 5000, osl: 250, mode: 'mixed' },
    timings: { startedAt: '2025-10-12T14:10:32Z', durationSec: 11.5 },
  };
  it('records a run where nothing completed as failed, with the reason', () => {
    const r = pointFromBench(parseVllmBenchResult(node('all-failed.json')), ctx);
    assert.equal(r.status, 'failed');
    assert.equal(r.reason, 'no request completed (80 of 80 failed)');
    assert.equal(r.metrics, undefined);
  });
  it('keeps partial failures ok with a reason', () => {
    const raw = JSON.parse(node('rate-infinity.json').replace('Infinity', 'null')) as Record<string, unknown>;
    const r = pointFromBench(parseVllmBenchResult({ ...raw, completed: 78, failed: 2 }), ctx);
    assert.equal(r.status, 'ok');
    assert.equal(r.reason, '2 of 80 requests failed');
    assert.equal(r.metrics!.failed, 2);
  });
  it('reads the load of an unlimited-rate run as concurrency only', () => {
    assert.deepEqual(loadFromBench(parseVllmBenchResult(node('rate-infinity.json'))), { numPrompts: 80, concurrency: 16 });
  });
  it('is JSON-serialisable without loss', () => {
    const r = pointFromBench(parseVllmBenchResult(node('detailed-e2el-percentiles.json')), ctx);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
    assert.equal(r.metrics!.e2elMs!.p99, 2801.9);
  });
  it('refuses a GPU count of 0', () => {
    assert.throws(() => benchMetrics(parseVllmBenchResult(node('minimal-keys.json')), 0), /gpus must be a positive number/);
  });
  it('gives no interactivity for a zero TPOT (OSL 1)', () => {
    assert.equal(interactivity(0), null);
    assert.equal(interactivity(8), 125);
  });
});

describe('importBenchFile', () => {
  it('records a broken point file as a failed point', () => {
    const out = importBenchFile({ folder: 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4', fileName: 'conc32.json', text: node('truncated.json') });
    assert.equal(out.record?.status, 'failed');
    assert.deepEqual(out.record?.load, { numPrompts: 0, concurrency: 32 });
    assert.match(out.record!.reason!, /not valid JSON/);
  });
  it('skips a file that is not a result and not a point', () => {
    const out = importBenchFile({ folder: 'gptoss_itl5000_otl250_4xtp2', fileName: 'models.json', text: node('not-a-result.json') });
    assert.equal(out.record, undefined);
    assert.match(out.skipped!, /not a vllm bench serve result/);
  });
  it('measures ISL/OSL from the JSON when the folder does not name them', () => {
    const out = importBenchFile({ folder: 'monday', fileName: 'conc16.json', text: node('rate-infinity.json'), deployment: '1xtp4-1xtp4' });
    assert.deepEqual(out.record!.workload, { isl: 5000, osl: 250, mode: 'mixed' });
  });
  it('turns vLLM dates into start times', () => {
    assert.equal(startedAt('20251012-141044', 12), '2025-10-12T14:10:32');
    assert.equal(startedAt(undefined, 12), '');
    assert.equal(startedAt('yesterday', 12), '');
  });
});
