// SLA-constrained load search on the simulated cluster (issue "Fewer GPU-hours per answer", point 1):
// the sweep brackets and bisects the concurrency of each deployment, each probe a normal benchmark
// point with a record that says which probe it was, until the highest load meeting the SLA is known
// within the tolerance. The answer is held to the full grid's, computed from the same performance
// model the emulated `vllm bench serve` runs (every concurrency of the range, at no cluster cost).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stack } from '../helpers/stack.js';
import { onPreparedStack, planFor, startSweep } from '../helpers/sweep.js';
import { simulateBenchBatch } from '../../src/sim/perf-model.js';
import type { SweepResult } from '../../src/workflows/sweep-types.js';

let s: Stack;
onPreparedStack((x) => { s = x; });

const SLA_TPOT_MS = 15;
const TOLERANCE = 0.1;

test('a search over concurrency finds the highest load meeting the SLA within the tolerance, in far fewer points than the grid', async () => {
  const plan = planFor(s, {
    name: 'sla-search',
    workloads: [{ isl: 1000, osl: 100 }],
    deployments: [{ mode: 'collocated', replicas: [1], tp: [2] }],
    load: { search: { over: 'concurrency', min: 1, max: 64, sla: { p99TpotMs: SLA_TPOT_MS }, tolerance: TOLERANCE }, promptsPerConcurrency: 2 },
    retries: 0,
  });
  const worst = plan.search!.worstCase.probes;
  const result: SweepResult = await s.withWorker(async () => (await startSweep(s, plan)).result());

  // The full grid, 1..64, as the emulated benchmark would measure it.
  const grid = await simulateBenchBatch(Array.from({ length: 64 }, (_, i) => ({
    deployment: { mode: 'collocated' as const, replicas: 1, tp: 2 },
    workload: { isl: 1000, osl: 100, numPrompts: 2 * (i + 1), maxConcurrency: i + 1, seed: 0, percentileMetrics: ['ttft', 'tpot', 'itl'] as Array<'ttft' | 'tpot' | 'itl'>, percentiles: [50, 90, 99] },
  })));
  const gridAnswer = Math.max(...grid.map((r, i) => (Number(r.p99_tpot_ms) <= SLA_TPOT_MS ? i + 1 : 0)));
  assert.ok(gridAnswer > 1 && gridAnswer < 64, `the SLA should cut inside the range (grid answer ${gridAnswer})`);

  const key = `${plan.deployments[0]!.id}/isl1000-osl100`;
  const answer = result.searchAnswers?.[key];
  assert.ok(answer, `no search answer for ${key}: ${JSON.stringify(result.searchAnswers)}`);
  assert.equal(answer.status, 'found', JSON.stringify(answer));
  const lo = answer.maxLoadMeeting!;
  const hi = answer.bracket.hi!;
  assert.ok(hi <= Math.max(lo + 1, lo * (1 + TOLERANCE)) + 1e-9, `bracket ${lo}..${hi} is wider than the tolerance`);
  // Seed noise in p99 may move the boundary by a step.
  assert.ok(Math.abs(lo - gridAnswer) <= Math.max(1, TOLERANCE * gridAnswer) + 1, `search answer ${lo} vs grid ${gridAnswer}`);

  // Every probe is a normal point with a record that says which probe it was; no load twice.
  assert.equal(result.ok, result.records.length, result.summary);
  assert.equal(result.records.length, answer.probes);
  assert.ok(answer.probes <= worst && answer.probes * 3 <= 64, `${answer.probes} probes (worst case ${worst}) against 64 grid points`);
  assert.deepEqual(result.records.map((r) => r.probe?.number), result.records.map((_, i) => i + 1));
  const loads = result.records.map((r) => r.load.concurrency!);
  assert.equal(new Set(loads).size, loads.length, `a load was probed twice: ${loads.join(', ')}`);
  // The verdicts agree with the records: the answer's point met the SLA, the bracket's top missed it.
  const at = (c: number) => result.records.find((r) => r.load.concurrency === c)!;
  assert.ok(at(lo).metrics!.tpotMs.p99! <= SLA_TPOT_MS, `answer ${lo}: p99 TPOT ${at(lo).metrics!.tpotMs.p99}`);
  assert.ok(at(hi).metrics!.tpotMs.p99! > SLA_TPOT_MS, `bracket top ${hi}: p99 TPOT ${at(hi).metrics!.tpotMs.p99}`);
  assert.match(result.records[0]!.pointId, /\/c1-probe1$/);
});
