// The overlay plot of a comparison, one per workload × hardware group: both runs' points and
// frontiers on the pareto axes (output tok/s per GPU against interactivity), A grey and dashed,
// B in colour. Pure: Vega-Lite specs only (analysis-io renders them).
import type { TopLevelSpec } from 'vega-lite';
import type { RunComparison } from './compare.js';
import type { ComparePlotRef } from './compare-markdown.js';
import type { CompareNames } from './compare-terminal.js';
import { isFlagged } from './known-bad.js';
import { loadLabel } from './labels.js';

export interface ComparePlotSpec extends ComparePlotRef {
  spec: TopLevelSpec;
}

interface Row {
  run: string;
  deployment: string;
  loadLabel: string;
  interactivity: number;
  outPerGpu: number;
  frontier: boolean;
  flagged: boolean;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const LOG = { type: 'log', nice: false, padding: 12 } as const;

/** One overlay per group that has a placeable point; files under `dir` named by the group key. */
export function comparePlotSpecs(c: RunComparison, names: CompareNames, dir = 'plots/compare'): ComparePlotSpec[] {
  const runA = `A: ${names.a}`;
  const runB = `B: ${names.b}`;
  const plots: ComparePlotSpec[] = [];
  for (const f of c.frontiers) {
    const onFrontier = { a: new Set(f.frontierA.map((p) => p.pointId)), b: new Set(f.frontierB.map((p) => p.pointId)) };
    const rows: Row[] = [];
    for (const p of c.points.filter((x) => x.group === f.group)) {
      for (const [side, r, run] of [['a', p.a, runA], ['b', p.b, runB]] as const) {
        const m = r.metrics;
        if (r.status !== 'ok' || !m || m.interactivity === null || !(m.outputThroughputPerGpu > 0)) continue;
        rows.push({ run, deployment: r.deployment.name, loadLabel: loadLabel(r.load), interactivity: m.interactivity, outPerGpu: m.outputThroughputPerGpu, frontier: onFrontier[side].has(r.pointId), flagged: isFlagged(r) });
      }
    }
    if (rows.length === 0) continue;
    const color = { field: 'run', type: 'nominal', title: 'Run', scale: { domain: [runA, runB], range: ['#9e9e9e', '#1f77b4'] } } as const;
    const x = { field: 'interactivity', type: 'quantitative', title: 'Interactivity (tok/s/user = 1000 / median TPOT)', scale: { zero: false, padding: 12 } } as const;
    const y = { field: 'outPerGpu', type: 'quantitative', title: 'Output tok/s per GPU', scale: LOG } as const;
    const tooltip = [
      { field: 'run', type: 'nominal' }, { field: 'deployment', type: 'nominal' }, { field: 'loadLabel', type: 'nominal', title: 'load' },
      { field: 'outPerGpu', type: 'quantitative', title: 'out tok/s/GPU', format: '.1f' }, { field: 'interactivity', type: 'quantitative', title: 'tok/s/user', format: '.1f' },
      { field: 'flagged', type: 'nominal' },
    ] as const;
    const title = `Frontiers, B against A — ${f.label}`;
    plots.push({
      file: `${dir}/${f.group}.svg`, title, group: f.group,
      spec: {
        $schema: SCHEMA, width: 520, height: 340, title, config: { legend: { labelLimit: 0 } },
        data: { values: rows },
        layer: [
          // Frontier lines first (A dashed), the points over them.
          {
            transform: [{ filter: 'datum.frontier' }],
            mark: { type: 'line', strokeWidth: 1.5 },
            encoding: {
              x, y, color, order: { field: 'interactivity', type: 'quantitative' },
              strokeDash: { field: 'run', type: 'nominal', title: 'Run', scale: { domain: [runA, runB], range: [[5, 3], [1, 0]] } },
            },
          },
          { transform: [{ filter: '!datum.flagged' }], mark: { type: 'point', filled: true, size: 60 }, encoding: { x, y, color, tooltip: [...tooltip] } },
          { transform: [{ filter: 'datum.flagged' }], mark: { type: 'point', filled: false, size: 60, strokeWidth: 2 }, encoding: { x, y, color, tooltip: [...tooltip] } },
        ],
      },
    });
  }
  return plots;
}
