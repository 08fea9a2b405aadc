// bench/sla-search-sim: the SLA search against a full grid at the same resolution, on the simulated
// cluster (1 head + 2 × 8 GPUs), in one run. For each deployment: the highest concurrency meeting
// the SLA as the search finds it and as the grid finds it, and the benchmark minutes each spent
// (the points' modelled `vllm bench serve` durations: what the same sweep would cost on real GPUs;
// the simulator runs them 50× faster). Goal: ≥3× fewer benchmark minutes for the same answer.
// The grid is geometric, min × (1 + tolerance)^i up to max (whole numbers, each once): the coarsest
// grid that pins the answer within the tolerance too.
// Run: npx tsx bench/sla-search-sim.ts [--tpot 15] [--tolerance 0.1] [--max 64]
import { startStack } from '../test/helpers/stack.js';
import { prepareCluster, planFor, startSweep } from '../test/helpers/sweep.js';
import type { SweepInput as SweepFile } from '../src/config/index.js';
import type { BenchPointRecord } from '../src/analysis/records.js';
import type { SweepResult } from '../src/workflows/sweep-types.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const TPOT = Number(arg('tpot', '15'));
const TOLERANCE = Number(arg('tolerance', '0.1'));
const MIN = 1;
const MAX = Number(arg('max', '64'));
const log = (s: string) => console.log(`bench/sla-search-sim: ${s}`);

const base: Omit<SweepFile, 'model' | 'load' | 'name'> = {
  workloads: [{ isl: 1000, osl: 100 }],
  deployments: [
    { mode: 'collocated', replicas: [1], tp: [2] },
    { mode: 'pd-pack', prefill: { count: [1], tp: [1] }, decode: { count: [1], tp: [1] } },
  ],
  retries: 0,
};

function gridLevels(): number[] {
  const levels = new Set<number>();
  for (let l = MIN; l < MAX * (1 + 1e-12); l *= 1 + TOLERANCE) levels.add(Math.ceil(l - 1e-9));
  levels.add(MAX);
  return [...levels].sort((a, b) => a - b);
}

const meets = (r: BenchPointRecord) => r.status === 'ok' && (r.metrics?.tpotMs.p99 ?? Infinity) <= TPOT && (r.metrics?.failed ?? 0) === 0;
const benchMinutes = (rs: BenchPointRecord[]) => rs.reduce((n, r) => n + (r.metrics?.durationSec ?? 0), 0) / 60;

const s = await startStack({ shareInstalls: true, sim: { workers: 2 } });
try {
  log('preparing the simulated cluster (provision, build, ray) ...');
  await prepareCluster(s);
  const search = planFor(s, { ...base, name: 'sla-search', load: { search: { over: 'concurrency', min: MIN, max: MAX, sla: { p99TpotMs: TPOT }, tolerance: TOLERANCE }, promptsPerConcurrency: 2 } });
  const levels = gridLevels();
  const grid = planFor(s, { ...base, name: 'sla-grid', load: { concurrency: levels, promptsPerConcurrency: 2 } });
  const run = (plan: typeof search) => s.withWorker(async () => (await startSweep(s, plan)).result() as Promise<SweepResult>);
  log(`search: concurrency ${MIN}..${MAX}, p99 TPOT ≤ ${TPOT} ms, tolerance ${TOLERANCE} (worst case ${search.search!.worstCase.probes} probes a deployment)`);
  let t0 = performance.now();
  const searched = await run(search);
  const searchWall = (performance.now() - t0) / 1000;
  log(`grid: ${levels.length} levels a deployment (${levels.join(', ')})`);
  t0 = performance.now();
  const gridded = await run(grid);
  const gridWall = (performance.now() - t0) / 1000;

  console.log('');
  console.log('| deployment | search answer (bracket) | grid answer | probes | grid points | search bench min | grid bench min | grid / search |');
  console.log('|---|---|---|---|---|---|---|---|');
  let totalSearch = 0;
  let totalGrid = 0;
  let same = 0;
  for (const dep of search.deployments) {
    const key = `${dep.id}/isl1000-osl100`;
    const a = searched.searchAnswers?.[key];
    const sRecs = searched.records.filter((r) => r.deployment.id === dep.id);
    const gRecs = gridded.records.filter((r) => r.deployment.id === dep.id);
    const gridAnswer = Math.max(0, ...gRecs.filter(meets).map((r) => r.load.concurrency!));
    // The grid's answer, as the search would state it: within the tolerance of the search's.
    const agrees = a?.maxLoadMeeting !== undefined && Math.abs(a.maxLoadMeeting - gridAnswer) <= Math.max(1, TOLERANCE * gridAnswer);
    if (agrees) same++;
    const sm = benchMinutes(sRecs);
    const gm = benchMinutes(gRecs);
    totalSearch += sm;
    totalGrid += gm;
    console.log(`| ${dep.label} | ${a?.maxLoadMeeting ?? '-'} (${a?.bracket.lo ?? '-'}..${a?.bracket.hi ?? '-'}) | ${gridAnswer} | ${sRecs.length} | ${gRecs.length} | ${sm.toFixed(2)} | ${gm.toFixed(2)} | ${(gm / sm).toFixed(1)}× |`);
  }
  console.log('');
  log(`benchmark minutes (modelled, as on real GPUs): search ${totalSearch.toFixed(2)}, grid ${totalGrid.toFixed(2)} — ${(totalGrid / totalSearch).toFixed(1)}× fewer; goal ≥3×: ${totalGrid / totalSearch >= 3 ? 'MET' : 'NOT MET'}`);
  log(`same answer (within the tolerance) for ${same}/${search.deployments.length} deployments; wall time here: search ${searchWall.toFixed(0)} s, grid ${gridWall.toFixed(0)} s (deploys included)`);
} finally {
  await s.teardown();
}
