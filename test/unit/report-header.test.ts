// The report's header names the run, when it started, the cluster and the hardware (issue "Start
// and read runs anywhere", item 6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHeader } from '../../src/cli/results-report.js';
import type { BenchPointRecord } from '../../src/analysis/index.js';

const rec = (gpuModel?: string): BenchPointRecord => ({
  pointId: 'd/w/c1', deployment: { id: 'd', name: 'd', mode: 'collocated', replicas: { count: 1, tp: 1 }, gpus: 1 },
  workload: { isl: 1, osl: 1, mode: 'mixed' }, load: { concurrency: 1, numPrompts: 1 }, status: 'ok',
  timings: { startedAt: '2026-12-02T10:00:00Z', durationSec: 1 }, attempt: 1,
  ...(gpuModel ? { hardware: { gpuModel, gpusPerNode: 8, source: 'inventory' as const } } : {}),
});

test('runHeader: run id, status, start (UTC), cluster and each hardware once', () => {
  const cases: Array<[Parameters<typeof runHeader>[0], RegExp]> = [
    [{ workflowId: 'pdflow-p5-sweep-20261202-100000', status: 'COMPLETED', cluster: 'p5', startedAt: '2026-12-02T10:00:00.123Z', records: [rec('NVIDIA H100 80GB HBM3'), rec('NVIDIA H100 80GB HBM3')] },
      /^Run \*\*pdflow-p5-sweep-20261202-100000\*\* \(completed\), started 2026-12-02 10:00:00 UTC, cluster p5, hardware: 8x H100[^;]* per node\.$/],
    [{ workflowId: 'x', status: 'RUNNING', records: [rec('NVIDIA H200'), rec()] }, /^Run \*\*x\*\* \(running\), cluster unknown, hardware: 8x H200[^;]* per node; hardware not recorded\.$/],
    [{ workflowId: 'y', status: 'FAILED', cluster: 'c', records: [] }, /cluster c, hardware: no records\.$/],
  ];
  for (const [view, want] of cases) assert.match(runHeader(view), want);
});
