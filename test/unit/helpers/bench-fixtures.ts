// The shared vllm-bench-0.11 fixtures as point records, through the pure import path.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { importBenchFile, type BenchPointRecord } from '../../../src/analysis/index.js';
import { sharedFixture } from './fixtures.js';

export const BENCH_DIR = sharedFixture('vllm-bench-0.11');

export function fixtureRecords(folders?: string[]): BenchPointRecord[] {
  const names = folders ?? readdirSync(BENCH_DIR).sort();
  return names.flatMap((folder) => readdirSync(path.join(BENCH_DIR, folder)).filter((f) => f.endsWith('.json')).map((fileName) => {
    const p = path.join(BENCH_DIR, folder, fileName);
    const out = importBenchFile({ folder, fileName, text: readFileSync(p, 'utf8'), path: p });
    if (!out.record) throw new Error(`fixture ${p} not imported: ${out.skipped}`);
    return out.record;
  }));
}

export const PACK = 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4';
export const SPREAD_BROKEN = 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx';
export const SPREAD_UCX120 = 'gptoss_itl5000_otl250_mixed_1xtp4-1xtp4-spread-ucx120';
export const PD_1P2_2D2 = 'gptoss_itl5000_otl250_mixed_1xtp2-2xtp2';
export const COLLOCATED_4X2 = 'gptoss_itl5000_otl250_4xtp2';
export const COLLOCATED_2X4 = 'gptoss_itl5000_otl250_2xtp4';
