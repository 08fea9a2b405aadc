// bench/sla-search: how many benchmark points the SLA search spends against a grid of the same
// resolution. Pure arithmetic, no cluster: each synthetic deployment meets the SLA at loads up to X
// (X log-spaced from min to max); the search runs to its end for every X.
// The grid of the same resolution is geometric, min x (1 + tolerance)^i up to max (whole numbers
// for concurrency, each once): the coarsest grid that also pins any X within the tolerance.
// Run: npx tsx bench/sla-search.ts [--oracles 400]
import { nextProbe, recordProbe, searchAnswer, startSearch, worstCaseProbes, type SlaSearchSpec } from '../src/plan/index.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const ORACLES = Number(arg('oracles', '400'));

const CASES: SlaSearchSpec[] = [
  { over: 'concurrency', min: 1, max: 512, tolerance: 0.1, fill: 0 },
  { over: 'concurrency', min: 4, max: 256, tolerance: 0.05, fill: 0 },
  { over: 'concurrency', min: 4, max: 256, tolerance: 0.1, fill: 2 },
  { over: 'concurrency', min: 1, max: 64, tolerance: 0.25, fill: 0 },
  { over: 'requestRate', min: 0.25, max: 64, tolerance: 0.1, fill: 0 },
  { over: 'requestRate', min: 0.5, max: 32, tolerance: 0.02, fill: 0 },
  { over: 'requestRate', min: 0.5, max: 32, tolerance: 0.1, fill: 3 },
];

function gridPoints(s: SlaSearchSpec): number {
  const levels = new Set<number>();
  for (let l = s.min; l < s.max * (1 + 1e-12); l *= 1 + s.tolerance) levels.add(s.over === 'concurrency' ? Math.ceil(l - 1e-9) : l);
  levels.add(s.max);
  return levels.size;
}

function searchRun(s: SlaSearchSpec, x: number): { probes: number; answer?: number } {
  let state = startSearch(s);
  for (let next = nextProbe(state); next; next = nextProbe(state)) state = recordProbe(state, next.load, { met: next.load <= x });
  const a = searchAnswer(state);
  return { probes: a.probes, ...(a.maxLoadMeeting !== undefined ? { answer: a.maxLoadMeeting } : {}) };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const rows: string[][] = [['search', 'grid pts', 'probes mean', 'median', 'max', 'worst-case bound', 'grid / mean', 'answer error mean', 'max']];
for (const s of CASES) {
  const xs = Array.from({ length: ORACLES }, (_, i) => s.min * ((s.max / s.min) ** (i / (ORACLES - 1))));
  const runs = xs.map((x) => ({ x, ...searchRun(s, x) }));
  const probes = runs.map((r) => r.probes).sort((a, b) => a - b);
  const mean = probes.reduce((a, b) => a + b, 0) / probes.length;
  // Error of the answer where one exists inside the range: how far below the true highest load.
  const inside = runs.filter((r) => r.x >= s.min && r.x < s.max && r.answer !== undefined);
  const errs = inside.map((r) => (s.over === 'concurrency' ? (Math.floor(r.x) - r.answer!) / Math.floor(r.x) : (r.x - r.answer!) / r.x));
  const grid = gridPoints(s);
  rows.push([
    `${s.over} ${s.min}..${s.max} tol ${s.tolerance}${s.fill ? ` fill ${s.fill}` : ''}`, `${grid}`, mean.toFixed(1),
    `${probes[Math.floor(probes.length / 2)]}`, `${probes[probes.length - 1]}`, `${worstCaseProbes(s).probes}`, `${(grid / mean).toFixed(1)}x`,
    pct(errs.reduce((a, b) => a + b, 0) / Math.max(1, errs.length)), pct(Math.max(0, ...errs)),
  ]);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
console.log(`\n${ORACLES} oracles per row, X log-spaced from min to max (X below min costs 1 probe; at or above max, the bracket alone plus fill).`);
console.log('grid / mean: how many times more benchmark points a grid of the same resolution runs per deployment and workload.');
